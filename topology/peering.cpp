#include "topology/peering.hpp"

#include <cstdint>
#include <unordered_map>

namespace picket {

namespace {
const std::vector<const Node*> k_no_nodes;
}

PeeringIndex::PeeringIndex(const Topology& topology)
    : m_topology(&topology), m_graph(std::make_shared<const TopologyGraph>(build_graph(topology))) {
  const std::size_t n = topology.nodes.size();
  m_link_peers.resize(n);
  m_partners_of.resize(n);
  const auto index = [&](const std::string& name) -> std::optional<std::size_t> {
    const Node* node = topology.find_node(name);
    if (node == nullptr) return std::nullopt;
    return static_cast<std::size_t>(node - topology.nodes.data());
  };
  // Where a pair (from, to) sits in from's list, so a second link only merges its kind.
  std::unordered_map<std::uint64_t, std::size_t> seen;
  const auto add = [&](std::size_t from, std::size_t to, LinkKind over) {
    const std::uint64_t key = std::uint64_t{from} << 32 | to;
    auto [it, fresh] = seen.emplace(key, m_link_peers[from].size());
    if (fresh) m_link_peers[from].push_back({to, over});
    else if (over == LinkKind::vpn) m_link_peers[from][it->second].over = LinkKind::vpn;
  };
  for (const Link& link : topology.links) {
    const auto a = index(link.a.value);
    const auto b = index(link.b.value);
    if (!a || !b) continue;
    add(*a, *b, link.over.value);
    if (*a != *b) add(*b, *a, link.over.value);
  }
  for (std::size_t p = 0; p < topology.partners.size(); ++p)
    for (const auto& w : topology.partners[p].with)
      if (const auto i = index(w.value)) {
        auto& list = m_partners_of[*i];
        if (list.empty() || list.back() != p) list.push_back(p);  // named twice: peers once
      }
  for (const Node& node : topology.nodes) {
    if (!node.host.value.empty()) m_nodes_on[node.host.value].push_back(&node);
    if (node.role.value == Role::validator && node.signer)
      m_validators_of[node.signer->value].push_back(&node);
  }
}

std::optional<std::size_t> PeeringIndex::index_of(const Node& node) const {
  const Node* found = m_topology->find_node(node.name.value);
  if (found == nullptr) return std::nullopt;
  return static_cast<std::size_t>(found - m_topology->nodes.data());
}

const std::vector<const Node*>& PeeringIndex::nodes_on(const std::string& host) const {
  const auto it = m_nodes_on.find(host);
  return it == m_nodes_on.end() ? k_no_nodes : it->second;
}

std::vector<const Node*> PeeringIndex::validators_of(const std::string& signer,
                                                     bool with_standby) const {
  std::vector<const Node*> out;
  const auto it = m_validators_of.find(signer);
  if (it == m_validators_of.end()) return out;
  for (const Node* v : it->second)
    if (with_standby || !v->standby.value) out.push_back(v);
  return out;
}

std::vector<std::string> PeeringIndex::node_hosts() const {
  std::vector<std::string> out;
  out.reserve(m_nodes_on.size());
  for (const auto& [host, nodes] : m_nodes_on) out.push_back(host);
  return out;
}

}  // namespace picket
