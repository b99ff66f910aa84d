// SshTransport: the Transport operations over SFTP and exec channels of one session.
//
// Files: reads go through SFTP with lstat first (a symlink is never followed). Writes upload
// to `.<name>.picket-tmp-<random>` beside the target (exclusive create, 0600 until done,
// fsync, then the final mode), and one exec keeps the backup (`ln`, a hard link: free) and
// renames over the target with `mv -f`, because SFTP v3 rename in libssh2 1.10 cannot replace
// an existing file. With `become` the upload is staged in the login directory and the exec
// runs under `sudo -n`, copying it into place as root. Any failure removes the temp file.
//
// Commands: `sh -c '<command>'` in one long-lived remote shell per connection (RemoteShell,
// ssh_shell.hpp), which prints the exit status after a marker, so it is read from the output
// instead of trusting libssh2 1.10 (it reports 0 for a channel closed without a status), and
// the login shell's start-up files run once per connection, not once per command. Every
// value put into a remote command line goes through shell_quote().
//
// Nothing here puts file content into an error message: files may hold keys.

#include "deploy/ssh/ssh_transport.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <random>

#include <fmt/format.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <nlohmann/json.hpp>

#include "deploy/ssh/shell_quote.hpp"
#include "deploy/ssh/ssh_shell.hpp"
#include "topology/address.hpp"
#include "util/text.hpp"

namespace picket {

namespace {

using Kind = TransportError::Kind;

constexpr std::size_t k_io_chunk = 64 * 1024;                   // SFTP reads/writes (>= 32 KiB)
constexpr std::size_t k_max_output = 256u * 1024u * 1024u;      // command output / file size
constexpr std::size_t k_max_http = 16u * 1024u * 1024u;         // an HTTP response

// Exit codes of our own remote scripts.
constexpr int k_rc_missing = 80;
constexpr int k_rc_not_regular = 82;
constexpr int k_rc_parent_symlink = 83;

unsigned int len32(const std::string& s) { return static_cast<unsigned int>(s.size()); }

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:012x}", rng() & 0xffffffffffffULL);
}

std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// `.<name>.picket-tmp-<deploy id>-<random>` beside `path`: the deploy id tells one deploy's
// temp files from another's (sweep_temps, the commit's clean-up).
std::string temp_prefix_for(const std::string& path, const std::string& id) {
  const auto [dir, name] = split_path(path);
  return fmt::format("{}/.{}.picket-tmp-{}-", dir == "/" ? "" : dir, name, id);
}

std::string temp_path_for(const std::string& path, const std::string& id) {
  return temp_prefix_for(path, id) + random_suffix();
}

// Exit status of the fence check (a command of a deploy whose lock is no longer its own),
// and the words it prints, so that an operator's command exiting 84 is not taken for it.
constexpr int k_rc_fenced = 84;
constexpr std::string_view k_fenced_words = "picket-fence: the deploy lock is no longer ours";

// The shell text that stops a command unless `lock` still holds `token` (shell built-ins
// only: no process is started for the check).
std::string fence_check(const std::string& lock, const std::string& token) {
  return fmt::format(
      "IFS= read -r __picket_lock 2>/dev/null <{}; case $__picket_lock in *{}*) ;; "
      "*) printf '%s\\n' {} >&2; exit {};; esac\n",
      shell_quote(lock), shell_quote("\"token\":\"" + token + "\""),
      shell_quote(std::string(k_fenced_words)), k_rc_fenced);
}

// The word a deploy's remote processes carry in their command lines.
std::string fence_tag(const std::string& token) { return "picket-deploy=" + token; }

// Absolute and normalised: no empty, "." or ".." segment, no control character (NUL,
// newline, ...), no trailing slash. The loader refuses such `root:`/`home:` values already;
// this is the last line before a path reaches a remote shell or SFTP.
constexpr std::string_view k_bad_path =
    ": not an absolute, normalised path (no \".\", \"..\" or empty segments, no control "
    "characters)";

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 300) line = line.substr(0, 300) + "…";
  return line;
}

Kind kind_from_stderr(const std::string& err) {
  if (err.find("No space left") != std::string::npos || err.find("Disk quota") != std::string::npos)
    return Kind::disk_full;
  if (err.find("Permission denied") != std::string::npos ||
      err.find("Operation not permitted") != std::string::npos ||
      err.find("Read-only file system") != std::string::npos ||
      err.find("sudo:") != std::string::npos)
    return Kind::permission_denied;
  return Kind::failed;
}

// The full length of an HTTP response once its headers are in and name a Content-Length.
std::optional<std::size_t> http_complete_length(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  std::string headers = response.substr(0, end);
  for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto pos = headers.find("\r\ncontent-length:");
  if (pos == std::string::npos) return std::nullopt;
  const auto value = headers.c_str() + pos + 17;
  char* stop = nullptr;
  const unsigned long long len = std::strtoull(value, &stop, 10);
  if (stop == value) return std::nullopt;
  return end + 4 + static_cast<std::size_t>(len);
}

}  // namespace

// Everything that touches libssh2 for SshTransport; a nested class so it can use the members.
class SshTransport::Impl {
 public:
  using Attrs = LIBSSH2_SFTP_ATTRIBUTES;

  static Result<LIBSSH2_SFTP*> sftp(SshTransport& t) {
    if (t.m_sftp != nullptr) return t.m_sftp;
    SshSession& s = *t.m_session;
    t.m_sftp = s.retry_ptr([&] { return libssh2_sftp_init(s.raw()); });
    if (t.m_sftp == nullptr) return tl::unexpected(s.last_error("start SFTP"));
    return t.m_sftp;
  }

