#pragma once
// The lint rules of topology-format.md §4 that look at the whole model (structure, security)
// and at the graph analysis (paths, single points of failure).

#include "topology/analysis.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// no-validator, double-sign, validator-exposed, signer-exposed, insecure-link,
/// direct-public, isolated-node; and `reference` for signer/link/partner names that are
/// not nodes of the topology.
void check_structure(const Topology& topology, const Inventory& inventory, Diagnostics& out);

/// no-path, spof-node, spof-link, spof-domain, min-paths, deep-path from an analysis.
void check_graph(const Topology& topology, const Inventory& inventory,
                 const GraphAnalysis& analysis, Diagnostics& out);

}  // namespace picket
