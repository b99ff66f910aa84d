#include "cli/rollout_inputs.hpp"

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "cli/secrets_store.hpp"
#include "cli/template_dir.hpp"
#include "cli/terminal.hpp"
#include "deploy/ssh/ssh_connector.hpp"
#include "render/key_plan.hpp"
#include "render/render.hpp"

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
void print_diagnostics(const CheckedInputs& checked, const Diagnostics& diags) {
  write_out(stderr, format_text(diags, summarize(diags, checked.result.analysis), checked.sources,
                                use_color("auto", stderr)));
}

// The keys render needs, all present and sound: a deploy never creates keys (that is
// `picket keys`, whose output the operator can check first).
tl::expected<Secrets, int> load_rollout_secrets(const std::string& dir,
                                                const CheckedInputs& checked,
                                                const std::string& topology_path) {
  // Messages may hold one problem per line (one per key file): one error line each.
  auto fail = [](const std::string& message, int rc) {
    std::size_t start = 0;
    while (start < message.size()) {
      std::size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      std::fprintf(stderr, "picket: error: %s\n", message.substr(start, end - start).c_str());
      start = end + 1;
    }
    return tl::make_unexpected(rc);
  };
  if (auto usable = check_secrets_dir(dir); !usable) return fail(usable.error(), 64);
  const Topology& topology = checked.result.topology;
  Diagnostics pinned;
  check_pinned_ids(topology, dir, pinned);
  if (has_errors(pinned)) {
    print_diagnostics(checked, pinned);
    return tl::make_unexpected(1);
  }
  const KeyPlan plan = plan_keys(topology);
  auto secrets = load_secrets(dir, plan);
  if (!secrets) return fail(secrets.error(), 1);
  if (auto missing = missing_keys(plan, *secrets); !missing.empty())
    return fail(missing_keys_message(missing, topology_path), 1);
  return std::move(*secrets);
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
      flags.secrets.empty() ? default_secrets_dir(flags.paths.topology) : flags.secrets;
  auto secrets = load_rollout_secrets(secrets_dir, *checked, flags.paths.topology);
  if (!secrets) return tl::make_unexpected(secrets.error());
  auto templates = load_template_dir(flags.templates);
  if (!templates) {
    std::fprintf(stderr, "picket: error: %s\n", templates.error().c_str());
    return tl::make_unexpected(64);
  }
  Diagnostics render_diags;
  FileSet files = render_all(checked->result.topology, checked->result.inventory, *secrets,
                             *templates, render_diags);
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
  cmd.add_option("--templates", f.templates,
                 "Directory of templates that replace built-in ones by file name (as given to "
                 "render)");
  cmd.add_option("--parallel", f.parallel, "Hosts worked on at once (default 8)")
      ->check(CLI::Range(1, 256));
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
  return o;
}

}  // namespace picket::cli
