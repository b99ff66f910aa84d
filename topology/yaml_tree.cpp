#include "topology/yaml_tree.hpp"
// Approach: a YAML::EventHandler keeps a stack of open collections and appends every value to
// an arena (YamlTree::m_nodes) in creation order, so the subtree of the entry being read is
// always the arena's tail. An entry of a streamed collection is handed to the sink when it
// completes and the tail is cut off again, unless an anchor lives in it (a later alias may
// still point there). Aliases store the anchored node's id: shared, never copied. Each node
// records its size with aliases expanded; a running total stops alias bombs long before they
// cost time or memory. Duplicate keys are found here because yaml-cpp accepts them silently.

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <condition_variable>
#include <istream>
#include <mutex>
#include <new>
#include <optional>
#include <streambuf>
#include <thread>
#include <unordered_map>

#include "topology/yaml_split.hpp"
#include "topology/utf8.hpp"

namespace picket {
namespace {

// Values that aliases may add on top of the text: a billion laughs needs only a few hundred
// bytes to ask for 10^9 values, a real file asks for a few per line at most.
constexpr std::uint64_t k_alias_budget_base = 1'000'000;
constexpr std::uint64_t k_alias_budget_per_byte = 2;
// yaml-cpp's parser refuses values nested 500 deep (DeepRecursion); flow nesting is refused
// at the same depth before it starts (see check_flow_depth).
constexpr std::size_t k_max_depth = 499;
// Maps with more keys than this find duplicates through a hash table instead of a scan.
constexpr std::size_t k_linear_key_scan = 16;

// Thrown from event callbacks to stop yaml-cpp; caught in parse_yaml.
struct ParseAbort {
  Diagnostic diagnostic;
};

// Thrown from event callbacks when the sink refuses the root; not an error by itself.
struct StopParse {};

// Thrown when a file read in pieces may read differently whole: parse it whole instead.
struct SplitFallback {};

// Pieces a worker may parse ahead of the entries handed to the sink (bounds memory).
constexpr std::size_t k_pieces_ahead = 4;

// Lets yaml-cpp read the caller's text in place instead of a copy in a stringstream.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    // The get area is only ever read; streambuf just has no const interface.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

std::uint32_t to_line(int zero_based) {
  return zero_based < 0 ? 0 : static_cast<std::uint32_t>(zero_based) + 1;
}


// yaml-cpp passes invalid UTF-8 through and reads a NUL byte as a bogus escape, so the
// encoding is checked first: one clear error instead of garbage further on.
std::optional<Diagnostic> check_encoding(std::string_view text,
                                         const std::shared_ptr<const std::string>& file) {
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
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    const Location loc{file, line, static_cast<std::uint32_t>(i - line_start + 1)};
    if (c < 0x80) {
      if (c == '\t' || c == '\r') {
        ++i;
        continue;
      }
      return Diagnostic{"syntax",
                        Severity::error,
                        fmt::format("control character 0x{:02x} is not allowed; expected a "
                                    "YAML text file",
                                    c),
                        loc,
                        {}};
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0)
      return Diagnostic{"syntax",
                        Severity::error,
                        fmt::format("invalid UTF-8 (byte 0x{:02x}); expected a UTF-8 text file", c),
                        loc,
                        {}};
    i += len;
  }
  return std::nullopt;
}

// yaml-cpp's parser stops at 500 levels, but its scanner first queues every token of a run of
// unclosed "[" or "{" (each may start a key), about 240 bytes each: 10 MB of "[" costs 2.4 GB
// before the parser gets to count. So flow nesting is measured here first, skipping quoted
// scalars and comments. Block scalars are not recognised; their brackets are counted, which
// can only report too deep early, never miss a real nesting.
std::optional<Diagnostic> check_flow_depth(std::string_view text,
                                           const std::shared_ptr<const std::string>& file) {
  enum class State { plain, double_quoted, single_quoted, comment };
  State state = State::plain;
  bool token_start = true;  // a quote or "#" here opens a quoted scalar or a comment
  std::size_t depth = 0;
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      if (state == State::comment) state = State::plain;
      token_start = true;
      continue;
    }
    switch (state) {
      case State::comment:
        break;
      case State::double_quoted:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n')
          ++i;
        else if (c == '"')
          state = State::plain;
        break;
      case State::single_quoted:
        if (c == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'')
            ++i;  // '' is an escaped quote
          else
            state = State::plain;
        }
        break;
      case State::plain:
        if (token_start && c == '#')
          state = State::comment;
        else if (token_start && c == '"')
          state = State::double_quoted;
        else if (token_start && c == '\'')
          state = State::single_quoted;
        else if ((c == '[' || c == '{') && ++depth > k_max_depth)
          return Diagnostic{"syntax",
                            Severity::error,
                            fmt::format("values nest deeper than {} levels; expected a flatter "
                                        "document",
                                        k_max_depth),
                            {file, line, static_cast<std::uint32_t>(i - line_start + 1)},
                            {}};
        else if ((c == ']' || c == '}') && depth > 0)
          --depth;
        token_start = c == ' ' || c == '\t' || c == '[' || c == '{' || c == ',' || c == ':' ||
                      c == '-' || c == '?';
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

// One piece of a split file and what parsing it on its own gave.
struct Piece {
  std::string_view text;
  std::uint32_t line_offset = 0;  // 0-based line of the piece's first line
  YamlTree tree;
  Diagnostics diagnostics;
  YamlDocument doc;
  bool unsafe = false;
  std::uint64_t values = 0;
  bool done = false;
};

}  // namespace