  // A failed SFTP call: the SFTP status when the server sent one, else the session error.
  static TransportError sftp_error(SshTransport& t, long long rc, std::string_view what) {
    SshSession& s = *t.m_session;
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && t.m_sftp != nullptr)
      return status_error(s, libssh2_sftp_last_error(t.m_sftp), what);
    return s.error(static_cast<int>(rc), what);
  }

  static TransportError status_error(const SshSession& s, unsigned long status, std::string_view what) {
    switch (status) {
      case LIBSSH2_FX_NO_SUCH_FILE:
      case LIBSSH2_FX_NO_SUCH_PATH:
        return s.error(Kind::not_found, fmt::format("{}: no such file or directory", what));
      case LIBSSH2_FX_PERMISSION_DENIED:
        return s.error(Kind::permission_denied, fmt::format("{}: permission denied", what));
      case LIBSSH2_FX_WRITE_PROTECT:
        return s.error(Kind::permission_denied, fmt::format("{}: read-only file system", what));
      case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
      case LIBSSH2_FX_QUOTA_EXCEEDED:
        return s.error(Kind::disk_full, fmt::format("{}: no space left on the file system", what));
      case LIBSSH2_FX_OP_UNSUPPORTED:
        return s.error(Kind::failed, fmt::format("{}: not supported by the SFTP server", what));
      default:
        return s.error(Kind::failed, fmt::format("{}: failed (SFTP status {})", what, status));
    }
  }

  static unsigned long last_status(SshTransport& t) {
    return t.m_sftp != nullptr ? libssh2_sftp_last_error(t.m_sftp) : 0;
  }

  // stat (follow = true) or lstat; nullopt when the path does not exist.
  static Result<std::optional<Attrs>> stat(SshTransport& t, const std::string& path, bool follow,
                                           std::string_view what) {
    auto sf = sftp(t);
    if (!sf) return tl::unexpected(sf.error());
    Attrs a{};
    const int rc = t.m_session->retry([&] {
      return libssh2_sftp_stat_ex(*sf, path.c_str(), len32(path),
                                  follow ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT, &a);
    });
    if (rc == 0) return std::optional<Attrs>(a);
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL) {
      const auto st = last_status(t);
      if (st == LIBSSH2_FX_NO_SUCH_FILE || st == LIBSSH2_FX_NO_SUCH_PATH) return std::optional<Attrs>();
    }
    return tl::unexpected(sftp_error(t, rc, what));
  }

  // mkdir -p over SFTP (0755 for new directories).
  static Result<void> ensure_dir(SshTransport& t, const std::string& dir) {
    if (dir == "/" || dir.empty()) return {};
    auto st = stat(t, dir, true, fmt::format("look at {}", dir));
    if (!st) return tl::unexpected(st.error());
    if (*st) {
      if (LIBSSH2_SFTP_S_ISDIR((*st)->permissions)) return {};
      return tl::unexpected(t.m_session->error(Kind::failed, fmt::format("{} is not a directory", dir)));
    }
    if (auto parent = ensure_dir(t, split_path(dir).first); !parent) return parent;
    const int rc = t.m_session->retry(
        [&] { return libssh2_sftp_mkdir_ex(t.m_sftp, dir.c_str(), len32(dir), 0755); });
    if (rc == 0) return {};
    // Another writer may have created it meanwhile.
    if (auto again = stat(t, dir, true, ""); again && *again && LIBSSH2_SFTP_S_ISDIR((*again)->permissions))
      return {};
    return tl::unexpected(sftp_error(t, rc, fmt::format("create directory {}", dir)));
  }

  static void remove_quietly(SshTransport& t, const std::string& path) {
    if (t.m_session->broken() || t.m_sftp == nullptr) return;
    t.m_session->retry([&] { return libssh2_sftp_unlink_ex(t.m_sftp, path.c_str(), len32(path)); });
  }

  // Free space below `dir` in bytes; nullopt when the server cannot tell.
  static std::optional<std::pair<unsigned long long, unsigned long long>> free_space(
      SshTransport& t, const std::string& dir) {
    if (t.m_session->broken() || t.m_sftp == nullptr) return std::nullopt;
    LIBSSH2_SFTP_STATVFS v{};
    const int rc = t.m_session->retry(
        [&] { return libssh2_sftp_statvfs(t.m_sftp, dir.c_str(), dir.size(), &v); });
    if (rc != 0) return std::nullopt;
    return std::make_pair(static_cast<unsigned long long>(v.f_bavail * v.f_frsize),
                          static_cast<unsigned long long>(v.f_favail));
  }

  // Uploads `content` to a new file `path` (exclusive create, mode 0600 while written, then
  // `mode`), fsynced and closed. On failure the partial file is removed.
  static Result<void> upload(SshTransport& t, const std::string& path, const std::string& content,
                             std::uint32_t mode, const std::string& what) {
    SshSession& s = *t.m_session;
    auto sf = sftp(t);
    if (!sf) return tl::unexpected(sf.error());
    LIBSSH2_SFTP_HANDLE* h = s.retry_ptr([&] {
      return libssh2_sftp_open_ex(*sf, path.c_str(), len32(path),
                                  LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL, 0600,
                                  LIBSSH2_SFTP_OPENFILE);
    });
    if (h == nullptr) {
      const int rc = s.last_errno();
      auto e = sftp_error(t, rc, what);
      if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && last_status(t) == LIBSSH2_FX_FAILURE) {
        // ENOSPC/EDQUOT arrive as a generic failure: ask the file system.
        if (auto fs = free_space(t, split_path(path).first); fs && fs->second == 0)
          e = s.error(Kind::disk_full, fmt::format("{}: no free inodes left on the file system", what));
      }
      return tl::unexpected(e);
    }
    auto fail = [&](long long rc, std::string_view step) -> Result<void> {
      auto e = sftp_error(t, rc, fmt::format("{} ({})", what, step));
      if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && last_status(t) == LIBSSH2_FX_FAILURE) {
        // A write that fails with a generic status on a file system with no room left is a
        // full disk (OpenSSH maps ENOSPC to SSH_FX_FAILURE).
        if (auto fs = free_space(t, split_path(path).first);
            fs && (fs->first < std::min<std::size_t>(content.size(), k_io_chunk) || fs->second == 0))
          e = s.error(Kind::disk_full, fmt::format("{}: no space left on the file system", what));
      }
      if (!s.broken()) s.retry([&] { return libssh2_sftp_close_handle(h); });
      remove_quietly(t, path);
      return tl::unexpected(e);
    };
    std::size_t off = 0;
    while (off < content.size()) {
      // A short write is normal: continue from where it stopped, never changing the bytes
      // libssh2 may still hold from the previous call.
      const std::size_t n = std::min(k_io_chunk, content.size() - off);
      const ssize_t w = s.retry([&] { return libssh2_sftp_write(h, content.data() + off, n); });
      if (w < 0) return fail(w, "write");
      off += static_cast<std::size_t>(w);
    }
    if (const int rc = s.retry([&] { return libssh2_sftp_fsync(h); }); rc != 0) return fail(rc, "fsync");
    Attrs a{};
    a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
    a.permissions = mode & 07777;
    if (const int rc = s.retry([&] { return libssh2_sftp_fstat_ex(h, &a, 1); }); rc != 0)
      return fail(rc, "set mode");
    if (const int rc = s.retry([&] { return libssh2_sftp_close_handle(h); }); rc != 0) {
      auto e = sftp_error(t, rc, fmt::format("{} (close)", what));
      remove_quietly(t, path);
      return tl::unexpected(e);
    }
    return {};
  }

  // Whether root steps go through `become` (a root login needs none).
  static Result<bool> use_become(SshTransport& t, bool as_root) {
    if (!as_root || !t.m_host.become || t.m_host.user == "root") return false;
    if (*t.m_host.become != "sudo")
      return tl::unexpected(t.m_session->error(
          Kind::failed, fmt::format("become: {} is not supported (only sudo)", *t.m_host.become)));
    return true;
  }

  // The remote shell of this connection, tagged with the fence's token when there is one.
  static RemoteShell& shell(SshTransport& t) {
    const std::string tag = t.m_token.empty() ? "" : fence_tag(t.m_token);
    if (!t.m_shell || t.m_shell->tag() != tag)
      t.m_shell = std::make_unique<RemoteShell>(*t.m_session, tag);
    return *t.m_shell;
  }

  // Runs `command` through sh (and sudo -n with become), exit status from the marker. When
  // the connection is fenced (and `fenced`), the command first checks the lock is still
  // ours, and carries the fence tag as its $0.
  static Result<ExecResult> exec_marked(SshTransport& t, const std::string& command, bool as_root,
                                        std::string_view what, bool fenced = true) {
    auto become = use_become(t, as_root);
    if (!become) return tl::unexpected(become.error());
    // One long-lived shell per connection runs every command (see ssh_shell.hpp): the login
    // shell's start-up files are read once per connection, not once per command.
    std::string line;
    if (t.m_token.empty()) {
      line = fmt::format("{}sh -c {}", *become ? "sudo -n -- " : "", shell_quote(command));
    } else {
      const std::string body = fenced ? fence_check(t.m_lock_path, t.m_token) + command : command;
      line = fmt::format("{}sh -c {} {}", *become ? "sudo -n -- " : "", shell_quote(body),
                         shell_quote(fence_tag(t.m_token)));
    }
    shell(t);
    auto ran = t.m_shell->run(line, what);
    if (!ran) return tl::unexpected(ran.error());
    if (fenced && !t.m_token.empty() && ran->status == k_rc_fenced &&
        ran->err.find(k_fenced_words) != std::string::npos)
      return tl::unexpected(t.m_session->error(
          Kind::locked, fmt::format("{}: refused: the deploy lock {} is no longer this deploy's "
                                    "(another deploy took it over with --force-unlock)",
                                    what, t.m_lock_path)));
    ExecResult r;
    r.exit_code = ran->status;
    r.err = std::move(ran->err);
    r.out = std::move(ran->out);
    return r;
  }

  // Runs one of our own scripts; a non-zero exit becomes an error naming `path`.
  static Result<ExecResult> script(SshTransport& t, const std::string& body, bool as_root,
                                   const std::string& what, const std::string& path,
                                   bool fenced = true) {
    auto r = exec_marked(t, body, as_root, what, fenced);
    if (!r) return r;
    if (r->ok() || r->exit_code == k_rc_missing) return r;
    SshSession& s = *t.m_session;
    if (r->exit_code == k_rc_parent_symlink)
      return tl::unexpected(s.error(
          Kind::failed, fmt::format("{}: the directory {} is a symlink; picket never writes "
                                    "through a symlinked directory (make it a real directory or "
                                    "point the inventory at the target)",
                                    what, split_path(path).first)));
    if (r->exit_code == k_rc_not_regular)
      return tl::unexpected(
          s.error(Kind::failed, fmt::format("{}: {} exists and is not a regular file", what, path)));
    if (!r->signal.empty())
      return tl::unexpected(s.error(Kind::failed, fmt::format("{}: killed by signal {}", what, r->signal)));
    // Our scripts' stderr holds tool messages naming paths, never file content.
    const std::string why = r->err.empty() ? fmt::format("exit status {}", r->exit_code) : first_line(r->err);
    return tl::unexpected(s.error(kind_from_stderr(r->err), fmt::format("{}: {}", what, why)));
  }

  // The pids of the processes on the host that carry the fence tag of `token` (hex only):
  // the holder's remote shells and whatever of its own they run. The pattern is split in the
  // script's text so that this script does not find itself.
  static Result<std::vector<int>> holder_pids(SshTransport& t, const std::string& token) {
    std::string body = fmt::format("p=picket-deploy; p=\"$p={}\"\n", token);
    body += "printf '%s\\n' \"$p\" | grep -laF -f - /proc/[0-9]*/cmdline 2>/dev/null | "
            "sed -n 's,^/proc/\\([0-9]*\\)/cmdline$,\\1,p'\n";
    auto r = script(t, body, false, "look for the lock holder's processes", "", false);
    if (!r) return tl::unexpected(r.error());
    std::vector<int> pids;
    std::size_t start = 0;
    while (start < r->out.size()) {
      const auto end = std::min(r->out.find('\n', start), r->out.size());
      const std::string word = r->out.substr(start, end - start);
      if (!word.empty() && word.size() < 10 && word.find_first_not_of("0123456789") == std::string::npos)
        pids.push_back(std::stoi(word));
      start = end + 1;
    }
    return pids;
  }

  // The script that keeps the backup and renames the temp file over the target. A symlink
  // at the target is replaced by the regular file, never written through: `mv -T` renames
  // over the link itself, and the backup is the link itself (`ln -P`), so a rollback puts
  // the link back and its target is never opened. A symlinked parent directory is refused.
  // An empty `tmp` means the caller's script has set $t already.
  static std::string commit_script(const std::string& tmp, const std::string& path,
                                   const std::string& backup, const std::string& id) {
    std::string sh = tmp.empty() ? "" : fmt::format("t={}\n", shell_quote(tmp));
    sh += fmt::format("d={}; b={}\n", shell_quote(path), shell_quote(backup));
    // On any failure the temp file goes (after the rename nothing is left to remove).
    sh += "trap 'if [ -e \"$t\" ] || [ -L \"$t\" ]; then rm -f -- \"$t\"; fi' EXIT\n";
    sh += fmt::format("if [ -L \"${{d%/*}}\" ]; then exit {}; fi\n", k_rc_parent_symlink);
    sh += fmt::format("if [ -e \"$d\" ] && [ ! -L \"$d\" ] && [ ! -f \"$d\" ]; then exit {}; fi\n",
                      k_rc_not_regular);
    if (!backup.empty()) {
      // No previous file: a stale backup must not be restored later.
      // Test builtins first: a process is started only for what must change.
      sh += "if [ -e \"$b\" ] || [ -L \"$b\" ]; then\n"
            "  if [ -d \"$b\" ] && [ ! -L \"$b\" ]; then echo \"$b is a directory\" >&2; exit 1; fi\n"
            "  rm -f -- \"$b\" || exit 1\n"
            "fi\n"
            "if [ -e \"$d\" ] || [ -L \"$d\" ]; then\n"
            "  [ -d \"${b%/*}\" ] || mkdir -p -- \"${b%/*}/\" || exit 1\n"
            "  { ln -P -- \"$d\" \"$b\" 2>/dev/null || cp -P -p -- \"$d\" \"$b\"; } || exit 1\n"
            "fi\n";
    }
    sh += "mv -f -T -- \"$t\" \"$d\" || exit 1\n";
    // Temp files of this target left by an earlier deploy that died (nobody could remove
    // them then); never this deploy's own. Deploys to a host are serialised by its lock, and
    // a dead deploy's processes were ended when its lock was broken (break_lock).
    const auto [dir, name] = split_path(path);
    sh += fmt::format("for s in {}/{}*; do\n"
                      "  case $s in {}*) continue;; esac\n"
                      "  if [ -e \"$s\" ] || [ -L \"$s\" ]; then rm -f -- \"$s\"; fi\n"
                      "done\n",
                      shell_quote(dir == "/" ? "" : dir), shell_quote("." + name + ".picket-tmp-"),
                      shell_quote(temp_prefix_for(path, id)));
    return sh;
  }
};

