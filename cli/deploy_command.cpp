// `picket deploy`: lint, render, plan, confirm, then push the plan to the hosts in
// graph-safe waves with health checks and rollback. Every action goes to the local deploy
// log `.picket/deploy.log` beside the topology.

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/deploy_progress.hpp"
#include "cli/exit_codes.hpp"
#include "cli/handoff_records.hpp"
#include "cli/rollout_inputs.hpp"
#include "cli/terminal.hpp"
#include "deploy/apply.hpp"
#include "deploy/deploy_log.hpp"
#include "deploy/plan_file.hpp"

namespace picket::cli {

namespace {
namespace fs = std::filesystem;

// After a deploy that left every host as rendered: what the partners were handed is now what
// is live. A failure to record is reported but does not undo a good deploy.
int record_partner_handoffs(const std::vector<Handoff>& handoffs, const std::string& dir) {
  if (handoffs.empty()) return k_exit_ok;
  if (auto recorded = record_handoffs(handoffs, dir); !recorded)
    std::fprintf(stderr,
                 "picket: warning: deployed, but the partners' handoffs were not recorded (%s): the next "
                 "plan compares with the older record\n",
                 recorded.error().c_str());
  return k_exit_ok;
}

struct DeployFlags {
  RolloutFlags common;
  std::string plan_file;
  bool yes = false;
  bool no_restart = false;
  bool force_unlock = false;
  bool verbose = false;
  int max_wave = 0;
  double health_timeout = 120;
};

// user@machine (pid N): enough for a colleague to find who holds a lock.
LockInfo who_we_are() {
  const char* user = std::getenv("USER");
  char machine[256] = {};
  if (gethostname(machine, sizeof machine - 1) != 0) std::strcpy(machine, "unknown");
  return LockInfo{std::string(user != nullptr && *user != '\0' ? user : "unknown") + "@" +
                      machine + " (pid " + std::to_string(getpid()) + ")",
                  iso8601_utc_now()};
}

// SIGINT/SIGTERM during the rollout: the first one lets the step under way finish, then
// stops (hosts of later steps untouched, their staged files removed, locks released); a
// second one ends picket at once.
std::atomic<bool> g_interrupted{false};  // lock-free: safe in a signal handler
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int sig) {
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  static const char k_msg[] =
      "\npicket: interrupted: finishing the current step, then stopping (again to stop at once)\n";
  ssize_t ignored = ::write(STDERR_FILENO, k_msg, sizeof k_msg - 1);
  (void)ignored;
}

// Installs on_interrupt for SIGINT and SIGTERM while in scope.
struct InterruptScope {
  struct sigaction old_int {}, old_term {};
  InterruptScope() {
    g_interrupted = false;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// The saved plan must be exactly what would be deployed now.
int check_saved_plan(const std::string& path, const Plan& current) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "picket: error: %s: cannot read: %s\n", path.c_str(),
                 std::strerror(errno));
    return k_exit_usage;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto saved = read_plan(text.str());
  if (!saved) {
    std::fprintf(stderr, "picket: error: %s: %s\n", path.c_str(), saved.error().c_str());
    return k_exit_usage;
  }
  const auto differences = plan_differences(*saved, current);
  if (differences.empty()) return k_exit_ok;
  std::fprintf(stderr, "picket: error: %s no longer matches; plan again:\n", path.c_str());
  for (const std::string& d : differences) std::fprintf(stderr, "  %s\n", d.c_str());
  return k_exit_findings;
}

// Only a person at a terminal can say yes; anything else needs --yes.
int confirm(bool yes) {
  if (yes) return k_exit_ok;
  if (isatty(fileno(stdin)) != 1) {
    std::fprintf(stderr,
                 "picket: error: not deploying without confirmation: stdin is not a terminal "
                 "(pass --yes)\n");
    return k_exit_usage;
  }
  std::fprintf(stderr, "Deploy these changes? Only 'yes' is accepted: ");
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer) || answer != "yes") {
    std::fprintf(stderr, "Deploy cancelled.\n");
    return k_exit_findings;
  }
  return k_exit_ok;
}

