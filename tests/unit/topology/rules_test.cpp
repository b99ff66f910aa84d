#include "topology/rules.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/unit/topology/model_builder.hpp"

// Line numbers in the expected texts follow ModelBuilder's scheme: topology lines count
// the node/link/partner/peer/with calls from line 3 (noted beside each call), inventory
// lines count the host calls from line 2.

namespace picket {
namespace {

using test::ModelBuilder;

std::string structure(const ModelBuilder& b) {
  Diagnostics d;
  check_structure(b.topology(), b.inventory(), d);
  sort_diagnostics(d);
  return test::render_findings(d);
}

std::string graph(const ModelBuilder& b) {
  const Topology t = b.topology();
  const Inventory i = b.inventory();
  Diagnostics d;
  check_graph(t, i, analyse_graph(t, i), d);
  sort_diagnostics(d);
  return test::render_findings(d);
}

// topology-format.md §1, with providers spread so that no single value cuts both paths.
ModelBuilder clean_example() {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-ams").signer("kms")  // 3
      .node("kms", Role::signer, "hsm-ams")                       // 4
      .node("priv-fra", Role::private_sentry, "fra-1")            // 5
      .node("priv-ams", Role::private_sentry, "ams-2")            // 6
      .node("pub-nyc", Role::public_sentry, "nyc-1")              // 7
      .node("pub-sgp", Role::public_sentry, "sgp-1")              // 8
      .link("validator", "priv-fra")                              // 9
      .link("validator", "priv-ams")                              // 10
      .link("priv-fra", "pub-nyc")                                // 11
      .link("priv-fra", "pub-sgp")                                // 12
      .link("priv-ams", "pub-nyc")                                // 13
      .link("priv-ams", "pub-sgp");                               // 14
  b.host("val-ams", "equinix-am5", "eu-west", "acme-metal")
      .host("hsm-ams", "equinix-am5", "eu-west", "acme-metal")
      .host("fra-1", "equinix-fr5", "eu-central", "vps-co")
      .host("ams-2", "equinix-am7", "eu-west", "hetzner")
      .host("nyc-1", "equinix-ny5", "us-east", "vps-co")
      .host("sgp-1", "equinix-sg1", "ap-southeast", "hetzner");
  return b;
}

TEST(Rules, CleanExampleHasNoFindings) {
  EXPECT_EQ(structure(clean_example()), "");
  EXPECT_EQ(graph(clean_example()), "");
}

// ---- check_structure -------------------------------------------------------------------

TEST(Rules, NoValidatorPointsAtTheNodesKey) {
  ModelBuilder b;
  b.node("priv", Role::private_sentry, "h1")  // 3
      .node("pub", Role::public_sentry, "h2")  // 4
      .link("priv", "pub");                    // 5
  EXPECT_EQ(structure(b),
            "topology.yaml:2:1: error: no active validator: no node has role \"validator\" "
            "[no-validator] {}\n");
  EXPECT_EQ(structure(b.no_nodes_key()),
            "topology.yaml:1:1: error: no active validator: no node has role \"validator\" "
            "[no-validator] {}\n");
}

TEST(Rules, NoValidatorWhenEveryValidatorIsStandby) {
  ModelBuilder b;
  b.node("val-a", Role::validator, "h1").standby()  // 3
      .node("val-b", Role::validator, "h2").standby()  // 4
      .node("priv", Role::private_sentry, "h3")        // 5
      .link("val-a", "priv")                           // 6
      .link("val-b", "priv");                          // 7
  EXPECT_EQ(structure(b),
            "topology.yaml:2:1: error: no active validator: every validator is standby "
            "(\"val-a\", \"val-b\") [no-validator] {}\n");
}

TEST(Rules, DoubleSignForASecondActiveValidatorAndASharedSigner) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1").signer("kms")         // 3
      .node("val-2", Role::validator, "h2").signer("kms")           // 4: second active
      .node("val-3", Role::validator, "h3").standby().signer("kms")  // 5: standby, same signer
      .node("val-4", Role::validator, "h4").standby().signer("kms-b")  // 6: own signer: fine
      .node("kms", Role::signer, "h5")                              // 7
      .node("kms-b", Role::signer, "h6")                            // 8
      .node("priv", Role::private_sentry, "h7")                     // 9
      .link("validator", "priv")                                    // 10
      .link("val-2", "priv")                                        // 11
      .link("val-3", "priv")                                        // 12
      .link("val-4", "priv");                                       // 13
  EXPECT_EQ(structure(b),
            "topology.yaml:4:3: error: validator \"val-2\" is a second active validator besides "
            "\"validator\": both would sign; mark all but one \"standby: true\" [double-sign] "
            "{validator, val-2}\n"
            "topology.yaml:4:30: error: signer \"kms\" is already the signer of validator "
            "\"validator\"; two validators on one signer can double-sign [double-sign] "
            "{validator, val-2, kms}\n"
            "topology.yaml:5:30: error: signer \"kms\" is already the signer of validator "
            "\"validator\"; two validators on one signer can double-sign [double-sign] "
            "{validator, val-3, kms}\n");
}

TEST(Rules, SignerOfAnotherRoleIsAReference) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1").signer("priv")          // 3
      .node("val-2", Role::validator, "h2").standby().signer("ghost")  // 4: unknown: loader's
      .node("priv", Role::private_sentry, "h3")                         // 5
      .node("pub", Role::public_sentry, "h4")                           // 6
      .link("validator", "priv")                                        // 7
      .link("val-2", "priv")                                            // 8
      .link("priv", "pub");                                             // 9
  EXPECT_EQ(structure(b),
            "topology.yaml:3:30: error: signer \"priv\" of validator \"validator\" is a private "
            "sentry, not a signer [reference] {validator, priv}\n");
}

