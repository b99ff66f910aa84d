#pragma once
// Base64 (RFC 4648, standard alphabet) for host keys and SHA256 fingerprints.

#include <optional>
#include <string>
#include <string_view>

namespace picket {

/// Encodes bytes; `pad` false drops the trailing '=' like OpenSSH's SHA256:… fingerprints.
std::string base64_encode(std::string_view bytes, bool pad = true);
/// Decodes base64 (padding optional, no whitespace); nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace picket
