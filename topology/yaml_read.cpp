#include "topology/yaml_read.hpp"
// Merge keys are resolved on reading, not by copying: fields() lists a map's written entries,
// then walks the merged maps (recursively, to a fixed depth) adding the keys not taken yet.
// Every walk is over values the parser already counted against its alias budget, so reading
// stays proportional to the text however the aliases are arranged.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <unordered_set>

namespace picket {
namespace {

// Merge keys may merge maps that merge maps; deeper chains than this are surely a mistake,
// and the bound keeps the recursion shallow.
constexpr int k_max_merge_depth = 32;
// Above this many entries, merged keys are checked against a hash set, not by a scan.
constexpr std::size_t k_linear_field_scan = 32;
// Messages show at most this many characters of a value.
constexpr std::size_t k_max_shown = 80;

}  // namespace

std::string Suggester::small(const std::string& word, const std::vector<std::string>& candidates) {
  if (m_small >= k_max_small) return {};
  ++m_small;
  return closest_match(word, candidates);
}

std::string Suggester::name(const std::string& word, const std::vector<std::string>& names) {
  if (m_names >= k_max_names || names.empty()) return {};
  ++m_names;
  // closest_match accepts at most `limit` edits. An edit changes the character histogram by
  // at most 2 (L1), so candidates further apart than 2 * limit cannot match: filtering them
  // with an O(length) test leaves closest_match a handful of names and the same answer.
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::array<int, 256> histogram{};
  for (unsigned char c : word) ++histogram[c];
  std::vector<std::string> near;
  for (const auto& n : names) {
    const std::size_t diff =
        n.size() > word.size() ? n.size() - word.size() : word.size() - n.size();
    if (diff > limit) continue;
    std::array<int, 256> h = histogram;
    for (unsigned char c : n) --h[c];
    std::size_t l1 = 0;
    for (unsigned char c : word) l1 += static_cast<std::size_t>(std::abs(h[c])), h[c] = 0;
    for (unsigned char c : n) l1 += static_cast<std::size_t>(std::abs(h[c])), h[c] = 0;
    if (l1 <= 2 * limit) near.push_back(n);
  }
  return closest_match(word, near);
}

namespace {
// The code point of the UTF-8 sequence at s[i], advancing i to its last byte (the text was
// checked to be UTF-8 when parsed; a stray byte reads as itself).
std::uint32_t code_point(std::string_view s, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (len == 1 || i + len > s.size()) return lead;
  std::uint32_t cp = lead & (0x7FU >> len);
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
  i += len - 1;
  return cp;
}
}  // namespace

std::string bad_path_message(std::string_view key, std::string_view value) {
  return fmt::format(
      "\"{}\" must be a normalised path: no \".\" or \"..\" segment, no \"//\", no control "
      "character (newline, tab, NUL); found {}",
      key, in_quotes(value));
}

std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (++shown > k_max_shown) {
      out += "...";
      break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Non-ASCII as YAML escapes: a Cyrillic "а" or a zero-width space in a name looks like
      // its Latin twin or like nothing at all, so the message shows the code point.
      const std::uint32_t cp = code_point(s, i);
      out += cp > 0xFFFF ? fmt::format("\\U{:08X}", cp) : fmt::format("\\u{:04X}", cp);
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

std::string in_quotes_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += in_quotes(item);
  }
  return out;
}

std::optional<std::int64_t> parse_decimal(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const int digit = s[i] - '0';
    value = value > (k_max - digit) / 10 ? k_max : value * 10 + digit;
  }
  return negative ? -value : value;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8;
  if (base != 10) s.remove_prefix(2);
  std::uint64_t magnitude = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > max + 1) return std::nullopt;
    return magnitude == max + 1 ? std::numeric_limits<std::int64_t>::min()
                                : -static_cast<std::int64_t>(magnitude);
  }
  if (magnitude > max) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

void append_diagnostics(Diagnostics& file_diagnostics, Diagnostics& out) {
  sort_diagnostics(file_diagnostics);
  const auto same = [](const Diagnostic& a, const Diagnostic& b) {
    return a.location.line == b.location.line && a.location.column == b.location.column &&
           a.location.path() == b.location.path() && a.rule == b.rule && a.message == b.message &&
           a.subjects == b.subjects;
  };
  file_diagnostics.erase(std::unique(file_diagnostics.begin(), file_diagnostics.end(), same),
                         file_diagnostics.end());
  out.reserve(out.size() + file_diagnostics.size());
  for (auto& d : file_diagnostics) out.push_back(std::move(d));
}

