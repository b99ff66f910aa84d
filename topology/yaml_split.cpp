#include "topology/yaml_split.hpp"
// Approach: one pass over the lines. A top-level line `key:` with nothing after the colon,
// whose next content line is indented and starts an entry (`name:` or `- `), opens a
// section if the caller streams that key; the section runs to the next content line indented
// less than its entries. Inside, a chunk is closed before an entry line once it holds
// `chunk_bytes`. Whether a cut is really safe is only known once the pieces are parsed; the
// checks here just keep the plan to shapes where a wrong guess shows up as a parse error or
// an unexpected event in some piece (see yaml_tree.cpp), never as a silently different tree.

#include <unordered_set>

namespace picket {
namespace {

bool is_key_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_key_char(char c) { return is_key_start(c) || c == '-' || c == '.'; }

// Length of a plain key at the start of `s` ("name:" then a space or the line's end), or 0.
std::size_t simple_key(std::string_view s) {
  if (s.empty() || !is_key_start(s[0])) return 0;
  std::size_t i = 1;
  while (i < s.size() && is_key_char(s[i])) ++i;
  if (i >= s.size() || s[i] != ':') return 0;
  if (i + 1 < s.size() && s[i + 1] != ' ') return 0;
  return i;
}

// yaml-cpp marks a left-out value at the next token, and the tree builder tells a written
// null by the text there: an entry starting like "null" must keep its context.
bool null_like(std::string_view s) {
  return s.starts_with("null") || s.starts_with("Null") || s.starts_with("NULL");
}

bool is_sequence_entry(std::string_view s) { return s == "-" || s.starts_with("- "); }

// A line without content: blank, or only a comment.
bool is_blank(std::string_view s, std::size_t indent) {
  return indent == std::string_view::npos || s[indent] == '#';
}

}  // namespace

std::vector<YamlSection> plan_yaml_split(
    std::string_view text, std::size_t chunk_bytes,
    const std::function<bool(std::string_view, YamlKind)>& streamed) {
  if (text.starts_with("\xEF\xBB\xBF")) return {};
  // Tabs and carriage returns change how lines and indentation read; not worth modelling.
  if (text.find_first_of("\r\t") != std::string_view::npos) return {};

  std::vector<YamlSection> sections;
  std::unordered_set<std::string_view> top_keys;
  bool content_seen = false;
  bool in_body = false;  // reading the body of sections.back()
  YamlChunk chunk;
  std::size_t chunk_entries = 0;
  std::uint32_t line = 0;
  const auto line_at = [&](std::size_t pos, std::size_t& next) {
    const std::size_t nl = text.find('\n', pos);
    next = nl == std::string_view::npos ? text.size() : nl + 1;
    return text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
  };
  for (std::size_t pos = 0, next = 0; pos < text.size(); pos = next, ++line) {
    const std::string_view s = line_at(pos, next);
    const std::size_t indent = s.find_first_not_of(' ');
    const bool blank = is_blank(s, indent);
    if (in_body) {
      YamlSection& sec = sections.back();
      if (blank) continue;
      const bool inside = sec.indent > 0 ? indent >= sec.indent
                                         : indent > 0 || is_sequence_entry(s);
      if (inside) {
        if (indent == sec.indent) {
          const std::string_view rest = s.substr(indent);
          const bool entry = sec.kind == YamlKind::sequence
                                 ? is_sequence_entry(rest)
                                 : simple_key(rest) > 0 && !null_like(rest);
          if (entry) {
            // Comments and blank lines before the first entry stay with it.
            if (pos - chunk.begin >= chunk_bytes && chunk_entries > 0) {
              chunk.end = pos;
              sec.chunks.push_back(chunk);
              chunk = {pos, 0, line};
              chunk_entries = 0;
            }
            ++sec.entries;
            ++chunk_entries;
          }
        }
        continue;
      }
      chunk.end = pos;
      sec.chunks.push_back(chunk);
      sec.body_end = pos;
      in_body = false;
    }
    if (blank || indent > 0) continue;  // nothing, or inside a top-level value
    if (s[0] == '%') return {};         // directives may redefine tags for the whole file
    if (s.starts_with("---") || s.starts_with("...")) {
      if (content_seen) return {};
      continue;
    }
    content_seen = true;
    const std::size_t key_length = simple_key(s);
    if (key_length == 0) continue;
    const std::string_view key = s.substr(0, key_length);
    if (!top_keys.insert(key).second || null_like(key)) return {};
    if (s.find_first_not_of(' ', key_length + 1) != std::string_view::npos) continue;
    // The first content line below the key says what the value is.
    std::size_t probe = next, probe_next = next;
    std::uint32_t probe_line = line + 1;
    std::string_view first;
    std::size_t first_indent = std::string_view::npos;
    for (; probe < text.size(); probe = probe_next, ++probe_line) {
      first = line_at(probe, probe_next);
      first_indent = first.find_first_not_of(' ');
      if (!is_blank(first, first_indent)) break;
    }
    if (probe >= text.size()) continue;
    const std::string_view rest = first.substr(first_indent);
    YamlKind kind;
    if (is_sequence_entry(rest))
      kind = YamlKind::sequence;
    else if (first_indent > 0 && simple_key(rest) > 0)
      kind = YamlKind::map;
    else
      continue;
    if (!streamed(key, kind)) continue;
    YamlSection sec;
    sec.key = std::string(key);
    sec.key_line = line + 1;
    sec.kind = kind;
    sec.indent = static_cast<std::uint32_t>(first_indent);
    sec.entry_line = probe_line;
    sec.body_begin = next;
    sections.push_back(std::move(sec));
    chunk = {next, 0, line + 1};
    chunk_entries = 0;
    in_body = true;
  }
  if (in_body) {
    chunk.end = text.size();
    sections.back().chunks.push_back(chunk);
    sections.back().body_end = text.size();
  }
  return sections;
}

}  // namespace picket
