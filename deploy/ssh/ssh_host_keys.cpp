// Host key checks with libssh2's known_hosts parser (it handles hashed names), plus three
// things 1.10 does not do for us:
// - which key types a host is known with: checkp with a made-up key of each type answers
//   MISMATCH exactly when an entry of that type exists for the name (hashed entries too);
// - the `[address]:port` name is looked up alone for ports other than 22 (checkp would fall
//   back to the bare address, which OpenSSH does not);
// - recording a key appends one line instead of rewriting the file (writefile would drop
//   lines 1.10 only half understands, such as @cert-authority).

#include "deploy/ssh/ssh_host_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <libssh2.h>

#include "util/base64.hpp"

namespace picket {

namespace {

using Kind = TransportError::Kind;

struct KeyType {
  int hostkey_type;        // LIBSSH2_HOSTKEY_TYPE_*
  int knownhost_type;      // LIBSSH2_KNOWNHOST_KEY_*
  const char* name;        // as in known_hosts and host_key
  const char* algorithms;  // LIBSSH2_METHOD_HOSTKEY names for it
};

// Best first: the order host key algorithms are offered in.
constexpr std::array<KeyType, 6> k_key_types{{
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519", "ssh-ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256",
     "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384",
     "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521",
     "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa",
     "rsa-sha2-512,rsa-sha2-256,ssh-rsa"},
    {LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss", "ssh-dss"},
}};

const KeyType* key_type_by_hostkey(int t) {
  for (const auto& k : k_key_types)
    if (k.hostkey_type == t) return &k;
  return nullptr;
}

const KeyType* key_type_by_name(std::string_view name) {
  for (const auto& k : k_key_types)
    if (name == k.name) return &k;
  return nullptr;
}

// The libssh2 known_hosts collection of one session, freed on scope exit.
class KnownHosts {
 public:
  explicit KnownHosts(LIBSSH2_KNOWNHOSTS* kh) : m_kh(kh) {}
  ~KnownHosts() {
    if (m_kh != nullptr) libssh2_knownhost_free(m_kh);
  }
  KnownHosts(const KnownHosts&) = delete;
  KnownHosts& operator=(const KnownHosts&) = delete;
  LIBSSH2_KNOWNHOSTS* get() const { return m_kh; }

 private:
  LIBSSH2_KNOWNHOSTS* m_kh;
};

Result<std::unique_ptr<KnownHosts>> load_known_hosts(SshSession& s, const std::string& path) {
  auto kh = std::make_unique<KnownHosts>(libssh2_knownhost_init(s.raw()));
  if (kh->get() == nullptr) return tl::unexpected(s.error(Kind::failed, "cannot allocate known_hosts"));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return kh;  // no file yet: every host is unknown
    return tl::unexpected(
        s.error(Kind::failed, fmt::format("cannot read known_hosts {}: {}", path, std::strerror(errno))));
  }
  // readfile stops at the first line it cannot parse and says so only in its result.
  if (const int rc = libssh2_knownhost_readfile(kh->get(), path.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
      rc < 0) {
    char* msg = nullptr;
    libssh2_session_last_error(s.raw(), &msg, nullptr, 0);
    return tl::unexpected(s.error(
        Kind::failed, fmt::format("cannot parse known_hosts {}: {} (a line libssh2 1.10 does not "
                                  "understand: fix or remove it)",
                                  path, msg != nullptr ? msg : "error")));
  }
  return kh;
}

struct Pinned {
  const KeyType* type;
  std::string blob;
};

Result<Pinned> parse_pinned(const SshSession& s, const HostKeyPolicy& p) {
  const std::string& text = *p.pinned;
  const auto sp = text.find(' ');
  const std::string where = p.pinned_where.empty() ? "" : fmt::format(" ({})", p.pinned_where);
  if (sp == std::string::npos)
    return tl::unexpected(s.error(
        Kind::failed, fmt::format("host_key{} is not \"TYPE BASE64\" (like a known_hosts line without the host)", where)));
  const std::string type_name = text.substr(0, sp);
  std::string b64 = text.substr(sp + 1);
  b64 = b64.substr(0, b64.find(' '));  // drop a trailing comment
  const KeyType* type = key_type_by_name(type_name);
  if (type == nullptr)
    return tl::unexpected(s.error(Kind::failed, fmt::format("host_key{}: unsupported key type {}", where, type_name)));
  auto blob = base64_decode(b64);
  if (!blob || blob->empty())
    return tl::unexpected(s.error(Kind::failed, fmt::format("host_key{}: the key is not base64", where)));
  return Pinned{type, std::move(*blob)};
}

std::mutex g_known_hosts_append;  // connections to several hosts may record keys at once

Result<void> append_known_host(const SshSession& s, const std::string& path, const std::string& line) {
  std::lock_guard<std::mutex> lock(g_known_hosts_append);
  // ~/.ssh may not exist yet on a fresh machine.
  const auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) ::mkdir(path.substr(0, slash).c_str(), 0700);
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return tl::unexpected(
        s.error(Kind::failed, fmt::format("cannot record the host key in {}: {}", path, std::strerror(errno))));
  // Keep the file line-structured even if its last line lacks a newline. (Built, not
  // inserted: GCC 12 takes text.insert(0, "\n") inlined here for an overlapping memcpy,
  // a -Wrestrict false positive that -Werror turns into an error.)
  bool newline_first = false;
  if (const off_t size = ::lseek(fd, 0, SEEK_END); size > 0) {
    char last = '\n';
    newline_first = ::pread(fd, &last, 1, size - 1) == 1 && last != '\n';
  }
  const std::string text = newline_first ? "\n" + line : line;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int werr = errno;
  const bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok)
    return tl::unexpected(
        s.error(Kind::failed, fmt::format("cannot record the host key in {}: {}", path, std::strerror(werr))));
  return {};
}

