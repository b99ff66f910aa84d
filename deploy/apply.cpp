// Deploy. Approach: compute the rollout (waves from the graph, plus which hosts each step
// touches first); lock every changed host up front, so a deploy that cannot finish for a
// lock never starts; re-read the files under the lock so a plan that went stale is refused
// before anything is written. Then stage every changed file of every host at once (uploaded
// to a temp name beside its target, fsynced, its mode set: nothing is live yet), and run the
// steps in order, the hosts of a step in parallel (one worker per host, so each connection
// stays on one thread at a time). A host is touched first in the step of its earliest node:
// its staged files are renamed into place (keeping backups) and its firewall (behind the
// guard) and VPN reloaded there, so later steps' hosts stay untouched when the rollout
// stops; their staged files are removed before the locks are released. The guard's fresh
// connection is opened on its own thread while the node's restart command runs; the health
// check waits for it. Any failure on a host rolls back that host only (files restored,
// reloads and restarts re-run) and stops the rollout after the step. Locks are released by
// a guard object on every path out.

#include "deploy/apply.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <set>

#include "deploy/host_commands.hpp"
#include "deploy/parallel.hpp"
#include "render/manifest.hpp"
#include "topology/address.hpp"
#include "topology/effective.hpp"
#include "util/text.hpp"

namespace picket {

namespace {

// Command output may be long and multi-line; a log line keeps its first line only.
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "…";
  return line;
}

std::string exec_failure(const Result<ExecResult>& r) {
  if (!r) return r.error().message;
  if (!r->signal.empty()) return "killed by " + r->signal;
  std::string why = "exit " + std::to_string(r->exit_code);
  if (std::string err = first_line(r->err); !err.empty()) why += ": " + err;
  return why;
}


// Everything one host goes through during a deploy. Only its worker touches it.
struct HostState {
  const HostPlan* plan = nullptr;
  const Host* host = nullptr;
  HostReport report;
  bool locked = false;
  bool touched = false;
  std::vector<const PlannedFile*> to_write;  // the changed files, in write order
  std::vector<StagedFile> staged;           // their uploads, aligned with to_write
  std::size_t committed = 0;                // how many of them are in place
  std::vector<const PlannedFile*> written;  // in write order
  bool firewall_reloaded = false;
  bool vpn_reloaded = false;
  bool units_reloaded = false;
  bool guard_left_armed = false;  // the host restores its own ruleset: leave that file alone
  // A firewall guard armed and reloaded whose fresh connection is still being opened (on
  // its own thread, while the node's restart command runs through the existing connection).
  struct PendingGuard {
    const PlannedFile* file = nullptr;
    int pid = 0;
    std::optional<std::string> reload_error;  // set when the reload itself failed
    std::future<Result<std::unique_ptr<Transport>>> fresh;
  };
  std::optional<PendingGuard> guard;
  std::set<std::string> restart_attempted;
  // Per node restarted in its wave: the graph neighbours it was connected to just before,
  // which the health gate waits to see again.
  std::map<std::string, std::vector<OwnPeer>> reconnect;
  PendingRestarts pending;  // as on the host: read by the plan, then kept up to date
  std::size_t swept = 0;    // temp files of a dead deploy removed here
  bool took_over = false;   // --force-unlock broke a dead deploy's lock here
};

class Deployer {
 public:
  Deployer(const Plan& plan, const FileSet& files, const Topology& topology,
           const Inventory& inventory, Connections& connections, const ApplyOptions& options)
      : m_plan(plan),
        m_files(files),
        m_topology(topology),
        m_inventory(inventory),
        m_connections(connections),
        m_options(options),
        m_me(options.lock) {
    if (m_me.token.empty()) m_me.token = new_lock_token();
  }

  ApplyReport run();
  // Only the locks on hosts the plan leaves alone (see report_idle_locks below).
  std::vector<HostReport> idle_locks();

 private:
  void init_hosts();
  void record(const std::string& host, LogAction action, const std::string& path,
              const std::string& result, const std::string& sha256 = "",
              const std::string& detail = "");
  // How fan_out keeps a failed host's error in its report.
  enum class Blame { none, with_host, bare };
  // Runs job(host) for every host of `hosts`, at most --parallel at once; a job returns its
  // host's error, "" when it went well. The first error, as "host: error", becomes `why`;
  // `blame` says whether each failed host's report keeps its error, and with its name or not.
  bool fan_out(const std::vector<HostState*>& hosts, std::string& why, Blame blame,
               const std::function<std::string(HostState&)>& job);
  bool lock_all(std::vector<HostState*>& changed, std::string& why);
  void report_idle_locks();
  void take_over(HostState& s, Transport& t, const std::string& path, const LockInfo& holder);
  void unlock_all();
  bool verify_all(std::vector<HostState*>& changed, std::string& why);
  bool stage_all(std::vector<HostState*>& changed, std::string& why);
  void discard_staged(HostState& s, Transport* t);
  void discard_untouched();
  bool run_step(const RolloutStep& step, std::size_t number, std::string& why);
  bool host_step(HostState& s, const RolloutStep& step);
  bool commit(HostState& s, Transport* t);
  bool reload_firewall(HostState& s, Transport*& t);
  bool settle_guard(HostState& s, Transport*& t, bool rolling_back);
  bool reload_vpn(HostState& s, Transport* t);
  bool reload_monitoring(HostState& s, Transport* t);
  bool reload_units(HostState& s, Transport* t);
  // Why a host restarts: its wave (a failure fails the rollout) or a rollback (a failure is
  // only noted: the rollout has failed already).
  enum class RestartKind { wave, rollback };
  bool restart(HostState& s, Transport*& t, const std::vector<std::string>& nodes,
               RestartKind kind);
  bool health(HostState& s, Transport* t, const std::vector<std::string>& nodes);
  void rollback(HostState& s);
  HealthTarget health_target(const HostState& s, const std::string& node) const;
  void note_peers(HostState& s, Transport* t, const std::vector<std::string>& nodes);
  // A new connection to `name`, fenced with our lock when we hold the host's.
  Result<std::unique_ptr<Transport>> fresh(const std::string& name);
  std::string now() const { return m_options.now ? m_options.now() : iso8601_utc_now(); }
  // Writes the host's pending restarts (removes the file when there are none).
  bool save_pending(HostState& s, Transport* t, const PendingRestarts& pending);
  bool fail(HostState& s, std::string error) {
    s.report.error = std::move(error);
    rollback(s);
    return false;
  }

