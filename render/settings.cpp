// Derived config.toml settings.
//
// Approach: links and partner peerings are indexed once (topology/peering.hpp), so a node's
// settings cost its own degree, not a scan of every link. Each setting follows the node's
// role and its neighbours (the same list neighbours() gives firewalls and monitoring):
//  - persistent_peers: every neighbour, both ends of every link. pex on public sentries only:
//    a validator or private sentry has every peer it needs in persistent_peers, and with pex
//    it would learn the open network's addresses from its public sentries and dial them (the
//    lab showed private sentries peered with the network's validators within a minute).
//  - private_peer_ids (sentries): every validator, plus the private sentries and partner
//    peers it peers with, so no sentry gossips an address that must stay unlisted.
//  - unconditional_peer_ids: on a validator its sentries; on a private sentry every
//    validator and its partner peers; on a public sentry all its peers, so a public sentry
//    whose inbound slots the open network filled still takes our own nodes back.
//  - max_num_inbound_peers / max_num_outbound_peers per role (peer_slots): low on a
//    validator, CometBFT's defaults on a private sentry, higher on a public sentry. Our own
//    nodes are unconditional wherever they peer, so full slots never lock them out.
//  - addr_book_strict stays true (CometBFT's default) unless a peer needs it false: a peer
//    dialled at an address CometBFT calls non-routable (a tunnel or RFC 1918 address) that is
//    not in the node's private_peer_ids (those never reach the routability check), or, on a
//    public sentry, its own non-routable address (a private network, whose addresses pex must
//    keep). The node would otherwise log that it cannot add the peer's address at every start.
//  - p2p.laddr: a validator or private sentry whose every peer is reached over the VPN binds
//    its tunnel address, so its p2p port is never open on a public interface even when the
//    firewall is wrong; everything else binds 0.0.0.0. RPC binds 127.0.0.1 everywhere.
#include "render/settings.hpp"

#include <algorithm>

#include "topology/address.hpp"
#include "topology/effective.hpp"
#include "util/text.hpp"

