#pragma once
// Opening Transports: the SSH connector (deploy/ssh/) and the in-memory twin both implement it.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "deploy/transport.hpp"
#include "topology/model.hpp"

namespace picket {

struct ConnectOptions {
  std::string known_hosts;  // path of the known_hosts file (default ~/.ssh/known_hosts)
  bool accept_new = false;  // record unknown host keys instead of refusing
  std::chrono::milliseconds timeout{std::chrono::seconds(15)};  // connect, handshake, each op
  std::string passphrase;   // for encrypted identity files ("" = none)
  /// Told (from any connecting thread) each host key accept_new records, as one line with
  /// its OpenSSH SHA256 fingerprint, so the operator sees what was trusted.
  std::function<void(const std::string&)> on_recorded_key;
};

class Connector {
 public:
  virtual ~Connector() = default;
  /// Connects and authenticates to `host` (through its `jump:` host when set, looked up in
  /// `inventory`), verifying the host key. Safe to call from several threads at once.
  virtual Result<std::unique_ptr<Transport>> connect(const Host& host, const Inventory& inventory,
                                                     const ConnectOptions& options) = 0;
};

}  // namespace picket