  // Locks are released here on every path out of run().
  struct LockRelease {
    Deployer& d;
    ~LockRelease() { d.unlock_all(); }
  };

  const Plan& m_plan;
  const FileSet& m_files;
  const Topology& m_topology;
  const Inventory& m_inventory;
  Connections& m_connections;
  const ApplyOptions& m_options;
  LockInfo m_me;  // our lock: who we are and the fencing token
  std::mutex m_record_mutex;
  std::map<std::string, HostState> m_hosts;
};

void Deployer::record(const std::string& host, LogAction action,
                      const std::string& path, const std::string& result,
                      const std::string& sha256, const std::string& detail) {
  LogRecord r{m_options.now ? m_options.now() : iso8601_utc_now_ms(), host, action, path, result,
              sha256, detail};
  std::lock_guard<std::mutex> guard(m_record_mutex);
  if (m_options.on_record) m_options.on_record(r);
}

bool Deployer::fan_out(const std::vector<HostState*>& hosts, std::string& why, Blame blame,
                       const std::function<std::string(HostState&)>& job) {
  std::vector<std::string> errors(hosts.size());
  parallel_for(hosts.size(), m_options.parallel, [&](std::size_t i) { errors[i] = job(*hosts[i]); });
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (errors[i].empty()) continue;
    const std::string blamed = hosts[i]->plan->host + ": " + errors[i];
    if (blame == Blame::with_host) hosts[i]->report.error = blamed;
    if (blame == Blame::bare) hosts[i]->report.error = errors[i];
    if (why.empty()) why = blamed;
  }
  return why.empty();
}

bool Deployer::lock_all(std::vector<HostState*>& changed, std::string& why) {
  return fan_out(changed, why, Blame::with_host, [&](HostState& s) -> std::string {
    const std::string& name = s.plan->host;
    const std::string path = lock_path(*s.host);
    auto t = m_connections.get(name);
    if (!t) {
      record(name, LogAction::lock, path, "failed", "", t.error().message);
      return t.error().message;
    }
    if (m_options.force_unlock) {
      auto holder = (*t)->read_lock(path);
      if (holder && *holder) take_over(s, **t, path, **holder);
    }
    auto locked = (*t)->lock(path, m_me);
    if (locked) {
      s.locked = true;
      record(name, LogAction::lock, path, "ok");
      return {};
    }
    std::string detail = locked.error().message;
    if (locked.error().kind == TransportError::Kind::locked) {
      auto holder = (*t)->read_lock(path);
      if (holder && *holder) {
        detail = "locked by " + (*holder)->describe();
        if ((*holder)->alive && !*(*holder)->alive)
          detail += " (that deploy died; deploy with --force-unlock to end what it left running "
                    "and take the lock over)";
        else
          detail += " (another deploy is running; if it is dead, deploy with --force-unlock)";
      }
    }
    record(name, LogAction::lock, path, "failed", "", detail);
    return detail;
  });
}

// A lock on a host this deploy leaves alone was left by an interrupted deploy: nothing would
// take it, so nothing would show it. Say who holds it (and clear it with --force-unlock).
void Deployer::report_idle_locks() {
  std::vector<HostState*> idle;
  for (auto& [name, s] : m_hosts)
    if (!s.report.planned_change && s.host != nullptr) idle.push_back(&s);
  parallel_for(idle.size(), m_options.parallel, [&](std::size_t i) {
    HostState& s = *idle[i];
    const std::string& name = s.plan->host;
    const std::string path = lock_path(*s.host);
    auto t = m_connections.get(name);
    if (!t) return;  // the plan already reported an unreachable host
    auto holder = (*t)->read_lock(path);
    if (!holder || !*holder) return;
    const std::string who = (*holder)->describe();
    if (!m_options.force_unlock) {
      record(name, LogAction::lock, path, "held", "", "locked by " + who);
      s.report.notes.push_back("locked by " + who + " (a deploy that did not finish? this one " +
                               "changes nothing here; deploy with --force-unlock to remove it)");
      return;
    }
    take_over(s, **t, path, **holder);
  });
}

// --force-unlock: end what the holder still runs on the host, then remove its lock.
void Deployer::take_over(HostState& s, Transport& t, const std::string& path,
                         const LockInfo& holder) {
  const std::string& name = s.plan->host;
  const std::string who = holder.describe();
  auto broken = t.break_lock(path, holder);
  s.took_over = s.took_over || broken.has_value();
  record(name, LogAction::force_unlock, path, broken ? "ok" : "failed", "",
         "was held by " + who + "; " + (broken ? *broken : broken.error().message));
  s.report.notes.push_back(broken ? "removed a lock held by " + who + " (--force-unlock; " +
                                        *broken + ")"
                                  : "could not remove the lock held by " + who + ": " +
                                        broken.error().message);
}

