#pragma once
// What `picket lint` does with two texts, without the CLI's file reading: load both files,
// check references, structure and (when sound) the graph and the config overrides, then
// format the findings in every output format, and draw the picture when there is a graph.
// Shared by the topology and inventory fuzz targets.

#include <string>

#include "render/checks.hpp"
#include "topology/lint.hpp"
#include "topology/picture.hpp"
#include "topology/report.hpp"

namespace picket::fuzz {

inline void lint_like_the_cli(SourceText topology_text, SourceText inventory_text) {
  Diagnostics diags;
  Topology topology = load_topology(topology_text, diags);
  Inventory inventory = load_inventory(inventory_text, diags);
  LintResult result = check(std::move(topology), std::move(inventory), std::move(diags));
  if (result.analysis) {
    check_renderable(result.topology, result.inventory, result.diagnostics);
    sort_diagnostics(result.diagnostics);
  }
  const LintSummary summary = summarize(result.diagnostics, result.analysis);
  SourceMap sources;
  sources.emplace(topology_text.path, std::move(topology_text.text));
  sources.emplace(inventory_text.path, std::move(inventory_text.text));
  (void)format_text(result.diagnostics, summary, sources, true);
  (void)format_json(result.diagnostics, summary);
  (void)format_github(result.diagnostics);
  (void)format_sarif(result.diagnostics, "fuzz");
  if (result.analysis) {
    (void)picture_dot(result.topology, result.inventory, *result.analysis);
    (void)picture_mermaid(result.topology, result.inventory, *result.analysis);
  }
}

/// A file of the source tree (the fixed half of a target's input), read once.
std::string source_file(const char* relative);

}  // namespace picket::fuzz
