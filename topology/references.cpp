// Checks between the topology and the inventory: each node's host exists (reference), and
// nodes sharing a host do not share a port or a home (port-clash). A node's ports are its
// p2p, RPC and metrics ports, and for a validator with a signer the port tmkms dials.
// Approach: one pass groups the non-signer nodes by host (signers run tmkms, not CometBFT,
// so they open no p2p or RPC port and keep no node home); within a group, each node's
// effective ports and home are looked up among those of the nodes before it, so a clash is
// reported once, at the later node.

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "topology/effective.hpp"
#include "topology/load.hpp"
#include "topology/yaml_read.hpp"

namespace picket {
namespace {

struct PortUse {
  std::size_t node;
  const char* kind;  // "p2p", "rpc", "metrics" or "signer"
  int port;
};

// Every port the node listens on, in a fixed order (the order findings are reported in).
std::vector<PortUse> ports_of(const Topology& topology, std::size_t i) {
  const Node& n = topology.nodes[i];
  std::vector<PortUse> uses = {{i, "p2p", effective_p2p_port(topology, n)},
                               {i, "rpc", effective_rpc_port(topology, n)},
                               {i, "metrics", effective_metrics_port(topology, n)}};
  if (n.role.value == Role::validator && n.signer) uses.push_back({i, "signer", k_signer_port});
  return uses;
}

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
    if (n.horcrux) continue;  // no host of its own: its cosigner nodes name theirs
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

  std::vector<PortUse> ports;  // the ports of one host's nodes so far; hosts hold few nodes
  for (const Host* host : host_order) {
    const auto& group = by_host[host];
    ports.clear();
    std::unordered_map<std::string, std::size_t> homes;
    for (const std::size_t i : group) {
      const Node& n = nodes[i];
      for (const PortUse& use : ports_of(topology, i)) {
        const auto it = std::find_if(ports.begin(), ports.end(),
                                     [&](const PortUse& p) { return p.port == use.port; });
        if (it == ports.end()) {
          ports.push_back(use);
        } else if (it->node == i) {
          add_error(diags, "port-clash", n.name.loc,
                    fmt::format("node {} uses port {} for both {} and {}; expected a port of "
                                "its own for each",
                                in_quotes(n.name.value), use.port, it->kind, use.kind),
                    {n.name.value});
        } else {
          const Node& other = nodes[it->node];
          add_error(diags, "port-clash", n.name.loc,
                    fmt::format("node {} uses port {} ({}) on host {}, already used by node {} "
                                "({}); expected a port of its own",
                                in_quotes(n.name.value), use.port, use.kind,
                                in_quotes(host->name.value), in_quotes(other.name.value), it->kind),
                    sorted_pair(n.name.value, other.name.value));
        }
      }
      if (group.size() < 2) continue;
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