Result<std::unique_ptr<Transport>> Deployer::fresh(const std::string& name) {
  auto t = m_connections.fresh(name);
  if (t) {
    auto it = m_hosts.find(name);
    if (it != m_hosts.end() && it->second.locked && it->second.host != nullptr)
      (*t)->set_fence(lock_path(*it->second.host), m_me.token);
  }
  return t;
}

bool Deployer::save_pending(HostState& s, Transport* t, const PendingRestarts& pending) {
  const std::string path = pending_path(*s.host);
  std::vector<std::string> nodes;
  for (const auto& [node, p] : pending) nodes.push_back(node);
  Result<void> saved = pending.empty() ? t->restore_file(path, "", false)
                                       : t->write_file(path, format_pending(pending), 0644, "", false);
  record(s.plan->host, LogAction::pending, path, saved ? "ok" : "failed", "",
         (nodes.empty() ? std::string("none") : "restart " + join(nodes)) +
             (saved ? "" : ": " + saved.error().message));
  if (!saved) return false;
  s.pending = pending;
  return true;
}

void Deployer::unlock_all() {
  for (auto& [name, s] : m_hosts) {
    if (!s.locked) continue;
    const std::string path = lock_path(*s.host);
    auto t = m_connections.get(name);
    Result<void> released = t ? (*t)->unlock(path) : Result<void>(tl::make_unexpected(t.error()));
    if (!released) {
      // The old connection may have died (a firewall reload): one fresh try.
      if (auto again = fresh(name)) released = (*again)->unlock(path);
    }
    record(name, LogAction::unlock, path, released ? "ok" : "failed", "",
           released ? "" : released.error().message);
    if (!released)
      s.report.notes.push_back("lock left at " + path +
                               ": remove it, or deploy with --force-unlock");
    s.locked = false;
  }
}

bool Deployer::verify_all(std::vector<HostState*>& changed, std::string& why) {
  return fan_out(changed, why, Blame::none, [&](HostState& s) -> std::string {
    auto t = m_connections.get(s.plan->host);
    if (!t) return t.error().message;
    std::string error;
    for (const PlannedFile& f : s.plan->files) {
      auto now = (*t)->read_file(f.remote_path, f.as_root);
      if (!now) {
        error = now.error().message;
        break;
      }
      const bool same = *now ? (f.old_mode == (*now)->mode &&
                                f.old_sha256 == sha256_hex((*now)->content))
                             : !f.old_mode;
      if (!same) {
        error = f.remote_path + " changed since the plan";
        break;
      }
    }
    record(s.plan->host, LogAction::verify, "", error.empty() ? "ok" : "failed", "",
           error.empty() ? "" : s.plan->host + ": " + error);
    return error;
  });
}

HealthTarget Deployer::health_target(const HostState& s, const std::string& node) const {
  HealthTarget target;
  target.node = node;
  const Node* n = m_topology.find_node(node);
  target.check = n != nullptr ? check_command(*s.host, *n) : check_command(*s.host);
  // A signer (tmkms) has no CometBFT RPC: its service check is all there is.
  if (n != nullptr && n->role.value != Role::signer) target.rpc_port = effective_rpc_port(m_topology, *n);
  if (auto it = s.reconnect.find(node); it != s.reconnect.end()) target.peers = it->second;
  return target;
}

// Before a wave restarts its nodes: which of each node's graph neighbours it is connected to
// now. A node that does not answer (down already) is held to "at least one peer" only, and
// so is a neighbour that was not connected (it may be down for reasons of its own).
void Deployer::note_peers(HostState& s, Transport* t, const std::vector<std::string>& nodes) {
  for (const std::string& node : nodes) {
    s.reconnect.erase(node);
    const auto graph = m_options.own_peers.find(node);
    const Node* n = m_topology.find_node(node);
    if (graph == m_options.own_peers.end() || graph->second.empty() || n == nullptr ||
        n->role.value == Role::signer)
      continue;
    auto body = t->http_get(effective_rpc_port(m_topology, *n), "/net_info");
    if (!body) continue;
    const auto ids = connected_peer_ids(*body);
    if (!ids) continue;
    std::vector<OwnPeer> expect;
    for (const OwnPeer& p : graph->second)
      if (!p.id.empty() && std::binary_search(ids->begin(), ids->end(), lower(p.id)))
        expect.push_back(p);
    if (!expect.empty()) s.reconnect[node] = std::move(expect);
  }
}

// Every changed file of every host is uploaded up front, in parallel across hosts: to a temp
// name in its directory, fsynced, with its mode. Nothing is live yet: each host's step only
// renames its staged files into place (keeping backups), so a step waits for no upload.
bool Deployer::stage_all(std::vector<HostState*>& changed, std::string& why) {
  return fan_out(changed, why, Blame::bare, [&](HostState& s) -> std::string {
    const std::string& name = s.plan->host;
    auto t = m_connections.get(name);
    if (!t) return t.error().message;
    // Temp files a dead deploy left beside our targets go first (under our lock).
    if (!s.plan->stale_temps.empty() || s.took_over) {
      auto swept = (*t)->sweep_temps(target_dirs(*s.plan));
      record(name, LogAction::sweep, "", swept ? "ok" : "failed", "",
             swept ? "removed " + plural(swept->size(), "temp file", "temp files") + " left by a deploy that died"
                   : swept.error().message);
      if (!swept) return "remove the temp files a dead deploy left: " + swept.error().message;
      s.swept = swept->size();
    }
    for (const PlannedFile& f : s.plan->files) {
      if (f.change == FileChange::unchanged) continue;
      const RenderedFile& file = m_files[f.index];
      auto staged = (*t)->stage_file(f.remote_path, file.content, f.mode,
                                     backup_path(f.remote_path), f.as_root);
      record(name, LogAction::stage, f.remote_path, staged ? "ok" : "failed", f.sha256,
             staged ? "" : staged.error().message);
      if (!staged) return "write " + f.remote_path + ": " + staged.error().message;
      s.to_write.push_back(&f);
      s.staged.push_back(std::move(*staged));
    }
    return {};
  });
}

