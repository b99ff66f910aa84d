// Reading and writing the secrets directory with plain POSIX calls, because the guarantees
// matter more than convenience here:
// - a key file is created under a temporary name (mkstemp: O_EXCL, mode 0600), written,
//   fsynced, then linked to its final name: link() fails instead of replacing a file that
//   appeared meanwhile, so two runs at once never swap a key under a printed ID; a crash
//   leaves at most a stray temporary, never a half-written key;
// - permissions are checked on the opened descriptor (fstat), not on the path, so the file
//   judged is the file read.
#include "cli/secrets_store.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <sodium.h>

namespace picket::cli {

namespace fs = std::filesystem;

namespace {

// A key file is well under 200 bytes; anything this large is not one.
constexpr off_t k_max_secret_size = 64 * 1024;
constexpr mode_t k_dir_mode = 0700;
constexpr mode_t k_file_mode = 0600;

// Closes a descriptor on every path out of a function.
class FdGuard {
 public:
  explicit FdGuard(int fd) : m_fd(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }
  // Closes now and reports close's error (a write error may only show up here).
  int close_now() {
    const int rc = ::close(m_fd);
    m_fd = -1;
    return rc;
  }

 private:
  int m_fd;
};

std::string errno_text() { return std::strerror(errno); }

// Node and host names become path components: refuse anything that could leave the directory.
bool is_safe_component(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string("/\0", 2)) == std::string::npos;
}

// Reads a secret file. nullopt: it does not exist. Error: unreadable, not a regular file,
// too large, or open to group/others.
tl::expected<std::optional<std::string>, std::string> read_secret_file(const std::string& path) {
  // O_NONBLOCK: a FIFO planted at the path must not hang the command.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return tl::make_unexpected(path + ": cannot read: " + errno_text());
  }
  FdGuard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return tl::make_unexpected(path + ": cannot stat: " + errno_text());
  if (!S_ISREG(st.st_mode)) return tl::make_unexpected(path + ": not a regular file");
  if ((st.st_mode & 077) != 0)
    return tl::make_unexpected(fmt::format(
        "{}: permissions {:04o} are too open: a key must be accessible by its owner only "
        "(chmod 600 {})",
        path, st.st_mode & 07777, path));
  if (st.st_size > k_max_secret_size)
    return tl::make_unexpected(path + ": too large to be a key file (" +
                               std::to_string(st.st_size) + " bytes)");
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::make_unexpected(path + ": read error: " + errno_text());
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > static_cast<std::size_t>(k_max_secret_size))
      return tl::make_unexpected(path + ": too large to be a key file");
  }
  sodium_memzero(buffer, sizeof buffer);
  return std::optional<std::string>{std::move(text)};
}

// Wipes a string holding key material before it is freed.
void wipe(std::string& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

tl::expected<NodeKey, std::string> parse_node_key_file(const std::string& path,
                                                       std::string& text) {
  std::string reason;
  auto key = parse_node_key_json(text, reason);
  wipe(text);
  if (!key) return tl::make_unexpected(path + ": malformed node key: " + reason);
  return *key;
}

// Creates `dir` and any missing parents with mode 0700 (exactly: umask does not widen or
// narrow it). Existing directories are left as they are. Returns whether `dir` itself was
// created.
tl::expected<bool, std::string> make_private_dirs(const fs::path& dir) {
  fs::path prefix;
  bool created = false;
  for (const auto& part : dir) {
    prefix /= part;
    if (part.empty()) continue;  // a trailing separator
    const std::string p = prefix.string();
    if (::mkdir(p.c_str(), k_dir_mode) == 0) {
      if (::chmod(p.c_str(), k_dir_mode) != 0)
        return tl::make_unexpected(p + ": cannot set mode 0700: " + errno_text());
      created = true;
      continue;
    }
    if (errno != EEXIST)
      return tl::make_unexpected(p + ": cannot create directory: " + errno_text());
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return tl::make_unexpected(p + ": exists and is not a directory");
    created = false;
  }
  return created;
}

enum class WriteOutcome { written, already_there };
// Whether a write may replace an existing file (a rotation) or must not (a new key).
enum class Existing { keep, replace };

// Writes `content` to `path` (whose directory exists) as described in the file header.
tl::expected<WriteOutcome, std::string> write_secret_file(const fs::path& path,
                                                          const std::string& content,
                                                          Existing existing = Existing::keep) {
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string tmp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return tl::make_unexpected(dir.string() + ": cannot create a file: " + errno_text());
  FdGuard guard(fd);
  auto fail = [&](const std::string& what) {
    const std::string message = path.string() + ": " + what + ": " + errno_text();
    ::unlink(tmp.c_str());
    return tl::make_unexpected(message);
  };
  if (::fchmod(fd, k_file_mode) != 0) return fail("cannot set mode 0600");
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write error");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync failed");
  if (guard.close_now() != 0) return fail("close failed");

  WriteOutcome outcome = WriteOutcome::written;
  if (existing == Existing::replace) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  } else if (::link(tmp.c_str(), path.c_str()) == 0) {
    ::unlink(tmp.c_str());
  } else if (errno == EEXIST) {
    // Another run created it first: theirs stands, ours is dropped.
    ::unlink(tmp.c_str());
    outcome = WriteOutcome::already_there;
  } else if (errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS) {
    // A file system without hard links: rename is still atomic, only not exclusive.
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  } else {
    return fail("cannot link into place");
  }
  // Make the new directory entry durable too, not only the file's data.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    FdGuard dir_guard(dir_fd);
    if (::fsync(dir_fd) != 0)
      return tl::make_unexpected(dir.string() + ": fsync failed: " + errno_text());
  }
  return outcome;
}

