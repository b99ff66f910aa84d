#include "deploy/backup_archive.hpp"

#include <sodium.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "render/manifest.hpp"
#include "util/base64.hpp"

namespace picket {

namespace {

constexpr std::string_view k_magic = "PICKETBACKUP1\n";
constexpr std::size_t k_header = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t k_overhead = crypto_secretstream_xchacha20poly1305_ABYTES;
// A record larger than this is not one picket wrote (config files are kilobytes).
constexpr std::uint32_t k_max_record = 256u * 1024u * 1024u;

void ensure_sodium() {
  static const int ready = sodium_init();
  (void)ready;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

class Sealer {
 public:
  Sealer(const BackupKey& key, std::string& out) : m_out(out) {
    unsigned char header[k_header];
    crypto_secretstream_xchacha20poly1305_init_push(&m_state, header, key.data());
    m_out.append(reinterpret_cast<const char*>(header), k_header);
  }
  void push(const std::string& plain, unsigned char tag, std::string_view ad = {}) {
    std::string sealed(plain.size() + k_overhead, '\0');
    unsigned long long len = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &m_state, reinterpret_cast<unsigned char*>(sealed.data()), &len,
        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), tag);
    put_u32(m_out, static_cast<std::uint32_t>(len));
    m_out.append(sealed.data(), static_cast<std::size_t>(len));
  }

 private:
  crypto_secretstream_xchacha20poly1305_state m_state{};
  std::string& m_out;
};

class Opener {
 public:
  Opener(const std::string& in) : m_in(in) {}
  tl::expected<void, std::string> start(const BackupKey& key) {
    if (m_in.compare(0, k_magic.size(), k_magic) != 0)
      return tl::make_unexpected(std::string("not a picket backup archive"));
    m_at = k_magic.size();
    if (m_in.size() < m_at + k_header) return tl::make_unexpected(std::string("the archive is truncated"));
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            &m_state, reinterpret_cast<const unsigned char*>(m_in.data() + m_at), key.data()) != 0)
      return tl::make_unexpected(std::string("the archive's header is damaged"));
    m_at += k_header;
    return {};
  }
  // The next record's plain text and tag; an error names the record.
  tl::expected<std::pair<std::string, unsigned char>, std::string> next(std::size_t index, std::string_view ad = {}) {
    if (m_in.size() - m_at < 4) return tl::make_unexpected("the archive is truncated at record " + std::to_string(index));
    std::uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= static_cast<std::uint32_t>(static_cast<unsigned char>(m_in[m_at + i])) << (8 * i);
    m_at += 4;
    if (len < k_overhead || len > k_max_record || m_in.size() - m_at < len)
      return tl::make_unexpected("the archive is truncated or damaged at record " + std::to_string(index));
    std::string plain(len - k_overhead, '\0');
    unsigned long long plain_len = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &m_state, reinterpret_cast<unsigned char*>(plain.data()), &plain_len, &tag,
            reinterpret_cast<const unsigned char*>(m_in.data() + m_at), len,
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size()) != 0)
      return tl::make_unexpected("record " + std::to_string(index) +
                                 " fails authentication: the archive was altered, or the key is not the one it was made with");
    m_at += len;
    plain.resize(static_cast<std::size_t>(plain_len));
    return std::make_pair(std::move(plain), tag);
  }
  bool at_end() const { return m_at == m_in.size(); }

 private:
  const std::string& m_in;
  std::size_t m_at = 0;
  crypto_secretstream_xchacha20poly1305_state m_state{};
};

}  // namespace

BackupKey new_backup_key() {
  ensure_sodium();
  BackupKey key{};
  crypto_secretstream_xchacha20poly1305_keygen(key.data());
  return key;
}

std::string backup_key_text(const BackupKey& key) {
  return base64_encode({reinterpret_cast<const char*>(key.data()), key.size()}) + "\n";
}