// A YubiHSM or Ledger signer gets its host to itself; softsign may share the validator's.
TEST(Rules, DeviceSignerNeedsAHostOfItsOwn) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-host").signer("hsm")  // 3
      .node("hsm", Role::signer, "val-host").tmkms("yubihsm")     // 4: beside the validator
      .node("val-2", Role::validator, "h2").standby().signer("ledger")  // 5
      .node("ledger", Role::signer, "desk").tmkms("ledger")       // 6
      .node("soft", Role::signer, "desk")                         // 7: softsign beside it
      .node("soft-2", Role::signer, "val-host").tmkms("softsign") // 8
      .node("priv", Role::private_sentry, "priv-host")            // 9
      .link("validator", "priv")                                  // 10
      .link("val-2", "priv");                                     // 11
  EXPECT_EQ(structure(b),
            "topology.yaml:4:20: error: signer \"hsm\" keeps its key in a YubiHSM on host "
            "\"val-host\", which also runs signer \"soft-2\"; a signer with a YubiHSM needs a "
            "host of its own [signer-host] {hsm, soft-2}\n"
            "topology.yaml:4:20: error: signer \"hsm\" keeps its key in a YubiHSM on host "
            "\"val-host\", which also runs validator \"validator\"; a signer with a YubiHSM needs "
            "a host of its own [signer-host] {hsm, validator}\n"
            "topology.yaml:6:20: error: signer \"ledger\" keeps its key in a Ledger on host "
            "\"desk\", which also runs signer \"soft\"; a signer with a Ledger needs a host of "
            "its own [signer-host] {ledger, soft}\n");
}

TEST(Rules, ValidatorExposedByPublicLinkPartnerAndHost) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-host")              // 3
      .node("priv", Role::private_sentry, "priv-host")           // 4
      .node("pub", Role::public_sentry, "val-host")              // 5: on the validator's host
      .link("validator", "priv", LinkKind::public_net)           // 6
      .link("priv", "pub")                                       // 7
      .partner("certus").peer().with("priv").with("validator");  // 8, 9, 10, 11
  EXPECT_EQ(structure(b),
            "topology.yaml:3:20: error: validator \"validator\" shares host \"val-host\" with "
            "public sentry \"pub\" [validator-exposed] {validator, pub}\n"
            "topology.yaml:6:5: warning: link \"priv--validator\" runs over the public internet; "
            "use vpn or private [insecure-link] {priv--validator}\n"
            "topology.yaml:6:5: error: validator \"validator\" has an \"over: public\" link to "
            "\"priv\"; use vpn or private [validator-exposed] {validator, priv}\n"
            "topology.yaml:11:9: error: validator \"validator\" is in the \"with\" list of "
            "partner \"certus\": it would peer with their nodes directly [validator-exposed] "
            "{validator}\n");
}