// libssh2 1.10 reads `@revoked` lines as host names and gives them no meaning: look for a
// revoked key ourselves. Stricter than OpenSSH: a revoked key is refused for every host,
// whatever the line's host patterns say.
bool revoked_in_file(const std::string& path, const std::string& blob) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return false;
  const std::string b64 = base64_encode(blob);
  bool revoked = false;
  char* line = nullptr;
  std::size_t cap = 0;
  while (!revoked && ::getline(&line, &cap, f) > 0) {
    std::string_view l(line);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (l.rfind("@revoked", 0) != 0) continue;
    // @revoked HOSTS TYPE BASE64 [comment]: compare the fourth field.
    std::size_t pos = 0;
    for (int field = 0; field < 4 && pos < l.size(); ++field) {
      while (pos < l.size() && (l[pos] == ' ' || l[pos] == '\t')) ++pos;
      const std::size_t end = std::min(l.find_first_of(" \t\r\n", pos), l.size());
      if (field == 3 && l.substr(pos, end - pos) == b64) revoked = true;
      pos = end;
    }
  }
  std::free(line);
  std::fclose(f);
  return revoked;
}

}  // namespace

std::string known_hosts_name(const std::string& address, int port) {
  if (port == 22) return address;
  return fmt::format("[{}]:{}", address, port);
}

Result<std::string> host_key_algorithms(SshSession& s, const HostKeyPolicy& p) {
  std::string prefs;
  auto add = [&](const KeyType& k) {
    if (!prefs.empty()) prefs += ',';
    prefs += k.algorithms;
  };
  if (p.pinned) {
    auto pinned = parse_pinned(s, p);
    if (!pinned) return tl::unexpected(pinned.error());
    add(*pinned->type);
  } else {
    auto kh = load_known_hosts(s, p.known_hosts);
    if (!kh) return tl::unexpected(kh.error());
    const std::string name = known_hosts_name(p.address, p.port);
    static constexpr char k_probe[] = "picket-probe: not a key";
    for (const auto& k : k_key_types) {
      const int rc = libssh2_knownhost_checkp((*kh)->get(), name.c_str(), -1, k_probe,
                                              sizeof k_probe - 1,
                                              LIBSSH2_KNOWNHOST_TYPE_PLAIN |
                                                  LIBSSH2_KNOWNHOST_KEYENC_RAW | k.knownhost_type,
                                              nullptr);
      if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) add(k);
    }
    if (prefs.empty()) {
      // Unknown host: offer everything, best first, so accept-new records an ed25519 key.
      for (const auto& k : k_key_types) add(k);
    }
  }
  return prefs;
}

// The names of `prefs` (comma-separated) this libssh2 supports, in order. libssh2 1.10's
// method_pref drops an unknown name from the list with an overlapping memcpy (undefined
// behaviour, reported by ASan; upstream moved to memmove), so it is only ever given names
// from libssh2_session_supported_algs.
std::string supported_host_key_algorithms(SshSession& s, const std::string& prefs) {
  const char** algs = nullptr;
  const int n = libssh2_session_supported_algs(s.raw(), LIBSSH2_METHOD_HOSTKEY, &algs);
  std::set<std::string, std::less<>> supported;
  for (int i = 0; i < n; ++i) supported.insert(algs[i]);
  if (algs != nullptr) libssh2_free(s.raw(), static_cast<void*>(algs));
  std::string known;
  std::size_t start = 0;
  while (start <= prefs.size()) {
    const auto end = std::min(prefs.find(',', start), prefs.size());
    const std::string_view one = std::string_view(prefs).substr(start, end - start);
    if (supported.count(one) != 0) (known += known.empty() ? "" : ",") += one;
    start = end + 1;
  }
  return known;
}

