// Tunnel addresses (render/tunnel.cpp): a host's address is a function of its own name and
// inventory pin only. Collisions and bad pins are `address` errors naming the hosts; the
// property tests rename, add and remove one host of the examples and of a generated network
// and compare every other host's address and every file of every unrelated host.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/unit/render/host_fixture.hpp"
#include "render/tunnel.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

using test::Network;
using test::at;

// Renames a host everywhere the model names it: the inventory, its nodes, the monitoring host.
void rename_host(Network& net, const std::string& from, const std::string& to) {
  for (Host& h : net.inventory.hosts)
    if (h.name.value == from) h.name.value = to;
  for (Node& n : net.topology.nodes)
    if (n.host.value == from) n.host.value = to;
  if (net.topology.monitoring && net.topology.monitoring->host.value == from)
    net.topology.monitoring->host.value = to;
  if (auto it = net.secrets.wireguard.find(from); it != net.secrets.wireguard.end()) {
    net.secrets.wireguard[to] = it->second;
    net.secrets.wireguard.erase(from);
  }
  net.topology.index_nodes();
  net.inventory.index_hosts();
}

Host& host(Network& net, const std::string& name) {
  for (Host& h : net.inventory.hosts)
    if (h.name.value == name) return h;
  throw std::runtime_error("no host " + name);
}

TunnelPlan plan(const Network& net, Diagnostics& out) {
  return plan_tunnels(net.topology, net.inventory, out);
}

// The golden network's tunnel hosts by the hash of their names (no pins): fixed values, so a
// change of the hash, which would move every operator's tunnels, fails here.
TEST(Tunnels, AddressesAreTheHashOfTheHostName) {
  const Network net = test::small_network();
  Diagnostics out;
  const TunnelPlan p = plan(net, out);
  EXPECT_EQ(test::dump(out), "");
  const std::map<std::string, std::string> expected{
      {"kms-1", "10.44.0.184"}, {"pub-a", "10.44.0.16"}, {"sen-a", "10.44.0.32"}, {"val-1", "10.44.0.9"}};
  EXPECT_EQ(p.addresses, expected);
}

TEST(Tunnels, PinnedAddressIsUsedAndLeavesOthersAlone) {
  Network net = test::small_network();
  host(net, "sen-a").tunnel_address = at(std::string("10.44.0.250"), 5, true);
  Diagnostics out;
  const TunnelPlan p = plan(net, out);
  EXPECT_EQ(test::dump(out), "");
  const std::map<std::string, std::string> expected{
      {"kms-1", "10.44.0.184"}, {"pub-a", "10.44.0.16"}, {"sen-a", "10.44.0.250"}, {"val-1", "10.44.0.9"}};
  EXPECT_EQ(p.addresses, expected);
}

// "node-12" and "node-20" hash to one slot of a /24 (10.44.0.41): neither moves; the later
// one is an error naming both, with a free address to pin and the larger-subnet advice.
TEST(Tunnels, TwoHostsOnOneHashAreAnErrorNamingBoth) {
  Network net = test::small_network();
  rename_host(net, "sen-a", "node-20");
  rename_host(net, "pub-a", "node-12");
  Diagnostics out;
  const TunnelPlan p = plan(net, out);
  EXPECT_EQ(test::dump(out),
            "address error inventory.yaml:5 host=node-12 host=node-20: host \"node-20\" gets tunnel "
            "address 10.44.0.41 by the hash of its name, and host \"node-12\" by the hash of its "
            "name too: picket never moves a host to another address to make room (its address "
            "would then depend on other hosts); pin one of them to a free address, e.g. "
            "`tunnel_address: 10.44.0.42` on host \"node-20\" (a larger vpn.subnet than "
            "\"10.44.0.0/24\" makes such collisions rarer)\n");
  EXPECT_EQ(p.addresses.at("node-12"), "10.44.0.41");
  EXPECT_EQ(p.addresses.at("node-20"), "10.44.0.41");

  // Taking the suggestion clears it, and moves nobody else.
  host(net, "node-20").tunnel_address = at(std::string("10.44.0.42"), 5, true);
  Diagnostics fixed;
  const TunnelPlan q = plan(net, fixed);
  EXPECT_EQ(test::dump(fixed), "");
  EXPECT_EQ(q.addresses.at("node-12"), "10.44.0.41");
  EXPECT_EQ(q.addresses.at("node-20"), "10.44.0.42");
  EXPECT_EQ(q.addresses.at("val-1"), p.addresses.at("val-1"));
  EXPECT_EQ(q.addresses.at("kms-1"), p.addresses.at("kms-1"));
}

