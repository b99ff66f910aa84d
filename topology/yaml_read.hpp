#pragma once
// Reading a YamlTree against a schema, shared by the two loaders: the entries of a map with
// merge keys resolved, typed scalars, and the messages of the `schema` rule (unknown key with
// "did you mean", wrong type, missing key, bad enum value).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "topology/diagnostic.hpp"
#include "topology/model.hpp"
#include "topology/yaml_tree.hpp"

namespace picket {

/// One entry of a map.
struct YamlField {
  YamlId key = k_no_yaml;
  YamlId value = k_no_yaml;
};

/// Where a value sits: the phrase messages use ("in node \"validator\"", "at the top level")
/// and the subjects its diagnostics carry.
struct YamlContext {
  std::string where;
  std::vector<std::string> subjects;
};

/// "Did you mean" with a budget per file: closest_match costs O(length²) per candidate, so a
/// broken 100k-node file must not spend seconds on suggestions. Past the budget, none.
class Suggester {
 public:
  /// Over a few candidates (keys, enum values); the first k_max_small look-ups.
  std::string small(const std::string& word, const std::vector<std::string>& candidates);
  /// Over many names (nodes, hosts), prefiltered cheaply; the first k_max_names look-ups.
  std::string name(const std::string& word, const std::vector<std::string>& names);

  static constexpr int k_max_small = 1000;
  static constexpr int k_max_names = 100;

 private:
  int m_small = 0;
  int m_names = 0;
};

/// `s` in double quotes, escaped, long values shortened: how messages show what was written.
std::string in_quotes(std::string_view s);
/// The `schema` message for a `root:`/`home:` value that is not a clean absolute path.
std::string bad_path_message(std::string_view key, std::string_view value);
/// `"a", "b", "c"`, each by in_quotes.
std::string in_quotes_list(const std::vector<std::string>& items);
/// Parses a decimal integer ([-+]?[0-9]+), saturating past int64 so range checks can quote
/// what was written; nullopt when not one. What schema keys (ports, counts) take.
std::optional<std::int64_t> parse_decimal(std::string_view s);
/// A plain scalar as an integer of the YAML 1.2 core schema: [-+]? then decimal digits, 0x
/// hex or 0o octal; nullopt when not one or past int64. What `config:` values are typed by.
std::optional<std::int64_t> parse_integer(std::string_view s);
/// A plain scalar as a boolean of the YAML 1.2 core schema: exactly `true` or `false`
/// (`yes`, `on` and `y` are strings, as TOML and CometBFT read them too).
std::optional<bool> parse_bool(std::string_view s);

/// Sorts one file's diagnostics, drops exact repeats (a mistake inside an aliased value is
/// reported where it is written, once) and appends them to `out`.
void append_diagnostics(Diagnostics& file_diagnostics, Diagnostics& out);

/// Gives the diagnostics from index `from` on that name no subject the file `file` as theirs: a
/// problem with the file as a whole (not YAML, empty, too big) is about that file.
void name_the_file(Diagnostics& diags, std::size_t from, const std::string& file);

/// Schema reading over one parsed file. Every check reports its own diagnostic.
class YamlReader {
 public:
  /// Reads `tree`, parsed from `file`; diagnostics go to `out`.
  YamlReader(const YamlTree& tree, std::shared_ptr<const std::string> file, Diagnostics& out);

  /// The value with this id.
  const YamlNode& node(YamlId id) const { return m_tree[id]; }
  /// The key text of a field (keys are scalars after fields()).
  const std::string& key(const YamlField& f) const { return m_tree[f.key].text; }
  /// Where a value was written (aliases: where the anchored value was written).
  Location loc(YamlId id) const;
  /// The file every location points into.
  const std::shared_ptr<const std::string>& file() const { return m_file; }
  /// Where diagnostics go.
  Diagnostics& out() { return m_out; }
  /// The file's "did you mean" budget.
  Suggester& suggester() { return m_suggester; }

  /// Appends an error at the value `at`, or at a location.
  void error(const char* rule, YamlId at, std::string message, const YamlContext& ctx);
  void error(const char* rule, const Location& at, std::string message, const YamlContext& ctx);

  /// How a value looks, for "found …": "a map", "a list", "an empty value", "\"text\"".
  std::string describe(YamlId id) const;

  /// The entries of map `map`: written keys in file order, then the entries of merged maps
  /// (`<<: *a`, `<<: [*a, *b]`) whose keys were not written, earlier merges first.
  /// Non-scalar keys and bad merge values are reported and skipped.
  void fields(YamlId map, std::vector<YamlField>& out, const YamlContext& ctx);

  /// Reports an unknown key, with "did you mean" or the list of keys expected.
  void unknown_key(const YamlField& f, const std::vector<std::string>& allowed,
                   const YamlContext& ctx);
  /// Reports a missing required key at `at` (the parent's key or the list item).
  void missing_key(std::string_view key, const Location& at, const YamlContext& ctx);

  /// True when `id` is a map; else reports `"<what>" must be a map, found …`.
  bool expect_map(YamlId id, std::string_view what, const YamlContext& ctx);
  /// True when `id` is a sequence; else reports `"<what>" must be a list, found …`.
  bool expect_list(YamlId id, std::string_view what, const YamlContext& ctx);

  /// A non-empty scalar, as written.
  std::optional<Located<std::string>> string(const YamlField& f, const YamlContext& ctx);
  /// An unquoted decimal integer (range checks are the caller's).
  std::optional<Located<std::int64_t>> integer(const YamlField& f, const YamlContext& ctx);
  /// A port 1..65535 (out of range: rule address).
  std::optional<Located<int>> port(const YamlField& f, const YamlContext& ctx);
  /// true or false, unquoted.
  std::optional<Located<bool>> boolean(const YamlField& f, const YamlContext& ctx);
  /// One of `allowed` (the scalar's text), else a bad enum value with "did you mean".
  std::optional<Located<std::string>> choice(const YamlField& f,
                                             const std::vector<std::string>& allowed,
                                             const YamlContext& ctx);
  /// A node name in a list, as written (`what` names the list in messages).
  std::optional<Located<std::string>> item_string(YamlId id, std::string_view what,
                                                  const YamlContext& ctx);

 private:
  void collect(YamlId map, std::vector<YamlField>& out, const YamlContext& ctx, int depth);
  bool scalar_for(const YamlField& f, std::string_view expected, const YamlContext& ctx);

  const YamlTree& m_tree;
  std::shared_ptr<const std::string> m_file;
  Diagnostics& m_out;
  Suggester m_suggester;
  std::set<std::pair<std::string, std::string>> m_suggested;  // (ctx.where, key suggested)
};

}  // namespace picket
