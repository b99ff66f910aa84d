#include "topology/report.hpp"
// Lint output in five shapes. Text follows clang: a location line, the source line with tabs
// expanded and a caret under the column, then one summary line. JSON keeps the documented key
// order with nlohmann::ordered_json. GitHub annotations escape per the workflow-command rules.
// SARIF lists every rule of the catalog so viewers can show rules that did not fire.
// Code Climate (GitLab code quality) fingerprints leave the line out, so a finding that only
// moves is not reported as fixed and new; an occurrence number keeps equal ones apart.

#include <fmt/color.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <tuple>
#include <utility>
#include <unordered_map>

#include "topology/rule_catalog.hpp"
#include "topology/utf8.hpp"
#include "util/text.hpp"

namespace picket {

namespace {

using nlohmann::ordered_json;

constexpr std::size_t k_tab_width = 8;
constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";

// The lines of one source text, found front to back. Diagnostics come sorted by line, so each
// look-up continues from the previous one: formatting 100k findings of a 17 MB file reads the
// file once instead of once per finding. A UTF-8 BOM is not part of line 1: editors do not
// show it and columns do not count it.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : m_text(text) {
    if (m_text.starts_with(k_utf8_bom)) m_text.remove_prefix(k_utf8_bom.size());
  }

  // Line `number` (1-based) without its line break; nullopt when the text is shorter.
  std::optional<std::string_view> line(std::uint32_t number) {
    if (number < m_number) {
      m_number = 1;
      m_begin = 0;
    }
    while (m_number < number) {
      const std::size_t nl = m_text.find('\n', m_begin);
      if (nl == std::string_view::npos) return std::nullopt;
      m_begin = nl + 1;
      ++m_number;
    }
    if (m_begin >= m_text.size() && number > 1) return std::nullopt;
    std::size_t end = m_text.find('\n', m_begin);
    if (end == std::string_view::npos) end = m_text.size();
    std::string_view line = m_text.substr(m_begin, end - m_begin);
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  }

 private:
  std::string_view m_text;
  std::uint32_t m_number = 1;  // the line that starts at m_begin
  std::size_t m_begin = 0;
};


// The source line as it may go to a terminal: control characters (tabs aside) and bytes that
// are not UTF-8 become "?", one byte for one, so byte columns still point at the same place.
// A binary file must not send escape sequences or NUL bytes to the operator's terminal.
std::string printable_line(std::string_view line) {
  std::string out(line);
  for (std::size_t i = 0; i < out.size();) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7F) out[i] = '?';
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(out, i);
    if (len == 0) {
      out[i++] = '?';
      continue;
    }
    i += len;
  }
  return out;
}

// At most this many bytes of a source line are shown: a generated one-line file must not
// print its whole line once per finding (2 000 findings x 100 KB is 200 MB of output).
constexpr std::size_t k_max_line_shown = 160;

// The printable part of `line` around byte column `column` (1-based; 0: none), with "..."
// where it was cut, and the column in what is shown.
std::pair<std::string, std::uint32_t> line_window(std::string_view line, std::uint32_t column) {
  if (line.size() <= k_max_line_shown) return {printable_line(line), column};
  const std::size_t at = column == 0 ? 0 : std::min<std::size_t>(column - 1, line.size());
  std::size_t begin = at > k_max_line_shown / 2 ? at - k_max_line_shown / 2 : 0;
  std::size_t end = std::min(line.size(), begin + k_max_line_shown);
  // Cut between characters, not inside one.
  const auto continuation = [&](std::size_t i) {
    return i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
  };
  for (int k = 0; k < 3 && begin > 0 && continuation(begin); ++k) --begin;
  for (int k = 0; k < 3 && continuation(end); ++k) --end;
  std::string shown = begin > 0 ? "..." : "";
  const std::uint32_t shift = static_cast<std::uint32_t>(shown.size());
  shown += printable_line(line.substr(begin, end - begin));
  if (end < line.size()) shown += "...";
  if (column == 0) return {shown, 0};
  return {shown, static_cast<std::uint32_t>(at - begin) + shift + 1};
}

