#include "topology/yaml_tree.hpp"
// Approach: libyaml's event parser drives a builder that keeps a stack of open collections and
// appends every value to
// an arena (YamlTree::m_nodes) in creation order, so the subtree of the entry being read is
// always the arena's tail. An entry of a streamed collection is handed to the sink when it
// completes and the tail is cut off again, unless an anchor lives in it (a later alias may
// still point there). Aliases store the anchored node's id: shared, never copied. Each node
// records its size with aliases expanded; a running total stops alias bombs long before they
// cost time or memory. Duplicate keys are found here: an event parser does not look for them.

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <array>
#include <new>
#include <optional>
#include <unordered_map>

#include "topology/utf8.hpp"

namespace picket {
namespace {

// Values that aliases may add on top of the text: a billion laughs needs only a few hundred
// bytes to ask for 10^9 values, a real file asks for a few per line at most.
constexpr std::uint64_t k_alias_budget_base = 1'000'000;
constexpr std::uint64_t k_alias_budget_per_byte = 2;
// Collections may nest 499 deep (the builder stops at the 500th level); flow nesting is refused
// at the same depth before it starts (see check_flow_depth).
constexpr std::size_t k_max_depth = 499;
// Maps with more keys than this find duplicates through a hash table instead of a scan.
constexpr std::size_t k_linear_key_scan = 16;

// Thrown from event callbacks to stop the parse; caught in run_parser.
struct ParseAbort {
  Diagnostic diagnostic;
};

// Thrown from event callbacks when the sink refuses the root; not an error by itself.
struct StopParse {};

// Where an event starts: `pos` is the byte offset after a UTF-8 byte order mark (-1 when
// unknown), `line` and `column` are 0-based, the column in bytes (libyaml counts characters;
// the driver converts).
struct Mark {
  long pos = -1;
  int line = -1;
  int column = -1;
};

// An anchor defined in the document, numbered from 1 in order of definition (0: none).
using AnchorId = std::size_t;

std::uint32_t to_line(int zero_based) {
  return zero_based < 0 ? 0 : static_cast<std::uint32_t>(zero_based) + 1;
}

// The 1-based line and byte column of byte `i` of the text.
Location location_of(std::string_view text, std::size_t i,
                     const std::shared_ptr<const std::string>& file) {
  const auto head = text.substr(0, i);
  const std::size_t nl = head.rfind('\n');
  const std::size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
  return {file, static_cast<std::uint32_t>(std::count(head.begin(), head.end(), '\n')) + 1,
          static_cast<std::uint32_t>(i - line_start + 1)};
}

// The encoding is checked before libyaml sees the text: one clear error (UTF-16, a control
// character, a bad UTF-8 byte) instead of a parser complaint further on. `ascii` is set to
// whether the text holds only ASCII.
std::optional<Diagnostic> check_encoding(std::string_view text,
                                         const std::shared_ptr<const std::string>& file,
                                         bool& ascii) {
  ascii = true;
  // UTF-16 and UTF-32 start with a byte order mark or, for ASCII text, a NUL byte in the first
  // two: name the encoding rather than the first odd byte.
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF") ||
      (text.size() >= 2 && (text[0] == '\0' || text[1] == '\0')))
    return Diagnostic{"syntax",
                      Severity::error,
                      "the file is UTF-16 or UTF-32 text; expected UTF-8 (convert it, e.g. "
                      "with iconv -f UTF-16 -t UTF-8)",
                      {file, 1, 1},
                      {}};
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c < 0x80)
      return Diagnostic{"syntax",
                        Severity::error,
                        fmt::format("control character 0x{:02x} is not allowed; expected a "
                                    "YAML text file",
                                    c),
                        location_of(text, i, file),
                        {}};
    ascii = false;
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0)
      return Diagnostic{"syntax",
                        Severity::error,
                        fmt::format("invalid UTF-8 (byte 0x{:02x}); expected a UTF-8 text file", c),
                        location_of(text, i, file),
                        {}};
    i += len;
  }
  return std::nullopt;
}

