#include "deploy/waves.hpp"

#include <gtest/gtest.h>

#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

using test::add_link;
using test::add_node;

// validator -- priv-a, priv-b; each private sentry -- pub-1, pub-2; the two public sentries
// are the validator's only exits to the network.
Topology two_exits() {
  Topology t;
  add_node(t, "validator", Role::validator, "h-val");
  add_node(t, "kms", Role::signer, "h-kms");
  add_node(t, "priv-a", Role::private_sentry, "h-a");
  add_node(t, "priv-b", Role::private_sentry, "h-b");
  add_node(t, "pub-1", Role::public_sentry, "h-1");
  add_node(t, "pub-2", Role::public_sentry, "h-2");
  add_link(t, "validator", "priv-a");
  add_link(t, "validator", "priv-b");
  for (const char* priv : {"priv-a", "priv-b"})
    for (const char* pub : {"pub-1", "pub-2"}) add_link(t, priv, pub);
  t.index_nodes();
  return t;
}

// Three private and three public sentries, every private linked to every public.
Topology three_by_three(int min_paths) {
  Topology t;
  t.policy.min_paths = {min_paths, {}};
  add_node(t, "validator", Role::validator, "h-val");
  for (int i = 1; i <= 3; ++i) {
    add_node(t, "priv-" + std::to_string(i), Role::private_sentry, "h-priv-" + std::to_string(i));
    add_node(t, "pub-" + std::to_string(i), Role::public_sentry, "h-pub-" + std::to_string(i));
  }
  for (int i = 1; i <= 3; ++i) {
    add_link(t, "validator", "priv-" + std::to_string(i));
    for (int j = 1; j <= 3; ++j)
      add_link(t, "priv-" + std::to_string(i), "pub-" + std::to_string(j));
  }
  t.index_nodes();
  return t;
}

std::vector<std::vector<std::string>> nodes_of(const std::vector<Wave>& waves) {
  std::vector<std::vector<std::string>> out;
  for (const Wave& w : waves) out.push_back(w.nodes);
  return out;
}

const std::vector<std::string> k_all = {"validator", "kms", "priv-a", "priv-b", "pub-1", "pub-2"};

TEST(Waves, TwoOnlyExitsNeverGoTogether) {
  const Topology t = two_exits();
  const Inventory inv;
  const auto waves = plan_waves(t, k_all, graph_path_counter(t, inv));
  EXPECT_EQ(nodes_of(waves), (std::vector<std::vector<std::string>>{
                                 {"pub-1"}, {"pub-2"}, {"priv-a"}, {"priv-b"}, {"kms"}, {"validator"}}));
  ASSERT_EQ(waves.size(), 6u);
  EXPECT_EQ(waves[0].role, Role::public_sentry);
  EXPECT_EQ(waves[2].role, Role::private_sentry);
  EXPECT_EQ(waves[4].role, Role::signer);
  EXPECT_EQ(waves[5].role, Role::validator);
  // The property itself: with any one wave down the validator still reaches the network.
  for (const Wave& w : waves) {
    if (w.role == Role::validator) continue;
    FailureSet down;
    down.nodes = w.nodes;
    EXPECT_GE(what_if(t, inv, down).paths, 1) << w.nodes.front();
  }
}

// A horcrux signer "hx" of `n` cosigners with threshold `t` beside two_exits(): its cosigner
// nodes hx-1 … hx-n, as the loader makes them.
Topology with_horcrux(int t_of, int n) {
  Topology t = two_exits();
  Node& validator = t.nodes.front();
  validator.signer = Located<std::string>{"hx", {}};
  Node hx;
  hx.name = {"hx", {}};
  hx.role = {Role::signer, {}};
  Horcrux h;
  h.threshold = {t_of, {}};
  for (int i = 1; i <= n; ++i) {
    HorcruxCosigner c;
    c.host = {"h-cos-" + std::to_string(i), {}};
    c.shard = {i, {}};
    c.node = "hx-" + std::to_string(i);
    h.cosigners.push_back(c);
  }
  hx.horcrux = h;
  t.nodes.push_back(hx);
  for (const HorcruxCosigner& c : h.cosigners) {
    add_node(t, c.node, Role::signer, c.host.value);
    t.nodes.back().cosigner_of = "hx";
    t.nodes.back().shard = c.shard.value;
  }
  t.index_nodes();
  return t;
}

