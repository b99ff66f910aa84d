#pragma once
// What `picket plan` and `picket deploy` share before they talk to any host: lint the
// inputs (refusing on errors, like CI would), render every file, and open the connector.

#include <memory>
#include <optional>
#include <string>

#include "cli/inputs.hpp"
#include "deploy/connector.hpp"
#include "render/file_set.hpp"

namespace CLI {
class App;
}

namespace picket::cli {

/// Flags both commands take.
struct RolloutFlags {
  InputPaths paths;
  std::string inventory;    // --inventory (empty: the topology's `inventory:`)
  std::string secrets;      // --secrets (empty: .picket/secrets beside the topology)
  std::string templates;    // --templates (empty: the built-in templates)
  int parallel = 8;         // --parallel
  std::string known_hosts;  // --known-hosts (empty: ~/.ssh/known_hosts)
  bool accept_new = false;  // --accept-new
  double timeout = 15;      // --timeout, seconds
};

/// Registers the flags of RolloutFlags on a command.
void add_rollout_flags(CLI::App& cmd, RolloutFlags& flags);

/// The linted model and its rendered files.
struct RolloutInputs {
  CheckedInputs checked;
  FileSet files;
  const Topology& topology() const { return checked.result.topology; }
  const Inventory& inventory() const { return checked.result.inventory; }
};

/// Lints, loads the keys (never creating any) and renders. On failure prints why (the lint
/// report, key problems, render diagnostics or a usage error) to stderr and returns the exit
/// code: 64 unreadable input, secrets or templates directory; 1 lint errors, missing or broken keys,
/// render errors.
tl::expected<RolloutInputs, int> prepare_rollout(const RolloutFlags& flags);

/// The SSH connector (deploy/ssh).
std::unique_ptr<Connector> make_connector();

/// ConnectOptions from the flags.
ConnectOptions connect_options(const RolloutFlags& flags);

/// `.picket/<name>` in the topology file's directory.
std::string state_path(const std::string& topology_path, const std::string& name);

}  // namespace picket::cli
