#pragma once
// Records of the local deploy log (`.picket/deploy.log` beside the topology): one JSON
// object per line, one line per action on a host. Formatting only; the CLI appends the lines.
// A record never carries file content, only paths and SHA-256.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace picket {

/// What a record of the deploy log is about. The log holds its name (log_action_name).
enum class LogAction {
  deploy,                 // the run: started, then ok or failed
  step,                   // one rollout step: started or skipped
  lock,
  force_unlock,
  unlock,
  pending,                // the host's pending restarts saved
  verify,
  sweep,                  // staged files a killed run left, removed
  stage,
  discard,
  write,
  firewall_allowlist,
  firewall_guard_arm,
  reload_firewall,
  fresh_connect,
  firewall_guard_disarm,
  reload_vpn,
  reload_monitoring,
  reload_units,           // systemd re-read the unit drop-ins
  restart,                // a wave's restart
  restart_rollback,       // the restart after a rollback
  health,
  restore,
};

/// The action's text in the log: "deploy", "force-unlock", "restart-rollback", …
const char* log_action_name(LogAction a);
/// The action a log's text names; nullopt for a text no action has.
std::optional<LogAction> parse_log_action(std::string_view name);

/// One action of a deploy.
struct LogRecord {
  std::string time;    // ISO-8601 UTC (milliseconds in the deploy log)
  std::string host;    // "" for run-level records (start, finish)
  LogAction action = LogAction::deploy;
  std::string path;    // remote path, when the action concerns a file
  std::string result;  // "ok", "failed", "skipped", …
  std::string sha256;  // of the content written or restored to, when known
  std::string detail;  // one line: an error message, a holder, a health reason
};

/// The record as one line of compact JSON with a trailing '\n'. Empty fields are left out,
/// except time, action and result.
std::string format_log_record(const LogRecord& record);

/// What the log says picket wrote to one host.
struct DeployedHost {
  std::string last;             // time of the last file written there
  std::set<std::string> paths;  // remote paths written there, ever
};

/// Every host the log records a file written to ("write" with result "ok"), by name. Lines
/// that are not records (a torn last line, hand edits) are skipped.
std::map<std::string, DeployedHost> deployed_hosts(const std::string& log_text);

/// The current time as ISO-8601 UTC with seconds ("2026-01-02T03:04:05Z").
std::string iso8601_utc_now();

/// The same with milliseconds ("2026-01-02T03:04:05.678Z"): deploy log records, so the log
/// shows where a rollout's time goes.
std::string iso8601_utc_now_ms();

}  // namespace picket
