#pragma once
// The Transport interface: everything plan and deploy need from one host, as operations
// with their meaning (not as shell snippets), so the same rollout logic runs over SSH
// (deploy/ssh/) and over the in-memory twin used by the tests (tests/support/memory_transport).
// Paths given to a Transport are absolute remote paths with the host's `root:` already applied.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace picket {

/// Why an operation on a host failed. `kind` lets callers and tests tell the cases apart.
struct TransportError {
  enum class Kind {
    unreachable,        // no route, DNS failure, connection reset
    refused,            // connection refused
    auth,               // no usable key, key rejected, RSA key (libssh2 1.10 cannot use it)
    host_key_unknown,   // not in known_hosts / not pinned (accept with --accept-new)
    host_key_changed,   // differs from known_hosts / the pinned key: always refused
    timeout,            // a deadline passed
    disk_full,          // no space left on the remote file system
    permission_denied,  // remote permission error
    not_found,          // a remote path or command does not exist
    locked,             // another deploy holds the host's lock
    failed,             // anything else (the message says what)
  };
  Kind kind = Kind::failed;
  std::string message;  // one line, never containing secret file content
};

/// "unreachable", "refused", "auth", … (for logs and JSON).
const char* transport_error_kind_name(TransportError::Kind k);

template <class T>
using Result = tl::expected<T, TransportError>;

/// A regular file as found on the host.
struct RemoteFile {
  std::string content;
  std::uint32_t mode = 0644;
};

/// What a remote command returned. A command killed by a signal is reported as failed
/// (exit_code -1 and `signal` set), never as success.
struct ExecResult {
  int exit_code = 0;
  std::string signal;  // e.g. "KILL"; "" when it exited normally
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && signal.empty(); }
};

/// A file uploaded beside its target by Transport::stage_file and not in place yet.
struct StagedFile {
  std::string path;         // the target
  std::string temp;         // where the new content waits: a temp name in the target's directory
  std::string backup_path;  // where the commit keeps the previous version ("" = no backup)
  bool as_root = false;
};

/// Who holds a host's deploy lock.
struct LockInfo {
  LockInfo() = default;
  LockInfo(std::string owner_, std::string since_, std::string token_ = "",
           std::optional<bool> alive_ = std::nullopt)
      : owner(std::move(owner_)), since(std::move(since_)), token(std::move(token_)), alive(alive_) {}

  std::string owner;  // user@machine (pid N)
  std::string since;  // ISO-8601 UTC
  /// The deploy's fencing token (hex): every remote operation of that deploy carries it and
  /// refuses once the lock holds another one. "" = no fencing (a lock from an older picket).
  std::string token;
  /// Read from a host: whether the holder still has a process on that host (its remote
  /// shell, a command of its own); nullopt when the host cannot tell (no token).
  std::optional<bool> alive;

  /// "alice@laptop (pid 7) since 2026-…Z" plus ", still running on the host" or ", no
  /// longer running on the host" when that is known.
  std::string describe() const;
};

/// A new fencing token: 32 random hex digits.
std::string new_lock_token();

/// The deploy id in temp names (`.<name>.picket-tmp-<id>-<random>`): the token's first 12
/// hex digits, or "" for none.
std::string deploy_id(const std::string& token);

/// One connection to one host. Not thread-safe: one Transport per thread.
class Transport {
 public:
  virtual ~Transport() = default;

  /// The current content of a regular file; nullopt when it does not exist or is a symlink
  /// (never followed: a write replaces the link itself). Any other non-regular file is an
  /// error.
  virtual Result<std::optional<RemoteFile>> read_file(const std::string& path, bool as_root) = 0;

  /// Replaces `path` atomically: writes a temp file in the same directory, fsyncs it, sets
  /// `mode`, keeps the previous version (if any) at `backup_path`, then renames over `path`.
  /// A symlink at `path` is replaced (kept as the backup), never written through; a
  /// symlinked parent directory is refused. Creates missing parent directories. On failure
  /// `path` is unchanged and no temp file is left. `as_root`: do the root-owned steps through
  /// the host's `become` (sudo). stage_file then commit_staged, for one file.
  Result<void> write_file(const std::string& path, const std::string& content,
                          std::uint32_t mode, const std::string& backup_path, bool as_root) {
    auto staged = stage_file(path, content, mode, backup_path, as_root);
    if (!staged) return tl::unexpected(staged.error());
    std::size_t done = 0;
    return commit_staged({*staged}, done);
  }

