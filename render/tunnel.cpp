// Tunnel address allocation. A slot is picked by FNV-1a of the host name modulo the number
// of usable addresses (network and broadcast excluded; the first usable address is kept for
// partners' and operators' own use), then linear probing. Hosts are placed in name order so
// the result does not depend on file order.
#include "render/tunnel.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>

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

bool parse_cidr(const std::string& text, std::uint32_t& base, int& prefix) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  std::uint32_t addr = 0;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned octet = 0;
    const char* begin = text.data() + pos;
    const char* end = text.data() + slash;
    auto [p, ec] = std::from_chars(begin, end, octet);
    if (ec != std::errc() || octet > 255) return false;
    addr = (addr << 8) | octet;
    pos = static_cast<std::size_t>(p - text.data());
    if (i < 3) {
      if (pos >= slash || text[pos] != '.') return false;
      ++pos;
    }
  }
  if (pos != slash) return false;
  auto [p, ec] = std::from_chars(text.data() + slash + 1, text.data() + text.size(), prefix);
  if (ec != std::errc() || p != text.data() + text.size() || prefix < 8 || prefix > 30)
    return false;
  base = addr;
  return true;
}

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
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
  std::uint32_t base = 0;
  if (!parse_cidr(topology.vpn->subnet.value, base, plan.prefix)) {
    add_error(out, "address", topology.vpn->subnet.loc,
              "vpn.subnet \"" + topology.vpn->subnet.value + "\" is not an IPv4 subnet with a prefix between /8 and /30");
    return plan;
  }
  const std::uint32_t size = 1u << (32 - plan.prefix);
  const std::uint32_t mask = ~(size - 1);
  base &= mask;
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
  return plan;
}

}  // namespace picket