// True when something exists at `path`. Error: it cannot be told (e.g. permission denied).
tl::expected<bool, std::string> exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return tl::make_unexpected(path + ": cannot stat: " + errno_text());
}

// Quotes a path for the shell when it needs it, so the printed command can be pasted.
std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_-./+:@%,=") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// A new node key from the kernel's CSPRNG, as node_key.json text (the caller wipes it).
std::string fresh_node_key_json() {
  Bytes32 seed{};
  randombytes_buf(seed.data(), seed.size());
  NodeKey key = node_key_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  std::string text = node_key_json(key);
  sodium_memzero(key.seed.data(), key.seed.size());
  return text;
}

// 20260102T030405Z: sorts by time, and is a plain file name.
std::string compact_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

std::string default_secrets_dir(const std::string& topology_path) {
  return (fs::path(topology_path).parent_path() / ".picket" / "secrets").string();
}

std::string node_key_path(const std::string& dir, const std::string& node) {
  return (fs::path(dir) / "nodes" / node / "node_key.json").string();
}

std::string wireguard_key_path(const std::string& dir, const std::string& host) {
  return (fs::path(dir) / "wireguard" / (host + ".key")).string();
}

tl::expected<void, std::string> check_secrets_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return tl::make_unexpected(dir + ": cannot use as the secrets directory: " + errno_text());
  }
  if (!S_ISDIR(st.st_mode))
    return tl::make_unexpected(dir + ": cannot use as the secrets directory: not a directory");
  return {};
}

tl::expected<Secrets, std::string> load_secrets(const std::string& dir, const KeyPlan& plan) {
  Secrets secrets;
  std::vector<std::string> problems;
  for (const auto& node : plan.node_keys) {
    if (!is_safe_component(node)) {
      problems.push_back("node name \"" + node + "\" cannot be used as a directory name");
      continue;
    }
    const std::string path = node_key_path(dir, node);
    auto text = read_secret_file(path);
    if (!text) {
      problems.push_back(text.error());
      continue;
    }
    if (!*text) continue;
    auto key = parse_node_key_file(path, **text);
    if (!key)
      problems.push_back(key.error());
    else
      secrets.node_keys.emplace(node, *key);
  }
  for (const auto& host : plan.wireguard_hosts) {
    if (!is_safe_component(host)) {
      problems.push_back("host name \"" + host + "\" cannot be used as a file name");
      continue;
    }
    const std::string path = wireguard_key_path(dir, host);
    auto text = read_secret_file(path);
    if (!text) {
      problems.push_back(text.error());
      continue;
    }
    if (!*text) continue;
    auto private_key = parse_base64_key(**text);
    wipe(**text);
    if (!private_key) {
      problems.push_back(path +
                         ": malformed WireGuard key: expected one base64 private key of 32 bytes "
                         "(as `wg genkey` prints)");
      continue;
    }
    secrets.wireguard.emplace(host, wireguard_key_from_private(*private_key));
    sodium_memzero(private_key->data(), private_key->size());
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
    return tl::make_unexpected(message);
  }
  return secrets;
}

