#pragma once
// WireGuard tunnel addresses: one per host that carries a vpn link, from vpn.subnet.

#include <map>
#include <string>

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

/// Allocates addresses stably by host name: each host starts at a slot chosen by a hash of
/// its name and probes forward past taken slots, hosts taken in name order. Adding a host
/// leaves the others' addresses alone unless the new host's slot collides. A subnet too
/// small for the hosts is an `address` error at vpn.subnet (or at the first vpn link when
/// there is no `vpn:` section).
TunnelPlan plan_tunnels(const Topology& topology, Diagnostics& out);

}  // namespace picket
