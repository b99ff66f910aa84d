#pragma once
// Input problems: one Diagnostic per finding, collected for a whole phase (house style:
// the user sees every problem at once), then checked at a checkpoint.

#include <string>
#include <vector>

#include "topology/location.hpp"

namespace picket {

enum class Severity { error, warning };

/// "error" or "warning".
const char* severity_name(Severity s);

/// One finding. `rule` is a rule ID of topology-format.md §4 (e.g. "spof-node");
/// `subjects` names what it is about: node names, links as "a--b" (sorted), domains as
/// "kind=value".
struct Diagnostic {
  std::string rule;
  Severity severity = Severity::error;
  std::string message;
  Location location;
  std::vector<std::string> subjects;
};

using Diagnostics = std::vector<Diagnostic>;

/// Appends an error.
void add_error(Diagnostics& out, std::string rule, Location loc, std::string message,
               std::vector<std::string> subjects = {});
/// Appends a warning.
void add_warning(Diagnostics& out, std::string rule, Location loc, std::string message,
                 std::vector<std::string> subjects = {});

/// Number of diagnostics of the given severity.
std::size_t count(const Diagnostics& diags, Severity s);
/// True when any diagnostic is an error.
bool has_errors(const Diagnostics& diags);

/// Stable order for output: by file, line, column, then rule and message.
void sort_diagnostics(Diagnostics& diags);

/// The subject name of a link between two nodes: "a--b" with the names sorted.
std::string link_subject(const std::string& a, const std::string& b);

/// The closest candidate to `word` within a small edit distance, or "" ("did you mean").
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace picket
