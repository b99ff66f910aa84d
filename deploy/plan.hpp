#pragma once
// Plan: what deploy would change. For every host that receives files, read the current
// version of each rendered file and classify it (create, change, unchanged), then derive what
// the host must do (reloads, node restarts). Read-only on every host.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/connections.hpp"
#include "deploy/deploy_log.hpp"
#include "deploy/pending.hpp"
#include "render/file_set.hpp"
#include "topology/model.hpp"

namespace picket {

enum class FileChange { create, change, unchanged };

/// "create", "change", "unchanged".
const char* file_change_name(FileChange c);

/// One rendered file as compared with what the host has.
struct PlannedFile {
  std::size_t index = 0;    // position in the FileSet the plan was made from
  std::string path;         // as rendered (before `root:`)
  std::string remote_path;  // with the host's `root:` applied
  std::string node;         // owning node; "" for host-level files
  ApplyAction action = ApplyAction::none;
  bool secret = false;
  bool as_root = false;     // written through the host's `become`
  FileChange change = FileChange::unchanged;
  std::uint32_t mode = 0644;              // rendered mode
  std::optional<std::uint32_t> old_mode;  // nullopt: the file does not exist yet
  std::string sha256;                     // of the rendered content
  std::string old_sha256;                 // of the host's content; "" when it does not exist
  std::string diff;  // unified diff for a changed text file that is not secret, else ""
  bool binary = false;  // non-secret content that is not text: never diffed
  /// A node's changed config.toml: the RPC port of the host's current file, where a rollback
  /// puts the node back (its health is then asked there). nullopt when unknown.
  std::optional<int> old_rpc_port;
};

/// The port of `[rpc] laddr` ("tcp://host:port") in a config.toml's text; nullopt when the
/// file has none or names a unix socket.
std::optional<int> rpc_port_in_config(const std::string& config_toml);

/// One host's part of the plan.
struct HostPlan {
  std::string host;
  std::string address;
  std::optional<TransportError> error;  // connecting or reading failed: files are incomplete
  std::vector<std::string> problems;    // inventory gaps that stop a deploy (one line each)
  std::vector<PlannedFile> files;       // in FileSet order
  bool reload_firewall = false;         // a reload-firewall file changed
  bool reload_vpn = false;              // a reload-vpn file changed
  bool reload_monitoring = false;       // a reload-monitoring file changed
  bool reload_units = false;            // a reload-units file (a systemd drop-in) changed
  std::vector<std::string> restart;     // nodes to restart (nodes and signers), sorted
  std::vector<std::string> held_back;   // standby validators whose files changed: never restarted
  /// Restarts an earlier deploy left undone (recorded on the host): their nodes are in
  /// `restart` too, so the next deploy restarts them in their wave even with no file change.
  PendingRestarts pending;
  /// Temp files a dead deploy left beside this host's targets: the next deploy removes them.
  std::vector<std::string> stale_temps;

  /// True when the deploy has work here: a file is created or changed, a restart is
  /// pending, or a dead deploy's temp files are to be removed.
  bool changed() const;
  /// True when a file is created or changed.
  bool files_changed() const;
};

struct PlanCounts {
  int create = 0;
  int change = 0;
  int unchanged = 0;
  int restart = 0;  // nodes to restart
};

/// A host picket deployed to (its deploy log says so) that receives no file any more: its
/// node or host left the topology or the inventory. Reported, never touched.
struct RemovedHost {
  std::string host;
  std::string last;                // when picket last wrote a file there
  std::vector<std::string> paths;  // what it wrote there, sorted: left as they are
};

/// The whole plan: one HostPlan per host that receives files, by host name.
struct Plan {
  std::vector<HostPlan> hosts;
  std::vector<RemovedHost> removed;  // by host name; not changes (deploy leaves them alone)

  PlanCounts counts() const;
  /// True when any host changes.
  bool has_changes() const;
  /// True when a host could not be read or has problems: deploy refuses such a plan.
  bool has_errors() const;
  /// The host's plan, or nullptr.
  const HostPlan* find(const std::string& host) const;
};

struct PlanOptions {
  int parallel = 8;  // hosts read at once (one connection each)
};

/// Compares `files` with every host (files with host "" are local-only and skipped). Host
/// failures are recorded in the HostPlan, never thrown; the plan is always complete otherwise.
Plan make_plan(const FileSet& files, const Topology& topology, const Inventory& inventory,
               Connections& connections, const PlanOptions& options);

/// The hosts of `deployed` (deployed_hosts of the deploy log) that `plan` has no HostPlan for.
std::vector<RemovedHost> removed_hosts(const std::map<std::string, DeployedHost>& deployed,
                                       const Plan& plan);

/// Human-readable plan: per host a header, `+`/`~` lines, diffs (never of secret files),
/// reloads and restarts; then each removed host (`host X is no longer in the topology: …`);
/// closing `Plan: A to create, B to change, C unchanged; D nodes to restart.` Hosts that
/// failed show their error.
std::string format_plan_text(const Plan& plan);

/// The same as JSON (format_version 1): contents never appear, only sha256 and diffs of
/// non-secret files.
std::string format_plan_json(const Plan& plan);

/// "0644"
std::string octal_mode(std::uint32_t mode);

/// The directories of the host's target files (remote paths), sorted, each once.
std::vector<std::string> target_dirs(const HostPlan& host);

}  // namespace picket