// A YAML scanner queues every token of a run of unclosed "[" or "{" (each may start a key)
// before a parser gets to count the depth: 10 MB of "[" would cost gigabytes. So flow nesting
// is measured here first, skipping quoted scalars and comments. Block scalars are not
// recognised; their brackets are counted, which can only report too deep early, never miss a
// real nesting.
std::optional<Diagnostic> check_flow_depth(std::string_view text,
                                           const std::shared_ptr<const std::string>& file) {
  // What a byte does outside quotes and comments.
  enum Class : std::uint8_t { other, separator, opener_if_token, open, close };
  static const auto k_class = [] {
    std::array<std::uint8_t, 256> t{};
    for (const unsigned char c : {' ', '\t', ',', ':', '-', '?', '\n'}) t[c] = separator;
    for (const unsigned char c : {'#', '"', '\''}) t[c] = opener_if_token;
    t['['] = t['{'] = open;
    t[']'] = t['}'] = close;
    return t;
  }();
  bool token_start = true;  // a quote or "#" here opens a quoted scalar or a comment
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (k_class[static_cast<unsigned char>(c)]) {
      case other:
        token_start = false;
        break;
      case separator:
        token_start = true;
        break;
      case open:
        if (++depth > k_max_depth)
          return Diagnostic{"syntax",
                            Severity::error,
                            fmt::format("values nest deeper than {} levels; expected a flatter "
                                        "document",
                                        k_max_depth),
                            location_of(text, i, file),
                            {}};
        token_start = true;
        break;
      case close:
        if (depth > 0) --depth;
        token_start = false;
        break;
      case opener_if_token:
        if (!token_start) break;
        if (c == '#') {
          i = text.find('\n', i);  // the comment runs to the end of the line
          if (i == std::string_view::npos) return std::nullopt;
          token_start = true;
        } else if (c == '\'') {
          // '' inside is an escaped quote: the scalar goes on after it.
          do {
            i = text.find('\'', i + 1);
            if (i == std::string_view::npos) return std::nullopt;
          } while (i + 1 < text.size() && text[i + 1] == '\'' && ++i);
          token_start = false;
        } else {
          for (++i; i < text.size() && text[i] != '"'; ++i)
            if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n') ++i;
          if (i >= text.size()) return std::nullopt;
          token_start = false;
        }
        break;
    }
  }
  return std::nullopt;
}

// Rough number of entries of a block collection whose first entry starts at `pos`, `column`:
// the lines indented exactly like the first entry (and starting with "-" for a sequence),
// up to the first line indented less. Only used to reserve memory; 0 when unknown.
std::size_t estimate_entries(std::string_view text, std::size_t pos, std::uint32_t column,
                             bool sequence) {
  if (pos >= text.size() || column == 0 || text[pos] == '{' || text[pos] == '[') return 0;
  const std::size_t indent = column - 1;
  std::size_t i = text.rfind('\n', pos);
  i = i == std::string_view::npos ? 0 : i + 1;
  std::size_t count = 0;
  while (i < text.size()) {
    std::size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::size_t s = i;
    while (s < end && text[s] == ' ') ++s;
    const char c = s < end ? text[s] : '\n';
    if (c != '\n' && c != '\r' && c != '#') {
      const std::size_t depth = s - i;
      if (depth < indent) break;
      if (depth == indent) {
        if (sequence && c != '-') break;
        ++count;
      }
    }
    i = end + 1;
  }
  return count;
}

}  // namespace

class YamlTreeBuilder {
 public:
  YamlTreeBuilder(std::string_view text, const std::shared_ptr<const std::string>& file,
                  YamlTree& tree, YamlEntrySink* sink, Diagnostics& out)
      : m_text(text),
        m_file(file),
        m_nodes(tree.m_nodes),
        m_tree(tree),
        m_sink(sink),
        m_out(out),
        m_budget(k_alias_budget_base + k_alias_budget_per_byte * text.size()) {
    // Mark::pos counts from after a UTF-8 byte order mark.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") m_bom = 3;
    m_nodes.clear();
    m_tree.m_used = 0;
  }

  YamlId root() const { return m_root; }
  const YamlTree& tree() const { return m_tree; }