int run_deploy(const DeployFlags& flags) {
  // Lint and render: refuse what CI would refuse.
  auto inputs = prepare_rollout(flags.common, "deploy");
  if (!inputs) return inputs.error();

  auto connector = make_connector();
  // One connection per host, kept from the plan through the deploy.
  Connections connections(*connector, inputs->inventory(), connect_options(flags.common));
  Plan plan = plan_hosts(*inputs, flags.common, connections);
  if (!flags.plan_file.empty())
    if (int rc = check_saved_plan(flags.plan_file, plan); rc != k_exit_ok) return rc;

  // Show what will happen (and which partners must update their side), then ask.
  const std::string handoffs_dir = state_path(flags.common.paths.topology, "handoffs");
  write_out(stdout, format_plan_text(plan));
  write_out(stdout, format_partner_updates(partner_updates(inputs->handoffs, handoffs_dir),
                                           flags.common.paths.topology));
  if (plan.has_errors()) {
    std::fprintf(stderr, "picket: error: the plan is incomplete: some hosts could not be read\n");
    return k_exit_findings;
  }
  if (!plan.has_changes()) {
    // Nothing to write, but a lock an interrupted deploy left is still worth a word.
    for (const HostReport& h : report_idle_locks(plan, inputs->inventory(), connections,
                                                 flags.common.parallel, flags.force_unlock))
      for (const std::string& note : h.notes) write_out(stdout, "  " + h.host + ": note: " + note + "\n");
    write_out(stdout, "Nothing to deploy.\n");
    return record_partner_handoffs(inputs->handoffs, handoffs_dir);
  }
  if (!flags.no_restart)
    write_out(stdout, format_rollout(plan_rollout(
                          plan, inputs->topology(),
                          graph_path_counter(inputs->topology(), inputs->inventory()),
                          flags.max_wave)));
  if (int rc = confirm(flags.yes); rc != k_exit_ok) return rc;

  // On a terminal the steps update in place; elsewhere concise lines; --verbose: everything.
  const char* term = std::getenv("TERM");
  const bool terminal = isatty(fileno(stdout)) == 1 && !(term != nullptr && std::string(term) == "dumb");
  DeployProgress progress(state_path(flags.common.paths.topology, "deploy.log"),
                          flags.verbose ? DeployProgress::Mode::verbose
                          : terminal    ? DeployProgress::Mode::live
                                        : DeployProgress::Mode::concise,
                          stdout);
  ApplyOptions options;
  options.parallel = flags.common.parallel;
  options.no_restart = flags.no_restart;
  options.force_unlock = flags.force_unlock;
  options.max_wave = flags.max_wave;
  options.lock = who_we_are();
  options.health.timeout =
      std::chrono::milliseconds(static_cast<long long>(flags.health_timeout * 1000.0));
  options.on_record = [&progress](const LogRecord& r) { progress(r); };
  options.own_peers = inputs->own_peers;
  InterruptScope interrupts;
  options.interrupted = [] { return g_interrupted.load(); };
  const ApplyReport report = apply_plan(plan, inputs->files, inputs->topology(),
                                        inputs->inventory(), connections, options);
  progress.finish();
  write_out(stdout, format_apply_report(report));
  switch (report.status) {
    case ApplyStatus::ok: return record_partner_handoffs(inputs->handoffs, handoffs_dir);
    case ApplyStatus::refused: return k_exit_findings;
    case ApplyStatus::failed: return k_exit_deploy_failed;
  }
  return k_exit_deploy_failed;
}
}  // namespace

Command add_deploy_command(CLI::App& app) {
  auto flags = std::make_shared<DeployFlags>();
  auto* cmd = app.add_subcommand("deploy", "Push the rendered files to the hosts, in safe waves");
  add_rollout_flags(*cmd, flags->common);
  cmd->add_option("--plan", flags->plan_file,
                  "Deploy only if this saved plan (plan --out) still holds");
  cmd->add_flag("--yes,-y", flags->yes, "Do not ask for confirmation");
  cmd->add_flag("--verbose,-v", flags->verbose,
                "Print every action (each file, lock and check) as it happens, as the deploy log "
                "has it");
  cmd->add_flag("--no-restart", flags->no_restart,
                "Upload only: no reloads, restarts or health checks");
  cmd->add_flag("--force-unlock", flags->force_unlock,
                "Remove a stale deploy lock (its holder is reported) before taking it");
  cmd->add_option("--max-wave", flags->max_wave,
                  "Restart at most N nodes at once (waves never leave the validator fewer paths "
                  "than policy.min_paths either)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--health-timeout", flags->health_timeout,
                  "Seconds a restarted node has to become healthy (default 120)")
      ->check(CLI::PositiveNumber);
  return [flags] { return run_deploy(*flags); };
}

}  // namespace picket::cli
