#include "cli/rollout_inputs.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <filesystem>
#include <mutex>

#include <CLI/CLI.hpp>

#include "deploy/ssh/ssh_connector.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

std::string state_path(const std::string& topology_path, const std::string& name) {
  return (fs::path(topology_path).parent_path() / ".picket" / name).lexically_normal().string();
}

void note_removed_hosts(Plan& plan, const std::string& topology_path) {
  const std::string path = state_path(topology_path, "deploy.log");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno != ENOENT)
      std::fprintf(stderr, "picket: warning: %s: cannot read the deploy log: %s\n", path.c_str(),
                   std::strerror(errno));
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  plan.removed = removed_hosts(deployed_hosts(text.str()), plan);
}

tl::expected<RenderedInputs, int> prepare_rollout(const RolloutFlags& flags, std::string_view command) {
  return lint_and_render(flags.paths, flags.secrets, flags.templates, command);
}

std::unique_ptr<Connector> make_connector() {
  // The one construction point of the SSH connector (it initialises libssh2 here, on the
  // main thread, before any worker starts).
  return std::make_unique<SshConnector>();
}

void add_rollout_flags(CLI::App& cmd, RolloutFlags& f, RolloutScope scope) {
  add_input_options(cmd, f.paths);
  cmd.add_option("--secrets", f.secrets,
                 "Secrets directory (default: .picket/secrets beside the topology)");
  if (scope == RolloutScope::fleet) {
    cmd.add_option("--templates", f.templates,
                   "Directory of templates that replace built-in ones by file name (as given to "
                   "render)");
    cmd.add_option("--parallel", f.parallel, "Hosts worked on at once (default 8)")
        ->check(CLI::Range(1, 256));
  }
  cmd.add_option("--known-hosts", f.known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd.add_flag("--accept-new", f.accept_new,
               "Record the host keys of hosts not yet known instead of refusing them");
  cmd.add_option("--timeout", f.timeout,
                 "Seconds a host may stay silent (connecting or during any operation) before it "
                 "counts as failed (default 15)")
      ->check(CLI::PositiveNumber);
}

ConnectOptions connect_options(const RolloutFlags& flags) {
  ConnectOptions o;
  o.known_hosts = flags.known_hosts;
  o.accept_new = flags.accept_new;
  o.timeout = std::chrono::milliseconds(static_cast<long long>(flags.timeout * 1000.0));
  // What --accept-new trusted is printed, fingerprint included (ssh -o
  // StrictHostKeyChecking=accept-new says as much).
  o.on_recorded_key = [](const std::string& line) {
    static std::mutex m;
    std::lock_guard<std::mutex> guard(m);
    std::fprintf(stderr, "picket: %s\n", line.c_str());
  };
  return o;
}

Plan plan_hosts(const RenderedInputs& inputs, const RolloutFlags& flags, Connections& connections) {
  Plan plan = make_plan(inputs.files, inputs.topology(), inputs.inventory(), connections,
                        PlanOptions{flags.parallel});
  // Hosts picket deployed to before that get nothing now: reported, never touched.
  note_removed_hosts(plan, flags.paths.topology);
  return plan;
}

}  // namespace picket::cli
