// The tunnel pump: one thread per jump hop owns the jump session (libssh2 sessions are not
// thread-safe, and this one is used by nobody else once the tunnel is open) and copies bytes
// between the direct-tcpip channel and its end of a socketpair. The next session sees a plain
// socket, so its own deadlines, polls and errors work unchanged, and hops chain: a session
// that runs over a tunnel can open the next tunnel.
//
// Each direction has one buffer that is refilled only once fully written, so a
// libssh2_channel_write that returned EAGAIN is always retried with the same arguments (what
// libssh2 requires in non-blocking mode).

#include "deploy/ssh/ssh_tunnel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>
#include <libssh2.h>

namespace picket {

namespace {
using Kind = TransportError::Kind;
constexpr std::size_t k_buffer = 32 * 1024;
}  // namespace

Result<std::unique_ptr<SshTunnel>> SshTunnel::open(std::unique_ptr<SshSession> via,
                                                   const std::string& address, int port,
                                                   const std::string& target_label) {
  std::unique_ptr<SshTunnel> t(new SshTunnel());
  t->m_via = std::move(via);
  SshSession& s = *t->m_via;
  t->m_channel = s.retry_ptr([&] {
    return libssh2_channel_direct_tcpip_ex(s.raw(), address.c_str(), port, "127.0.0.1", 0);
  });
  if (t->m_channel == nullptr) {
    const int rc = s.last_errno();
    if (rc == LIBSSH2_ERROR_CHANNEL_FAILURE) {
      // The jump host could not reach the target (or refuses forwarding).
      char* msg = nullptr;
      libssh2_session_last_error(s.raw(), &msg, nullptr, 0);
      return tl::unexpected(TransportError{
          Kind::unreachable, fmt::format("{}: {} cannot forward to it ({})", target_label,
                                         s.label(), msg != nullptr ? msg : "channel open failed")});
    }
    auto e = s.error(rc, fmt::format("forwarding to {}", target_label));
    return tl::unexpected(e);
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0 ||
      ::pipe2(t->m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
    return tl::unexpected(TransportError{Kind::failed, target_label + ": cannot create a local socket pair"});
  t->m_local = pair[0];
  t->m_far = pair[1];
  ::fcntl(t->m_local, F_SETFL, ::fcntl(t->m_local, F_GETFL) | O_NONBLOCK);
  t->m_thread = std::thread([raw = t.get()] { raw->pump(); });
  return t;
}

int SshTunnel::release_fd() {
  const int fd = m_far;
  m_far = -1;
  return fd;
}

SshTunnel::~SshTunnel() {
  if (m_thread.joinable()) {
    const char c = 'x';
    [[maybe_unused]] const auto n = ::write(m_wake[1], &c, 1);
    m_thread.join();
  }
  if (m_channel != nullptr) {
    // The channel and the jump session are ours again; bounded by the session's goodbye.
    if (!m_via->broken()) m_via->retry([&] { return libssh2_channel_free(m_channel); });
  }
  for (int fd : {m_local, m_far, m_wake[0], m_wake[1]})
    if (fd >= 0) ::close(fd);
  m_via.reset();
}

void SshTunnel::pump() {
  SshSession& s = *m_via;
  std::array<char, k_buffer> down{};  // channel -> socket
  std::array<char, k_buffer> up{};    // socket -> channel
  std::size_t down_len = 0, down_off = 0, up_len = 0, up_off = 0;
  bool channel_eof = false, socket_eof = false, eof_sent = false;

  for (;;) {
    bool progress = false;
    bool fatal = false;

    // Channel -> socket.
    if (down_len == 0 && !channel_eof) {
      const ssize_t n = libssh2_channel_read(m_channel, down.data(), down.size());
      if (n > 0) {
        down_len = static_cast<std::size_t>(n);
        down_off = 0;
        progress = true;
      } else if (n == 0 || n == LIBSSH2_ERROR_CHANNEL_CLOSED) {
        if (libssh2_channel_eof(m_channel) || n != 0) {
          channel_eof = true;
          ::shutdown(m_local, SHUT_WR);
          progress = true;
        }
      } else if (n != LIBSSH2_ERROR_EAGAIN) {
        fatal = true;
      }
    }
    if (down_len > 0) {
      const ssize_t n = ::send(m_local, down.data() + down_off, down_len - down_off,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        down_off += static_cast<std::size_t>(n);
        if (down_off == down_len) down_len = down_off = 0;
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        fatal = true;  // the next session is gone
      }
    }

    // Socket -> channel.
    if (up_len == 0 && !socket_eof) {
      const ssize_t n = ::recv(m_local, up.data(), up.size(), MSG_DONTWAIT);
      if (n > 0) {
        up_len = static_cast<std::size_t>(n);
        up_off = 0;
        progress = true;
      } else if (n == 0) {
        socket_eof = true;
        progress = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        fatal = true;
      }
    }
    if (up_len > 0) {
      const ssize_t n = libssh2_channel_write(m_channel, up.data() + up_off, up_len - up_off);
      if (n > 0) {
        up_off += static_cast<std::size_t>(n);
        if (up_off == up_len) up_len = up_off = 0;
        progress = true;
      } else if (n != LIBSSH2_ERROR_EAGAIN) {
        fatal = true;
      }
    }
    if (socket_eof && up_len == 0 && !eof_sent) {
      const int rc = libssh2_channel_send_eof(m_channel);
      if (rc == 0) {
        eof_sent = true;
        progress = true;
      } else if (rc != LIBSSH2_ERROR_EAGAIN) {
        fatal = true;
      }
    }

    if (fatal || (channel_eof && down_len == 0 && eof_sent)) break;
    if (progress) continue;

    // Nothing moved: sleep until the jump session's socket, our socket or the stop pipe
    // says something. The timeout only bounds how long data libssh2 buffered internally
    // could wait (none should: every read above drains what arrived).
    const int dir = libssh2_session_block_directions(s.raw());
    short sess_events = POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) sess_events |= POLLOUT;
    short local_events = 0;
    if (up_len == 0 && !socket_eof) local_events |= POLLIN;
    if (down_len > 0) local_events |= POLLOUT;
    pollfd p[3] = {{s.fd(), sess_events, 0}, {m_local, local_events, 0}, {m_wake[0], POLLIN, 0}};
    const int n = ::poll(p, 3, 200);
    if (n > 0 && (p[2].revents & POLLIN)) break;
  }
  // Whatever ended the pump: the next session sees its socket close.
  ::shutdown(m_local, SHUT_RDWR);
}

}  // namespace picket
