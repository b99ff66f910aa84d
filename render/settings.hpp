#pragma once
// The config.toml settings picket derives for each node from the graph (peers, pex, listen
// addresses, signer socket, metrics) and the value map a config template is filled from.
// The checks on a node's `config:` overrides are in render/overrides.hpp.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "render/config_table.hpp"
#include "render/neighbours.hpp"
#include "render/secrets.hpp"
#include "render/tunnel.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

constexpr std::int64_t k_double_sign_check_height = 10;

/// Peer slots per role (p2p.max_num_inbound_peers / max_num_outbound_peers). Our own nodes
/// never need a slot: each is in its peers' unconditional_peer_ids, which CometBFT admits past
/// the limits. So the slots only bound strangers: none reach a validator (pex off, firewalled),
/// a private sentry keeps CometBFT's defaults, a public sentry takes more of the open network
/// (operators publish 80/60 to 500/50; CometBFT's default is 40/10).
struct PeerSlots {
  int inbound = 0;
  int outbound = 0;
};
constexpr PeerSlots k_validator_slots{10, 10};
constexpr PeerSlots k_private_sentry_slots{40, 10};
constexpr PeerSlots k_public_sentry_slots{100, 40};
/// The slots of a role (signers have no p2p: {0, 0}).
PeerSlots peer_slots(Role role);

/// A peer named in an ID list: our node's name or "<partner>/<n>", and its ID ("" = unknown:
/// a managed node whose key was not supplied, as when lint derives without keys).
struct PeerRef {
  std::string name;
  std::string id;
};

/// One persistent peer: who, and where it is dialled.
struct PeerAddress {
  PeerRef peer;
  std::string host;  // tunnel address, host address or partner address (IPv6 unbracketed)
  int port = 0;
};

/// Everything picket decides for one node's config.toml; the rest keeps the line's defaults.
struct NodeSettings {
  std::string moniker;
  std::vector<PeerAddress> persistent_peers;  // every neighbour, links first, then partners,
                                              // then (public sentries) the network's peers
  std::vector<PeerAddress> seeds;             // p2p.seeds: the network's, on public sentries
  bool pex = true;
  std::vector<PeerRef> private_peers;         // p2p.private_peer_ids
  std::vector<PeerRef> unconditional_peers;   // p2p.unconditional_peer_ids
  PeerSlots slots;                            // p2p.max_num_inbound_peers / outbound_peers
  bool addr_book_strict = true;
  std::string external_address;      // "host:port" on public sentries, else ""
  std::string p2p_laddr;             // "tcp://0.0.0.0:26656" or "tcp://<tunnel>:26656"
  std::string rpc_laddr;             // "tcp://127.0.0.1:26657"
  std::string priv_validator_laddr;  // "tcp://<addr>:26659" on a validator with a signer
  std::optional<std::int64_t> double_sign_check_height;  // validators only
  bool prometheus = true;
  std::string prometheus_listen_addr;  // "<tunnel or 127.0.0.1>:<metrics port>"
  std::optional<std::string> version;  // chain.binary_version without a leading "v"
};

/// "id@host:port,…" (IDs lower case, IPv6 in brackets); peers without a known ID are left
/// out (their missing key is reported on their own node).
std::string persistent_peers_string(const std::vector<PeerAddress>& peers);
/// "id,id,…" (lower case); unknown IDs left out.
std::string peer_ids_string(const std::vector<PeerRef>& peers);
/// "host:port", with an IPv6 host in brackets.
std::string join_host_port(const std::string& host, int port);

/// Derives settings for the nodes of one topology from its PeeringIndex, so each node costs
/// only its own degree.
class SettingsDeriver {
 public:
  /// Reads an index and IDs built elsewhere (render's context, once); keeps references to
  /// all four.
  SettingsDeriver(const PeeringIndex& peering, const Inventory& inventory, const TunnelPlan& tunnels,
                  const std::vector<std::string>& node_ids);

  /// The node's peers: neighbours() over the index.
  std::vector<Neighbour> neighbours_of(const Node& node) const;
  /// The derived settings of a validator or sentry.
  NodeSettings derive(const Node& node) const;

 private:
  const PeeringIndex& m_peering;
  const Topology& m_topology;
  const Inventory& m_inventory;
  const TunnelPlan& m_tunnels;
  const std::vector<std::string>& m_ids;  // node index -> node_id_of(), once
  std::vector<PeerRef> m_validators;      // every validator, file order
};

/// The derived values as config keys → TOML literals, for the keys `table` has.
std::map<std::string, std::string> derived_values(const NodeSettings& settings,
                                                  const ConfigTable& table);

}  // namespace picket
