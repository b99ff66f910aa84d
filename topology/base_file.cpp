// Base files through toml++: every leaf value of every table becomes one entry, keyed by its
// table's dotted path and its own key, with the value's line and column, its form
// (string, integer, …, as the override checks read a `config:` value) and its TOML literal.
// The literal is what render writes for a key only the base knows (an app's own app.toml
// section), so it is written back in TOML form, not re-typed.
#include "topology/base_file.hpp"

#include <sstream>

#include <toml++/toml.h>

#include "util/toml_string.hpp"

namespace picket {

namespace {

class BaseReader {
 public:
  BaseReader(std::shared_ptr<const std::string> file, BaseFile& into) : m_file(std::move(file)), m_into(into) {}

  void table(const toml::table& t, const std::string& section) {
    for (const auto& [key, node] : t) {
      const std::string name(key.str());
      if (const toml::table* sub = node.as_table()) {
        table(*sub, section.empty() ? name : section + "." + name);
        continue;
      }
      ConfigValue v = value(node);
      const std::string path = section.empty() ? name : section + "." + name;
      m_into.literals[path] = literal(node);
      m_into.order.push_back(path);
      m_into.values[section][name] = std::move(v);
    }
  }

 private:
  Location where(const toml::node& n) const {
    const auto& begin = n.source().begin;
    return Location{m_file, static_cast<std::uint32_t>(begin.line), static_cast<std::uint32_t>(begin.column)};
  }

  ConfigValue value(const toml::node& n) const {
    ConfigValue v;
    v.loc = where(n);
    if (const auto* s = n.as_string()) {
      v.kind = ConfigValue::Kind::string;
      v.text = s->get();
    } else if (const auto* i = n.as_integer()) {
      v.kind = ConfigValue::Kind::integer;
      v.text = std::to_string(i->get());
    } else if (const auto* b = n.as_boolean()) {
      v.kind = ConfigValue::Kind::boolean;
      v.text = b->get() ? "true" : "false";
    } else if (n.is_floating_point()) {
      v.kind = ConfigValue::Kind::floating;
      v.text = literal(n);
    } else if (const auto* a = n.as_array()) {
      v.kind = ConfigValue::Kind::array;
      for (const auto& item : *a) v.items.push_back(value(item));
    } else {
      // A date, a time or an inline table: no key of a base file picket checks holds one;
      // described by its literal.
      v.kind = ConfigValue::Kind::string;
      v.text = literal(n);
    }
    return v;
  }

  // The value as a TOML literal: strings and string lists through the project's one escaper,
  // the rest as toml++ writes them.
  static std::string literal(const toml::node& n) {
    if (const auto* s = n.as_string()) return toml_string(s->get());
    if (const auto* a = n.as_array(); a != nullptr && a->is_homogeneous(toml::node_type::string)) {
      std::vector<std::string> items;
      for (const auto& item : *a) items.push_back(item.as_string()->get());
      return toml_string_array(items);
    }
    std::ostringstream os;
    os << toml::toml_formatter{n, toml::format_flags::none};
    return os.str();
  }

  std::shared_ptr<const std::string> m_file;
  BaseFile& m_into;
};

}  // namespace

void parse_base_file(const SourceText& source, const char* key, BaseFile& into, Diagnostics& out) {
  auto file = std::make_shared<const std::string>(source.path);
  try {
    const toml::table root = toml::parse(source.text, source.path);
    BaseFile parsed{into.path, {}, {}, {}, true};
    BaseReader(file, parsed).table(root, "");
    into = std::move(parsed);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    add_error(out, "syntax",
              Location{file, static_cast<std::uint32_t>(begin.line), static_cast<std::uint32_t>(begin.column)},
              std::string("chain.") + key + " \"" + into.path.value + "\" is not valid TOML: " +
                  std::string(e.description()),
              {"chain"});
  }
}

}  // namespace picket
