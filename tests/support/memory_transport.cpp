#include "tests/support/memory_transport.hpp"

#include <algorithm>
#include <cstdio>

namespace picket {

namespace {
TransportError error(TransportError::Kind kind, std::string message) {
  return TransportError{kind, std::move(message)};
}

std::string octal(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

const char* root_tag(bool as_root) { return as_root ? "[root]" : ""; }
}  // namespace

std::string status_body(bool catching_up) {
  return std::string(R"({"jsonrpc":"2.0","id":-1,"result":{"node_info":{"network":"test"},)") +
         R"("sync_info":{"latest_block_height":"100","catching_up":)" +
         (catching_up ? "true" : "false") + "}}}";
}

std::string net_info_body(int peers) {
  return R"({"jsonrpc":"2.0","id":-1,"result":{"listening":true,"n_peers":")" +
         std::to_string(peers) + R"(","peers":[]}})";
}

std::string net_info_body(const std::vector<std::string>& peer_ids) {
  std::string peers;
  for (const std::string& id : peer_ids)
    peers += (peers.empty() ? "" : ",") + std::string(R"({"node_info":{"id":")") + id +
             R"(","moniker":"m"},"is_outbound":true})";
  return R"({"jsonrpc":"2.0","id":-1,"result":{"listening":true,"n_peers":")" +
         std::to_string(peer_ids.size()) + R"(","peers":[)" + peers + "]}}";
}

MemoryHost& MemoryFleet::host(const std::string& name) { return m_hosts[name]; }

void MemoryFleet::script_exec(const std::string& host_name, std::string match,
                              ExecResult result, int times,
                              std::function<void(MemoryHost&)> effect) {
  std::lock_guard<std::mutex> guard(m_mutex);
  m_hosts[host_name].exec_rules.push_back(
      ExecRule{std::move(match), std::move(result), times, std::move(effect)});
}

void MemoryFleet::script_http(const std::string& host_name, int port, const std::string& target,
                              std::vector<Result<std::string>> answers) {
  std::lock_guard<std::mutex> guard(m_mutex);
  auto& queue = m_hosts[host_name].http[std::to_string(port) + " " + target];
  for (auto& a : answers) queue.push_back(std::move(a));
}

MemoryTransport::MemoryTransport(MemoryFleet& fleet, std::string host, bool has_become, int number)
    : m_fleet(fleet), m_host(std::move(host)), m_has_become(has_become), m_number(number) {}

MemoryHost& MemoryTransport::state() { return m_fleet.host(m_host); }

Result<void> MemoryTransport::check_root(bool as_root) const {
  if (as_root && !m_has_become)
    return tl::make_unexpected(
        error(TransportError::Kind::permission_denied, m_host + ": root action without become"));
  return {};
}

Result<std::optional<RemoteFile>> MemoryTransport::read_file(const std::string& path,
                                                             bool as_root) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back(std::string("read") + root_tag(as_root) + " " + path);
  if (auto ok = check_root(as_root); !ok) return tl::make_unexpected(ok.error());
  if (std::find(h.unreadable.begin(), h.unreadable.end(), path) != h.unreadable.end())
    return tl::make_unexpected(
        error(TransportError::Kind::permission_denied, path + ": permission denied"));
  auto it = h.files.find(path);
  if (it == h.files.end()) return std::optional<RemoteFile>{};
  return std::optional<RemoteFile>{it->second};
}

// A staged file waits beside its target under this name: the deploy id (or "0" without a
// fence) and no random part.
static std::string staged_name(const std::string& path, const std::string& token) {
  const auto slash = path.rfind('/');
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".picket-tmp-" +
         (token.empty() ? std::string("0") : deploy_id(token));
}

Result<void> MemoryTransport::check_fence(MemoryHost& h, const std::string& what) {
  if (m_token.empty()) return {};
  auto held = h.locks.find(m_lock_path);
  if (held != h.locks.end() && held->second.token == m_token) return {};
  h.log.push_back("fenced " + what);
  return tl::make_unexpected(error(TransportError::Kind::locked,
                                   what + ": refused: the deploy lock " + m_lock_path +
                                       " is no longer this deploy's"));
}

Result<StagedFile> MemoryTransport::stage_file(const std::string& path, const std::string& content,
                                               std::uint32_t mode, const std::string& backup_path,
                                               bool as_root) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back(std::string("stage") + root_tag(as_root) + " " + path + " " + octal(mode));
  if (auto ok = check_root(as_root); !ok) return tl::make_unexpected(ok.error());
  ++h.writes;
  if (h.fail_write_number == h.writes)
    return tl::make_unexpected(error(h.write_error, path + ": injected write failure"));
  const std::string temp = staged_name(path, m_token);
  h.files[temp] = RemoteFile{content, mode};
  return StagedFile{path, temp, backup_path, as_root};
}

