// SshSession: TCP connect with a deadline (non-blocking connect + poll), a libssh2 session in
// non-blocking mode, and the poll-on-EAGAIN loop. Non-blocking mode rather than
// libssh2_session_set_timeout because it gives us one place for deadlines (connect,
// handshake, SFTP, channels, the jump-tunnel pump) and lets a channel read both stdout and
// stderr without one stream's full window stalling the other.

#include "deploy/ssh/ssh_session.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <libssh2.h>

namespace picket {

static_assert(k_ssh_eagain == LIBSSH2_ERROR_EAGAIN);
static_assert(k_ssh_timeout == LIBSSH2_ERROR_TIMEOUT);

namespace {

using Kind = TransportError::Kind;
using Clock = SshSession::Clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
  return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

// Connects one address within the deadline; returns the socket or -errno (-ETIMEDOUT when
// the deadline passed).
int connect_one(const addrinfo& ai, Clock::time_point deadline) {
  const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return -errno;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      const int e = errno;
      ::close(fd);
      return -e;
    }
    pollfd p{fd, POLLOUT, 0};
    for (;;) {
      const int n = ::poll(&p, 1, remaining_ms(deadline));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return -ETIMEDOUT;
      }
      break;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) soerr = errno;
    if (soerr != 0) {
      ::close(fd);
      return -soerr;
    }
  }
  const int one = 1;
  // Interactive request/response traffic; keepalive so a vanished peer is noticed by the
  // kernel even while we are idle (libssh2's own keepalive breaks 1.10's handshake).
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  return fd;
}

}  // namespace

SshSession::SshSession(std::string label, int fd, std::chrono::milliseconds timeout)
    : m_label(std::move(label)), m_fd(fd), m_timeout(timeout) {}

Result<std::unique_ptr<SshSession>> SshSession::over_tcp(std::string label,
                                                         const std::string& address, int port,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int g = ::getaddrinfo(address.c_str(), service.c_str(), &hints, &list); g != 0) {
    return tl::unexpected(TransportError{
        Kind::unreachable, fmt::format("{}: cannot resolve {}: {}", label, address, ::gai_strerror(g))});
  }
  int last = -ETIMEDOUT;
  int fd = -1;
  for (const addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    const int r = connect_one(*ai, deadline);
    if (r >= 0) fd = r;
    else last = r;
    if (Clock::now() >= deadline) break;
  }
  ::freeaddrinfo(list);
  if (fd < 0) {
    const int e = -last;
    if (e == ECONNREFUSED)
      return tl::unexpected(TransportError{Kind::refused, label + ": connection refused"});
    if (e == ETIMEDOUT)
      return tl::unexpected(TransportError{
          Kind::timeout, fmt::format("{}: connection timed out after {}", label, seconds_text(timeout))});
    return tl::unexpected(
        TransportError{Kind::unreachable, fmt::format("{}: {}", label, std::strerror(e))});
  }
  return over_fd(std::move(label), fd, timeout);
}

Result<std::unique_ptr<SshSession>> SshSession::over_fd(std::string label, int fd,
                                                        std::chrono::milliseconds timeout) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::unique_ptr<SshSession> s(new SshSession(std::move(label), fd, timeout));
  s->m_session = libssh2_session_init();
  if (s->m_session == nullptr)
    return tl::unexpected(s->error(Kind::failed, "cannot create an SSH session (out of memory?)"));
  libssh2_session_set_blocking(s->m_session, 0);
  return s;
}

SshSession::~SshSession() {
  if (m_session != nullptr) {
    // A short, bounded goodbye: a dead or hung host must not hold picket at exit.
    const auto saved = m_timeout;
    m_timeout = std::min(m_timeout, std::chrono::milliseconds(1000));
    if (!m_broken)
      retry([&] { return libssh2_session_disconnect(m_session, "picket done"); });
    // session_free can want the socket too (pending channel closes); give up at the deadline
    // and then free in blocking mode with a timeout so memory is released either way.
    if (retry([&] { return libssh2_session_free(m_session); }) != 0) {
      libssh2_session_set_blocking(m_session, 1);
      libssh2_session_set_timeout(m_session, 200);
      libssh2_session_free(m_session);
    }
    m_timeout = saved;
  }
  if (m_fd >= 0) ::close(m_fd);
}

bool SshSession::wait(Clock::time_point deadline) const { return poll_ready(deadline) >= 0; }

int SshSession::poll_ready(Clock::time_point deadline) const {
  const int dir = libssh2_session_block_directions(m_session);
  short events = 0;
  if (dir & LIBSSH2_SESSION_BLOCK_INBOUND) events |= POLLIN;
  if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) events |= POLLOUT;
  if (events == 0) events = POLLIN;  // not blocked on the socket: poll briefly, then retry
  pollfd p{m_fd, events, 0};
  for (;;) {
    const int ms = remaining_ms(deadline);
    if (ms == 0) return -1;
    const int n = ::poll(&p, 1, dir == 0 ? std::min(ms, 10) : ms);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return dir != 0 && Clock::now() >= deadline ? -1 : 0;
    return 1;  // ready, or an error libssh2 will report itself
  }
}

int SshSession::last_errno() const {
  if (m_timed_out) return k_ssh_timeout;
  return libssh2_session_last_errno(m_session);
}

TransportError SshSession::error(Kind kind, std::string_view message) const {
  return TransportError{kind, fmt::format("{}: {}", m_label, message)};
}

TransportError SshSession::broken_error() const {
  return error(Kind::unreachable, "the connection was lost or timed out earlier");
}

TransportError SshSession::last_error(std::string_view what) { return error(last_errno(), what); }

TransportError SshSession::error(int rc, std::string_view what) {
  // libssh2's message for this session's last error (its own words, never file content).
  auto libssh2_message = [&] {
    char* msg = nullptr;
    int len = 0;
    libssh2_session_last_error(m_session, &msg, &len, 0);
    return std::string(msg != nullptr ? msg : "", static_cast<std::size_t>(std::max(len, 0)));
  };
  switch (rc) {
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
      m_broken = true;
      return error(Kind::timeout,
                   fmt::format("{}: no answer within {}", what, seconds_text(m_timeout)));
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_BAD_SOCKET:
    case LIBSSH2_ERROR_SOCKET_NONE:
      m_broken = true;
      return error(Kind::unreachable, fmt::format("{}: connection lost ({})", what, libssh2_message()));
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
    case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
      return error(Kind::auth, fmt::format("{}: {}", what, libssh2_message()));
    default:
      return error(Kind::failed, fmt::format("{}: {} ({})", what, libssh2_message(), rc));
  }
}

}  // namespace picket