// The staged files of `s` not put in place: removed (under the lock, before it is released).
void Deployer::discard_staged(HostState& s, Transport* t) {
  if (s.committed >= s.staged.size()) return;
  const std::vector<StagedFile> left(s.staged.begin() + static_cast<std::ptrdiff_t>(s.committed),
                                     s.staged.end());
  s.staged.resize(s.committed);
  Result<void> gone = t != nullptr ? t->discard_staged(left)
                                   : Result<void>(tl::make_unexpected(TransportError{
                                         TransportError::Kind::unreachable, "no connection"}));
  for (const StagedFile& f : left)
    record(s.plan->host, LogAction::discard, f.path, gone ? "ok" : "failed", "",
           gone ? "" : gone.error().message);
  if (!gone)
    s.report.notes.push_back("could not remove the staged (never used) temp files beside " +
                             std::to_string(left.size()) + " target(s): " + gone.error().message);
}

// After the rollout (finished or stopped): hosts it never reached lose their staged files.
void Deployer::discard_untouched() {
  std::vector<HostState*> left;
  for (auto& [name, s] : m_hosts)
    if (s.committed < s.staged.size() && !s.touched) left.push_back(&s);
  parallel_for(left.size(), m_options.parallel, [&](std::size_t i) {
    HostState& s = *left[i];
    auto t = m_connections.get(s.plan->host);
    discard_staged(s, t ? *t : nullptr);
  });
}

bool Deployer::commit(HostState& s, Transport* t) {
  std::size_t done = 0;
  const std::vector<StagedFile> pending(s.staged.begin() + static_cast<std::ptrdiff_t>(s.committed),
                                        s.staged.end());
  auto put = t->commit_staged(pending, done);
  for (std::size_t k = 0; k < done; ++k) {
    const PlannedFile& f = *s.to_write[s.committed];
    record(s.plan->host, LogAction::write, f.remote_path, "ok", f.sha256);
    s.written.push_back(&f);
    s.report.written.push_back(f.remote_path);
    ++s.committed;
  }
  if (put) return true;
  // The failed file and the ones after it stay staged: the rollback removes their temp files.
  const PlannedFile& f = *s.to_write[s.committed];
  record(s.plan->host, LogAction::write, f.remote_path, "failed", f.sha256, put.error().message);
  return fail(s, "write " + f.remote_path + ": " + put.error().message);
}

// The last changed file of a host whose action is the firewall reload.
static const PlannedFile* last_firewall_file(const HostState& s) {
  const PlannedFile* last = nullptr;
  for (const PlannedFile& f : s.plan->files)
    if (f.change != FileChange::unchanged && f.action == ApplyAction::reload_firewall) last = &f;
  return last;
}

bool Deployer::reload_firewall(HostState& s, Transport*& t) {
  const std::string& name = s.plan->host;
  const bool root = root_actions(*s.host);
  for (const PlannedFile& f : s.plan->files) {
    if (f.change == FileChange::unchanged || f.action != ApplyAction::reload_firewall) continue;
    const std::string reload = reload_firewall_command(*s.host, f.remote_path);
    const std::optional<std::string> backup =
        f.change == FileChange::change ? std::optional<std::string>(backup_path(f.remote_path))
                                       : std::nullopt;
    // 0. A host with ssh_allow: the list must admit the address the host sees picket at
    // (lint checked the inventory's `controller`; this is what the network really does, a NAT
    // on the way or a jump host included). The guard would notice a lock-out only after the
    // reload and leave the host to undo it; refuse before the ruleset is loaded instead.
    if (s.host->ssh_allow) {
      auto seen = t->exec(ssh_client_command(), false);  // not through sudo: it drops the env
      const auto client = seen && seen->ok() ? parse_ssh_client(seen->out) : std::nullopt;
      const auto at = client ? parse_ip_prefix(*client) : std::nullopt;
      bool admitted = false;
      for (const auto& a : *s.host->ssh_allow)
        if (auto p = parse_ip_prefix(a.value); p && at && prefix_contains(*p, *at)) admitted = true;
      if (at && !admitted) {
        const std::string why = "the host sees picket's SSH connection come from " + *client +
                                ", which its ssh_allow does not admit: loading " + f.remote_path +
                                " would lock picket out (add that address to ssh_allow, and to "
                                "controller: in the inventory)";
        record(name, LogAction::firewall_allowlist, f.remote_path, "failed", "", why);
        return fail(s, why);
      }
      record(name, LogAction::firewall_allowlist, f.remote_path, "ok", "",
             at ? "picket seen from " + *client : "client address not known; the guard proves it");
    }
    // 1. Arm: without a guard the new ruleset is never loaded.
    auto armed = t->exec(
        guard_arm_command(f.remote_path, backup, reload, m_options.firewall_guard_seconds,
                          lock_path(*s.host), m_me.token),
        root);
    const std::optional<int> pid = armed && armed->ok() ? parse_pid(armed->out) : std::nullopt;
    if (!pid) {
      const std::string why = armed && armed->ok() ? "no pid printed" : exec_failure(armed);
      record(name, LogAction::firewall_guard_arm, f.remote_path, "failed", "", why);
      return fail(s, "firewall guard could not be armed: " + why);
    }
    record(name, LogAction::firewall_guard_arm, f.remote_path, "ok", "", "pid " + std::to_string(*pid));

    // 2. Reload. Whatever it returns, only a fresh connection proves we can still get in.
    s.firewall_reloaded = true;
    auto reloaded = t->exec(reload, root);
    const bool reload_ok = reloaded && reloaded->ok();
    record(name, LogAction::reload_firewall, f.remote_path, reload_ok ? "ok" : "failed", f.sha256,
           reload_ok ? "" : exec_failure(reloaded));

    // 3. A fresh connection under the new rules, opened on its own thread while the node's
    // restart command runs through the existing connection (see settle_guard). The health
    // check and everything after it wait for the outcome.
    HostState::PendingGuard pending;
    pending.file = &f;
    pending.pid = *pid;
    if (!reload_ok) pending.reload_error = exec_failure(reloaded);
    pending.fresh = std::async(std::launch::async, [this, name] {
      auto fresh = this->fresh(name);
      record(name, LogAction::fresh_connect, "", fresh ? "ok" : "failed", "",
             fresh ? "" : fresh.error().message);
      return fresh;
    });
    s.guard = std::move(pending);
    // A failed reload stops here; a second ruleset file waits for the first one's proof.
    if (!reload_ok || &f != last_firewall_file(s))
      if (!settle_guard(s, t, false)) return false;
  }
  return true;
}

