// Public key authentication. The key type of an identity file is read from the file itself
// (the public half of an OpenSSH-format key is stored unencrypted) so that an RSA key gets a
// message that says what to do instead of libssh2's "authentication failed".

#include "deploy/ssh/ssh_auth.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <libssh2.h>

#include "util/base64.hpp"

namespace picket {

namespace {

using Kind = TransportError::Kind;

std::string home_dir() {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* out = nullptr;
  if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &out) == 0 && out != nullptr &&
      out->pw_dir != nullptr)
    return out->pw_dir;
  return "/";
}

struct KeyFileInfo {
  std::string type;  // "ssh-ed25519", "ssh-rsa", … or "" when unknown
  bool encrypted = false;
};

// Reads an SSH string (uint32 length + bytes) at `pos`.
bool read_ssh_string(const std::string& data, std::size_t& pos, std::string& out) {
  if (pos + 4 > data.size()) return false;
  const std::uint32_t len = (std::uint32_t{static_cast<unsigned char>(data[pos])} << 24) |
                            (std::uint32_t{static_cast<unsigned char>(data[pos + 1])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(data[pos + 2])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(data[pos + 3])};
  pos += 4;
  if (len > data.size() - pos) return false;
  out = data.substr(pos, len);
  pos += len;
  return true;
}

// The key type of a private key file, from its PEM header or its OpenSSH envelope.
KeyFileInfo key_file_info(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  KeyFileInfo info;
  if (text.find("-----BEGIN RSA PRIVATE KEY-----") != std::string::npos) {
    info.type = "ssh-rsa";
    info.encrypted = text.find("ENCRYPTED") != std::string::npos;
    return info;
  }
  static constexpr std::string_view k_begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
  static constexpr std::string_view k_end = "-----END OPENSSH PRIVATE KEY-----";
  const auto b = text.find(k_begin);
  const auto e = text.find(k_end);
  if (b == std::string::npos || e == std::string::npos || e < b) return info;
  std::string body;
  for (std::size_t i = b + k_begin.size(); i < e; ++i)
    if (text[i] != '\n' && text[i] != '\r' && text[i] != ' ') body += text[i];
  const auto raw = base64_decode(body);
  static constexpr std::string_view k_magic{"openssh-key-v1\0", 15};
  if (!raw || raw->compare(0, k_magic.size(), k_magic) != 0) return info;
  std::size_t pos = k_magic.size();
  std::string cipher, kdf, kdf_options, public_key, type;
  if (!read_ssh_string(*raw, pos, cipher) || !read_ssh_string(*raw, pos, kdf) ||
      !read_ssh_string(*raw, pos, kdf_options) || pos + 4 > raw->size())
    return info;
  pos += 4;  // number of keys
  std::size_t inner = 0;
  if (!read_ssh_string(*raw, pos, public_key) || !read_ssh_string(public_key, inner, type)) return info;
  info.type = type;
  info.encrypted = cipher != "none";
  return info;
}

std::string rsa_refusal(const std::string& what) {
  return fmt::format("{} is an RSA key: libssh2 1.10 can only sign with ssh-rsa (SHA-1), which "
                     "OpenSSH 8.8 and later refuse; use an ed25519 key (ssh-keygen -t ed25519) "
                     "and authorize it on the host",
                     what);
}

bool is_connection_error(int rc) {
  return rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_SEND ||
         rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
         rc == LIBSSH2_ERROR_BAD_SOCKET;
}

// Tries every agent identity. true: authenticated. Appends what it tried to `tried`.
Result<bool> try_agent(SshSession& s, const std::string& user, std::vector<std::string>& tried) {
  LIBSSH2_AGENT* agent = libssh2_agent_init(s.raw());
  if (agent == nullptr) return false;
  struct Free {
    LIBSSH2_AGENT* a;
    ~Free() {
      libssh2_agent_disconnect(a);
      libssh2_agent_free(a);
    }
  } free_agent{agent};
  // libssh2 reads SSH_AUTH_SOCK itself: no agent configured means connect fails.
  if (libssh2_agent_connect(agent) != 0) return false;
  if (libssh2_agent_list_identities(agent) != 0) {
    tried.push_back("ssh-agent (cannot list its keys)");
    return false;
  }
  libssh2_agent_publickey* id = nullptr;
  libssh2_agent_publickey* prev = nullptr;
  int count = 0, rsa = 0;
  while (libssh2_agent_get_identity(agent, &id, prev) == 0) {
    prev = id;
    std::size_t pos = 0;
    std::string type;
    const std::string blob(reinterpret_cast<const char*>(id->blob), id->blob_len);
    if (read_ssh_string(blob, pos, type) && type == "ssh-rsa") {
      ++rsa;  // would be rejected by OpenSSH >= 8.8 anyway (see rsa_refusal)
      continue;
    }
    ++count;
    const int rc = s.retry([&] { return libssh2_agent_userauth(agent, user.c_str(), id); });
    if (rc == 0) return true;
    if (is_connection_error(rc)) return tl::unexpected(s.error(rc, "authentication"));
  }
  if (count + rsa > 0)
    tried.push_back(fmt::format("ssh-agent ({} key{} rejected{})", count, count == 1 ? "" : "s",
                                rsa > 0 ? fmt::format(", {} RSA key{} skipped", rsa, rsa == 1 ? "" : "s") : ""));
  return false;
}

}  // namespace

