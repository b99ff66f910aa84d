#pragma once
// The lint pipeline: load both files, check references and structure, and (only when the
// model is sound) analyse the graph. Pure: takes texts, returns the model and findings.

#include <optional>

#include "topology/analysis.hpp"
#include "topology/load.hpp"

namespace picket {

struct LintResult {
  Topology topology;
  Inventory inventory;
  Diagnostics diagnostics;               // sorted
  std::optional<GraphAnalysis> analysis;  // nullopt when errors before the graph phase
};

/// Runs every check on a topology and its inventory.
LintResult lint(const SourceText& topology, const SourceText& inventory);

}  // namespace picket
