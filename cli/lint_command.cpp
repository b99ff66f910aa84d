// `picket lint`: every check of the topology and its inventory, reported like a compiler
// (or as JSON, GitHub annotations, SARIF or a GitLab code-quality report for CI). Several
// topology files (a monorepo of chains) are linted one after another into one report; the
// exit code is the worst of theirs.

#include <algorithm>
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
  std::vector<std::string> topologies;
  std::optional<std::string> inventory;
  std::string format = "text";
  std::string color = "auto";
  bool strict = false;
};

// The formats that list findings without a per-file summary: one list for all files.
std::string format_flat(const std::string& format, const Diagnostics& diags) {
  if (format == "github") return format_github(diags);
  if (format == "sarif") return format_sarif(diags, PICKET_VERSION);
  return format_codeclimate(diags);
}

int exit_code(const FileReport& file, bool strict) {
  if (file.error) return k_exit_usage;
  const bool failed = file.summary.errors > 0 || (strict && file.summary.warnings > 0);
  return failed ? k_exit_findings : k_exit_ok;
}

// Lints one file; text output goes out at once (with its sources), the rest is kept.
FileReport lint_one(const LintOptions& opt, const std::string& topology, bool several) {
  FileReport report{topology, {}, {}, {}};
  InputPaths paths{topology, {}};
  paths.inventory = opt.inventory;
  auto inputs = load_and_check(paths);
  if (!inputs) {
    std::fprintf(stderr, "picket: error: %s\n", inputs.error().c_str());
    report.error = inputs.error();
    return report;
  }
  report.diagnostics = std::move(inputs->result.diagnostics);
  report.summary = summarize(report.diagnostics, inputs->result.analysis);
  if (opt.format == "text")
    write_out(stdout, format_text(report.diagnostics, report.summary, inputs->sources,
                                  use_color(opt.color, stdout), several ? topology : ""));
  return report;
}

int run_lint(const LintOptions& opt) {
  const bool several = opt.topologies.size() > 1;
  std::vector<FileReport> files;
  int rc = k_exit_ok;
  for (const auto& topology : opt.topologies) {
    files.push_back(lint_one(opt, topology, several));
    rc = std::max(rc, exit_code(files.back(), opt.strict));
  }
  // One file and a usage error: nothing on stdout, as before several files were accepted.
  if (!several && files.front().error) return rc;

  if (opt.format == "text") {
    if (several) write_out(stdout, format_text_total(files));
  } else if (opt.format == "json") {
    const FileReport& f = files.front();
    write_out(stdout, several ? format_json_files(files) : format_json(f.diagnostics, f.summary));
  } else {
    write_out(stdout, format_flat(opt.format, merge_diagnostics(files)));
  }
  return rc;
}
}  // namespace

Command add_lint_command(CLI::App& app) {
  auto opt = std::make_shared<LintOptions>();
  auto* cmd = app.add_subcommand("lint", "Check the topology and inventory as a graph");
  cmd->add_option("topology", opt->topologies,
                  "Topology files (several: one report, the worst exit code)")
      ->required();
  // Not add_input_options: lint takes several topologies, and one --inventory for them all.
  add_inventory_option(*cmd, opt->inventory,
                       "Inventory file (default: each topology's `inventory:` key)");
  cmd->add_option("--format,-f", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "github", "sarif", "codeclimate"}));
  cmd->add_option("--color", opt->color, "Colour the text output")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--strict", opt->strict, "Fail on warnings too");
  return [opt] { return run_lint(*opt); };
}

}  // namespace picket::cli
