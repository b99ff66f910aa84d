#pragma once
// The keys render needs, as loaded by the CLI from the secrets directory.

#include <map>
#include <string>

#include "render/keys.hpp"

namespace picket {

struct Secrets {
  std::map<std::string, NodeKey> node_keys;      // node name -> key (managed nodes only)
  std::map<std::string, WireguardKey> wireguard;  // host name -> key (hosts with a vpn link)
};

}  // namespace picket