  /// The first half of write_file: the content at a temp name in `path`'s directory (parent
  /// directories created, exclusive create, fsynced, `mode` set); `path` itself and its
  /// backup are not touched. On failure no temp file is left.
  virtual Result<StagedFile> stage_file(const std::string& path, const std::string& content,
                                        std::uint32_t mode, const std::string& backup_path,
                                        bool as_root) = 0;

  /// The second half, for several staged files of this host, in order: each keeps the
  /// previous version at its backup path, then its temp file is renamed over the target
  /// (atomically). Stops at the first failure: `done` is how many are in place; the failed
  /// one's target is unchanged and its temp file removed; the files after it stay staged.
  virtual Result<void> commit_staged(const std::vector<StagedFile>& files, std::size_t& done) = 0;

  /// Removes the temp files of staged files that will not be committed. Best effort over
  /// all of them; the first error is returned.
  virtual Result<void> discard_staged(const std::vector<StagedFile>& files) = 0;

  /// Puts `backup_path` back at `path` atomically; when there is no backup (the file was new),
  /// removes `path`.
  virtual Result<void> restore_file(const std::string& path, const std::string& backup_path,
                                    bool as_root) = 0;

  /// Runs a shell command (already quoted by the caller); `as_root` prefixes the host's become.
  virtual Result<ExecResult> exec(const std::string& command, bool as_root) = 0;

  /// HTTP GET of `target` (e.g. "/status") on 127.0.0.1:`port` as seen from the host, through
  /// the connection itself (SSH direct-tcpip): no curl needed on the host. Returns the body
  /// of a 200 response; other statuses are errors.
  virtual Result<std::string> http_get(int port, const std::string& target) = 0;

  /// Takes the host's deploy lock at `lock_path` atomically (exclusive create) with `info`.
  /// Held by someone else: error kind `locked` whose message names the holder and since when.
  /// With a token, this connection is fenced from then on: every later operation that
  /// changes the host (commit, restore, sweep, commands) first checks that the lock still
  /// holds the token and fails with kind `locked` when it does not, and temp names carry
  /// deploy_id(token).
  virtual Result<void> lock(const std::string& lock_path, const LockInfo& info) = 0;
  /// Releases the lock (removes `lock_path`) if it is this connection's own (or it was taken
  /// without a token); a lock that is gone, or taken over by another deploy, is left alone
  /// and is not an error.
  virtual Result<void> unlock(const std::string& lock_path) = 0;
  /// Who holds the lock, if anyone, and whether that holder still runs on the host.
  virtual Result<std::optional<LockInfo>> read_lock(const std::string& lock_path) = 0;
  /// --force-unlock: ends every process the holder `holder` (as read by read_lock) still runs
  /// on the host (its remote shells and their commands, its firewall guard) and waits until
  /// they are gone, then removes the lock if it is still that holder's. Returns one line
  /// saying what was ended.
  virtual Result<std::string> break_lock(const std::string& lock_path, const LockInfo& holder) = 0;
  /// Removes, in each of `dirs`, picket temp files (`.<name>.picket-tmp-*`) that are not this
  /// deploy's own: they were left by a deploy that died (the lock proves no other deploy runs).
  /// Call only while holding the lock. Returns the paths removed.
  virtual Result<std::vector<std::string>> sweep_temps(const std::vector<std::string>& dirs) = 0;
  /// The picket temp files (`.<name>.picket-tmp-*`) in each of `dirs`, whoever's; read-only
  /// (plan shows those a dead deploy left). A missing directory has none.
  virtual Result<std::vector<std::string>> list_temps(const std::vector<std::string>& dirs) = 0;
  /// Fences this connection with a lock another connection of the same deploy took (a fresh
  /// connection after a firewall reload): as if lock() had succeeded here.
  virtual void set_fence(const std::string& lock_path, const std::string& token) = 0;
};

}  // namespace picket