// A pin on another host's hashed address: the pin wins, the hashed host is the one told to pin.
TEST(Tunnels, PinOnAnotherHostsHashNamesBoth) {
  Network net = test::small_network();
  host(net, "sen-a").tunnel_address = at(std::string("10.44.0.9"), 5, true);  // val-1's
  Diagnostics out;
  plan(net, out);
  EXPECT_EQ(test::dump(out),
            "address error inventory.yaml:3 host=sen-a host=val-1: host \"val-1\" gets tunnel "
            "address 10.44.0.9 by the hash of its name, and host \"sen-a\" is pinned to it: "
            "picket never moves a host to another address to make room (its address would then "
            "depend on other hosts); pin one of them to a free address, e.g. `tunnel_address: "
            "10.44.0.10` on host \"val-1\" (a larger vpn.subnet than \"10.44.0.0/24\" makes such "
            "collisions rarer)\n");
}

TEST(Tunnels, TwoPinsOnOneAddress) {
  Network net = test::small_network();
  host(net, "sen-a").tunnel_address = at(std::string("10.44.0.100"), 5, true);
  host(net, "pub-a").tunnel_address = at(std::string("10.44.0.100"), 7, true);
  Diagnostics out;
  plan(net, out);
  EXPECT_EQ(test::dump(out),
            "address error inventory.yaml:5 host=pub-a host=sen-a: hosts \"pub-a\" and \"sen-a\" "
            "are both pinned to tunnel address 10.44.0.100; give each its own tunnel_address\n");
}

TEST(Tunnels, PinsOutsideTheSubnetOrOnReservedAddresses) {
  Network net = test::small_network();
  host(net, "val-1").tunnel_address = at(std::string("10.45.0.9"), 3, true);
  host(net, "kms-1").tunnel_address = at(std::string("10.44.0.0"), 4, true);
  host(net, "sen-a").tunnel_address = at(std::string("10.44.0.1"), 5, true);
  host(net, "pub-a").tunnel_address = at(std::string("10.44.0.255"), 7, true);
  // sen-b has no tunnel: its pin is checked all the same.
  host(net, "sen-b").tunnel_address = at(std::string("192.0.2.1"), 6, true);
  Diagnostics out;
  const TunnelPlan p = plan(net, out);
  EXPECT_EQ(test::dump(out),
            "address error inventory.yaml:3 host=val-1 vpn: tunnel_address \"10.45.0.9\" of host "
            "\"val-1\" lies outside vpn.subnet \"10.44.0.0/24\"; pin an address from 10.44.0.2 to "
            "10.44.0.254\n"
            "address error inventory.yaml:4 host=kms-1 vpn: tunnel_address \"10.44.0.0\" of host "
            "\"kms-1\" is the network address of vpn.subnet \"10.44.0.0/24\"; pin an address from "
            "10.44.0.2 to 10.44.0.254\n"
            "address error inventory.yaml:5 host=sen-a vpn: tunnel_address \"10.44.0.1\" of host "
            "\"sen-a\" is the first host address of vpn.subnet, which picket keeps for partners "
            "and the operator's own use; pin an address from 10.44.0.2 to 10.44.0.254\n"
            "address error inventory.yaml:6 host=sen-b vpn: tunnel_address \"192.0.2.1\" of host "
            "\"sen-b\" lies outside vpn.subnet \"10.44.0.0/24\"; pin an address from 10.44.0.2 to "
            "10.44.0.254\n"
            "address error inventory.yaml:7 host=pub-a vpn: tunnel_address \"10.44.0.255\" of host "
            "\"pub-a\" is the broadcast address of vpn.subnet \"10.44.0.0/24\"; pin an address "
            "from 10.44.0.2 to 10.44.0.254\n");
  EXPECT_EQ(p.addresses.size(), 4u);  // every tunnel host still has one for later checks
}

