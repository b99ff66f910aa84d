#pragma once
// The lint rules of topology-format.md §4 that look at the whole model (structure, security)
// and at the graph analysis (paths, single points of failure).

#include "topology/analysis.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// no-validator, double-sign, validator-exposed, signer-exposed, signer-host, insecure-link,
/// direct-public, isolated-node, and `reference` for a `signer:` that names a node of
/// another role. Names that match no node at all were reported by the loader; this skips
/// them (the model may be partial when the loader found errors).
/// `model_complete` is false when the loaders reported errors (entries with errors are left
/// out of the model): rules about what is missing (no-validator, isolated-node) are then
/// skipped, since the missing piece may be the entry that failed to load.
void check_structure(const Topology& topology, const Inventory& inventory, Diagnostics& out,
                     bool model_complete = true);

/// no-path, spof-node, spof-link, spof-domain, min-paths, deep-path from an analysis made by
/// analyse_graph (its graph locates each spof in the model).
void check_graph(const Topology& topology, const Inventory& inventory,
                 const GraphAnalysis& analysis, Diagnostics& out);

}  // namespace picket