  void on_document_start(const Mark& mark) {
    if (++m_documents > 1)
      abort_with("schema", mark,
                 "a second YAML document starts here; expected one document per file");
  }
  // A null: written as ~ or null, or left out (`empty`).
  void on_null(const Mark& mark, AnchorId anchor, bool empty) {
    begin_value();
    const YamlId id = new_node(YamlKind::null, mark, anchor);
    YamlNode& n = m_nodes[id];
    n.empty = empty;
    if (n.empty) place_empty(n, mark);
    finish(id);
  }

  void on_alias(const Mark& mark, AnchorId anchor, std::string_view name) {
    begin_value();
    if (anchor >= m_anchors.size() || m_anchors[anchor] == k_no_yaml)
      abort_with("syntax", mark,
                 fmt::format("invalid YAML: alias \"*{}\" refers to no anchor defined before "
                             "it",
                             name));
    const YamlId target = m_anchors[anchor];
    if (m_nodes[target].expanded == 0)
      abort_with("schema", mark,
                 fmt::format("alias \"*{}\" refers to a value that contains it; expected an "
                             "alias to a complete value",
                             m_anchor_names[anchor]));
    count_values(m_nodes[target].expanded, mark);
    finish(target);
  }

  // A scalar; `tag` is "?" for a plain one and "!" for a quoted or block one when it has
  // no tag of its own, else its full tag.
  void on_scalar(const Mark& mark, std::string_view tag, AnchorId anchor, std::string_view value) {
    begin_value();
    check_tag(tag, mark);
    const YamlId id = new_node(YamlKind::scalar, mark, anchor);
    YamlNode& n = m_nodes[id];
    n.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    n.text.assign(value);
    finish(id);
  }

  void on_sequence_start(const Mark& mark, std::string_view tag, AnchorId anchor) {
    open(YamlKind::sequence, mark, tag, anchor);
  }
  void on_sequence_end() { close(); }

  void on_map_start(const Mark& mark, std::string_view tag, AnchorId anchor) {
    open(YamlKind::map, mark, tag, anchor);
  }
  void on_map_end() { close(); }

  // Where a key of the innermost open map sits: "nodes.validator.host", "links[2].over".
  std::string key_path(const std::string& key) const {
    std::string path;
    for (std::size_t i = 0; i + 1 < m_stack.size(); ++i) {
      const Frame& f = m_stack[i];
      if (!f.is_map) {
        path += "[" + std::to_string(f.items) + "]";
      } else if (f.key != k_no_yaml) {  // the key whose value is open
        if (!path.empty()) path += '.';
        path += m_nodes[f.key].text;
      }
    }
    return path.empty() ? key : path + "." + key;
  }

  // The name of the anchor the next value defines.
  void on_anchor(std::string_view name) { m_anchor_name.assign(name); }

 private:
  struct Frame {
    YamlId id = k_no_yaml;
    bool is_map = false;
    bool expecting_key = true;
    bool skip_value = false;      // the pending key is a duplicate: its value is dropped
    bool streamed = false;        // entries go to the sink, not into `children`
    YamlId key = k_no_yaml;       // the pending key of a map
    std::size_t entry_start = 0;  // arena size when the current entry began
    std::uint64_t expanded = 1;
    std::size_t items = 0;   // a sequence's items so far (the open one is number `items`)
    std::string stream_key;  // the top-level key of a streamed collection
    // Key text -> line, for maps too big for a linear scan (and every streamed map).
    std::unique_ptr<std::unordered_map<std::string, std::uint32_t>> keys;
  };

  [[noreturn]] void abort_with(const char* rule, const Mark& mark, std::string message) {
    throw ParseAbort{Diagnostic{rule, Severity::error, std::move(message), location(mark), {}}};
  }

  Location location(const Mark& mark) const {
    return {m_file, to_line(mark.line), to_line(mark.column)};
  }

  Location location(const YamlNode& n) const { return {m_file, n.line, n.column}; }

  void check_tag(std::string_view tag, const Mark& mark) {
    if (tag.empty() || tag == "?" || tag == "!" || tag.rfind("tag:yaml.org,2002:", 0) == 0) return;
    add_error(m_out, "schema", location(mark),
              fmt::format("unsupported tag \"{}\"; expected an untagged value", tag));
  }

