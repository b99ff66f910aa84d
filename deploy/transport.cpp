#include "deploy/transport.hpp"

namespace picket {

const char* transport_error_kind_name(TransportError::Kind k) {
  using K = TransportError::Kind;
  switch (k) {
    case K::unreachable: return "unreachable";
    case K::refused: return "refused";
    case K::auth: return "auth";
    case K::host_key_unknown: return "host-key-unknown";
    case K::host_key_changed: return "host-key-changed";
    case K::timeout: return "timeout";
    case K::disk_full: return "disk-full";
    case K::permission_denied: return "permission-denied";
    case K::not_found: return "not-found";
    case K::locked: return "locked";
    case K::failed: return "failed";
  }
  return "failed";
}

}  // namespace picket

#include <random>

#include <fmt/format.h>

namespace picket {

std::string LockInfo::describe() const {
  std::string out = owner + " since " + since;
  if (alive) out += *alive ? ", still running on the host" : ", no longer running on the host";
  return out;
}

std::string new_lock_token() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", rd());
  return out;
}

std::string deploy_id(const std::string& token) { return token.substr(0, 12); }

}  // namespace picket