// The partner check (10.44.0.200 is certus's tunnel address) holds pins too, and a suggested
// free address is never a partner's.
TEST(Tunnels, PinOnAPartnersAddressIsRefused) {
  Network net = test::small_network();
  host(net, "sen-a").tunnel_address = at(std::string("10.44.0.200"), 5, true);
  Diagnostics out;
  plan(net, out);
  EXPECT_EQ(test::dump(out),
            "address error topology.yaml:20 certus/1 host=sen-a: partner peer certus/1 at "
            "\"10.44.0.200:26656\" has the tunnel address pinned for host \"sen-a\": two WireGuard "
            "peers would claim 10.44.0.200/32; give the partner an address outside vpn.subnet, or "
            "the subnet's first host address, which picket never allocates\n");

  Network crowded = test::small_network();
  crowded.topology.partners[0].peers[0].address.value = "10.44.0.42:26656";
  rename_host(crowded, "sen-a", "node-20");
  rename_host(crowded, "pub-a", "node-12");
  Diagnostics told;
  plan(crowded, told);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].message.find("`tunnel_address: 10.44.0.43` on host \"node-20\""), std::string::npos)
      << told[0].message;
}

// --- The property: one host renamed, added or removed changes no other host's address and
// no file of an unrelated host.

// Per host, every rendered file (path, mode, content).
using HostFiles = std::map<std::string, std::map<std::string, std::string>>;

HostFiles by_host(const FileSet& files) {
  HostFiles out;
  for (const auto& f : files)
    if (!f.host.empty()) out[f.host][f.path] = std::to_string(f.mode) + "\n" + f.content;
  return out;
}

struct Rendered {
  Diagnostics diagnostics;
  TunnelPlan tunnels;
  HostFiles files;
};

Rendered render(const Network& net) {
  Rendered r;
  Diagnostics ignored;
  r.tunnels = plan(net, ignored);
  r.files = by_host(render_all(net.topology, net.inventory, net.secrets, builtin_templates(), r.diagnostics));
  return r;
}

// Hosts whose files may name `changed`: its own, those of nodes linked with its nodes (either
// kind), its signer's or validator's, the monitoring host; all of them when it is the monitor.
std::set<std::string> related_hosts(const Topology& t, const std::string& changed) {
  std::set<std::string> on;  // nodes on the host
  for (const Node& n : t.nodes)
    if (n.host.value == changed) on.insert(n.name.value);
  std::set<std::string> out{changed};
  auto host_of = [&](const std::string& node) {
    if (const Node* n = t.find_node(node)) out.insert(n->host.value);
  };
  for (const Link& l : t.links) {
    if (on.contains(l.a.value)) host_of(l.b.value);
    if (on.contains(l.b.value)) host_of(l.a.value);
  }
  for (const Node& n : t.nodes) {
    if (!n.signer) continue;
    if (on.contains(n.name.value)) host_of(n.signer->value);
    if (on.contains(n.signer->value)) out.insert(n.host.value);
  }
  if (t.monitoring) {
    out.insert(t.monitoring->host.value);
    if (t.monitoring->host.value == changed)
      for (const Node& n : t.nodes) out.insert(n.host.value);
  }
  return out;
}

// Before/after: every host but `changed` (and `added`) keeps its address, and every host not
// related to it keeps every file byte for byte.
void expect_only_related_changed(const Rendered& before, const Rendered& after, const Topology& t_before,
                                 const Topology& t_after, const std::string& changed, const std::string& added,
                                 const std::string& what) {
  for (const auto& [h, address] : before.tunnels.addresses) {
    if (h == changed) continue;
    ASSERT_TRUE(after.tunnels.addresses.contains(h)) << what << ": " << h << " lost its tunnel";
    EXPECT_EQ(after.tunnels.addresses.at(h), address) << what << ": the address of " << h << " moved";
  }
  std::set<std::string> related = related_hosts(t_before, changed);
  if (!added.empty()) related.merge(related_hosts(t_after, added));
  for (const auto& [h, files] : before.files) {
    if (related.contains(h)) continue;
    ASSERT_TRUE(after.files.contains(h)) << what << ": " << h;
    EXPECT_EQ(after.files.at(h), files) << what << ": a file of unrelated host " << h << " changed";
  }
}

