#include "topology/lint.hpp"

#include "topology/rules.hpp"

namespace picket {

LintResult check(Topology topology, Inventory inventory, Diagnostics loaded) {
  LintResult result{std::move(topology), std::move(inventory), std::move(loaded), std::nullopt};
  Diagnostics& diags = result.diagnostics;

  const bool loaded_whole = !has_errors(diags);
  check_references(result.topology, result.inventory, diags);
  const bool model_sound = !has_errors(diags);
  check_structure(result.topology, result.inventory, diags, loaded_whole);
  if (model_sound) {
    result.analysis = analyse_graph(result.topology, result.inventory);
    check_graph(result.topology, result.inventory, *result.analysis, diags);
  }
  sort_diagnostics(diags);
  return result;
}

LintResult lint(const SourceText& topology_text, const SourceText& inventory_text) {
  Diagnostics diags;
  Topology topology = load_topology(topology_text, diags);
  Inventory inventory = load_inventory(inventory_text, diags);
  return check(std::move(topology), std::move(inventory), std::move(diags));
}

}  // namespace picket
