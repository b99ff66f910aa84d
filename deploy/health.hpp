#pragma once
// The health gate after a restart: the host's `check` command exits 0, and for CometBFT
// nodes the RPC (reached through the connection itself) says the node is not catching up,
// has at least one peer, and is connected again to every graph neighbour of ours it was
// connected to before the restart. Polled until a deadline.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "deploy/transport.hpp"
#include "render/neighbours.hpp"

namespace picket {

/// The wait after the first failed attempt (then doubled each time, up to the interval).
inline constexpr std::chrono::milliseconds k_health_first_wait{100};

struct HealthOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};   // give up after this
  /// The longest wait between attempts. The first waits are shorter (k_health_first_wait,
  /// doubling up to this): a node that comes up in 300 ms passes in about 300 ms, one that
  /// takes a minute is polled every 2 s.
  std::chrono::milliseconds interval{std::chrono::seconds(2)};
  /// How to wait between attempts (tests pass a no-op or a short sleep).
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// What one node must satisfy.
struct HealthTarget {
  std::string node;
  std::optional<std::string> check;  // shell command that exits 0 while the service runs
  bool check_as_root = false;
  std::optional<int> rpc_port;       // nullopt for signers (no CometBFT RPC)
  /// Peers (by node ID) it must be connected to: those of its graph neighbours it had before
  /// the restart. Empty: at least one peer is enough.
  std::vector<OwnPeer> peers;
};

/// The verdict of one attempt or of the whole wait.
struct HealthResult {
  bool healthy = false;
  int attempts = 0;
  std::string reason;  // why it is not healthy (last attempt), one line; "" when healthy
};

/// Reads `result.sync_info.catching_up` from a /status body: "" when false, else why not.
std::string judge_status(const std::string& body);
/// Reads `result.n_peers` (a string or a number) from a /net_info body: "" when ≥ 1 and
/// every peer of `expected` is among `result.peers` (by node ID), else why not.
std::string judge_net_info(const std::string& body, const std::vector<OwnPeer>& expected = {});

/// The node IDs (lower case) of the peers in a /net_info body; nullopt when it is no answer.
std::optional<std::vector<std::string>> connected_peer_ids(const std::string& body);

/// One attempt: check command, then /status, then /net_info.
HealthResult check_once(Transport& transport, const HealthTarget& target);

/// Attempts until healthy or `timeout` has passed (at least one attempt), waiting
/// 100 ms, 200 ms, 400 ms, … up to `interval` between attempts, never past the deadline.
HealthResult wait_healthy(Transport& transport, const HealthTarget& target,
                          const HealthOptions& options);

}  // namespace picket