// The pieces of a split file, parsed ahead on worker threads and by the caller whenever it
// would otherwise wait. At most k_pieces_ahead parsed pieces wait for the caller.
class SplitRun {
 public:
  SplitRun(std::string_view text, const std::shared_ptr<const std::string>& file,
           std::vector<YamlSection> sections, unsigned workers);
  ~SplitRun();
  SplitRun(const SplitRun&) = delete;
  SplitRun& operator=(const SplitRun&) = delete;

  const std::vector<YamlSection>& sections() const { return m_sections; }
  std::size_t first_piece(std::size_t section) const { return m_first_piece[section]; }
  std::size_t pieces() const { return m_pieces.size(); }
  // Piece i, parsed (waits, or parses pieces itself meanwhile).
  Piece& piece(std::size_t i);
  // The caller is done with piece i (and every earlier one): its memory goes.
  void release(std::size_t i);

 private:
  bool may_claim() const { return m_next < m_pieces.size() && m_next < m_released + k_pieces_ahead; }
  void parse(std::size_t i);
  void work();

  const std::shared_ptr<const std::string>& m_file;
  std::vector<YamlSection> m_sections;
  std::vector<std::size_t> m_first_piece;
  std::vector<Piece> m_pieces;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::size_t m_next = 0;      // next piece nobody parses yet
  std::size_t m_released = 0;  // pieces the caller is done with
  bool m_stop = false;
  // Arenas of released pieces, reused with their string and vector buffers: fresh ones for
  // every piece would cost the kernel a page fault per 4 KiB, each time.
  std::vector<YamlTree> m_spare;
  std::vector<std::thread> m_threads;
};

