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
#include "cli/render_pipeline.hpp"
#include "render/manifest.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
struct RenderOptions {
  InputPaths paths;
  std::string secrets;
  std::string templates;
  std::string out;
};

int run_render(const RenderOptions& opt) {
  auto rendered = lint_and_render(opt.paths, opt.secrets, opt.templates, "render");
  if (!rendered) return rendered.error();
  const FileSet& files = rendered->files;
  auto written = write_output_dir(opt.out, files,
                                  {{k_render_marker, manifest_json(files, rendered->inventory())}});
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
  add_input_options(*cmd, opt->paths);
  cmd->add_option("--secrets", opt->secrets,
                  "Secrets directory (default: .picket/secrets beside the topology)");
  cmd->add_option("--templates", opt->templates,
                  "Directory of templates that replace built-in ones by file name");
  cmd->add_option("--out,-o", opt->out, "Output directory")->required();
  return [opt] { return run_render(*opt); };
}

}  // namespace picket::cli