  // Adds `n` values to the expanded size of the document.
  void count_values(std::uint64_t n, const Mark& mark) {
    m_expanded += n;
    if (m_expanded > m_budget)
      abort_with("schema", mark,
                 fmt::format("aliases expand the document past {} values; expected at most "
                             "that many for a file of this size",
                             m_budget));
  }

  // Called before each value: remembers where an entry's nodes begin in the arena.
  void begin_value() {
    if (m_stack.empty()) return;
    Frame& f = m_stack.back();
    if (f.is_map ? f.expecting_key : f.streamed) f.entry_start = m_tree.m_used;
  }

  YamlId new_node(YamlKind kind, const Mark& mark, AnchorId anchor) {
    count_values(1, mark);
    const auto id = static_cast<YamlId>(m_tree.m_used);
    if (id == k_no_yaml) abort_with("schema", mark, "the document holds too many values");
    if (m_tree.m_used == m_nodes.size()) m_nodes.emplace_back();
    ++m_tree.m_used;
    YamlNode& n = m_nodes[id];
    n.text.clear();
    n.children.clear();
    n.quoted = false;
    n.empty = false;
    n.kind = kind;
    n.line = to_line(mark.line);
    n.column = to_line(mark.column);
    n.expanded = kind == YamlKind::map || kind == YamlKind::sequence ? 0 : 1;
    if (anchor != 0) {
      if (anchor >= m_anchors.size()) {
        m_anchors.resize(anchor + 1, k_no_yaml);
        m_anchor_names.resize(anchor + 1);
      }
      m_anchors[anchor] = id;
      m_anchor_names[anchor] = std::move(m_anchor_name);
      m_last_anchored = id;
    }
    m_anchor_name.clear();
    return id;
  }

  // A left-out value is marked where it would have started. Point at its key instead, or at
  // the "-" of an empty sequence item.
  void place_empty(YamlNode& n, const Mark& mark) const {
    if (m_stack.empty()) return;
    const Frame& f = m_stack.back();
    if (f.is_map) {
      if (!f.expecting_key && f.key != k_no_yaml) {
        n.line = m_nodes[f.key].line;
        n.column = m_nodes[f.key].column;
      }
      return;
    }
    if (mark.pos < 0) return;
    std::size_t pos = static_cast<std::size_t>(mark.pos) + m_bom;
    if (pos > m_text.size()) return;
    std::uint32_t lines_back = 0;
    while (pos > m_bom) {
      const char c = m_text[pos - 1];
      if (c == '\n') ++lines_back;
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
      --pos;
    }
    if (pos == m_bom || m_text[pos - 1] != '-' || n.line <= lines_back) return;
    const std::size_t dash = pos - 1;
    const std::size_t nl = m_text.rfind('\n', dash);
    const std::size_t line_start = nl == std::string_view::npos ? m_bom : nl + 1;
    n.line -= lines_back;
    n.column = static_cast<std::uint32_t>(dash - line_start + 1);
  }

  void open(YamlKind kind, const Mark& mark, std::string_view tag, AnchorId anchor) {
    begin_value();
    if (m_stack.size() >= k_max_depth)
      abort_with("syntax", mark,
                 fmt::format("values nest deeper than {} levels; expected a flatter document",
                             k_max_depth));
    check_tag(tag, mark);
    const YamlId id = new_node(kind, mark, anchor);
    if (m_stack.empty() && m_sink != nullptr && !m_sink->accept_root(kind)) {
      m_root = id;
      m_nodes[id].expanded = 1;
      throw StopParse{};
    }
    Frame f;
    f.id = id;
    f.is_map = kind == YamlKind::map;
    // The collections under top-level keys may stream; not when anchored, since an alias
    // would then find an emptied collection.
    if (m_sink != nullptr && m_stack.size() == 1 && anchor == 0) {
      const Frame& parent = m_stack.back();
      if (parent.is_map && !parent.expecting_key && !parent.skip_value &&
          m_nodes[parent.key].kind == YamlKind::scalar &&
          m_sink->stream_entries(m_nodes[parent.key].text, kind)) {
        f.streamed = true;
        f.stream_key = m_nodes[parent.key].text;
        // Duplicates are found by hash here: the earlier entries are gone from the tree.
        f.keys = std::make_unique<std::unordered_map<std::string, std::uint32_t>>();
        const std::size_t pos =
            mark.pos < 0 ? m_text.size() : static_cast<std::size_t>(mark.pos) + m_bom;
        const std::size_t estimate =
            estimate_entries(m_text, pos, m_nodes[id].column,
                                          kind == YamlKind::sequence);
        if (kind == YamlKind::map) f.keys->reserve(estimate);
        m_sink->on_collection(f.stream_key, estimate);
      }
    }
    m_stack.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    m_nodes[f.id].expanded = f.expanded;
    finish(f.id);
  }