std::string expand_home(const std::string& path) {
  if (path == "~") return home_dir();
  if (path.rfind("~/", 0) == 0) return home_dir() + path.substr(1);
  return path;
}

Result<void> authenticate(SshSession& s, const std::string& user,
                          const std::optional<std::string>& identity, const std::string& passphrase) {
  std::vector<std::string> tried;
  auto agent = try_agent(s, user, tried);
  if (!agent) return tl::unexpected(agent.error());
  if (*agent) return {};

  std::vector<std::string> files;
  if (identity) {
    files.push_back(expand_home(*identity));
  } else {
    for (const char* f : {"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa"}) {
      struct stat st {};
      if (::stat(expand_home(f).c_str(), &st) == 0) files.push_back(expand_home(f));
    }
  }
  for (const auto& file : files) {
    if (::access(file.c_str(), R_OK) != 0)
      return tl::unexpected(s.error(Kind::auth, fmt::format("identity {}: {}", file, std::strerror(errno))));
    const KeyFileInfo info = key_file_info(file);
    if (info.type == "ssh-rsa") return tl::unexpected(s.error(Kind::auth, rsa_refusal("identity " + file)));
    // The public key is derived from the private one: a stale .pub beside it cannot mislead.
    const int rc = s.retry([&] {
      return libssh2_userauth_publickey_fromfile_ex(s.raw(), user.c_str(),
                                                    static_cast<unsigned int>(user.size()), nullptr,
                                                    file.c_str(), passphrase.c_str());
    });
    if (rc == 0) return {};
    if (is_connection_error(rc)) return tl::unexpected(s.error(rc, "authentication"));
    if (rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED) {
      if (info.encrypted)
        return tl::unexpected(s.error(
            Kind::auth, fmt::format("identity {} is encrypted and the passphrase is {}", file,
                                    passphrase.empty() ? "missing" : "wrong")));
      return tl::unexpected(s.error(
          Kind::auth, fmt::format("identity {}: libssh2 1.10 cannot read this key file (use an "
                                  "ed25519 key in OpenSSH format)",
                                  file)));
    }
    tried.push_back(fmt::format("{} (rejected)", file));
  }
  if (tried.empty())
    return tl::unexpected(s.error(Kind::auth, fmt::format("no key to log in as {}: no ssh-agent and "
                                                          "no identity (set `identity:` in the inventory)",
                                                          user)));
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
  return tl::unexpected(
      s.error(Kind::auth, fmt::format("the host accepted none of our keys for user {}: tried {}", user, list)));
}

}  // namespace picket
