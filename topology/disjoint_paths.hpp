#pragma once
// Node-disjoint paths between two vertices of the topology graph (Menger's theorem), and a
// smallest node cut, computed with a max-flow. Used by analysis.cpp.

#include <vector>

#include "topology/graph.hpp"

namespace picket {

/// A maximum set of node-disjoint paths and one smallest node cut between two vertices.
struct DisjointPaths {
  std::vector<std::vector<VertexId>> paths;  // each from..to; no inner vertex is shared
  std::vector<VertexId> cut;                 // inner vertices, one per path, ascending
};

/// Maximum node-disjoint `from`->`to` paths over the live part of the graph, with a
/// smallest set of other vertices whose loss separates the two. `network` is only an end:
/// no path passes through it. `from` and `to` must be live and different.
DisjointPaths disjoint_paths(const TopologyGraph& graph, const GraphMask& mask, VertexId from,
                             VertexId to);

}  // namespace picket
