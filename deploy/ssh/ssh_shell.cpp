#include "deploy/ssh/ssh_shell.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <libssh2.h>

#include "deploy/ssh/shell_quote.hpp"

namespace picket {

namespace {

using Kind = TransportError::Kind;

constexpr std::size_t k_read_chunk = 64 * 1024;
constexpr std::size_t k_max_output = 256u * 1024u * 1024u;
// A command may run this many times --timeout in all while the host keeps answering.
constexpr int k_command_limit_factor = 10;

std::string nonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

// `marker<digits>\n` at the very end of `text` (the shell writes nothing after it);
// nullopt until it is complete. Only the tail is searched: output may be megabytes.
std::optional<std::pair<std::size_t, int>> find_status(const std::string& text, const std::string& marker) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  const std::size_t window = marker.size() + 5;
  const std::size_t from = text.size() > window ? text.size() - window : 0;
  const auto pos = text.find(marker, from);
  if (pos == std::string::npos) return std::nullopt;
  const auto nl = text.find('\n', pos + marker.size());
  if (nl == std::string::npos) return std::nullopt;
  const std::string digits = text.substr(pos + marker.size(), nl - pos - marker.size());
  if (digits.empty() || digits.size() > 3 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::make_pair(pos, std::stoi(digits));
}

}  // namespace

RemoteShell::~RemoteShell() { close(); }

void RemoteShell::close() {
  if (m_channel == nullptr) return;
  if (!m_session.broken()) {
    // EOF on its stdin ends the shell; free sends the channel close.
    m_session.retry([&] { return libssh2_channel_send_eof(m_channel); });
    if (!m_session.broken()) m_session.retry([&] { return libssh2_channel_free(m_channel); });
  }
  m_channel = nullptr;
}

Result<void> RemoteShell::start(std::string_view what) {
  if (m_channel != nullptr) return {};
  if (m_session.broken()) return tl::unexpected(m_session.broken_error());
  return open(what);
}

Result<void> RemoteShell::open(std::string_view what) {
  SshSession& s = m_session;
  LIBSSH2_CHANNEL* ch = s.retry_ptr([&] {
    return libssh2_channel_open_ex(s.raw(), "session", 7, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, nullptr, 0);
  });
  if (ch == nullptr) return tl::unexpected(s.last_error(fmt::format("{}: open a channel", what)));
  // The login shell runs this line once, then hands the channel over to sh (reading its
  // commands from stdin; the tag is only its $1, to be seen in its command line).
  const std::string start = m_tag.empty() ? "exec sh" : "exec sh -s " + shell_quote(m_tag);
  const int rc = s.retry([&] {
    return libssh2_channel_process_startup(ch, "exec", 4, start.c_str(),
                                           static_cast<unsigned int>(start.size()));
  });
  if (rc != 0) {
    auto e = s.error(rc, fmt::format("{}: start the remote shell", what));
    if (!s.broken()) s.retry([&] { return libssh2_channel_free(ch); });
    return tl::unexpected(e);
  }
  m_channel = ch;
  ++m_started;
  return {};
}

Result<ShellOutput> RemoteShell::run(const std::string& command_line, std::string_view what) {
  SshSession& s = m_session;
  if (s.broken()) return tl::unexpected(s.broken_error());
  if (m_channel == nullptr)
    if (auto opened = open(what); !opened) return tl::unexpected(opened.error());

  const std::string id = nonce();
  const std::string rc_marker = "__picket_rc_" + id + "=";
  const std::string end_marker = "__picket_end_" + id;
  const std::string line = fmt::format(
      "{} </dev/null; printf '%s%d\\n' {} \"$?\"; printf '%s\\n' {} >&2\n", command_line,
      shell_quote(rc_marker), shell_quote(end_marker));
  for (std::size_t off = 0; off < line.size();) {
    const ssize_t n = s.retry(
        [&] { return libssh2_channel_write_ex(m_channel, 0, line.data() + off, line.size() - off); });
    if (n < 0) {
      auto e = s.error(static_cast<int>(n), what);
      close();
      return tl::unexpected(e);
    }
    off += static_cast<std::size_t>(n);
  }

  ShellOutput r;
  const std::string err_end = end_marker + "\n";
  std::string buf(k_read_chunk, '\0');
  // Two limits. The connection may stay silent for at most timeout(): while the command
  // prints nothing, an SSH keepalive every third of it asks sshd (not the command) to answer,
  // so a slow command on a busy host (the login shell's start-up with 50 hosts on 2 cores) is
  // not mistaken for a dead host, while a dead or frozen one still fails after timeout().
  // The command itself may run for k_command_limit_factor × timeout() in all.
  using Clock = SshSession::Clock;
  const auto probe_every = std::max<Clock::duration>(s.timeout() / 3, std::chrono::milliseconds(500));
  const auto limit = Clock::now() + s.timeout() * k_command_limit_factor;
  auto deadline = Clock::now() + s.timeout();
  auto next_probe = Clock::now() + probe_every;
  for (;;) {
    bool progress = false;
    for (int stream = 0; stream < 2; ++stream) {
      const ssize_t n = libssh2_channel_read_ex(m_channel, stream, buf.data(), buf.size());
      if (n > 0) {
        (stream == 0 ? r.out : r.err).append(buf.data(), static_cast<std::size_t>(n));
        progress = true;
      } else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
        auto e = s.error(static_cast<int>(n), what);
        close();
        return tl::unexpected(e);
      }
    }
    if (r.out.size() + r.err.size() > k_max_output) {
      close();  // the rest of its output would arrive with the next command
      return tl::unexpected(s.error(Kind::failed, fmt::format("{}: output larger than 256 MiB", what)));
    }
    const auto status = find_status(r.out, rc_marker);
    const bool err_done = r.err.size() >= err_end.size() &&
                          r.err.compare(r.err.size() - err_end.size(), err_end.size(), err_end) == 0;
    if (status && err_done) {
      r.status = status->second;
      r.out.resize(status->first);
      r.err.resize(r.err.size() - err_end.size());
      return r;
    }
    if (!progress && libssh2_channel_eof(m_channel)) {
      // The shell itself ended (the command ended it, or it was killed).
      close();
      return tl::unexpected(s.error(
          Kind::failed, fmt::format("{}: the remote shell ended without reporting an exit status", what)));
    }
    auto now = Clock::now();
    if (progress) {
      deadline = now + s.timeout();
      next_probe = now + probe_every;
      continue;
    }
    if (now >= limit) {
      close();
      return tl::unexpected(s.error(
          Kind::timeout, fmt::format("{}: still running after {} s", what,
                                     std::chrono::duration_cast<std::chrono::seconds>(
                                         s.timeout() * k_command_limit_factor).count())));
    }
    if (now >= next_probe) {
      int next = 0;
      libssh2_keepalive_config(s.raw(), 1, 1);  // want a reply; send whenever asked
      (void)libssh2_keepalive_send(s.raw(), &next);  // EAGAIN: the next probe tries again
      next_probe = now + probe_every;
    }
    const int ready = s.poll_ready(std::min({deadline, next_probe, limit}));
    now = Clock::now();
    if (ready > 0) {
      deadline = now + s.timeout();  // bytes moved: sshd is alive
    } else if (ready < 0 && now >= deadline) {
      s.mark_timed_out();
      return tl::unexpected(s.error(k_ssh_timeout, what));
    }
  }
}

}  // namespace picket