SshTransport::SshTransport(std::unique_ptr<SshSession> session,
                           std::vector<std::unique_ptr<SshTunnel>> tunnels, SshHostInfo host)
    : m_session(std::move(session)),
      m_tunnels(std::move(tunnels)),
      m_host(std::move(host)),
      m_temp_id(random_suffix()) {}

SshTransport::~SshTransport() {
  m_shell.reset();
  if (m_sftp != nullptr && !m_session->broken())
    m_session->retry([&] { return libssh2_sftp_shutdown(m_sftp); });
  m_session.reset();
  while (!m_tunnels.empty()) m_tunnels.pop_back();  // last hop first
}

Result<std::optional<RemoteFile>> SshTransport::read_file(const std::string& path, bool as_root) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  const std::string what = "read " + path;
  if (!is_clean_remote_file(path)) return tl::unexpected(m_session->error(Kind::failed, what + std::string(k_bad_path)));
  auto become = Impl::use_become(*this, as_root);
  if (!become) return tl::unexpected(become.error());

  if (*become) {
    // Root-only files: test and read in one root shell. stat's line comes first.
    const std::string body = fmt::format(
        "p={}\n"
        "if [ -L \"$p\" ] || [ ! -e \"$p\" ]; then exit {}; fi\n"
        "if [ ! -f \"$p\" ]; then exit {}; fi\n"
        "stat -c %a -- \"$p\" && cat -- \"$p\"\n",
        shell_quote(path), k_rc_missing, k_rc_not_regular);
    auto r = Impl::script(*this, body, true, what, path);
    if (!r) return tl::unexpected(r.error());
    if (r->exit_code == k_rc_missing) return std::optional<RemoteFile>();
    const auto nl = r->out.find('\n');
    if (nl == std::string::npos)
      return tl::unexpected(m_session->error(Kind::failed, what + ": unexpected answer from stat"));
    RemoteFile f;
    f.mode = static_cast<std::uint32_t>(std::stoul(r->out.substr(0, nl), nullptr, 8));
    f.content = r->out.substr(nl + 1);
    return std::optional<RemoteFile>(std::move(f));
  }

  auto st = Impl::stat(*this, path, false, what);
  if (!st) return tl::unexpected(st.error());
  if (!*st) return std::optional<RemoteFile>();
  const auto perm = (*st)->permissions;
  // A symlink is never followed: there is no file of ours there, and a write replaces it.
  if (LIBSSH2_SFTP_S_ISLNK(perm)) return std::optional<RemoteFile>();
  if (!LIBSSH2_SFTP_S_ISREG(perm))
    return tl::unexpected(m_session->error(Kind::failed, fmt::format("{}: not a regular file", what)));

  SshSession& s = *m_session;
  LIBSSH2_SFTP_HANDLE* h = s.retry_ptr([&] {
    return libssh2_sftp_open_ex(m_sftp, path.c_str(), len32(path), LIBSSH2_FXF_READ, 0,
                                LIBSSH2_SFTP_OPENFILE);
  });
  if (h == nullptr) return tl::unexpected(Impl::sftp_error(*this, s.last_errno(), what));
  RemoteFile f;
  f.mode = static_cast<std::uint32_t>(perm & 07777);
  std::string buf(k_io_chunk, '\0');
  for (;;) {
    const ssize_t n = s.retry([&] { return libssh2_sftp_read(h, buf.data(), buf.size()); });
    if (n == 0) break;
    if (n < 0 || f.content.size() > k_max_output) {
      auto e = n < 0 ? Impl::sftp_error(*this, n, what)
                     : s.error(Kind::failed, what + ": larger than 256 MiB");
      if (!s.broken()) s.retry([&] { return libssh2_sftp_close_handle(h); });
      return tl::unexpected(e);
    }
    f.content.append(buf.data(), static_cast<std::size_t>(n));
  }
  if (const int rc = s.retry([&] { return libssh2_sftp_close_handle(h); }); rc != 0)
    return tl::unexpected(Impl::sftp_error(*this, rc, what));
  return std::optional<RemoteFile>(std::move(f));
}

