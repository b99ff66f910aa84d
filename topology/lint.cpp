#include "topology/lint.hpp"

#include "topology/rules.hpp"

namespace picket {

LintResult lint(const SourceText& topology_text, const SourceText& inventory_text) {
  LintResult result;
  Diagnostics& diags = result.diagnostics;

  // Phase 1: each file on its own (syntax, schema, duplicates, addresses).
  result.topology = load_topology(topology_text, diags);
  result.inventory = load_inventory(inventory_text, diags);

  // Phase 2: names between and within the files, and the rules that need no graph.
  check_references(result.topology, result.inventory, diags);
  check_structure(result.topology, result.inventory, diags);

  // Checkpoint: a graph built from a model with errors would report phantom failures.
  if (!has_errors(diags)) {
    result.analysis = analyse_graph(result.topology, result.inventory);
    check_graph(result.topology, result.inventory, *result.analysis, diags);
  }
  sort_diagnostics(diags);
  return result;
}

}  // namespace picket
