#pragma once
// Deploy: push a plan to the hosts. Lock every changed host, check the plan still holds,
// upload every changed file beside its target (staged, not live), then wave by wave: rename
// into place (atomic, with backups), reload firewall (behind the lock-out guard) and VPN,
// restart, health-check. A failure rolls that host back and stops the rollout; staged files
// of hosts it never reached are removed.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "deploy/connections.hpp"
#include "deploy/deploy_log.hpp"
#include "deploy/firewall_guard.hpp"
#include "deploy/health.hpp"
#include "deploy/plan.hpp"
#include "deploy/rollout.hpp"
#include "deploy/waves.hpp"
#include "render/file_set.hpp"

namespace picket {

struct ApplyOptions {
  int parallel = 8;            // hosts worked on at once
  bool no_restart = false;     // upload only: no reloads, restarts or health checks
  bool force_unlock = false;   // clear a held lock first (it is reported)
  int max_wave = 0;            // at most this many nodes restart at once (0: no bound)
  LockInfo lock;               // who we are, written into each lock
  HealthOptions health;
  int firewall_guard_seconds = k_firewall_guard_seconds;
  /// The clock for log records (default: iso8601_utc_now_ms).
  std::function<std::string()> now;
  /// Receives every record as it happens (progress and the deploy log). Calls are serialized.
  std::function<void(const LogRecord&)> on_record;
  /// Path counting for waves (default: the topology graph).
  PathCounter paths;
  /// Per node, its graph neighbours among our own nodes (render's own_peers): after its
  /// restart the health gate waits until it is connected again to each of them it was
  /// connected to before. Empty: the gate asks for one peer.
  std::map<std::string, std::vector<OwnPeer>> own_peers;
  /// Asked before each step after the first: true stops the rollout there (an interrupt).
  /// The step under way finishes; the hosts of later steps are left untouched.
  std::function<bool()> interrupted;
};

/// Deploys `plan` (made from `files`). The CLI has linted, planned and confirmed already.
/// Every lock taken is released before returning, whatever happens.
ApplyReport apply_plan(const Plan& plan, const FileSet& files, const Topology& topology,
                       const Inventory& inventory, Connections& connections,
                       const ApplyOptions& options);

/// Locks on the plan's unchanged hosts, left by a deploy that did not finish (nothing else
/// would show them): per host of the plan its report, whose notes say who holds the lock, or
/// with `force_unlock` that it was removed. What `deploy` says when there is nothing to deploy.
std::vector<HostReport> report_idle_locks(const Plan& plan, const Inventory& inventory,
                                          Connections& connections, int parallel,
                                          bool force_unlock);

}  // namespace picket
