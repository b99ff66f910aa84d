// Tunnel address allocation. A host's address is a function of the host alone: its
// inventory `tunnel_address` when pinned, else the slot FNV-1a of its name picks modulo the
// number of usable addresses (network and broadcast excluded; the first host address is kept
// for partners' and operators' own use). There is no probing: a host that took the next free
// slot on a collision would hold an address that depends on which other hosts exist, and
// renaming one host could move another (and rewrite every peer list naming it). Two hosts on
// one slot are an `address` error instead, naming both and a free address to pin; with a /24
// and 10 hosts the chance of any collision is about 16%, with a /16 under 0.1%.
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
void check_partner_addresses(const Topology& topology, const TunnelPlan& plan,
                             const std::set<std::string>& pinned, Diagnostics& out) {
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
                    (pinned.contains(it->second)
                         ? "\" has the tunnel address pinned for host \""
                         : "\" has the tunnel address picket allocates from vpn.subnet to host \"") +
                    it->second + "\": two WireGuard peers would claim " + it->first +
                    "/32; give the partner an address outside vpn.subnet, or the subnet's first "
                    "host address, which picket never allocates",
                {subject, "host=" + it->second});
    }
  }
}

// The IPv4 addresses of partner peers (a partner's tunnel address may lie in vpn.subnet).
std::set<std::uint32_t> partner_ipv4s(const Topology& topology) {
  std::set<std::uint32_t> out;
  for (const auto& partner : topology.partners)
    for (const auto& peer : partner.peers)
      if (auto v = ipv4_value(ipv4_host(peer.address.value))) out.insert(*v);
  return out;
}

// Whether a pin can be a tunnel address of `subnet`; an `address` error at the pin if not.
bool check_pin(const Host& host, const Vpn& vpn, std::uint32_t base, std::uint32_t size,
               Diagnostics& out) {
  const Located<std::string>& pin = *host.tunnel_address;
  const std::uint32_t v = *ipv4_value(pin.value);  // the loader checked its form
  std::string why;
  if (v - base >= size)
    why = "lies outside vpn.subnet \"" + vpn.subnet.value + "\"";
  else if (v == base)
    why = "is the network address of vpn.subnet \"" + vpn.subnet.value + "\"";
  else if (v == base + 1)
    why = "is the first host address of vpn.subnet, which picket keeps for partners and the "
          "operator's own use";
  else if (v == base + size - 1)
    why = "is the broadcast address of vpn.subnet \"" + vpn.subnet.value + "\"";
  if (why.empty()) return true;
  add_error(out, "address", pin.loc,
            "tunnel_address \"" + pin.value + "\" of host \"" + host.name.value + "\" " + why +
                "; pin an address from " + format_ipv4(base + 2) + " to " +
                format_ipv4(base + size - 2),
            {"host=" + host.name.value, "vpn"});
  return false;
}

// One host's claim on a slot.
struct Claim {
  std::string host;
  const Host* inventory = nullptr;  // nullptr when the inventory lacks it (a reference error)
  bool pinned = false;
};

// Slots that are free for a pin: claimed by no host, not a partner's address, not suggested
// already. Searched forward from `from`, so the suggestion sits near the collision.
std::uint32_t free_slot(std::uint32_t from, std::uint32_t usable,
                        const std::map<std::uint32_t, std::vector<Claim>>& claims,
                        const std::set<std::uint32_t>& blocked) {
  for (std::uint32_t i = 1; i < usable; ++i) {
    const std::uint32_t slot = (from + i) % usable;
    if (!claims.contains(slot) && !blocked.contains(slot)) return slot;
  }
  return usable;  // none: the size check has already refused the subnet
}

