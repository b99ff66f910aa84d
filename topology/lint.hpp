#pragma once
// The lint pipeline: load both files, check references and structure, and (only when the
// model is sound) analyse the graph. Pure: takes texts, returns the model and findings.

#include <functional>
#include <memory>
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
  /// The peering index the graph phase built (set with `analysis`), for render to read in
  /// turn: a moved result points it at its own topology.
  std::shared_ptr<PeeringIndex> peering;

  LintResult() = default;
  LintResult(Topology t, Inventory i, Diagnostics d)
      : topology(std::move(t)), inventory(std::move(i)), diagnostics(std::move(d)) {}
  LintResult(LintResult&& other) noexcept
      : topology(std::move(other.topology)),
        inventory(std::move(other.inventory)),
        diagnostics(std::move(other.diagnostics)),
        analysis(std::move(other.analysis)),
        peering(std::move(other.peering)) {
    if (peering) peering->rebind(topology);
  }
  LintResult& operator=(LintResult&& other) noexcept {
    topology = std::move(other.topology);
    inventory = std::move(other.inventory);
    diagnostics = std::move(other.diagnostics);
    analysis = std::move(other.analysis);
    peering = std::move(other.peering);
    if (peering) peering->rebind(topology);
    return *this;
  }
  LintResult(const LintResult&) = delete;  // the index would point into the original
  LintResult& operator=(const LintResult&) = delete;
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
