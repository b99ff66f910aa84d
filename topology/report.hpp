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
/// `color` adds ANSI colours (the CLI passes true only on a terminal). A non-empty `label`
/// (the topology's path, when several are linted) starts the summary line: `LABEL: ...`.
std::string format_text(const Diagnostics& diags, const LintSummary& summary,
                        const SourceMap& sources, bool color, const std::string& label = {});
/// format_text without the summary line: the findings alone.
std::string format_text_findings(const Diagnostics& diags, const SourceMap& sources, bool color);
/// {"format_version":1, "ok":…, "diagnostics":[…], "summary":{…}} on one line + newline.
std::string format_json(const Diagnostics& diags, const LintSummary& summary);
/// One `::error file=F,line=L,col=C,title=RULE::message` line per finding.
std::string format_github(const Diagnostics& diags);
/// A SARIF 2.1.0 log with one rule entry per rule ID of topology-format.md §4.
std::string format_sarif(const Diagnostics& diags, const std::string& tool_version);
/// A Code Climate issue list as GitLab's code-quality report reads it: a JSON array, one
/// issue per finding (check_name = rule, severity major for errors and minor for warnings,
/// location path and line, a fingerprint from rule, file and message).
std::string format_codeclimate(const Diagnostics& diags);

/// One topology file's result in a lint of several files.
struct FileReport {
  std::string topology;              // the path as given
  std::optional<std::string> error;  // why it could not be linted (unreadable, no inventory)
  Diagnostics diagnostics;
  LintSummary summary;
};

/// The closing line of a lint of several files: `N topology files: no problems` or
/// `…: E errors, W warnings`; `N topology files (K not linted): …` when some could not be.
std::string format_text_total(const std::vector<FileReport>& files);
/// {"format_version":1, "ok":…, "files":[…]} on one line + newline; each file is
/// {"topology":…, "ok":…, "diagnostics":[…], "summary":{…}} as format_json has them, or
/// {"topology":…, "ok":false, "error":…}.
std::string format_json_files(const std::vector<FileReport>& files);
/// Every file's findings in one sorted list, each once: files that share an inventory find
/// its problems once per file.
Diagnostics merge_diagnostics(const std::vector<FileReport>& files);

}  // namespace picket
