#include "topology/analysis.hpp"
#include "topology/peering.hpp"

#include <gtest/gtest.h>

#include "tests/unit/topology/model_builder.hpp"

namespace picket {
namespace {

using test::ModelBuilder;
using Names = std::vector<std::string>;
using Links = std::vector<std::pair<std::string, std::string>>;
using Domains = std::vector<std::pair<DomainKind, std::string>>;

// The example of topology-format.md §1: two private sentries, each linked to both public
// sentries. Every node on its own host; private sentries in two datacenters.
ModelBuilder example() {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-ams").signer("kms")
      .node("kms", Role::signer, "hsm-ams")
      .node("priv-fra", Role::private_sentry, "fra-1")
      .node("priv-ams", Role::private_sentry, "ams-2")
      .node("pub-nyc", Role::public_sentry, "nyc-1")
      .node("pub-sgp", Role::public_sentry, "sgp-1")
      .link("validator", "priv-fra")
      .link("validator", "priv-ams")
      .link("priv-fra", "pub-nyc")
      .link("priv-fra", "pub-sgp")
      .link("priv-ams", "pub-nyc")
      .link("priv-ams", "pub-sgp");
  b.host("val-ams", "equinix-am5", "eu-west", "acme-metal")
      .host("hsm-ams", "equinix-am5", "eu-west", "acme-metal")
      .host("fra-1", "equinix-fr5", "eu-central", "vps-co")
      .host("ams-2", "equinix-am7", "eu-west", "vps-co")
      .host("nyc-1", "equinix-ny5", "us-east", "vps-co")
      .host("sgp-1", "equinix-sg1", "ap-southeast", "vps-co");
  return b;
}

// validator - priv - pub: a chain where everything is a single point of failure.
ModelBuilder chain() {
  ModelBuilder b;
  b.node("validator", Role::validator, "h-val")
      .node("priv", Role::private_sentry, "h-priv")
      .node("pub", Role::public_sentry, "h-pub")
      .link("validator", "priv")
      .link("priv", "pub");
  b.host("h-val").host("h-priv").host("h-pub");
  return b;
}

GraphAnalysis analyse(const ModelBuilder& b) { return analyse_graph(b.topology(), b.inventory()); }

// The peering index carries the graph: the analysis and what_if ask it, and the analysis
// keeps that very graph, with the same findings as an analysis that indexes for itself.
TEST(GraphAnalysis, AsksThePeeringIndexGraph) {
  const ModelBuilder b = chain();
  const Topology t = b.topology();
  const Inventory inv = b.inventory();
  const PeeringIndex index(t);
  const GraphAnalysis a = analyse_graph(index, inv);
  EXPECT_EQ(a.graph.get(), &index.graph());
  EXPECT_EQ(a.spof_nodes, analyse_graph(t, inv).spof_nodes);
  FailureSet f;
  f.nodes = {"priv"};
  EXPECT_EQ(what_if(index, inv, f).paths, 0);
  EXPECT_EQ(what_if(t, inv, f).paths, 0);
}

TEST(GraphAnalysis, TwoDisjointPathsHaveNoSinglePointOfFailure) {
  const GraphAnalysis a = analyse(example().survive({DomainKind::host}));
  EXPECT_EQ(a.reach.validator, std::optional<std::string>("validator"));
  EXPECT_EQ(a.reach.paths, 2);
  EXPECT_EQ(a.reach.cut, (Names{"priv-ams", "priv-fra"}));
  EXPECT_EQ(a.reach.shortest_path, (Names{"validator", "priv-fra", "pub-nyc", "network"}));
  EXPECT_EQ(a.reach.public_sentries, (Names{"pub-nyc", "pub-sgp"}));
  EXPECT_EQ(a.reach.partners, Names{});
  EXPECT_EQ(a.spof_nodes, Names{});
  EXPECT_EQ(a.spof_links, Links{});
  EXPECT_EQ(a.spof_domains, Domains{});
}

TEST(GraphAnalysis, ChainMakesEveryNodeAndLinkASinglePointOfFailure) {
  const GraphAnalysis a = analyse(chain());
  EXPECT_EQ(a.reach.paths, 1);
  EXPECT_EQ(a.reach.cut, Names{"priv"});
  EXPECT_EQ(a.spof_nodes, (Names{"priv", "pub"}));
  EXPECT_EQ(a.spof_links, (Links{{"priv", "pub"}, {"priv", "validator"}}));
  // Each host holds one spof node; the validator's own host is not reported.
  EXPECT_EQ(a.spof_domains, (Domains{{DomainKind::host, "h-priv"}, {DomainKind::host, "h-pub"}}));
}

TEST(GraphAnalysis, ParallelLinksAreNotABridge) {
  // The same chain with a second (private) link beside the vpn one: priv stays a spof node,
  // but losing one of the two links leaves the other.
  ModelBuilder b = chain();
  b.link("priv", "validator", LinkKind::private_net);
  const GraphAnalysis a = analyse(b);
  EXPECT_EQ(a.reach.paths, 1);
  EXPECT_EQ(a.spof_nodes, (Names{"priv", "pub"}));
  EXPECT_EQ(a.spof_links, (Links{{"priv", "pub"}}));
}

TEST(GraphAnalysis, ArticulationPointsAlongThePathButNotBesideIt) {
  // validator - a - b - {pub1, pub2}; validator - c - a closes a cycle around validator-a.
  // A dead-end sentry hanging off b is a bridge, but not on the way to the network.
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")
      .node("a", Role::private_sentry, "h1")
      .node("b", Role::private_sentry, "h2")
      .node("c", Role::private_sentry, "h3")
      .node("pub1", Role::public_sentry, "h4")
      .node("pub2", Role::public_sentry, "h5")
      .node("dead-end", Role::private_sentry, "h6")
      .link("validator", "a")
      .link("validator", "c")
      .link("c", "a")
      .link("a", "b")
      .link("b", "pub1")
      .link("b", "pub2")
      .link("b", "dead-end");
  const GraphAnalysis a = analyse(b.survive({}));
  EXPECT_EQ(a.reach.paths, 1);
  EXPECT_EQ(a.reach.cut, Names{"a"});
  EXPECT_EQ(a.spof_nodes, (Names{"a", "b"}));
  EXPECT_EQ(a.spof_links, (Links{{"a", "b"}}));
  EXPECT_EQ(a.spof_domains, Domains{});
}

TEST(GraphAnalysis, PartnerPeersArePaths) {
  // One private sentry to a public sentry, another peering with two partner peers.
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")
      .node("priv-1", Role::private_sentry, "h1")
      .node("priv-2", Role::private_sentry, "h2")
      .node("pub", Role::public_sentry, "h3")
      .link("validator", "priv-1")
      .link("validator", "priv-2")
      .link("priv-1", "pub")
      .partner("certus").peer().peer().with("priv-2");
  const GraphAnalysis a = analyse(b.survive({}));
  EXPECT_EQ(a.reach.paths, 2);
  EXPECT_EQ(a.reach.cut, (Names{"priv-1", "priv-2"}));
  EXPECT_EQ(a.reach.partners, Names{"certus"});
  EXPECT_EQ(a.reach.public_sentries, Names{"pub"});
  EXPECT_EQ(a.spof_nodes, Names{});
}

TEST(GraphAnalysis, SinglePeeringIsASpofLink) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")
      .node("priv", Role::private_sentry, "h1")
      .link("validator", "priv")
      .partner("certus").peer().with("priv");
  const GraphAnalysis a = analyse(b.survive({}));
  EXPECT_EQ(a.reach.paths, 1);
  EXPECT_EQ(a.reach.shortest_path, (Names{"validator", "priv", "certus/1", "network"}));
  EXPECT_EQ(a.spof_nodes, (Names{"certus/1", "priv"}));
  EXPECT_EQ(a.spof_links, (Links{{"certus/1", "priv"}, {"priv", "validator"}}));
}

TEST(GraphAnalysis, NoPathReportsNothingElse) {
  // The sentry has no way out: no path, and so no spofs or domains to speak of.
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")
      .node("priv", Role::private_sentry, "h1")
      .node("pub", Role::public_sentry, "h2")
      .link("validator", "priv");
  b.host("h0").host("h1", "dc").host("h2", "dc");
  const GraphAnalysis a = analyse(b);
  EXPECT_EQ(a.reach.validator, std::optional<std::string>("validator"));
  EXPECT_EQ(a.reach.paths, 0);
  EXPECT_EQ(a.reach.cut, Names{});
  EXPECT_EQ(a.reach.shortest_path, Names{});
  EXPECT_EQ(a.reach.public_sentries, Names{});
  EXPECT_EQ(a.spof_nodes, Names{});
  EXPECT_EQ(a.spof_links, Links{});
  EXPECT_EQ(a.spof_domains, Domains{});
}

TEST(GraphAnalysis, NoActiveValidatorGivesAnEmptyAnalysis) {
  ModelBuilder standby_only;
  standby_only.node("validator", Role::validator, "h0").standby()
      .node("pub", Role::public_sentry, "h1")
      .link("validator", "pub");
  const GraphAnalysis a = analyse(standby_only);
  EXPECT_FALSE(a.reach.validator.has_value());
  EXPECT_EQ(a.reach.paths, 0);
  EXPECT_EQ(a.spof_nodes, Names{});
}

TEST(GraphAnalysis, PolicySurviveLimitsTheDomainKindsChecked) {
  // Both private sentries sit in provider "vps-co" (and so do the public sentries): losing
  // it disconnects. Only the kinds listed in policy.survive are checked.
  EXPECT_EQ(analyse(example()).spof_domains, (Domains{{DomainKind::provider, "vps-co"}}));
  EXPECT_EQ(analyse(example().survive({DomainKind::host, DomainKind::datacenter,
                                       DomainKind::region}))
                .spof_domains,
            Domains{});
}

TEST(GraphAnalysis, ValidatorsOwnDomainIsNotReported) {
  // Everything in region eu-west and provider acme-metal, like the validator: losing them
  // stops the validator itself, so they are not findings; datacenter "dc-x" (both private
  // sentries, not the validator's) is.
  ModelBuilder same;
  same.node("validator", Role::validator, "val")
      .node("priv-fra", Role::private_sentry, "fra")
      .node("priv-ams", Role::private_sentry, "ams")
      .node("pub", Role::public_sentry, "pub")
      .node("pub-2", Role::public_sentry, "pub-2")
      .link("validator", "priv-fra")
      .link("validator", "priv-ams")
      .link("priv-fra", "pub")
      .link("priv-ams", "pub-2");
  same.host("val", "dc-val", "eu-west", "acme-metal")
      .host("fra", "dc-x", "eu-west", "acme-metal")
      .host("ams", "dc-x", "eu-west", "acme-metal")
      .host("pub", "dc-pub", "eu-west", "acme-metal")
      .host("pub-2", "dc-pub-2", "eu-west", "acme-metal");
  EXPECT_EQ(analyse(same).spof_domains, (Domains{{DomainKind::datacenter, "dc-x"}}));
}

TEST(GraphAnalysis, MultiNodeDomainThatCutsEveryPathIsReported) {
  // Two disjoint paths; datacenter "dc-a" holds one node of each (priv-fra, pub-sgp), so
  // losing it cuts both. "dc-b" holds two nodes (pub-nyc and a dead-end sentry) but none
  // of the path through priv-ams, which survives.
  ModelBuilder b;
  b.node("validator", Role::validator, "val")
      .node("priv-fra", Role::private_sentry, "fra")
      .node("priv-ams", Role::private_sentry, "ams")
      .node("pub-nyc", Role::public_sentry, "nyc")
      .node("pub-sgp", Role::public_sentry, "sgp")
      .node("spare", Role::private_sentry, "spare")
      .link("validator", "priv-fra")
      .link("validator", "priv-ams")
      .link("priv-fra", "pub-nyc")
      .link("priv-ams", "pub-sgp")
      .link("priv-fra", "spare");
  b.host("val", "dc-val").host("fra", "dc-a").host("ams", "dc-c").host("nyc", "dc-b")
      .host("sgp", "dc-a").host("spare", "dc-b");
  const GraphAnalysis a = analyse(b.survive({DomainKind::datacenter}));
  EXPECT_EQ(a.reach.paths, 2);
  EXPECT_EQ(a.spof_domains, (Domains{{DomainKind::datacenter, "dc-a"}}));
}

TEST(GraphAnalysis, DomainMeetingEveryPathButBypassedIsNotReported) {
  // priv-2 reaches the network through pub-b or pub-c; losing {pub-a, pub-b} leaves
  // validator - priv-2 - pub-c.
  ModelBuilder b;
  b.node("validator", Role::validator, "val")
      .node("priv-1", Role::private_sentry, "p1")
      .node("priv-2", Role::private_sentry, "p2")
      .node("pub-a", Role::public_sentry, "a")
      .node("pub-b", Role::public_sentry, "b")
      .node("pub-c", Role::public_sentry, "c")
      .link("validator", "priv-1")
      .link("validator", "priv-2")
      .link("priv-1", "pub-a")
      .link("priv-2", "pub-b")
      .link("priv-2", "pub-c");
  b.host("val", "dc-val").host("p1", "dc-1").host("p2", "dc-2").host("a", "dc-ab")
      .host("b", "dc-ab").host("c", "dc-c");
  EXPECT_EQ(analyse(b.survive({DomainKind::datacenter})).spof_domains, Domains{});
}

TEST(GraphAnalysis, DomainHoldingASpofNodeIsReported) {
  // Two nodes in datacenter "dc-shared", one of them the chain's spof.
  ModelBuilder c;
  c.node("validator", Role::validator, "h-val")
      .node("priv", Role::private_sentry, "h-priv")
      .node("pub", Role::public_sentry, "h-pub")
      .node("other", Role::public_sentry, "h-other")
      .link("validator", "priv")
      .link("priv", "pub");
  c.host("h-val", "dc-val").host("h-priv", "dc-shared").host("h-pub", "dc-pub")
      .host("h-other", "dc-shared");
  EXPECT_EQ(analyse(c.survive({DomainKind::datacenter})).spof_domains,
            (Domains{{DomainKind::datacenter, "dc-pub"}, {DomainKind::datacenter, "dc-shared"}}));
}

TEST(GraphAnalysis, WhatIfANodeFails) {
  const ModelBuilder b = example();
  FailureSet f;
  f.nodes = {"priv-fra"};
  const Reachability r = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(r.validator, std::optional<std::string>("validator"));
  EXPECT_EQ(r.paths, 1);
  EXPECT_EQ(r.cut, Names{"priv-ams"});
  EXPECT_EQ(r.shortest_path, (Names{"validator", "priv-ams", "pub-nyc", "network"}));
  EXPECT_EQ(r.public_sentries, (Names{"pub-nyc", "pub-sgp"}));
}

// The signer is no p2p vertex: losing it leaves every path, but nothing to sign with (the lab
// showed the validator's signatures stop when the signer's host is cut off).
TEST(GraphAnalysis, WhatIfTheSignersHostFailsTheValidatorCannotSign) {
  const ModelBuilder b = example();
  FailureSet f;
  f.domains = {{DomainKind::host, "hsm-ams"}};
  const Reachability r = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(r.paths, 2);
  EXPECT_EQ(r.signer_lost, std::optional<std::string>("kms"));
  FailureSet node;
  node.nodes = {"kms"};
  EXPECT_EQ(what_if(b.topology(), b.inventory(), node).signer_lost,
            std::optional<std::string>("kms"));
  FailureSet other;
  other.domains = {{DomainKind::host, "fra-1"}};
  EXPECT_EQ(what_if(b.topology(), b.inventory(), other).signer_lost, std::nullopt);
}

TEST(GraphAnalysis, WhatIfALinkFailsAllItsParallelEdgesGo) {
  ModelBuilder b = example();
  b.link("priv-fra", "validator", LinkKind::private_net);
  FailureSet f;
  f.links = {{"priv-fra", "validator"}};
  const Reachability r = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(r.paths, 1);
  EXPECT_EQ(r.cut, Names{"priv-ams"});
  // Both public sentries are still reached, through priv-ams.
  EXPECT_EQ(r.public_sentries, (Names{"pub-nyc", "pub-sgp"}));
}

TEST(GraphAnalysis, WhatIfADomainFails) {
  const ModelBuilder b = example();
  FailureSet f;
  f.domains = {{DomainKind::provider, "vps-co"}};
  const Reachability cut_off = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(cut_off.validator, std::optional<std::string>("validator"));
  EXPECT_EQ(cut_off.paths, 0);
  EXPECT_EQ(cut_off.cut, Names{});
  EXPECT_EQ(cut_off.shortest_path, Names{});
  EXPECT_EQ(cut_off.public_sentries, Names{});

  // The validator's own datacenter does take the validator down here.
  f.domains = {{DomainKind::datacenter, "equinix-am5"}};
  const Reachability gone = what_if(b.topology(), b.inventory(), f);
  EXPECT_FALSE(gone.validator.has_value());
  EXPECT_EQ(gone.paths, 0);

  f.domains = {{DomainKind::datacenter, "equinix-fr5"}};
  const Reachability one_left = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(one_left.paths, 1);
  EXPECT_EQ(one_left.cut, Names{"priv-ams"});
}

TEST(GraphAnalysis, WhatIfAPartnerPeerFails) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")
      .node("priv", Role::private_sentry, "h1")
      .link("validator", "priv")
      .partner("certus").peer().peer().with("priv")
      .partner("zeta").peer().with("priv");
  FailureSet f;
  f.nodes = {"zeta/1", "certus/2"};
  Reachability r = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(r.paths, 1);
  EXPECT_EQ(r.partners, Names{"certus"});
  EXPECT_EQ(r.shortest_path, (Names{"validator", "priv", "certus/1", "network"}));

  f.nodes = {};
  f.links = {{"certus/1", "priv"}, {"priv", "certus/2"}};
  r = what_if(b.topology(), b.inventory(), f);
  EXPECT_EQ(r.partners, Names{"zeta"});
}

TEST(GraphAnalysis, WhatIfNothingFailsMatchesTheAnalysis) {
  const ModelBuilder b = example();
  const Reachability r = what_if(b.topology(), b.inventory(), FailureSet{});
  const GraphAnalysis a = analyse(b);
  EXPECT_EQ(r.paths, a.reach.paths);
  EXPECT_EQ(r.cut, a.reach.cut);
  EXPECT_EQ(r.shortest_path, a.reach.shortest_path);
}

}  // namespace
}  // namespace picket