tl::expected<KeyPlan, std::string> ensure_keys(const std::string& dir, const KeyPlan& plan) {
  KeyPlan created;
  if (plan.node_keys.empty() && plan.wireguard_hosts.empty()) return created;
  // randombytes_buf draws from the kernel's CSPRNG (getrandom) once libsodium is set up.
  if (sodium_init() < 0) return tl::make_unexpected("cannot initialise libsodium");

  auto made = make_private_dirs(dir);
  if (!made) return tl::make_unexpected(made.error());
  if (*made) {
    // The directory usually sits in the operator's repository, beside the topology.
    auto ignore = write_secret_file(fs::path(dir) / ".gitignore",
                                    "# picket secrets: never commit these\n*\n");
    if (!ignore) return tl::make_unexpected(ignore.error());
  }

  for (const auto& node : plan.node_keys) {
    if (!is_safe_component(node))
      return tl::make_unexpected("node name \"" + node + "\" cannot be used as a directory name");
    const std::string path = node_key_path(dir, node);
    auto present = exists(path);
    if (!present) return tl::make_unexpected(present.error());
    if (*present) continue;
    auto node_dir = make_private_dirs(fs::path(path).parent_path());
    if (!node_dir) return tl::make_unexpected(node_dir.error());
    std::string text = fresh_node_key_json();
    auto written = write_secret_file(path, text);
    wipe(text);
    if (!written) return tl::make_unexpected(written.error());
    if (*written == WriteOutcome::written) created.node_keys.push_back(node);
  }

  for (const auto& host : plan.wireguard_hosts) {
    if (!is_safe_component(host))
      return tl::make_unexpected("host name \"" + host + "\" cannot be used as a file name");
    const std::string path = wireguard_key_path(dir, host);
    auto present = exists(path);
    if (!present) return tl::make_unexpected(present.error());
    if (*present) continue;
    auto wg_dir = make_private_dirs(fs::path(path).parent_path());
    if (!wg_dir) return tl::make_unexpected(wg_dir.error());
    Bytes32 random{};
    randombytes_buf(random.data(), random.size());
    WireguardKey key = wireguard_key_from_private(random);
    sodium_memzero(random.data(), random.size());
    std::string text = base64_key(key.private_key) + "\n";
    sodium_memzero(key.private_key.data(), key.private_key.size());
    auto written = write_secret_file(path, text);
    wipe(text);
    if (!written) return tl::make_unexpected(written.error());
    if (*written == WriteOutcome::written) created.wireguard_hosts.push_back(host);
  }
  return created;
}

tl::expected<std::string, std::string> rotate_node_key(const std::string& dir,
                                                       const std::string& node) {
  if (!is_safe_component(node))
    return tl::make_unexpected("node name \"" + node + "\" cannot be used as a directory name");
  if (sodium_init() < 0) return tl::make_unexpected("cannot initialise libsodium");
  const std::string path = node_key_path(dir, node);
  // The old key must be a key (and 0600): a backup of anything else would be misleading.
  auto old = read_secret_file(path);
  if (!old) return tl::make_unexpected(old.error());
  if (!*old)
    return tl::make_unexpected(path + ": no node key to rotate (`picket keys` creates it)");
  if (auto parsed = parse_node_key_file(path, **old); !parsed)
    return tl::make_unexpected(parsed.error());
  else
    sodium_memzero(parsed->seed.data(), parsed->seed.size());
  // A hard link keeps the old key exactly as it was (same inode, same 0600), and fails
  // rather than replace a backup of the same second.
  const std::string stamp = compact_utc_now();
  std::string backup;
  for (int n = 0;; ++n) {
    backup = path + "." + stamp + (n == 0 ? "" : "-" + std::to_string(n)) + ".bak";
    if (::link(path.c_str(), backup.c_str()) == 0) break;
    if (errno != EEXIST || n == 99)
      return tl::make_unexpected(backup + ": cannot keep the old key: " + errno_text());
  }
  std::string text = fresh_node_key_json();
  auto written = write_secret_file(path, text, Existing::replace);
  wipe(text);
  if (!written) return tl::make_unexpected(written.error());
  return backup;
}

void check_pinned_ids(const Topology& topology, const std::string& dir, Diagnostics& out) {
  for (const Node& node : topology.nodes) {
    if (!node.node_id || !is_safe_component(node.name.value)) continue;
    const std::string& pinned = node.node_id->value;
    const std::string& name = node.name.value;
    const std::string path = node_key_path(dir, name);
    auto unverifiable = [&](const std::string& why) {
      add_error(out, "address", node.node_id->loc,
                "pinned node_id \"" + pinned + "\" of \"" + name +
                    "\" cannot be checked against its key file: " + why,
                {name});
    };
    auto text = read_secret_file(path);
    if (!text) {
      unverifiable(text.error());
      continue;
    }
    if (!*text) continue;  // no key file: the operator keeps this node's key elsewhere
    auto key = parse_node_key_file(path, **text);
    if (!key) {
      unverifiable(key.error());
      continue;
    }
    const std::string id = node_id(*key);
    sodium_memzero(key->seed.data(), key->seed.size());
    if (id != pinned)
      add_error(out, "address", node.node_id->loc,
                "pinned node_id \"" + pinned + "\" of \"" + name +
                    "\" does not match its key file " + path + " (ID " + id + ")",
                {name});
  }
}

std::string missing_keys_message(const std::vector<std::string>& missing,
                                 const std::string& topology_path) {
  std::string list;
  for (const auto& item : missing) list += (list.empty() ? "" : ", ") + item;
  return "missing keys: " + list + "; run `picket keys " + shell_quote(topology_path) +
         "` first";
}

}  // namespace picket::cli