TEST(Rules, ValidatorNotExposedByPrivateLinks) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-host")      // 3
      .node("priv", Role::private_sentry, "priv-host")   // 4
      .node("pub", Role::public_sentry, "pub-host")      // 5
      .link("validator", "priv", LinkKind::private_net)  // 6
      .link("priv", "pub")                               // 7
      .partner("certus").peer().with("priv");            // 8, 9, 10
  EXPECT_EQ(structure(b), "");
}

// Issue 10, item 5: a private sentry on the validator's host listens for its peers there
// (0.0.0.0 unless all its peers are over the tunnel) and counted as a path.
TEST(Rules, ValidatorExposedByAPrivateSentryOnItsHost) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-host")      // 3
      .node("priv", Role::private_sentry, "val-host")    // 4
      .node("pub", Role::public_sentry, "pub-host")      // 5
      .link("validator", "priv", LinkKind::private_net)  // 6
      .link("priv", "pub")                               // 7
      .partner("certus").peer().with("priv");            // 8, 9, 10
  EXPECT_EQ(structure(b),
            "topology.yaml:3:20: error: validator \"validator\" shares host \"val-host\" with "
            "private sentry \"priv\"; a sentry on the validator's own host shields nothing: "
            "whatever reaches it reaches the validator's host [validator-exposed] "
            "{validator, priv}\n");
}

TEST(Rules, ManyNodesOnOneHostAreNotComparedPairwise) {
  // 50 000 signers share a host with one sentry: each is checked against that host's
  // sentries only (the pairwise scan took ~10 s).
  ModelBuilder b;
  b.node("pub", Role::public_sentry, "big");  // 3
  for (int i = 0; i < 50000; ++i) b.node("kms-" + std::to_string(i), Role::signer, "big");
  const auto start = std::chrono::steady_clock::now();
  Diagnostics d;
  check_structure(b.topology(), b.inventory(), d);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::erase_if(d, [](const Diagnostic& x) { return x.rule != "signer-exposed"; });
  ASSERT_EQ(d.size(), 50000u);
  sort_diagnostics(d);
  EXPECT_EQ(test::render_findings({d[0], d[1]}),
            "topology.yaml:4:20: error: signer \"kms-0\" shares host \"big\" with public sentry "
            "\"pub\" [signer-exposed] {kms-0, pub}\n"
            "topology.yaml:5:20: error: signer \"kms-1\" shares host \"big\" with public sentry "
            "\"pub\" [signer-exposed] {kms-1, pub}\n");
}

TEST(Rules, SignerExposedByLinkPartnerAndHost) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-host").signer("kms")  // 3
      .node("kms", Role::signer, "shared-host")                    // 4
      .node("priv", Role::private_sentry, "shared-host")           // 5
      .node("pub", Role::public_sentry, "pub-host")                // 6
      .link("validator", "priv")                                   // 7
      .link("priv", "pub")                                         // 8
      .link("kms", "validator")                                    // 9
      .partner("certus").peer().with("priv").with("kms");          // 10, 11, 12, 13
  EXPECT_EQ(structure(b),
            "topology.yaml:4:20: error: signer \"kms\" shares host \"shared-host\" with private "
            "sentry \"priv\" [signer-exposed] {kms, priv}\n"
            "topology.yaml:9:5: error: signer \"kms\" is an end of a link (to \"validator\"); a "
            "signer takes no p2p links [signer-exposed] {kms, validator}\n"
            "topology.yaml:13:9: error: signer \"kms\" is in the \"with\" list of partner "
            "\"certus\"; a signer takes no p2p links [signer-exposed] {kms}\n");
}

TEST(Rules, SignerOnTheValidatorsHostIsNotExposed) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-host").signer("kms")  // 3
      .node("kms", Role::signer, "val-host")                       // 4
      .node("pub", Role::public_sentry, "pub-host")                // 5
      .node("priv", Role::private_sentry, "priv-host")             // 6
      .link("validator", "priv")                                   // 7
      .link("priv", "pub");                                        // 8
  EXPECT_EQ(structure(b), "");
}