// Varied host names: FNV-1a of names that differ only in a trailing digit clusters modulo
// small numbers, and these tests need collisions to occur.
std::string varied_name(const std::string& prefix, int i) {
  return prefix + std::to_string(i) + "-" + std::string(1 + i % 4, static_cast<char>('a' + i % 10));
}

// A host "collides" when render refused for an `address` error naming it.
bool refused_naming(const Rendered& r, const std::string& host) {
  for (const auto& d : r.diagnostics)
    if (d.rule == "address" && std::count(d.subjects.begin(), d.subjects.end(), "host=" + host) > 0)
      return true;
  return false;
}

// Renames every host in turn to many new names: either render refuses with an `address`
// error naming the new name (its hash collides: nobody moves to make room), or every other
// address and every unrelated host's files are unchanged. Both outcomes must occur, so the
// test sees collisions (which a probing allocator resolves by moving a host).
void check_renames(const Network& base, int names_per_host, int& clean, int& collided) {
  const Rendered before = render(base);
  ASSERT_EQ(test::dump(before.diagnostics), "");
  for (const Host& h : base.inventory.hosts) {
    if (!before.tunnels.addresses.contains(h.name.value)) continue;
    for (int i = 0; i < names_per_host; ++i) {
      const std::string to = varied_name("n", i);
      Network net = base;
      rename_host(net, h.name.value, to);
      const Rendered after = render(net);
      if (!after.diagnostics.empty()) {
        EXPECT_TRUE(refused_naming(after, to)) << test::dump(after.diagnostics);
        ++collided;
        continue;
      }
      ++clean;
      expect_only_related_changed(before, after, base.topology, net.topology, h.name.value, to,
                                  h.name.value + " -> " + to);
    }
  }
}

Network load_example(const std::string& name) {
  const std::filesystem::path root(PICKET_SOURCE_DIR);
  const std::string topology_path = "examples/" + name + "/topology.yaml";
  const std::string inventory_path = "inventories/" + name + ".yaml";
  Diagnostics diags;
  Network net;
  net.topology = load_topology({topology_path, test::read_text(root / topology_path)}, diags);
  net.inventory = load_inventory({inventory_path, test::read_text(root / inventory_path)}, diags);
  EXPECT_EQ(test::dump(diags), "");
  std::uint8_t seed = 1;
  for (const auto& h : net.inventory.hosts)
    net.secrets.wireguard[h.name.value] = wireguard_key_from_private(test::fixed_key(seed++));
  for (const auto& n : net.topology.nodes)
    if (n.role.value != Role::signer && !n.node_id)
      net.secrets.node_keys[n.name.value] = node_key_from_seed(test::fixed_key(seed++));
  return net;
}

TEST(TunnelProperty, RenamingAHostOfTheSentryNetworkMovesNoOtherHost) {
  const Network net = load_example("sentry-network");
  int clean = 0, collided = 0;
  check_renames(net, 40, clean, collided);
  EXPECT_GT(clean, 200);
  EXPECT_GT(collided, 0);
}

