// `picket plan`: lint, render, then read every host and show what deploy would change.
// Read-only on every host.

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/handoff_records.hpp"
#include "cli/output_dir.hpp"
#include "cli/rollout_inputs.hpp"
#include "cli/terminal.hpp"
#include "deploy/plan.hpp"
#include "deploy/plan_file.hpp"

namespace picket::cli {

namespace {
struct PlanFlags {
  RolloutFlags common;
  std::string format = "text";
  bool detailed_exitcode = false;
  std::string out;
};

int run_plan(const PlanFlags& flags) {
  // Lint and render: refuse what CI would refuse.
  auto inputs = prepare_rollout(flags.common, "plan");
  if (!inputs) return inputs.error();

  // The hosts: one connection each, read-only.
  auto connector = make_connector();
  Connections connections(*connector, inputs->inventory(), connect_options(flags.common));
  Plan plan = plan_hosts(*inputs, flags.common, connections);

  // Partners whose handoff changed since the last deploy must hear about it.
  const auto updates = partner_updates(inputs->handoffs, state_path(flags.common.paths.topology, "handoffs"));
  if (flags.format == "json") {
    write_out(stdout, with_partner_updates(format_plan_json(plan), updates));
  } else {
    write_out(stdout, format_plan_text(plan));
    write_out(stdout, format_partner_updates(updates, flags.common.paths.topology));
  }
  if (plan.has_errors()) {
    std::fprintf(stderr, "picket: error: the plan is incomplete: some hosts could not be read\n");
    return k_exit_findings;
  }

  // The saved plan lets `deploy --plan` refuse anything that changed since.
  if (!flags.out.empty()) {
    auto saved = write_file_atomic(flags.out, save_plan(plan), 0644);
    if (!saved) {
      std::fprintf(stderr, "picket: error: %s\n", saved.error().c_str());
      return k_exit_usage;
    }
  }
  return flags.detailed_exitcode && plan.has_changes() ? k_exit_changes : k_exit_ok;
}
}  // namespace

Command add_plan_command(CLI::App& app) {
  auto flags = std::make_shared<PlanFlags>();
  auto* cmd = app.add_subcommand("plan", "Show what deploy would change on each host");
  add_rollout_flags(*cmd, flags->common);
  cmd->add_option("--format,-f", flags->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                "Exit 2 when there are changes (0: none)");
  cmd->add_option("--out", flags->out, "Save the plan for `picket deploy --plan FILE`");
  return [flags] { return run_plan(*flags); };
}

}  // namespace picket::cli
