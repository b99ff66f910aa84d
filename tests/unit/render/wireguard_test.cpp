#include "render/checks.hpp"
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "render/render.hpp"
#include "tests/unit/render/host_fixture.hpp"

namespace picket {
namespace {

using namespace test;

constexpr const char* k_path = "/etc/wireguard/picket.conf";

TEST(Wireguard, SmallNetworkMatchesGolden) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("wireguard.txt", dump(files));
}

TEST(Wireguard, OneSecretFilePerTunnelHost) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  std::vector<std::string> hosts;
  for (const auto& f : files) {
    hosts.push_back(f.host);
    EXPECT_EQ(f.path, k_path);
    EXPECT_EQ(f.mode, 0600u);
    EXPECT_TRUE(f.secret);
    EXPECT_EQ(f.action, ApplyAction::reload_vpn);
    EXPECT_EQ(f.node, "");
  }
  // sen-b carries no vpn link; pub-a does (sentry-a--public-a over vpn); kms-1 serves the
  // validator, whose host is on the tunnel.
  EXPECT_EQ(hosts, (std::vector<std::string>{"kms-1", "pub-a", "sen-a", "val-1"}));
}

TEST(Wireguard, PeersAreTheOtherEndsOfVpnLinksAndVpnPartners) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  const RenderedFile* sen_a = find_file(files, "sen-a", k_path);
  ASSERT_NE(sen_a, nullptr);
  const std::string& c = sen_a->content;
  // IPv6 inventory address: bracketed before the port.
  EXPECT_NE(c.find("Endpoint = [2001:db8::30]:51820\n"), std::string::npos) << c;
  EXPECT_NE(c.find("Endpoint = 198.51.100.10:51820\n"), std::string::npos) << c;
  // The partner over vpn: its key, its endpoint, its peers' addresses as /32.
  EXPECT_NE(c.find("PublicKey = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"
                   "AllowedIPs = 10.44.0.200/32\n"
                   "Endpoint = 198.51.100.77:51820\n"),
            std::string::npos)
      << c;
  // The private link to sentry-b rides no tunnel.
  EXPECT_EQ(c.find("198.51.100.21"), std::string::npos) << c;
  // val-1 peers with sen-a and with its signer's host: the partner is sentry-a's, not the
  // validator's.
  const RenderedFile* val = find_file(files, "val-1", k_path);
  ASSERT_NE(val, nullptr);
  EXPECT_EQ(occurrences(val->content, "[Peer]"), 2u) << val->content;
  EXPECT_EQ(occurrences(val->content, "# host kms-1 (kms)\n[Peer]\n"), 1u) << val->content;
  EXPECT_EQ(occurrences(val->content, "# host sen-a (sentry-a)\n[Peer]\n"), 1u) << val->content;
  EXPECT_EQ(val->content.find("198.51.100.77"), std::string::npos);
}

TEST(Wireguard, SeveralLinksBetweenTwoHostsMakeOnePeer) {
  Network net = small_network();
  // A second node on sen-a, also linked to the validator over vpn.
  Node extra = make_node("sentry-c", Role::private_sentry, "sen-a", 12);
  extra.p2p_port = at(26756, 12);
  net.topology.nodes.push_back(extra);
  net.topology.links.push_back(make_link("validator", "sentry-c", LinkKind::vpn, 17));
  net.topology.index_nodes();
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  const RenderedFile* val = find_file(files, "val-1", k_path);
  ASSERT_NE(val, nullptr);
  const TunnelPlan plan = plan_tunnels(net.topology, net.inventory, diags);
  EXPECT_EQ(occurrences(val->content, "AllowedIPs = " + plan.addresses.at("sen-a") + "/32\n"), 1u) << val->content;
  EXPECT_NE(val->content.find("# host sen-a (sentry-a, sentry-c)\n"), std::string::npos) << val->content;
}

TEST(Wireguard, MissingKeyIsAnErrorNamingPicketKeys) {
  Network net = small_network();
  net.secrets.wireguard.erase("sen-a");
  net.secrets.wireguard.erase("pub-a");
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  EXPECT_TRUE(files.empty());
  EXPECT_EQ(dump(diags),
            "missing-key error inventory.yaml:7 host=pub-a: host \"pub-a\" carries a vpn link but has no "
            "WireGuard key: run \"picket keys\" to create it\n"
            "missing-key error inventory.yaml:5 host=sen-a: host \"sen-a\" carries a vpn link but has no "
            "WireGuard key: run \"picket keys\" to create it\n");
}