TEST(Waves, TwoOfThreeCosignersRestartOneAtATime) {
  const Topology t = with_horcrux(2, 3);
  const Inventory inv;
  EXPECT_EQ(nodes_of(plan_waves(t, {"validator", "kms", "hx-1", "hx-2", "hx-3"}, graph_path_counter(t, inv))),
            (std::vector<std::vector<std::string>>{{"kms"}, {"hx-1"}, {"hx-2"}, {"hx-3"}, {"validator"}}));
}

TEST(Waves, ThreeOfFiveCosignersRestartTwoAtATime) {
  const Topology t = with_horcrux(3, 5);
  const Inventory inv;
  const auto waves = plan_waves(t, {"hx-1", "hx-2", "hx-3", "hx-4", "hx-5"}, graph_path_counter(t, inv));
  EXPECT_EQ(nodes_of(waves),
            (std::vector<std::vector<std::string>>{{"hx-1", "hx-2"}, {"hx-3", "hx-4"}, {"hx-5"}}));
  // The property: with any one wave down, the threshold of cosigners still runs.
  for (const Wave& w : waves) {
    EXPECT_EQ(w.role, Role::signer);
    FailureSet down;
    down.nodes = w.nodes;
    EXPECT_FALSE(what_if(t, inv, down).signer_lost) << w.nodes.front();
  }
  // And --max-wave 1 still bounds them.
  EXPECT_EQ(nodes_of(plan_waves(t, {"hx-1", "hx-2", "hx-3"}, graph_path_counter(t, inv), 1)),
            (std::vector<std::vector<std::string>>{{"hx-1"}, {"hx-2"}, {"hx-3"}}));
}

TEST(Waves, WhatIfCountsCosignersAgainstTheThreshold) {
  const Topology t = with_horcrux(3, 5);
  const Inventory inv;
  FailureSet two;
  two.nodes = {"hx-1", "hx-4"};
  EXPECT_FALSE(what_if(t, inv, two).signer_lost);
  FailureSet three;
  three.nodes = {"hx-1", "hx-2", "hx-5"};
  EXPECT_EQ(what_if(t, inv, three).signer_lost, std::optional<std::string>("hx"));
}

TEST(Waves, OnlyTheGivenNodesRestart) {
  const Topology t = two_exits();
  const Inventory inv;
  EXPECT_EQ(nodes_of(plan_waves(t, {"validator", "pub-2"}, graph_path_counter(t, inv))),
            (std::vector<std::vector<std::string>>{{"pub-2"}, {"validator"}}));
  EXPECT_TRUE(plan_waves(t, {}, graph_path_counter(t, inv)).empty());
}

TEST(Waves, APartnerExitLetsBothPublicSentriesGoTogether) {
  Topology t = two_exits();
  Partner p;
  p.name = test::located("certus");
  p.peers.push_back(PartnerPeer{test::located(std::string(40, 'a')),
                                test::located("203.0.113.7:26656"), {}});
  p.with.push_back(test::located("priv-a"));
  t.partners.push_back(std::move(p));
  const Inventory inv;
  // priv-a still reaches the network through the partner while pub-1 and pub-2 restart:
  // with min_paths 1 they may go together; with the default 2 (one path left) they may not.
  t.policy.min_paths = {1, {}};
  EXPECT_EQ(nodes_of(plan_waves(t, k_all, graph_path_counter(t, inv))),
            (std::vector<std::vector<std::string>>{
                {"pub-1", "pub-2"}, {"priv-a"}, {"priv-b"}, {"kms"}, {"validator"}}));
  t.policy.min_paths = {2, {}};
  EXPECT_EQ(nodes_of(plan_waves(t, k_all, graph_path_counter(t, inv))),
            (std::vector<std::vector<std::string>>{
                {"pub-1"}, {"pub-2"}, {"priv-a"}, {"priv-b"}, {"kms"}, {"validator"}}));
}