Result<void> MemoryTransport::commit_staged(const std::vector<StagedFile>& files,
                                            std::size_t& done) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  done = 0;
  for (const StagedFile& f : files) {
    h.log.push_back(std::string("commit") + root_tag(f.as_root) + " " + f.path);
    if (m_number >= 1 && m_number <= h.cut_connections_upto)
      return tl::make_unexpected(TransportError{TransportError::Kind::unreachable,
                                                m_host + ": connection lost"});
    if (auto ok = check_root(f.as_root); !ok) return tl::make_unexpected(ok.error());
    if (auto ok = check_fence(h, "commit " + f.path); !ok) return ok;
    ++h.commits;
    auto staged = h.files.find(f.temp);
    if (h.fail_commit_number == h.commits || staged == h.files.end()) {
      h.files.erase(f.temp);
      return tl::make_unexpected(error(TransportError::Kind::failed,
                                       f.path + (staged == h.files.end() ? ": staged file is gone"
                                                                         : ": injected commit failure")));
    }
    // The backup is the version replaced; no previous file, no backup (so restore_file
    // removes the new file instead of reviving some older one).
    auto old = h.files.find(f.path);
    if (!f.backup_path.empty()) {
      if (old != h.files.end())
        h.files[f.backup_path] = old->second;
      else
        h.files.erase(f.backup_path);
    }
    h.files[f.path] = staged->second;
    h.files.erase(f.temp);
    ++done;
  }
  return {};
}

Result<void> MemoryTransport::discard_staged(const std::vector<StagedFile>& files) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  for (const StagedFile& f : files) {
    h.log.push_back(std::string("discard") + root_tag(f.as_root) + " " + f.path);
    h.files.erase(f.temp);
  }
  return {};
}

Result<void> MemoryTransport::restore_file(const std::string& path, const std::string& backup_path,
                                           bool as_root) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back(std::string("restore") + root_tag(as_root) + " " + path);
  if (auto ok = check_root(as_root); !ok) return tl::make_unexpected(ok.error());
  if (auto ok = check_fence(h, "restore " + path); !ok) return ok;
  auto backup = h.files.find(backup_path);
  if (backup == h.files.end()) {
    h.files.erase(path);
    return {};
  }
  // Like the SSH transport: the backup stays, so a second restore is still possible.
  h.files[path] = backup->second;
  return {};
}

Result<ExecResult> MemoryTransport::exec(const std::string& command, bool as_root) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back(std::string("exec") + root_tag(as_root) + " " + command);
  if (m_number >= 1 && m_number <= h.cut_connections_upto)
    return tl::make_unexpected(TransportError{TransportError::Kind::unreachable,
                                              m_host + ": connection lost"});
  if (auto ok = check_root(as_root); !ok) return tl::make_unexpected(ok.error());
  if (auto ok = check_fence(h, "exec " + command); !ok) return tl::make_unexpected(ok.error());
  for (ExecRule& rule : h.exec_rules) {
    if (rule.times == 0 || command.find(rule.match) == std::string::npos) continue;
    if (rule.times > 0) --rule.times;
    ExecResult result = rule.result;
    if (rule.effect) rule.effect(h);
    return result;
  }
  return ExecResult{};
}

Result<std::string> MemoryTransport::http_get(int port, const std::string& target) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back("http " + std::to_string(port) + " " + target);
  auto it = h.http.find(std::to_string(port) + " " + target);
  if (it == h.http.end() || it->second.empty()) {
    if (target == "/status") return status_body(false);
    if (target == "/net_info") return net_info_body(3);
    return tl::make_unexpected(error(TransportError::Kind::not_found, target + ": HTTP 404"));
  }
  Result<std::string> answer = it->second.front();
  if (it->second.size() > 1) it->second.pop_front();
  return answer;
}

Result<void> MemoryTransport::lock(const std::string& lock_path, const LockInfo& info) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back("lock " + lock_path);
  auto held = h.locks.find(lock_path);
  if (held != h.locks.end())
    return tl::make_unexpected(error(TransportError::Kind::locked,
                                     "locked by " + held->second.owner + " since " +
                                         held->second.since));
  h.locks.emplace(lock_path, info);
  if (!info.token.empty()) {
    m_lock_path = lock_path;
    m_token = info.token;
    if (std::find(h.running.begin(), h.running.end(), info.token) == h.running.end())
      h.running.push_back(info.token);
  }
  return {};
}