YamlReader::YamlReader(const YamlTree& tree, std::shared_ptr<const std::string> file,
                       Diagnostics& out)
    : m_tree(tree), m_file(std::move(file)), m_out(out) {}

Location YamlReader::loc(YamlId id) const {
  if (id == k_no_yaml) return {m_file, 0, 0};
  return {m_file, m_tree[id].line, m_tree[id].column};
}

void YamlReader::error(const char* rule, YamlId at, std::string message, const YamlContext& ctx) {
  error(rule, loc(at), std::move(message), ctx);
}

void YamlReader::error(const char* rule, const Location& at, std::string message,
                       const YamlContext& ctx) {
  add_error(m_out, rule, at, std::move(message), ctx.subjects);
}

std::string YamlReader::describe(YamlId id) const {
  const YamlNode& n = m_tree[id];
  switch (n.kind) {
    case YamlKind::map:
      return "a map";
    case YamlKind::sequence:
      return "a list";
    case YamlKind::null:
      return "an empty value";
    case YamlKind::scalar:
      if (n.text.empty()) return "an empty string";
      return n.quoted ? "the quoted string " + in_quotes(n.text) : in_quotes(n.text);
  }
  return "a value";
}

void YamlReader::fields(YamlId map, std::vector<YamlField>& out, const YamlContext& ctx) {
  out.clear();
  collect(map, out, ctx, 0);
}

void YamlReader::collect(YamlId map, std::vector<YamlField>& out, const YamlContext& ctx,
                         int depth) {
  const auto& children = m_tree[map].children;
  // Keys already taken: written keys win over merged ones, earlier merges over later ones.
  std::unordered_set<std::string_view> taken;
  const auto is_taken = [&](const std::string& key) {
    if (out.size() <= k_linear_field_scan)
      return std::any_of(out.begin(), out.end(),
                         [&](const YamlField& f) { return m_tree[f.key].text == key; });
    if (taken.empty())
      for (const auto& f : out) taken.insert(m_tree[f.key].text);
    return taken.count(key) > 0;
  };
  std::vector<YamlId> merges;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    const YamlId key = children[i];
    const YamlNode& k = m_tree[key];
    if (k.kind != YamlKind::scalar) {
      error("schema", key,
            fmt::format("a key {} must be a name, found {}", ctx.where, describe(key)), ctx);
      continue;
    }
    if (!k.quoted && k.text == "<<") {
      merges.push_back(children[i + 1]);
      continue;
    }
    // Written keys are unique (the parser dropped duplicates); merged ones may repeat.
    if (depth > 0 && is_taken(k.text)) continue;
    out.push_back({key, children[i + 1]});
    if (!taken.empty()) taken.insert(k.text);
  }
  for (const YamlId merge : merges) {
    const auto merge_one = [&](YamlId m) {
      if (m_tree[m].kind != YamlKind::map) {
        error("schema", m,
              fmt::format("merge key \"<<\" {} must be followed by a map or a list of "
                          "maps, found {}",
                          ctx.where, describe(m)),
              ctx);
        return;
      }
      if (depth + 1 > k_max_merge_depth) {
        error("schema", m,
              fmt::format("merge keys {} nest deeper than {} levels", ctx.where, k_max_merge_depth),
              ctx);
        return;
      }
      collect(m, out, ctx, depth + 1);
    };
    if (m_tree[merge].kind == YamlKind::sequence) {
      for (const YamlId item : m_tree[merge].children) merge_one(item);
    } else {
      merge_one(merge);
    }
  }
}

void name_the_file(Diagnostics& diags, std::size_t from, const std::string& file) {
  for (std::size_t i = from; i < diags.size(); ++i)
    if (diags[i].subjects.empty()) diags[i].subjects = {file};
}

void YamlReader::unknown_key(const YamlField& f, const std::vector<std::string>& allowed,
                             const YamlContext& ctx) {
  const std::string& k = key(f);
  const std::string match = m_suggester.small(k, allowed);
  std::string message = fmt::format("unknown key {} {}", in_quotes(k), ctx.where);
  if (!match.empty()) {
    message += fmt::format("; did you mean {}?", in_quotes(match));
    m_suggested.emplace(ctx.where, match);
  } else {
    message += fmt::format("; expected one of {}", in_quotes_list(allowed));
  }
  // At the top level the key itself is what the finding is about.
  error("schema", f.key, std::move(message), ctx.subjects.empty() ? YamlContext{ctx.where, {k}} : ctx);
}

