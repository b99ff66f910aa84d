#include "render/neighbours.hpp"

#include <set>

#include "topology/effective.hpp"

namespace picket {

std::string node_id_of(const Node& node, const Secrets& secrets) {
  if (node.node_id) return node.node_id->value;
  auto it = secrets.node_keys.find(node.name.value);
  return it == secrets.node_keys.end() ? std::string() : node_id(it->second);
}

namespace {
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
}  // namespace

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

std::vector<Neighbour> neighbours(const Topology& topology, const Inventory& inventory,
                                  const TunnelPlan& tunnels, const Secrets& secrets,
                                  const Node& node) {
  std::vector<Neighbour> out;
  // Links: the vpn one wins when a pair is linked more than once.
  std::vector<std::pair<const Node*, LinkKind>> peers;
  for (const auto& link : topology.links) {
    const std::string* other = nullptr;
    if (link.a.value == node.name.value) other = &link.b.value;
    else if (link.b.value == node.name.value) other = &link.a.value;
    if (other == nullptr) continue;
    const Node* peer = topology.find_node(*other);
    if (peer == nullptr) continue;
    bool merged = false;
    for (auto& p : peers)
      if (p.first == peer) {
        if (link.over.value == LinkKind::vpn) p.second = LinkKind::vpn;
        merged = true;
      }
    if (!merged) peers.emplace_back(peer, link.over.value);
  }
  for (const auto& [peer, over] : peers) {
    Neighbour n;
    n.name = peer->name.value;
    n.over = over;
    const Host* host = inventory.find_host(peer->host.value);
    if (over == LinkKind::vpn) {
      auto it = tunnels.addresses.find(peer->host.value);
      n.dial_host = it == tunnels.addresses.end() ? std::string() : it->second;
    } else if (host != nullptr) {
      n.dial_host = host->address.value;
    }
    n.source_ip = n.dial_host;
    n.port = effective_p2p_port(topology, *peer);
    n.node_id = node_id_of(*peer, secrets);
    out.push_back(std::move(n));
  }
  // Partner peers, for the nodes named in a partner's `with`.
  for (const auto& partner : topology.partners) {
    bool with = false;
    for (const auto& w : partner.with) with = with || w.value == node.name.value;
    if (!with) continue;
    for (std::size_t i = 0; i < partner.peers.size(); ++i) out.push_back(partner_neighbour(partner, i));
  }
  return out;
}

}  // namespace picket
