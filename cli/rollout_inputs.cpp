#include "cli/rollout_inputs.hpp"

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "cli/terminal.hpp"
#include "deploy/ssh/ssh_connector.hpp"
#include "render/render.hpp"
#include "render/templates.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
void print_diagnostics(const CheckedInputs& checked, const Diagnostics& diags) {
  write_out(stderr, format_text(diags, summarize(diags, checked.result.analysis), checked.sources,
                                use_color("auto", stderr)));
}

// INTEGRATION(keys): load the node and WireGuard keys from `dir` with
// cli/secrets_store.hpp load_secrets(dir, plan_keys(topology)) once the keys work is on main,
// and refuse with missing_keys_message() when some are missing. Until then render gets none.
tl::expected<Secrets, std::string> load_rollout_secrets(const std::string& /*dir*/,
                                                        const Topology& /*topology*/) {
  return Secrets{};
}
}  // namespace

std::string state_path(const std::string& topology_path, const std::string& name) {
  return (fs::path(topology_path).parent_path() / ".picket" / name).lexically_normal().string();
}

tl::expected<RolloutInputs, int> prepare_rollout(const RolloutFlags& flags) {
  InputPaths paths = flags.paths;
  if (!flags.inventory.empty()) paths.inventory = flags.inventory;
  auto checked = load_and_check(paths);
  if (!checked) {
    std::fprintf(stderr, "picket: error: %s\n", checked.error().c_str());
    return tl::make_unexpected(64);
  }
  // What CI lints is what deploy pushes: any lint error stops here.
  if (has_errors(checked->result.diagnostics) || !checked->result.analysis) {
    print_diagnostics(*checked, checked->result.diagnostics);
    return tl::make_unexpected(1);
  }
  const std::string secrets_dir =
      flags.secrets.empty() ? state_path(flags.paths.topology, "secrets") : flags.secrets;
  auto secrets = load_rollout_secrets(secrets_dir, checked->result.topology);
  if (!secrets) {
    std::fprintf(stderr, "picket: error: %s\n", secrets.error().c_str());
    return tl::make_unexpected(1);
  }
  Diagnostics render_diags;
  FileSet files = render_all(checked->result.topology, checked->result.inventory, *secrets,
                             builtin_templates(), render_diags);
  if (has_errors(render_diags)) {
    print_diagnostics(*checked, render_diags);
    return tl::make_unexpected(1);
  }
  return RolloutInputs{std::move(*checked), std::move(files)};
}

std::unique_ptr<Connector> make_connector() {
  // The one construction point of the SSH connector (it initialises libssh2 here, on the
  // main thread, before any worker starts).
  return std::make_unique<SshConnector>();
}

void add_rollout_flags(CLI::App& cmd, RolloutFlags& f) {
  cmd.add_option("topology", f.paths.topology, "Topology file")->required();
  cmd.add_option("--inventory,-i", f.inventory,
                 "Inventory file (default: the topology's `inventory:` key)");
  cmd.add_option("--secrets", f.secrets,
                 "Secrets directory (default: .picket/secrets beside the topology)");
  cmd.add_option("--parallel", f.parallel, "Hosts worked on at once (default 8)")
      ->check(CLI::Range(1, 256));
  cmd.add_option("--known-hosts", f.known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd.add_flag("--accept-new", f.accept_new,
               "Record the host keys of hosts not yet known instead of refusing them");
  cmd.add_option("--timeout", f.timeout, "Seconds for connecting and for each operation")
      ->check(CLI::PositiveNumber);
}

ConnectOptions connect_options(const RolloutFlags& flags) {
  ConnectOptions o;
  o.known_hosts = flags.known_hosts;
  o.accept_new = flags.accept_new;
  o.timeout = std::chrono::milliseconds(static_cast<long long>(flags.timeout * 1000.0));
  return o;
}

}  // namespace picket::cli
