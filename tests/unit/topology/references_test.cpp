#include <gtest/gtest.h>

#include "tests/unit/topology/load_test_util.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

// Loads both files (which must load clean) and renders check_references' findings.
std::string check(const std::string& topology, const std::string& inventory) {
  Diagnostics load_diags;
  const Topology t = load_topology({"topology.yaml", topology}, load_diags);
  const Inventory i = load_inventory({"inventory.yaml", inventory}, load_diags);
  EXPECT_EQ(test::render(load_diags), "");
  Diagnostics diags;
  check_references(t, i, diags);
  return test::render_in(diags, "topology.yaml");
}

const std::string k_head = "version: 1\nchain: {id: test-1, cometbft: \"0.38\"}\n";

const std::string k_inventory =
    "defaults: {home: /home/cosmos/.gaia}\n"
    "hosts:\n"
    "  val-ams: {address: 198.51.100.10}\n"
    "  fra-1: {address: 198.51.100.20}\n"
    "  shared: {address: 198.51.100.30}\n"
    "  nohome: {address: 198.51.100.40}\n";

TEST(CheckReferences, CleanTopologyHasNoFindings) {
  EXPECT_EQ(check(k_head + "nodes:\n"
                           "  validator: {role: validator, host: val-ams, signer: kms}\n"
                           "  kms: {role: signer, host: val-ams}\n"
                           "  priv: {role: private-sentry, host: fra-1}\n",
                  k_inventory),
            "");
}

TEST(CheckReferences, UnknownHostsWithDidYouMean) {
  EXPECT_EQ(check(k_head + "nodes:\n"
                           "  validator: {role: validator, host: val-am}\n"
                           "  kms: {role: signer, host: hsm-ams}\n"
                           "  priv: {role: private-sentry, host: fra-1}\n",
                  k_inventory),
            "4:38: error: unknown host \"val-am\" for node \"validator\"; did you mean "
            "\"val-ams\"? [reference] {validator}\n"
            "5:29: error: unknown host \"hsm-ams\" for node \"kms\"; expected a host of the "
            "inventory [reference] {kms}\n");
}

TEST(CheckReferences, AnInventoryWithoutHostsIsReportedOnce) {
  Diagnostics load_diags;
  const Topology t =
      load_topology({"topology.yaml", k_head + "nodes:\n"
                                               "  a: {role: validator, host: h1}\n"
                                               "  b: {role: private-sentry, host: h2}\n"},
                    load_diags);
  const Inventory broken = load_inventory({"inventory.yaml", "hosts: [oops\n"}, load_diags);
  Diagnostics diags;
  check_references(t, broken, diags);
  EXPECT_EQ(test::render(diags),
            "4:30: error: unknown host \"h1\" for node \"a\"; the inventory defines no hosts "
            "[reference] {a}\n");
}

TEST(CheckReferences, PortClashes) {
  EXPECT_EQ(
      check(k_head + "nodes:\n"
                     "  a: {role: public-sentry, host: shared, home: /srv/a}\n"
                     "  b: {role: public-sentry, host: shared, home: /srv/b, metrics_port: 1}\n"
                     "  c: {role: public-sentry, host: shared, home: /srv/c, p2p_port: 26657, "
                     "rpc_port: 36657, metrics_port: 2}\n"
                     "  d: {role: public-sentry, host: shared, home: /srv/d, p2p_port: 36656, "
                     "rpc_port: 36657, metrics_port: 3}\n"
                     "  e: {role: public-sentry, host: fra-1, home: /srv/e}\n",
            k_inventory),
      "5:3: error: node \"b\" uses port 26656 (p2p) on host \"shared\", already used by node "
      "\"a\" (p2p); expected a port of its own [port-clash] {a,b}\n"
      "5:3: error: node \"b\" uses port 26657 (rpc) on host \"shared\", already used by node "
      "\"a\" (rpc); expected a port of its own [port-clash] {a,b}\n"
      "6:3: error: node \"c\" uses port 26657 (p2p) on host \"shared\", already used by node "
      "\"a\" (rpc); expected a port of its own [port-clash] {a,c}\n"
      "7:3: error: node \"d\" uses port 36657 (rpc) on host \"shared\", already used by node "
      "\"c\" (rpc); expected a port of its own [port-clash] {c,d}\n");
}

TEST(CheckReferences, ChainPortsAreTheDefaultForNodes) {
  EXPECT_EQ(check("version: 1\n"
                  "chain: {id: t, cometbft: \"0.38\", p2p_port: 30000, rpc_port: 30001}\n"
                  "nodes:\n"
                  "  a: {role: public-sentry, host: shared, home: /srv/a}\n"
                  "  b: {role: public-sentry, host: shared, home: /srv/b, p2p_port: 30001, "
                  "rpc_port: 30002, metrics_port: 30003}\n"
                  "  c: {role: public-sentry, host: shared, home: /srv/c, p2p_port: 26656, "
                  "rpc_port: 26657, metrics_port: 26661}\n",
                  k_inventory),
            "5:3: error: node \"b\" uses port 30001 (p2p) on host \"shared\", already used by node "
            "\"a\" (rpc); expected a port of its own [port-clash] {a,b}\n");
}