void YamlReader::missing_key(std::string_view key_name, const Location& at,
                             const YamlContext& ctx) {
  // A misspelt required key is one mistake: its "did you mean" already names the key.
  if (m_suggested.count({ctx.where, std::string(key_name)}) != 0) return;
  error("schema", at, fmt::format("missing required key {} {}", in_quotes(key_name), ctx.where),
        ctx.subjects.empty() ? YamlContext{ctx.where, {std::string(key_name)}} : ctx);
}

bool YamlReader::expect_map(YamlId id, std::string_view what, const YamlContext& ctx) {
  if (m_tree[id].kind == YamlKind::map) return true;
  error("schema", id, fmt::format("{} must be a map, found {}", what, describe(id)), ctx);
  return false;
}

bool YamlReader::expect_list(YamlId id, std::string_view what, const YamlContext& ctx) {
  if (m_tree[id].kind == YamlKind::sequence) return true;
  error("schema", id, fmt::format("{} must be a list, found {}", what, describe(id)), ctx);
  return false;
}

bool YamlReader::scalar_for(const YamlField& f, std::string_view expected, const YamlContext& ctx) {
  if (m_tree[f.value].kind == YamlKind::scalar) return true;
  error("schema", f.value,
        fmt::format("{} must be {}, found {}", in_quotes(key(f)), expected, describe(f.value)),
        ctx);
  return false;
}

std::optional<Located<std::string>> YamlReader::string(const YamlField& f, const YamlContext& ctx) {
  if (!scalar_for(f, "a string", ctx)) return std::nullopt;
  const YamlNode& v = m_tree[f.value];
  if (v.text.empty()) {
    error("schema", f.value, fmt::format("{} must not be empty", in_quotes(key(f))), ctx);
    return std::nullopt;
  }
  return Located<std::string>{v.text, loc(f.value)};
}

std::optional<Located<std::int64_t>> YamlReader::integer(const YamlField& f,
                                                         const YamlContext& ctx) {
  const YamlNode& v = m_tree[f.value];
  std::optional<std::int64_t> value;
  if (v.kind == YamlKind::scalar && !v.quoted) value = parse_decimal(v.text);
  if (!value) {
    error("schema", f.value,
          fmt::format("{} must be an integer, found {}", in_quotes(key(f)), describe(f.value)),
          ctx);
    return std::nullopt;
  }
  return Located<std::int64_t>{*value, loc(f.value)};
}

std::optional<Located<int>> YamlReader::port(const YamlField& f, const YamlContext& ctx) {
  const auto value = integer(f, ctx);
  if (!value) return std::nullopt;
  if (value->value < 1 || value->value > 65535) {
    error("address", f.value,
          fmt::format("{} must be a port from 1 to 65535, found {}", in_quotes(key(f)),
                      node(f.value).text),
          ctx);
    return std::nullopt;
  }
  return Located<int>{static_cast<int>(value->value), value->loc};
}

std::optional<Located<bool>> YamlReader::boolean(const YamlField& f, const YamlContext& ctx) {
  const YamlNode& v = m_tree[f.value];
  if (v.kind == YamlKind::scalar && !v.quoted)
    if (const auto b = parse_bool(v.text)) return Located<bool>{*b, loc(f.value)};
  error("schema", f.value,
        fmt::format("{} must be true or false, found {}", in_quotes(key(f)), describe(f.value)),
        ctx);
  return std::nullopt;
}

std::optional<Located<std::string>> YamlReader::choice(const YamlField& f,
                                                       const std::vector<std::string>& allowed,
                                                       const YamlContext& ctx) {
  const YamlNode& v = m_tree[f.value];
  if (v.kind == YamlKind::scalar &&
      std::find(allowed.begin(), allowed.end(), v.text) != allowed.end())
    return Located<std::string>{v.text, loc(f.value)};
  std::string message = fmt::format("{} must be one of {}, found {}", in_quotes(key(f)),
                                    in_quotes_list(allowed), describe(f.value));
  if (v.kind == YamlKind::scalar) {
    const std::string match = m_suggester.small(v.text, allowed);
    if (!match.empty()) message += fmt::format("; did you mean {}?", in_quotes(match));
  }
  error("schema", f.value, std::move(message), ctx);
  return std::nullopt;
}

std::optional<Located<std::string>> YamlReader::item_string(YamlId id, std::string_view what,
                                                            const YamlContext& ctx) {
  const YamlNode& v = m_tree[id];
  if (v.kind == YamlKind::scalar && !v.text.empty()) return Located<std::string>{v.text, loc(id)};
  error("schema", id,
        fmt::format("items of {} must be node names, found {}", in_quotes(what), describe(id)),
        ctx);
  return std::nullopt;
}

}  // namespace picket
