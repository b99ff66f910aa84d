#pragma once
// The in-memory twin of a fleet of hosts: files with modes, backups, locks, scripted command
// results and RPC answers, and faults (unreachable hosts, a failing Nth write, refused new
// connections). Plan and deploy run on it in the unit tests exactly as they run over SSH.
// Every operation is recorded per host, in order, so tests can assert whole sequences.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "deploy/connector.hpp"
#include "deploy/transport.hpp"

namespace picket {

struct MemoryHost;

/// One scripted answer to commands containing `match` (the first matching rule wins).
struct ExecRule {
  std::string match;                     // substring of the command
  ExecResult result;                     // what the command returns
  int times = -1;                        // how many more times the rule applies (-1: always)
  std::function<void(MemoryHost&)> effect;  // optional side effect on the host
};

/// One host of the twin. Tests set it up and inspect it through MemoryFleet::host().
struct MemoryHost {
  std::map<std::string, RemoteFile> files;  // absolute path -> file (backups are files too)
  std::map<std::string, LockInfo> locks;    // lock path -> holder
  /// Tokens of deploys that still have processes on the host (read_lock's `alive`; a token
  /// not listed reads as gone). Deploys that take a lock here are added; break_lock ends them.
  std::vector<std::string> running;
  std::vector<std::string> log;             // "write /p 0644", "exec[root] cmd", "connect", …

  // Faults.
  bool unreachable = false;       // every connect fails (kind unreachable)
  int refuse_connects_after = -1; // connects beyond this many fail (-1: never)
  int cut_connections_upto = 0;   // commands on connections 1..N fail (a reload dropped them)
  int fail_write_number = 0;      // the Nth upload (stage_file, also through write_file) fails (1-based; 0: none)
  int fail_commit_number = 0;     // the Nth staged file committed fails (1-based; 0: none)
  TransportError::Kind write_error = TransportError::Kind::disk_full;
  std::vector<std::string> unreadable;  // paths whose read fails (permission denied)

  // Scripted behaviour.
  std::vector<ExecRule> exec_rules;     // unmatched commands exit 0 with no output
  /// RPC answers by "port target" (e.g. "26657 /status"); each call takes the front one, the
  /// last one repeats. Unscripted targets answer a healthy, caught-up node with 3 peers.
  std::map<std::string, std::deque<Result<std::string>>> http;

  int connects = 0;  // connections opened so far
  int writes = 0;    // stage_file calls so far, write_file's included (failed ones too)
  int commits = 0;   // staged files committed so far (failed ones included)
};

/// A CometBFT /status answer with sync_info.catching_up as given.
std::string status_body(bool catching_up);
/// A CometBFT /net_info answer with n_peers = `peers` (a string, as CometBFT sends it).
std::string net_info_body(int peers);
/// A CometBFT /net_info answer listing peers with these node IDs (n_peers their count).
std::string net_info_body(const std::vector<std::string>& peer_ids);

/// The shared state of all twin hosts. Thread-safe: transports on several threads share it.
class MemoryFleet {
 public:
  /// The host's state (created empty on first use). Tests set up and inspect hosts while no
  /// transport is in use; transports take mutex() around every operation.
  MemoryHost& host(const std::string& name);
  /// The lock that serializes all operations on the fleet.
  std::mutex& mutex() { return m_mutex; }

  /// Adds a rule to the host's command script: commands containing `match` return `result`
  /// (`times` times, -1: always) and apply `effect` to the host.
  void script_exec(const std::string& host, std::string match, ExecResult result,
                   int times = -1, std::function<void(MemoryHost&)> effect = {});
  /// Queues RPC answers for `target` on `port`.
  void script_http(const std::string& host, int port, const std::string& target,
                   std::vector<Result<std::string>> answers);

 private:
  std::mutex m_mutex;
  std::map<std::string, MemoryHost> m_hosts;
};

/// A Transport over one twin host.
class MemoryTransport final : public Transport {
 public:
  /// `number`: which connection to the host this is (1 = the first), for cut_connections_upto.
  MemoryTransport(MemoryFleet& fleet, std::string host, bool has_become, int number = 0);

  Result<std::optional<RemoteFile>> read_file(const std::string& path, bool as_root) override;
  Result<StagedFile> stage_file(const std::string& path, const std::string& content,
                                std::uint32_t mode, const std::string& backup_path,
                                bool as_root) override;
  Result<void> commit_staged(const std::vector<StagedFile>& files, std::size_t& done) override;
  Result<void> discard_staged(const std::vector<StagedFile>& files) override;
  Result<void> restore_file(const std::string& path, const std::string& backup_path,
                            bool as_root) override;
  Result<ExecResult> exec(const std::string& command, bool as_root) override;
  Result<std::string> http_get(int port, const std::string& target) override;
  Result<void> lock(const std::string& lock_path, const LockInfo& info) override;
  Result<void> unlock(const std::string& lock_path) override;
  Result<std::optional<LockInfo>> read_lock(const std::string& lock_path) override;
  Result<std::string> break_lock(const std::string& lock_path, const LockInfo& holder) override;
  Result<std::vector<std::string>> sweep_temps(const std::vector<std::string>& dirs) override;
  void set_fence(const std::string& lock_path, const std::string& token) override;
  Result<std::vector<std::string>> list_temps(const std::vector<std::string>& dirs) override;

 private:
  // With a fence: fails (kind locked, logged as "fenced <what>") unless the lock still holds
  // our token. Called with the fleet mutex held.
  Result<void> check_fence(MemoryHost& h, const std::string& what);

  // Records the operation and returns the host, under the fleet mutex held by the caller.
  MemoryHost& state();
  // as_root without `become` on the host is a bug in the caller: the twin refuses it.
  Result<void> check_root(bool as_root) const;

  MemoryFleet& m_fleet;
  std::string m_host;
  bool m_has_become;
  int m_number;
  std::string m_lock_path;
  std::string m_token;
};

/// Opens MemoryTransports; honours `unreachable` and `refuse_connects_after`.
class MemoryConnector final : public Connector {
 public:
  explicit MemoryConnector(MemoryFleet& fleet) : m_fleet(fleet) {}
  Result<std::unique_ptr<Transport>> connect(const Host& host, const Inventory& inventory,
                                             const ConnectOptions& options) override;

 private:
  MemoryFleet& m_fleet;
};

}  // namespace picket