Result<StagedFile> SshTransport::stage_file(const std::string& path, const std::string& content,
                                            std::uint32_t mode, const std::string& backup_path,
                                            bool as_root) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  const std::string what = "write " + path;
  if (!is_clean_remote_file(path) || (!backup_path.empty() && !is_clean_remote_file(backup_path)))
    return tl::unexpected(m_session->error(Kind::failed, what + std::string(k_bad_path)));
  auto become = Impl::use_become(*this, as_root);
  if (!become) return tl::unexpected(become.error());
  const auto [dir, name] = split_path(path);

  if (!*become) {
    if (auto d = Impl::ensure_dir(*this, dir); !d) return tl::unexpected(d.error());
    // Nothing is uploaded through a symlinked directory (the commit script checks again).
    if (auto l = Impl::stat(*this, dir, false, what); !l) {
      return tl::unexpected(l.error());
    } else if (*l && LIBSSH2_SFTP_S_ISLNK((*l)->permissions)) {
      return tl::unexpected(m_session->error(
          Kind::failed, fmt::format("{}: the directory {} is a symlink; picket never writes "
                                    "through a symlinked directory (make it a real directory or "
                                    "point the inventory at the target)",
                                    what, dir)));
    }
    // Preflight: a file that cannot fit is refused before anything is written.
    if (auto fs = Impl::free_space(*this, dir); fs && fs->first < content.size())
      return tl::unexpected(m_session->error(
          Kind::disk_full, fmt::format("{}: no space left on the file system ({} bytes needed, {} free)",
                                       what, content.size(), fs->first)));
    const std::string tmp = temp_path_for(path, m_temp_id);
    if (auto up = Impl::upload(*this, tmp, content, mode, what); !up) return tl::unexpected(up.error());
    return StagedFile{path, tmp, backup_path, as_root};
  }

  // With become: stage in the login directory as the login user, then as root copy into a
  // temp file beside the target (root-owned, the final mode, synced); its name is printed.
  if (m_home.empty()) {
    auto sf = Impl::sftp(*this);
    if (!sf) return tl::unexpected(sf.error());
    std::string buf(4096, '\0');
    const int n = m_session->retry([&] {
      return libssh2_sftp_symlink_ex(m_sftp, ".", 1, buf.data(), static_cast<unsigned int>(buf.size()),
                                     LIBSSH2_SFTP_REALPATH);
    });
    if (n <= 0) return tl::unexpected(Impl::sftp_error(*this, n, "find the login directory"));
    m_home = buf.substr(0, static_cast<std::size_t>(n));
  }
  const std::string stage = fmt::format("{}/.picket-stage-{}", m_home == "/" ? "" : m_home, random_suffix());
  if (auto up = Impl::upload(*this, stage, content, 0600, what); !up) return tl::unexpected(up.error());
  // The root temp file is made by mktemp (exclusive create, 0600): a link planted at any
  // name is never followed, and the content is copied in before the final mode is set.
  std::string body = fmt::format("s={}; dir={}; t=; ok=\n", shell_quote(stage), shell_quote(dir));
  body += "trap 'rm -f -- \"$s\"; [ -n \"$ok\" ] || rm -f -- ${t:+\"$t\"}' EXIT\n";
  body += "mkdir -p -- \"$dir\" || exit 1\n";
  body += fmt::format("if [ -L \"$dir\" ]; then exit {}; fi\n", k_rc_parent_symlink);
  const std::string prefix = temp_prefix_for(path, m_temp_id);
  body += fmt::format("t=$(mktemp -- {}) || exit 1\n", shell_quote(prefix + "XXXXXXXXXXXX"));
  body += fmt::format("cat -- \"$s\" > \"$t\" && chmod {:o} -- \"$t\" && "
                      "{{ sync -- \"$t\" 2>/dev/null || sync; }} || exit 1\n",
                      mode & 07777);
  body += "ok=1; printf '%s\\n' \"$t\"\n";
  auto r = Impl::script(*this, body, true, what, path);
  if (!r) {
    Impl::remove_quietly(*this, stage);
    return tl::unexpected(r.error());
  }
  std::string tmp = r->out;
  while (!tmp.empty() && tmp.back() == '\n') tmp.pop_back();
  if (tmp.size() <= prefix.size() || tmp.compare(0, prefix.size(), prefix) != 0 || !is_clean_remote_file(tmp) ||
      tmp.find('/', prefix.size()) != std::string::npos)
    return tl::unexpected(m_session->error(Kind::failed, what + ": unexpected answer from mktemp"));
  return StagedFile{path, tmp, backup_path, as_root};
}

