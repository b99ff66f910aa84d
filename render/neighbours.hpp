#pragma once
// Who a node peers with, and how to dial each peer: the one place that turns links and
// partner peerings into (id, address) pairs for config.toml, firewalls and monitoring.

#include <map>
#include <string>
#include <vector>

#include "render/secrets.hpp"
#include "render/tunnel.hpp"
#include "topology/model.hpp"
#include "topology/peering.hpp"

namespace picket {

struct Neighbour {
  std::string name;        // our node's name, or "<partner>/<n>" for a partner peer
  std::string partner;     // partner name for partner peers, else ""
  LinkKind over = LinkKind::vpn;
  std::string dial_host;   // tunnel address over vpn, else the host's address (partner: theirs)
  int port = 0;            // p2p port to dial
  std::string node_id;     // pinned or derived from its key; "" when the key is missing
  std::string source_ip;   // the address its traffic comes from (for firewalls): as dial_host
};

/// Partner `partner`'s peer number `index` (0-based) as a neighbour: "<partner>/<index+1>",
/// dialled at the address the partner gave.
Neighbour partner_neighbour(const Partner& partner, std::size_t index);

/// Splits a validated "host:port" or "[v6]:port" into the host (unbracketed) and the port.
std::pair<std::string, int> split_host_port(const std::string& address);

/// The node's ID: its pinned `node_id`, else derived from its key in `secrets`, else "".
std::string node_id_of(const Node& node, const Secrets& secrets);

/// Every node's ID (node_id_of), by index into Topology::nodes: a SHA-256 per key, computed
/// once per node rather than once per peering.
std::vector<std::string> node_ids_of(const Topology& topology, const Secrets& secrets);

/// Every peer of `node` over links and partner peerings (PeeringIndex's order: links first,
/// then partner peers; a pair linked twice is listed once, over vpn when any link is).
/// `node_ids` as node_ids_of gives them for the indexed topology. Costs the node's degree.
std::vector<Neighbour> neighbours(const PeeringIndex& peering, const Inventory& inventory,
                                  const TunnelPlan& tunnels,
                                  const std::vector<std::string>& node_ids, const Node& node);

/// One of our own p2p nodes: its name and node ID (lower case; "" when its key is missing).
struct OwnPeer {
  std::string name;
  std::string id;
};

/// For every p2p node (not signers), its graph neighbours among our own p2p nodes (links, not
/// partners): the peers a deploy's health gate expects it to reconnect to after a restart.
/// `node_ids` as node_ids_of gives them for the indexed topology.
std::map<std::string, std::vector<OwnPeer>> own_peers(const PeeringIndex& peering,
                                                      const std::vector<std::string>& node_ids);

}  // namespace picket
