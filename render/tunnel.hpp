#pragma once
// WireGuard tunnel addresses: one per host that carries a vpn link, from vpn.subnet.

#include <map>
#include <string>
#include <vector>

#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

struct TunnelPlan {
  std::map<std::string, std::string> addresses;  // host -> IPv4 address in the subnet
  int prefix = 24;                               // the subnet's prefix length
  int port = 51820;                              // vpn.port
};

/// Hosts that need a tunnel: hosts of nodes at either end of an `over: vpn` link, and of
/// `with` nodes of partners peered over vpn, and of the signer of a validator whose host has a
/// tunnel; with a monitoring host, it and every host of a node. Sorted by name.
std::vector<std::string> tunnel_hosts(const Topology& topology);

/// Allocates each tunnel host its address from its own name and inventory pin only: the
/// host's `tunnel_address` when pinned, else the slot a hash of its name picks. Nothing is
/// ever shifted to make room, so renaming, adding or removing a host changes no other host's
/// address. `address` errors: two hosts on one address (naming both and a free address to
/// pin), a pin outside vpn.subnet or on its network, first host or broadcast address, a
/// subnet too small for the hosts (at vpn.subnet), a partner peer on a host's address;
/// `schema` when vpn links have no `vpn:` section. Colliding hosts still get their address
/// (the error stands), so later checks see every host.
TunnelPlan plan_tunnels(const Topology& topology, const Inventory& inventory, Diagnostics& out);

}  // namespace picket
