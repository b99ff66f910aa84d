#include "render/key_plan.hpp"

#include "render/tunnel.hpp"

namespace picket {

KeyPlan plan_keys(const Topology& topology) {
  KeyPlan plan;
  for (const Node& node : topology.nodes) {
    if (node.role.value == Role::signer || node.node_id) continue;
    plan.node_keys.push_back(node.name.value);
  }
  plan.wireguard_hosts = tunnel_hosts(topology);
  return plan;
}

std::vector<std::string> missing_keys(const KeyPlan& plan, const Secrets& secrets) {
  std::vector<std::string> missing;
  for (const auto& node : plan.node_keys)
    if (!secrets.node_keys.contains(node)) missing.push_back("node key of \"" + node + "\"");
  for (const auto& host : plan.wireguard_hosts)
    if (!secrets.wireguard.contains(host))
      missing.push_back("WireGuard key of host \"" + host + "\"");
  return missing;
}

}  // namespace picket