TEST(Rules, InsecureLinkOnlyForPublicLinksBetweenSentries) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1")            // 3
      .node("priv", Role::private_sentry, "h2")          // 4
      .node("pub", Role::public_sentry, "h3")            // 5
      .link("validator", "priv")                         // 6
      .link("priv", "pub", LinkKind::public_net)         // 7
      .link("pub", "priv", LinkKind::private_net);       // 8
  EXPECT_EQ(structure(b),
            "topology.yaml:7:5: warning: link \"priv--pub\" runs over the public internet; use "
            "vpn or private [insecure-link] {priv--pub}\n");
}

TEST(Rules, DirectPublicWhenTheValidatorLinksToAPublicSentry) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1")  // 3
      .node("pub", Role::public_sentry, "h2")  // 4
      .link("pub", "validator");               // 5
  EXPECT_EQ(structure(b),
            "topology.yaml:5:5: warning: validator \"validator\" links directly to public sentry "
            "\"pub\"; put a private sentry between them [direct-public] {validator, pub}\n");
}

TEST(Rules, IsolatedNodeButNeverASigner) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1")         // 3
      .node("kms", Role::signer, "h2")                // 4: signers have no links
      .node("priv", Role::private_sentry, "h3")       // 5
      .node("pub", Role::public_sentry, "h4")         // 6
      .node("lonely", Role::public_sentry, "h5")      // 7
      .node("peered", Role::private_sentry, "h6")     // 8: only a partner peering
      .node("hollow", Role::private_sentry, "h7")     // 9: a partner without peers
      .link("validator", "priv")                      // 10
      .link("priv", "pub")                            // 11
      .link("validator", "peered")                    // 12
      .partner("certus").peer().with("peered")        // 13, 14, 15
      .partner("empty").with("hollow");               // 16, 17
  EXPECT_EQ(structure(b),
            "topology.yaml:7:3: warning: public sentry \"lonely\" has no link and no partner "
            "peering [isolated-node] {lonely}\n"
            "topology.yaml:9:3: warning: private sentry \"hollow\" has no link and no partner "
            "peering [isolated-node] {hollow}\n");
}

TEST(Rules, PartialModelSkipsUnknownNames) {
  // Unknown names, an empty host and a duplicated node: the loader reports them all.
  ModelBuilder b;
  b.node("validator", Role::validator, "").signer("ghost")  // 3
      .node("priv", Role::private_sentry, "p")               // 4
      .node("pub", Role::public_sentry, "q")                 // 5
      .node("priv", Role::public_sentry, "")                 // 6: duplicate name
      .link("validator", "ghost", LinkKind::public_net)      // 7
      .link("validator", "priv")                             // 8
      .link("priv", "pub")                                   // 9
      .partner("certus").peer().with("nobody");              // 10, 11, 12
  EXPECT_EQ(structure(b), "");
}

// ---- check_graph -----------------------------------------------------------------------

TEST(Rules, NoPathIsTheOnlyGraphFinding) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")  // 3
      .node("priv", Role::private_sentry, "h1")  // 4
      .link("validator", "priv")                 // 5
      .min_paths(2);
  b.host("h0").host("h1");
  EXPECT_EQ(graph(b),
            "topology.yaml:3:3: error: validator \"validator\" has no path to the network (no "
            "public sentry or partner peer is reachable) [no-path] {validator}\n");
}

TEST(Rules, NoActiveValidatorGivesNoGraphFindings) {
  ModelBuilder b;
  b.node("pub", Role::public_sentry, "h0");
  EXPECT_EQ(graph(b), "");
}

