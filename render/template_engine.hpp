#pragma once
// Filling templates: our own small value tree, turned into kainjow mustache data inside the
// .cpp, so no third-party header leaks into the rest of render/.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "render/templates.hpp"
#include "topology/diagnostic.hpp"

namespace picket {

/// A mustache value: a string, a boolean (for sections), a list or an object.
class TemplateValue {
 public:
  enum class Kind { string, boolean, list, object };

  TemplateValue() : m_kind(Kind::object) {}
  TemplateValue(std::string s) : m_kind(Kind::string), m_string(std::move(s)) {}  // NOLINT
  TemplateValue(const char* s) : m_kind(Kind::string), m_string(s) {}            // NOLINT
  TemplateValue(bool b) : m_kind(Kind::boolean), m_bool(b) {}                     // NOLINT

  /// An empty list.
  static TemplateValue list() {
    TemplateValue v;
    v.m_kind = Kind::list;
    return v;
  }

  /// Object member (creates it); the value must be an object.
  TemplateValue& operator[](const std::string& key) { return m_object[key]; }
  /// Appends to a list.
  void push_back(TemplateValue v) { m_list.push_back(std::move(v)); }

  Kind kind() const { return m_kind; }
  const std::string& string() const { return m_string; }
  bool boolean() const { return m_bool; }
  const std::vector<TemplateValue>& items() const { return m_list; }
  const std::map<std::string, TemplateValue>& members() const { return m_object; }

 private:
  Kind m_kind;
  std::string m_string;
  bool m_bool = false;
  std::vector<TemplateValue> m_list;
  std::map<std::string, TemplateValue> m_object;
};

/// Renders template `name` of the set with `data`. A missing template or a mustache syntax
/// error appends a `template` error naming the template and returns nullopt.
std::optional<std::string> fill_template(const TemplateSet& templates, const std::string& name,
                                         const TemplateValue& data, Diagnostics& out);

}  // namespace picket
