#pragma once
// What the host-level renderers (WireGuard, nftables, tmkms, Prometheus) share: address
// classification, and the host-level questions about who peers with whom, answered from the
// context's PeeringIndex (topology/peering.hpp), so each costs its own degree, not the size
// of the file. The ports and join_host_port come
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

/// neighbours() of `node` over the context's index and IDs.
std::vector<Neighbour> neighbours_of(const RenderContext& ctx, const Node& node);
/// Hosts `host` shares a tunnel with: the other ends of vpn links from its nodes, and the
/// hosts of a validator (standby too) and its signer when both have a tunnel address (the
/// signer then dials over the tunnel), and the monitoring host with every host it scrapes.
/// Sorted, without `host`.
std::vector<std::string> vpn_peer_hosts(const RenderContext& ctx, const std::string& host);
/// Partners peered over vpn with any node on `host`: file order, each once.
std::vector<const Partner*> vpn_partners(const RenderContext& ctx, const std::string& host);

/// Who a neighbour is in a diagnostic, and where its address is written.
struct NeighbourSpot {
  std::string subject;  // "host=NAME" for our nodes, "<partner>/<n>" for partner peers
  Location loc;         // the host's `address`, or the partner peer's `address`
};
/// The spot of neighbour `n` (one of neighbours_of()).
NeighbourSpot neighbour_spot(const RenderContext& ctx, const Neighbour& n);

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