// Waits for the pending guard's fresh connection. It got in: disarm, through the connection
// we already have while it still works (its remote shell is running: a new connection
// would start another login shell), else through the fresh one, which then replaces it.
// It did not: leave the guard armed (the host puts its previous ruleset back) and fail (in
// a rollback: only report it).
bool Deployer::settle_guard(HostState& s, Transport*& t, bool rolling_back) {
  if (!s.guard) return true;
  HostState::PendingGuard g = std::move(*s.guard);
  s.guard.reset();
  const std::string& name = s.plan->host;
  const PlannedFile& f = *g.file;
  auto fresh = g.fresh.get();
  if (!fresh) {
    s.guard_left_armed = true;
    s.report.notes.push_back(
        "firewall guard left armed (pid " + std::to_string(g.pid) + "): " + name +
        " puts its previous ruleset back and reloads it within " +
        std::to_string(m_options.firewall_guard_seconds) + " s");
    const std::string why =
        "no new connection after reloading the firewall: " + fresh.error().message;
    if (!rolling_back) return fail(s, why);
    s.report.notes.push_back(why);
    return false;
  }
  const bool root = root_actions(*s.host);
  Result<ExecResult> disarmed =
      t != nullptr ? t->exec(guard_disarm_command(g.pid), root)
                   : Result<ExecResult>(tl::make_unexpected(
                         TransportError{TransportError::Kind::unreachable, name + ": no connection"}));
  if (!disarmed) {
    disarmed = (*fresh)->exec(guard_disarm_command(g.pid), root);
    t = m_connections.adopt(name, std::move(*fresh));
  }
  const bool disarm_ok = disarmed && disarmed->ok();
  record(name, LogAction::firewall_guard_disarm, f.remote_path, disarm_ok ? "ok" : "failed", "",
         disarm_ok ? "pid " + std::to_string(g.pid) : exec_failure(disarmed));
  if (rolling_back) return disarm_ok;
  if (!disarm_ok)
    return fail(s, "could not disarm the firewall guard (pid " + std::to_string(g.pid) +
                       "): " + exec_failure(disarmed));
  if (g.reload_error) return fail(s, "reload_firewall failed: " + *g.reload_error);
  return true;
}

bool Deployer::reload_vpn(HostState& s, Transport* t) {
  for (const PlannedFile& f : s.plan->files) {
    if (f.change == FileChange::unchanged || f.action != ApplyAction::reload_vpn) continue;
    s.vpn_reloaded = true;
    auto r = t->exec(reload_vpn_command(*s.host, f.remote_path), root_actions(*s.host));
    const bool ok = r && r->ok();
    record(s.plan->host, LogAction::reload_vpn, f.remote_path, ok ? "ok" : "failed", f.sha256,
           ok ? "" : exec_failure(r));
    if (!ok) return fail(s, "reload_vpn failed: " + exec_failure(r));
  }
  return true;
}

// Prometheus, Alertmanager and node_exporter read their new files (none of them is on the
// validator's path: a failure stops the rollout like any failed reload).
bool Deployer::reload_monitoring(HostState& s, Transport* t) {
  for (const PlannedFile& f : s.plan->files) {
    if (f.change == FileChange::unchanged || f.action != ApplyAction::reload_monitoring) continue;
    auto r = t->exec(reload_monitoring_command(*s.host, f.remote_path), root_actions(*s.host));
    const bool ok = r && r->ok();
    record(s.plan->host, LogAction::reload_monitoring, f.remote_path, ok ? "ok" : "failed", f.sha256,
           ok ? "" : exec_failure(r));
    if (!ok) return fail(s, "reload_monitoring failed: " + exec_failure(r));
  }
  return true;
}

// systemd re-reads the units once the host's changed drop-ins are in place, before anything
// on the host restarts (a restart under the old units would warn and keep the old ordering).
bool Deployer::reload_units(HostState& s, Transport* t) {
  std::vector<std::string> dropins;
  for (const PlannedFile& f : s.plan->files)
    if (f.change != FileChange::unchanged && f.action == ApplyAction::reload_units)
      dropins.push_back(f.remote_path);
  if (dropins.empty()) return true;
  s.units_reloaded = true;
  auto r = t->exec(reload_units_command(*s.host), root_actions(*s.host));
  const bool ok = r && r->ok();
  record(s.plan->host, LogAction::reload_units, "", ok ? "ok" : "failed", "",
         ok ? join(dropins) : exec_failure(r));
  if (!ok) return fail(s, "reload_units failed: " + exec_failure(r));
  return true;
}

