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
#include "deploy/waves.hpp"
#include "render/file_set.hpp"

namespace picket {

/// One step of the rollout: a wave of nodes and the hosts it touches first (their files are
/// uploaded and their reloads run in this step). Hosts whose changes restart nothing go with
/// the first step.
struct RolloutStep {
  Wave wave;
  std::vector<std::string> first_touch;  // hosts, sorted
};

/// The order of a deploy: steps run one after another, hosts within a step in parallel.
using Rollout = std::vector<RolloutStep>;

/// The steps for the changed hosts of `plan`. A wave holds the nodes to restart plus every
/// other node on a host whose firewall or VPN reloads (a reload can cut that node off too);
/// standby validators are never in a wave.
/// `max_wave` > 0 bounds the nodes of a wave (deploy --max-wave).
Rollout plan_rollout(const Plan& plan, const Topology& topology, const PathCounter& paths,
                     int max_wave = 0);

/// "Rollout: 4 waves" and one line per wave: `  1. public-sentry: pub-nyc, pub-sgp`.
std::string format_rollout(const Rollout& rollout);

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

enum class HostOutcome {
  untouched,    // nothing written (unchanged, or the rollout stopped before it)
  deployed,     // new files in place; its nodes restarted and healthy
  rolled_back,  // failed; its files were put back
};

/// "untouched", "deployed", "rolled back".
const char* host_outcome_name(HostOutcome o);

struct HostReport {
  std::string host;
  bool planned_change = false;           // the plan had changes for it
  HostOutcome outcome = HostOutcome::untouched;
  std::vector<std::string> written;      // remote paths replaced (and still in place unless restored)
  std::vector<std::string> restored;     // remote paths put back by the rollback
  std::vector<std::string> restarted;    // nodes restarted with the new files
  std::vector<std::string> not_restarted;  // nodes with new files on disk but no restart (yet)
  std::string error;                     // what failed on this host, one line
  std::vector<std::string> notes;        // what the operator must know (lock left, guard armed)
  std::size_t swept = 0;                 // temp files a dead deploy left, removed
  std::vector<std::string> completed;    // restarts an earlier deploy left pending, now done
};

enum class ApplyStatus {
  ok,       // every planned change is in place (or there was none)
  refused,  // stopped before writing anything: plan has errors, is stale, or a host is locked
  failed,   // the rollout stopped; the failed host was rolled back
};

struct ApplyReport {
  ApplyStatus status = ApplyStatus::ok;
  std::string message;  // why refused or failed, one line
  Rollout rollout;
  int steps_done = 0;
  std::vector<HostReport> hosts;  // every host of the plan, by name
};

/// Deploys `plan` (made from `files`). The CLI has linted, planned and confirmed already.
/// Every lock taken is released before returning, whatever happens.
ApplyReport apply_plan(const Plan& plan, const FileSet& files, const Topology& topology,
                       const Inventory& inventory, Connections& connections,
                       const ApplyOptions& options);

/// Per host one line (outcome, files, restarts, error, notes), then a closing line:
/// `Deploy complete: …`, `Deploy refused: …` or `Deploy failed: …`.
std::string format_apply_report(const ApplyReport& report);

}  // namespace picket
