#include "cli/completion.hpp"
// The model is read off CLI11's option objects: names, whether a value follows, whether the
// option repeats, and its type name as --help prints it: "TEXT", or "TEXT:{a,b,c}" when a
// CLI::IsMember check allows only a, b and c. A positional names files unless such a check
// lists its values.

#include <CLI/CLI.hpp>

namespace picket::cli {

namespace {
// The values of a CLI::IsMember check: the "{a,b,c}" after the type in "TEXT:{a,b,c}".
std::vector<std::string> member_choices(const std::string& type_name) {
  const auto colon = type_name.find(':');
  if (colon == std::string::npos || type_name.back() != '}' || type_name[colon + 1] != '{')
    return {};
  std::vector<std::string> out;
  std::size_t start = colon + 2;
  for (std::size_t i = start; i < type_name.size(); ++i) {
    if (type_name[i] == ',' || type_name[i] == '}') {
      out.push_back(type_name.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

CompletionCommand command_model(CLI::App& app,
                                const std::map<std::string, std::vector<std::string>>& prefixes) {
  CompletionCommand cmd{app.get_parent() ? app.get_name() : "", app.get_description(), {}, {}, 0,
                        {}};
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_positional()) {
      cmd.positional = opt->get_name();
      cmd.files = opt->get_items_expected_max() > 1 ? -1 : 1;
      cmd.positional_choices = member_choices(opt->get_type_name());
      continue;
    }
    CompletionOption o;
    for (const auto& s : opt->get_snames()) o.names.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) o.names.push_back("--" + l);
    o.description = opt->get_description();
    o.takes_value = opt->get_items_expected_max() > 0;
    o.repeatable = o.takes_value && opt->get_expected_max() > 1;
    const std::string type_name = opt->get_type_name();
    o.choices = member_choices(type_name);
    for (const auto& l : opt->get_lnames())
      if (auto p = prefixes.find("--" + l); p != prefixes.end()) o.prefix_choices = p->second;
    o.file_value = o.takes_value && o.choices.empty() && o.prefix_choices.empty() &&
                   type_name == "TEXT";
    cmd.options.push_back(std::move(o));
  }
  return cmd;
}
}  // namespace

std::vector<CompletionCommand> completion_model(
    CLI::App& app, const std::map<std::string, std::vector<std::string>>& prefix_choices) {
  std::vector<CompletionCommand> model{command_model(app, prefix_choices)};
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    model.push_back(command_model(*sub, prefix_choices));
  return model;
}

}  // namespace picket::cli