std::optional<BackupKey> parse_backup_key(const std::string& text) {
  ensure_sodium();
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
    trimmed.pop_back();
  const auto bytes = base64_decode(trimmed);
  if (!bytes || bytes->size() != BackupKey{}.size()) return std::nullopt;
  BackupKey key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

std::string seal_archive(const Archive& archive, const BackupKey& key) {
  ensure_sodium();
  nlohmann::ordered_json manifest;
  manifest["format_version"] = 1;
  manifest["created"] = archive.created;
  manifest["files"] = nlohmann::ordered_json::array();
  for (const ArchiveEntry& e : archive.entries)
    manifest["files"].push_back({{"host", e.host}, {"path", e.path}, {"mode", e.mode},
                                 {"size", e.content.size()}, {"sha256", sha256_hex(e.content)}});
  std::string out(k_magic);
  Sealer sealer(key, out);
  // The magic is bound to the first record: an archive relabelled as another format fails.
  sealer.push(manifest.dump(), crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, k_magic);
  for (const ArchiveEntry& e : archive.entries)
    sealer.push(e.content, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  sealer.push("", crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  return out;
}

tl::expected<Archive, std::string> open_archive(const std::string& sealed, const BackupKey& key) {
  ensure_sodium();
  Opener in(sealed);
  if (auto started = in.start(key); !started) return tl::make_unexpected(started.error());
  auto first = in.next(0, k_magic);
  if (!first) return tl::make_unexpected(first.error());
  const nlohmann::json manifest = nlohmann::json::parse(first->first, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || manifest.value("format_version", 0) != 1 ||
      !manifest.contains("files") || !manifest["files"].is_array())
    return tl::make_unexpected(std::string("the archive's manifest is not one this picket reads"));
  Archive archive;
  archive.created = manifest.value("created", "");
  std::size_t index = 1;
  for (const auto& f : manifest["files"]) {
    if (!f.is_object() || !f.contains("host") || !f["host"].is_string() || !f.contains("path") ||
        !f["path"].is_string() || !f.contains("mode") || !f["mode"].is_number_unsigned() ||
        !f.contains("sha256") || !f["sha256"].is_string())
      return tl::make_unexpected("the archive's manifest entry " + std::to_string(index) + " is malformed");
    auto record = in.next(index);
    if (!record) return tl::make_unexpected(record.error());
    ArchiveEntry e;
    e.host = f["host"].get<std::string>();
    e.path = f["path"].get<std::string>();
    e.mode = f["mode"].get<std::uint32_t>() & 07777u;
    e.content = std::move(record->first);
    if (sha256_hex(e.content) != f["sha256"].get<std::string>())
      return tl::make_unexpected("the checksum of " + (e.host.empty() ? std::string("the secrets folder's ") : e.host + ":") +
                                 e.path + " does not match the manifest");
    archive.entries.push_back(std::move(e));
    ++index;
  }
  auto last = in.next(index);
  if (!last) return tl::make_unexpected(last.error());
  if (last->second != crypto_secretstream_xchacha20poly1305_TAG_FINAL || !last->first.empty() || !in.at_end())
    return tl::make_unexpected(std::string("the archive does not end where it was sealed: it was truncated or extended"));
  return archive;
}

bool is_signing_state(const std::string& path) {
  const std::string name = base_name(path);
  if (name == "priv_validator_state.json") return true;
  if (ends_with(name, "_sign_state.json") || name == "sign_state.json") return true;  // horcrux
  // tmkms keeps its state in <home>/state/<chain>-consensus.json (its `state_file`).
  return path.find("/state/") != std::string::npos && ends_with(name, ".json");
}

bool is_key_material(const ArchiveEntry& entry) {
  if (entry.host.empty()) return true;  // the secrets folder
  const std::string name = base_name(entry.path);
  return name == "node_key.json" || ends_with(entry.path, "/wireguard/picket.conf") ||
         ends_with(name, "_shard.json") || name == "ecies_keys.json" ||  // horcrux
         ends_with(name, ".key") || entry.path.find("/secrets/") != std::string::npos;
}

}  // namespace picket
