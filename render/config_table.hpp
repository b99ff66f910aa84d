#pragma once
// The keys of one CometBFT release line's default config.toml, read from the key list shipped
// in templates/cometbft/keys-<line>.txt: every key in file order with its default (a TOML
// literal, as written) and its Go type. The renderer starts every node from these defaults;
// override checks use them to know which keys exist and what they hold.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "render/templates.hpp"
#include "topology/diagnostic.hpp"
#include "util/toml_string.hpp"

namespace picket {

/// How a key's value is written in config.toml (what its Go type accepts).
enum class KeyType {
  string,       // a TOML string
  boolean,      // true / false
  integer,      // a bare integer (int, int32, int64, uint32)
  duration,     // a Go duration string: "10s", "100ms", "1m0s"
  string_list,  // a TOML array of strings ([]string)
  string_table, // a TOML array of arrays of strings ([][]string)
  literal,      // any other TOML value an app's base file holds: kept as written, not overridden
};

/// One key of the list.
struct ConfigKey {
  std::string path;             // "p2p.laddr", "moniker", "storage.pruning.interval"
  std::string section;          // "p2p", "" (top level), "storage.pruning"
  std::string name;             // "laddr"
  std::string default_literal;  // the default as a TOML literal: "\"tcp://0.0.0.0:26656\"", "true"
  std::string go_type;          // "time.Duration", "int64", "[]string", …
  KeyType type = KeyType::string;
};

/// The parsed key list of one line: keys in file order, looked up by dotted path.
class ConfigTable {
 public:
  /// Appends a key; false when its path is already present.
  bool add(ConfigKey key);
  /// Every key, in list order.
  const std::vector<ConfigKey>& keys() const { return m_keys; }
  /// Replaces a key's default literal; false when the table has no such key.
  bool set_default(std::string_view path, std::string literal);
  /// The key with this dotted path, or nullptr.
  const ConfigKey* find(std::string_view path) const;
  /// True when some key lives in this section (or in a table nested below it).
  bool has_section(const std::string& section) const;
  /// The names of the keys directly in `section`, in list order (for "did you mean").
  std::vector<std::string> names_in(const std::string& section) const;
  /// Every section that holds keys, in list order ("" for the top level).
  std::vector<std::string> sections() const;

 private:
  std::vector<ConfigKey> m_keys;
  std::unordered_map<std::string, std::size_t> m_index;
};

/// Parses a key list (`section.key = default  # go-type`, one per line; blank lines and
/// lines starting with '#' are skipped). nullopt with `error` naming the first bad line.
std::optional<ConfigTable> parse_config_table(std::string_view text, std::string& error);

/// The release lines picket renders: "0.34", "0.37", "0.38", "1.0".
const std::vector<std::string>& cometbft_lines();
/// Name of a line's key list in a template set: "cometbft/keys-0.38.txt".
std::string key_list_name(const std::string& line);
/// Name of a line's config.toml template: "config-0.38.toml".
std::string config_template_name(const std::string& line);

/// Parses every line's key list found in `templates` (each once). A list that is missing
/// or malformed is a `template` error; that line is then absent from the result.
std::map<std::string, ConfigTable> load_config_tables(const TemplateSet& templates,
                                                      Diagnostics& out);
/// The key tables of the built-in templates, parsed once per process.
const std::map<std::string, ConfigTable>& builtin_config_tables();

}  // namespace picket