class YamlTreeBuilder final : public YAML::EventHandler {
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
    // yaml-cpp's marks count from after a UTF-8 byte order mark.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") m_bom = 3;
    m_nodes.clear();
    m_tree.m_used = 0;
  }

  YamlId root() const { return m_root; }
  const YamlTree& tree() const { return m_tree; }

  // Reads one piece of a split file (lines from `line_offset` on, 0-based) on its own.
  void read_piece(std::uint32_t line_offset) {
    m_line_offset = line_offset;
    m_piece = true;
    m_content_end = content_end(m_text);
  }
  // Reads the rest of a split file: its sections' bodies are blank lines here, and their
  // entries come from the pieces of `run`. `text_size` is the whole file's size.
  void read_skeleton(SplitRun& run, std::size_t text_size) {
    m_split = &run;
    m_budget = k_alias_budget_base + k_alias_budget_per_byte * text_size;
  }
  // A piece that may read differently in its file: an anchor or alias (may refer across
  // pieces), or a left-out value whose end yaml-cpp only finds past the piece.
  bool unsafe() const { return m_unsafe; }
  // Values created (the alias budget's count).
  std::uint64_t values() const { return m_expanded; }
  // Diagnostics the builder itself added (not the sink's).
  std::size_t own_diagnostics() const { return m_own_diagnostics; }
  // Whether every planned section of a skeleton got its entries.
  bool all_sections_spliced() const;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++m_documents > 1)
      abort_with("schema", mark,
                 "a second YAML document starts here; expected one document per file");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (m_split != nullptr && anchor == 0 && splice_section()) return;
    begin_value();
    const YamlId id = new_node(YamlKind::null, mark, anchor);
    YamlNode& n = m_nodes[id];
    n.empty = !written_null(mark);
    if (n.empty && m_piece && (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= m_content_end))
      m_unsafe = true;
    if (n.empty) place_empty(n, mark);
    finish(id);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (m_piece) m_unsafe = true;
    begin_value();
    if (anchor >= m_anchors.size() || m_anchors[anchor] == k_no_yaml)
      abort_with("syntax", mark, "alias to an unknown anchor");
    const YamlId target = m_anchors[anchor];
    if (m_nodes[target].expanded == 0)
      abort_with("schema", mark,
                 fmt::format("alias \"*{}\" refers to a value that contains it; expected an "
                             "alias to a complete value",
                             m_anchor_names[anchor]));
    count_values(m_nodes[target].expanded, mark);
    finish(target);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    begin_value();
    check_tag(tag, mark);
    const YamlId id = new_node(YamlKind::scalar, mark, anchor);
    YamlNode& n = m_nodes[id];
    // yaml-cpp tags quoted and block scalars "!" and plain ones "?".
    n.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    // yaml-cpp ends a quoted scalar left open at the end of the text without complaint: in
    // a piece, the quote may close in a later one.
    if (m_piece && tag != "?" && !closes_in_piece(mark)) m_unsafe = true;
    n.text = value;
    if (tag == "!") check_closed(mark);
    finish(id);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlKind::sequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlKind::map, mark, tag, anchor);
  }
  void OnMapEnd() override { close(); }

  void OnAnchor(const YAML::Mark&, const std::string& name) override { m_anchor_name = name; }

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
    std::string stream_key;  // the top-level key of a streamed collection
    // Key text -> line, for maps too big for a linear scan (and every streamed map).
    std::unique_ptr<std::unordered_map<std::string, std::uint32_t>> keys;
  };

  [[noreturn]] void abort_with(const char* rule, const YAML::Mark& mark, std::string message) {
    throw ParseAbort{Diagnostic{rule, Severity::error, std::move(message), location(mark), {}}};
  }

  Location location(const YAML::Mark& mark) const {
    return {m_file, to_line(mark.line) + m_line_offset, to_line(mark.column)};
  }

  // Whether a scalar at `mark`, if quoted, has its closing quote in the text.
  bool closes_in_piece(const YAML::Mark& mark) const {
    if (mark.pos < 0) return false;
    std::size_t i = static_cast<std::size_t>(mark.pos);
    if (i < m_text.size() && m_text[i] == '!') {  // skip a tag
      while (i < m_text.size() && m_text[i] != ' ' && m_text[i] != '\n') ++i;
      while (i < m_text.size() && m_text[i] == ' ') ++i;
    }
    if (i >= m_text.size()) return false;
    const char quote = m_text[i];
    if (quote != '"' && quote != '\'') return true;  // a block scalar
    for (++i; i < m_text.size(); ++i) {
      const char c = m_text[i];
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < m_text.size() && m_text[i + 1] == '\'') {
          ++i;
        } else {
          return true;
        }
      }
    }
    return false;
  }

  // Offset after the last line of `text` holding more than blanks and a comment.
  static std::size_t content_end(std::string_view text) {
    std::size_t end = text.size();
    while (end > 0) {
      const std::size_t nl = end >= 2 ? text.rfind('\n', end - 2) : std::string_view::npos;
      const std::size_t start = nl == std::string_view::npos ? 0 : nl + 1;
      const std::size_t first = text.find_first_not_of(" \n", start);
      if (first < end && text[first] != '#') return end;
      end = start;
    }
    return 0;
  }

  // Instead of the null a skeleton holds for a planned section: the streamed collection,
  // its entries taken from the pieces in file order. False when this null is not one.
  bool splice_section();
  // Hands the entries of one parsed piece to the sink, as finish() would have one by one.
  void deliver(Piece& piece, const YamlSection& section);

  Location location(const YamlNode& n) const { return {m_file, n.line, n.column}; }

  void check_tag(const std::string& tag, const YAML::Mark& mark) {
    if (tag.empty() || tag == "?" || tag == "!" || tag.rfind("tag:yaml.org,2002:", 0) == 0) return;
    ++m_own_diagnostics;
    add_error(m_out, "schema", location(mark),
              fmt::format("unsupported tag \"{}\"; expected an untagged value", tag));
  }

  // Adds `n` values to the expanded size of the document.
  void count_values(std::uint64_t n, const YAML::Mark& mark) {
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

  YamlId new_node(YamlKind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
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
    n.line = to_line(mark.line) + m_line_offset;
    n.column = to_line(mark.column);
    n.expanded = kind == YamlKind::map || kind == YamlKind::sequence ? 0 : 1;
    if (anchor != 0) {
      if (anchor >= m_anchors.size()) {
        m_anchors.resize(anchor + 1, k_no_yaml);
        m_anchor_names.resize(anchor + 1);
      }
      m_anchors[anchor] = id;
      if (m_piece) m_unsafe = true;
      m_anchor_names[anchor] = std::move(m_anchor_name);
      m_last_anchored = id;
    }
    m_anchor_name.clear();
    return id;
  }

  // True when a null was written as ~ or null, not left out.
  // yaml-cpp accepts a quoted scalar that runs to the end of the file in block context: a file
  // cut off inside a string would load with the rest of the file silently missing.
  void check_closed(const YAML::Mark& mark) {
    if (mark.pos < 0) return;
    const std::size_t start = static_cast<std::size_t>(mark.pos) + m_bom;
    if (start >= m_text.size()) return;
    const char quote = m_text[start];
    if (quote != '"' && quote != '\'') return;
    for (std::size_t i = start + 1; i < m_text.size(); ++i) {
      if (quote == '"' && m_text[i] == '\\') {
        ++i;
      } else if (m_text[i] == quote) {
        if (quote == '"' || i + 1 == m_text.size() || m_text[i + 1] != '\'') return;
        ++i;  // '' inside a single-quoted scalar
      }
    }
    abort_with("syntax", mark,
               "invalid YAML: the quoted string that starts here is not closed before the end "
               "of the file");
  }

  bool written_null(const YAML::Mark& mark) const {
    if (mark.pos < 0) return false;
    const std::size_t pos = static_cast<std::size_t>(mark.pos) + m_bom;
    if (pos >= m_text.size()) return false;
    const std::string_view rest = m_text.substr(pos, 4);
    return rest[0] == '~' || rest == "null" || rest == "Null" || rest == "NULL";
  }

  // yaml-cpp marks a left-out value at the next token, possibly lines further down. Point at
  // its key instead, or at the "-" of an empty sequence item.
  void place_empty(YamlNode& n, const YAML::Mark& mark) const {
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

  void open(YamlKind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    begin_value();
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
            m_estimate ? *m_estimate
                       : estimate_entries(m_text, pos, m_nodes[id].column,
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
        ++m_own_diagnostics;
        add_error(m_out, "duplicate", location(k),
                  fmt::format("duplicate key \"{}\" (first at line {})", k.text, first));
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
  std::vector<YamlId> m_anchors;  // yaml-cpp anchor id -> node
  std::vector<std::string> m_anchor_names;
  std::string m_anchor_name;  // announced by OnAnchor for the next node
  YamlId m_last_anchored = k_no_yaml;
  // Reading a split file (parse_split): a piece, or the skeleton around the pieces.
  std::uint32_t m_line_offset = 0;
  bool m_piece = false;
  bool m_unsafe = false;
  std::size_t m_content_end = 0;
  SplitRun* m_split = nullptr;
  std::size_t m_next_section = 0;
  std::optional<std::size_t> m_estimate;  // entries of the collection being spliced
  std::size_t m_own_diagnostics = 0;
};

bool YamlTreeBuilder::all_sections_spliced() const {
  return m_split != nullptr && m_next_section == m_split->sections().size();
}

bool YamlTreeBuilder::splice_section() {
  if (m_next_section >= m_split->sections().size() || m_stack.size() != 1) return false;
  const Frame& parent = m_stack.back();
  if (!parent.is_map || parent.expecting_key || parent.skip_value || parent.key == k_no_yaml)
    return false;
  const YamlSection& section = m_split->sections()[m_next_section];
  const YamlNode& key = m_nodes[parent.key];
  if (key.kind != YamlKind::scalar || key.quoted || key.line != section.key_line ||
      key.text != section.key)
    return false;
  const std::size_t index = m_next_section++;
  // Where yaml-cpp marks a block collection: its first entry.
  YAML::Mark at;
  at.pos = -1;
  at.line = static_cast<int>(section.entry_line);
  at.column = static_cast<int>(section.indent);
  m_estimate = section.entries;
  static const std::string no_tag;
  open(section.kind, at, no_tag, 0);
  m_estimate.reset();
  if (!m_stack.back().streamed) throw SplitFallback{};
  const std::size_t first = m_split->first_piece(index);
  for (std::size_t i = first; i < first + section.chunks.size(); ++i) {
    deliver(m_split->piece(i), section);
    m_split->release(i);
  }
  close();
  return true;
}

void YamlTreeBuilder::deliver(Piece& piece, const YamlSection& section) {
  if (piece.doc.status != YamlStatus::ok || piece.unsafe || !piece.diagnostics.empty())
    throw SplitFallback{};
  m_expanded += piece.values;
  if (m_expanded > m_budget) throw SplitFallback{};
  // The piece's arena is lent to the caller's tree while its entries are handed over, so
  // the sink (and a YamlReader bound to that tree) reads them in place, with no copy.
  struct Lend {
    std::vector<YamlNode>& a;
    std::vector<YamlNode>& b;
    std::size_t& used_a;
    std::size_t& used_b;
    Lend(std::vector<YamlNode>& a_, std::vector<YamlNode>& b_, std::size_t& ua, std::size_t& ub)
        : a(a_), b(b_), used_a(ua), used_b(ub) {
      std::swap(a, b);
      std::swap(used_a, used_b);
    }
    ~Lend() {
      std::swap(a, b);
      std::swap(used_a, used_b);
    }
    Lend(const Lend&) = delete;
    Lend& operator=(const Lend&) = delete;
  } lend(m_nodes, piece.tree.m_nodes, m_tree.m_used, piece.tree.m_used);
  const YamlNode& root = m_nodes[piece.doc.root];
  if (root.kind != section.kind) throw SplitFallback{};
  Frame& f = m_stack.back();
  const std::vector<YamlId>& entries = root.children;
  if (!f.is_map) {
    for (const YamlId item : entries) m_sink->on_entry(m_tree, f.stream_key, k_no_yaml, item);
    return;
  }
  // As finish() does for a streamed map: duplicates across pieces are found here.
  for (std::size_t i = 0; i + 1 < entries.size(); i += 2) {
    const YamlNode& k = m_nodes[entries[i]];
    if (k.kind == YamlKind::scalar) {
      if (!k.quoted && k.text == "<<") throw SplitFallback{};  // merged, not streamed
      const auto [it, inserted] = f.keys->emplace(k.text, k.line);
      if (!inserted) {
        add_error(m_out, "duplicate", location(k),
                  fmt::format("duplicate key \"{}\" (first at line {})", k.text, it->second));
        continue;
      }
    }
    m_sink->on_entry(m_tree, f.stream_key, entries[i], entries[i + 1]);
  }
}

namespace {

// Runs yaml-cpp over `text` into `builder`. Never throws; failures become diagnostics.
YamlDocument run_parser(YamlTreeBuilder& builder, std::string_view text,
                        const std::shared_ptr<const std::string>& file, std::uint32_t line_offset,
                        Diagnostics& out) {
  YamlDocument doc;
  const auto fail = [&](const char* rule, const Location& loc, std::string message) {
    add_error(out, rule, loc, std::move(message));
    doc = {YamlStatus::failed, k_no_yaml};
    return doc;
  };
  const auto mark_location = [&](const YAML::Mark& m) {
    return Location{file, to_line(m.line) + (m.line < 0 ? 0 : line_offset), to_line(m.column)};
  };
  try {
    ViewBuffer buffer(text);
    std::istream in(&buffer);
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) return {YamlStatus::empty, k_no_yaml};
    // A second document makes the builder throw at its start.
    parser.HandleNextDocument(builder);
    const YamlId root = builder.root();
    if (root == k_no_yaml || builder.tree()[root].kind == YamlKind::null)
      return {YamlStatus::empty, k_no_yaml};
    return {YamlStatus::ok, root};
  } catch (const StopParse&) {
    return {YamlStatus::ok, builder.root()};
  } catch (const SplitFallback&) {
    return doc;
  } catch (const ParseAbort& abort) {
    out.push_back(abort.diagnostic);
    return doc;
  } catch (const YAML::DeepRecursion& e) {
    return fail("syntax", mark_location(e.mark),
                fmt::format("values nest deeper than {} levels; expected a flatter document",
                            e.depth() - 1));
  } catch (const YAML::Exception& e) {
    return fail("syntax", mark_location(e.mark), fmt::format("invalid YAML: {}", e.msg));
  } catch (const std::bad_alloc&) {
    return fail("syntax", Location{file, 0, 0}, "out of memory while reading the YAML");
  } catch (const std::exception& e) {
    return fail("syntax", Location{file, 0, 0}, fmt::format("cannot read the YAML: {}", e.what()));
  } catch (...) {
    return fail("syntax", Location{file, 0, 0}, "cannot read the YAML");
  }
}

// The file with the bodies of `sections` replaced by as many empty lines: line and column
// numbers stay those of the file.
std::string skeleton_of(std::string_view text, const std::vector<YamlSection>& sections) {
  std::string out;
  std::size_t from = 0;
  for (const YamlSection& s : sections) {
    out.append(text.substr(from, s.body_begin - from));
    const auto body = text.substr(s.body_begin, s.body_end - s.body_begin);
    out.append(static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n')), '\n');
    from = s.body_end;
  }
  out.append(text.substr(from));
  return out;
}

// Reads a file in pieces; nullopt when it has to be read whole (nothing was kept then but
// what the sink received and the diagnostics since `out` had `out_size` entries).
std::optional<YamlDocument> parse_split(std::string_view text,
                                        const std::shared_ptr<const std::string>& file,
                                        YamlTree& tree, YamlEntrySink& sink, Diagnostics& out,
                                        std::vector<YamlSection> sections, unsigned workers) {
  const std::string skeleton = skeleton_of(text, sections);
  SplitRun run(text, file, std::move(sections), workers);
  YamlTreeBuilder builder(skeleton, file, tree, &sink, out);
  builder.read_skeleton(run, text.size());
  const YamlDocument doc = run_parser(builder, skeleton, file, 0, out);
  if (doc.status != YamlStatus::ok || builder.own_diagnostics() > 0 ||
      !builder.all_sections_spliced())
    return std::nullopt;
  return doc;
}

}  // namespace

SplitRun::SplitRun(std::string_view text, const std::shared_ptr<const std::string>& file,
                   std::vector<YamlSection> sections, unsigned workers)
    : m_file(file), m_sections(std::move(sections)) {
  std::size_t count = 0;
  for (const YamlSection& s : m_sections) {
    m_first_piece.push_back(count);
    count += s.chunks.size();
  }
  m_pieces.resize(count);
  std::size_t i = 0;
  for (const YamlSection& s : m_sections) {
    for (const YamlChunk& c : s.chunks) {
      m_pieces[i].text = text.substr(c.begin, c.end - c.begin);
      m_pieces[i].line_offset = c.first_line;
      ++i;
    }
  }
  for (unsigned w = 0; w < workers; ++w) m_threads.emplace_back([this] { work(); });
}

SplitRun::~SplitRun() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  for (std::thread& t : m_threads) t.join();
}

void SplitRun::parse(std::size_t i) {
  Piece& p = m_pieces[i];
  {
    std::lock_guard lock(m_mutex);
    if (!m_spare.empty()) {
      std::swap(p.tree, m_spare.back());
      m_spare.pop_back();
    }
  }
  try {
    YamlTreeBuilder builder(p.text, m_file, p.tree, nullptr, p.diagnostics);
    builder.read_piece(p.line_offset);
    p.doc = run_parser(builder, p.text, m_file, p.line_offset, p.diagnostics);
    p.unsafe = builder.unsafe();
    p.values = builder.values();
  } catch (...) {
    // Out of memory while reporting: the caller reads the file whole, which reports it.
    p.doc = {};
    p.unsafe = true;
  }
}

void SplitRun::work() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_changed.wait(lock, [&] { return m_stop || m_next >= m_pieces.size() || may_claim(); });
    if (m_stop || m_next >= m_pieces.size()) return;
    const std::size_t i = m_next++;
    lock.unlock();
    parse(i);
    lock.lock();
    m_pieces[i].done = true;
    m_changed.notify_all();
  }
}

