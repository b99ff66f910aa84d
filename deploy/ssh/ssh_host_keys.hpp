#pragma once
// Host key verification for one SSH session: the inventory's pinned `host_key`, else the
// known_hosts file. Unknown keys are refused unless accept_new (then recorded); a changed key
// is always refused.

#include <functional>
#include <optional>
#include <string>

#include "deploy/ssh/ssh_session.hpp"
#include "deploy/transport.hpp"

namespace picket {

/// What a host's key is checked against.
struct HostKeyPolicy {
  std::string host;                   // inventory name, for messages
  std::string address;                // as written in the inventory
  int port = 22;
  std::optional<std::string> pinned;  // "TYPE BASE64 [comment]" from the inventory
  std::string pinned_where;           // "inventory.yaml:12" (or "") for messages
  std::string known_hosts;            // path of the known_hosts file
  bool accept_new = false;
  /// Told each key accept_new records: "recorded the host key of H (A:P): TYPE SHA256:… in F".
  std::function<void(const std::string&)> on_recorded;
};

/// The name known_hosts files use for address:port: "address" for port 22, else
/// "[address]:port" (as OpenSSH writes it).
std::string known_hosts_name(const std::string& address, int port);

/// The host key algorithms to offer for this host, best first: the pinned key's type, else
/// the types known_hosts lists for the host's name, else every type. Fails when the
/// known_hosts file cannot be parsed or the pinned key is malformed. No network: the session
/// only carries libssh2's known_hosts parser (the fuzz target tests/fuzz/ drives it here).
Result<std::string> host_key_algorithms(SshSession& session, const HostKeyPolicy& policy);

/// Before the handshake: offers only the host key types we can check for this host (libssh2
/// 1.10 prefers ECDSA and would report an ed25519-only host as unknown). Fails when the
/// known_hosts file cannot be parsed or the pinned key is malformed.
Result<void> prefer_known_host_key_types(SshSession& session, const HostKeyPolicy& policy);

/// After the handshake: accepts the session's host key, records it (NOTFOUND + accept_new),
/// or refuses with the SHA256 fingerprint and what to do.
Result<void> verify_host_key(SshSession& session, const HostKeyPolicy& policy);

}  // namespace picket
