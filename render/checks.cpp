// The checks render shares with lint (render/checks.hpp). Each refusal is written once, here
// or in the renderer's own check_* function, and the renderers skip what these report: so the
// diagnostic lint prints is the one render would print.
#include "render/checks.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "render/app_config.hpp"
#include "render/host_common.hpp"
#include "render/overrides.hpp"
#include "render/settings.hpp"
#include "topology/effective.hpp"

namespace picket {

namespace {

// A node without a home has no config.toml to write.
void check_homes(const RenderContext& ctx, Diagnostics& out) {
  for (const Node& node : ctx.topology.nodes) {
    if (node.role.value == Role::signer) continue;  // check_signer
    const Host* host = ctx.inventory.find_host(node.host.value);
    if (!effective_home(node, host).empty()) continue;
    add_error(out, "schema", node.name.loc,
              "node \"" + node.name.value + "\" has no home: set \"home\" on the node, on its host \"" +
                  node.host.value + "\" or in the inventory's defaults",
              {node.name.value});
  }
}

// Deploy restarts a node whose files changed with the host's `restart` command or its
// `service`; a host with neither is refused by plan, so lint refuses it first.
void check_restart_commands(const RenderContext& ctx, Diagnostics& out) {
  for (const auto& host_name : ctx.peering.node_hosts()) {
    const Host* host = ctx.inventory.find_host(host_name);
    if (host == nullptr || host->restart || host->service) continue;
    for (const Node* node : ctx.peering.nodes_on(host_name)) {
      // A signer's service is the deploy side's to default (issue 10, item 10).
      if (node->role.value == Role::signer) continue;
      add_error(out, "schema", host->name.loc,
                "host \"" + host_name + "\" runs node \"" + node->name.value +
                    "\", but the inventory sets neither `restart` nor `service` for it: deploy "
                    "could not restart the node after changing its files",
                {"host=" + host_name, node->name.value});
      break;
    }
  }
}

// CometBFT resolves a DNS name once, at start: an external_address that does not resolve
// then stops the node ("p2p.external_address is incorrect"); a persistent peer whose name
// does not resolve then is left out until the node restarts. A peer's name is said once, with
// what the firewall does with it too (a ruleset cannot list a name). Returns the peers named.
std::set<std::string> check_dns_names(const RenderContext& ctx, Diagnostics& out) {
  struct Named {
    std::string address;
    Location loc;
    const Node* first = nullptr;     // the first node that peers with it
    const Node* filtered = nullptr;  // the first whose firewall would have to list it
  };
  std::map<std::string, Named> peers;  // by subject
  std::vector<std::string> order;
  for (const Node& node : ctx.topology.nodes) {
    if (node.role.value == Role::signer) continue;
    const Host* host = ctx.inventory.find_host(node.host.value);
    if (node.role.value == Role::public_sentry && host != nullptr &&
        address_family(host->address.value) == AddressFamily::name)
      add_warning(out, "address", host->address.loc,
                  "public sentry \"" + node.name.value + "\" advertises its host's DNS name \"" +
                      host->address.value + "\" as p2p.external_address: CometBFT resolves it "
                      "once at start and refuses to start when it does not resolve then "
                      "(\"p2p.external_address is incorrect\"); use an IP address",
                  {node.name.value, "host=" + host->name.value});
    for (const auto& n : neighbours_of(ctx, node)) {
      if (address_family(n.dial_host) != AddressFamily::name) continue;
      const NeighbourSpot spot = neighbour_spot(ctx, n);
      auto [it, fresh] = peers.try_emplace(spot.subject, Named{n.dial_host, spot.loc, &node, nullptr});
      if (fresh) order.push_back(spot.subject);
      if (it->second.filtered == nullptr && node.role.value != Role::public_sentry)
        it->second.filtered = &node;
    }
  }
  // The network's seeds and peers, rendered into every public sentry: a seed whose name does
  // not resolve at start is skipped until a restart, and with none resolved and an empty
  // address book the node refuses to start.
  if (ctx.topology.network) {
    const auto warn = [&](const std::vector<PartnerPeer>& list, const char* kind, const std::string& what) {
      for (std::size_t k = 0; k < list.size(); ++k) {
        const std::string& address = list[k].address.value;
        if (address_family(endpoint_host(address)) != AddressFamily::name) continue;
        add_warning(out, "address", list[k].address.loc,
                    fmt::format("{} {} of the network (\"{}\") is a DNS name: {}; use an IP address", kind, k + 1,
                                address, what),
                    {"network"});
      }
    };
    warn(ctx.topology.network->seeds, "seed",
         "CometBFT resolves p2p.seeds once at start, skips a seed whose name did not resolve then "
         "until it restarts, and refuses to start when no seed resolves and its address book is empty");
    warn(ctx.topology.network->peers, "peer",
         "CometBFT resolves persistent_peers once at start and never dials a peer whose name did not "
         "resolve then, until it restarts");
  }
  std::set<std::string> named;
  for (const auto& subject : order) {
    const Named& p = peers.at(subject);
    std::string message = "peer address \"" + p.address + "\" (" + subject +
                          ") is a DNS name: CometBFT resolves persistent_peers once at start and "
                          "never dials a peer whose name did not resolve then, until it restarts "
                          "(first in persistent_peers of \"" + p.first->name.value + "\")";
    if (p.filtered != nullptr) {
      message += "; and a firewall ruleset cannot list a name, so picket leaves it out of the "
                 "nftables rules of \"" + p.filtered->name.value + "\", whose connections from it "
                 "are dropped";
      named.insert(subject);
    }
    add_warning(out, "address", p.loc, message + "; use an IP address",
                {subject, p.first->name.value});
  }
  return named;
}

// Whether any address a node, tunnel or firewall uses is a DNS name.
bool any_dns_name(const RenderContext& ctx) {
  for (const Host& h : ctx.inventory.hosts)
    if (address_family(h.address.value) == AddressFamily::name) return true;
  for (const Partner& p : ctx.topology.partners) {
    for (const auto& peer : p.peers)
      if (address_family(endpoint_host(peer.address.value)) == AddressFamily::name) return true;
    if (p.wireguard && address_family(endpoint_host(p.wireguard->endpoint.value)) == AddressFamily::name)
      return true;
  }
  if (ctx.topology.network)
    for (const auto* list : {&ctx.topology.network->seeds, &ctx.topology.network->peers})
      for (const PartnerPeer& peer : *list)
        if (address_family(endpoint_host(peer.address.value)) == AddressFamily::name) return true;
  return false;
}

}  // namespace

void check_render(const RenderContext& ctx, Diagnostics& out) {
  check_homes(ctx, out);
  check_signer(ctx, out);
  check_restart_commands(ctx, out);
  check_boot(ctx, out);
  const SettingsDeriver deriver(ctx.peering, ctx.inventory, ctx.tunnels, ctx.node_ids);
  check_overrides(ctx.topology, deriver, out);
  check_ssh_allow(ctx, out);
  check_app(ctx, out);
  // The rest only warns about DNS names: a file with none (the common case, and the
  // 100k-node benchmark) skips a walk over every peering.
  if (!any_dns_name(ctx)) return;
  check_firewall(ctx, out, check_dns_names(ctx, out));
  check_wireguard(ctx, out);
}

void check_renderable(const Topology& topology, const Inventory& inventory, Diagnostics& out) {
  check_renderable(PeeringIndex(topology), inventory, out);
}

void check_renderable(const PeeringIndex& peering, const Inventory& inventory, Diagnostics& out) {
  const Topology& topology = peering.topology();
  const Secrets no_keys;
  const TemplateSet no_templates;
  Diagnostics tunnel_problems;
  TunnelPlan tunnels = plan_tunnels(topology, inventory, tunnel_problems);
  const bool broken = has_errors(tunnel_problems);
  out.insert(out.end(), tunnel_problems.begin(), tunnel_problems.end());
  if (broken) return;  // a broken tunnel plan would make every peer look wrong
  const RenderContext ctx{peering, inventory, no_keys, no_templates, std::move(tunnels)};
  check_render(ctx, out);
}

}  // namespace picket
