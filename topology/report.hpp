#pragma once
// Output of lint findings (topology-format.md §5): text like a compiler, JSON, GitHub
// annotations and SARIF 2.1.0. Pure: returns strings.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "topology/analysis.hpp"
#include "topology/diagnostic.hpp"

namespace picket {

/// What the closing summary says.
struct LintSummary {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::optional<std::string> validator;  // the active validator, when there is one
  std::optional<int> paths;              // nullopt when the graph phase did not run
  std::vector<std::string> cut;
};

/// Builds the summary from the findings and the analysis (if any).
LintSummary summarize(const Diagnostics& diags, const std::optional<GraphAnalysis>& analysis);

/// path -> file text, to print the source line under each finding.
using SourceMap = std::map<std::string, std::string>;

/// `file:line:col: severity: message [rule]`, the source line, a caret; then the summary.
/// `color` adds ANSI colours (the CLI passes true only on a terminal).
std::string format_text(const Diagnostics& diags, const LintSummary& summary,
                        const SourceMap& sources, bool color);
/// {"format_version":1, "ok":…, "diagnostics":[…], "summary":{…}} on one line + newline.
std::string format_json(const Diagnostics& diags, const LintSummary& summary);
/// One `::error file=F,line=L,col=C,title=RULE::message` line per finding.
std::string format_github(const Diagnostics& diags);
/// A SARIF 2.1.0 log with one rule entry per rule ID of topology-format.md §4.
std::string format_sarif(const Diagnostics& diags, const std::string& tool_version);

}  // namespace picket
