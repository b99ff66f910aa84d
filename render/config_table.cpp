// Key lists → ordered tables. A line of a list is `path = literal  # go-type`; the literal is
// kept verbatim (it is already TOML), so a rendered default is byte for byte the list's.
// The type comment after the last "  # " decides how overrides of the key are checked.
#include "render/config_table.hpp"

#include "util/text.hpp"

namespace picket {

namespace {

std::optional<KeyType> key_type_of(std::string_view go_type) {
  if (go_type == "string") return KeyType::string;
  if (go_type == "bool") return KeyType::boolean;
  if (go_type == "int" || go_type == "int32" || go_type == "int64" || go_type == "uint32" ||
      go_type == "uint64" || go_type == "uint" || go_type == "uint16")
    return KeyType::integer;
  if (go_type == "time.Duration") return KeyType::duration;
  if (go_type == "[]string") return KeyType::string_list;
  if (go_type == "[][]string") return KeyType::string_table;
  return std::nullopt;
}

bool valid_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

bool ConfigTable::add(ConfigKey key) {
  if (!m_index.emplace(key.path, m_keys.size()).second) return false;
  m_keys.push_back(std::move(key));
  return true;
}

bool ConfigTable::set_default(std::string_view path, std::string literal) {
  auto it = m_index.find(std::string(path));
  if (it == m_index.end()) return false;
  m_keys[it->second].default_literal = std::move(literal);
  return true;
}

const ConfigKey* ConfigTable::find(std::string_view path) const {
  auto it = m_index.find(std::string(path));
  return it == m_index.end() ? nullptr : &m_keys[it->second];
}

bool ConfigTable::has_section(const std::string& section) const {
  if (section.empty()) return true;
  for (const auto& k : m_keys)
    if (k.section == section ||
        (k.section.size() > section.size() && k.section.compare(0, section.size(), section) == 0 &&
         k.section[section.size()] == '.'))
      return true;
  return false;
}

std::vector<std::string> ConfigTable::names_in(const std::string& section) const {
  std::vector<std::string> names;
  for (const auto& k : m_keys)
    if (k.section == section) names.push_back(k.name);
  return names;
}

std::vector<std::string> ConfigTable::sections() const {
  std::vector<std::string> out;
  for (const auto& k : m_keys) {
    bool seen = false;
    for (const auto& s : out) seen = seen || s == k.section;
    if (!seen) out.push_back(k.section);
  }
  return out;
}

std::optional<ConfigTable> parse_config_table(std::string_view text, std::string& error) {
  ConfigTable table;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto fail = [&](const std::string& why) {
      error = "line " + std::to_string(line_no) + ": " + why;
      return std::nullopt;
    };
    const auto eq = line.find(" = ");
    const auto hash = line.rfind("  # ");
    if (eq == std::string_view::npos || hash == std::string_view::npos || hash < eq)
      return fail("expected `key = default  # go-type`");
    ConfigKey key;
    key.path = std::string(trim(line.substr(0, eq)));
    key.default_literal = std::string(trim(line.substr(eq + 3, hash - eq - 3)));
    key.go_type = std::string(trim(line.substr(hash + 4)));
    if (key.path.empty() || key.default_literal.empty()) return fail("empty key or default");
    for (char c : key.path)
      if (!valid_key_char(c)) return fail("bad character in key \"" + key.path + "\"");
    if (key.path.front() == '.' || key.path.back() == '.' || key.path.find("..") != std::string::npos)
      return fail("bad key \"" + key.path + "\"");
    const auto type = key_type_of(key.go_type);
    if (!type) return fail("unknown Go type \"" + key.go_type + "\"");
    key.type = *type;
    const auto dot = key.path.rfind('.');
    key.section = dot == std::string::npos ? std::string() : key.path.substr(0, dot);
    key.name = dot == std::string::npos ? key.path : key.path.substr(dot + 1);
    const std::string path = key.path;
    if (!table.add(std::move(key))) return fail("key \"" + path + "\" listed twice");
  }
  if (table.keys().empty()) {
    error = "no keys";
    return std::nullopt;
  }
  return table;
}

const std::vector<std::string>& cometbft_lines() {
  static const std::vector<std::string> k_lines{"0.34", "0.37", "0.38", "1.0"};
  return k_lines;
}

std::string key_list_name(const std::string& line) { return "cometbft/keys-" + line + ".txt"; }

std::string config_template_name(const std::string& line) { return "config-" + line + ".toml"; }

std::map<std::string, ConfigTable> load_config_tables(const TemplateSet& templates,
                                                      Diagnostics& out) {
  std::map<std::string, ConfigTable> tables;
  for (const auto& line : cometbft_lines()) {
    const std::string name = key_list_name(line);
    auto it = templates.find(name);
    if (it == templates.end()) {
      add_error(out, "template", {}, "key list \"" + name + "\" is missing");
      continue;
    }
    std::string error;
    auto table = parse_config_table(it->second, error);
    if (!table) {
      add_error(out, "template", {}, "key list \"" + name + "\": " + error);
      continue;
    }
    tables.emplace(line, std::move(*table));
  }
  return tables;
}

const std::map<std::string, ConfigTable>& builtin_config_tables() {
  static const std::map<std::string, ConfigTable> k_tables = [] {
    Diagnostics ignored;  // the built-in lists are checked by the tests
    return load_config_tables(builtin_templates(), ignored);
  }();
  return k_tables;
}

}  // namespace picket
