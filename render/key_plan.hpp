#pragma once
// Which keys a topology needs: a node key per managed node, a WireGuard key per tunnel host.
// Pure: the CLI decides where they live and creates what is missing.

#include <string>
#include <vector>

#include "render/secrets.hpp"
#include "topology/model.hpp"

namespace picket {

/// The keys picket manages for one topology. Node keys in file order.
struct KeyPlan {
  std::vector<std::string> node_keys;        // managed nodes: all but signers and pinned node_id
  std::vector<std::string> wireguard_hosts;  // tunnel_hosts(topology): sorted by name
};

/// The keys the topology needs. Signers hold a consensus key, not a node key, and a pinned
/// `node_id` means the operator keeps that node's node_key.json themselves.
KeyPlan plan_keys(const Topology& topology);

/// What the plan needs but `secrets` lacks, as phrases like `node key of "priv-fra"` and
/// `WireGuard key of host "fra-1"`, node keys first, in plan order. Empty when complete.
std::vector<std::string> missing_keys(const KeyPlan& plan, const Secrets& secrets);

}  // namespace picket
