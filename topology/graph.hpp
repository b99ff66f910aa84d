#pragma once
// The graph of topology-format.md §3 as plain arrays: vertices (our nodes except signers,
// partner peers, the virtual `network`), undirected edges (links, partner peerings,
// network edges) and an adjacency index. The algorithms in analysis.cpp and
// disjoint_paths.cpp build their Boost.Graph views from it; keeping Boost out of this
// header keeps it out of every file that includes it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "topology/model.hpp"

namespace picket {

/// Dense vertex and edge numbers: indexes into TopologyGraph::vertices and ::edges.
using VertexId = std::uint32_t;
using EdgeId = std::uint32_t;

/// What a vertex stands for: one of our nodes, a partner's peer, or the open network.
enum class VertexKind { node, partner_peer, network };
/// What an edge stands for: a link, a partner peering, or a public sentry's or peer's
/// connection to the open network.
enum class EdgeKind { link, peering, network };

/// One vertex and what in the model it stands for.
struct GraphVertex {
  std::string name;            // node name, "<partner>/<n>" or "network"
  VertexKind kind = VertexKind::node;
  std::size_t node = 0;        // index into Topology::nodes (kind node)
  std::size_t partner = 0;     // index into Topology::partners (kind partner_peer)
  std::size_t peer = 0;        // index into Partner::peers (kind partner_peer)
};

/// One undirected edge and what in the model it stands for.
struct GraphEdge {
  VertexId a = 0;
  VertexId b = 0;
  EdgeKind kind = EdgeKind::link;
  std::size_t link = 0;     // index into Topology::links (kind link)
  std::size_t partner = 0;  // index into Topology::partners (kind peering)
  std::size_t with = 0;     // index into Partner::with (kind peering); `a` is that node
};

/// A neighbour in the adjacency index.
struct Incidence {
  VertexId other;
  EdgeId edge;
};

/// The topology graph. Vertex and edge ids are dense, in model order. Move-only: the name
/// index points into `vertices`.
class TopologyGraph {
 public:
  TopologyGraph() = default;
  TopologyGraph(TopologyGraph&&) = default;
  TopologyGraph& operator=(TopologyGraph&&) = default;
  TopologyGraph(const TopologyGraph&) = delete;
  TopologyGraph& operator=(const TopologyGraph&) = delete;

  std::vector<GraphVertex> vertices;
  std::vector<GraphEdge> edges;
  VertexId network = 0;
  std::optional<VertexId> validator;  // the first validator with standby false

  /// The vertex of a node or partner peer with this name (never `network`), or nullopt.
  std::optional<VertexId> find(const std::string& name) const;
  /// Edges at a vertex, in edge order.
  const Incidence* incident_begin(VertexId v) const { return m_incidence.data() + m_offset[v]; }
  const Incidence* incident_end(VertexId v) const { return m_incidence.data() + m_offset[v + 1]; }
  /// Number of vertices.
  VertexId size() const { return static_cast<VertexId>(vertices.size()); }

  friend TopologyGraph build_graph(const Topology& topology);

 private:
  std::unordered_map<std::string_view, VertexId> m_index;  // keys are vertices[].name
  std::vector<std::uint32_t> m_offset;  // CSR: incidences of v are [m_offset[v], m_offset[v+1])
  std::vector<Incidence> m_incidence;
};

/// Builds the graph of a (possibly partial) model: links and `with` entries whose ends are
/// not nodes or are signers are left out, and so are self-links (they connect nothing).
TopologyGraph build_graph(const Topology& topology);

/// Which vertices and edges are still there (1) after failures. Empty vectors: all are.
struct GraphMask {
  std::vector<char> vertex_alive;
  std::vector<char> edge_alive;

  bool vertex(VertexId v) const { return vertex_alive.empty() || vertex_alive[v] != 0; }
  bool edge(EdgeId e) const { return edge_alive.empty() || edge_alive[e] != 0; }
};

/// Breadth-first search from `from` over live vertices and edges, never expanding `network`
/// (it is the open network, not a relay between our nodes). Returns each vertex's
/// predecessor (`from` for itself, size() when not reached); stops once `stop_at` is reached.
std::vector<VertexId> bfs_parents(const TopologyGraph& graph, const GraphMask& mask,
                                  VertexId from, std::optional<VertexId> stop_at = {});

}  // namespace picket