Result<void> SshTransport::commit_staged(const StagedFile& f) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  const std::string what = "write " + f.path;
  if (!is_clean_remote_file(f.path) || !is_clean_remote_file(f.temp) || (!f.backup_path.empty() && !is_clean_remote_file(f.backup_path)))
    return tl::unexpected(m_session->error(Kind::failed, what + std::string(k_bad_path)));
  auto become = Impl::use_become(*this, f.as_root);
  if (!become) return tl::unexpected(become.error());
  auto r = Impl::script(*this, Impl::commit_script(f.temp, f.path, f.backup_path, m_temp_id), *become, what, f.path);
  if (!r) {
    // The script's trap removed it unless the shell never ran.
    if (!*become) Impl::remove_quietly(*this, f.temp);
    return tl::unexpected(r.error());
  }
  return {};
}

Result<void> SshTransport::commit_staged(const std::vector<StagedFile>& files, std::size_t& done) {
  done = 0;
  for (const StagedFile& f : files) {
    if (auto c = commit_staged(f); !c) return c;
    ++done;
  }
  return {};
}

Result<void> SshTransport::discard_staged(const std::vector<StagedFile>& files) {
  Result<void> first;
  std::string root_files;
  for (const StagedFile& f : files) {
    if (!is_clean_remote_file(f.temp)) continue;
    auto become = Impl::use_become(*this, f.as_root);
    if (become && *become) {
      root_files += " " + shell_quote(f.temp);
      continue;
    }
    if (m_session->broken()) return tl::unexpected(m_session->broken_error());
    auto sf = Impl::sftp(*this);
    if (!sf) return tl::unexpected(sf.error());
    const int rc = m_session->retry(
        [&] { return libssh2_sftp_unlink_ex(m_sftp, f.temp.c_str(), len32(f.temp)); });
    if (rc != 0 && first) {
      const bool gone = rc == LIBSSH2_ERROR_SFTP_PROTOCOL &&
                        (Impl::last_status(*this) == LIBSSH2_FX_NO_SUCH_FILE ||
                         Impl::last_status(*this) == LIBSSH2_FX_NO_SUCH_PATH);
      if (!gone) first = tl::unexpected(Impl::sftp_error(*this, rc, "remove staged " + f.temp));
    }
  }
  if (!root_files.empty()) {
    auto r = Impl::script(*this, "rm -f --" + root_files, true, "remove staged files", "");
    if (!r && first) first = tl::unexpected(r.error());
  }
  return first;
}