TEST(Rules, ChainReportsEverySinglePointOfFailure) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h-val")  // 3
      .node("priv", Role::private_sentry, "h-priv")  // 4
      .node("pub", Role::public_sentry, "h-pub")     // 5
      .link("validator", "priv")                     // 6
      .link("priv", "pub")                           // 7
      .min_paths(2)
      .survive({DomainKind::host, DomainKind::datacenter});
  b.host("h-val", "dc-val")  // inventory 2
      .host("h-priv", "dc-a")  // 3
      .host("h-pub", "dc-a");  // 4
  // The domains holding "priv" or "pub" fail because those nodes do: they are named in the
  // nodes' findings, not reported again as spof-domain.
  EXPECT_EQ(graph(b),
            "topology.yaml:1:14: error: validator \"validator\" has 1 node-disjoint path to the "
            "network; policy.min_paths requires 2 (cut: \"priv\") [min-paths] {validator, priv}\n"
            "topology.yaml:4:3: error: losing node \"priv\" disconnects validator \"validator\" "
            "from the network; so does losing host \"h-priv\" and datacenter \"dc-a\" [spof-node] "
            "{priv}\n"
            "topology.yaml:5:3: error: losing node \"pub\" disconnects validator \"validator\" "
            "from the network; so does losing host \"h-pub\" and datacenter \"dc-a\" [spof-node] "
            "{pub}\n"
            "topology.yaml:6:5: error: losing link \"priv--validator\" disconnects validator "
            "\"validator\" from the network [spof-link] {priv--validator}\n"
            "topology.yaml:7:5: error: losing link \"priv--pub\" disconnects validator "
            "\"validator\" from the network [spof-link] {priv--pub}\n");
}

TEST(Rules, ParallelLinksAreNotASpofLink) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")          // 3
      .node("priv", Role::private_sentry, "h1")        // 4
      .node("pub-1", Role::public_sentry, "h2")        // 5
      .node("pub-2", Role::public_sentry, "h3")        // 6
      .link("validator", "priv")                       // 7
      .link("validator", "priv", LinkKind::private_net)  // 8
      .link("priv", "pub-1")                           // 9
      .link("priv", "pub-2")                           // 10
      .min_paths(1)
      .survive({});
  EXPECT_EQ(graph(b),
            "topology.yaml:4:3: error: losing node \"priv\" disconnects validator \"validator\" "
            "from the network [spof-node] {priv}\n");
}

TEST(Rules, MinPathsAtTheValidatorWhenThePolicyIsNotWritten) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")  // 3
      .node("priv-1", Role::private_sentry, "h1")  // 4
      .node("priv-2", Role::private_sentry, "h2")  // 5
      .node("pub", Role::public_sentry, "h3")      // 6
      .node("pub-2", Role::public_sentry, "h4")    // 7
      .link("validator", "priv-1")                 // 8
      .link("validator", "priv-2")                 // 9
      .link("priv-1", "pub")                       // 10
      .link("priv-2", "pub")                       // 11
      .link("priv-1", "pub-2")                     // 12
      .link("priv-2", "pub-2")                     // 13
      .survive({});
  // Two disjoint paths; the default policy wants 2: nothing.
  EXPECT_EQ(graph(b), "");
  // Wanting 3 (not written in the file here) is reported at the validator.
  Topology t = b.topology();
  t.policy.min_paths = {3, {}};
  Diagnostics d;
  check_graph(t, b.inventory(), analyse_graph(t, b.inventory()), d);
  EXPECT_EQ(test::render_findings(d),
            "topology.yaml:3:3: error: validator \"validator\" has 2 node-disjoint paths to the "
            "network; policy.min_paths requires 3 (cut: \"priv-1\", \"priv-2\") [min-paths] "
            "{validator, priv-1, priv-2}\n");
}

TEST(Rules, ANodeIdNamesOneNode) {
  // A pinned ID, partner peers and the network's seeds and peers share one ID space.
  ModelBuilder b = clean_example();
  b.partner("certus").peer().peer();  // 15, 16, 17
  Topology t = b.topology();
  const std::string first = t.partners[0].peers[0].id.value;
  const std::string second = t.partners[0].peers[1].id.value;
  const auto located = [&](std::string text, std::uint32_t line) {
    return Located<std::string>{std::move(text), {t.path, line, 11}};
  };
  t.nodes[2].node_id = located(std::string(40, 'a'), 5);
  NetworkPeers n;
  PartnerPeer seed;
  seed.id = located(first, 20);
  seed.address = located("203.0.113.21:26656", 20);
  n.seeds.push_back(seed);
  PartnerPeer peer;
  peer.id = located(std::string(40, 'A'), 22);
  peer.address = located("203.0.113.22:26656", 22);
  n.peers.push_back(peer);
  peer.id = located(second, 23);
  n.peers.push_back(peer);
  t.network = n;
  Diagnostics d;
  check_structure(t, b.inventory(), d);
  sort_diagnostics(d);
  EXPECT_EQ(test::render_findings(d),
            "topology.yaml:20:11: error: node ID " + first +
                " of seed 1 of the network is already the ID of peer 1 of partner \"certus\" "
                "[duplicate] {network}\n"
                "topology.yaml:22:11: error: node ID " + std::string(40, 'a') +
                " of peer 1 of the network is already the ID of node \"priv-fra\" [duplicate] "
                "{network}\n"
                "topology.yaml:23:11: error: node ID " + second +
                " of peer 2 of the network is already the ID of peer 2 of partner \"certus\" "
                "[duplicate] {network}\n");
}

