#pragma once
// Test support: builds topologies and inventories in C++ (as the loaders would), with keys
// from fixed seeds, for the render tests.

#include <memory>
#include <string>

#include "render/keys.hpp"
#include "render/secrets.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket::test_support {

/// A topology + inventory + secrets under construction. Locations count up from line 1 in
/// "topology.yaml" so diagnostics have stable positions.
class NetworkBuilder {
 public:
  explicit NetworkBuilder(std::string cometbft = "0.38", std::string chain_id = "testnet-1") {
    m_topology.path = m_file;
    m_topology.version.value = 1;
    m_topology.chain.id = {std::move(chain_id), at()};
    m_topology.chain.cometbft = {std::move(cometbft), at()};
    m_inventory.path = m_inventory_file;
  }

  /// Adds a node (and nothing else); returns it for further fields.
  Node& node(const std::string& name, Role role, const std::string& host) {
    Node n;
    n.name = {name, at()};
    n.role = {role, at()};
    n.host = {host, at()};
    m_topology.nodes.push_back(std::move(n));
    return m_topology.nodes.back();
  }

  /// Adds an inventory host with a home.
  Host& host(const std::string& name, const std::string& address,
             const std::string& home = "/home/cosmos/.simd") {
    Host h;
    h.name = {name, at_inventory()};
    h.address = {address, at_inventory()};
    if (!home.empty()) h.home = Located<std::string>{home, at_inventory()};
    m_inventory.hosts.push_back(std::move(h));
    return m_inventory.hosts.back();
  }

  /// Adds a link.
  void link(const std::string& a, const std::string& b, LinkKind over = LinkKind::vpn) {
    Link l;
    l.loc = at();
    l.a = {a, l.loc};
    l.b = {b, l.loc};
    l.over = {over, l.loc};
    m_topology.links.push_back(std::move(l));
  }

  /// Adds a partner with peers "id@address" (as pairs) peering with `with`.
  /// The network's seeds and peers, each {id, address}.
  NetworkPeers& network(std::vector<std::pair<std::string, std::string>> seeds,
                   std::vector<std::pair<std::string, std::string>> peers) {
    NetworkPeers n;
    n.loc = at();
    const auto add = [&](std::vector<PartnerPeer>& into, auto& list) {
      for (auto& [id, address] : list) {
        PartnerPeer peer;
        peer.loc = at();
        peer.id = {id, peer.loc};
        peer.address = {address, peer.loc};
        into.push_back(std::move(peer));
      }
    };
    add(n.seeds, seeds);
    add(n.peers, peers);
    m_topology.network = std::move(n);
    return *m_topology.network;
  }

  Partner& partner(const std::string& name, std::vector<std::pair<std::string, std::string>> peers,
                   std::vector<std::string> with, LinkKind over = LinkKind::public_net) {
    Partner p;
    p.name = {name, at()};
    for (auto& [id, address] : peers) {
      PartnerPeer peer;
      peer.loc = at();
      peer.id = {id, peer.loc};
      peer.address = {address, peer.loc};
      p.peers.push_back(std::move(peer));
    }
    for (auto& w : with) p.with.push_back({w, at()});
    p.over = {over, at()};
    m_topology.partners.push_back(std::move(p));
    return m_topology.partners.back();
  }

  /// Sets vpn.subnet.
  void vpn(const std::string& subnet) {
    Vpn v;
    v.loc = at();
    v.subnet = {subnet, v.loc};
    m_topology.vpn = v;
  }

  /// Gives a managed node its node key from a seed whose every byte is `fill`.
  void key(const std::string& node_name, std::uint8_t fill) {
    Bytes32 seed{};
    seed.fill(fill);
    m_secrets.node_keys[node_name] = node_key_from_seed(seed);
  }

  /// Adds a `config:` override to a node; the value's location is the next line.
  ConfigValue& override_value(const std::string& node_name, const std::string& section,
                              const std::string& key, ConfigValue::Kind kind,
                              const std::string& text) {
    Node* n = find(node_name);
    ConfigValue v;
    v.kind = kind;
    v.text = text;
    v.loc = at();
    v.loc.column = 7;
    return n->config[section][key] = v;
  }

  /// The node named so (must exist).
  Node* find(const std::string& name) {
    for (auto& n : m_topology.nodes)
      if (n.name.value == name) return &n;
    return nullptr;
  }

  /// The finished model, indexed (call after the last node or host was added).
  Topology& topology() {
    m_topology.index_nodes();
    return m_topology;
  }
  Inventory& inventory() {
    m_inventory.index_hosts();
    return m_inventory;
  }
  Secrets& secrets() { return m_secrets; }
  /// Read-only views (indexed by an earlier non-const call).
  const Topology& topology() const { return m_topology; }
  const Secrets& secrets() const { return m_secrets; }
  /// The line the next added element is placed on.
  std::uint32_t next_line() const { return m_line; }

 private:
  Location at() { return {m_file, m_line++, 3}; }
  Location at_inventory() { return {m_inventory_file, m_inventory_line++, 3}; }

  std::shared_ptr<const std::string> m_file = std::make_shared<const std::string>("topology.yaml");
  std::shared_ptr<const std::string> m_inventory_file =
      std::make_shared<const std::string>("inventory.yaml");
  std::uint32_t m_line = 1;
  std::uint32_t m_inventory_line = 1;
  Topology m_topology;
  Inventory m_inventory;
  Secrets m_secrets;
};

/// A diagnostic as one line: "file:line:col: severity: message [rule] {subject, …}".
inline std::string diagnostic_text(const Diagnostic& d) {
  std::string subjects;
  for (const auto& s : d.subjects) subjects += (subjects.empty() ? "" : ", ") + s;
  return d.location.path() + ":" + std::to_string(d.location.line) + ":" +
         std::to_string(d.location.column) + ": " + severity_name(d.severity) + ": " + d.message +
         " [" + d.rule + "] {" + subjects + "}";
}

/// Every diagnostic, one per line.
inline std::string diagnostics_text(const Diagnostics& ds) {
  std::string out;
  for (const auto& d : ds) out += diagnostic_text(d) + "\n";
  return out;
}

}  // namespace picket::test_support
