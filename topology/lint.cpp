#include "topology/lint.hpp"

#include <future>
#include <system_error>

#include "topology/monitoring.hpp"
#include "topology/rules.hpp"

namespace picket {

namespace {
// Below this many nodes a second thread costs more than it saves.
constexpr std::size_t k_parallel_analysis_nodes = 5000;
}  // namespace

LintResult check(Topology topology, Inventory inventory, Diagnostics loaded,
                 const IndexChecks& more) {
  LintResult result(std::move(topology), std::move(inventory), std::move(loaded));
  Diagnostics& diags = result.diagnostics;

  const bool loaded_whole = !has_errors(diags);
  check_references(result.topology, result.inventory, diags);
  const bool model_sound = !has_errors(diags);
  // The monitoring host is not part of the graph; its warning waits, as the graph checks
  // do, until the files load without errors.
  check_monitoring(result.topology, result.inventory, diags, model_sound);
  // The graph analysis only reads the model: on a big topology it runs on a second core
  // while the structure rules run on this one.
  std::future<GraphAnalysis> analysis;
  if (model_sound) {
    result.peering = std::make_shared<PeeringIndex>(result.topology);
    const auto run = [&result] { return analyse_graph(*result.peering, result.inventory); };
    try {
      analysis = std::async(result.topology.nodes.size() >= k_parallel_analysis_nodes
                                ? std::launch::async
                                : std::launch::deferred,
                            run);
    } catch (const std::system_error&) {
      analysis = std::async(std::launch::deferred, run);  // no thread to be had
    }
  }
  check_structure(result.topology, result.inventory, diags, loaded_whole);
  if (model_sound) {
    result.analysis = analysis.get();
    check_graph(result.topology, result.inventory, *result.analysis, diags);
    if (more) more(*result.peering, result.inventory, diags);
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
