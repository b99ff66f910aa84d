// nftables: one ruleset per host that runs a node, in its own table so other tables stay
// untouched. Input is dropped unless a rule below admits it:
//   - established/related, loopback, the ICMP IP needs; ICMP echo at most
//     `firewall.icmp_echo_per_second` (all sources together);
//   - SSH on the inventory port: from the host's `ssh_allow` list, or from all without one;
//   - per node, its p2p port: on a public sentry, its neighbours' sources first (no limit),
//     then everyone within the per-address limits of `firewall:` (concurrent connections and
//     new connections per minute, per IPv4 address and per IPv6 /64, in dynamic sets); else
//     only from its neighbours' source addresses (tunnel addresses over vpn, arriving on the
//     tunnel interface; host addresses over private/public links; partner peers' IPs);
//   - a validator's signer port only from its signer;
//   - metrics only from our own hosts at the other end of this host's tunnels (their tunnel
//     addresses, not the whole subnet: a partner's tunnel address may lie inside it), or,
//     with a monitoring host, metrics and node_exporter from its tunnel address only; RPC
//     from nowhere, since every node's RPC listens on 127.0.0.1 (picket reaches it through
//     the SSH connection);
//   - the WireGuard port only from the tunnel peers' endpoints;
//   - the host's `allow_ports`, from their `from` lists (or from all).
// Source lists become named sets, one per family and per path (tunnel or not), so the rules
// stay one line each however many peers there are. A DNS name cannot stand in a ruleset: it
// is left out, with one `address` warning per name.
//
// check_firewall also proves picket keeps its way in: where a host limits SSH, its
// `ssh_allow` must admit the inventory's `controller` (a host behind `jump`: its jump host's
// address), else lint refuses the topology (rule `lockout`).
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <set>

#include <map>

#include "render/checks.hpp"
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "util/toml_string.hpp"
#include "topology/address.hpp"
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
// Elements may be CIDR prefixes (an allowlist): ordered by network address, then length.
struct NumericAddressLess {
  bool operator()(const std::string& a, const std::string& b) const {
    const auto x = parse_ip_prefix(a);
    const auto y = parse_ip_prefix(b);
    if (!x || !y || x->v6 != y->v6) return a < b;
    const int cmp = std::memcmp(x->bytes, y->bytes, x->v6 ? 16 : 4);
    if (cmp != 0) return cmp < 0;
    return x->bits != y->bits ? x->bits < y->bits : a < b;
  }
};

// An allowlist entry as a set element: the prefix in nft's spelling (the loader refused
// anything else; kept as written if not, for the DNS-name warning).
std::string nft_element(const std::string& written) {
  const auto p = parse_ip_prefix(written);
  return p ? format_prefix(*p) : written;
}