TEST(Waves, RequiredPathsFollowThePolicy) {
  const Inventory inv;
  const std::vector<std::string> all = {"validator", "priv-1", "priv-2", "priv-3",
                                        "pub-1",     "pub-2",  "pub-3"};
  // min_paths 1, 3 designed: keep 1, so two of three sentries may restart at once.
  const Topology loose = three_by_three(1);
  EXPECT_EQ(required_paths(loose, 3), 1);
  EXPECT_EQ(nodes_of(plan_waves(loose, all, graph_path_counter(loose, inv))),
            (std::vector<std::vector<std::string>>{
                {"pub-1", "pub-2"}, {"pub-3"}, {"priv-1", "priv-2"}, {"priv-3"}, {"validator"}}));
  // ... and --max-wave 1 bounds that to one node per wave.
  EXPECT_EQ(nodes_of(plan_waves(loose, all, graph_path_counter(loose, inv), 1)),
            (std::vector<std::vector<std::string>>{{"pub-1"}, {"pub-2"}, {"pub-3"}, {"priv-1"},
                                                   {"priv-2"}, {"priv-3"}, {"validator"}}));
  // min_paths 2, 3 designed (issue 10: two private sentries restarted at once left one path):
  // keep 2, so one at a time, and no wave leaves fewer than 2.
  const Topology strict = three_by_three(2);
  EXPECT_EQ(required_paths(strict, 3), 2);
  for (const Wave& w : plan_waves(strict, all, graph_path_counter(strict, inv))) {
    if (w.role == Role::validator) continue;
    FailureSet down;
    down.nodes = w.nodes;
    EXPECT_GE(what_if(strict, inv, down).paths, 2) << w.nodes.front();
  }
  EXPECT_EQ(nodes_of(plan_waves(strict, all, graph_path_counter(strict, inv))),
            (std::vector<std::vector<std::string>>{{"pub-1"},
                                                   {"pub-2"},
                                                   {"pub-3"},
                                                   {"priv-1"},
                                                   {"priv-2"},
                                                   {"priv-3"},
                                                   {"validator"}}));
}

TEST(Waves, RequiredPathsNeverBelowOne) {
  Topology t;
  t.policy.min_paths = {2, {}};
  EXPECT_EQ(required_paths(t, 0), 1);
  EXPECT_EQ(required_paths(t, 1), 1);
  EXPECT_EQ(required_paths(t, 5), 2);
  t.policy.min_paths = {4, {}};
  EXPECT_EQ(required_paths(t, 5), 4);
  EXPECT_EQ(required_paths(t, 3), 1);  // the design has fewer than the policy
}

TEST(Waves, ANodeThatBreaksTheRuleAloneGetsItsOwnWave) {
  const Topology t = two_exits();
  // A counter where pub-1 alone leaves nothing (a single point of failure).
  const PathCounter paths = [](const std::vector<std::string>& down) {
    int p = 2;
    for (const auto& n : down) p -= n == "pub-1" ? 2 : 1;
    return std::max(0, p);
  };
  EXPECT_EQ(nodes_of(plan_waves(t, {"pub-1", "pub-2"}, paths)),
            (std::vector<std::vector<std::string>>{{"pub-1"}, {"pub-2"}}));
}

TEST(Waves, SentryNetworkFixture) {
  const Topology t = test::sentry_topology();
  const Inventory inv = test::sentry_inventory();
  const std::vector<std::string> all = {"validator", "kms",     "priv-fra",
                                        "priv-ams",  "pub-nyc", "pub-sgp"};
  EXPECT_EQ(nodes_of(plan_waves(t, all, graph_path_counter(t, inv))),
            (std::vector<std::vector<std::string>>{
                {"pub-nyc"}, {"pub-sgp"}, {"priv-ams"}, {"priv-fra"}, {"kms"}, {"validator"}}));
}

}  // namespace
}  // namespace picket