Piece& SplitRun::piece(std::size_t i) {
  std::unique_lock lock(m_mutex);
  while (!m_pieces[i].done) {
    if (may_claim()) {
      const std::size_t j = m_next++;
      lock.unlock();
      parse(j);
      lock.lock();
      m_pieces[j].done = true;
      m_changed.notify_all();
      continue;
    }
    m_changed.wait(lock);
  }
  return m_pieces[i];
}

void SplitRun::release(std::size_t i) {
  {
    std::lock_guard lock(m_mutex);
    m_spare.push_back(std::move(m_pieces[i].tree));
    m_released = i + 1;
  }
  m_changed.notify_all();
}

YamlDocument parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file,
                        YamlTree& tree, YamlEntrySink* sink, Diagnostics& out) {
  return parse_yaml(text, file, tree, sink, out, YamlParseOptions{});
}

YamlDocument parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file,
                        YamlTree& tree, YamlEntrySink* sink, Diagnostics& out,
                        const YamlParseOptions& options) {
  try {
    auto bad = check_encoding(text, file);
    if (!bad) bad = check_flow_depth(text, file);
    if (bad) {
      out.push_back(std::move(*bad));
      return {};
    }
  } catch (const std::exception& e) {
    add_error(out, "syntax", Location{file, 0, 0}, fmt::format("cannot read the YAML: {}", e.what()));
    return {};
  }
  const std::size_t kept = out.size();
  try {
    if (sink != nullptr && sink->can_restart() && text.size() >= options.split_min_bytes) {
      auto sections = plan_yaml_split(text, std::max<std::size_t>(options.chunk_bytes, 1),
                                      [sink](std::string_view key, YamlKind kind) {
                                        return sink->stream_entries(key, kind);
                                      });
      std::size_t pieces = 0;
      for (const YamlSection& s : sections) pieces += s.chunks.size();
      if (pieces >= 2) {
        if (options.stats != nullptr) options.stats->chunks = pieces;
        unsigned workers = options.workers;
        if (workers == 0) workers = std::max(1U, std::thread::hardware_concurrency()) - 1;
        workers = std::max(1U, workers);
        if (auto doc = parse_split(text, file, tree, *sink, out, std::move(sections), workers))
          return *doc;
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(kept), out.end());
        sink->on_restart();
        if (options.stats != nullptr) options.stats->restarted = true;
      }
    }
  } catch (const std::exception&) {
    // No thread or no memory for the pieces: read the file whole, which reports what fails.
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(kept), out.end());
    if (sink != nullptr) sink->on_restart();
    if (options.stats != nullptr) options.stats->restarted = true;
  }
  YamlTreeBuilder builder(text, file, tree, sink, out);
  return run_parser(builder, text, file, 0, out);
}

}  // namespace picket
