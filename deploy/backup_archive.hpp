#pragma once
// The backup archive of `picket backup` / `picket restore`: files of every host and of the
// controller's secrets folder, sealed with libsodium's secretstream (XChaCha20-Poly1305) under
// a 32-byte key kept in a file picket never prints. Pure: bytes in, bytes out.
//
// Layout: the magic "PICKETBACKUP1\n", the 24-byte stream header, then records of a 4-byte
// little-endian length and that many sealed bytes: the manifest (JSON: format_version,
// created, and per file host, path, mode, size, sha256), one record per file in manifest
// order, and an empty record tagged FINAL. Any flipped, dropped, reordered, truncated or
// appended byte, or another key, fails authentication: nothing of such an archive is used.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace picket {

using BackupKey = std::array<unsigned char, 32>;

struct ArchiveEntry {
  std::string host;  // inventory host; "" for the controller's secrets folder
  std::string path;  // absolute path on the host as the topology names it (no `root:`), or
                     // the path relative to the secrets folder
  std::uint32_t mode = 0600;
  std::string content;
};

struct Archive {
  std::string created;  // ISO-8601 UTC
  std::vector<ArchiveEntry> entries;
};

/// A fresh random key.
BackupKey new_backup_key();
/// The key file's text (base64 and a newline), and back (nullopt: not a key file).
std::string backup_key_text(const BackupKey& key);
std::optional<BackupKey> parse_backup_key(const std::string& text);

/// The sealed archive.
std::string seal_archive(const Archive& archive, const BackupKey& key);
/// The archive, authenticated and checked whole (every sha256, the FINAL record, nothing
/// after it). Error: one line saying what is wrong, never any content.
tl::expected<Archive, std::string> open_archive(const std::string& sealed, const BackupKey& key);

/// A signing state file (CometBFT's priv_validator_state.json, tmkms's state files, horcrux's
/// sign state): picket never reads one into a backup and never restores one. Restoring an
/// older one lets the validator sign a height twice.
bool is_signing_state(const std::string& path);
/// Key material: node_key.json, a WireGuard configuration (it holds the private key), a
/// tmkms or horcrux key or secret file, anything from the secrets folder.
bool is_key_material(const ArchiveEntry& entry);

}  // namespace picket
