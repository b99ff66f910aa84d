// Checks between the topology and the inventory: each node's host exists (reference), and
// nodes sharing a host do not share a port or a home (port-clash).
// Approach: one pass groups the non-signer nodes by host (signers run tmkms, not CometBFT,
// so they open no p2p or RPC port and keep no node home); within a group, each node's
// effective ports and home are looked up among those of the nodes before it, so a clash is
// reported once, at the later node.

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "topology/load.hpp"
#include "topology/yaml_read.hpp"

namespace picket {
namespace {

constexpr int k_default_p2p_port = 26656;
constexpr int k_default_rpc_port = 26657;

struct PortUse {
  std::size_t node;
  const char* kind;  // "p2p" or "rpc"
};

std::vector<std::string> sorted_pair(const std::string& a, const std::string& b) {
  return a < b ? std::vector<std::string>{a, b} : std::vector<std::string>{b, a};
}

}  // namespace

void check_references(const Topology& topology, const Inventory& inventory, Diagnostics& out) {
  Diagnostics diags;
  const auto& nodes = topology.nodes;
  if (inventory.hosts.empty() && !nodes.empty()) {
    // One error, not one per node: the inventory is missing or did not load.
    const Node& n = nodes.front();
    add_error(diags, "reference", n.host.loc,
              fmt::format("unknown host {} for node {}; the inventory defines no hosts",
                          in_quotes(n.host.value), in_quotes(n.name.value)),
              {n.name.value});
    append_diagnostics(diags, out);
    return;
  }

  Suggester suggester;
  std::vector<std::string> host_names;  // for "did you mean", built on first need
  std::unordered_map<const Host*, std::vector<std::size_t>> by_host;
  std::vector<const Host*> host_order;  // hosts in order of first use, for a stable walk
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    const Host* host = inventory.find_host(n.host.value);
    if (host == nullptr) {
      if (host_names.empty()) {
        host_names.reserve(inventory.hosts.size());
        for (const Host& h : inventory.hosts) host_names.push_back(h.name.value);
      }
      const std::string match = suggester.name(n.host.value, host_names);
      add_error(diags, "reference", n.host.loc,
                fmt::format("unknown host {} for node {}; {}", in_quotes(n.host.value),
                            in_quotes(n.name.value),
                            match.empty() ? "expected a host of the inventory"
                                          : fmt::format("did you mean {}?", in_quotes(match))),
                {n.name.value});
      continue;
    }
    if (n.role.value == Role::signer) continue;
    auto& group = by_host[host];
    if (group.empty()) host_order.push_back(host);
    group.push_back(i);
  }

  const int chain_p2p =
      topology.chain.p2p_port ? topology.chain.p2p_port->value : k_default_p2p_port;
  const int chain_rpc =
      topology.chain.rpc_port ? topology.chain.rpc_port->value : k_default_rpc_port;
  for (const Host* host : host_order) {
    const auto& group = by_host[host];
    if (group.size() < 2) continue;
    std::unordered_map<int, PortUse> ports;
    std::unordered_map<std::string, std::size_t> homes;
    for (const std::size_t i : group) {
      const Node& n = nodes[i];
      const int p2p = n.p2p_port ? n.p2p_port->value : chain_p2p;
      const int rpc = n.rpc_port ? n.rpc_port->value : chain_rpc;
      for (const PortUse use : {PortUse{i, "p2p"}, PortUse{i, "rpc"}}) {
        const int port = use.kind[0] == 'p' ? p2p : rpc;
        const auto [it, fresh] = ports.emplace(port, use);
        if (fresh || it->second.node == i) continue;
        const Node& other = nodes[it->second.node];
        add_error(diags, "port-clash", n.name.loc,
                  fmt::format("node {} uses port {} ({}) on host {}, already used by node {} "
                              "({}); expected a port of its own",
                              in_quotes(n.name.value), port, use.kind, in_quotes(host->name.value),
                              in_quotes(other.name.value), it->second.kind),
                  sorted_pair(n.name.value, other.name.value));
      }
      const auto& home = n.home ? n.home : host->home;
      if (!home) continue;
      const auto [it, fresh] = homes.emplace(home->value, i);
      if (fresh) continue;
      const Node& other = nodes[it->second];
      add_error(diags, "port-clash", n.name.loc,
                fmt::format("node {} uses home {} on host {}, already used by node {}; expected "
                            "a home of its own",
                            in_quotes(n.name.value), in_quotes(home->value),
                            in_quotes(host->name.value), in_quotes(other.name.value)),
                sorted_pair(n.name.value, other.name.value));
    }
  }
  append_diagnostics(diags, out);
}

}  // namespace picket
