// WireGuard: one wg-quick file per tunnel host. A host peers with every host at the other end
// of a vpn link from any of its nodes (once per host, however many links), and with every
// partner peered over vpn with one of its nodes. Missing private keys are collected for all
// hosts first, so the user sees every one at once.
#include <algorithm>
#include <set>

#include "render/checks.hpp"
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "util/text.hpp"

namespace picket {

namespace {
constexpr const char* k_wireguard_path = "/etc/wireguard/picket.conf";

// "/32" for IPv4, "/128" for IPv6; "" for a DNS name (AllowedIPs cannot hold one).
std::string host_route(const std::string& ip) {
  switch (address_family(ip)) {
    case AddressFamily::ipv4: return ip + "/32";
    case AddressFamily::ipv6: return ip + "/128";
    case AddressFamily::name: return {};
  }
  return {};
}

}  // namespace

void check_wireguard(const RenderContext& ctx, Diagnostics& out) {
  std::set<const Partner*> seen;
  for (const auto& [host, address] : ctx.tunnels.addresses) {
    for (const Partner* partner : vpn_partners(ctx, host)) {
      if (!partner->wireguard || !seen.insert(partner).second) continue;
      for (std::size_t i = 0; i < partner->peers.size(); ++i) {
        const auto& p = partner->peers[i];
        if (!host_route(endpoint_host(p.address.value)).empty()) continue;
        add_warning(out, "address", p.address.loc,
                    "partner peer address \"" + p.address.value +
                        "\" is a DNS name: WireGuard AllowedIPs need an IP, so it is left out of the tunnel",
                    {partner->name.value + "/" + std::to_string(i + 1)});
      }
    }
  }
}

void render_wireguard(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  if (ctx.tunnels.addresses.empty()) return;
  bool missing = false;
  for (const auto& [host, address] : ctx.tunnels.addresses) {
    if (ctx.secrets.wireguard.count(host) != 0) continue;
    const Host* h = ctx.inventory.find_host(host);
    add_error(out, "missing-key", h != nullptr ? h->name.loc : Location{},
              "host \"" + host + "\" carries a vpn link but has no WireGuard key: run \"picket keys\" to create it",
              {"host=" + host});
    missing = true;
  }
  if (missing) return;  // a tunnel file without its key, or without a peer's, would be wrong

  std::vector<std::string> hosts;
  std::vector<TemplateValue> items;
  for (const auto& [host, address] : ctx.tunnels.addresses) {
    TemplateValue data;
    data["host"] = host;
    data["private_key"] = base64_key(ctx.secrets.wireguard.at(host).private_key);
    data["address"] = address;
    data["prefix"] = std::to_string(ctx.tunnels.prefix);
    data["port"] = std::to_string(ctx.tunnels.port);
    TemplateValue peers = TemplateValue::list();
    for (const auto& other : vpn_peer_hosts(ctx, host)) {
      const Host* h = ctx.inventory.find_host(other);
      auto tunnel = ctx.tunnels.addresses.find(other);
      if (h == nullptr || tunnel == ctx.tunnels.addresses.end()) continue;  // loader's to report
      std::string names;
      for (const Node* n : ctx.peering.nodes_on(other)) names += (names.empty() ? "" : ", ") + n->name.value;
      if (ctx.topology.monitoring && ctx.topology.monitoring->host.value == other)
        names += std::string(names.empty() ? "" : ", ") + "monitoring";
      TemplateValue peer;
      peer["comment"] = "host " + other + " (" + names + ")";
      peer["public_key"] = base64_key(ctx.secrets.wireguard.at(other).public_key);
      peer["allowed_ips"] = tunnel->second + "/32";
      peer["endpoint"] = join_host_port(h->address.value, ctx.tunnels.port);
      peers.push_back(std::move(peer));
    }
    for (const Partner* partner : vpn_partners(ctx, host)) {
      if (!partner->wireguard) continue;  // the loader reports a vpn partner without one
      std::vector<std::string> allowed;
      for (const auto& p : partner->peers) {
        std::string route = host_route(endpoint_host(p.address.value));
        if (!route.empty()) allowed.push_back(route);  // a DNS name: check_wireguard warns
      }
      if (allowed.empty()) continue;  // a peer with no AllowedIPs would carry nothing
      // Two peers of one partner may share an address; WireGuard rejects a repeated route.
      std::sort(allowed.begin(), allowed.end());
      allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
      TemplateValue peer;
      peer["comment"] = "partner " + partner->name.value;
      peer["public_key"] = partner->wireguard->public_key.value;
      peer["allowed_ips"] = join(allowed, ", ");
      peer["endpoint"] = partner->wireguard->endpoint.value;
      peers.push_back(std::move(peer));
    }
    data["peers"] = std::move(peers);
    hosts.push_back(host);
    items.push_back(std::move(data));
  }
  auto texts = fill_each(ctx.templates, "wireguard.conf", std::move(items), out);
  if (!texts) return;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    RenderedFile file;
    file.host = hosts[i];
    file.path = k_wireguard_path;
    file.mode = 0600;
    file.content = std::move((*texts)[i]);
    file.secret = true;
    file.action = ApplyAction::reload_vpn;
    files.push_back(std::move(file));
  }
}

}  // namespace picket
