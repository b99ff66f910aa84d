#pragma once
// Helpers for the loader tests: diagnostics rendered one per line, so every test compares
// the whole list of findings, not just a count or the first one.

#include <string>

#include "topology/diagnostic.hpp"

namespace picket::test {

/// "line:col: severity: message [rule] {subject,subject}\n" per diagnostic (no braces when
/// there are no subjects), in the order given.
inline std::string render(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags) {
    out += std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
           severity_name(d.severity) + ": " + d.message + " [" + d.rule + "]";
    if (!d.subjects.empty()) {
      out += " {";
      for (std::size_t i = 0; i < d.subjects.size(); ++i) out += (i > 0 ? "," : "") + d.subjects[i];
      out += "}";
    }
    out += "\n";
  }
  return out;
}

/// The same, checking first that every diagnostic points into `path`.
inline std::string render_in(const Diagnostics& diags, const std::string& path) {
  for (const Diagnostic& d : diags)
    if (d.location.path() != path) return "diagnostic in unexpected file: " + d.location.path();
  return render(diags);
}

}  // namespace picket::test
