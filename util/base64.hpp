#pragma once
// Base64 (RFC 4648 §4, standard alphabet) through libsodium, for WireGuard keys, node keys,
// SSH host keys and OpenSSH's SHA256 fingerprints.

#include <optional>
#include <string>
#include <string_view>

namespace picket {

/// Encodes bytes; `pad` false drops the trailing '=' like OpenSSH's `SHA256:…` fingerprints.
std::string base64_encode(std::string_view bytes, bool pad = true);
/// Decodes canonical padded base64 that fills all of `text` (no whitespace, the bits past the
/// data zero; "" is the empty string); nullopt when it is not that.
std::optional<std::string> base64_decode(std::string_view text);
/// OpenSSH's fingerprint of a key blob: "SHA256:" and the unpadded base64 of its SHA-256.
std::string sha256_fingerprint(std::string_view blob);

}  // namespace picket
