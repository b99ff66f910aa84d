#pragma once
// One SSH session to one host, internal to deploy/ssh/: the socket, the libssh2 session in
// non-blocking mode, and the one retry loop every libssh2 call goes through (wait on the
// socket in the direction libssh2 is blocked on, give up after the idle timeout). Errors are
// turned into one-line TransportErrors that start with the host's label.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "deploy/transport.hpp"

struct _LIBSSH2_SESSION;  // libssh2's own type names; its header stays in the .cpp files

namespace picket {

/// libssh2's EAGAIN and TIMEOUT codes (checked against libssh2.h in ssh_session.cpp).
inline constexpr int k_ssh_eagain = -37;
inline constexpr int k_ssh_timeout = -9;

class SshSession {
 public:
  using Clock = std::chrono::steady_clock;

  /// Connects TCP to address:port within `timeout` and creates a non-blocking session on it
  /// (no handshake yet). `label` starts every error message, e.g. "fra-1 (192.0.2.1:22)".
  static Result<std::unique_ptr<SshSession>> over_tcp(std::string label, const std::string& address,
                                                      int port, std::chrono::milliseconds timeout);
  /// Creates a session on an already connected stream socket (a jump tunnel); owns `fd`.
  static Result<std::unique_ptr<SshSession>> over_fd(std::string label, int fd,
                                                     std::chrono::milliseconds timeout);
  /// Says goodbye (bounded by a short deadline), frees the session, closes the socket.
  ~SshSession();
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;

  /// The libssh2 session (for the .cpp files of deploy/ssh/).
  _LIBSSH2_SESSION* raw() const { return m_session; }
  /// The socket the session runs on.
  int fd() const { return m_fd; }
  /// "name (address:port)" or "name (address:port via jump)".
  const std::string& label() const { return m_label; }
  /// The idle limit of every operation.
  std::chrono::milliseconds timeout() const { return m_timeout; }

  /// Waits until the socket is ready in the direction libssh2 is blocked on; false when
  /// `deadline` passed first.
  bool wait(Clock::time_point deadline) const;
  /// Like wait(): -1 when `deadline` passed, 1 when the socket became ready (bytes moved),
  /// 0 when libssh2 should simply be asked again.
  int poll_ready(Clock::time_point deadline) const;

  /// Calls `f` (a libssh2 call returning an int or ssize_t) until it stops returning EAGAIN;
  /// k_ssh_timeout when the socket stayed idle for timeout(). Idle means idle: every time the
  /// socket becomes ready the limit starts again, so a handshake or transfer that keeps
  /// moving on a loaded machine (50 hosts at once on 2 cores) is not cut off half-way.
  template <class F>
  auto retry(F&& f) -> decltype(f()) {
    auto deadline = Clock::now() + m_timeout;
    for (;;) {
      auto rc = f();
      if (rc != k_ssh_eagain) return rc;
      const int ready = poll_ready(deadline);
      if (ready < 0) {
        mark_timed_out();
        return k_ssh_timeout;
      }
      if (ready > 0) deadline = Clock::now() + m_timeout;
    }
  }
  /// Like retry() for libssh2 calls returning a pointer (NULL + EAGAIN means "again").
  template <class F>
  auto retry_ptr(F&& f) -> decltype(f()) {
    auto deadline = Clock::now() + m_timeout;
    for (;;) {
      auto p = f();
      if (p != nullptr || last_errno() != k_ssh_eagain) return p;
      const int ready = poll_ready(deadline);
      if (ready < 0) {
        mark_timed_out();
        return nullptr;
      }
      if (ready > 0) deadline = Clock::now() + m_timeout;
    }
  }

  /// libssh2's last error code on this session (k_ssh_timeout after retry_ptr timed out).
  int last_errno() const;
  /// An error for a failed libssh2 call: "<label>: <what>: <reason>", kind from `rc`.
  /// Connection-level failures mark the session broken.
  TransportError error(int rc, std::string_view what);
  /// Like error(rc, what) with rc = last_errno() (for calls that returned NULL).
  TransportError last_error(std::string_view what);
  /// An error of a given kind: "<label>: <message>".
  TransportError error(TransportError::Kind kind, std::string_view message) const;
  /// A libssh2 call gave up mid-operation: its state machine is stuck half-way, so the
  /// session cannot be used again.
  void mark_timed_out() {
    m_timed_out = true;
    m_broken = true;
  }
  /// Set after a timeout or a lost connection: nothing more can be done on this session.
  bool broken() const { return m_broken; }
  /// The error every operation returns once the session is broken.
  TransportError broken_error() const;

 private:
  SshSession(std::string label, int fd, std::chrono::milliseconds timeout);

  std::string m_label;
  int m_fd = -1;
  std::chrono::milliseconds m_timeout;
  _LIBSSH2_SESSION* m_session = nullptr;
  bool m_broken = false;
  bool m_timed_out = false;
};

}  // namespace picket