  // Drops the arena's tail from `start` on, unless an anchored node lives there.
  void drop_from(std::size_t start) {
    if (m_last_anchored != k_no_yaml && m_last_anchored >= start) return;
    if (start < m_tree.m_used) m_tree.m_used = start;
  }

  // Line of an earlier key with the same text in map `f`, or 0.
  std::uint32_t earlier_key(Frame& f, const std::string& text) {
    if (!f.keys) {
      const auto& ch = m_nodes[f.id].children;
      if (ch.size() / 2 < k_linear_key_scan) {
        for (std::size_t i = 0; i < ch.size(); i += 2) {
          const YamlNode& k = m_nodes[ch[i]];
          if (k.kind == YamlKind::scalar && k.text == text) return k.line;
        }
        return 0;
      }
      f.keys = std::make_unique<std::unordered_map<std::string, std::uint32_t>>();
      for (std::size_t i = 0; i < ch.size(); i += 2) {
        const YamlNode& k = m_nodes[ch[i]];
        if (k.kind == YamlKind::scalar) f.keys->emplace(k.text, k.line);
      }
    }
    auto it = f.keys->find(text);
    return it == f.keys->end() ? 0 : it->second;
  }

  // A value is complete: hand it to its parent (or make it the root).
  void finish(YamlId id) {
    if (m_stack.empty()) {
      m_root = id;
      return;
    }
    Frame& f = m_stack.back();
    YamlNode& parent = m_nodes[f.id];
    if (!f.is_map) {
      ++f.items;
      if (f.streamed) {
        m_sink->on_entry(m_tree, f.stream_key, k_no_yaml, id);
        drop_from(f.entry_start);
        return;
      }
      f.expanded += m_nodes[id].expanded;
      parent.children.push_back(id);
      return;
    }
    if (f.expecting_key) {
      f.expecting_key = false;
      f.key = id;
      f.skip_value = false;
      const YamlNode& k = m_nodes[id];
      if (k.kind != YamlKind::scalar) return;
      if (const std::uint32_t first = earlier_key(f, k.text)) {
        add_error(m_out, "duplicate", location(k),
                  fmt::format("duplicate key \"{}\" (first at line {})", k.text, first),
                  {key_path(k.text)});
        f.skip_value = true;
      } else if (f.keys) {
        f.keys->emplace(k.text, k.line);
      }
      return;
    }
    f.expecting_key = true;
    const YamlId key = f.key;
    f.key = k_no_yaml;
    if (f.skip_value) {
      drop_from(f.entry_start);
      return;
    }
    const YamlNode& k = m_nodes[key];
    const bool merge = k.kind == YamlKind::scalar && !k.quoted && k.text == "<<";
    if (f.streamed && !merge) {
      m_sink->on_entry(m_tree, f.stream_key, key, id);
      drop_from(f.entry_start);
      return;
    }
    f.expanded += m_nodes[key].expanded + m_nodes[id].expanded;
    parent.children.push_back(key);
    parent.children.push_back(id);
  }

