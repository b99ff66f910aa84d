#pragma once
// What render produces: every file picket manages, with where it goes, its mode and what
// must happen on the host when it changes.

#include <cstdint>
#include <string>
#include <vector>

namespace picket {

/// What a changed file asks of its host.
enum class ApplyAction {
  restart_node,     // the node's service (config.toml, node_key.json)
  reload_vpn,       // the host's `reload_vpn` (WireGuard)
  reload_firewall,  // the host's `reload_firewall` (nftables)
  restart_signer,   // the signer's service (tmkms.toml)
  reload_monitoring,  // the host's `reload_monitoring` (Prometheus, Alertmanager, node_exporter)
  reload_units,     // the host's `reload_units` (systemd re-reads unit drop-ins)
  none,             // nothing to restart (monitoring files, kept locally)
};

/// "restart-node", "reload-vpn", "reload-firewall", "restart-signer", "reload-monitoring",
/// "reload-units", "none".
const char* apply_action_name(ApplyAction a);

struct RenderedFile {
  std::string host;     // inventory host it is deployed to; "" = local only (monitoring)
  std::string path;     // absolute remote path, before the host's `root:` prefix
  std::uint32_t mode = 0644;
  std::string content;
  std::string node;     // owning node; "" for host-level files
  bool secret = false;  // never printed, logged or diffed; mode 0600
  ApplyAction action = ApplyAction::none;
};

/// Files in a deterministic order: by host, then path.
using FileSet = std::vector<RenderedFile>;

/// Sorts by (host, path).
void sort_files(FileSet& files);

}  // namespace picket
