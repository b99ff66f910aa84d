#pragma once
// A jump-host tunnel: a direct-tcpip channel of the jump host's session, bridged to a local
// socketpair by a pump thread, so the next session runs over an ordinary socket.

#include <memory>
#include <string>
#include <thread>

#include "deploy/ssh/ssh_session.hpp"
#include "deploy/transport.hpp"

struct _LIBSSH2_CHANNEL;

namespace picket {

class SshTunnel {
 public:
  /// Opens a channel on `via` to address:port (as the jump host resolves it) and starts the
  /// pump. `target_label` names the far host in errors. Takes `via` over: from now on only the
  /// pump thread uses it.
  static Result<std::unique_ptr<SshTunnel>> open(std::unique_ptr<SshSession> via,
                                                 const std::string& address, int port,
                                                 const std::string& target_label);
  /// Stops the pump, closes the channel, then the jump session.
  ~SshTunnel();
  SshTunnel(const SshTunnel&) = delete;
  SshTunnel& operator=(const SshTunnel&) = delete;

  /// The local end for the next session; the caller owns it (release once).
  int release_fd();

 private:
  SshTunnel() = default;
  void pump();

  std::unique_ptr<SshSession> m_via;
  _LIBSSH2_CHANNEL* m_channel = nullptr;
  int m_local = -1;  // our end of the socketpair (the pump's)
  int m_far = -1;    // the next session's end, until released
  int m_wake[2] = {-1, -1};  // the destructor writes here to stop the pump
  std::thread m_thread;
};

}  // namespace picket
