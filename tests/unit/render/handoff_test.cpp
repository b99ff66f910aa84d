// The partner handoff (render/handoff.hpp) of the bundled sentry network, as a golden, and
// held against the files render gives the same hosts: the IDs our nodes really have, the
// WireGuard keys and tunnel addresses in their picket.conf, the addresses their firewall
// admits. What it lists must be what deploy leaves on the hosts.
#include <gtest/gtest.h>

#include <regex>

#include "render/handoff.hpp"
#include "render/neighbours.hpp"
#include "render/tunnel.hpp"
#include "tests/unit/render/host_fixture.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

using namespace test;

Network sentry_network() {
  const std::filesystem::path root(PICKET_SOURCE_DIR);
  Diagnostics diags;
  Network net;
  net.topology = load_topology({"examples/sentry-network/topology.yaml",
                                read_text(root / "examples/sentry-network/topology.yaml")}, diags);
  net.inventory = load_inventory({"inventories/sentry-network.yaml",
                                  read_text(root / "inventories/sentry-network.yaml")}, diags);
  EXPECT_EQ(dump(diags), "");
  std::uint8_t seed = 1;
  for (const auto& h : net.inventory.hosts)
    net.secrets.wireguard[h.name.value] = wireguard_key_from_private(fixed_key(seed++));
  for (const Node& n : net.topology.nodes)
    if (n.role.value != Role::signer) net.secrets.node_keys[n.name.value] = node_key_from_seed(fixed_key(seed++));
  return net;
}

struct Rendered {
  FileSet files;
  std::vector<Handoff> handoffs;
};

Rendered render_with_handoffs(const Network& net) {
  Rendered r;
  Diagnostics diags;
  r.files = render_all(net.topology, net.inventory, net.secrets, builtin_templates(), diags);
  EXPECT_EQ(dump(diags), "");
  const RenderContext ctx(net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, diags));
  r.handoffs = partner_handoffs(ctx);
  return r;
}

TEST(Handoff, SentryNetworkMatchesGolden) {
  if (!keys_available()) GTEST_SKIP() << "libsodium is not initialised";
  const Rendered r = render_with_handoffs(sentry_network());
  ASSERT_EQ(r.handoffs.size(), 2u);
  std::string all;
  for (const Handoff& h : r.handoffs) all += format_handoff_text(h) + "----\n" + format_handoff_json(h) + "====\n";
  expect_golden("handoff-sentry-network.txt", all);
}

TEST(Handoff, AgreesWithTheRenderedFiles) {
  const Network net = sentry_network();
  const Rendered r = render_with_handoffs(net);
  const std::vector<std::string> ids = node_ids_of(net.topology, net.secrets);
  std::size_t nodes = 0, tunnels = 0, admitted = 0;
  for (const Handoff& h : r.handoffs) {
    for (const HandoffNode& n : h.nodes) {
      const Node* node = net.topology.find_node(n.node);
      ASSERT_NE(node, nullptr) << n.node;
      EXPECT_EQ(n.id, ids[static_cast<std::size_t>(node - net.topology.nodes.data())]) << n.node;
      // The node listens where the partner dials: its config.toml's p2p port.
      const RenderedFile* config = nullptr;
      for (const RenderedFile& f : r.files)
        if (f.node == n.node && f.path.size() > 12 && f.path.compare(f.path.size() - 12, 12, "/config.toml") == 0) config = &f;
      ASSERT_NE(config, nullptr) << n.node;
      const std::string port = n.address.substr(n.address.rfind(':') + 1);
      EXPECT_NE(config->content.find("laddr = \"tcp://0.0.0.0:" + port + "\""), std::string::npos) << n.node;
      ++nodes;
    }
    for (const HandoffTunnel& t : h.tunnels) {
      const RenderedFile* conf = find_file(r.files, t.host, "/etc/wireguard/picket.conf");
      ASSERT_NE(conf, nullptr) << t.host;
      EXPECT_NE(conf->content.find("Address = " + t.tunnel_address + "/"), std::string::npos) << t.host;
      EXPECT_EQ(t.public_key, base64_key(net.secrets.wireguard.at(t.host).public_key));
      // Our peer entry for the partner carries their key: the two ends agree.
      EXPECT_NE(conf->content.find("PublicKey = " + h.their_public_key + "\n"), std::string::npos) << t.host;
      ++tunnels;
    }
    for (const HandoffPort& p : h.ports) {
      const RenderedFile* nft = find_file(r.files, p.host, "/etc/nftables.d/picket.nft");
      ASSERT_NE(nft, nullptr) << p.host;
      for (const std::string& from : p.from) {
        EXPECT_NE(nft->content.find("      " + from), std::string::npos) << p.host << " does not admit " << from;
        ++admitted;
      }
      EXPECT_NE(nft->content.find(p.protocol + " dport " + std::to_string(p.port)), std::string::npos) << p.host;
    }
  }
  EXPECT_EQ(nodes, 3u);     // certus: priv-ams, priv-fra; dorado: priv-fra
  EXPECT_EQ(tunnels, 1u);   // dorado over vpn to fra-1
  EXPECT_EQ(admitted, 6u);  // certus's two addresses on two hosts, dorado's tunnel address and endpoint
}

TEST(Handoff, NoSecretByteInAnyForm) {
  const Network net = sentry_network();
  const Rendered r = render_with_handoffs(net);
  for (const Handoff& h : r.handoffs) {
    const std::string text = format_handoff_text(h) + format_handoff_json(h);
    for (const auto& [host, key] : net.secrets.wireguard)
      EXPECT_EQ(text.find(base64_key(key.private_key)), std::string::npos) << h.partner << " " << host;
  }
}

TEST(Handoff, ChangesAreTheFactsThatDiffer) {
  const std::string before =
      "Handoff for partner \"x\"\n\nOur nodes:\n  a: 11@1.2.3.4:26656\n  b: 22@1.2.3.5:26656\n"
      "\nOur firewall admits from you:\n  h: tcp 26656 (p2p of a) from 9.9.9.9\n";
  const std::string after =
      "Handoff for partner \"x\"\n\nOur nodes:\n  a: 11@1.2.3.4:26656\n  b: 33@1.2.3.5:26656\n"
      "\nOur firewall admits from you:\n  h: tcp 26656 (p2p of a) from 9.9.9.9\n";
  EXPECT_EQ(handoff_changes(before, after), (std::vector<std::string>{"- b: 22@1.2.3.5:26656", "+ b: 33@1.2.3.5:26656"}));
  EXPECT_EQ(handoff_changes(before, before), std::vector<std::string>{});
}

}  // namespace
}  // namespace picket
