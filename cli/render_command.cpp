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
#include "cli/template_dir.hpp"
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

  auto templates = load_template_dir(opt.templates);
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