namespace picket {

namespace {

bool is_sentry(Role r) { return r == Role::private_sentry || r == Role::public_sentry; }

// Appends `ref` unless a peer of that name is already listed.
void add_unique(std::vector<PeerRef>& refs, PeerRef ref) {
  for (const auto& r : refs)
    if (r.name == ref.name) return;
  refs.push_back(std::move(ref));
}

}  // namespace

std::string join_host_port(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string persistent_peers_string(const std::vector<PeerAddress>& peers) {
  std::string out;
  for (const auto& p : peers) {
    if (p.peer.id.empty()) continue;
    if (!out.empty()) out += ',';
    out += lower(p.peer.id);
    out += '@';
    out += join_host_port(p.host, p.port);
  }
  return out;
}

std::string peer_ids_string(const std::vector<PeerRef>& peers) {
  std::string out;
  for (const auto& p : peers) {
    if (p.id.empty()) continue;
    if (!out.empty()) out += ',';
    out += lower(p.id);
  }
  return out;
}

namespace {
// Every validator with its ID, file order.
std::vector<PeerRef> validator_refs(const Topology& topology, const std::vector<std::string>& ids) {
  std::vector<PeerRef> out;
  for (std::size_t i = 0; i < topology.nodes.size(); ++i)
    if (topology.nodes[i].role.value == Role::validator) out.push_back({topology.nodes[i].name.value, ids[i]});
  return out;
}
}  // namespace

PeerSlots peer_slots(Role role) {
  switch (role) {
    case Role::validator: return k_validator_slots;
    case Role::private_sentry: return k_private_sentry_slots;
    case Role::public_sentry: return k_public_sentry_slots;
    case Role::signer: return {};
  }
  return {};
}

SettingsDeriver::SettingsDeriver(const PeeringIndex& peering, const Inventory& inventory,
                                 const TunnelPlan& tunnels, const std::vector<std::string>& node_ids)
    : m_peering(peering),
      m_topology(peering.topology()),
      m_inventory(inventory),
      m_tunnels(tunnels),
      m_ids(node_ids),
      m_validators(validator_refs(m_topology, m_ids)) {}

std::vector<Neighbour> SettingsDeriver::neighbours_of(const Node& node) const {
  return neighbours(m_peering, m_inventory, m_tunnels, m_ids, node);
}

NodeSettings SettingsDeriver::derive(const Node& node) const {
  NodeSettings s;
  const Role role = node.role.value;
  const bool validator = role == Role::validator;
  const Host* host = m_inventory.find_host(node.host.value);
  const auto tunnel_it = m_tunnels.addresses.find(node.host.value);
  const std::string* tunnel =
      tunnel_it == m_tunnels.addresses.end() ? nullptr : &tunnel_it->second;
  const int p2p_port = effective_p2p_port(m_topology, node);

  s.moniker = node.name.value;
  s.pex = role == Role::public_sentry;
  s.slots = peer_slots(role);
  bool any_peer = false, all_vpn = true, lenient_book = false;
  std::vector<PeerRef> keep_private;  // validators, private sentries and partners among its peers
  for (auto& nb : neighbours_of(node)) {
    const bool partner = !nb.partner.empty();
    const Node* peer = partner ? nullptr : m_topology.find_node(nb.name);
    if (peer != nullptr && peer->role.value == Role::signer) continue;  // not a p2p node
    any_peer = true;
    all_vpn = all_vpn && nb.over == LinkKind::vpn;
    PeerRef ref{nb.name, lower(nb.node_id)};
    if (validator || role == Role::public_sentry || (role == Role::private_sentry && partner))
      add_unique(s.unconditional_peers, ref);
    const bool kept_private = partner || (peer != nullptr && (peer->role.value == Role::private_sentry ||
                                                              peer->role.value == Role::validator));
    if (kept_private) add_unique(keep_private, ref);
    // A strict address book refuses a non-routable peer address (and logs an error at every
    // start); a peer in private_peer_ids never reaches that check.
    lenient_book = lenient_book || (!(is_sentry(role) && kept_private) &&
                                    !is_cometbft_routable(nb.dial_host));
    s.persistent_peers.push_back({std::move(ref), std::move(nb.dial_host), nb.port});
  }
  if (role == Role::public_sentry && m_topology.network) {
    // The open network: only public sentries dial it.
    const auto add = [](std::vector<PeerAddress>& into, const PartnerPeer& p, std::string name) {
      auto [dial, port] = split_host_port(p.address.value);
      into.push_back({{std::move(name), lower(p.id.value)}, std::move(dial), port});
    };
    for (std::size_t i = 0; i < m_topology.network->peers.size(); ++i)
      add(s.persistent_peers, m_topology.network->peers[i], "network/peer-" + std::to_string(i + 1));
    for (std::size_t i = 0; i < m_topology.network->seeds.size(); ++i)
      add(s.seeds, m_topology.network->seeds[i], "network/seed-" + std::to_string(i + 1));
  }
  if (is_sentry(role)) {
    // Never gossiped: every validator, then the private sentries and partners it knows.
    for (const auto& v : m_validators) add_unique(s.private_peers, {v.name, lower(v.id)});
    for (auto& r : keep_private) add_unique(s.private_peers, std::move(r));
  }
  if (role == Role::private_sentry) {
    // Always admitted: every validator first, then its partner peers (collected above).
    std::vector<PeerRef> unconditional;
    for (const auto& v : m_validators) add_unique(unconditional, {v.name, lower(v.id)});
    for (auto& r : s.unconditional_peers) add_unique(unconditional, std::move(r));
    s.unconditional_peers = std::move(unconditional);
  }

  if (role == Role::public_sentry && host != nullptr)
    s.external_address = join_host_port(host->address.value, p2p_port);
  // A public sentry advertising a non-routable address is on a private network, whose
  // addresses pex must be able to keep.
  if (s.pex && host != nullptr && !is_cometbft_routable(host->address.value)) lenient_book = true;
  s.addr_book_strict = !lenient_book;
  const bool bind_tunnel = (validator || role == Role::private_sentry) && any_peer && all_vpn &&
                           tunnel != nullptr;
  s.p2p_laddr = "tcp://" + join_host_port(bind_tunnel ? *tunnel : "0.0.0.0", p2p_port);
  s.rpc_laddr = "tcp://" + join_host_port("127.0.0.1", effective_rpc_port(m_topology, node));
  if (validator) {
    s.double_sign_check_height = k_double_sign_check_height;
    if (node.signer) {
      const std::string address =
          tunnel != nullptr ? *tunnel : (host != nullptr ? host->address.value : std::string());
      if (!address.empty()) s.priv_validator_laddr = "tcp://" + join_host_port(address, k_signer_port);
    }
  }
  s.prometheus = true;
  s.prometheus_listen_addr = join_host_port(tunnel != nullptr ? *tunnel : "127.0.0.1",
                                              effective_metrics_port(m_topology, node));
  if (m_topology.chain.binary_version) {
    std::string v = m_topology.chain.binary_version->value;
    if (!v.empty() && (v.front() == 'v' || v.front() == 'V')) v.erase(0, 1);
    s.version = v;
  }
  return s;
}

std::map<std::string, std::string> derived_values(const NodeSettings& s, const ConfigTable& table) {
  std::map<std::string, std::string> values;
  auto set = [&](const char* key, std::string literal) {
    if (table.find(key) != nullptr) values[key] = std::move(literal);
  };
  auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
  set("moniker", toml_string(s.moniker));
  set("p2p.laddr", toml_string(s.p2p_laddr));
  set("p2p.external_address", toml_string(s.external_address));
  set("p2p.persistent_peers", toml_string(persistent_peers_string(s.persistent_peers)));
  set("p2p.seeds", toml_string(persistent_peers_string(s.seeds)));
  set("p2p.addr_book_strict", boolean(s.addr_book_strict));
  set("p2p.unconditional_peer_ids", toml_string(peer_ids_string(s.unconditional_peers)));
  if (s.slots.inbound > 0) set("p2p.max_num_inbound_peers", std::to_string(s.slots.inbound));
  if (s.slots.outbound > 0) set("p2p.max_num_outbound_peers", std::to_string(s.slots.outbound));
  set("p2p.pex", boolean(s.pex));
  set("p2p.private_peer_ids", toml_string(peer_ids_string(s.private_peers)));
  set("rpc.laddr", toml_string(s.rpc_laddr));
  set("priv_validator_laddr", toml_string(s.priv_validator_laddr));
  if (s.double_sign_check_height)
    set("consensus.double_sign_check_height", std::to_string(*s.double_sign_check_height));
  set("instrumentation.prometheus", boolean(s.prometheus));
  set("instrumentation.prometheus_listen_addr", toml_string(s.prometheus_listen_addr));
  if (s.version) set("version", toml_string(*s.version));
  return values;
}

}  // namespace picket