TEST(Wireguard, NoVpnLinksNoFiles) {
  Network net = small_network();
  for (auto& l : net.topology.links) l.over.value = LinkKind::private_net;
  net.topology.partners[0].over.value = LinkKind::public_net;
  Diagnostics diags;
  EXPECT_TRUE(render_part(net, render_wireguard, diags).empty());
  EXPECT_EQ(dump(diags), "");
}

TEST(Wireguard, PartnerPeerWithDnsNameIsLeftOutWithAWarning) {
  Network net = small_network();
  net.topology.partners[0].peers.push_back(
      {at(std::string("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"), 21),
       at(std::string("peer.certus.example:26656"), 21), {topology_file(), 21, 9}});
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  EXPECT_EQ(dump(diags), "");  // render leaves it out; the check lint shares says so
  const RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, diags)};
  check_wireguard(ctx, diags);
  EXPECT_EQ(dump(diags),
            "address warning topology.yaml:21 certus/2: partner peer address \"peer.certus.example:26656\" "
            "is a DNS name: WireGuard AllowedIPs need an IP, so it is left out of the tunnel\n");
  const RenderedFile* sen_a = find_file(files, "sen-a", k_path);
  ASSERT_NE(sen_a, nullptr);
  EXPECT_NE(sen_a->content.find("AllowedIPs = 10.44.0.200/32\n"), std::string::npos);
}

// The real tool: wg-quick must accept every file, and `wg pubkey` of each host's private key
// must be the key its peers were given.
TEST(Wireguard, PassesWgQuickStripAndKeysAgree) {
  if (!have_tool("wg-quick") || !have_tool("wg")) GTEST_SKIP() << "wireguard-tools not installed";
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_wireguard, diags);
  ASSERT_EQ(files.size(), 4u);
  std::map<std::string, std::string> public_of;  // host -> public key from `wg pubkey`
  // A line wg(8) accepts: a comment, a section, or one of the keys it knows with a value. Until
  // the keys work lands on this branch the stub renders empty keys (and `read` trims the
  // space after "="), so values may then be empty.
  auto wg_line = [](const std::string& l) {
    if (l.empty() || l[0] == '#' || l == "[Interface]" || l == "[Peer]") return true;
    for (const char* key : {"PrivateKey", "ListenPort", "PublicKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"}) {
      const std::string prefix = std::string(key) + " =";
      if (l.rfind(prefix, 0) != 0) continue;
      if (!keys_available()) return true;
      return l.size() > prefix.size() + 1 && l[prefix.size()] == ' ';
    }
    return false;
  };
  for (const auto& f : files) {
    TempDir dir;
    const auto path = dir.path() / "picket.conf";
    write_text(path, f.content);
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const CommandResult strip = run("wg-quick strip " + path.string());
    ASSERT_EQ(strip.status, 0) << f.host << ":\n" << strip.output;
    // What wg(8) itself will read: comments and the keys it knows (wg-quick took Address out).
    std::istringstream in(strip.output);
    for (std::string l; std::getline(in, l);) EXPECT_TRUE(wg_line(l)) << f.host << ": " << l;
    if (!keys_available()) continue;
    const auto priv = f.content.substr(f.content.find("PrivateKey = ") + 13, 44);
    const CommandResult pub = run("echo '" + priv + "' | wg pubkey");
    ASSERT_EQ(pub.status, 0) << pub.output;
    public_of[f.host] = pub.output.substr(0, 44);
  }
  if (!keys_available()) GTEST_SKIP() << "keys not implemented yet on this branch: pubkey check skipped";
  // Each host's [Peer] for another host carries the key `wg pubkey` derived.
  for (const auto& f : files)
    for (const auto& [host, pub] : public_of) {
      if (host == f.host) continue;
      const auto comment = f.content.find("# host " + host + " ");
      if (comment == std::string::npos) continue;
      EXPECT_EQ(f.content.compare(f.content.find("PublicKey = ", comment) + 12, 44, pub), 0)
          << f.host << " has a wrong key for " << host;
    }
}

}  // namespace
}  // namespace picket
