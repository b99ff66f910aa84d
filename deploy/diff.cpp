// Hunks are built from dtl's edit script rather than dtl's own unified printer, whose hunk
// boundaries and counts differ from `diff -u` (and were seen to produce hunks `patch` rejects).
// Approach: split both texts into lines (keeping each '\n', so a missing last newline is a
// difference, as in diff), take dtl's shortest edit script, then walk it: a hunk starts
// `context` lines before a change and closes once more than 2*context unchanged lines follow.

#include "deploy/diff.hpp"

#include <algorithm>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <dtl/dtl.hpp>
#pragma GCC diagnostic pop

namespace picket {

namespace {
enum class Op { common, add, del };

struct Edit {
  Op op;
  std::string line;  // with its '\n' unless it is a last line without one
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size() - 1;
    lines.push_back(text.substr(start, end - start + 1));
    start = end + 1;
  }
  return lines;
}

std::vector<Edit> edit_script(const std::vector<std::string>& a,
                              const std::vector<std::string>& b) {
  dtl::Diff<std::string> diff(a, b, /*deletesFirst=*/true);
  diff.onHuge();  // keeps memory bounded on large files
  diff.compose();
  std::vector<Edit> edits;
  for (const auto& [line, info] : diff.getSes().getSequence()) {
    Op op = info.type == dtl::SES_ADD ? Op::add : info.type == dtl::SES_DELETE ? Op::del
                                                                                : Op::common;
    edits.push_back({op, line});
  }
  return edits;
}

// diff -u spells a range "start,count", or just "start" when the count is 1; an empty range
// names the line before it.
std::string range(long first, long count) {
  if (count == 1) return std::to_string(first);
  return std::to_string(count == 0 ? first - 1 : first) + "," + std::to_string(count);
}

void append_line(std::string& out, char mark, const std::string& line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}
}  // namespace

bool is_binary(const std::string& text) { return text.find('\0') != std::string::npos; }

std::string unified_diff(const std::string& path, const std::string& before,
                         const std::string& after, int context) {
  if (before == after) return {};
  const std::vector<Edit> edits = edit_script(split_lines(before), split_lines(after));
  const std::size_t n = edits.size();
  const std::size_t ctx = context > 0 ? static_cast<std::size_t>(context) : 0;

  std::string shown = path;
  while (!shown.empty() && shown.front() == '/') shown.erase(0, 1);
  std::string out = "--- a/" + shown + "\n+++ b/" + shown + "\n";

  // Line numbers (1-based) in the old and the new text at each edit.
  std::vector<long> old_line(n + 1, 1), new_line(n + 1, 1);
  for (std::size_t i = 0; i < n; ++i) {
    old_line[i + 1] = old_line[i] + (edits[i].op != Op::add ? 1 : 0);
    new_line[i + 1] = new_line[i] + (edits[i].op != Op::del ? 1 : 0);
  }
  auto is_change = [&](std::size_t i) { return edits[i].op != Op::common; };

  std::size_t i = 0;
  while (i < n) {
    while (i < n && !is_change(i)) ++i;
    if (i == n) break;
    const std::size_t begin = i > ctx ? i - ctx : 0;
    // Take in later changes separated by at most 2*context unchanged lines.
    std::size_t last_change = i;
    for (std::size_t j = i + 1; j < n;) {
      if (is_change(j)) {
        last_change = j++;
        continue;
      }
      std::size_t run = j;
      while (run < n && !is_change(run)) ++run;
      if (run == n || run - j > 2 * ctx) break;
      j = run;
    }
    const std::size_t end = std::min(n, last_change + 1 + ctx);  // exclusive

    long old_count = 0, new_count = 0;
    for (std::size_t k = begin; k < end; ++k) {
      if (edits[k].op != Op::add) ++old_count;
      if (edits[k].op != Op::del) ++new_count;
    }
    out += "@@ -" + range(old_line[begin], old_count) + " +" + range(new_line[begin], new_count) +
           " @@\n";
    for (std::size_t k = begin; k < end; ++k)
      append_line(out, edits[k].op == Op::add ? '+' : edits[k].op == Op::del ? '-' : ' ',
                  edits[k].line);
    i = end;
  }
  return out;
}

}  // namespace picket
