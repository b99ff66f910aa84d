#include "render/key_plan.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

Node make_node(const std::string& name, Role role, const std::string& host) {
  Node n;
  n.name.value = name;
  n.role.value = role;
  n.host.value = host;
  return n;
}

Link make_link(const std::string& a, const std::string& b, LinkKind over) {
  Link l;
  l.a.value = a;
  l.b.value = b;
  l.over.value = over;
  return l;
}

// The shape of examples/sentry-network, built in C++ so the test needs no loader: a
// validator with a signer, two private sentries, public sentries, one pinned node ID.
Topology sentry_topology() {
  Topology t;
  t.nodes.push_back(make_node("validator", Role::validator, "val-ams"));
  t.nodes.push_back(make_node("kms", Role::signer, "hsm-ams"));
  t.nodes.push_back(make_node("priv-fra", Role::private_sentry, "fra-1"));
  t.nodes.push_back(make_node("priv-ams", Role::private_sentry, "ams-2"));
  t.nodes.push_back(make_node("pub-nyc", Role::public_sentry, "nyc-1"));
  Node pinned = make_node("pub-old", Role::public_sentry, "old-1");
  pinned.node_id = Located<std::string>{"139e3940e64b5491722088d9a0d741628fc826e0", {}};
  t.nodes.push_back(pinned);
  t.index_nodes();
  t.links.push_back(make_link("validator", "priv-fra", LinkKind::vpn));
  t.links.push_back(make_link("validator", "priv-ams", LinkKind::vpn));
  t.links.push_back(make_link("priv-fra", "pub-nyc", LinkKind::public_net));
  t.links.push_back(make_link("priv-ams", "pub-old", LinkKind::private_net));
  return t;
}

TEST(KeyPlan, NodeKeysSkipSignersAndPinnedIdsInFileOrder) {
  const KeyPlan plan = plan_keys(sentry_topology());
  EXPECT_EQ(plan.node_keys,
            (std::vector<std::string>{"validator", "priv-fra", "priv-ams", "pub-nyc"}));
}

TEST(KeyPlan, WireguardHostsAreTheTunnelHostsSorted) {
  const KeyPlan plan = plan_keys(sentry_topology());
  EXPECT_EQ(plan.wireguard_hosts, (std::vector<std::string>{"ams-2", "fra-1", "val-ams"}));
}

TEST(KeyPlan, PartnersOverVpnNeedTunnelsOnTheirWithNodes) {
  Topology t = sentry_topology();
  Partner p;
  p.name.value = "dorado";
  p.with.push_back({"pub-nyc", {}});
  p.over.value = LinkKind::vpn;
  t.partners.push_back(p);
  EXPECT_EQ(plan_keys(t).wireguard_hosts,
            (std::vector<std::string>{"ams-2", "fra-1", "nyc-1", "val-ams"}));
}

TEST(KeyPlan, NoVpnLinksNeedNoWireguardKeys) {
  Topology t = sentry_topology();
  for (auto& link : t.links) link.over.value = LinkKind::private_net;
  EXPECT_TRUE(plan_keys(t).wireguard_hosts.empty());
}

TEST(KeyPlan, EmptyTopologyNeedsNothing) {
  const KeyPlan plan = plan_keys(Topology{});
  EXPECT_TRUE(plan.node_keys.empty());
  EXPECT_TRUE(plan.wireguard_hosts.empty());
}

TEST(MissingKeys, ListsNodeKeysThenWireguardKeysInPlanOrder) {
  const KeyPlan plan = plan_keys(sentry_topology());
  Secrets secrets;
  secrets.node_keys["priv-fra"] = node_key_from_seed(Bytes32{});
  secrets.wireguard["fra-1"] = wireguard_key_from_private(Bytes32{});
  EXPECT_EQ(missing_keys(plan, secrets),
            (std::vector<std::string>{"node key of \"validator\"", "node key of \"priv-ams\"",
                                      "node key of \"pub-nyc\"", "WireGuard key of host \"ams-2\"",
                                      "WireGuard key of host \"val-ams\""}));
}

TEST(MissingKeys, CompleteSecretsMissNothingAndExtrasAreIgnored) {
  const KeyPlan plan = plan_keys(sentry_topology());
  Secrets secrets;
  for (const auto& n : plan.node_keys) secrets.node_keys[n] = node_key_from_seed(Bytes32{});
  for (const auto& h : plan.wireguard_hosts)
    secrets.wireguard[h] = wireguard_key_from_private(Bytes32{});
  secrets.node_keys["kms"] = node_key_from_seed(Bytes32{});  // not planned: no effect
  EXPECT_TRUE(missing_keys(plan, secrets).empty());
}

}  // namespace
}  // namespace picket
