#pragma once
// A small topology and inventory built in C++ (no loader needed), shared by the output tests.
//
//   validator (val-ams, signer kms) --vpn-- priv-fra --private-- pub-nyc
//                                           priv-fra --vpn------ pub-sgp
//                                           priv-fra --vpn------ priv-ams --public-- pub-nyc
//   partner certus (one peer) peers with priv-fra and priv-ams.
// Datacenters: equinix-am5 (val-ams, hsm-ams, ams-2), equinix-fr5 (fra-1), sgp-dc (sgp-1);
// nyc-1 has no datacenter.

#include <memory>
#include <string>

#include "topology/analysis.hpp"
#include "topology/model.hpp"

namespace picket::testing {

inline Host make_host(std::string name, std::optional<std::string> datacenter,
                      std::optional<std::string> region, std::optional<std::string> provider) {
  Host h;
  h.name.value = std::move(name);
  h.address.value = "198.51.100.1";
  auto located = [](std::optional<std::string> v) -> std::optional<Located<std::string>> {
    if (!v) return std::nullopt;
    return Located<std::string>{std::move(*v), {}};
  };
  h.datacenter = located(std::move(datacenter));
  h.region = located(std::move(region));
  h.provider = located(std::move(provider));
  return h;
}

inline Node make_node(std::string name, Role role, std::string host) {
  Node n;
  n.name.value = std::move(name);
  n.role.value = role;
  n.host.value = std::move(host);
  return n;
}

inline Link make_link(std::string a, std::string b, LinkKind over) {
  Link l;
  l.a.value = std::move(a);
  l.b.value = std::move(b);
  l.over.value = over;
  return l;
}

inline Inventory sample_inventory() {
  Inventory inv;
  inv.path = std::make_shared<const std::string>("inventory.yaml");
  inv.hosts.push_back(make_host("val-ams", "equinix-am5", "eu-west", "acme-metal"));
  inv.hosts.push_back(make_host("hsm-ams", "equinix-am5", "eu-west", "acme-metal"));
  inv.hosts.push_back(make_host("ams-2", "equinix-am5", "eu-west", "acme-metal"));
  inv.hosts.push_back(make_host("fra-1", "equinix-fr5", "eu-central", "vps-co"));
  inv.hosts.push_back(make_host("nyc-1", std::nullopt, "us-east", "vps-co"));
  inv.hosts.push_back(make_host("sgp-1", "sgp-dc", "ap-south", "cloud-sg"));
  inv.index_hosts();
  return inv;
}

inline Topology sample_topology() {
  Topology t;
  t.path = std::make_shared<const std::string>("topology.yaml");
  t.version.value = 1;
  t.chain.id.value = "cosmoshub-4";
  t.chain.cometbft.value = "0.38";
  Node validator = make_node("validator", Role::validator, "val-ams");
  validator.signer = Located<std::string>{"kms", {}};
  t.nodes.push_back(std::move(validator));
  t.nodes.push_back(make_node("kms", Role::signer, "hsm-ams"));
  t.nodes.push_back(make_node("priv-fra", Role::private_sentry, "fra-1"));
  t.nodes.push_back(make_node("priv-ams", Role::private_sentry, "ams-2"));
  t.nodes.push_back(make_node("pub-nyc", Role::public_sentry, "nyc-1"));
  t.nodes.push_back(make_node("pub-sgp", Role::public_sentry, "sgp-1"));
  t.links.push_back(make_link("validator", "priv-fra", LinkKind::vpn));
  t.links.push_back(make_link("priv-fra", "pub-nyc", LinkKind::private_net));
  t.links.push_back(make_link("pub-sgp", "priv-fra", LinkKind::vpn));
  t.links.push_back(make_link("priv-fra", "priv-ams", LinkKind::vpn));
  t.links.push_back(make_link("priv-ams", "pub-nyc", LinkKind::public_net));
  Partner certus;
  certus.name.value = "certus";
  PartnerPeer peer;
  peer.id.value = "2b3d4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e";
  peer.address.value = "203.0.113.7:26656";
  certus.peers.push_back(peer);
  certus.with.push_back({"priv-fra", {}});
  certus.with.push_back({"priv-ams", {}});
  t.partners.push_back(std::move(certus));
  t.index_nodes();
  return t;
}

/// What the graph analysis says about the sample: everything hangs on priv-fra.
inline GraphAnalysis sample_analysis() {
  GraphAnalysis a;
  a.reach.validator = "validator";
  a.reach.paths = 1;
  a.reach.cut = {"priv-fra"};
  a.reach.shortest_path = {"validator", "priv-fra", "pub-nyc", "network"};
  a.reach.public_sentries = {"pub-nyc", "pub-sgp"};
  a.reach.partners = {"certus"};
  a.spof_nodes = {"priv-fra"};
  a.spof_links = {{"priv-fra", "validator"}};
  a.spof_domains = {{DomainKind::host, "fra-1"}, {DomainKind::datacenter, "equinix-fr5"}};
  return a;
}

}  // namespace picket::testing
