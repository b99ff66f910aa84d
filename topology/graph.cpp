#include "topology/graph.hpp"
// Builds the graph of topology-format.md §3 in one pass over the model, then a CSR
// adjacency index (two passes over the edges: count, place) so that every traversal is a
// walk over contiguous arrays. The model may be partial (the loader found errors), so
// names that resolve to nothing, or to a signer, are skipped rather than trusted.


namespace picket {

std::optional<VertexId> TopologyGraph::find(const std::string& name) const {
  auto it = m_index.find(name);
  if (it == m_index.end()) return std::nullopt;
  return it->second;
}

TopologyGraph build_graph(const Topology& topology) {
  TopologyGraph g;
  // The index keys view the vertex names, so `vertices` must never reallocate: it is
  // reserved to its final size first.
  auto add_vertex = [&g](GraphVertex v) {
    const auto id = static_cast<VertexId>(g.vertices.size());
    g.vertices.push_back(std::move(v));
    g.m_index.emplace(g.vertices.back().name, id);
    return id;
  };

  std::size_t peer_count = 0;
  for (const auto& p : topology.partners) peer_count += p.peers.size();
  g.vertices.reserve(topology.nodes.size() + peer_count + 1);
  g.m_index.reserve(topology.nodes.size() + peer_count);

  // Our nodes. A duplicated name keeps its first definition, like Topology::find_node.
  for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
    const Node& n = topology.nodes[i];
    if (n.role.value == Role::signer || g.m_index.count(n.name.value) != 0) continue;
    const VertexId v = add_vertex({n.name.value, VertexKind::node, i, 0, 0});
    if (!g.validator && n.role.value == Role::validator && !n.standby.value) g.validator = v;
  }
  // Partner peers, "<partner>/<n>"; '/' cannot occur in a node name, so no clash.
  std::vector<VertexId> first_peer(topology.partners.size());
  for (std::size_t p = 0; p < topology.partners.size(); ++p) {
    first_peer[p] = static_cast<VertexId>(g.vertices.size());
    const Partner& partner = topology.partners[p];
    for (std::size_t k = 0; k < partner.peers.size(); ++k)
      add_vertex({partner.name.value + "/" + std::to_string(k + 1), VertexKind::partner_peer, 0,
                  p, k});
  }
  // `network` is not indexed by name: a node may legitimately be called "network".
  g.network = static_cast<VertexId>(g.vertices.size());
  g.vertices.push_back({"network", VertexKind::network, 0, 0, 0});

  auto node_vertex = [&g](const std::string& name) -> std::optional<VertexId> {
    auto v = g.find(name);
    if (v && g.vertices[*v].kind != VertexKind::node) return std::nullopt;
    return v;
  };

  g.edges.reserve(topology.links.size() + topology.nodes.size() + 2 * peer_count);
  for (std::size_t i = 0; i < topology.links.size(); ++i) {
    const Link& l = topology.links[i];
    auto a = node_vertex(l.a.value);
    auto b = node_vertex(l.b.value);
    if (!a || !b || *a == *b) continue;
    g.edges.push_back({*a, *b, EdgeKind::link, i, 0, 0});
  }
  for (std::size_t p = 0; p < topology.partners.size(); ++p) {
    const Partner& partner = topology.partners[p];
    for (std::size_t w = 0; w < partner.with.size(); ++w) {
      auto a = node_vertex(partner.with[w].value);
      if (!a) continue;
      for (std::size_t k = 0; k < partner.peers.size(); ++k)
        g.edges.push_back({*a, first_peer[p] + static_cast<VertexId>(k), EdgeKind::peering, 0,
                           p, w});
    }
  }
  for (VertexId v = 0; v < g.network; ++v) {
    const GraphVertex& gv = g.vertices[v];
    const bool public_sentry =
        gv.kind == VertexKind::node && topology.nodes[gv.node].role.value == Role::public_sentry;
    if (public_sentry || gv.kind == VertexKind::partner_peer)
      g.edges.push_back({v, g.network, EdgeKind::network, 0, 0, 0});
  }

  // CSR adjacency: count degrees, prefix-sum, place.
  const std::size_t n = g.vertices.size();
  g.m_offset.assign(n + 1, 0);
  for (const GraphEdge& e : g.edges) {
    ++g.m_offset[e.a + 1];
    ++g.m_offset[e.b + 1];
  }
  for (std::size_t v = 0; v < n; ++v) g.m_offset[v + 1] += g.m_offset[v];
  g.m_incidence.resize(g.m_offset[n]);
  std::vector<std::uint32_t> fill(g.m_offset.begin(), g.m_offset.end() - 1);
  for (EdgeId e = 0; e < g.edges.size(); ++e) {
    g.m_incidence[fill[g.edges[e].a]++] = {g.edges[e].b, e};
    g.m_incidence[fill[g.edges[e].b]++] = {g.edges[e].a, e};
  }
  return g;
}

std::vector<VertexId> bfs_parents(const TopologyGraph& graph, const GraphMask& mask,
                                  VertexId from, std::optional<VertexId> stop_at) {
  const VertexId unreached = graph.size();
  std::vector<VertexId> parent(graph.size(), unreached);
  if (!mask.vertex(from)) return parent;
  // A plain vector as the queue: every vertex enters it at most once.
  std::vector<VertexId> queue;
  queue.reserve(64);
  parent[from] = from;
  queue.push_back(from);
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const VertexId u = queue[head];
    if (u == graph.network && u != from) continue;
    for (const Incidence* it = graph.incident_begin(u); it != graph.incident_end(u); ++it) {
      if (parent[it->other] != unreached || !mask.edge(it->edge) || !mask.vertex(it->other))
        continue;
      parent[it->other] = u;
      if (stop_at && it->other == *stop_at) return parent;
      queue.push_back(it->other);
    }
  }
  return parent;
}

}  // namespace picket
