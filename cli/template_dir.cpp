#include "cli/template_dir.hpp"

#include <filesystem>
#include <vector>

#include "cli/inputs.hpp"
#include "topology/diagnostic.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

tl::expected<TemplateSet, std::string> load_template_dir(const std::string& dir) {
  TemplateSet set = builtin_templates();
  if (dir.empty()) return set;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return tl::make_unexpected(dir + ": not a directory");
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string name = fs::relative(it->path(), dir).generic_string();
    if (name.size() > 9 && name.ends_with(".mustache")) name.resize(name.size() - 9);
    if (!set.count(name)) {
      std::vector<std::string> known;
      for (const auto& entry : set) known.push_back(entry.first);
      const std::string match = closest_match(name, known);
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      return tl::make_unexpected(
          it->path().string() + ": replaces no built-in template " +
          (match.empty() ? "(names: " + names + ")" : "(did you mean \"" + match + "\"?)"));
    }
    auto text = read_source(it->path().string());
    if (!text) return tl::make_unexpected(text.error());
    set[name] = std::move(text->text);
  }
  if (ec) return tl::make_unexpected(dir + ": " + ec.message());
  return set;
}

}  // namespace picket::cli