bool Deployer::restart(HostState& s, Transport*& t, const std::vector<std::string>& nodes,
                       RestartKind kind) {
  const LogAction action = kind == RestartKind::wave ? LogAction::restart : LogAction::restart_rollback;
  // One restart per service and step: the host's nodes share its command, a signer has its
  // own unit (signer_service), so a host running both restarts each once, nodes first.
  std::vector<std::pair<std::string, std::vector<std::string>>> commands;
  for (const std::string& node : nodes) {
    const Node* n = m_topology.find_node(node);
    const auto command = n != nullptr ? restart_command(*s.host, *n) : restart_command(*s.host);
    if (!command) {
      // The plan reports this as a problem and apply refuses such plans; kept for safety.
      const std::string why = "no `restart` or `service` for " + s.plan->host;
      record(s.plan->host, action, "", "failed", "", join(nodes) + ": " + why);
      return kind == RestartKind::wave ? fail(s, why) : false;
    }
    auto same = std::find_if(commands.begin(), commands.end(),
                             [&](const auto& c) { return c.first == *command; });
    if (same == commands.end()) {
      commands.push_back({*command, {node}});
    } else {
      same->second.push_back(node);
    }
  }
  std::stable_partition(commands.begin(), commands.end(), [&](const auto& c) {
    const Node* n = m_topology.find_node(c.second.front());
    return n == nullptr || n->role.value != Role::signer;
  });
  bool all_ok = true;
  for (const auto& [command, group] : commands) {
    s.restart_attempted.insert(group.begin(), group.end());
    auto r = t->exec(command, root_actions(*s.host));
    if (!r && s.guard) {
      // The connection broke (a reload that drops established sessions): once the fresh
      // connection has proved the way in and taken over, restart through it. A connection
      // that still works (the restart itself failed or hung) gets no second restart.
      Transport* before = t;
      if (!settle_guard(s, t, false)) return false;
      if (t != before) r = t->exec(command, root_actions(*s.host));
    }
    const bool ok = r && r->ok();
    record(s.plan->host, action, "", ok ? "ok" : "failed", "",
           join(group) + (ok ? "" : ": " + exec_failure(r)));
    if (!ok && kind == RestartKind::wave)
      return fail(s, "restart of " + join(group) + " failed: " + exec_failure(r));
    all_ok = all_ok && ok;
  }
  return all_ok;
}

bool Deployer::health(HostState& s, Transport* t, const std::vector<std::string>& nodes) {
  for (const std::string& node : nodes) {
    const HealthResult h = wait_healthy(*t, health_target(s, node), m_options.health);
    record(s.plan->host, LogAction::health, "", h.healthy ? "ok" : "failed", "",
           node + (h.healthy ? "" : ": " + h.reason) + ", " +
               plural(static_cast<std::size_t>(h.attempts), "attempt", "attempts"));
    if (!h.healthy)
      return fail(s, "health check of " + node + " failed after " +
                         plural(static_cast<std::size_t>(h.attempts), "attempt", "attempts") +
                         ": " + h.reason);
  }
  return true;
}

void Deployer::rollback(HostState& s) {
  const std::string& name = s.plan->host;
  s.report.outcome = HostOutcome::rolled_back;
  auto t = m_connections.get(name);
  if (s.guard) {
    // The lock-out proof still runs: wait for it (disarm, or leave the guard armed) first.
    Transport* current = t ? *t : nullptr;
    settle_guard(s, current, true);
    t = m_connections.get(name);
  }
  bool firewall_restored = false, vpn_restored = false, units_restored = false,
       all_restored = true;
  for (auto it = s.written.rbegin(); it != s.written.rend(); ++it) {
    const PlannedFile& f = **it;
    if (s.guard_left_armed && f.action == ApplyAction::reload_firewall) continue;
    Result<void> restored = t ? (*t)->restore_file(f.remote_path, backup_path(f.remote_path), f.as_root)
                              : Result<void>(tl::make_unexpected(t.error()));
    if (!restored && restored.error().kind != TransportError::Kind::locked) {
      // A connection broken by the failure itself: one fresh try (never after the host
      // refused us: the lock is another deploy's now).
      if (auto again = fresh(name)) {
        t = m_connections.adopt(name, std::move(*again));
        restored = (*t)->restore_file(f.remote_path, backup_path(f.remote_path), f.as_root);
      }
    }
    record(name, LogAction::restore, f.remote_path, restored ? "ok" : "failed", f.old_sha256,
           restored ? (f.change == FileChange::create ? "removed (it was new)" : "")
                    : restored.error().message);
    if (!restored) {
      all_restored = false;
      s.report.notes.push_back("could not restore " + f.remote_path + ": " +
                               restored.error().message);
      continue;
    }
    s.report.restored.push_back(f.remote_path);
    // A file that was new has nothing to reload back to.
    if (f.change == FileChange::change && f.action == ApplyAction::reload_firewall)
      firewall_restored = true;
    if (f.change == FileChange::change && f.action == ApplyAction::reload_vpn) vpn_restored = true;
    // A removed new drop-in changes the units as much as a restored one.
    if (f.action == ApplyAction::reload_units) units_restored = true;
  }
  discard_staged(s, t ? *t : nullptr);
  if (!t) {
    s.report.notes.push_back("rollback could not reach " + name + ": " + t.error().message);
    return;
  }
  const bool root = root_actions(*s.host);
  // Put the running state back to the restored files: reload what was reloaded, restart
  // what was restarted.
  if (s.firewall_reloaded && firewall_restored)
    for (const PlannedFile* f : s.written)
      if (f->action == ApplyAction::reload_firewall && f->change == FileChange::change) {
        auto r = (*t)->exec(reload_firewall_command(*s.host, f->remote_path), root);
        record(name, LogAction::reload_firewall, f->remote_path, r && r->ok() ? "ok" : "failed",
               f->old_sha256, r && r->ok() ? "rollback" : "rollback: " + exec_failure(r));
      }
  if (s.vpn_reloaded && vpn_restored)
    for (const PlannedFile* f : s.written)
      if (f->action == ApplyAction::reload_vpn && f->change == FileChange::change) {
        auto r = (*t)->exec(reload_vpn_command(*s.host, f->remote_path), root);
        record(name, LogAction::reload_vpn, f->remote_path, r && r->ok() ? "ok" : "failed", f->old_sha256,
               r && r->ok() ? "rollback" : "rollback: " + exec_failure(r));
      }
  if (s.units_reloaded && units_restored) {
    auto r = (*t)->exec(reload_units_command(*s.host), root);
    record(name, LogAction::reload_units, "", r && r->ok() ? "ok" : "failed", "",
           r && r->ok() ? "rollback" : "rollback: " + exec_failure(r));
    if (!(r && r->ok()))
      s.report.notes.push_back("systemd did not re-read the restored unit drop-ins: " +
                               exec_failure(r));
  }
  std::set<std::string> healthy_again;
  Transport* current = *t;
  if (!s.restart_attempted.empty()) {
    const std::vector<std::string> nodes(s.restart_attempted.begin(), s.restart_attempted.end());
    s.reconnect.clear();  // the old files may name other peers
    if (restart(s, current, nodes, RestartKind::rollback)) {
      for (const std::string& node : nodes) {
        // Reported, not gated on: there is nothing further to fall back to. Asked where the
        // restored config.toml has the RPC, not where the failed one had it.
        HealthTarget target = health_target(s, node);
        for (const PlannedFile* f : s.written)
          if (f->node == node && f->old_rpc_port && target.rpc_port &&
              std::find(s.report.restored.begin(), s.report.restored.end(), f->remote_path) !=
                  s.report.restored.end())
            target.rpc_port = f->old_rpc_port;
        const HealthResult h = wait_healthy(*current, target, m_options.health);
        record(name, LogAction::health, "", h.healthy ? "ok" : "failed", "",
               node + " after rollback" + (h.healthy ? "" : ": " + h.reason));
        if (!h.healthy)
          s.report.notes.push_back(node + " is not healthy after the rollback: " + h.reason);
        else
          healthy_again.insert(node);
      }
    } else {
      s.report.notes.push_back("could not restart " + join(nodes) + " after the rollback");
    }
  }
  // Every file is back: the host owes what it owed before this deploy (a node restarted on
  // the restored files and healthy owes nothing). A restore that failed keeps the record.
  if (all_restored) {
    PendingRestarts owed = s.plan->pending;
    for (const std::string& node : healthy_again) owed.erase(node);
    if (owed != s.pending && !save_pending(s, current, owed))
        s.report.notes.push_back("could not update the pending restarts after the rollback");
  }
}

