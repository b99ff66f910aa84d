#include "render/neighbours.hpp"

#include "topology/effective.hpp"
#include "util/text.hpp"

namespace picket {

std::string node_id_of(const Node& node, const Secrets& secrets) {
  if (node.node_id) return node.node_id->value;
  auto it = secrets.node_keys.find(node.name.value);
  return it == secrets.node_keys.end() ? std::string() : node_id(it->second);
}

// Splits "host:port" / "[v6]:port"; the port part is left as is when malformed.
std::pair<std::string, int> split_host_port(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return {address, 0};
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    port = 0;
  }
  return {host, port};
}

Neighbour partner_neighbour(const Partner& partner, std::size_t index) {
  const PartnerPeer& peer = partner.peers[index];
  Neighbour n;
  n.name = partner.name.value + "/" + std::to_string(index + 1);
  n.partner = partner.name.value;
  n.over = partner.over.value;
  auto [host, port] = split_host_port(peer.address.value);
  n.dial_host = host;
  n.port = port;
  n.source_ip = host;
  n.node_id = peer.id.value;
  return n;
}

std::vector<std::string> node_ids_of(const Topology& topology, const Secrets& secrets) {
  std::vector<std::string> ids;
  ids.reserve(topology.nodes.size());
  for (const Node& node : topology.nodes) ids.push_back(node_id_of(node, secrets));
  return ids;
}

std::vector<Neighbour> neighbours(const PeeringIndex& peering, const Inventory& inventory,
                                  const TunnelPlan& tunnels,
                                  const std::vector<std::string>& node_ids, const Node& node) {
  std::vector<Neighbour> out;
  const auto self = peering.index_of(node);
  if (!self) return out;
  const Topology& topology = peering.topology();
  for (const LinkPeer& link_peer : peering.link_peers(*self)) {
    const Node& peer = topology.nodes[link_peer.node];
    Neighbour n;
    n.name = peer.name.value;
    n.over = link_peer.over;
    if (n.over == LinkKind::vpn) {
      auto it = tunnels.addresses.find(peer.host.value);
      if (it != tunnels.addresses.end()) n.dial_host = it->second;
    } else if (const Host* host = inventory.find_host(peer.host.value)) {
      n.dial_host = host->address.value;
    }
    n.source_ip = n.dial_host;
    n.port = effective_p2p_port(topology, peer);
    n.node_id = node_ids[link_peer.node];
    out.push_back(std::move(n));
  }
  for (std::size_t p : peering.partners_of(*self)) {
    const Partner& partner = topology.partners[p];
    for (std::size_t i = 0; i < partner.peers.size(); ++i) out.push_back(partner_neighbour(partner, i));
  }
  return out;
}

std::map<std::string, std::vector<OwnPeer>> own_peers(const PeeringIndex& peering,
                                                      const std::vector<std::string>& ids) {
  const Topology& topology = peering.topology();
  std::map<std::string, std::vector<OwnPeer>> out;
  for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
    const Node& node = topology.nodes[i];
    if (node.role.value == Role::signer) continue;
    auto& list = out[node.name.value];
    const auto self = peering.index_of(node);
    if (!self) continue;
    for (const LinkPeer& link_peer : peering.link_peers(*self)) {
      const Node& peer = topology.nodes[link_peer.node];
      if (peer.role.value == Role::signer) continue;
      list.push_back({peer.name.value, lower(ids[link_peer.node])});
    }
  }
  return out;
}

}  // namespace picket