Result<void> SshTransport::restore_file(const std::string& path, const std::string& backup_path,
                                        bool as_root) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  const std::string what = "restore " + path;
  if (!is_clean_remote_file(path) || (!backup_path.empty() && !is_clean_remote_file(backup_path)))
    return tl::unexpected(m_session->error(Kind::failed, what + std::string(k_bad_path)));
  // A hard link of the backup (a copy across file systems) renamed over the target: atomic,
  // and the backup stays for another restore.
  std::string body = fmt::format("t={}; d={}; b={}\n", shell_quote(temp_path_for(path, m_temp_id)),
                                 shell_quote(path), shell_quote(backup_path));
  body += "trap 'rm -f -- \"$t\"' EXIT\n";
  body += fmt::format("if [ -L \"${{d%/*}}\" ]; then exit {}; fi\n", k_rc_parent_symlink);
  body += fmt::format("if [ -e \"$d\" ] && [ ! -L \"$d\" ] && [ ! -f \"$d\" ]; then exit {}; fi\n",
                      k_rc_not_regular);
  // The backup is a regular file, or the symlink that stood at the target (put back as a
  // link, never followed).
  body += "if [ -n \"$b\" ] && { [ -L \"$b\" ] || [ -f \"$b\" ]; }; then\n"
          "  { ln -P -- \"$b\" \"$t\" 2>/dev/null || cp -P -p -- \"$b\" \"$t\"; } || exit 1\n"
          "  mv -f -T -- \"$t\" \"$d\" || exit 1\n"
          "else\n"
          "  rm -f -- \"$d\" || exit 1\n"
          "fi\n";
  auto r = Impl::script(*this, body, as_root, what, path);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<ExecResult> SshTransport::exec(const std::string& command, bool as_root) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  return Impl::exec_marked(*this, command, as_root, "run a command");
}

Result<std::string> SshTransport::http_get(int port, const std::string& target) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  SshSession& s = *m_session;
  const std::string what = fmt::format("GET http://127.0.0.1:{}{}", port, target);
  if (target.empty() || target[0] != '/' ||
      std::any_of(target.begin(), target.end(), [](char c) { return c <= ' ' || c == 0x7f; }))
    return tl::unexpected(s.error(Kind::failed, what + ": the target must be a path without spaces"));
  LIBSSH2_CHANNEL* ch = s.retry_ptr(
      [&] { return libssh2_channel_direct_tcpip_ex(s.raw(), "127.0.0.1", port, "127.0.0.1", 0); });
  if (ch == nullptr) {
    const int rc = s.last_errno();
    if (rc == LIBSSH2_ERROR_CHANNEL_FAILURE)
      return tl::unexpected(s.error(
          Kind::refused, fmt::format("{}: connection refused (nothing listens on port {} of the host?)", what, port)));
    return tl::unexpected(s.error(rc, what));
  }
  struct Free {
    SshSession& s;
    LIBSSH2_CHANNEL* ch;
    ~Free() {
      if (!s.broken()) s.retry([&] { return libssh2_channel_free(ch); });
    }
  } free_channel{s, ch};

  const std::string request = fmt::format(
      "GET {} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nUser-Agent: picket\r\nAccept: */*\r\nConnection: close\r\n\r\n",
      target, port);
  for (std::size_t off = 0; off < request.size();) {
    const ssize_t n = s.retry([&] { return libssh2_channel_write_ex(ch, 0, request.data() + off, request.size() - off); });
    if (n < 0) return tl::unexpected(s.error(static_cast<int>(n), what));
    off += static_cast<std::size_t>(n);
  }
  std::string response;
  std::string buf(k_io_chunk, '\0');
  for (;;) {
    const ssize_t n = s.retry([&] { return libssh2_channel_read_ex(ch, 0, buf.data(), buf.size()); });
    if (n == 0) break;
    if (n < 0) return tl::unexpected(s.error(static_cast<int>(n), what));
    response.append(buf.data(), static_cast<std::size_t>(n));
    if (response.size() > k_max_http)
      return tl::unexpected(s.error(Kind::failed, what + ": response larger than 16 MiB"));
    // A server that keeps the connection open despite HTTP/1.0: stop at Content-Length.
    if (const auto complete = http_complete_length(response); complete && response.size() >= *complete)
      break;
  }
  s.retry([&] { return libssh2_channel_close(ch); });

  // "HTTP/1.x 200 OK\r\n" headers "\r\n\r\n" body
  const auto line_end = response.find('\n');
  const std::string status_line =
      response.substr(0, line_end == std::string::npos ? response.size() : line_end);
  int code = 0;
  if (status_line.rfind("HTTP/", 0) == 0) {
    const auto sp = status_line.find(' ');
    if (sp != std::string::npos) code = std::atoi(status_line.c_str() + sp + 1);
  }
  if (code == 0)
    return tl::unexpected(s.error(Kind::failed, what + ": not an HTTP response"));
  if (code != 200) {
    std::string reason = status_line;
    while (!reason.empty() && (reason.back() == '\r' || reason.back() == '\n')) reason.pop_back();
    return tl::unexpected(s.error(Kind::failed, fmt::format("{}: {}", what, first_line(reason))));
  }
  auto body = response.find("\r\n\r\n");
  std::size_t skip = 4;
  if (body == std::string::npos) {
    body = response.find("\n\n");
    skip = 2;
  }
  if (body == std::string::npos) return std::string();
  return response.substr(body + skip);
}

