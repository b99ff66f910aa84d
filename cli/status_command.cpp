// `picket status`: lint and render (to know what should be), then read every host and ask
// every node (what is), and report the differences. Read-only on every host and locally
// (no --accept-new: an unknown host key is refused, never recorded).

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/rollout_inputs.hpp"
#include "cli/terminal.hpp"
#include "deploy/status.hpp"

namespace picket::cli {

namespace {
struct StatusFlags {
  RolloutFlags common;
  std::string format = "text";
  bool watch = false;
  double interval = 5;
};

int run_status(StatusFlags flags) {
  // What should be: the same lint and render as plan and deploy.
  auto inputs = prepare_rollout(flags.common, "status");
  if (!inputs) return inputs.error();
  auto connector = make_connector();
  StatusOptions options;
  options.parallel = flags.common.parallel;
  const bool clear = flags.watch && flags.format == "text" && isatty(fileno(stdout));
  for (;;) {
    // A fresh set of connections each round: a host that went away and came back is asked
    // again rather than through a connection that broke.
    Connections connections(*connector, inputs->inventory(), connect_options(flags.common));
    const StatusReport report = collect_status(inputs->files, inputs->topology(), inputs->inventory(),
                                               inputs->node_ids, connections, options);
    const std::string text = flags.format == "json" ? format_status_json(report) : format_status_text(report);
    write_out(stdout, (clear ? std::string("\x1b[H\x1b[2J") : std::string()) + text);
    std::fflush(stdout);
    if (!flags.watch) return report.ok() ? k_exit_ok : k_exit_findings;
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long long>(flags.interval * 1000)));
  }
}
}  // namespace

Command add_status_command(CLI::App& app) {
  auto flags = std::make_shared<StatusFlags>();
  auto* cmd = app.add_subcommand(
      "status", "Compare the live network with the graph: heights, peers, signing, signer, drift (read-only)");
  RolloutFlags& f = flags->common;
  f.parallel = 16;
  add_input_options(*cmd, f.paths);
  cmd->add_option("--secrets", f.secrets, "Secrets directory (default: .picket/secrets beside the topology)");
  cmd->add_option("--templates", f.templates,
                  "Directory of templates that replace built-in ones by file name (as given to render)");
  cmd->add_option("--parallel", f.parallel, "Hosts asked at once (default 16)")->check(CLI::Range(1, 256));
  cmd->add_option("--known-hosts", f.known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd->add_option("--timeout", f.timeout,
                  "Seconds a host may stay silent before it counts as unreachable (default 15)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--format,-f", flags->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--watch", flags->watch, "Ask again every --interval seconds until interrupted");
  cmd->add_option("--interval", flags->interval, "Seconds between rounds with --watch (default 5)")
      ->check(CLI::Range(0.5, 3600.0));
  return [flags] { return run_status(*flags); };
}

}  // namespace picket::cli
