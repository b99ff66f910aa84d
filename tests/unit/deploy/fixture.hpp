#pragma once
// A small sentry network built by hand (no loader needed) and the files render would give
// it, for the deploy tests on the in-memory twin.
//
//   validator(val-ams) ── priv-fra(fra-1) ── pub-nyc(nyc-1) ── network
//          │                   ╳
//          └───────────── priv-ams(ams-2) ── pub-sgp(sgp-1) ── network
//   kms(hsm-ams): the validator's signer (not a graph vertex)

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/memory_transport.hpp"
#include "render/file_set.hpp"
#include "topology/model.hpp"

namespace picket::test {

inline Located<std::string> located(std::string s) { return {std::move(s), {}}; }

inline void add_node(Topology& t, const std::string& name, Role role, const std::string& host) {
  Node n;
  n.name = located(name);
  n.role = {role, {}};
  n.host = located(host);
  t.nodes.push_back(std::move(n));
}

inline void add_link(Topology& t, const std::string& a, const std::string& b) {
  Link l;
  l.a = located(a);
  l.b = located(b);
  t.links.push_back(std::move(l));
}

inline Host& add_host(Inventory& inv, const std::string& name, const std::string& address) {
  Host h;
  h.name = located(name);
  h.address = located(address);
  h.home = located("/home/cosmos/.gaia");
  h.service = located("cosmovisor.service");
  h.become = located("sudo");
  inv.hosts.push_back(std::move(h));
  return inv.hosts.back();
}

/// The network of the header comment.
inline Topology sentry_topology() {
  Topology t;
  t.chain.id = located("testnet-1");
  t.chain.cometbft = located("0.38");
  add_node(t, "validator", Role::validator, "val-ams");
  add_node(t, "kms", Role::signer, "hsm-ams");
  add_node(t, "priv-fra", Role::private_sentry, "fra-1");
  add_node(t, "priv-ams", Role::private_sentry, "ams-2");
  add_node(t, "pub-nyc", Role::public_sentry, "nyc-1");
  add_node(t, "pub-sgp", Role::public_sentry, "sgp-1");
  t.nodes[0].signer = located("kms");
  add_link(t, "validator", "priv-fra");
  add_link(t, "validator", "priv-ams");
  add_link(t, "priv-fra", "pub-nyc");
  add_link(t, "priv-fra", "pub-sgp");
  add_link(t, "priv-ams", "pub-nyc");
  add_link(t, "priv-ams", "pub-sgp");
  t.index_nodes();
  return t;
}

inline Inventory sentry_inventory() {
  Inventory inv;
  add_host(inv, "ams-2", "198.51.100.21");
  add_host(inv, "fra-1", "198.51.100.20");
  Host& hsm = add_host(inv, "hsm-ams", "198.51.100.11");
  hsm.home = located("/home/cosmos/.tmkms");
  // hsm-ams keeps the nodes' service of the defaults (cosmovisor.service), as an inventory
  // with one `defaults.service` gives it: the signer restarts its own unit all the same.
  add_host(inv, "nyc-1", "198.51.100.30");
  add_host(inv, "sgp-1", "198.51.100.31");
  add_host(inv, "val-ams", "198.51.100.10");
  inv.index_hosts();
  return inv;
}

inline RenderedFile file(std::string host, std::string path, std::uint32_t mode,
                         std::string content, std::string node, bool secret,
                         ApplyAction action) {
  return RenderedFile{std::move(host), std::move(path), mode,   std::move(content),
                      std::move(node), secret,          action};
}

/// config.toml + node_key.json per CometBFT node, tmkms.toml for the signer, fra-1's
/// firewall and WireGuard config, and a local-only Prometheus file. Secret contents carry
/// the marker "SECRET" so tests can prove they never leak.
inline FileSet sentry_files() {
  FileSet files;
  const std::vector<std::pair<std::string, std::string>> nodes = {
      {"ams-2", "priv-ams"}, {"fra-1", "priv-fra"}, {"nyc-1", "pub-nyc"},
      {"sgp-1", "pub-sgp"},  {"val-ams", "validator"}};
  for (const auto& [host, node] : nodes) {
    files.push_back(file(host, "/home/cosmos/.gaia/config/config.toml", 0644,
                         "moniker = \"" + node + "\"\n\n[p2p]\npex = true\nseeds = \"\"\n", node,
                         false, ApplyAction::restart_node));
    files.push_back(file(host, "/home/cosmos/.gaia/config/node_key.json", 0600,
                         "{\"priv_key\":\"SECRET-" + node + "\"}", node, true,
                         ApplyAction::restart_node));
  }
  files.push_back(file("fra-1", "/etc/nftables.d/picket.nft", 0644,
                       "table inet picket {\n  chain input {\n    tcp dport 26656 accept\n  }\n}\n",
                       "", false, ApplyAction::reload_firewall));
  files.push_back(file("fra-1", "/etc/wireguard/picket.conf", 0600,
                       "[Interface]\nPrivateKey = SECRET-wg-fra\n", "", true,
                       ApplyAction::reload_vpn));
  files.push_back(file("hsm-ams", "/home/cosmos/.tmkms/tmkms.toml", 0644,
                       "[[validator]]\nchain_id = \"testnet-1\"\n", "kms", false,
                       ApplyAction::restart_signer));
  files.push_back(file("", "/prometheus/targets.yml", 0644, "- targets: []\n", "", false,
                       ApplyAction::none));
  sort_files(files);
  return files;
}

/// Puts every file of `files` on the twin as if a deploy had written it.
inline void install(MemoryFleet& fleet, const FileSet& files) {
  for (const RenderedFile& f : files)
    if (!f.host.empty()) fleet.host(f.host).files[f.path] = RemoteFile{f.content, f.mode};
}

/// The file of `files` at host/path.
inline RenderedFile& find_file(FileSet& files, const std::string& host, const std::string& path) {
  for (RenderedFile& f : files)
    if (f.host == host && f.path == path) return f;
  throw std::runtime_error("no file " + host + ":" + path);
}

}  // namespace picket::test
