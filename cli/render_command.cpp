// `picket render`: every managed file of every host, derived from the one graph, written to a
// local directory with a manifest. Refuses a topology with lint errors or missing keys.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inputs.hpp"
#include "cli/output_dir.hpp"
#include "cli/secrets_store.hpp"
#include "cli/terminal.hpp"
#include "render/key_plan.hpp"
#include "render/manifest.hpp"
#include "render/render.hpp"
#include "topology/report.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
struct RenderOptions {
  InputPaths paths;
  std::string inventory;
  std::string secrets;
  std::string templates;
  std::string out;
};

// The built-in templates with any of them replaced by a file of the same name in `dir`
// (name = path below dir without ".mustache"). A file that replaces nothing is a mistake.
tl::expected<TemplateSet, std::string> load_templates(const std::string& dir) {
  TemplateSet set = builtin_templates();
  if (dir.empty()) return set;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return tl::make_unexpected(dir + ": not a directory");
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string name = fs::relative(it->path(), dir).generic_string();
    if (name.size() > 9 && name.ends_with(".mustache")) name.resize(name.size() - 9);
    if (!set.count(name))
      return tl::make_unexpected(it->path().string() + ": replaces no built-in template (names: " +
                                 [&] {
                                   std::string names;
                                   for (const auto& [n, _] : builtin_templates())
                                     names += (names.empty() ? "" : ", ") + n;
                                   return names;
                                 }() + ")");
    auto text = read_source(it->path().string());
    if (!text) return tl::make_unexpected(text.error());
    set[name] = std::move(text->text);
  }
  if (ec) return tl::make_unexpected(dir + ": " + ec.message());
  return set;
}

int run_render(const RenderOptions& opt) {
  InputPaths paths = opt.paths;
  if (!opt.inventory.empty()) paths.inventory = opt.inventory;
  auto inputs = load_and_check(paths);
  if (!inputs) {
    std::fprintf(stderr, "picket: error: %s\n", inputs.error().c_str());
    return k_exit_usage;
  }
  const LintResult& lint = inputs->result;
  const bool color = use_color("auto", stderr);
  if (has_errors(lint.diagnostics)) {
    // What CI lints is what render derives from: never render a topology lint rejects.
    write_out(stderr, format_text(lint.diagnostics, summarize(lint.diagnostics, lint.analysis),
                                  inputs->sources, color));
    std::fprintf(stderr, "picket: error: render refuses a topology with lint errors\n");
    return k_exit_findings;
  }

  const std::string secrets_dir =
      opt.secrets.empty() ? default_secrets_dir(paths.topology) : opt.secrets;
  const KeyPlan plan = plan_keys(lint.topology);
  auto secrets = load_secrets(secrets_dir, plan);
  if (!secrets) {
    std::fprintf(stderr, "picket: error: %s\n", secrets.error().c_str());
    return k_exit_findings;
  }
  if (auto missing = missing_keys(plan, *secrets); !missing.empty()) {
    std::fprintf(stderr, "picket: error: %s\n",
                 missing_keys_message(missing, paths.topology).c_str());
    return k_exit_findings;
  }
  Diagnostics pinned;
  check_pinned_ids(lint.topology, secrets_dir, pinned);

  auto templates = load_templates(opt.templates);
  if (!templates) {
    std::fprintf(stderr, "picket: error: %s\n", templates.error().c_str());
    return k_exit_usage;
  }

  Diagnostics diags = std::move(pinned);
  FileSet files = render_all(lint.topology, lint.inventory, *secrets, *templates, diags);
  sort_diagnostics(diags);
  if (has_errors(diags)) {
    write_out(stderr, format_text(diags, summarize(diags, lint.analysis), inputs->sources, color));
    return k_exit_findings;
  }

  auto written = write_output_dir(opt.out, files,
                                  {{k_render_marker, manifest_json(files, lint.inventory)}});
  if (!written) {
    std::fprintf(stderr, "picket: error: %s\n", written.error().c_str());
    return k_exit_usage;
  }
  std::set<std::string> hosts;
  std::size_t secret_files = 0;
  for (const auto& f : files) {
    if (!f.host.empty()) hosts.insert(f.host);
    secret_files += f.secret ? 1 : 0;
  }
  std::printf("rendered %zu files for %zu hosts into %s (%zu secret, mode 0600); manifest: %s/%s\n",
              files.size(), hosts.size(), opt.out.c_str(), secret_files, opt.out.c_str(),
              k_render_marker);
  return k_exit_ok;
}
}  // namespace

Command add_render_command(CLI::App& app) {
  auto opt = std::make_shared<RenderOptions>();
  auto* cmd = app.add_subcommand("render", "Derive every node's and host's files into a directory");
  cmd->add_option("topology", opt->paths.topology, "Topology file")->required();
  cmd->add_option("--inventory,-i", opt->inventory,
                  "Inventory file (default: the topology's `inventory:` key)");
  cmd->add_option("--secrets", opt->secrets,
                  "Secrets directory (default: .picket/secrets beside the topology)");
  cmd->add_option("--templates", opt->templates,
                  "Directory of templates that replace built-in ones by file name");
  cmd->add_option("--out,-o", opt->out, "Output directory")->required();
  return [opt] { return run_render(*opt); };
}

}  // namespace picket::cli
