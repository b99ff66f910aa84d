#pragma once
// What the host-level renderers (WireGuard, nftables, tmkms, Prometheus) share: address
// classification, and a one-pass index of who peers with whom, so each question about a node
// or host costs its own degree, not the size of the file. The ports and join_host_port come
// from render/settings.hpp, so these files and config.toml agree on them.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "render/neighbours.hpp"
#include "render/render.hpp"
#include "render/settings.hpp"
#include "render/template_engine.hpp"

namespace picket {

/// WireGuard interface name: /etc/wireguard/picket.conf makes wg-quick call it "picket".
constexpr const char* k_wireguard_interface = "picket";

enum class AddressFamily { ipv4, ipv6, name };

/// What an address literal is: IPv4, IPv6 (no brackets, no zone), else a DNS name.
AddressFamily address_family(const std::string& address);
/// The host part of "host:port" or "[v6]:port", brackets removed; the whole text if no port.
std::string endpoint_host(const std::string& endpoint);

/// Renders template `name` once per item, each text exactly what fill_template gives for that
/// item, but parsing the template once: fill_template parses on every call (about 20 ns per
/// template byte), which for one file per host of 10k hosts is most of the time budget.
/// nullopt after a `template` error, as fill_template.
std::optional<std::vector<std::string>> fill_each(const TemplateSet& templates, const std::string& name,
                                                  std::vector<TemplateValue> items, Diagnostics& out);

/// Links and partner peerings indexed by node and host, built in one pass.
class PeeringIndex {
 public:
  /// Indexes ctx's topology; keeps a reference to ctx.
  explicit PeeringIndex(const RenderContext& ctx);

  /// neighbours() of `node`, run on a slice holding only the node's own links and partners
  /// (neighbours() scans every link it is given; the whole file per node would be quadratic).
  std::vector<Neighbour> neighbours_of(const Node& node) const;
  /// Hosts `host` shares a tunnel with: the other ends of vpn links from its nodes, and the
  /// hosts of a validator and its signer when both have a tunnel address (the signer then
  /// dials over the tunnel). Sorted, without `host`.
  std::vector<std::string> vpn_peer_hosts(const std::string& host) const;
  /// Partners peered over vpn with any node on `host`: file order, each once.
  std::vector<const Partner*> vpn_partners(const std::string& host) const;
  /// Nodes placed on `host`, in file order.
  std::vector<const Node*> nodes_on(const std::string& host) const;
  /// Validators (active ones, not standby) that name `signer` as their signer, file order.
  std::vector<const Node*> validators_of(const std::string& signer) const;
  /// Hosts that run at least one node, sorted.
  std::vector<std::string> node_hosts() const;

 private:
  const RenderContext& m_ctx;
  std::map<std::string, std::vector<std::size_t>> m_links_of;     // node -> link indices
  std::map<std::string, std::vector<std::size_t>> m_partners_of;  // node -> partner indices
  std::map<std::string, std::vector<const Node*>> m_nodes_on;     // host -> nodes
  std::map<std::string, std::vector<const Node*>> m_validators_of;  // signer -> validators
  std::map<std::string, std::vector<std::string>> m_signer_peers;    // host -> validator/signer host
};

/// How a validator and its signer reach each other: over the tunnel when both hosts have a
/// tunnel address, else over the inventory addresses.
struct SignerRoute {
  std::string validator_address;  // what tmkms dials (no port, no brackets)
  std::string signer_source;      // where the signer's connection comes from
  bool tunnel = false;            // both ends are on the tunnel
  const Host* signer_host = nullptr;  // for diagnostics about signer_source
};
/// The route between `validator` and its `signer`.
SignerRoute signer_route(const RenderContext& ctx, const Node& validator, const Node& signer);

}  // namespace picket
