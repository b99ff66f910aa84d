#pragma once
// The SSH Connector (libssh2): opens a verified, authenticated SshTransport per host, through
// its `jump:` hosts when it has some. The CLI calls ssh_global_init() once in main before any
// thread starts, constructs one SshConnector and shares it between threads.

#include <memory>

#include "deploy/connector.hpp"

namespace picket {

/// Initialises libssh2 (and its crypto backend). Call once from main before starting threads;
/// later calls do nothing. SshConnector calls it too, for programs that forget.
void ssh_global_init();
/// Releases libssh2's global state; call once at exit, after every Transport is gone.
void ssh_global_cleanup();

class SshConnector final : public Connector {
 public:
  /// Calls ssh_global_init().
  SshConnector();
  /// TCP connect, handshake, host key check, authentication for `host` (and first for each
  /// jump host: a chain is followed, a loop refused). Thread-safe: nothing is shared but the
  /// known_hosts file, which is appended under a lock.
  Result<std::unique_ptr<Transport>> connect(const Host& host, const Inventory& inventory,
                                             const ConnectOptions& options) override;
};

}  // namespace picket
