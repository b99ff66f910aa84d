// nftables: one ruleset per host that runs a node, in its own table so other tables stay
// untouched. Input is dropped unless a rule below admits it:
//   - established/related, loopback, the ICMP IP needs, SSH on the inventory port;
//   - per node, its p2p port: to all on a public sentry, else only from its neighbours'
//     source addresses (tunnel addresses over vpn, arriving on the tunnel interface; host
//     addresses over private/public links; partner peers' IPs);
//   - a validator's signer port only from its signer;
//   - metrics only from our own hosts at the other end of this host's tunnels (their tunnel
//     addresses, not the whole subnet: a partner's tunnel address may lie inside it), or,
//     with a monitoring host, metrics and node_exporter from its tunnel address only; RPC
//     from nowhere, since every node's RPC listens on 127.0.0.1 (picket reaches it through
//     the SSH connection);
//   - the WireGuard port only from the tunnel peers' endpoints.
// Source lists become named sets, one per family and per path (tunnel or not), so the rules
// stay one line each however many peers there are. A DNS name cannot stand in a ruleset: it
// is left out, with one `address` warning per name.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "render/checks.hpp"
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "util/toml_string.hpp"
#include "topology/effective.hpp"
#include "topology/monitoring.hpp"

namespace picket {

namespace {
constexpr const char* k_firewall_path = "/etc/nftables.d/picket.nft";

// nft identifiers: node names are [a-z0-9-]; '_' keeps set names plain and unambiguous.
std::string identifier(const std::string& name) {
  std::string out = name;
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

// Numeric order for set elements (10.0.0.9 before 10.0.0.10), so a diff of the ruleset shows
// what changed rather than a reshuffle. Both sides are IP literals of one family here.
struct NumericAddressLess {
  bool operator()(const std::string& a, const std::string& b) const {
    unsigned char x[16] = {};
    unsigned char y[16] = {};
    const int family = a.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (inet_pton(family, a.c_str(), x) != 1 || inet_pton(family, b.c_str(), y) != 1) return a < b;
    const int cmp = std::memcmp(x, y, family == AF_INET ? 4 : 16);
    return cmp != 0 ? cmp < 0 : a < b;
  }
};

// Where an address came from, for the warning when it is a DNS name.
struct Source {
  std::string address;
  bool tunnel = false;       // arrives on the tunnel interface
  std::string subject;       // "host=NAME" or "<partner>/<n>"
  Location loc;
};

// Collects sources into per-(path, family) sets and emits the rules using them.
class RuleBuilder {
 public:
  /// `check_only`: report the names, build no rules (lint's check of every host).
  RuleBuilder(Diagnostics& out, std::set<std::string>& warned, const std::string& host,
              bool check_only = false)
      : m_out(out), m_warned(warned), m_host(host), m_check_only(check_only) {}

  // Admits `sources` to `match` (e.g. "tcp dport 26656"); `stem` names the sets.
  void allow(const std::string& stem, const std::string& what, const std::vector<Source>& sources,
             const std::string& match, const std::string& comment) {
    std::set<std::string, NumericAddressLess> lists[2][2];  // [tunnel][ipv6]
    for (const auto& s : sources) {
      if (s.address.empty()) continue;
      const AddressFamily family = address_family(s.address);
      if (family == AddressFamily::name) {
        warn_name(s);
        continue;
      }
      if (m_check_only) continue;
      lists[s.tunnel ? 1 : 0][family == AddressFamily::ipv6 ? 1 : 0].insert(s.address);
    }
    for (int tunnel = 0; tunnel < 2; ++tunnel)
      for (int v6 = 0; v6 < 2; ++v6) {
        const auto& list = lists[tunnel][v6];
        if (list.empty()) continue;
        const std::string name =
            stem + (tunnel ? "_vpn" : "") + (v6 ? "_v6" : "_v4");
        std::string elements;
        for (const auto& e : list) elements += (elements.empty() ? "" : ",\n      ") + e;
        TemplateValue set;
        set["comment"] = what + (tunnel ? ", through the tunnel" : "");
        set["name"] = name;
        set["type"] = v6 ? "ipv6_addr" : "ipv4_addr";
        set["elements"] = elements;
        m_sets.push_back(std::move(set));
        m_rules.push_back(std::string(tunnel ? "iifname \"picket\" " : "") + (v6 ? "ip6" : "ip") +
                          " saddr @" + name + " " + match + " accept comment " + toml_string(comment));
      }
  }

  // A rule with no source list.
  void rule(const std::string& text) {
    if (!m_check_only) m_rules.push_back(text);
  }

  TemplateValue sets() const {
    TemplateValue v = TemplateValue::list();
    for (const auto& s : m_sets) v.push_back(s);
    return v;
  }
  TemplateValue rules() const {
    TemplateValue v = TemplateValue::list();
    for (const auto& r : m_rules) v.push_back(r);
    return v;
  }

 private:
  void warn_name(const Source& s) {
    if (!m_warned.insert(s.subject).second) return;
    add_warning(m_out, "address", s.loc,
                "address \"" + s.address + "\" (" + s.subject +
                    ") is a DNS name, which a firewall ruleset cannot list: picket leaves it out of "
                    "the nftables rules (first on host " + m_host +
                    "), so connections from it are dropped; use an IP address",
                {s.subject});
  }

  Diagnostics& m_out;
  std::set<std::string>& m_warned;
  std::string m_host;
  bool m_check_only = false;
  std::vector<TemplateValue> m_sets;
  std::vector<std::string> m_rules;
};

// The source a neighbour's traffic comes from, with where its address was written.
Source neighbour_source(const RenderContext& ctx, const Neighbour& n) {
  const NeighbourSpot spot = neighbour_spot(ctx, n);
  Source s;
  s.address = n.source_ip;
  s.tunnel = n.over == LinkKind::vpn;
  s.subject = spot.subject;
  s.loc = spot.loc;
  return s;
}

std::string port_list(const std::set<int>& ports) {
  if (ports.size() == 1) return std::to_string(*ports.begin());
  std::string out = "{ ";
  for (int p : ports) out += (out.size() > 2 ? ", " : "") + std::to_string(p);
  return out + " }";
}

// The hosts that get a firewall: every host with a node, and the monitoring host.
std::vector<std::string> firewall_hosts(const RenderContext& ctx) {
  std::vector<std::string> hosts = ctx.peering.node_hosts();
  if (ctx.topology.monitoring) {
    const std::string& monitor = ctx.topology.monitoring->host.value;
    auto at = std::lower_bound(hosts.begin(), hosts.end(), monitor);
    if (at == hosts.end() || *at != monitor) hosts.insert(at, monitor);
  }
  return hosts;
}

// Every rule of one host; DNS names that cannot stand in them are reported through `rules`.
void collect_host_rules(const RenderContext& ctx, const std::string& host_name, RuleBuilder& rules) {
  std::set<int> metrics_ports;  // from our own tunnel peers only
  for (const Node* node : ctx.peering.nodes_on(host_name)) {
    if (node->role.value == Role::signer) continue;  // tmkms dials out; it listens on nothing
    const int p2p = effective_p2p_port(ctx.topology, *node);
    const std::string id = identifier(node->name.value);
    if (node->role.value == Role::public_sentry) {
      rules.rule("tcp dport " + std::to_string(p2p) + " accept comment " +
                 toml_string("p2p of public sentry " + node->name.value + ": open to all"));
    } else {
      std::vector<Source> sources;
      for (const auto& n : neighbours_of(ctx, *node)) sources.push_back(neighbour_source(ctx, n));
      rules.allow("p2p_" + id, "peers of " + node->name.value, sources,
                  "tcp dport " + std::to_string(p2p), "p2p of " + node->name.value + " from its peers");
    }
    if (node->role.value == Role::validator && node->signer) {
      const Node* signer = ctx.topology.find_node(node->signer->value);
      if (signer != nullptr && signer->role.value == Role::signer) {
        const SignerRoute route = signer_route(ctx, *node, *signer);
        Source s;
        s.address = route.signer_source;
        s.tunnel = route.tunnel;
        s.subject = "host=" + signer->host.value;
        if (route.signer_host != nullptr) s.loc = route.signer_host->address.loc;
        rules.allow("signer_" + id, "signer " + signer->name.value + " of " + node->name.value,
                    {s}, "tcp dport " + std::to_string(k_signer_port),
                    "signer " + signer->name.value + " dials " + node->name.value);
      }
    }
    metrics_ports.insert(effective_metrics_port(ctx.topology, *node));
  }
  const bool tunnel = ctx.tunnels.addresses.count(host_name) != 0;
  const std::string* monitor = ctx.topology.monitoring ? &ctx.topology.monitoring->host.value : nullptr;
  if (monitor != nullptr) {
    // With a monitoring host, it alone scrapes: CometBFT's metrics and node_exporter, from
    // its tunnel address. On the monitoring host itself the scrapes arrive on loopback.
    const auto from = ctx.tunnels.addresses.find(*monitor);
    if (tunnel && host_name != *monitor && from != ctx.tunnels.addresses.end()) {
      metrics_ports.insert(k_node_exporter_port);
      rules.allow("metrics", "the monitoring host " + *monitor, {{from->second, true, "host=" + *monitor, {}}},
                  "tcp dport " + port_list(metrics_ports), "metrics and node_exporter: the monitoring host only");
    }
  } else if (tunnel && !metrics_ports.empty()) {
    std::vector<Source> ours;
    for (const auto& other : vpn_peer_hosts(ctx, host_name)) {
      auto it = ctx.tunnels.addresses.find(other);
      if (it != ctx.tunnels.addresses.end()) ours.push_back({it->second, true, "host=" + other, {}});
    }
    rules.allow("metrics", "our own hosts at the other end of the tunnels", ours,
                "tcp dport " + port_list(metrics_ports), "metrics: our own tunnel peers only");
  }
  if (tunnel) {
    std::vector<Source> endpoints;
    for (const auto& other : vpn_peer_hosts(ctx, host_name)) {
      const Host* h = ctx.inventory.find_host(other);
      if (h == nullptr) continue;
      endpoints.push_back({h->address.value, false, "host=" + other, h->address.loc});
    }
    for (const Partner* partner : vpn_partners(ctx, host_name)) {
      if (!partner->wireguard) continue;
      endpoints.push_back({endpoint_host(partner->wireguard->endpoint.value), false,
                           partner->name.value,
                           partner->wireguard->endpoint.loc});
    }
    rules.allow("wireguard_peers", "WireGuard endpoints of the tunnel peers", endpoints,
                "udp dport " + std::to_string(ctx.tunnels.port), "wireguard from the tunnel peers");
  }
}
}  // namespace

void check_firewall(const RenderContext& ctx, Diagnostics& out, const std::set<std::string>& said) {
  std::set<std::string> warned = said;  // DNS names reported once, not once per firewall
  for (const auto& host_name : firewall_hosts(ctx)) {
    if (ctx.inventory.find_host(host_name) == nullptr) continue;  // the loader reports it
    RuleBuilder rules(out, warned, host_name, /*check_only=*/true);
    collect_host_rules(ctx, host_name, rules);
  }
}

void render_firewall(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  // The DNS names left out are check_firewall's to report (lint and render_all run it).
  Diagnostics reported;
  std::set<std::string> warned;
  std::vector<std::string> hosts;
  std::vector<TemplateValue> items;
  for (const auto& host_name : firewall_hosts(ctx)) {
    const Host* host = ctx.inventory.find_host(host_name);
    if (host == nullptr) continue;  // the loader reports the dangling host
    RuleBuilder rules(reported, warned, host_name);
    collect_host_rules(ctx, host_name, rules);

    TemplateValue data;
    data["host"] = host_name;
    data["ssh_port"] = std::to_string(host->port.value);
    data["sets"] = rules.sets();
    data["rules"] = rules.rules();
    hosts.push_back(host_name);
    items.push_back(std::move(data));
  }
  auto texts = fill_each(ctx.templates, "nftables.nft", std::move(items), out);
  if (!texts) return;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    RenderedFile file;
    file.host = hosts[i];
    file.path = k_firewall_path;
    file.mode = 0644;
    file.content = std::move((*texts)[i]);
    file.action = ApplyAction::reload_firewall;
    files.push_back(std::move(file));
  }
}

}  // namespace picket
