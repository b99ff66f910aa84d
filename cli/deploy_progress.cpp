#include "cli/deploy_progress.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace picket::cli {

namespace {

// The records worth a line without --verbose: what changes the running network or fails.
bool worth_a_line(const LogRecord& r) {
  if (r.action == LogAction::deploy) return r.result == "started";
  if (r.result == "failed" || r.result == "held") return true;
  switch (r.action) {
    case LogAction::step:
    case LogAction::force_unlock:
    case LogAction::sweep:
    case LogAction::restart:
    case LogAction::restart_rollback:
    case LogAction::health:
    case LogAction::restore:
    case LogAction::reload_firewall:
    case LogAction::reload_vpn:
      return true;
    default:
      return false;
  }
}

// What a host does or waits for after record `r` (live display).
std::string state_after(const LogRecord& r) {
  const std::string action = log_action_name(r.action);
  const std::string why = r.detail.empty() ? "" : ": " + r.detail;
  if (r.result == "failed") return "FAILED " + action + why;
  switch (r.action) {
    case LogAction::write: return "files in place; restarting";
    case LogAction::pending: return "files going live";
    case LogAction::firewall_guard_arm: return "reloading the firewall (guard armed)";
    case LogAction::reload_firewall: return "waiting for a fresh connection (lock-out check)";
    case LogAction::fresh_connect: return "fresh connection in; disarming the guard";
    case LogAction::firewall_guard_disarm: return "firewall checked";
    case LogAction::reload_vpn: return "VPN reloaded";
    case LogAction::restart: return "restarted " + r.detail + "; waiting for the health check";
    case LogAction::health: return "healthy: " + r.detail;
    case LogAction::restore: return "rolling back";
    case LogAction::restart_rollback: return "rolled back; restarted " + r.detail;
    case LogAction::sweep: return r.detail;
    default: return action + " " + r.result;
  }
}

}  // namespace

DeployProgress::DeployProgress(const std::string& log_path, Mode mode, std::FILE* out)
    : m_mode(mode), m_out(out), m_start(std::chrono::steady_clock::now()) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(log_path).parent_path(), ec);
  m_log.open(log_path, std::ios::app | std::ios::binary);
  if (!m_log)
    std::fprintf(stderr, "picket: warning: %s: cannot append to the deploy log: %s\n",
                 log_path.c_str(), std::strerror(errno));
  if (m_mode == Mode::live)
    m_ticker = std::thread([this] {
      std::unique_lock<std::mutex> lock(m_mutex);
      while (!m_stop) {
        m_wake.wait_for(lock, std::chrono::milliseconds(250));
        if (!m_stop) redraw();
      }
    });
}

DeployProgress::~DeployProgress() { finish(); }

void DeployProgress::finish() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_stop) return;
    m_stop = true;
    if (m_mode == Mode::live) redraw();
  }
  m_wake.notify_all();
  if (m_ticker.joinable()) m_ticker.join();
}

double DeployProgress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

void DeployProgress::operator()(const LogRecord& r) {
  if (m_log) {
    m_log << format_log_record(r);
    m_log.flush();
  }
  if (m_mode == Mode::live)
    update(r);
  else if (m_mode == Mode::verbose || worth_a_line(r))
    line(r);
}

void DeployProgress::line(const LogRecord& r) {
  const std::string action = log_action_name(r.action);
  std::string text = r.host.empty() ? action : r.host + ": " + action;
  // Paths only with --verbose: the concise lines say what happened to the host.
  if (!r.path.empty() && m_mode == Mode::verbose) text += " " + r.path;
  text += " " + r.result;
  if (!r.detail.empty()) text += " (" + r.detail + ")";
  std::fprintf(m_out, "[%6.1fs] %s\n", elapsed(), text.c_str());
  std::fflush(m_out);
}

DeployProgress::Row& DeployProgress::row(const std::string& host) {
  for (Row& r : m_rows)
    if (r.host == host) return r;
  m_rows.push_back(Row{host, "", std::chrono::steady_clock::now(), false});
  return m_rows.back();
}

void DeployProgress::update(const LogRecord& r) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (r.action == LogAction::deploy && r.result == "started") {
    std::fprintf(m_out, "Deploying: %s\n", r.detail.c_str());
    m_rows.clear();
    m_drawn = 0;
    m_rows.push_back(Row{"", "locking, checking and uploading", std::chrono::steady_clock::now(), false});
  } else if (r.action == LogAction::step) {
    redraw();  // the previous block stays as it ended
    m_rows.clear();
    m_drawn = 0;
    std::fprintf(m_out, "Step %s\n", (r.detail + (r.result == "started" ? "" : " (" + r.result + ")")).c_str());
  } else if (r.action == LogAction::deploy) {
    for (Row& row : m_rows)
      if (!row.done) {
        row.done = true;
        row.ended = std::chrono::steady_clock::now();
      }
  } else if (!r.host.empty() && r.action != LogAction::lock && r.action != LogAction::unlock &&
             r.action != LogAction::stage && r.action != LogAction::verify &&
             r.action != LogAction::discard) {
    Row& h = row(r.host);
    if (h.done && r.result == "ok") {  // healthy: the bookkeeping after it changes nothing
      redraw();
      return;
    }
    h.state = state_after(r);
    h.done = r.action == LogAction::health && r.result == "ok";
    if (h.done) h.ended = std::chrono::steady_clock::now();
  } else if (!r.host.empty() && r.result == "failed") {
    Row& h = row(r.host);
    h.state = state_after(r);
  }
  redraw();
}

void DeployProgress::redraw() {
  std::string out;
  if (m_drawn > 0) out += "\x1b[" + std::to_string(m_drawn) + "A";
  const auto now = std::chrono::steady_clock::now();
  for (const Row& r : m_rows) {
    const double s = std::chrono::duration<double>((r.done ? r.ended : now) - r.started).count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%6.1fs  ", s);
    std::string text = "\x1b[2K  " + std::string(buf) + (r.host.empty() ? "" : r.host + ": ") + r.state;
    out += text + "\n";
  }
  m_drawn = static_cast<int>(m_rows.size());
  std::fwrite(out.data(), 1, out.size(), m_out);
  std::fflush(m_out);
}

}  // namespace picket::cli