Result<void> SshTransport::lock(const std::string& lock_path, const LockInfo& info) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  SshSession& s = *m_session;
  const std::string what = "take the deploy lock " + lock_path;
  if (!is_clean_remote_file(lock_path)) return tl::unexpected(s.error(Kind::failed, what + std::string(k_bad_path)));
  if (auto d = Impl::ensure_dir(*this, split_path(lock_path).first); !d) return d;
  nlohmann::json j{{"owner", info.owner}, {"since", info.since}};
  if (!info.token.empty()) j["token"] = info.token;
  const std::string content = j.dump() + "\n";
  for (int attempt = 0; attempt < 3; ++attempt) {
    // Exclusive create is the lock: exactly one of two racing deploys gets the file.
    LIBSSH2_SFTP_HANDLE* h = s.retry_ptr([&] {
      return libssh2_sftp_open_ex(m_sftp, lock_path.c_str(), len32(lock_path),
                                  LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL, 0644,
                                  LIBSSH2_SFTP_OPENFILE);
    });
    if (h != nullptr) {
      std::size_t off = 0;
      long long rc = 0;
      while (off < content.size() && rc >= 0) {
        rc = s.retry([&] { return libssh2_sftp_write(h, content.data() + off, content.size() - off); });
        if (rc > 0) off += static_cast<std::size_t>(rc);
      }
      if (rc >= 0) rc = s.retry([&] { return libssh2_sftp_fsync(h); });
      const int close_rc = s.broken() ? -1 : s.retry([&] { return libssh2_sftp_close_handle(h); });
      if (rc < 0 || close_rc != 0) {
        auto e = Impl::sftp_error(*this, rc < 0 ? rc : close_rc, what);
        Impl::remove_quietly(*this, lock_path);
        return tl::unexpected(e);
      }
      // From now on every change this connection makes carries the token (a shell started
      // before, untagged, is replaced by a tagged one).
      if (!info.token.empty()) set_fence(lock_path, info.token);
      // A locked host runs commands next (commits, reloads, restarts): start the remote shell
      // now without waiting, so the login shell's start-up overlaps with the other hosts'
      // locks and the plan checks. A failure here shows at the first exec.
      (void)Impl::shell(*this).start("start the remote shell");
      return {};
    }
    const int rc = s.last_errno();
    const auto status = Impl::last_status(*this);
    if (rc != LIBSSH2_ERROR_SFTP_PROTOCOL ||
        (status != LIBSSH2_FX_FAILURE && status != LIBSSH2_FX_FILE_ALREADY_EXISTS))
      return tl::unexpected(Impl::sftp_error(*this, rc, what));
    // A link planted at the lock's name is never followed (nor taken for a free lock).
    if (auto l = Impl::stat(*this, lock_path, false, what); l && *l && LIBSSH2_SFTP_S_ISLNK((*l)->permissions))
      return tl::unexpected(s.error(
          Kind::failed, fmt::format("{}: {} is a symlink; remove it (picket never follows one)", what, lock_path)));
    // Most likely it exists: say who holds it. Gone meanwhile: try again.
    auto held = read_lock(lock_path);
    if (!held) return tl::unexpected(held.error());
    if (*held)
      return tl::unexpected(s.error(
          Kind::locked, fmt::format("locked by {} (lock file {}); wait for that deploy to "
                                    "finish, or take the lock over with --force-unlock if it is "
                                    "dead",
                                    (*held)->describe(), lock_path)));
  }
  return tl::unexpected(s.error(Kind::failed, what + ": the lock file keeps appearing and vanishing"));
}

Result<void> SshTransport::unlock(const std::string& lock_path) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  if (!is_clean_remote_file(lock_path))
    return tl::unexpected(m_session->error(Kind::failed, "release the deploy lock " + lock_path + std::string(k_bad_path)));
  if (!m_token.empty() && lock_path == m_lock_path) {
    // Only our own lock: one taken over by another deploy stays (and is not an error).
    const std::string body = fmt::format(
        "l={}\nIFS= read -r cur 2>/dev/null <\"$l\" || [ -n \"$cur\" ] || exit 0\n"
        "case $cur in *{}*) rm -f -- \"$l\";; esac\n",
        shell_quote(lock_path), shell_quote("\"token\":\"" + m_token + "\""));
    auto r = Impl::script(*this, body, false, "release the deploy lock " + lock_path, lock_path, false);
    if (!r) return tl::unexpected(r.error());
    return {};
  }
  return unlock_any(lock_path);
}

Result<void> SshTransport::unlock_any(const std::string& lock_path) {
  auto sf = Impl::sftp(*this);
  if (!sf) return tl::unexpected(sf.error());
  const int rc = m_session->retry(
      [&] { return libssh2_sftp_unlink_ex(*sf, lock_path.c_str(), len32(lock_path)); });
  if (rc == 0) return {};
  if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && Impl::last_status(*this) == LIBSSH2_FX_NO_SUCH_FILE) return {};
  return tl::unexpected(Impl::sftp_error(*this, rc, "release the deploy lock " + lock_path));
}

Result<std::optional<LockInfo>> SshTransport::read_lock(const std::string& lock_path) {
  auto f = read_file(lock_path, false);
  if (!f) return tl::unexpected(f.error());
  if (!*f) return std::optional<LockInfo>();
  const std::string& text = (*f)->content;
  LockInfo info;
  // JSON as written by lock(); `owner=…` / `since=…` lines as a person might write it.
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (j.contains("owner") && j["owner"].is_string()) info.owner = j["owner"].get<std::string>();
    if (j.contains("since") && j["since"].is_string()) info.since = j["since"].get<std::string>();
  } else {
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = std::min(text.find('\n', start), text.size());
      const std::string line = text.substr(start, end - start);
      if (line.rfind("owner=", 0) == 0) info.owner = line.substr(6);
      if (line.rfind("since=", 0) == 0) info.since = line.substr(6);
      start = end + 1;
    }
  }
  if (info.owner.empty()) info.owner = "an unknown holder";
  if (info.since.empty()) info.since = "an unknown time";
  if (!j.is_discarded() && j.is_object() && j.contains("token") && j["token"].is_string()) {
    const std::string token = j["token"].get<std::string>();
    // Only a token we could have written (hex) goes into a remote command.
    if (!token.empty() && token.size() <= 64 &&
        std::all_of(token.begin(), token.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
      info.token = token;
      auto live = Impl::holder_pids(*this, token);
      if (live) info.alive = !live->empty();
    }
  }
  return std::optional<LockInfo>(std::move(info));
}

