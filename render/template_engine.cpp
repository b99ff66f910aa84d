#include "render/template_engine.hpp"

#include <kainjow/mustache.hpp>

namespace picket {

namespace {
kainjow::mustache::data to_data(const TemplateValue& v) {
  using kainjow::mustache::data;
  switch (v.kind()) {
    case TemplateValue::Kind::string: return data(v.string());
    case TemplateValue::Kind::boolean: return data(v.boolean() ? data::type::bool_true : data::type::bool_false);
    case TemplateValue::Kind::list: {
      data list(data::type::list);
      for (const auto& item : v.items()) list.push_back(to_data(item));
      return list;
    }
    case TemplateValue::Kind::object: {
      data obj;
      for (const auto& [key, member] : v.members()) obj.set(key, to_data(member));
      return obj;
    }
  }
  return {};
}
}  // namespace

std::optional<std::string> fill_template(const TemplateSet& templates, const std::string& name,
                                         const TemplateValue& data, Diagnostics& out) {
  auto it = templates.find(name);
  if (it == templates.end()) {
    add_error(out, "template", {}, "template \"" + name + "\" is missing");
    return std::nullopt;
  }
  kainjow::mustache::mustache tmpl(it->second);
  if (!tmpl.is_valid()) {
    add_error(out, "template", {}, "template \"" + name + "\": " + tmpl.error_message());
    return std::nullopt;
  }
  // Rendered files are configuration, not HTML: no escaping of & < > ".
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  std::string text = tmpl.render(to_data(data));
  if (!tmpl.is_valid()) {
    add_error(out, "template", {}, "template \"" + name + "\": " + tmpl.error_message());
    return std::nullopt;
  }
  return text;
}

}  // namespace picket
