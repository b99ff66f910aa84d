#pragma once
// The pure half of a deploy: the order of the rollout (steps of waves from the graph, and
// the hosts each step touches first), what a deploy reports per host, and both as text.
// No connection, no clock: deploy/apply.hpp runs the rollout.

#include <string>
#include <vector>

#include "deploy/plan.hpp"
#include "deploy/waves.hpp"
#include "topology/model.hpp"

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

/// Per host one line (outcome, files, restarts, error, notes), then a closing line:
/// `Deploy complete: …`, `Deploy refused: …` or `Deploy failed: …`.
std::string format_apply_report(const ApplyReport& report);

}  // namespace picket