Result<std::string> SshTransport::break_lock(const std::string& lock_path, const LockInfo& holder) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  const std::string what = "take over the deploy lock " + lock_path;
  if (!is_clean_remote_file(lock_path)) return tl::unexpected(m_session->error(Kind::failed, what + std::string(k_bad_path)));
  std::string said = "no process of that deploy was left on the host";
  if (!holder.token.empty()) {
    // Its processes: the tagged ones (its remote shells, their commands, its firewall
    // guard), plus, for each of its remote shells, the SSH session process that feeds it
    // and that session's SFTP server (a request already on its way is never served now).
    // SIGKILL, then wait until they are gone. The pattern is split in the script text, so
    // this script's own command line does not match it.
    std::string body = fmt::format("p=picket-deploy; p=\"$p={}\"\n", holder.token);
    body += "pids=$(printf '%s\\n' \"$p\" | grep -laF -f - /proc/[0-9]*/cmdline 2>/dev/null | "
            "sed -n 's,^/proc/\\([0-9]*\\)/cmdline$,\\1,p')\n"
            "all=\n"
            "for q in $pids; do\n"
            "  [ \"$q\" = \"$$\" ] && continue\n"
            "  all=\"$all $q\"\n"
            "  case $(tr '\\0' ' ' </proc/$q/cmdline 2>/dev/null) in\n"
            "    'sh -s '*)\n"
            "      pp=$(sed 's/.*) [A-Za-z] \\([0-9]*\\) .*/\\1/' /proc/$q/stat 2>/dev/null)\n"
            "      if [ -n \"$pp\" ] && [ \"$(cat /proc/$pp/comm 2>/dev/null)\" = sshd ]; then\n"
            "        all=\"$all $pp\"\n"
            "        for c in $(cat /proc/$pp/task/*/children 2>/dev/null); do\n"
            "          case $(cat /proc/$c/comm 2>/dev/null) in sshd|sftp-server) all=\"$all $c\";; esac\n"
            "        done\n"
            "      fi;;\n"
            "  esac\n"
            "done\n"
            "[ -n \"$all\" ] && kill -KILL $all 2>/dev/null\n"
            "i=0\n"
            "while [ $i -lt 100 ]; do\n"
            "  left=\n"
            "  for q in $all; do kill -0 $q 2>/dev/null && left=1; done\n"
            "  [ -z \"$left\" ] && break\n"
            "  sleep 0.05; i=$((i+1))\n"
            "done\n"
            "set -- $all; printf '%s\\n' \"$#\"\n";
    auto r = Impl::script(*this, body, m_host.become.has_value(), what, lock_path, false);
    if (!r) return tl::unexpected(r.error());
    const std::string n = std::string(trim(r->out));
    if (!n.empty() && n != "0") said = "ended " + n + " process(es) of that deploy on the host";
  }
  // The lock goes only if it is still that holder's (another --force-unlock may have won).
  const std::string body = fmt::format(
      "l={}\nIFS= read -r cur 2>/dev/null <\"$l\" || [ -n \"$cur\" ] || exit 0\n"
      "case $cur in *{}*) rm -f -- \"$l\";; esac\n",
      shell_quote(lock_path),
      shell_quote(holder.token.empty() ? std::string("\"owner\"") : "\"token\":\"" + holder.token + "\""));
  auto removed = holder.token.empty() ? unlock_any(lock_path)
                                      : Impl::script(*this, body, false, what, lock_path, false).map([](auto&&) {});
  if (!removed) return tl::unexpected(removed.error());
  return said;
}

Result<std::vector<std::string>> SshTransport::sweep_temps(const std::vector<std::string>& dirs) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  std::vector<std::string> removed;
  std::string list;
  for (const std::string& d : dirs) {
    if (!is_clean_remote_file(d) && d != "/") continue;
    list += " " + shell_quote(d == "/" ? "" : d);
  }
  if (list.empty()) return removed;
  std::string body = "for d in" + list + "; do\n"
                     "  for s in \"$d\"/.*.picket-tmp-*; do\n";
  body += fmt::format("    case ${{s##*/}} in *.picket-tmp-{}-*) continue;; esac\n", m_temp_id);
  body += "    if [ -e \"$s\" ] || [ -L \"$s\" ]; then rm -f -- \"$s\" && printf '%s\\n' \"$s\"; fi\n"
          "  done\n"
          "done\n";
  auto r = Impl::script(*this, body, m_host.become.has_value(), "remove temp files left by a dead deploy", "");
  if (!r) return tl::unexpected(r.error());
  std::size_t start = 0;
  while (start < r->out.size()) {
    const auto end = std::min(r->out.find('\n', start), r->out.size());
    if (end > start) removed.push_back(r->out.substr(start, end - start));
    start = end + 1;
  }
  return removed;
}

void SshTransport::set_fence(const std::string& lock_path, const std::string& token) {
  m_lock_path = lock_path;
  m_token = token;
  m_temp_id = token.empty() ? random_suffix() : deploy_id(token);
}

Result<std::vector<std::string>> SshTransport::list_temps(const std::vector<std::string>& dirs) {
  if (m_session->broken()) return tl::unexpected(m_session->broken_error());
  std::vector<std::string> found;
  auto sf = Impl::sftp(*this);
  if (!sf) return tl::unexpected(sf.error());
  SshSession& s = *m_session;
  for (const std::string& dir : dirs) {
    if (!is_clean_remote_file(dir) && dir != "/") continue;
    LIBSSH2_SFTP_HANDLE* h = s.retry_ptr([&] {
      return libssh2_sftp_open_ex(*sf, dir.c_str(), len32(dir), 0, 0, LIBSSH2_SFTP_OPENDIR);
    });
    if (h == nullptr) {
      const int rc = s.last_errno();
      const auto st = Impl::last_status(*this);
      if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL &&
          (st == LIBSSH2_FX_NO_SUCH_FILE || st == LIBSSH2_FX_NO_SUCH_PATH))
        continue;  // no directory yet: no temp file either
      // A root-only directory (/etc/wireguard) with a non-root login: the plan cannot list it
      // (read-only, no sudo); a deploy that takes a lock over sweeps it as root anyway.
      if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && st == LIBSSH2_FX_PERMISSION_DENIED) continue;
      return tl::unexpected(Impl::sftp_error(*this, rc, "list " + dir));
    }
    std::string name(1024, '\0');
    for (;;) {
      Impl::Attrs a{};
      const int n = s.retry([&] {
        return libssh2_sftp_readdir_ex(h, name.data(), name.size(), nullptr, 0, &a);
      });
      if (n == 0) break;
      if (n < 0) {
        auto e = Impl::sftp_error(*this, n, "list " + dir);
        if (!s.broken()) s.retry([&] { return libssh2_sftp_close_handle(h); });
        return tl::unexpected(e);
      }
      const std::string entry = name.substr(0, static_cast<std::size_t>(n));
      if (entry.size() > 1 && entry[0] == '.' && entry.find(".picket-tmp-") != std::string::npos)
        found.push_back((dir == "/" ? "" : dir) + "/" + entry);
    }
    s.retry([&] { return libssh2_sftp_close_handle(h); });
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace picket
