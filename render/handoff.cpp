// The partner handoff (render/handoff.hpp). Every fact comes from what render itself uses: the
// node IDs of the context, the tunnel plan, the hosts' addresses and ports, the partner as the
// topology has it; the firewall part lists what render_firewall opens to a partner's peers
// (their p2p to each `with` node, and WireGuard from their endpoint over vpn).
#include "render/handoff.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "render/host_common.hpp"
#include "render/keys.hpp"
#include "render/settings.hpp"
#include "topology/effective.hpp"
#include "util/text.hpp"

namespace picket {

namespace {

const char* over_name(LinkKind k) {
  switch (k) {
    case LinkKind::vpn: return "vpn";
    case LinkKind::private_net: return "private";
    case LinkKind::public_net: return "public";
  }
  return "public";
}

Handoff handoff_of(const RenderContext& ctx, const Partner& partner) {
  Handoff h;
  h.partner = partner.name.value;
  h.chain_id = ctx.topology.chain.id.value;
  h.over = partner.over.value;
  const bool vpn = h.over == LinkKind::vpn;

  // Their addresses, as our firewall admits them: IP literals only.
  std::vector<std::string> their_ips, their_names;
  for (std::size_t i = 0; i < partner.peers.size(); ++i) {
    const PartnerPeer& p = partner.peers[i];
    h.their_peers.push_back({partner.name.value + "/" + std::to_string(i + 1), p.id.value, p.address.value});
    const std::string ip = endpoint_host(p.address.value);
    auto& list = address_family(ip) == AddressFamily::name ? their_names : their_ips;
    if (std::find(list.begin(), list.end(), ip) == list.end()) list.push_back(ip);
  }
  std::sort(their_ips.begin(), their_ips.end());
  if (vpn && partner.wireguard) {
    h.their_public_key = partner.wireguard->public_key.value;
    h.their_endpoint = partner.wireguard->endpoint.value;
  }

  std::set<std::string> tunnel_hosts_seen;
  for (const auto& with : partner.with) {
    const Node* node = ctx.topology.find_node(with.value);
    if (node == nullptr) continue;  // the loader reports a dangling name
    const Host* host = ctx.inventory.find_host(node->host.value);
    if (host == nullptr) continue;
    const auto index = static_cast<std::size_t>(node - ctx.topology.nodes.data());
    const int port = effective_p2p_port(ctx.topology, *node);
    const auto tunnel = ctx.tunnels.addresses.find(host->name.value);
    const bool through_tunnel = vpn && tunnel != ctx.tunnels.addresses.end();
    const std::string dial = through_tunnel ? tunnel->second : host->address.value;
    h.nodes.push_back({node->name.value, index < ctx.node_ids.size() ? ctx.node_ids[index] : "",
                       join_host_port(dial, port)});
    HandoffPort p2p;
    p2p.host = host->name.value;
    p2p.what = "p2p of " + node->name.value;
    p2p.protocol = "tcp";
    p2p.port = port;
    p2p.from = their_ips;
    p2p.tunnel = through_tunnel;
    p2p.not_admitted = their_names;
    h.ports.push_back(std::move(p2p));
    if (!through_tunnel || !tunnel_hosts_seen.insert(host->name.value).second) continue;
    const auto key = ctx.secrets.wireguard.find(host->name.value);
    h.tunnels.push_back({host->name.value,
                         key == ctx.secrets.wireguard.end() ? "" : base64_key(key->second.public_key),
                         join_host_port(host->address.value, ctx.tunnels.port), tunnel->second});
    if (partner.wireguard) {
      HandoffPort wg;
      wg.host = host->name.value;
      wg.what = "WireGuard";
      wg.protocol = "udp";
      wg.port = ctx.tunnels.port;
      const std::string endpoint = endpoint_host(partner.wireguard->endpoint.value);
      (address_family(endpoint) == AddressFamily::name ? wg.not_admitted : wg.from).push_back(endpoint);
      h.ports.push_back(std::move(wg));
    }
  }
  return h;
}

std::string or_missing(const std::string& s, const char* missing) { return s.empty() ? missing : s; }

}  // namespace

std::vector<Handoff> partner_handoffs(const RenderContext& ctx) {
  std::vector<Handoff> all;
  for (const Partner& p : ctx.topology.partners) all.push_back(handoff_of(ctx, p));
  return all;
}

std::string format_handoff_text(const Handoff& h) {
  std::ostringstream out;
  const bool vpn = h.over == LinkKind::vpn;
  out << "Handoff for partner \"" << h.partner << "\" (chain " << h.chain_id << ", peering over "
      << over_name(h.over) << "). Public data only: node IDs and WireGuard public keys.\n";
  out << "\nOur nodes: put these in your persistent_peers (and unconditional_peer_ids):\n";
  for (const HandoffNode& n : h.nodes)
    out << "  " << n.node << ": " << or_missing(n.id, "(no key yet: run picket keys)") << "@" << n.address << "\n";
  if (vpn) {
    out << "\nOur WireGuard peers: one [Peer] each in your tunnel configuration:\n";
    for (const HandoffTunnel& t : h.tunnels)
      out << "  host " << t.host << ": PublicKey = " << or_missing(t.public_key, "(no key yet: run picket keys)")
          << ", Endpoint = " << t.endpoint << ", AllowedIPs = " << t.tunnel_address << "/32\n";
  }
  out << "\nOur firewall admits from you:\n";
  for (const HandoffPort& p : h.ports) {
    out << "  " << p.host << ": " << p.protocol << " " << p.port << " (" << p.what << ") from "
        << (p.from.empty() ? std::string("none of your addresses") : join(p.from, ", "))
        << (p.tunnel ? ", through the tunnel" : "") << "\n";
    if (!p.not_admitted.empty())
      out << "    not admitted (DNS names a ruleset cannot list): " << join(p.not_admitted, ", ") << "\n";
  }
  out << "\nWhat we expect from you (tell us before any of it changes):\n";
  for (const HandoffNode& n : h.their_peers) out << "  " << n.node << ": " << n.id << "@" << n.address << "\n";
  if (vpn)
    out << "  WireGuard: PublicKey = " << or_missing(h.their_public_key, "(none in the topology)")
        << ", Endpoint = " << or_missing(h.their_endpoint, "(none in the topology)")
        << "; your peers' addresses above are your side of the tunnel\n";
  return out.str();
}

std::string format_handoff_json(const Handoff& h) {
  using Json = nlohmann::ordered_json;
  Json doc;
  doc["format_version"] = 1;
  doc["partner"] = h.partner;
  doc["chain_id"] = h.chain_id;
  doc["over"] = over_name(h.over);
  auto nodes = [](const std::vector<HandoffNode>& list) {
    Json a = Json::array();
    for (const HandoffNode& n : list) a.push_back({{"name", n.node}, {"id", n.id}, {"address", n.address}});
    return a;
  };
  doc["our_nodes"] = nodes(h.nodes);
  Json tunnels = Json::array();
  for (const HandoffTunnel& t : h.tunnels)
    tunnels.push_back({{"host", t.host}, {"public_key", t.public_key}, {"endpoint", t.endpoint},
                       {"tunnel_address", t.tunnel_address}});
  doc["our_wireguard"] = std::move(tunnels);
  Json ports = Json::array();
  for (const HandoffPort& p : h.ports)
    ports.push_back({{"host", p.host}, {"what", p.what}, {"protocol", p.protocol}, {"port", p.port},
                     {"from", p.from}, {"through_tunnel", p.tunnel}, {"not_admitted", p.not_admitted}});
  doc["firewall_admits"] = std::move(ports);
  Json expected;
  expected["peers"] = nodes(h.their_peers);
  if (h.over == LinkKind::vpn)
    expected["wireguard"] = {{"public_key", h.their_public_key}, {"endpoint", h.their_endpoint}};
  doc["expected_from_partner"] = std::move(expected);
  return doc.dump(2) + "\n";
}

std::vector<std::string> handoff_changes(const std::string& before, const std::string& after) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] == ' ') v.push_back(line.substr(2));  // facts, not headings
    return v;
  };
  const std::vector<std::string> a = lines(before), b = lines(after);
  const std::multiset<std::string> in_a(a.begin(), a.end()), in_b(b.begin(), b.end());
  std::vector<std::string> changes;
  for (const std::string& l : a)
    if (in_b.count(l) == 0) changes.push_back("- " + l);
  for (const std::string& l : b)
    if (in_a.count(l) == 0) changes.push_back("+ " + l);
  return changes;
}

}  // namespace picket
