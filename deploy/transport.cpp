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
