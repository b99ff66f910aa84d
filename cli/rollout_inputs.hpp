#pragma once
// What `picket plan` and `picket deploy` share before they talk to any host: their flags,
// the connector and its options (lint and render are cli/render_pipeline.hpp).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/inputs.hpp"
#include "cli/render_pipeline.hpp"
#include "deploy/connector.hpp"
#include "deploy/plan.hpp"

namespace CLI {
class App;
}

namespace picket::cli {

/// Flags both commands take.
struct RolloutFlags {
  InputPaths paths;         // the topology and --inventory
  std::string secrets;      // --secrets (empty: .picket/secrets beside the topology)
  std::string templates;    // --templates (empty: the built-in templates)
  int parallel = 8;         // --parallel
  std::string known_hosts;  // --known-hosts (empty: ~/.ssh/known_hosts)
  bool accept_new = false;  // --accept-new
  double timeout = 15;      // --timeout, seconds
};

/// Whether a command renders and works on many hosts (`--templates`, `--parallel`), or
/// neither (restore: one host, or none, and nothing rendered).
enum class RolloutScope { fleet, one_host };

/// Registers the flags of RolloutFlags on a command (for one_host, all but `--templates`
/// and `--parallel`).
void add_rollout_flags(CLI::App& cmd, RolloutFlags& flags, RolloutScope scope = RolloutScope::fleet);

/// Lints and renders as `command` (lint_and_render with the flags' paths and directories).
tl::expected<RenderedInputs, int> prepare_rollout(const RolloutFlags& flags, std::string_view command);

/// The SSH connector (deploy/ssh).
std::unique_ptr<Connector> make_connector();

/// ConnectOptions from the flags.
ConnectOptions connect_options(const RolloutFlags& flags);

/// `.picket/<name>` in the topology file's directory.
std::string state_path(const std::string& topology_path, const std::string& name);

/// Fills `plan.removed` from the deploy log beside the topology (`.picket/deploy.log`): hosts
/// picket wrote to that get no file now. No log, or one that cannot be read: none (a warning
/// on stderr for the latter).
void note_removed_hosts(Plan& plan, const std::string& topology_path);

/// The plan of both commands: every host read over `connections` and compared with the
/// rendered files, then note_removed_hosts.
Plan plan_hosts(const RenderedInputs& inputs, const RolloutFlags& flags, Connections& connections);

}  // namespace picket::cli
