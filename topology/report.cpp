#include "topology/report.hpp"
// STUB: replaced by the output work.
namespace picket {
LintSummary summarize(const Diagnostics&, const std::optional<GraphAnalysis>&) { return {}; }
std::string format_text(const Diagnostics&, const LintSummary&, const SourceMap&, bool) { return {}; }
std::string format_json(const Diagnostics&, const LintSummary&) { return {}; }
std::string format_github(const Diagnostics&) { return {}; }
std::string format_sarif(const Diagnostics&, const std::string&) { return {}; }
}  // namespace picket
