#include "topology/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace picket {

const char* severity_name(Severity s) { return s == Severity::error ? "error" : "warning"; }

void add_error(Diagnostics& out, std::string rule, Location loc, std::string message,
               std::vector<std::string> subjects) {
  out.push_back({std::move(rule), Severity::error, std::move(message), std::move(loc),
                 std::move(subjects)});
}

void add_warning(Diagnostics& out, std::string rule, Location loc, std::string message,
                 std::vector<std::string> subjects) {
  out.push_back({std::move(rule), Severity::warning, std::move(message), std::move(loc),
                 std::move(subjects)});
}

std::size_t count(const Diagnostics& diags, Severity s) {
  return static_cast<std::size_t>(
      std::count_if(diags.begin(), diags.end(), [s](const Diagnostic& d) { return d.severity == s; }));
}

bool has_errors(const Diagnostics& diags) { return count(diags, Severity::error) > 0; }

void sort_diagnostics(Diagnostics& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.location.path(), a.location.line, a.location.column, a.rule, a.message) <
           std::tie(b.location.path(), b.location.line, b.location.column, b.rule, b.message);
  });
}

std::string link_subject(const std::string& a, const std::string& b) {
  return a < b ? a + "--" + b : b + "--" + a;
}

namespace {
// Optimal string alignment distance (Levenshtein plus adjacent transposition).
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}
}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Allow about one edit per three characters, at least one, at most three.
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    if (c.size() > word.size() + limit || word.size() > c.size() + limit) continue;
    const std::size_t dist = edit_distance(word, c);
    if (dist < best_distance) {
      best_distance = dist;
      best = c;
    }
  }
  return best;
}

}  // namespace picket
