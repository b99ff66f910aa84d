#pragma once
// The lint pipeline: load both files, check references and structure, and (only when the
// model is sound) analyse the graph. Pure: takes texts, returns the model and findings.

#include <functional>
#include <optional>

#include "topology/analysis.hpp"
#include "topology/load.hpp"
#include "topology/peering.hpp"

namespace picket {

struct LintResult {
  Topology topology;
  Inventory inventory;
  Diagnostics diagnostics;                // sorted
  std::optional<GraphAnalysis> analysis;  // nullopt when loading or references had errors
};

/// Checks a caller adds to the graph phase on the same peering index (the CLI's render
/// checks: render depends on topology, not the other way round).
using IndexChecks = std::function<void(const PeeringIndex&, const Inventory&, Diagnostics&)>;

/// Runs every check on loaded files. `loaded` holds what the loaders reported. The graph
/// phase runs only when loading and references are clean: a graph built from a broken
/// model would report phantom failures. It indexes the model once (PeeringIndex, with its
/// graph): the analysis, the graph rules and `more` read that index. Structure and security
/// rules run regardless.
LintResult check(Topology topology, Inventory inventory, Diagnostics loaded,
                 const IndexChecks& more = {});

/// Loads both texts and runs every check.
LintResult lint(const SourceText& topology, const SourceText& inventory);

}  // namespace picket
