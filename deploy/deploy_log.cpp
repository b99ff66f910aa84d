#include "deploy/deploy_log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <utility>

#include <nlohmann/json.hpp>

namespace picket {

namespace {

// Every action with its text in the log: the one place the names are written.
constexpr std::pair<LogAction, const char*> k_log_actions[] = {
    {LogAction::deploy, "deploy"},
    {LogAction::step, "step"},
    {LogAction::lock, "lock"},
    {LogAction::force_unlock, "force-unlock"},
    {LogAction::unlock, "unlock"},
    {LogAction::pending, "pending"},
    {LogAction::verify, "verify"},
    {LogAction::sweep, "sweep"},
    {LogAction::stage, "stage"},
    {LogAction::discard, "discard"},
    {LogAction::write, "write"},
    {LogAction::firewall_allowlist, "firewall-allowlist"},
    {LogAction::firewall_guard_arm, "firewall-guard-arm"},
    {LogAction::reload_firewall, "reload-firewall"},
    {LogAction::fresh_connect, "fresh-connect"},
    {LogAction::firewall_guard_disarm, "firewall-guard-disarm"},
    {LogAction::reload_vpn, "reload-vpn"},
    {LogAction::reload_monitoring, "reload-monitoring"},
    {LogAction::reload_units, "reload-units"},
    {LogAction::restart, "restart"},
    {LogAction::restart_rollback, "restart-rollback"},
    {LogAction::health, "health"},
    {LogAction::restore, "restore"},
};

}  // namespace

const char* log_action_name(LogAction a) {
  for (const auto& [action, name] : k_log_actions)
    if (action == a) return name;
  return "?";
}

std::optional<LogAction> parse_log_action(std::string_view name) {
  for (const auto& [action, text] : k_log_actions)
    if (name == text) return action;
  return std::nullopt;
}

std::string format_log_record(const LogRecord& r) {
  nlohmann::ordered_json line;
  line["time"] = r.time;
  if (!r.host.empty()) line["host"] = r.host;
  line["action"] = log_action_name(r.action);
  if (!r.path.empty()) line["path"] = r.path;
  line["result"] = r.result;
  if (!r.sha256.empty()) line["sha256"] = r.sha256;
  if (!r.detail.empty()) line["detail"] = r.detail;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::map<std::string, DeployedHost> deployed_hosts(const std::string& log_text) {
  std::map<std::string, DeployedHost> out;
  std::size_t start = 0;
  while (start < log_text.size()) {
    std::size_t end = log_text.find('\n', start);
    if (end == std::string::npos) end = log_text.size();
    const auto line = nlohmann::json::parse(log_text.begin() + static_cast<std::ptrdiff_t>(start),
                                            log_text.begin() + static_cast<std::ptrdiff_t>(end),
                                            nullptr, false);
    start = end + 1;
    if (!line.is_object()) continue;
    auto text = [&](const char* key) {
      const auto it = line.find(key);
      return it != line.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string host = text("host");
    if (host.empty() || parse_log_action(text("action")) != LogAction::write || text("result") != "ok") continue;
    DeployedHost& h = out[host];
    h.last = std::max(h.last, text("time"));
    if (const std::string path = text("path"); !path.empty()) h.paths.insert(path);
  }
  return out;
}

std::string iso8601_utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string iso8601_utc_now_ms() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      now - std::chrono::system_clock::from_time_t(secs))
                      .count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

}  // namespace picket
