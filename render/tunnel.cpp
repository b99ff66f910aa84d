// Tunnel address allocation. A slot is picked by FNV-1a of the host name modulo the number
// of usable addresses (network and broadcast excluded; the first usable address is kept for
// partners' and operators' own use), then linear probing. Hosts are placed in name order so
// the result does not depend on file order.
#include "render/tunnel.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "topology/address.hpp"

namespace picket {

namespace {
std::uint32_t fnv1a(const std::string& s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}
// The IPv4 host of a partner peer's "a.b.c.d:port" ("" for anything else).
std::string ipv4_host(const std::string& address) {
  const auto colon = address.rfind(':');
  const std::string host = colon == std::string::npos ? address : address.substr(0, colon);
  return is_ipv4(host) ? host : std::string();
}

// A partner peer at an address picket gives one of our hosts would be two WireGuard peers
// claiming one AllowedIPs, and its p2p address would be our own host's.
void check_partner_addresses(const Topology& topology, const TunnelPlan& plan, Diagnostics& out) {
  std::map<std::string, std::string> owner;  // tunnel address -> host
  for (const auto& [host, address] : plan.addresses) owner.emplace(address, host);
  for (const auto& partner : topology.partners) {
    for (std::size_t i = 0; i < partner.peers.size(); ++i) {
      const auto& peer = partner.peers[i];
      const auto it = owner.find(ipv4_host(peer.address.value));
      if (it == owner.end()) continue;
      const std::string subject = partner.name.value + "/" + std::to_string(i + 1);
      add_error(out, "address", peer.address.loc,
                "partner peer " + subject + " at \"" + peer.address.value +
                    "\" has the tunnel address picket allocates from vpn.subnet to host \"" +
                    it->second + "\": two WireGuard peers would claim " + it->first +
                    "/32; give the partner an address outside vpn.subnet, or the subnet's first "
                    "host address, which picket never allocates",
                {subject, "host=" + it->second});
    }
  }
}
}  // namespace

std::vector<std::string> tunnel_hosts(const Topology& topology) {
  std::set<std::string> hosts;
  auto add = [&](const std::string& node_name) {
    if (const Node* n = topology.find_node(node_name)) hosts.insert(n->host.value);
  };
  for (const auto& link : topology.links) {
    if (link.over.value != LinkKind::vpn) continue;
    add(link.a.value);
    add(link.b.value);
  }
  for (const auto& partner : topology.partners) {
    if (partner.over.value != LinkKind::vpn) continue;
    for (const auto& w : partner.with) add(w.value);
  }
  // A signer reaches its validator's priv_validator_laddr over the tunnel when the
  // validator has one: the consensus-signing connection never crosses an open network.
  for (const auto& node : topology.nodes) {
    if (node.role.value != Role::validator || !node.signer) continue;
    if (hosts.count(node.host.value)) add(node.signer->value);
  }
  // The monitoring host scrapes every host over the mesh (node_exporter everywhere, CometBFT
  // where a node runs), so all of them, and it, get a tunnel address.
  if (topology.monitoring) {
    hosts.insert(topology.monitoring->host.value);
    for (const auto& node : topology.nodes) hosts.insert(node.host.value);
  }
  return {hosts.begin(), hosts.end()};
}

TunnelPlan plan_tunnels(const Topology& topology, Diagnostics& out) {
  TunnelPlan plan;
  const std::vector<std::string> hosts = tunnel_hosts(topology);
  if (hosts.empty()) return plan;
  if (!topology.vpn) {
    Location where = topology.nodes_loc;
    for (const auto& link : topology.links)
      if (link.over.value == LinkKind::vpn) {
        where = link.loc;
        break;
      }
    add_error(out, "schema", where,
              "links over vpn need a \"vpn:\" section with a subnet to allocate tunnel addresses from");
    return plan;
  }
  plan.port = topology.vpn->port.value;
  // The loader checked vpn.subnet (rule address): a topology with a bad one never renders.
  const auto subnet = parse_ipv4_subnet(topology.vpn->subnet.value);
  if (!subnet || subnet->prefix < k_min_tunnel_prefix || subnet->prefix > k_max_tunnel_prefix)
    return plan;
  plan.prefix = subnet->prefix;
  const std::uint32_t base = network_of(*subnet).address;
  const std::uint32_t size = 1u << (32 - plan.prefix);
  // Usable: base+2 .. base+size-2 (skip network, the first host address, broadcast).
  const std::uint32_t usable = size - 3;
  if (hosts.size() > usable) {
    add_error(out, "address", topology.vpn->subnet.loc,
              "vpn.subnet \"" + topology.vpn->subnet.value + "\" has room for " +
                  std::to_string(usable) + " tunnel addresses but " +
                  std::to_string(hosts.size()) + " hosts need one");
    return plan;
  }
  std::vector<bool> taken(usable, false);
  for (const auto& host : hosts) {
    std::uint32_t slot = fnv1a(host) % usable;
    while (taken[slot]) slot = (slot + 1) % usable;
    taken[slot] = true;
    plan.addresses.emplace(host, format_ipv4(base + 2 + slot));
  }
  check_partner_addresses(topology, plan, out);
  return plan;
}

}  // namespace picket