  std::string_view m_text;
  const std::shared_ptr<const std::string>& m_file;
  std::vector<YamlNode>& m_nodes;
  YamlTree& m_tree;
  YamlEntrySink* m_sink;
  Diagnostics& m_out;
  std::uint64_t m_budget;
  std::uint64_t m_expanded = 0;
  std::size_t m_bom = 0;
  int m_documents = 0;
  YamlId m_root = k_no_yaml;
  std::vector<Frame> m_stack;
  std::vector<YamlId> m_anchors;  // AnchorId -> node
  std::vector<std::string> m_anchor_names;
  std::string m_anchor_name;  // announced by on_anchor for the next node
  YamlId m_last_anchored = k_no_yaml;
};

namespace {

// Turns libyaml's marks, which count characters, into byte offsets and columns. In ASCII text
// they are the same; otherwise a cursor walks the text from the last mark (marks come almost
// in order, so the walk stays linear in the text's size).
class MarkMapper {
 public:
  MarkMapper(std::string_view text, bool ascii) : m_text(text), m_ascii(ascii) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") m_bom = 3;
    m_byte = m_line_start = m_bom;
  }

  Mark operator()(const yaml_mark_t& m) {
    Mark out;
    out.line = static_cast<int>(m.line);
    if (m_ascii) {
      out.pos = static_cast<long>(m.index);
      out.column = static_cast<int>(m.column);
      return out;
    }
    seek(m.index);
    out.pos = static_cast<long>(m_byte - m_bom);
    out.column = static_cast<int>(m_byte - m_line_start);
    return out;
  }

  std::string_view text() const { return m_text; }
  std::size_t bom() const { return m_bom; }

  // 1-based line and byte column of byte `offset` of the text (for reader errors).
  std::pair<std::uint32_t, std::uint32_t> line_column(std::size_t offset) const {
    offset = std::min(offset, m_text.size());
    const auto head = m_text.substr(0, offset);
    const auto line = static_cast<std::uint32_t>(std::count(head.begin(), head.end(), '\n')) + 1;
    const std::size_t nl = head.rfind('\n');
    const std::size_t start = nl == std::string_view::npos ? std::min(m_bom, offset) : nl + 1;
    return {line, static_cast<std::uint32_t>(offset - start + 1)};
  }

 private:
  // Moves the cursor to character `index` (counted after the byte order mark).
  void seek(std::size_t index) {
    if (index < m_char) {
      while (m_char > index && m_byte > m_bom) {
        --m_byte;
        while (m_byte > m_bom && (static_cast<unsigned char>(m_text[m_byte]) & 0xC0) == 0x80)
          --m_byte;
        --m_char;
      }
      const std::size_t nl = m_byte > m_bom ? m_text.rfind('\n', m_byte - 1) : std::string_view::npos;
      m_line_start = nl == std::string_view::npos || nl < m_bom ? m_bom : nl + 1;
      return;
    }
    while (m_char < index && m_byte < m_text.size()) {
      const char c = m_text[m_byte];
      const std::size_t len = std::max<std::size_t>(1, utf8_sequence_length(m_text, m_byte));
      m_byte = std::min(m_text.size(), m_byte + len);
      ++m_char;
      if (c == '\n') m_line_start = m_byte;
    }
  }

  std::string_view m_text;
  bool m_ascii;
  std::size_t m_bom = 0;
  std::size_t m_char = 0;        // the cursor, in characters after the byte order mark
  std::size_t m_byte = 0;        // the cursor, in bytes of the text
  std::size_t m_line_start = 0;  // first byte of the cursor's line
};

// Owns a libyaml parser or event for the scope.
struct ParserGuard {
  yaml_parser_t parser{};
  bool ready = false;
  ParserGuard() { ready = yaml_parser_initialize(&parser) != 0; }
  ~ParserGuard() {
    if (ready) yaml_parser_delete(&parser);
  }
  ParserGuard(const ParserGuard&) = delete;
  ParserGuard& operator=(const ParserGuard&) = delete;
};
struct EventGuard {
  yaml_event_t event{};
  bool filled = false;
  ~EventGuard() { clear(); }
  void clear() {
    if (filled) yaml_event_delete(&event);
    filled = false;
  }
  EventGuard() = default;
  EventGuard(const EventGuard&) = delete;
  EventGuard& operator=(const EventGuard&) = delete;
};