TEST(CheckReferences, HomeClashes) {
  EXPECT_EQ(check(k_head + "nodes:\n"
                           "  a: {role: public-sentry, host: shared, p2p_port: 1, rpc_port: 2, "
                           "metrics_port: 11}\n"
                           "  b: {role: public-sentry, host: shared, p2p_port: 3, rpc_port: 4, "
                           "metrics_port: 12}\n"
                           "  c: {role: public-sentry, host: shared, p2p_port: 5, rpc_port: 6, "
                           "metrics_port: 13, home: /home/cosmos/.gaia}\n"
                           "  d: {role: public-sentry, host: nohome, p2p_port: 1, rpc_port: 2, "
                           "home: /srv/d}\n"
                           "  e: {role: public-sentry, host: nohome, p2p_port: 3, rpc_port: 4, "
                           "metrics_port: 5, home: /srv/e}\n",
                  k_inventory),
            "5:3: error: node \"b\" uses home \"/home/cosmos/.gaia\" on host \"shared\", already "
            "used by node \"a\"; expected a home of its own [port-clash] {a,b}\n"
            "6:3: error: node \"c\" uses home \"/home/cosmos/.gaia\" on host \"shared\", already "
            "used by node \"a\"; expected a home of its own [port-clash] {a,c}\n");
}

TEST(CheckReferences, SignersShareHostsFreely) {
  // A signer runs tmkms: no CometBFT ports, no node home.
  EXPECT_EQ(check(k_head + "nodes:\n"
                           "  validator: {role: validator, host: val-ams, signer: kms}\n"
                           "  kms: {role: signer, host: val-ams}\n"
                           "  kms2: {role: signer, host: val-ams}\n",
                  k_inventory),
            "");
}

TEST(CheckReferences, MetricsAndSignerPortsClashToo) {
  // Both default to 26660 for metrics; the validator's signer port 26659 is taken by b's p2p.
  EXPECT_EQ(check("version: 1\n"
                  "chain: {id: t, cometbft: \"0.38\", metrics_port: 30000}\n"
                  "nodes:\n"
                  "  v: {role: validator, host: shared, home: /srv/v, signer: kms}\n"
                  "  kms: {role: signer, host: val-ams}\n"
                  "  b: {role: private-sentry, host: shared, home: /srv/b, p2p_port: 26659, "
                  "rpc_port: 36657}\n"
                  "  c: {role: private-sentry, host: shared, home: /srv/c, p2p_port: 36656, "
                  "rpc_port: 36658, metrics_port: 36660}\n",
                  k_inventory),
            "6:3: error: node \"b\" uses port 26659 (p2p) on host \"shared\", already used by node "
            "\"v\" (signer); expected a port of its own [port-clash] {b,v}\n"
            "6:3: error: node \"b\" uses port 30000 (metrics) on host \"shared\", already used by "
            "node \"v\" (metrics); expected a port of its own [port-clash] {b,v}\n");
}

TEST(CheckReferences, ANodeAloneOnItsHostStillNeedsDistinctPorts) {
  EXPECT_EQ(check(k_head + "nodes:\n"
                           "  a: {role: public-sentry, host: fra-1, rpc_port: 26656}\n"
                           "  b: {role: public-sentry, host: shared, metrics_port: 26657}\n"
                           "  c: {role: public-sentry, host: nohome, p2p_port: 26660}\n",
                  k_inventory),
            "4:3: error: node \"a\" uses port 26656 for both p2p and rpc; expected a port of its "
            "own for each [port-clash] {a}\n"
            "5:3: error: node \"b\" uses port 26657 for both rpc and metrics; expected a port of "
            "its own for each [port-clash] {b}\n"
            "6:3: error: node \"c\" uses port 26660 for both p2p and metrics; expected a port of "
            "its own for each [port-clash] {c}\n");
}

TEST(CheckReferences, SubjectsAreSorted) {
  EXPECT_EQ(
      check(k_head + "nodes:\n"
                     "  zeta: {role: public-sentry, host: shared, home: /srv/z}\n"
                     "  alpha: {role: public-sentry, host: shared, home: /srv/z, p2p_port: 1, "
                     "rpc_port: 2, metrics_port: 3}\n",
            k_inventory),
      "5:3: error: node \"alpha\" uses home \"/srv/z\" on host \"shared\", already used by "
      "node \"zeta\"; expected a home of its own [port-clash] {alpha,zeta}\n");
}

}  // namespace
}  // namespace picket