Result<void> MemoryTransport::unlock(const std::string& lock_path) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back("unlock " + lock_path);
  auto held = h.locks.find(lock_path);
  // Only our own lock (when fenced): one another deploy took over stays.
  if (held != h.locks.end() && (m_token.empty() || lock_path != m_lock_path || held->second.token == m_token))
    h.locks.erase(held);
  if (!m_token.empty()) h.running.erase(std::remove(h.running.begin(), h.running.end(), m_token), h.running.end());
  return {};
}

Result<std::optional<LockInfo>> MemoryTransport::read_lock(const std::string& lock_path) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back("read-lock " + lock_path);
  auto held = h.locks.find(lock_path);
  if (held == h.locks.end()) return std::optional<LockInfo>{};
  LockInfo info = held->second;
  if (!info.token.empty())
    info.alive = std::find(h.running.begin(), h.running.end(), info.token) != h.running.end();
  return std::optional<LockInfo>{info};
}

Result<std::string> MemoryTransport::break_lock(const std::string& lock_path, const LockInfo& holder) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back("break-lock " + lock_path);
  std::string said = "no process of that deploy was left on the host";
  if (!holder.token.empty()) {
    auto it = std::find(h.running.begin(), h.running.end(), holder.token);
    if (it != h.running.end()) {
      h.running.erase(it);
      said = "ended 1 process(es) of that deploy on the host";
    }
  }
  auto held = h.locks.find(lock_path);
  if (held != h.locks.end() && held->second.token == holder.token) h.locks.erase(held);
  return said;
}

Result<std::vector<std::string>> MemoryTransport::sweep_temps(const std::vector<std::string>& dirs) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  h.log.push_back("sweep " + std::to_string(dirs.size()) + " dirs");
  if (auto ok = check_fence(h, "sweep"); !ok) return tl::make_unexpected(ok.error());
  const std::string own = ".picket-tmp-" + (m_token.empty() ? std::string("0") : deploy_id(m_token));
  std::vector<std::string> removed;
  for (auto it = h.files.begin(); it != h.files.end();) {
    const std::string& p = it->first;
    const auto slash = p.rfind('/');
    const std::string dir = slash == 0 ? "/" : p.substr(0, slash);
    const std::string name = p.substr(slash + 1);
    const bool temp = !name.empty() && name[0] == '.' && name.find(".picket-tmp-") != std::string::npos;
    const bool ours = name.size() >= own.size() && name.compare(name.size() - own.size(), own.size(), own) == 0;
    if (temp && !ours && std::find(dirs.begin(), dirs.end(), dir) != dirs.end()) {
      removed.push_back(p);
      it = h.files.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

void MemoryTransport::set_fence(const std::string& lock_path, const std::string& token) {
  m_lock_path = lock_path;
  m_token = token;
}

Result<std::unique_ptr<Transport>> MemoryConnector::connect(const Host& host, const Inventory&,
                                                            const ConnectOptions&) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = m_fleet.host(host.name.value);
  h.log.push_back("connect");
  ++h.connects;
  if (h.unreachable)
    return tl::make_unexpected(
        error(TransportError::Kind::unreachable, host.name.value + ": no route to host"));
  if (h.refuse_connects_after >= 0 && h.connects > h.refuse_connects_after)
    return tl::make_unexpected(
        error(TransportError::Kind::timeout, host.name.value + ": connection timed out"));
  return std::unique_ptr<Transport>(
      std::make_unique<MemoryTransport>(m_fleet, host.name.value, host.become.has_value(), h.connects));
}

Result<std::vector<std::string>> MemoryTransport::list_temps(const std::vector<std::string>& dirs) {
  std::lock_guard<std::mutex> guard(m_fleet.mutex());
  MemoryHost& h = state();
  std::vector<std::string> found;
  for (const auto& [p, file] : h.files) {
    const auto slash = p.rfind('/');
    const std::string dir = slash == 0 ? "/" : p.substr(0, slash);
    const std::string name = p.substr(slash + 1);
    if (!name.empty() && name[0] == '.' && name.find(".picket-tmp-") != std::string::npos &&
        std::find(dirs.begin(), dirs.end(), dir) != dirs.end())
      found.push_back(p);
  }
  return found;
}

}  // namespace picket