std::string_view view(const yaml_char_t* s) {
  return s == nullptr ? std::string_view{} : std::string_view{reinterpret_cast<const char*>(s)};
}

bool plain_null(std::string_view v) {
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

// libyaml's complaint as one diagnostic.
Diagnostic syntax_error(const yaml_parser_t& parser, MarkMapper& marks,
                        const std::shared_ptr<const std::string>& file) {
  const auto at = [&](const yaml_mark_t& m) {
    const Mark mark = marks(m);
    return Location{file, to_line(mark.line), to_line(mark.column)};
  };
  const std::string_view problem = parser.problem == nullptr ? "" : parser.problem;
  const std::string_view context = parser.context == nullptr ? "" : parser.context;
  switch (parser.error) {
    case YAML_MEMORY_ERROR:
      return Diagnostic{"syntax", Severity::error, "out of memory while reading the YAML",
                        {file, 0, 0}, {}};
    case YAML_READER_ERROR: {
      const auto [line, column] = marks.line_column(parser.problem_offset);
      return Diagnostic{"syntax", Severity::error,
                        fmt::format("invalid YAML: {}; expected a YAML text file", problem),
                        {file, line, column}, {}};
    }
    default:
      break;
  }
  const Mark problem_at = marks(parser.problem_mark);
  const Location where = at(parser.problem_mark);
  const std::string_view text = marks.text();
  const std::size_t offset = static_cast<std::size_t>(std::max(0L, problem_at.pos)) + marks.bom();
  // Past the last thing written: the file ends inside what the context names.
  const auto at_end = [&](std::size_t from) {
    for (std::size_t i = from; i < text.size();) {
      i = text.find_first_not_of(" \t\r\n", i);
      if (i == std::string_view::npos) return true;
      if (text[i] != '#' || (i > 0 && text[i - 1] != ' ' && text[i - 1] != '\t' &&
                             text[i - 1] != '\n'))
        return false;
      i = text.find('\n', i);
    }
    return true;
  };
  // "while parsing a flow sequence" -> "flow sequence".
  std::string_view what = context;
  for (const std::string_view lead : {"while parsing a ", "while scanning a "})
    if (what.starts_with(lead)) what.remove_prefix(lead.size());
  const Location opened = at(parser.context_mark);
  const bool context_elsewhere =
      !context.empty() && (opened.line != where.line || opened.column != where.column);
  if (context_elsewhere && what != context && at_end(offset)) {
    const std::string thing = what == "quoted scalar" ? "quoted string" : std::string(what);
    return Diagnostic{"syntax", Severity::error,
                      fmt::format("invalid YAML: the {} that starts here is not closed before the "
                                  "end of the file",
                                  thing),
                      opened, {}};
  }
  if (offset < text.size() && text[offset] == '\t')
    return Diagnostic{"syntax", Severity::error,
                      "invalid YAML: a tab where YAML expects indentation or a value; indent with "
                      "spaces",
                      where, {}};
  if (!context_elsewhere)
    return Diagnostic{"syntax", Severity::error,
                      fmt::format("invalid YAML: {}{}", problem,
                                  at_end(offset) ? " before the end of the file" : ""),
                      where, {}};
  return Diagnostic{"syntax", Severity::error,
                    fmt::format("invalid YAML: {} ({} at line {}, column {})", problem, context,
                                opened.line, opened.column),
                    where, {}};
}

// Runs libyaml over `text` into `builder`. Never throws; failures become diagnostics. `ascii`:
// the text holds no byte above 0x7F.
YamlDocument run_parser(YamlTreeBuilder& builder, std::string_view text,
                        const std::shared_ptr<const std::string>& file, Diagnostics& out,
                        bool ascii) {
  YamlDocument doc;
  const auto fail = [&](const char* rule, const Location& loc, std::string message) {
    add_error(out, rule, loc, std::move(message));
    doc = {YamlStatus::failed, k_no_yaml};
    return doc;
  };
  try {
    ParserGuard guard;
    if (!guard.ready) return fail("syntax", Location{file, 0, 0}, "out of memory while reading the YAML");
    yaml_parser_t& parser = guard.parser;
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    MarkMapper marks(text, ascii);
    std::unordered_map<std::string, AnchorId> anchors;
    const auto define = [&](const yaml_char_t* anchor) -> AnchorId {
      if (anchor == nullptr) return 0;
      const std::string_view name = view(anchor);
      builder.on_anchor(name);
      const AnchorId id = anchors.size() + 1;
      anchors.insert_or_assign(std::string(name), id);
      return id;
    };
    bool document = false;
    EventGuard e;
    for (;;) {
      e.clear();
      if (yaml_parser_parse(&parser, &e.event) == 0) {
        out.push_back(syntax_error(parser, marks, file));
        return doc;
      }
      e.filled = true;
      const yaml_event_t& ev = e.event;
      switch (ev.type) {
        case YAML_STREAM_END_EVENT: {
          if (!document) return {YamlStatus::empty, k_no_yaml};
          const YamlId root = builder.root();
          if (root == k_no_yaml || builder.tree()[root].kind == YamlKind::null)
            return {YamlStatus::empty, k_no_yaml};
          return {YamlStatus::ok, root};
        }
        case YAML_DOCUMENT_START_EVENT:
          document = true;
          builder.on_document_start(marks(ev.start_mark));
          break;
        case YAML_SCALAR_EVENT: {
          const auto& sc = ev.data.scalar;
          const std::string_view value{reinterpret_cast<const char*>(sc.value), sc.length};
          const bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE;
          const Mark mark = marks(ev.start_mark);
          const AnchorId anchor = define(sc.anchor);
          if (sc.tag == nullptr && plain && plain_null(value))
            builder.on_null(mark, anchor, value.empty());
          else
            builder.on_scalar(mark, sc.tag != nullptr ? view(sc.tag) : plain ? "?" : "!", anchor,
                             value);
          break;
        }
        case YAML_ALIAS_EVENT: {
          const std::string name(view(ev.data.alias.anchor));
          const auto it = anchors.find(name);
          builder.on_alias(marks(ev.start_mark), it == anchors.end() ? ~AnchorId{0} : it->second,
                          name);
          break;
        }
        case YAML_SEQUENCE_START_EVENT: {
          const Mark mark = marks(ev.start_mark);
          builder.on_sequence_start(mark, view(ev.data.sequence_start.tag),
                                  define(ev.data.sequence_start.anchor));
          break;
        }
        case YAML_MAPPING_START_EVENT: {
          const Mark mark = marks(ev.start_mark);
          builder.on_map_start(mark, view(ev.data.mapping_start.tag),
                             define(ev.data.mapping_start.anchor));
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
          builder.on_sequence_end();
          break;
        case YAML_MAPPING_END_EVENT:
          builder.on_map_end();
          break;
        default:  // stream start, document end
          break;
      }
    }
  } catch (const StopParse&) {
    return {YamlStatus::ok, builder.root()};
  } catch (const ParseAbort& abort) {
    out.push_back(abort.diagnostic);
    return doc;
  } catch (const std::bad_alloc&) {
    return fail("syntax", Location{file, 0, 0}, "out of memory while reading the YAML");
  } catch (const std::exception& e) {
    return fail("syntax", Location{file, 0, 0}, fmt::format("cannot read the YAML: {}", e.what()));
  } catch (...) {
    return fail("syntax", Location{file, 0, 0}, "cannot read the YAML");
  }
}

}  // namespace

YamlDocument parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file,
                        YamlTree& tree, YamlEntrySink* sink, Diagnostics& out) {
  bool ascii = false;
  try {
    auto bad = check_encoding(text, file, ascii);
    if (!bad) bad = check_flow_depth(text, file);
    if (bad) {
      out.push_back(std::move(*bad));
      return {};
    }
  } catch (const std::exception& e) {
    add_error(out, "syntax", Location{file, 0, 0}, fmt::format("cannot read the YAML: {}", e.what()));
    return {};
  }
  YamlTreeBuilder builder(text, file, tree, sink, out);
  return run_parser(builder, text, file, out, ascii);
}

}  // namespace picket
