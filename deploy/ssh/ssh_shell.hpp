#pragma once
// RemoteShell: one long-lived `sh` on an exec channel of a session, internal to deploy/ssh/.
//
// Why: sshd starts every exec channel through the login user's shell, which reads its start-up
// files (a ~/.bashrc that runs `pyenv init` or `conda init` costs 0.1-0.2 s of CPU per
// command). A deploy runs several commands per host (commits, firewall guard, reloads,
// restarts, health checks); running them all through one shell per connection pays that
// start-up once instead of once per command.
//
// Protocol: the channel runs `exec sh`; each command is sent as one line
//   <command line> </dev/null; printf '%s%d\n' '<rc marker>' "$?"; printf '%s\n' '<end marker>' >&2
// with markers that carry a fresh random nonce per command, so no output can fake them. The
// command line is built by the caller (every value quoted with shell_quote()); its stdin is
// /dev/null so it can never read the next command. The exit status is read from the marker,
// as with one channel per command. After a timeout, a lost connection or a command that ended
// the shell itself, the shell is closed; the next command starts a new one.

#include <memory>
#include <string>
#include <string_view>

#include "deploy/ssh/ssh_session.hpp"
#include "deploy/transport.hpp"

struct _LIBSSH2_CHANNEL;

namespace picket {

/// What one command of the shell printed and how it ended.
struct ShellOutput {
  int status = 0;      // from the marker
  std::string out;     // stdout without the marker
  std::string err;     // stderr without the marker
};

class RemoteShell {
 public:
  /// `tag`: a word the shell carries in its command line (`sh -s <tag>`), so that processes
  /// of one deploy can be found on the host (the fencing tag); "" for none.
  explicit RemoteShell(SshSession& session, std::string tag = "")
      : m_session(session), m_tag(std::move(tag)) {}
  /// Ends the shell (EOF on its stdin) and frees the channel.
  ~RemoteShell();
  RemoteShell(const RemoteShell&) = delete;
  RemoteShell& operator=(const RemoteShell&) = delete;

  /// Runs `command_line` (a complete sh command list, already quoted) and waits for its exit
  /// status. Fails when the session fails, the shell ends without a status, or no byte
  /// arrives for the session's timeout (the idle limit, as for every operation).
  Result<ShellOutput> run(const std::string& command_line, std::string_view what);

  /// Starts the shell if it is not running, without waiting for the login shell's start-up
  /// files: they run on the host while the caller does other work.
  Result<void> start(std::string_view what);

  /// How many shells this object started (one unless a shell had to be replaced).
  int started() const { return m_started; }
  /// The tag it was made with.
  const std::string& tag() const { return m_tag; }

 private:
  Result<void> open(std::string_view what);
  void close();

  SshSession& m_session;
  std::string m_tag;
  _LIBSSH2_CHANNEL* m_channel = nullptr;
  int m_started = 0;
};

}  // namespace picket
