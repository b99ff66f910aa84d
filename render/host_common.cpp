// Shared helpers of the host-level renderers. The index is built once per renderer from a
// single pass over nodes, links and partners; every later lookup is a map find.
#include "render/host_common.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <unordered_set>

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

PeeringIndex::PeeringIndex(const RenderContext& ctx) : m_ctx(ctx) {
  const Topology& t = ctx.topology;
  for (std::size_t i = 0; i < t.links.size(); ++i) {
    m_links_of[t.links[i].a.value].push_back(i);
    if (t.links[i].b.value != t.links[i].a.value) m_links_of[t.links[i].b.value].push_back(i);
  }
  for (std::size_t i = 0; i < t.partners.size(); ++i) {
    std::set<std::string> seen;  // a node named twice in `with` peers once
    for (const auto& w : t.partners[i].with)
      if (seen.insert(w.value).second) m_partners_of[w.value].push_back(i);
  }
  const auto& tunnels = ctx.tunnels.addresses;
  for (const auto& node : t.nodes) {
    m_nodes_on[node.host.value].push_back(&node);
    if (node.role.value != Role::validator || !node.signer) continue;
    if (!node.standby.value) m_validators_of[node.signer->value].push_back(&node);
    // Any validator, standby too: its signer route is what its firewall admits.
    const Node* signer = t.find_node(node.signer->value);
    if (signer == nullptr || signer->role.value != Role::signer || signer->host.value == node.host.value ||
        tunnels.count(node.host.value) == 0 || tunnels.count(signer->host.value) == 0)
      continue;
    m_signer_peers[node.host.value].push_back(signer->host.value);
    m_signer_peers[signer->host.value].push_back(node.host.value);
  }
}

namespace {
// The fields neighbours() reads; config overrides are left behind on purpose (size).
Node lean_copy(const Node& n) {
  Node c;
  c.name = n.name;
  c.role = n.role;
  c.host = n.host;
  c.p2p_port = n.p2p_port;
  c.rpc_port = n.rpc_port;
  c.node_id = n.node_id;
  return c;
}

template <class Map>
const typename Map::mapped_type* find_in(const Map& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}
}  // namespace

std::vector<Neighbour> PeeringIndex::neighbours_of(const Node& node) const {
  const Topology& t = m_ctx.topology;
  Topology slice;
  slice.chain = t.chain;
  slice.nodes.push_back(lean_copy(node));
  std::unordered_set<std::string> added{node.name.value};
  if (const auto* links = find_in(m_links_of, node.name.value)) {
    for (std::size_t i : *links) {
      const Link& link = t.links[i];
      slice.links.push_back(link);
      for (const auto* end : {&link.a.value, &link.b.value}) {
        if (added.count(*end) != 0) continue;
        if (const Node* peer = t.find_node(*end)) {
          slice.nodes.push_back(lean_copy(*peer));
          added.insert(*end);
        }
      }
    }
  }
  if (const auto* partners = find_in(m_partners_of, node.name.value)) {
    for (std::size_t i : *partners) {
      const Partner& p = t.partners[i];
      Partner copy;
      copy.name = p.name;
      copy.peers = p.peers;
      copy.over = p.over;
      copy.with.push_back(node.name);  // only this node matters to the slice
      slice.partners.push_back(std::move(copy));
    }
  }
  slice.index_nodes();
  return neighbours(slice, m_ctx.inventory, m_ctx.tunnels, m_ctx.secrets, slice.nodes.front());
}

std::vector<std::string> PeeringIndex::vpn_peer_hosts(const std::string& host) const {
  std::set<std::string> hosts;
  const Topology& t = m_ctx.topology;
  for (const Node* node : nodes_on(host)) {
    const auto* links = find_in(m_links_of, node->name.value);
    if (links == nullptr) continue;
    for (std::size_t i : *links) {
      const Link& link = t.links[i];
      if (link.over.value != LinkKind::vpn) continue;
      const std::string& other = link.a.value == node->name.value ? link.b.value : link.a.value;
      const Node* peer = t.find_node(other);
      if (peer != nullptr && peer->host.value != host) hosts.insert(peer->host.value);
    }
  }
  if (const auto* signer_peers = find_in(m_signer_peers, host)) hosts.insert(signer_peers->begin(), signer_peers->end());
  return {hosts.begin(), hosts.end()};
}

std::vector<const Partner*> PeeringIndex::vpn_partners(const std::string& host) const {
  std::set<std::size_t> indices;  // ordered: file order
  for (const Node* node : nodes_on(host)) {
    const auto* partners = find_in(m_partners_of, node->name.value);
    if (partners == nullptr) continue;
    for (std::size_t i : *partners)
      if (m_ctx.topology.partners[i].over.value == LinkKind::vpn) indices.insert(i);
  }
  std::vector<const Partner*> out;
  for (std::size_t i : indices) out.push_back(&m_ctx.topology.partners[i]);
  return out;
}

std::vector<const Node*> PeeringIndex::nodes_on(const std::string& host) const {
  const auto* nodes = find_in(m_nodes_on, host);
  return nodes == nullptr ? std::vector<const Node*>{} : *nodes;
}

std::vector<const Node*> PeeringIndex::validators_of(const std::string& signer) const {
  const auto* v = find_in(m_validators_of, signer);
  return v == nullptr ? std::vector<const Node*>{} : *v;
}

std::vector<std::string> PeeringIndex::node_hosts() const {
  std::vector<std::string> out;
  out.reserve(m_nodes_on.size());
  for (const auto& [host, nodes] : m_nodes_on) out.push_back(host);
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