// The family of a source: an IP address or CIDR prefix, else a DNS name.
AddressFamily source_family(const std::string& address) {
  const auto p = parse_ip_prefix(address);
  if (!p) return AddressFamily::name;
  return p->v6 ? AddressFamily::ipv6 : AddressFamily::ipv4;
}

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
      const AddressFamily family = source_family(s.address);
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
        bool prefixes = false;
        for (const auto& e : list) {
          elements += (elements.empty() ? "" : ",\n      ") + e;
          prefixes = prefixes || e.find('/') != std::string::npos;
        }
        TemplateValue set;
        set["comment"] = what + (tunnel ? ", through the tunnel" : "");
        set["name"] = name;
        set["type"] = v6 ? "ipv6_addr" : "ipv4_addr";
        set["elements"] = elements;
        set["has_elements"] = true;
        TemplateValue flags = TemplateValue::list();
        if (prefixes) {
          // Subnets need an interval set; auto-merge takes an address inside a listed subnet.
          flags.push_back("flags interval");
          flags.push_back("auto-merge");
        }
        set["flags"] = std::move(flags);
        m_sets.push_back(std::move(set));
        m_rules.push_back(std::string(tunnel ? "iifname \"picket\" " : "") + (v6 ? "ip6" : "ip") +
                          " saddr @" + name + " " + match + " accept comment " + toml_string(comment));
      }
  }

  // A rule with no source list.
  void rule(const std::string& text) {
    if (!m_check_only) m_rules.push_back(text);
  }

  // A set that rules fill as packets come (per-address limits): its declaration lines.
  void dynamic_set(const std::string& name, const std::string& comment, bool v6,
                   const std::vector<std::string>& lines) {
    if (m_check_only) return;
    TemplateValue set;
    set["comment"] = comment;
    set["name"] = name;
    set["type"] = v6 ? "ipv6_addr" : "ipv4_addr";
    set["has_elements"] = false;
    TemplateValue flags = TemplateValue::list();
    for (const auto& l : lines) flags.push_back(l);
    set["flags"] = std::move(flags);
    m_sets.push_back(std::move(set));
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

// IPv6 addresses are counted per /64: one machine usually holds a whole /64, so a limit per
// /128 would limit nothing.
constexpr const char* k_ipv6_per_address_mask = "ffff:ffff:ffff:ffff::";

// A public sentry's p2p port: its own peers (our nodes, partners) first, without a limit;
// then everyone else within the per-address limits of `firewall:`. A connection over the cap
// or the rate is dropped at its SYN: the stranger's surplus never reaches CometBFT, whose
// inbound slots stay for the network.
void public_p2p(const RenderContext& ctx, const Node& node, int p2p, RuleBuilder& rules) {
  const std::string id = identifier(node.name.value);
  const std::string port = "tcp dport " + std::to_string(p2p);
  std::vector<Source> sources;
  for (const auto& n : neighbours_of(ctx, node)) {
    Source s = neighbour_source(ctx, n);
    // A DNS name is still admitted, within the limits: nothing to warn about here.
    if (source_family(s.address) != AddressFamily::name) sources.push_back(std::move(s));
  }
  rules.allow("p2p_" + id, "peers of " + node.name.value, sources, port,
              "p2p of " + node.name.value + " from its peers: no per-address limit");
  const Firewall& fw = ctx.topology.firewall;
  const std::string cap = std::to_string(fw.p2p_connections_per_address.value);
  const std::string rate = std::to_string(fw.p2p_new_connections_per_minute.value);
  for (int v6 = 0; v6 < 2; ++v6) {
    const std::string family = v6 ? "_v6" : "_v4";
    const std::string key = v6 ? std::string("ip6 saddr & ") + k_ipv6_per_address_mask : "ip saddr";
    const std::string per = v6 ? " per IPv6 /64" : " per IPv4 address";
    // "limit_" names cannot meet the peer sets' "p2p_<node>" names, whatever the node names.
    const std::string conn = "limit_conn_" + id + family;
    const std::string rated = "limit_rate_" + id + family;
    rules.dynamic_set(conn,
                      "p2p connections of " + node.name.value + per + " (filled as they come)",
                      v6 != 0, {"flags dynamic", "size 65535"});
    rules.dynamic_set(rated,
                      "new p2p connections of " + node.name.value + per + " (filled as they come)",
                      v6 != 0, {"flags dynamic, timeout", "timeout 1m", "size 65535"});
    rules.rule(port + " ct state new add @" + conn + " { " + key +
               " ct count over " + cap + " } drop comment " +
               toml_string("p2p: over " + cap + " connections" + per));
    rules.rule(port + " ct state new update @" + rated + " { " + key +
               " limit rate over " + rate + "/minute burst " + cap + " packets } drop comment " +
               toml_string("p2p: over " + rate + " new connections a minute" + per));
  }
  rules.rule(port + " accept comment " +
             toml_string("p2p of public sentry " + node.name.value +
                         ": open to all, within the per-address limits"));
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
// A horcrux cosigner listens on its p2p port (raft and gRPC, on every address: horcrux binds
// ":port"): open it to the other cosigners of its signer only, over the tunnel where both
// hosts have one. Its debugAddr is bound to loopback or the tunnel (the monitor's rule).
void horcrux_rules(const RenderContext& ctx, const Node& cosigner, RuleBuilder& rules) {
  const Node* cluster = ctx.topology.find_node(*cosigner.cosigner_of);
  if (cluster == nullptr || !cluster->horcrux) return;
  const auto& tunnels = ctx.tunnels.addresses;
  const bool here = tunnels.count(cosigner.host.value) != 0;
  std::vector<Source> sources;
  for (const Node* other : signer_processes(ctx.topology, *cluster)) {
    if (other == &cosigner || other->host.value == cosigner.host.value) continue;
    const Host* h = ctx.inventory.find_host(other->host.value);
    const auto t = tunnels.find(other->host.value);
    Source s;
    s.tunnel = here && t != tunnels.end();
    s.address = s.tunnel ? t->second : (h != nullptr ? h->address.value : std::string());
    s.subject = "host=" + other->host.value;
    if (h != nullptr) s.loc = h->address.loc;
    if (!s.address.empty()) sources.push_back(std::move(s));
  }
  if (sources.empty()) return;
  rules.allow("cosigner_" + identifier(cosigner.name.value),
              "the other cosigners of " + cluster->name.value, sources,
              "tcp dport " + std::to_string(cluster->horcrux->p2p_port.value),
              "horcrux p2p of " + cosigner.name.value + " from the other cosigners");
}

void collect_host_rules(const RenderContext& ctx, const Host& host, RuleBuilder& rules) {
  const std::string& host_name = host.name.value;
  const std::string ssh = "tcp dport " + std::to_string(host.port.value);
  if (host.ssh_allow) {
    std::vector<Source> admins;
    for (const auto& a : *host.ssh_allow)
      admins.push_back({nft_element(a.value), false, "host=" + host_name, a.loc});
    rules.allow("ssh", "who may reach sshd (ssh_allow)", admins, ssh, "ssh: the ssh_allow list");
  } else {
    rules.rule(ssh + " accept comment " + toml_string("ssh: open to all (no ssh_allow)"));
  }
  std::set<int> metrics_ports;  // from our own tunnel peers only
  for (const Node* node : ctx.peering.nodes_on(host_name)) {
    if (node->cosigner_of) {
      horcrux_rules(ctx, *node, rules);
      // horcrux's Prometheus metrics (debugAddr), for the monitoring host's rule below.
      if (const Node* cluster = ctx.topology.find_node(*node->cosigner_of); cluster && cluster->horcrux)
        metrics_ports.insert(cluster->horcrux->debug_port.value);
      continue;
    }
    if (node->role.value == Role::signer) continue;  // tmkms dials out; it listens on nothing
    const int p2p = effective_p2p_port(ctx.topology, *node);
    const std::string id = identifier(node->name.value);
    if (node->role.value == Role::public_sentry) {
      public_p2p(ctx, *node, p2p, rules);
    } else {
      std::vector<Source> sources;
      for (const auto& n : neighbours_of(ctx, *node)) sources.push_back(neighbour_source(ctx, n));
      rules.allow("p2p_" + id, "peers of " + node->name.value, sources,
                  "tcp dport " + std::to_string(p2p), "p2p of " + node->name.value + " from its peers");
    }
    if (node->role.value == Role::validator && node->signer) {
      const Node* signer = ctx.topology.find_node(node->signer->value);
      if (signer != nullptr && signer->role.value == Role::signer && !signer->cosigner_of) {
        // tmkms: its host; horcrux: every cosigner's host (each dials the validator).
        std::vector<Source> sources;
        for (const Node* process : signer_processes(ctx.topology, *signer)) {
          const SignerRoute route = signer_route(ctx, *node, *process);
          Source s;
          s.address = route.signer_source;
          s.tunnel = route.tunnel;
          s.subject = "host=" + process->host.value;
          if (route.signer_host != nullptr) s.loc = route.signer_host->address.loc;
          sources.push_back(std::move(s));
        }
        if (!sources.empty())
          rules.allow("signer_" + id, "signer " + signer->name.value + " of " + node->name.value,
                      sources, "tcp dport " + std::to_string(k_signer_port),
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
  // The operator's extra ports, merged per (protocol, port): one set each.
  std::map<std::pair<std::string, int>, std::pair<bool, std::vector<Source>>> extra;
  for (const AllowedPort& a : host.allow_ports) {
    auto& [any, from] = extra[{a.proto.value, a.port.value}];
    any = any || a.any;
    for (const auto& f : a.from)
      from.push_back({nft_element(f.value), false, "host=" + host_name, f.loc});
  }
  for (const auto& [key, value] : extra) {
    const std::string match = key.first + " dport " + std::to_string(key.second);
    if (value.first)
      rules.rule(match + " accept comment " + toml_string("allow_ports: open to all"));
    else
      rules.allow("allow_" + key.first + "_" + std::to_string(key.second),
                  "allow_ports: " + key.first + " " + std::to_string(key.second), value.second,
                  match, "allow_ports");
  }
}

// Where picket's SSH connection to `host` comes from, as the lock-out check sees it.
struct SshSource {
  std::vector<Located<std::string>> addresses;
  std::string what;  // for messages
};

// Checks that `host`'s ssh_allow admits picket (rule `lockout`). Problems are grouped by the
// ssh_allow list and the address it misses, so one `defaults` list is one finding.
struct Lockout {
  Location loc;
  std::string verb_one, verb_many;  // the message's verb after one host, after several
  std::string message_tail;
  std::vector<std::string> hosts;
  bool warning = false;
};

void check_lockout(const RenderContext& ctx, const Host& host,
                   std::map<std::string, Lockout>& found) {
  if (!host.ssh_allow) return;
  std::vector<IpPrefix> allowed;
  for (const auto& a : *host.ssh_allow)
    if (auto p = parse_ip_prefix(a.value)) allowed.push_back(*p);
  const std::string where = std::to_string(host.ssh_allow_loc.line) + ":" +
                            std::to_string(host.ssh_allow_loc.column) + "\n";
  auto report = [&](const std::string& key, const char* one, const char* many, std::string tail,
                    bool warning) {
    Lockout& l = found[where + key];
    l.loc = host.ssh_allow_loc;
    l.verb_one = one;
    l.verb_many = many;
    l.message_tail = std::move(tail);
    l.warning = warning;
    l.hosts.push_back(host.name.value);
  };
  std::vector<std::pair<Located<std::string>, std::string>> sources;  // address, what it is
  if (host.jump) {
    const Host* jump = ctx.inventory.find_host(host.jump->value);
    if (jump == nullptr) return;  // the loader reports it
    if (!parse_ip_prefix(jump->address.value)) {
      report("jump " + jump->name.value, "is", "are",
             "reached through jump host \"" + jump->name.value + "\", whose address \"" +
                 jump->address.value +
                 "\" is a DNS name: lint cannot tell whether \"ssh_allow\" admits where "
                 "picket's connection comes from; make sure it does (deploy checks it on the "
                 "host before a firewall reload)",
             true);
      return;
    }
    sources.push_back({jump->address, "the address of jump host \"" + jump->name.value +
                                          "\", where picket's SSH connection comes from"});
  } else if (ctx.inventory.controller.empty()) {
    report("no controller", "limits", "limit",
           "SSH with \"ssh_allow\", but the inventory names no \"controller\": lint "
           "cannot prove picket keeps its way in; add \"controller:\" with the address or "
           "subnet picket deploys from",
           false);
    return;
  } else {
    for (const auto& c : ctx.inventory.controller)
      sources.push_back({c, "picket's \"controller\""});
  }
  for (const auto& [address, what] : sources) {
    const auto p = parse_ip_prefix(address.value);
    if (!p) continue;  // the loader reports it
    const bool admitted = std::any_of(allowed.begin(), allowed.end(),
                                      [&](const IpPrefix& a) { return prefix_contains(a, *p); });
    if (admitted) continue;
    report("source " + address.value, "does", "do",
           "not admit " + address.value + " (" + what +
               ") in \"ssh_allow\": the firewall would lock picket out; add it to \"ssh_allow\"",
           false);
  }
}

void report_lockouts(const std::map<std::string, Lockout>& found, Diagnostics& out) {
  for (const auto& [key, l] : found) {
    std::string names;
    std::vector<std::string> subjects;
    for (const auto& h : l.hosts) {
      names += (names.empty() ? "" : ", ") + std::string("\"") + h + "\"";
      subjects.push_back("host=" + h);
    }
    const std::string message =
        std::string(l.hosts.size() == 1 ? "host " : "hosts ") + names + " " +
        (l.hosts.size() == 1 ? l.verb_one : l.verb_many) + " " + l.message_tail;
    if (l.warning)
      add_warning(out, "lockout", l.loc, message, subjects);
    else
      add_error(out, "lockout", l.loc, message, subjects);
  }
}
}  // namespace

void check_firewall(const RenderContext& ctx, Diagnostics& out, const std::set<std::string>& said) {
  std::set<std::string> warned = said;  // DNS names reported once, not once per firewall
  for (const auto& host_name : firewall_hosts(ctx)) {
    const Host* host = ctx.inventory.find_host(host_name);
    if (host == nullptr) continue;  // the loader reports it
    RuleBuilder rules(out, warned, host_name, /*check_only=*/true);
    collect_host_rules(ctx, *host, rules);
  }
}

void check_ssh_allow(const RenderContext& ctx, Diagnostics& out) {
  std::map<std::string, Lockout> lockouts;
  for (const auto& host_name : firewall_hosts(ctx))
    if (const Host* host = ctx.inventory.find_host(host_name)) check_lockout(ctx, *host, lockouts);
  report_lockouts(lockouts, out);
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
    collect_host_rules(ctx, *host, rules);

    TemplateValue data;
    data["host"] = host_name;
    data["icmp_echo_per_second"] = std::to_string(ctx.topology.firewall.icmp_echo_per_second.value);
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
