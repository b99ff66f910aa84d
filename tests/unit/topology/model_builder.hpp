#pragma once
// Builds Topology and Inventory values in code for tests (the loader is tested on its own),
// with fake but distinct locations so tests can assert line:col.
//
// Locations follow the order of the builder calls, as if each call wrote one line:
//   topology.yaml  line 1 `policy:` (min_paths value at 1:14, survive at 1:30)
//                  line 2 `nodes:` key (2:1)
//                  then one line per node / link / partner / peer / with call, from line 3.
//                  node: name col 3, host col 20, signer col 30, standby col 40
//                  link: item col 5, first name col 15, second name col 25, over col 35
//                  partner: name col 3; peer: item col 7; with: entry col 9
//   inventory.yaml one line per host call, from line 2: name col 3, datacenter col 20,
//                  region col 40, provider col 60.

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket::test {

class ModelBuilder {
 public:
  ModelBuilder() {
    m_topology.path = m_topology_file;
    m_topology.nodes_loc = at_topology(2, 1);
    m_inventory.path = m_inventory_file;
  }

  /// Adds a node on the next line; `host` may be "" to leave it unset.
  ModelBuilder& node(const std::string& name, Role role, const std::string& host) {
    const std::uint32_t line = next_topology_line();
    Node n;
    n.name = {name, at_topology(line, 3)};
    n.role = {role, at_topology(line, 10)};
    n.host = {host, at_topology(line, 20)};
    m_topology.nodes.push_back(std::move(n));
    return *this;
  }
  /// Sets the last node's `signer:` (same line as the node).
  ModelBuilder& signer(const std::string& name) {
    Node& n = m_topology.nodes.back();
    n.signer = Located<std::string>{name, at_topology(n.name.loc.line, 30)};
    return *this;
  }
  /// Marks the last node `standby: true`.
  ModelBuilder& standby() {
    Node& n = m_topology.nodes.back();
    n.standby = {true, at_topology(n.name.loc.line, 40)};
    return *this;
  }
  /// Sets `tmkms: {provider: …}` on the last node (a signer).
  ModelBuilder& tmkms(const std::string& provider) {
    Node& n = m_topology.nodes.back();
    Tmkms t;
    t.provider = {provider, at_topology(n.name.loc.line, 50)};
    t.loc = at_topology(n.name.loc.line, 44);
    n.tmkms = t;
    return *this;
  }
  /// Adds a link `between: [a, b]` on the next line.
  ModelBuilder& link(const std::string& a, const std::string& b, LinkKind over = LinkKind::vpn) {
    const std::uint32_t line = next_topology_line();
    Link l;
    l.a = {a, at_topology(line, 15)};
    l.b = {b, at_topology(line, 25)};
    l.over = {over, at_topology(line, 35)};
    l.loc = at_topology(line, 5);
    m_topology.links.push_back(std::move(l));
    return *this;
  }
  /// Adds a partner on the next line; peers and `with` entries follow it.
  ModelBuilder& partner(const std::string& name, LinkKind over = LinkKind::public_net) {
    Partner p;
    p.name = {name, at_topology(next_topology_line(), 3)};
    p.over = {over, {}};
    m_topology.partners.push_back(std::move(p));
    return *this;
  }
  /// Adds a peer to the last partner, on the next line.
  ModelBuilder& peer() {
    Partner& p = m_topology.partners.back();
    const std::uint32_t line = next_topology_line();
    PartnerPeer peer;
    peer.id = {fmt::format("{:040x}", m_peer_counter++), at_topology(line, 11)};
    peer.address = {"203.0.113.7:26656", at_topology(line, 60)};
    peer.loc = at_topology(line, 7);
    p.peers.push_back(std::move(peer));
    return *this;
  }
  /// Adds a `with` entry to the last partner, on the next line.
  ModelBuilder& with(const std::string& node) {
    m_topology.partners.back().with.push_back({node, at_topology(next_topology_line(), 9)});
    return *this;
  }
  /// Sets policy.min_paths, written at 1:14.
  ModelBuilder& min_paths(int n) {
    m_topology.policy.min_paths = {n, at_topology(1, 14)};
    return *this;
  }
  /// Sets policy.survive, written at 1:30.
  ModelBuilder& survive(std::initializer_list<DomainKind> kinds) {
    m_topology.policy.survive = kinds;
    m_topology.policy.survive_loc = at_topology(1, 30);
    return *this;
  }
  /// Forgets where `nodes:` was written (as for a file without it).
  ModelBuilder& no_nodes_key() {
    m_topology.nodes_loc = {};
    return *this;
  }
  /// Adds an inventory host on the next inventory line; "" leaves a domain unset.
  ModelBuilder& host(const std::string& name, const std::string& datacenter = "",
                     const std::string& region = "", const std::string& provider = "") {
    const std::uint32_t line = m_inventory_line++;
    Host h;
    h.name = {name, at_inventory(line, 3)};
    h.address = {"198.51.100." + std::to_string(line), at_inventory(line, 10)};
    auto set = [&](std::optional<Located<std::string>>& field, const std::string& value,
                   std::uint32_t column) {
      if (!value.empty()) field = Located<std::string>{value, at_inventory(line, column)};
    };
    set(h.datacenter, datacenter, 20);
    set(h.region, region, 40);
    set(h.provider, provider, 60);
    m_inventory.hosts.push_back(std::move(h));
    return *this;
  }

  /// The topology built so far (indexed).
  Topology topology() const {
    Topology t = m_topology;
    t.index_nodes();
    return t;
  }
  /// The inventory built so far (indexed).
  Inventory inventory() const {
    Inventory i = m_inventory;
    i.index_hosts();
    return i;
  }

 private:
  std::uint32_t next_topology_line() { return m_topology_line++; }
  Location at_topology(std::uint32_t line, std::uint32_t column) const {
    return {m_topology_file, line, column};
  }
  Location at_inventory(std::uint32_t line, std::uint32_t column) const {
    return {m_inventory_file, line, column};
  }

  std::shared_ptr<const std::string> m_topology_file =
      std::make_shared<const std::string>("topology.yaml");
  std::shared_ptr<const std::string> m_inventory_file =
      std::make_shared<const std::string>("inventory.yaml");
  Topology m_topology;
  Inventory m_inventory;
  std::uint32_t m_topology_line = 3;
  std::uint32_t m_inventory_line = 2;
  unsigned m_peer_counter = 1;
};

/// One line per diagnostic, `file:line:col: severity: message [rule] {subject, ...}`, in
/// the order given (callers sort first when they want the lint order).
inline std::string render_findings(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags) {
    out += fmt::format("{}:{}:{}: {}: {} [{}] {{{}}}\n", d.location.path(), d.location.line,
                       d.location.column, severity_name(d.severity), d.message, d.rule,
                       fmt::join(d.subjects, ", "));
  }
  return out;
}

}  // namespace picket::test