// A second host on one address: an error at the later host (its pin, or its name), naming
// both and, for a host without a pin, a free address to pin.
void report_collisions(const std::map<std::uint32_t, std::vector<Claim>>& claims,
                       std::set<std::uint32_t> blocked, const Vpn& vpn, std::uint32_t base,
                       std::uint32_t usable, Diagnostics& out) {
  for (const auto& [slot, list] : claims) {
    if (list.size() < 2) continue;
    const std::string address = format_ipv4(base + 2 + slot);
    const Claim& keeper = list.front();  // pinned first, then by name
    for (std::size_t i = 1; i < list.size(); ++i) {
      const Claim& c = list[i];
      if (c.inventory == nullptr) continue;
      const std::vector<std::string> subjects{"host=" + keeper.host, "host=" + c.host};
      if (c.pinned) {
        add_error(out, "address", c.inventory->tunnel_address->loc,
                  "hosts \"" + keeper.host + "\" and \"" + c.host +
                      "\" are both pinned to tunnel address " + address +
                      "; give each its own tunnel_address",
                  subjects);
        continue;
      }
      const std::uint32_t free = free_slot(slot, usable, claims, blocked);
      blocked.insert(free);
      const std::string suggestion =
          free < usable ? "; pin one of them to a free address, e.g. `tunnel_address: " +
                              format_ipv4(base + 2 + free) + "` on host \"" + c.host + "\""
                        : "";
      const std::string keeper_how =
          keeper.pinned ? "\" is pinned to it" : "\" by the hash of its name too";
      add_error(out, "address", c.inventory->name.loc,
                "host \"" + c.host + "\" gets tunnel address " + address +
                    " by the hash of its name, and host \"" + keeper.host + keeper_how +
                    ": picket never moves a host to another address to make room (its address "
                    "would then depend on other hosts)" +
                    suggestion + " (a larger vpn.subnet than \"" + vpn.subnet.value +
                    "\" makes such collisions rarer)",
                  subjects);
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
    if (!hosts.count(node.host.value)) continue;
    if (const Node* signer = topology.find_node(node.signer->value))
      for (const Node* process : signer_processes(topology, *signer)) add(process->name.value);
  }
  // The monitoring host scrapes every host over the mesh (node_exporter everywhere, CometBFT
  // where a node runs), so all of them, and it, get a tunnel address.
  if (topology.monitoring) {
    hosts.insert(topology.monitoring->host.value);
    for (const auto& node : topology.nodes)
      if (!node.host.value.empty()) hosts.insert(node.host.value);
  }
  return {hosts.begin(), hosts.end()};
}

TunnelPlan plan_tunnels(const Topology& topology, const Inventory& inventory, Diagnostics& out) {
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
  const Vpn& vpn = *topology.vpn;
  plan.port = vpn.port.value;
  // The loader checked vpn.subnet (rule address): a topology with a bad one never renders.
  const auto subnet = parse_ipv4_subnet(vpn.subnet.value);
  if (!subnet || subnet->prefix < k_min_tunnel_prefix || subnet->prefix > k_max_tunnel_prefix)
    return plan;
  plan.prefix = subnet->prefix;
  const std::uint32_t base = network_of(*subnet).address;
  const std::uint32_t size = 1u << (32 - plan.prefix);
  // Usable: base+2 .. base+size-2 (skip network, the first host address, broadcast).
  const std::uint32_t usable = size - 3;
  if (hosts.size() > usable) {
    add_error(out, "address", vpn.subnet.loc,
              "vpn.subnet \"" + vpn.subnet.value + "\" has room for " +
                  std::to_string(usable) + " tunnel addresses but " +
                  std::to_string(hosts.size()) + " hosts need one");
    return plan;
  }
  // Every pin is checked, also on a host that has no tunnel (yet): it is the operator's
  // statement of where the host belongs.
  std::set<std::string> bad_pins;
  for (const Host& h : inventory.hosts)
    if (h.tunnel_address && !check_pin(h, vpn, base, size, out)) bad_pins.insert(h.name.value);

  std::map<std::uint32_t, std::vector<Claim>> claims;  // slot -> hosts on it
  std::set<std::string> pinned;
  for (const auto& name : hosts) {
    const Host* h = inventory.find_host(name);
    std::uint32_t slot = fnv1a(name) % usable;
    if (bad_pins.contains(name)) {  // refused already; an address keeps later checks whole
      plan.addresses.emplace(name, format_ipv4(base + 2 + slot));
      continue;
    }
    const bool pin = h != nullptr && h->tunnel_address;
    if (pin) {
      slot = *ipv4_value(h->tunnel_address->value) - base - 2;
      pinned.insert(name);
    }
    claims[slot].push_back({name, h, pin});
    plan.addresses.emplace(name, format_ipv4(base + 2 + slot));
  }
  for (auto& [slot, list] : claims)
    std::stable_sort(list.begin(), list.end(),
                     [](const Claim& a, const Claim& b) { return a.pinned && !b.pinned; });
  std::set<std::uint32_t> blocked;  // partners' addresses inside the subnet
  for (std::uint32_t v : partner_ipv4s(topology))
    if (v - base - 2 < usable) blocked.insert(v - base - 2);
  report_collisions(claims, std::move(blocked), vpn, base, usable, out);
  check_partner_addresses(topology, plan, pinned, out);
  return plan;
}

}  // namespace picket
