#pragma once
// Where things are on a host and which commands picket runs there, from the inventory
// (topology-format.md §2). Every value put into a command is shell-quoted.

#include <optional>
#include <string>

#include "render/file_set.hpp"
#include "topology/model.hpp"

namespace picket {

/// The defaults of §2 for hosts that set no reload command. {file} is the changed file.
/// The VPN reload brings the tunnel up when the host has none yet (a first deploy), re-ups
/// it when its own address changed, and otherwise syncs the peers without a cut. A file
/// `wg-quick strip` refuses fails the reload before the live interface is touched.
constexpr const char* k_default_reload_vpn =
    "bash -c 'set -euo pipefail; f=$1; stripped=$(wg-quick strip \"$f\"); "
    "if ! ip link show dev picket >/dev/null 2>&1; then exec wg-quick up \"$f\"; fi; "
    "want=$(sed -n \"s/^Address *= *//p\" \"$f\" | tr -d \" \" | tr , \"\\n\" | sort); "
    "have=$(ip -o addr show dev picket scope global | awk \"{print \\$4}\" | sort); "
    "if [ \"$want\" != \"$have\" ]; then wg-quick down \"$f\"; exec wg-quick up \"$f\"; fi; "
    "wg syncconf picket <(printf \"%s\\n\" \"$stripped\")' picket {file}";
constexpr const char* k_default_reload_firewall = "nft -f {file}";
/// Debian's units: node_exporter restarts to take new flags; Prometheus and Alertmanager
/// reload their configuration (SIGHUP).
constexpr const char* k_default_reload_monitoring =
    "case {file} in */prometheus-node-exporter) systemctl restart prometheus-node-exporter ;; "
    "*/alertmanager.yml) systemctl reload prometheus-alertmanager ;; "
    "*) systemctl reload prometheus ;; esac";

/// systemd re-reads its units, picket's drop-ins among them, so that the next start or
/// restart of a service uses them (and `systemctl status` stops warning of a changed unit).
constexpr const char* k_default_reload_units = "systemctl daemon-reload";

/// Replaces every `{file}` in an inventory command template (reload_vpn, reload_firewall)
/// with shell_quote(path). The rest of the template is the operator's shell text, as written.
std::string substitute_file(const std::string& command_template, const std::string& path);

/// `path` with the host's `root:` prefix ("/" or unset: unchanged).
std::string remote_path(const Host& host, const std::string& path);
/// The deploy lock: `<root>/var/lib/picket/deploy.lock`.
std::string lock_path(const Host& host);
/// The host's pending restarts (deploy/pending.hpp): `<root>/var/lib/picket/pending.json`.
std::string pending_path(const Host& host);
/// Where write_file keeps the previous version: `<remote path>.picket-bak`.
std::string backup_path(const std::string& remote);

/// True when the file needs the host's `become`: it lies outside its node's home (or
/// belongs to no node) and the host has `become` set.
bool needs_root(const RenderedFile& file, const Topology& topology, const Host& host);
/// True when restarts, reloads and the firewall guard run through `become`.
bool root_actions(const Host& host);

/// The host's `restart`, else `systemctl restart '<service>'`; nullopt when neither is set.
/// These are the host's CometBFT nodes' commands; a signer has its own (below).
std::optional<std::string> restart_command(const Host& host);
/// The host's `check`, else `systemctl is-active --quiet '<service>'`; nullopt when neither.
std::optional<std::string> check_command(const Host& host);
/// What restarts `node` on `host`: for a signer the host's `signer_restart`, else
/// `systemctl restart '<signer_service>'` (tmkms.service unless the host sets
/// `signer_service`); for a node restart_command(host).
std::optional<std::string> restart_command(const Host& host, const Node& node);
/// What tells `node` runs: for a signer `signer_check`, else `systemctl is-active --quiet
/// '<signer_service>'`; for a node check_command(host).
std::optional<std::string> check_command(const Host& host, const Node& node);
/// The host's reload_vpn (or the default) with {file} = the quoted remote path.
std::string reload_vpn_command(const Host& host, const std::string& remote_file);
/// The host's reload_firewall (or the default) with {file} = the quoted remote path.
std::string reload_firewall_command(const Host& host, const std::string& remote_file);
/// The host's reload_monitoring (or the default) with {file} = the quoted remote path.
std::string reload_monitoring_command(const Host& host, const std::string& remote_file);
/// The host's reload_units (or the default), as written: it runs once on a host whose
/// drop-ins changed, so it names no file.
std::string reload_units_command(const Host& host);

}  // namespace picket