TEST(Rules, SpofOfAPartnerPeeringPointsAtTheWithEntryAndThePeer) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")  // 3
      .node("priv", Role::private_sentry, "h1")  // 4
      .link("validator", "priv")                 // 5
      .partner("certus").peer().with("priv")     // 6, 7, 8
      .min_paths(1)
      .survive({});
  EXPECT_EQ(graph(b),
            "topology.yaml:4:3: error: losing node \"priv\" disconnects validator \"validator\" "
            "from the network [spof-node] {priv}\n"
            "topology.yaml:5:5: error: losing link \"priv--validator\" disconnects validator "
            "\"validator\" from the network [spof-link] {priv--validator}\n"
            "topology.yaml:7:7: error: losing partner peer \"certus/1\" disconnects validator "
            "\"validator\" from the network [spof-node] {certus/1}\n"
            "topology.yaml:8:9: error: losing peering \"certus/1--priv\" disconnects validator "
            "\"validator\" from the network [spof-link] {certus/1--priv}\n");
}

TEST(Rules, SpofDomainAtTheFirstHostWithThatValueButNotTheValidatorsOwn) {
  // dc-a holds one node of each disjoint path. priv-ams shares the validator's datacenter:
  // losing dc-val would stop the validator itself, so it is not a finding.
  ModelBuilder b;
  b.node("validator", Role::validator, "val")  // 3
      .node("priv-fra", Role::private_sentry, "fra")  // 4
      .node("priv-ams", Role::private_sentry, "ams")  // 5
      .node("pub-nyc", Role::public_sentry, "nyc")    // 6
      .node("pub-sgp", Role::public_sentry, "sgp")    // 7
      .link("validator", "priv-fra")                  // 8
      .link("validator", "priv-ams")                  // 9
      .link("priv-fra", "pub-nyc")                    // 10
      .link("priv-ams", "pub-sgp")                    // 11
      .survive({DomainKind::datacenter});
  b.host("val", "dc-val")  // inventory 2
      .host("ams", "dc-val")  // 3
      .host("fra", "dc-a")    // 4
      .host("nyc", "dc-c")    // 5
      .host("sgp", "dc-a");   // 6
  EXPECT_EQ(graph(b),
            "inventory.yaml:4:20: error: losing datacenter \"dc-a\" (nodes \"priv-fra\", "
            "\"pub-sgp\") disconnects validator \"validator\" from the network [spof-domain] "
            "{datacenter=dc-a}\n");
}

// Issue 10, item 7: the validator signs only through its signer, so a domain that holds the
// signer but not the validator stops the signing, whatever the paths. The signer's host is
// its own, as the validator's is: not reported.
TEST(Rules, SpofDomainOfTheSigner) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val-ams").signer("kms")  // 3
      .node("kms", Role::signer, "hsm-fra")                       // 4
      .node("priv-fra", Role::private_sentry, "fra-1")            // 5
      .node("priv-ams", Role::private_sentry, "ams-2")            // 6
      .node("pub-nyc", Role::public_sentry, "nyc-1")              // 7
      .node("pub-sgp", Role::public_sentry, "sgp-1")              // 8
      .link("validator", "priv-fra")                              // 9
      .link("validator", "priv-ams")                              // 10
      .link("priv-fra", "pub-nyc")                                // 11
      .link("priv-fra", "pub-sgp")                                // 12
      .link("priv-ams", "pub-nyc")                                // 13
      .link("priv-ams", "pub-sgp");                               // 14
  b.host("val-ams", "equinix-am5", "eu-west", "acme-metal")      // inventory 2
      .host("hsm-fra", "equinix-fr9", "eu-west", "kms-co")        // 3: another dc and provider
      .host("fra-1", "equinix-fr5", "eu-central", "vps-co")
      .host("ams-2", "equinix-am7", "eu-west", "hetzner")
      .host("nyc-1", "equinix-ny5", "us-east", "vps-co")
      .host("sgp-1", "equinix-sg1", "ap-southeast", "hetzner");
  EXPECT_EQ(graph(b),
            "inventory.yaml:3:20: error: losing datacenter \"equinix-fr9\" (signer \"kms\") stops "
            "validator \"validator\" from signing; put the signer in the validator's datacenter "
            "[spof-domain] {datacenter=equinix-fr9, kms}\n"
            "inventory.yaml:3:60: error: losing provider \"kms-co\" (signer \"kms\") stops "
            "validator \"validator\" from signing; put the signer in the validator's provider "
            "[spof-domain] {provider=kms-co, kms}\n");
  // Beside the validator (the clean example: another host, the same domains), nothing.
  EXPECT_EQ(graph(clean_example()), "");
}

