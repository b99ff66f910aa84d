#include "render/file_set.hpp"

#include <algorithm>
#include <tuple>

namespace picket {

const char* apply_action_name(ApplyAction a) {
  switch (a) {
    case ApplyAction::restart_node: return "restart-node";
    case ApplyAction::reload_vpn: return "reload-vpn";
    case ApplyAction::reload_firewall: return "reload-firewall";
    case ApplyAction::restart_signer: return "restart-signer";
    case ApplyAction::reload_monitoring: return "reload-monitoring";
    case ApplyAction::reload_units: return "reload-units";
    case ApplyAction::none: return "none";
  }
  return "none";
}

void sort_files(FileSet& files) {
  std::sort(files.begin(), files.end(), [](const RenderedFile& a, const RenderedFile& b) {
    return std::tie(a.host, a.path) < std::tie(b.host, b.path);
  });
}

}  // namespace picket