// Expands tabs to the next multiple of k_tab_width, so the caret line (all spaces) lines up.
std::string expand_tabs(std::string_view line) {
  std::string out;
  std::size_t width = 0;
  for (char c : line) {
    if (c == '\t') {
      const std::size_t pad = k_tab_width - width % k_tab_width;
      out.append(pad, ' ');
      width += pad;
      continue;
    }
    out += c;
    // UTF-8 continuation bytes share the screen cell of their lead byte.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return out;
}

// The screen column (0-based) of 1-based byte column `column` in the tab-expanded line. A
// column past the end (a value missing at the end of a line) puts the caret just after it.
std::size_t caret_offset(std::string_view line, std::uint32_t column) {
  const std::size_t bytes = std::min<std::size_t>(column - 1, line.size());
  std::size_t width = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    const char c = line[i];
    if (c == '\t')
      width += k_tab_width - width % k_tab_width;
    else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++width;
  }
  return width;
}

// "file:line:col", "file:line", "file", or "picket" when nothing is known.
std::string location_prefix(const Location& loc) {
  if (loc.path().empty()) return "picket";
  if (loc.line == 0) return loc.path();
  if (loc.column == 0) return fmt::format("{}:{}", loc.path(), loc.line);
  return fmt::format("{}:{}:{}", loc.path(), loc.line, loc.column);
}

// Colour only on request; fmt's styles are the same escapes clang uses.
std::string paint(bool color, fmt::text_style style, std::string_view text) {
  if (!color) return std::string(text);
  return fmt::format(style, "{}", text);
}

std::string summary_line(const LintSummary& s) {
  std::string out = s.errors == 0 && s.warnings == 0
                        ? std::string("no problems")
                        : plural(s.errors, "error", "errors") + ", " +
                              plural(s.warnings, "warning", "warnings");
  out += "; ";
  if (!s.paths) {
    out += s.errors > 0 ? "graph checks skipped until the errors above are fixed"
                        : "graph checks not run";
  } else if (!s.validator) {
    out += "no active validator";
  } else if (*s.paths == 0) {
    out += fmt::format("validator \"{}\": no path to the network", *s.validator);
  } else {
    out += fmt::format("validator \"{}\": {} to the network", *s.validator,
                       plural(static_cast<std::size_t>(*s.paths), "node-disjoint path",
                              "node-disjoint paths"));
    if (!s.cut.empty()) out += ", cut: " + quoted_list(s.cut);
  }
  return out + "\n";
}

