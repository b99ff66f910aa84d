#pragma once
// Graph analysis of topology-format.md §3 with Boost.Graph: node-disjoint paths from the
// active validator to the open network, a smallest cut, single points of failure (nodes,
// links, failure domains), and "what if these fail".

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "topology/model.hpp"

namespace picket {

class PeeringIndex;   // topology/peering.hpp
class TopologyGraph;  // topology/graph.hpp

/// What is taken away before analysing: nodes (our nodes or partner peers by vertex name),
/// links (by their two end names, any order), failure-domain values.
struct FailureSet {
  std::vector<std::string> nodes;
  std::vector<std::pair<std::string, std::string>> links;
  std::vector<std::pair<DomainKind, std::string>> domains;
};

/// The validator's view of the network after a FailureSet (empty set: as designed).
/// Partner peers are vertices named "<partner>/<n>" (n 1-based, in file order).
struct Reachability {
  std::optional<std::string> validator;         // the active validator, if any and not failed
  int paths = 0;                                // node-disjoint validator->network paths
  std::vector<std::string> cut;                 // one smallest node cut (sorted); empty if paths == 0
  std::vector<std::string> shortest_path;       // vertex names validator..."network"; empty if none
  std::vector<std::string> public_sentries;     // public sentries still reached (sorted)
  std::vector<std::string> partners;            // partners with a peer still reached (sorted)
  /// what_if only: the validator's signer when the failures take it (its node or a domain of
  /// its host): the validator may keep its paths, but it cannot sign.
  std::optional<std::string> signer_lost;
};

/// The whole-graph findings that the lint rules report.
struct GraphAnalysis {
  Reachability reach;
  std::vector<std::string> spof_nodes;                           // sorted
  std::vector<std::pair<std::string, std::string>> spof_links;   // (a, b) with a < b, sorted
  /// The graph analysed, and the vertex and edge of each spof node and link (same order as
  /// spof_nodes and spof_links): what in the model each stands for, without a search by
  /// name. Null and empty in an analysis made by hand.
  std::shared_ptr<const TopologyGraph> graph;
  std::vector<std::uint32_t> spof_vertices;  // VertexId of graph.hpp
  std::vector<std::uint32_t> spof_edges;     // EdgeId of graph.hpp
  std::vector<std::pair<DomainKind, std::string>> spof_domains;  // sorted, kinds of policy.survive
  /// Datacenters, regions and providers (of policy.survive) that hold the validator's signer
  /// but not the validator: losing one stops the validator from signing, whatever its paths.
  /// The signer's own host is not listed: one signer is one host by design, as the
  /// validator's own host is.
  std::vector<std::pair<DomainKind, std::string>> signer_domains;  // sorted
  std::optional<std::string> signer;  // the validator's signer, when signer_domains is not empty
};

/// Analyses the topology as designed. Near-linear: one max-flow bounded by the path count,
/// one biconnected-components pass, and one reachability pass per failure domain only when
/// that domain holds more than one node and meets every disjoint path.
/// Asks the graph the peering index carries; GraphAnalysis::graph is that graph.
GraphAnalysis analyse_graph(const PeeringIndex& peering, const Inventory& inventory);
/// The same, indexing `topology` first.
GraphAnalysis analyse_graph(const Topology& topology, const Inventory& inventory);

/// The validator's reachability after the given failures, asked of the index's graph.
Reachability what_if(const PeeringIndex& peering, const Inventory& inventory,
                     const FailureSet& failures);
/// The same, indexing `topology` first.
Reachability what_if(const Topology& topology, const Inventory& inventory,
                     const FailureSet& failures);

}  // namespace picket