// A generated network without a monitoring host: most hosts are unrelated to any one host.
Network generated_network(int sentries) {
  Network net = test::small_network();
  Topology& t = net.topology;
  for (int i = 0; i < sentries; ++i) {
    const std::string name = "gen-" + std::to_string(i), h = "gh-" + std::to_string(i);
    t.nodes.push_back(test::make_node(name, Role::public_sentry, h, 40));
    net.inventory.hosts.push_back(test::make_host(h, "198.51.100." + std::to_string(100 + i), 40));
    t.links.push_back(test::make_link(i % 2 == 0 ? "sentry-a" : "sentry-b", name,
                                      i % 3 == 0 ? LinkKind::private_net : LinkKind::vpn, 41));
    if (i > 0) t.links.push_back(test::make_link("gen-" + std::to_string(i - 1), name, LinkKind::vpn, 42));
    net.secrets.wireguard[h] = wireguard_key_from_private(test::fixed_key(static_cast<std::uint8_t>(50 + i)));
  }
  t.vpn->subnet.value = "10.44.0.0/23";
  for (Host& h : net.inventory.hosts) h.service = at(std::string("cosmovisor.service"), 1, true);
  t.index_nodes();
  net.inventory.index_hosts();
  std::uint8_t seed = 120;
  for (const auto& n : t.nodes)
    if (n.role.value != Role::signer) net.secrets.node_keys[n.name.value] = node_key_from_seed(test::fixed_key(seed++));
  return net;
}

TEST(TunnelProperty, RenamingAHostOfAGeneratedNetworkMovesNoOtherHost) {
  const Network net = generated_network(12);
  int clean = 0, collided = 0;
  check_renames(net, 25, clean, collided);
  EXPECT_GT(clean, 300);
  EXPECT_GT(collided, 0);
}

// Adding a public sentry on a new host, linked to one private sentry, then removing it again.
TEST(TunnelProperty, AddingOrRemovingAHostMovesNoOtherHost) {
  for (const Network& base : {load_example("sentry-network"), generated_network(12)}) {
    const Rendered before = render(base);
    ASSERT_EQ(test::dump(before.diagnostics), "");
    const std::string peer = base.topology.find_node("priv-fra") ? "priv-fra" : "sentry-a";
    int clean = 0, collided = 0;
    for (int i = 0; i < 30; ++i) {
      Network net = base;
      const std::string h = varied_name("a", i);
      net.topology.nodes.push_back(test::make_node("pub-added", Role::public_sentry, h, 50));
      net.topology.links.push_back(test::make_link(peer, "pub-added", LinkKind::vpn, 51));
      net.inventory.hosts.push_back(test::make_host(h, "198.51.100.250", 50));
      net.inventory.hosts.back().home = net.inventory.hosts.front().home;
      net.inventory.hosts.back().service = net.inventory.hosts.front().service;
      net.secrets.wireguard[h] = wireguard_key_from_private(test::fixed_key(200));
      net.secrets.node_keys["pub-added"] = node_key_from_seed(test::fixed_key(201));
      net.topology.index_nodes();
      net.inventory.index_hosts();
      const Rendered added = render(net);
      if (!added.diagnostics.empty()) {
        EXPECT_TRUE(refused_naming(added, h)) << test::dump(added.diagnostics);
        ++collided;
        continue;
      }
      ++clean;
      expect_only_related_changed(before, added, base.topology, net.topology, "", h, "add " + h);
      // Removing it again is the way back: every host as it was, byte for byte.
      expect_only_related_changed(added, before, net.topology, base.topology, h, "", "remove " + h);
      EXPECT_EQ(before.files, render(base).files);
    }
    EXPECT_GT(clean, 20);
    EXPECT_GT(collided, 0);
  }
}

// Removing a host that is in the topology: every remaining host keeps its address.
TEST(TunnelProperty, RemovingAPublicSentryMovesNoOtherHost) {
  const Network base = load_example("sentry-network");
  const Rendered before = render(base);
  for (const std::string node : {"pub-fra", "pub-nyc", "pub-sgp"}) {
    Network net = base;
    const std::string h = net.topology.find_node(node)->host.value;
    std::erase_if(net.topology.nodes, [&](const Node& n) { return n.name.value == node; });
    std::erase_if(net.topology.links, [&](const Link& l) { return l.a.value == node || l.b.value == node; });
    std::erase_if(net.inventory.hosts, [&](const Host& x) { return x.name.value == h; });
    net.topology.index_nodes();
    net.inventory.index_hosts();
    const Rendered after = render(net);
    ASSERT_EQ(test::dump(after.diagnostics), "") << node;
    EXPECT_FALSE(after.tunnels.addresses.contains(h));
    expect_only_related_changed(before, after, base.topology, net.topology, h, "", "remove " + h);
  }
}

}  // namespace
}  // namespace picket
