#include "topology/peering.hpp"

#include <gtest/gtest.h>

#include "tests/unit/topology/model_builder.hpp"
#include "topology/lint.hpp"

namespace picket {
namespace {

// The whole index of a small network as text: each node's link peers (with the merged kind)
// and partners, each host's nodes, each signer's validators.
std::string dump(const PeeringIndex& index) {
  const Topology& t = index.topology();
  std::string out;
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    out += t.nodes[i].name.value + ":";
    for (const LinkPeer& p : index.link_peers(i))
      out += " " + t.nodes[p.node].name.value + "/" + link_kind_name(p.over);
    for (std::size_t p : index.partners_of(i)) out += " partner " + t.partners[p].name.value;
    out += "\n";
  }
  for (const std::string& host : index.node_hosts()) {
    out += "host " + host + ":";
    for (const Node* n : index.nodes_on(host)) out += " " + n->name.value;
    out += "\n";
  }
  for (bool standby : {false, true}) {
    out += standby ? "kms (with standby):" : "kms:";
    for (const Node* v : index.validators_of("kms", standby)) out += " " + v->name.value;
    out += "\n";
  }
  return out;
}

TEST(PeeringIndex, IndexesLinksPartnersHostsAndSigners) {
  test::ModelBuilder b;
  b.node("val", Role::validator, "h1").signer("kms");
  b.node("backup", Role::validator, "h2").signer("kms").standby();
  b.node("kms", Role::signer, "h3");
  b.node("priv", Role::private_sentry, "h1");
  b.node("pub", Role::public_sentry, "h2");
  b.link("val", "priv", LinkKind::private_net);
  b.link("priv", "pub", LinkKind::public_net);
  b.link("pub", "priv", LinkKind::vpn);  // the pair again: one peer, over vpn
  b.link("val", "nowhere");               // dangling: left out
  b.link("val", "kms", LinkKind::private_net);
  b.partner("dorado").peer().with("priv").with("priv").with("pub");
  const Topology t = b.topology();
  const PeeringIndex index(t);
  EXPECT_EQ(dump(index),
            "val: priv/private kms/private\n"
            "backup:\n"
            "kms: val/private\n"
            "priv: val/private pub/vpn partner dorado\n"
            "pub: priv/vpn partner dorado\n"
            "host h1: val priv\n"
            "host h2: backup pub\n"
            "host h3: kms\n"
            "kms: val\n"
            "kms (with standby): val backup\n");
  EXPECT_EQ(index.index_of(t.nodes[3]), 3u);
  Node stranger;
  stranger.name.value = "stranger";
  EXPECT_FALSE(index.index_of(stranger));
  EXPECT_TRUE(index.nodes_on("h9").empty());
}

// Lint's index travels with its result to render: moved twice, it answers for the moved
// topology as it did for the first.
TEST(PeeringIndex, LintsIndexFollowsItsResultWhenMoved) {
  test::ModelBuilder b;
  b.node("val", Role::validator, "h1");
  b.node("priv", Role::private_sentry, "h2");
  b.node("pub", Role::public_sentry, "h3");
  b.link("val", "priv", LinkKind::private_net);
  b.link("priv", "pub", LinkKind::public_net);
  for (const char* h : {"h1", "h2", "h3"}) b.host(h);
  LintResult first = check(b.topology(), b.inventory(), {});
  ASSERT_TRUE(first.peering);
  const std::string before = dump(*first.peering);
  LintResult moved(std::move(first));
  LintResult again;
  again = std::move(moved);
  ASSERT_TRUE(again.peering);
  EXPECT_EQ(&again.peering->topology(), &again.topology);
  EXPECT_EQ(dump(*again.peering), before);
  EXPECT_EQ(before,
            "val: priv/private\npriv: val/private pub/public\npub: priv/public\n"
            "host h1: val\nhost h2: priv\nhost h3: pub\nkms:\nkms (with standby):\n");
  EXPECT_EQ(again.peering->index_of(again.topology.nodes[2]), 2u);
}

}  // namespace
}  // namespace picket