// Dumps without throwing: a message that quotes invalid UTF-8 from a file gets U+FFFD.
std::string dump(const ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

// 32 hex digits: two FNV-1a 64-bit hashes of the text (different offsets). Stable across
// runs and machines; an identity, not a security property.
std::string fingerprint(std::string_view text) {
  auto fnv = [&](std::uint64_t h) {
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
    return h;
  };
  return fmt::format("{:016x}{:016x}", fnv(0xcbf29ce484222325ull), fnv(0x84222325cbf29ce4ull));
}

// GitHub workflow commands: data escapes %, CR, LF; property values also ':' and ','.
std::string escape_github_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_github_property(std::string_view s) {
  std::string out;
  for (char c : escape_github_data(s)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

// A file path as a SARIF relative URI reference: RFC 3986 unreserved characters, sub-delims,
// ':', '@' and '/' stay; everything else (spaces, '%', '#', '?', non-ASCII) is percent-encoded.
std::string path_to_uri(std::string_view path) {
  constexpr std::string_view k_keep = "-._~!$&'()*+,;=:@/";
  std::string out;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
    if (alnum || k_keep.find(c) != std::string_view::npos)
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

}  // namespace

LintSummary summarize(const Diagnostics& diags, const std::optional<GraphAnalysis>& analysis) {
  LintSummary s;
  s.errors = count(diags, Severity::error);
  s.warnings = count(diags, Severity::warning);
  if (analysis) {
    s.validator = analysis->reach.validator;
    s.paths = analysis->reach.paths;
    s.cut = analysis->reach.cut;
  }
  return s;
}

std::string format_text(const Diagnostics& diags, const LintSummary& summary,
                        const SourceMap& sources, bool color, const std::string& label) {
  std::string out = format_text_findings(diags, sources, color);
  if (!label.empty()) out += label + ": ";
  out += summary_line(summary);
  return out;
}

std::string format_text_findings(const Diagnostics& diags, const SourceMap& sources, bool color) {
  const auto bold = fmt::emphasis::bold;
  std::string out;
  std::unordered_map<std::string, LineCursor> cursors;
  for (const auto& d : diags) {
    const bool is_error = d.severity == Severity::error;
    const auto severity_style =
        bold | fmt::fg(is_error ? fmt::terminal_color::red : fmt::terminal_color::magenta);
    out += paint(color, bold, location_prefix(d.location) + ":");
    out += ' ';
    out += paint(color, severity_style, std::string(severity_name(d.severity)) + ":");
    out += ' ';
    out += paint(color, bold, d.message + " [" + d.rule + "]");
    out += '\n';

    if (!d.location.known()) continue;
    const auto file = sources.find(d.location.path());
    if (file == sources.end()) continue;
    const auto line =
        cursors.try_emplace(d.location.path(), file->second).first->second.line(d.location.line);
    if (!line) continue;
    const auto [shown, column] = line_window(*line, d.location.column);
    out += expand_tabs(shown);
    out += '\n';
    if (d.location.column == 0) continue;
    out += std::string(caret_offset(shown, column), ' ');
    out += paint(color, bold | fmt::fg(fmt::terminal_color::green), "^");
    out += '\n';
  }
  return out;
}

namespace {
// One file's report object, without the format version.
ordered_json json_report(const Diagnostics& diags, const LintSummary& summary) {
  ordered_json list = ordered_json::array();
  for (const auto& d : diags) {
    list.push_back({{"rule", d.rule},
                    {"severity", severity_name(d.severity)},
                    {"message", d.message},
                    {"file", d.location.path()},
                    {"line", d.location.line},
                    {"column", d.location.column},
                    {"subjects", d.subjects}});
  }
  ordered_json sum;
  sum["errors"] = summary.errors;
  sum["warnings"] = summary.warnings;
  sum["paths"] = summary.paths ? ordered_json(*summary.paths) : ordered_json(nullptr);
  sum["cut"] = summary.cut;
  sum["validator"] = summary.validator ? ordered_json(*summary.validator) : ordered_json(nullptr);

  ordered_json j;
  j["ok"] = summary.errors == 0;
  j["diagnostics"] = std::move(list);
  j["summary"] = std::move(sum);
  return j;
}

bool file_ok(const FileReport& f) { return !f.error && f.summary.errors == 0; }
}  // namespace

std::string format_json(const Diagnostics& diags, const LintSummary& summary) {
  ordered_json j;
  j["format_version"] = 1;
  j.update(json_report(diags, summary));
  return dump(j, -1) + "\n";
}

std::string format_json_files(const std::vector<FileReport>& files) {
  ordered_json list = ordered_json::array();
  for (const auto& f : files) {
    ordered_json one;
    one["topology"] = f.topology;
    if (f.error) {
      one["ok"] = false;
      one["error"] = *f.error;
    } else {
      one.update(json_report(f.diagnostics, f.summary));
    }
    list.push_back(std::move(one));
  }
  ordered_json j;
  j["format_version"] = 1;
  j["ok"] = std::all_of(files.begin(), files.end(), file_ok);
  j["files"] = std::move(list);
  return dump(j, -1) + "\n";
}

std::string format_text_total(const std::vector<FileReport>& files) {
  std::size_t errors = 0, warnings = 0, not_linted = 0;
  for (const auto& f : files) {
    errors += f.summary.errors;
    warnings += f.summary.warnings;
    if (f.error) ++not_linted;
  }
  std::string out = plural(files.size(), "topology file", "topology files");
  if (not_linted > 0) out += fmt::format(" ({} not linted)", not_linted);
  out += ": ";
  out += errors == 0 && warnings == 0
             ? std::string("no problems")
             : plural(errors, "error", "errors") + ", " + plural(warnings, "warning", "warnings");
  return out + "\n";
}

Diagnostics merge_diagnostics(const std::vector<FileReport>& files) {
  Diagnostics all;
  for (const auto& f : files) all.insert(all.end(), f.diagnostics.begin(), f.diagnostics.end());
  sort_diagnostics(all);
  auto same = [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.location.path(), a.location.line, a.location.column, a.rule, a.message,
                    a.severity, a.subjects) ==
           std::tie(b.location.path(), b.location.line, b.location.column, b.rule, b.message,
                    b.severity, b.subjects);
  };
  all.erase(std::unique(all.begin(), all.end(), same), all.end());
  return all;
}

std::string format_github(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags) {
    std::vector<std::string> props;
    const Location& loc = d.location;
    if (!loc.path().empty()) {
      props.push_back("file=" + escape_github_property(loc.path()));
      if (loc.line > 0) {
        props.push_back(fmt::format("line={}", loc.line));
        if (loc.column > 0) props.push_back(fmt::format("col={}", loc.column));
      }
    }
    props.push_back("title=" + escape_github_property(d.rule));
    out += fmt::format("::{} {}::{}\n", severity_name(d.severity), fmt::join(props, ","),
                       escape_github_data(d.message));
  }
  return out;
}

std::string format_sarif(const Diagnostics& diags, const std::string& tool_version) {
  ordered_json rules = ordered_json::array();
  for (const auto& rule : rule_catalog()) {
    rules.push_back({{"id", rule.id},
                     {"shortDescription", {{"text", rule.description}}},
                     {"defaultConfiguration", {{"level", severity_name(rule.severity)}}}});
  }

  ordered_json results = ordered_json::array();
  for (const auto& d : diags) {
    ordered_json r;
    r["ruleId"] = d.rule;
    if (const auto index = rule_index(d.rule)) r["ruleIndex"] = *index;
    r["level"] = severity_name(d.severity);
    r["message"] = {{"text", d.message}};
    const Location& loc = d.location;
    if (!loc.path().empty()) {
      ordered_json physical;
      physical["artifactLocation"] = {{"uri", path_to_uri(loc.path())}};
      if (loc.line > 0) {
        ordered_json region;
        region["startLine"] = loc.line;
        if (loc.column > 0) region["startColumn"] = loc.column;
        physical["region"] = std::move(region);
      }
      ordered_json location;
      location["physicalLocation"] = std::move(physical);
      r["locations"] = ordered_json::array();
      r["locations"].push_back(std::move(location));
    }
    r["properties"] = {{"subjects", d.subjects}};
    results.push_back(std::move(r));
  }

  ordered_json driver;
  driver["name"] = "picket";
  driver["version"] = tool_version;
  driver["rules"] = std::move(rules);

  ordered_json run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["results"] = std::move(results);

  ordered_json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = ordered_json::array();
  log["runs"].push_back(std::move(run));
  return dump(log, 2) + "\n";
}

std::string format_codeclimate(const Diagnostics& diags) {
  ordered_json issues = ordered_json::array();
  std::map<std::string, int> seen;  // identity -> occurrences so far
  for (const auto& d : diags) {
    const std::string& path = d.location.path();
    const std::string identity = d.rule + '\0' + path + '\0' + d.message;
    const int occurrence = seen[identity]++;
    ordered_json issue;
    issue["type"] = "issue";
    issue["check_name"] = d.rule;
    issue["description"] = d.message;
    issue["categories"] = {"Bug Risk"};
    issue["severity"] = d.severity == Severity::error ? "major" : "minor";
    issue["fingerprint"] = fingerprint(identity + '\0' + std::to_string(occurrence));
    issue["location"] = {{"path", path.empty() ? std::string(".") : path},
                         {"lines", {{"begin", std::max<std::uint32_t>(d.location.line, 1)}}}};
    issues.push_back(std::move(issue));
  }
  return dump(issues, 2) + "\n";
}

}  // namespace picket