Result<void> prefer_known_host_key_types(SshSession& s, const HostKeyPolicy& p) {
  auto algorithms = host_key_algorithms(s, p);
  if (!algorithms) return tl::unexpected(algorithms.error());
  const std::string known = supported_host_key_algorithms(s, *algorithms);
  if (known.empty() ||
      libssh2_session_method_pref(s.raw(), LIBSSH2_METHOD_HOSTKEY, known.c_str()) != 0)
    return tl::unexpected(s.error(
        Kind::failed,
        fmt::format("this libssh2 supports none of the host key types ({})", *algorithms)));
  return {};
}

Result<void> verify_host_key(SshSession& s, const HostKeyPolicy& p) {
  std::size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(s.raw(), &len, &type);
  if (key == nullptr) return tl::unexpected(s.error(Kind::failed, "the host sent no host key"));
  const std::string blob(key, len);
  const KeyType* kt = key_type_by_hostkey(type);
  if (kt == nullptr) return tl::unexpected(s.error(Kind::failed, "the host key has an unsupported type"));
  const std::string fp = sha256_fingerprint(blob);
  const std::string endpoint = fmt::format("{}:{}", p.address.find(':') != std::string::npos
                                                       ? "[" + p.address + "]"
                                                       : p.address,
                                           p.port);

  if (p.pinned) {
    auto pinned = parse_pinned(s, p);
    if (!pinned) return tl::unexpected(pinned.error());
    if (pinned->type == kt && pinned->blob == blob) return {};
    return tl::unexpected(TransportError{
        Kind::host_key_changed,
        fmt::format("host key of {} ({}) does not match its pinned host_key{}: the host offers {} "
                    "{}, the inventory pins {} {}: refusing; if the host was reinstalled, update "
                    "host_key",
                    p.host, endpoint, p.pinned_where.empty() ? "" : " (" + p.pinned_where + ")",
                    kt->name, fp, pinned->type->name, sha256_fingerprint(pinned->blob))});
  }

  auto kh = load_known_hosts(s, p.known_hosts);
  if (!kh) return tl::unexpected(kh.error());
  const std::string name = known_hosts_name(p.address, p.port);
  if (revoked_in_file(p.known_hosts, blob))
    return tl::unexpected(TransportError{
        Kind::host_key_changed,
        fmt::format("host key of {} ({}) is REVOKED: it offers {} {}, which {} marks @revoked: "
                    "refusing",
                    p.host, endpoint, kt->name, fp, p.known_hosts)});
  const int rc = libssh2_knownhost_checkp(
      (*kh)->get(), name.c_str(), -1, key, len,
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kt->knownhost_type, nullptr);
  switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH: return {};
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      return tl::unexpected(TransportError{
          Kind::host_key_changed,
          fmt::format("host key of {} ({}) CHANGED: it now offers {} {}, which differs from {} "
                      "in {}: refusing; if the host was reinstalled, remove its line from {} "
                      "(ssh-keygen -R '{}' -f {})",
                      p.host, endpoint, kt->name, fp, name, p.known_hosts, p.known_hosts, name,
                      p.known_hosts)});
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: {
      if (!p.accept_new)
        return tl::unexpected(TransportError{
            Kind::host_key_unknown,
            fmt::format("host key of {} ({}) is unknown: {} {} is not in {}: refusing; check the "
                        "fingerprint, then re-run with --accept-new to record it",
                        p.host, endpoint, kt->name, fp, p.known_hosts)});
      auto recorded = append_known_host(s, p.known_hosts,
                                        fmt::format("{} {} {}\n", name, kt->name, base64_encode(blob)));
      if (recorded && p.on_recorded)
        p.on_recorded(fmt::format("recorded the host key of {} ({}): {} {} in {}", p.host, endpoint,
                                  kt->name, fp, p.known_hosts));
      return recorded;
    }
    default:
      return tl::unexpected(s.error(Kind::failed, fmt::format("cannot check the host key against {}", p.known_hosts)));
  }
}

}  // namespace picket
