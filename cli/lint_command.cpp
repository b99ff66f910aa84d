// `picket lint`: every check of the topology and its inventory, reported like a compiler
// (or as JSON, GitHub annotations, SARIF for CI).

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inputs.hpp"
#include "cli/terminal.hpp"
#include "topology/report.hpp"

namespace picket::cli {

namespace {
struct LintOptions {
  InputPaths paths;
  std::string format = "text";
  std::string color = "auto";
  bool strict = false;
};

int run_lint(const LintOptions& opt) {
  const InputPaths& paths = opt.paths;
  auto inputs = load_or_usage_error(paths);
  if (!inputs) return inputs.error();
  const Diagnostics& diags = inputs->result.diagnostics;
  const LintSummary summary = summarize(diags, inputs->result.analysis);

  if (opt.format == "json")
    write_out(stdout, format_json(diags, summary));
  else if (opt.format == "github")
    write_out(stdout, format_github(diags));
  else if (opt.format == "sarif")
    write_out(stdout, format_sarif(diags, PICKET_VERSION));
  else
    write_out(stdout, format_text(diags, summary, inputs->sources, use_color(opt.color, stdout)));

  const bool failed = summary.errors > 0 || (opt.strict && summary.warnings > 0);
  return failed ? k_exit_findings : k_exit_ok;
}
}  // namespace

Command add_lint_command(CLI::App& app) {
  auto opt = std::make_shared<LintOptions>();
  auto* cmd = app.add_subcommand("lint", "Check the topology and inventory as a graph");
  add_input_options(*cmd, opt->paths);
  cmd->add_option("--format,-f", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "github", "sarif"}));
  cmd->add_option("--color", opt->color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--strict", opt->strict, "Fail on warnings too");
  return [opt] { return run_lint(*opt); };
}

}  // namespace picket::cli
