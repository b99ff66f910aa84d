// `picket whatif`: what is left of the validator's paths after some failures.

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inputs.hpp"
#include "cli/terminal.hpp"
#include "topology/analysis.hpp"
#include "topology/whatif.hpp"

namespace picket::cli {

namespace {
struct WhatIfOptions {
  InputPaths paths;
  std::vector<std::string> failures;
};

int run_whatif(const WhatIfOptions& opt) {
  const InputPaths& paths = opt.paths;
  auto inputs = load_graph_or_explain(paths);
  if (!inputs) return inputs.error();
  const LintResult& r = inputs->result;
  FailureSet failures;
  Diagnostics bad;
  if (!parse_failures(opt.failures, r.topology, r.inventory, failures, bad)) {
    for (const auto& d : bad)
      std::fprintf(stderr, "picket: error: %s [%s]\n", d.message.c_str(), d.rule.c_str());
    return k_exit_usage;
  }
  const Reachability after = what_if(r.topology, r.inventory, failures);
  write_out(stdout, format_whatif(failures, r.analysis->reach, after));
  // A failed check: the validator would be cut off, could not sign, or is itself lost.
  return after.paths > 0 && !after.signer_lost ? k_exit_ok : k_exit_findings;
}
}  // namespace

Command add_whatif_command(CLI::App& app) {
  auto opt = std::make_shared<WhatIfOptions>();
  auto* cmd = app.add_subcommand("whatif", "Show what is left when nodes, links or domains fail");
  add_input_options(*cmd, opt->paths);
  cmd->add_option("--fail", opt->failures,
                  "KIND=VALUE with KIND node, link (a--b), host, datacenter, region, provider")
      ->required()
      ->allow_extra_args(false);
  return [opt] { return run_whatif(*opt); };
}

}  // namespace picket::cli