bool Deployer::host_step(HostState& s, const RolloutStep& step) {
  const std::string& name = s.plan->host;
  auto got = m_connections.get(name);
  if (!got) {
    s.report.error = got.error().message;
    if (s.touched) rollback(s);
    return false;
  }
  Transport* t = *got;
  const bool first = std::find(step.first_touch.begin(), step.first_touch.end(), name) !=
                     step.first_touch.end();
  if (first) {
    s.touched = true;
    // Before any file goes live, the host records the restarts it will owe until they are
    // done: a deploy that dies from here on leaves them for the next one (and plan shows them).
    PendingRestarts owed = s.pending;
    for (const std::string& node : s.plan->restart)
      if (!owed.count(node)) owed[node] = PendingRestart{now(), m_me.owner};
    if (owed != s.pending && !save_pending(s, t, owed))
      return fail(s, "could not record the pending restarts of " + join(s.plan->restart));
    if (!commit(s, t)) return false;
    if (!m_options.no_restart) {
      if (s.plan->reload_units && !reload_units(s, t)) return false;
      if (s.plan->reload_firewall && !reload_firewall(s, t)) return false;
      // The VPN reload goes through whichever connection the guard leaves working.
      if (s.plan->reload_vpn && !(settle_guard(s, t, false) && reload_vpn(s, t))) return false;
      if (s.plan->reload_monitoring && !reload_monitoring(s, t)) return false;
    }
  }
  if (m_options.no_restart) return true;

  std::vector<std::string> here, to_restart;
  for (const std::string& node : step.wave.nodes) {
    const Node* n = m_topology.find_node(node);
    if (n == nullptr || n->host.value != name) continue;
    here.push_back(node);
    if (std::binary_search(s.plan->restart.begin(), s.plan->restart.end(), node))
      to_restart.push_back(node);
  }
  if (!to_restart.empty()) {
    note_peers(s, t, to_restart);
    if (!restart(s, t, to_restart, RestartKind::wave)) return false;
    s.report.restarted.insert(s.report.restarted.end(), to_restart.begin(), to_restart.end());
  }
  // The health check waits for the lock-out proof (it may hand over to the fresh connection).
  if (!settle_guard(s, t, false)) return false;
  if (!health(s, t, here)) return false;
  // Restarted and healthy: nothing owed for these nodes any more.
  PendingRestarts owed = s.pending;
  for (const std::string& node : to_restart) owed.erase(node);
  if (owed != s.pending && !save_pending(s, t, owed))
    s.report.notes.push_back("could not clear the pending restart of " + join(to_restart) +
                             " (the next deploy restarts it again)");
  return true;
}

