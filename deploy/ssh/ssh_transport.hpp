#pragma once
// SshTransport: the Transport over one authenticated SSH session (deploy/ssh/).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deploy/ssh/ssh_session.hpp"
#include "deploy/ssh/ssh_shell.hpp"
#include "deploy/ssh/ssh_tunnel.hpp"
#include "deploy/transport.hpp"

struct _LIBSSH2_SFTP;

namespace picket {

/// What a transport needs to know about its host beyond the session.
struct SshHostInfo {
  std::string name;                   // inventory name
  std::string user;                   // login user
  std::optional<std::string> become;  // "sudo" or nullopt
};

class SshTransport final : public Transport {
 public:
  /// Takes over an authenticated session and the tunnels it runs through (first hop first).
  SshTransport(std::unique_ptr<SshSession> session, std::vector<std::unique_ptr<SshTunnel>> tunnels,
               SshHostInfo host);
  /// Closes the session, then the tunnels from the last hop back to the first.
  ~SshTransport() override;

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
  Result<void> commit_staged(const StagedFile& file);
  Result<void> unlock_any(const std::string& lock_path);  // removes the lock file, whoever's
  class Impl;
  std::unique_ptr<SshSession> m_session;
  std::vector<std::unique_ptr<SshTunnel>> m_tunnels;
  SshHostInfo m_host;
  _LIBSSH2_SFTP* m_sftp = nullptr;  // opened on first use
  std::string m_home;               // the login directory (for staging root-owned uploads)
  std::unique_ptr<RemoteShell> m_shell;  // runs every command; started on first use
  // The fence (set by lock or set_fence): every command that changes the host first checks
  // that m_lock_path still holds m_token, and carries the tag `picket-deploy=<token>` in its
  // command line so that break_lock can find it. Empty: unfenced.
  std::string m_lock_path;
  std::string m_token;
  std::string m_temp_id;  // deploy_id(m_token), or a random id of this connection
};

}  // namespace picket