TEST(Rules, SpofDomainListsAtMostFiveNodes) {
  ModelBuilder b;
  b.node("validator", Role::validator, "val")  // 3
      .node("priv-1", Role::private_sentry, "h1")  // 4
      .node("priv-2", Role::private_sentry, "h2")  // 5
      .link("validator", "priv-1")                 // 6
      .link("validator", "priv-2")                 // 7
      .survive({DomainKind::provider});
  b.host("val", "", "", "own");
  b.host("h1", "", "", "cloud").host("h2", "", "", "cloud");
  for (int i = 1; i <= 5; ++i) {
    const std::string name = "pub-" + std::to_string(i);
    b.node(name, Role::public_sentry, name).link(i % 2 ? "priv-1" : "priv-2", name);
    b.host(name, "", "", "cloud");
  }
  EXPECT_EQ(graph(b),
            "inventory.yaml:3:60: error: losing provider \"cloud\" (nodes \"priv-1\", \"priv-2\", "
            "\"pub-1\", \"pub-2\", \"pub-3\" and 2 more) disconnects validator \"validator\" from "
            "the network [spof-domain] {provider=cloud}\n");
}

TEST(Rules, DeepPathShowsTheShortestPath) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h0")  // 3
      .node("a1", Role::private_sentry, "h1")    // 4
      .node("a2", Role::private_sentry, "h2")    // 5
      .node("pub-a", Role::public_sentry, "h3")  // 6
      .node("b1", Role::private_sentry, "h4")    // 7
      .node("b2", Role::private_sentry, "h5")    // 8
      .node("pub-b", Role::public_sentry, "h6")  // 9
      .link("validator", "a1")                   // 10
      .link("a1", "a2")                          // 11
      .link("a2", "pub-a")                       // 12
      .link("validator", "b1")                   // 13
      .link("b1", "b2")                          // 14
      .link("b2", "pub-b")                       // 15
      .survive({});
  EXPECT_EQ(graph(b),
            "topology.yaml:3:3: warning: shortest path from validator \"validator\" to the "
            "network has 4 hops (more than 3): \"validator\" -> \"a1\" -> \"a2\" -> \"pub-a\" -> "
            "network [deep-path] {validator}\n");
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// When the loaders dropped entries with errors, a missing validator or link may be the
// entry that failed: the rules about absence stay quiet rather than add phantom findings.
TEST(Rules, PartialModelSkipsAbsenceRules) {
  ModelBuilder b;
  b.node("priv", Role::private_sentry, "h1")  // 3
      .node("pub", Role::public_sentry, "h2");  // 4
  Diagnostics complete, partial;
  check_structure(b.topology(), b.inventory(), complete, true);
  check_structure(b.topology(), b.inventory(), partial, false);
  sort_diagnostics(complete);
  EXPECT_EQ(test::render_findings(complete),
            "topology.yaml:2:1: error: no active validator: no node has role \"validator\" "
            "[no-validator] {}\n"
            "topology.yaml:3:3: warning: private sentry \"priv\" has no link and no partner "
            "peering [isolated-node] {priv}\n"
            "topology.yaml:4:3: warning: public sentry \"pub\" has no link and no partner "
            "peering [isolated-node] {pub}\n");
  EXPECT_EQ(test::render_findings(partial), "");
}

}  // namespace
}  // namespace picket