bool Deployer::run_step(const RolloutStep& step, std::size_t number, std::string& why) {
  std::set<std::string> names(step.first_touch.begin(), step.first_touch.end());
  for (const std::string& node : step.wave.nodes)
    if (const Node* n = m_topology.find_node(node); n != nullptr && m_hosts.count(n->host.value))
      names.insert(n->host.value);
  const std::vector<std::string> hosts(names.begin(), names.end());
  std::string what = step.wave.nodes.empty()
                         ? std::string("upload only")
                         : std::string(role_name(step.wave.role)) + ": " + join(step.wave.nodes);
  record("", LogAction::step, "", "started", "", std::to_string(number) + ": " + what);
  std::vector<char> ok(hosts.size(), 0);
  parallel_for(hosts.size(), m_options.parallel, [&](std::size_t i) {
    ok[i] = host_step(m_hosts.at(hosts[i]), step) ? 1 : 0;
  });
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (!ok[i] && why.empty()) why = hosts[i] + ": " + m_hosts.at(hosts[i]).report.error;
  return why.empty();
}

void Deployer::init_hosts() {
  for (const HostPlan& hp : m_plan.hosts) {
    HostState& s = m_hosts[hp.host];
    s.plan = &hp;
    s.host = m_inventory.find_host(hp.host);
    s.report.host = hp.host;
    s.report.planned_change = hp.changed();
    s.pending = hp.pending;
  }
}

std::vector<HostReport> Deployer::idle_locks() {
  init_hosts();
  report_idle_locks();
  std::vector<HostReport> reports;
  for (auto& [name, s] : m_hosts) reports.push_back(s.report);
  return reports;
}

ApplyReport Deployer::run() {
  ApplyReport report;
  init_hosts();
  auto finish = [&](ApplyStatus status, std::string message) {
    report.status = status;
    report.message = std::move(message);
    for (auto& [name, s] : m_hosts) {
      if (s.touched && s.report.outcome == HostOutcome::untouched)
        s.report.outcome = HostOutcome::deployed;
      if (s.report.outcome == HostOutcome::deployed && m_options.no_restart) {
        if (s.plan->reload_firewall)
          s.report.notes.push_back("the new firewall ruleset is not loaded (--no-restart)");
        if (s.plan->reload_vpn)
          s.report.notes.push_back("the new WireGuard configuration is not loaded (--no-restart)");
        if (s.plan->reload_units)
          s.report.notes.push_back("systemd has not re-read the changed unit drop-ins (--no-restart)");
      }
      s.report.swept = s.swept;
      if (s.report.outcome == HostOutcome::deployed)
        for (const std::string& node : s.report.restarted)
          if (s.plan->pending.count(node)) s.report.completed.push_back(node);
      if (s.report.outcome == HostOutcome::deployed)
        for (const std::string& node : s.plan->restart)
          if (std::find(s.report.restarted.begin(), s.report.restarted.end(), node) ==
              s.report.restarted.end())
            s.report.not_restarted.push_back(node);
      report.hosts.push_back(s.report);
    }
    return report;
  };

  if (m_plan.has_errors()) return finish(ApplyStatus::refused, "the plan has errors");
  for (auto& [name, s] : m_hosts)
    if (s.report.planned_change && s.host == nullptr)
      return finish(ApplyStatus::refused, name + ": not in the inventory");
  report_idle_locks();
  if (!m_plan.has_changes()) return finish(ApplyStatus::ok, "no changes");

  const PathCounter paths =
      m_options.paths ? m_options.paths : graph_path_counter(m_topology, m_inventory);
  if (m_options.no_restart) {
    RolloutStep upload_only;
    for (const HostPlan& hp : m_plan.hosts)
      if (hp.changed()) upload_only.first_touch.push_back(hp.host);
    report.rollout.push_back(std::move(upload_only));
  } else {
    report.rollout = plan_rollout(m_plan, m_topology, paths, m_options.max_wave);
  }

  std::vector<HostState*> changed;
  for (auto& [name, s] : m_hosts)
    if (s.report.planned_change) changed.push_back(&s);

  record("", LogAction::deploy, "", "started", "", plural(changed.size(), "host", "hosts") + ", " +
                                              plural(report.rollout.size(), "step", "steps"));
  std::string why;
  {
    LockRelease release{*this};
    if (!lock_all(changed, why)) {
      // Nothing was written: the lock errors are the whole story.
      return finish(ApplyStatus::refused, why);
    }
    if (!verify_all(changed, why)) return finish(ApplyStatus::refused, why + "; plan again");
    if (stage_all(changed, why)) {
      for (std::size_t i = 0; i < report.rollout.size(); ++i) {
        if (i > 0 && m_options.interrupted && m_options.interrupted()) {
          why = "interrupted before step " + std::to_string(i + 1);
          record("", LogAction::step, "", "skipped", "", why);
          break;
        }
        if (!run_step(report.rollout[i], i + 1, why)) break;
        report.steps_done = static_cast<int>(i + 1);
      }
    }
    discard_untouched();
  }
  record("", LogAction::deploy, "", why.empty() ? "ok" : "failed", "", why);
  return finish(why.empty() ? ApplyStatus::ok : ApplyStatus::failed, why);
}

}  // namespace

ApplyReport apply_plan(const Plan& plan, const FileSet& files, const Topology& topology,
                       const Inventory& inventory, Connections& connections,
                       const ApplyOptions& options) {
  Deployer deployer(plan, files, topology, inventory, connections, options);
  return deployer.run();
}

std::vector<HostReport> report_idle_locks(const Plan& plan, const Inventory& inventory,
                                          Connections& connections, int parallel,
                                          bool force_unlock) {
  // Locks are read and broken, never taken: no file, node or clock is needed.
  static const FileSet k_no_files;
  static const Topology k_no_topology;
  ApplyOptions options;
  options.parallel = parallel;
  options.force_unlock = force_unlock;
  Deployer deployer(plan, k_no_files, k_no_topology, inventory, connections, options);
  return deployer.idle_locks();
}

}  // namespace picket
