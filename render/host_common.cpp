// Shared helpers of the host-level renderers. The index is built once per renderer from a
// single pass over nodes, links and partners; every later lookup is a map find.
#include "render/host_common.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

namespace picket {

AddressFamily address_family(const std::string& address) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, address.c_str(), buf) == 1) return AddressFamily::ipv4;
  if (inet_pton(AF_INET6, address.c_str(), buf) == 1) return AddressFamily::ipv6;
  return AddressFamily::name;
}

std::string endpoint_host(const std::string& endpoint) {
  if (!endpoint.empty() && endpoint.front() == '[') {
    const auto close = endpoint.find(']');
    if (close != std::string::npos) return endpoint.substr(1, close - 1);
  }
  // A bare IPv6 address has several colons and no port to split off.
  if (address_family(endpoint) == AddressFamily::ipv6) return endpoint;
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

namespace {
// Appends fill_template's text for each item; false after a template error.
bool fill_one_by_one(const TemplateSet& templates, const std::string& name,
                     const std::vector<TemplateValue>& items, std::vector<std::string>& texts,
                     Diagnostics& out) {
  for (const auto& item : items) {
    auto text = fill_template(templates, name, item, out);
    if (!text) return false;
    texts.push_back(std::move(*text));
  }
  return true;
}
}  // namespace

std::optional<std::vector<std::string>> fill_each(const TemplateSet& templates, const std::string& name,
                                                  std::vector<TemplateValue> items, Diagnostics& out) {
  std::vector<std::string> texts;
  texts.reserve(items.size());
  // The batch wraps the template in a list section, each item behind a separator line. It
  // renders the same text as long as the template ends its last line (so the closing tag
  // stands alone), keeps the default delimiters (so the closing tag is seen) and never holds
  // the separator itself; otherwise, or when a chunk's pieces don't add up, one by one.
  constexpr char k_separator = '\x1e';
  constexpr const char* k_list = "picket_each_item";
  auto it = templates.find(name);
  const bool batchable = it != templates.end() && !it->second.empty() && it->second.back() == '\n' &&
                         it->second.find(k_separator) == std::string::npos &&
                         it->second.find("{{=") == std::string::npos;
  if (!batchable) {
    if (!fill_one_by_one(templates, name, items, texts, out)) return std::nullopt;
    return texts;
  }
  const TemplateSet batch{
      {name, std::string("{{#") + k_list + "}}" + k_separator + "\n" + it->second + "{{/" + k_list + "}}"}};
  const std::string marker = std::string(1, k_separator) + "\n";
  // Chunks, not one list of every item: the engine deep-copies a list as it grows, so one
  // huge list costs more than the parses it saves.
  constexpr std::size_t k_chunk = 64;
  for (std::size_t first = 0; first < items.size(); first += k_chunk) {
    const std::size_t last = std::min(items.size(), first + k_chunk);
    TemplateValue data;
    TemplateValue list = TemplateValue::list();
    for (std::size_t i = first; i < last; ++i) list.push_back(std::move(items[i]));
    data[k_list] = std::move(list);
    auto all = fill_template(batch, name, data, out);
    if (!all) return std::nullopt;
    std::vector<std::string> pieces;
    for (std::size_t at = all->rfind(marker, 0) == 0 ? 0 : std::string::npos; at != std::string::npos;) {
      const std::size_t begin = at + marker.size();
      at = all->find(marker, begin);
      pieces.push_back(all->substr(begin, at == std::string::npos ? std::string::npos : at - begin));
    }
    if (pieces.size() != last - first) {  // a value held the separator: this chunk one by one
      if (!fill_one_by_one(templates, name, data.members().at(k_list).items(), texts, out)) return std::nullopt;
      continue;
    }
    for (auto& p : pieces) texts.push_back(std::move(p));
  }
  return texts;
}

std::vector<Neighbour> neighbours_of(const RenderContext& ctx, const Node& node) {
  return neighbours(ctx.peering, ctx.inventory, ctx.tunnels, ctx.node_ids, node);
}

NeighbourSpot neighbour_spot(const RenderContext& ctx, const Neighbour& n) {
  NeighbourSpot spot;
  if (n.partner.empty()) {
    const Node* peer = ctx.topology.find_node(n.name);
    const Host* h = peer != nullptr ? ctx.inventory.find_host(peer->host.value) : nullptr;
    spot.subject = "host=" + (peer != nullptr ? peer->host.value : n.name);
    if (h != nullptr) spot.loc = h->address.loc;
    return spot;
  }
  spot.subject = n.name;  // "<partner>/<n>", 1-based
  for (const auto& partner : ctx.topology.partners) {
    if (partner.name.value != n.partner) continue;
    const std::size_t i = std::stoul(n.name.substr(n.partner.size() + 1)) - 1;
    if (i < partner.peers.size()) spot.loc = partner.peers[i].address.loc;
  }
  return spot;
}

std::vector<std::string> vpn_peer_hosts(const RenderContext& ctx, const std::string& host) {
  const Topology& t = ctx.topology;
  const auto& tunnels = ctx.tunnels.addresses;
  std::set<std::string> hosts;
  // A validator and its signer on two hosts that both have a tunnel address.
  const auto signer_pair = [&](const Node& validator, const Node& signer) {
    if (signer.role.value != Role::signer || signer.host.value == validator.host.value ||
        tunnels.count(validator.host.value) == 0 || tunnels.count(signer.host.value) == 0)
      return;
    hosts.insert(validator.host.value == host ? signer.host.value : validator.host.value);
  };
  for (const Node* node : ctx.peering.nodes_on(host)) {
    const auto self = ctx.peering.index_of(*node);
    if (!self || &t.nodes[*self] != node) continue;  // a second definition of a name
    for (const LinkPeer& peer : ctx.peering.link_peers(*self)) {
      const Node& other = t.nodes[peer.node];
      if (peer.over == LinkKind::vpn && other.host.value != host) hosts.insert(other.host.value);
    }
    if (node->role.value == Role::validator && node->signer)
      if (const Node* signer = t.find_node(node->signer->value))
        for (const Node* process : signer_processes(t, *signer)) signer_pair(*node, *process);
    if (node->role.value == Role::signer) {
      const std::string& cluster = node->cosigner_of ? *node->cosigner_of : node->name.value;
      for (const Node* validator : ctx.peering.validators_of(cluster, true))
        signer_pair(*validator, *node);
    }
    // A cosigner and the other cosigners of its horcrux signer (raft and gRPC between them).
    if (node->cosigner_of && tunnels.count(host) != 0)
      if (const Node* cluster = t.find_node(*node->cosigner_of))
        for (const Node* other : signer_processes(t, *cluster))
          if (other->host.value != host && tunnels.count(other->host.value) != 0)
            hosts.insert(other->host.value);
  }
  // The monitoring host and every host it scrapes (tunnel_hosts gave each an address).
  if (t.monitoring && tunnels.count(host) != 0) {
    const std::string& monitor = t.monitoring->host.value;
    if (host == monitor) {
      for (const auto& other : ctx.peering.node_hosts())
        if (other != host && tunnels.count(other) != 0) hosts.insert(other);
    } else if (tunnels.count(monitor) != 0) {
      hosts.insert(monitor);
    }
  }
  return {hosts.begin(), hosts.end()};
}

std::vector<const Partner*> vpn_partners(const RenderContext& ctx, const std::string& host) {
  std::set<std::size_t> indices;  // ordered: file order
  for (const Node* node : ctx.peering.nodes_on(host)) {
    const auto self = ctx.peering.index_of(*node);
    if (!self || &ctx.topology.nodes[*self] != node) continue;
    for (std::size_t i : ctx.peering.partners_of(*self))
      if (ctx.topology.partners[i].over.value == LinkKind::vpn) indices.insert(i);
  }
  std::vector<const Partner*> out;
  for (std::size_t i : indices) out.push_back(&ctx.topology.partners[i]);
  return out;
}

SignerRoute signer_route(const RenderContext& ctx, const Node& validator, const Node& signer) {
  SignerRoute route;
  const auto& tunnels = ctx.tunnels.addresses;
  auto v_tunnel = tunnels.find(validator.host.value);
  auto s_tunnel = tunnels.find(signer.host.value);
  route.signer_host = ctx.inventory.find_host(signer.host.value);
  if (v_tunnel != tunnels.end() && s_tunnel != tunnels.end()) {
    route.validator_address = v_tunnel->second;
    route.signer_source = s_tunnel->second;
    route.tunnel = signer.host.value != validator.host.value;  // one host: loopback
    return route;
  }
  if (const Host* h = ctx.inventory.find_host(validator.host.value))
    route.validator_address = h->address.value;
  if (route.signer_host != nullptr) route.signer_source = route.signer_host->address.value;
  return route;
}

}  // namespace picket
