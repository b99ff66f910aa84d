#include "render/checks.hpp"
#include <gtest/gtest.h>

#include <sstream>

#include "render/render.hpp"
#include "tests/unit/render/host_fixture.hpp"

namespace picket {
namespace {

using namespace test;

constexpr const char* k_path = "/etc/nftables.d/picket.nft";

FileSet firewalls(const Network& net, Diagnostics& diags) { return render_part(net, render_firewall, diags); }

const std::string& content_of(const FileSet& files, const std::string& host) {
  static const std::string none;
  const RenderedFile* f = find_file(files, host, k_path);
  EXPECT_NE(f, nullptr) << "no firewall for " << host;
  return f == nullptr ? none : f->content;
}

// The rule lines of a ruleset that mention `needle`.
std::vector<std::string> rule_lines(const std::string& ruleset, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(ruleset);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos && line.find("accept") != std::string::npos)
      out.push_back(line.substr(line.find_first_not_of(' ')));
  return out;
}

// Runs `nft -c -f` on `content`; the status and nft's messages.
CommandResult nft_check(const std::string& content) {
  TempDir dir;
  write_text(dir.path() / "picket.nft", content);
  return run("nft -c -f " + (dir.path() / "picket.nft").string());
}

TEST(Firewall, SmallNetworkMatchesGolden) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("nftables.txt", dump(files));
}

TEST(Firewall, OneFilePerHostThatRunsANode) {
  Network net = small_network();
  net.inventory.hosts.push_back(make_host("spare", "198.51.100.99", 8));  // runs nothing
  net.inventory.index_hosts();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  std::vector<std::string> hosts;
  for (const auto& f : files) {
    hosts.push_back(f.host);
    EXPECT_EQ(f.path, k_path);
    EXPECT_EQ(f.mode, 0644u);
    EXPECT_FALSE(f.secret);
    EXPECT_EQ(f.action, ApplyAction::reload_firewall);
  }
  EXPECT_EQ(hosts, (std::vector<std::string>{"kms-1", "pub-a", "sen-a", "sen-b", "val-1"}));
}

TEST(Firewall, P2pPortOpenToAllOnlyOnPublicSentries) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  for (const auto& f : files) {
    const auto lines = rule_lines(f.content, "tcp dport 26656 ");
    bool open_to_all = false;
    for (const auto& l : lines) open_to_all = open_to_all || l.find("saddr") == std::string::npos;
    EXPECT_EQ(open_to_all, f.host == "pub-a") << f.host << ":\n" << f.content;
  }
  EXPECT_EQ(rule_lines(content_of(files, "pub-a"), "26656"),
            (std::vector<std::string>{"tcp dport 26656 accept comment \"p2p of public sentry public-a: open to all\""}));
  // The validator admits only its two sentries: sentry-a through the tunnel, sentry-b by address.
  const std::string& val = content_of(files, "val-1");
  EXPECT_EQ(rule_lines(val, "26656"),
            (std::vector<std::string>{
                "ip saddr @p2p_validator_v4 tcp dport 26656 accept comment \"p2p of validator from its peers\"",
                "iifname \"picket\" ip saddr @p2p_validator_vpn_v4 tcp dport 26656 accept comment \"p2p of validator from its peers\""}));
  EXPECT_NE(val.find("set p2p_validator_v4 {\n    type ipv4_addr\n    elements = {\n      198.51.100.21\n    }"),
            std::string::npos)
      << val;
  // The signer runs on kms-1 but listens on nothing: SSH, and WireGuard from the validator's host.
  EXPECT_EQ(rule_lines(content_of(files, "kms-1"), "dport"),
            (std::vector<std::string>{
                "tcp dport 22 accept comment \"ssh: how picket and operators reach the host\"",
                "ip saddr @wireguard_peers_v4 udp dport 51820 accept comment \"wireguard from the tunnel peers\""}));
}

TEST(Firewall, PartnerPeersAreAdmittedByTheirAddress) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  // certus is over vpn: through the tunnel; dorado over public: by address.
  EXPECT_NE(content_of(files, "sen-a").find("10.44.0.200"), std::string::npos);
  EXPECT_NE(content_of(files, "sen-b").find("203.0.113.8"), std::string::npos);
  EXPECT_EQ(content_of(files, "val-1").find("203.0.113.8"), std::string::npos);
}

TEST(Firewall, Ipv6AddressesGoToIp6Sets) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  // sentry-b reaches public-a (an IPv6 host) over a private link.
  const std::string& sen_b = content_of(files, "sen-b");
  EXPECT_NE(sen_b.find("set p2p_sentry_b_v6 {\n    type ipv6_addr\n    elements = {\n      2001:db8::30\n    }"),
            std::string::npos)
      << sen_b;
  EXPECT_EQ(rule_lines(sen_b, "2001"), std::vector<std::string>{});  // only in the set
  EXPECT_EQ(rule_lines(sen_b, "@p2p_sentry_b_v6"),
            (std::vector<std::string>{"ip6 saddr @p2p_sentry_b_v6 tcp dport 26656 accept comment \"p2p of sentry-b from its peers\""}));
  // sen-a's WireGuard peers: pub-a by its IPv6 address, val-1 and the partner by IPv4.
  const std::string& sen_a = content_of(files, "sen-a");
  EXPECT_EQ(rule_lines(sen_a, "udp dport 51820"),
            (std::vector<std::string>{
                "ip saddr @wireguard_peers_v4 udp dport 51820 accept comment \"wireguard from the tunnel peers\"",
                "ip6 saddr @wireguard_peers_v6 udp dport 51820 accept comment \"wireguard from the tunnel peers\""}));
  EXPECT_NE(sen_a.find("elements = {\n      198.51.100.10,\n      198.51.100.77\n    }"), std::string::npos) << sen_a;
}

TEST(Firewall, SignerPortOnlyFromTheSigner) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  const TunnelPlan tunnels = plan_tunnels(net.topology, net.inventory, diags);
  for (const auto& f : files) {
    const auto lines = rule_lines(f.content, "26659");
    if (f.host != "val-1") {
      EXPECT_EQ(lines, std::vector<std::string>{}) << f.host;
      continue;
    }
    // Both hosts are on the tunnel: the signer's tunnel address, on the tunnel interface.
    EXPECT_EQ(lines, (std::vector<std::string>{"iifname \"picket\" ip saddr @signer_validator_vpn_v4 tcp dport 26659 "
                                               "accept comment \"signer kms dials validator\""}));
    EXPECT_NE(f.content.find("set signer_validator_vpn_v4 {\n    type ipv4_addr\n    elements = {\n      " +
                             tunnels.addresses.at("kms-1") + "\n"),
              std::string::npos)
        << f.content;
  }
}

TEST(Firewall, SignerOffTheTunnelIsAdmittedByItsHostAddress) {
  Network net = small_network();
  for (auto& l : net.topology.links) l.over.value = LinkKind::private_net;  // no tunnel at all
  net.topology.partners[0].over.value = LinkKind::public_net;
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  const std::string& val = content_of(files, "val-1");
  EXPECT_EQ(rule_lines(val, "26659"),
            (std::vector<std::string>{"ip saddr @signer_validator_v4 tcp dport 26659 accept comment \"signer kms dials validator\""}));
  EXPECT_NE(val.find("set signer_validator_v4 {\n    type ipv4_addr\n    elements = {\n      198.51.100.11\n"),
            std::string::npos)
      << val;
}

// Metrics only from our own hosts at the other end of a tunnel (a set of their tunnel
// addresses, never the subnet, where a WireGuard partner's address may lie); no rule for RPC,
// which listens on 127.0.0.1.
TEST(Firewall, MetricsOnlyFromOurTunnelPeersAndNoRpcRule) {
  Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  for (const auto& f : files) {
    EXPECT_EQ(rule_lines(f.content, "26657"), std::vector<std::string>{}) << f.host;
    EXPECT_EQ(f.content.find("10.44.0.0/24"), std::string::npos) << f.host;
    if (f.host == "sen-b" || f.host == "kms-1") {
      EXPECT_EQ(rule_lines(f.content, "metrics"), std::vector<std::string>{}) << f.host;
    } else {
      EXPECT_EQ(rule_lines(f.content, "26660"),
                (std::vector<std::string>{"iifname \"picket\" ip saddr @metrics_vpn_v4 tcp dport 26660 "
                                          "accept comment \"metrics: our own tunnel peers only\""}))
          << f.host;
    }
  }
}

TEST(Firewall, SshUsesTheInventoryPort) {
  Network net = small_network();
  net.inventory.hosts[3].port = at(2222, 6, true);  // sen-b
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  EXPECT_EQ(rule_lines(content_of(files, "sen-b"), "ssh"),
            (std::vector<std::string>{"tcp dport 2222 accept comment \"ssh: how picket and operators reach the host\""}));
}

TEST(Firewall, DnsNameIsLeftOutWithOneWarning) {
  Network net = small_network();
  net.inventory.hosts[4].address.value = "pub-a.example.net";  // peers with sen-a (vpn) and sen-b
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  EXPECT_EQ(dump(diags), "");  // render_firewall leaves it out; the check lint shares says so
  Diagnostics tunnel_problems;
  const RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, tunnel_problems)};
  check_firewall(ctx, diags);
  // Once, although two firewalls (sen-a's WireGuard set, sen-b's p2p set) would list it.
  EXPECT_EQ(dump(diags),
            "address warning inventory.yaml:7 host=pub-a: address \"pub-a.example.net\" (host=pub-a) is a DNS "
            "name, which a firewall ruleset cannot list: picket leaves it out of the nftables rules (first on "
            "host sen-a), so connections from it are dropped; use an IP address\n");
  EXPECT_EQ(content_of(files, "sen-b").find("example"), std::string::npos);
  EXPECT_EQ(content_of(files, "sen-b").find("_v6"), std::string::npos);
  if (!have_tool("nft")) GTEST_SKIP() << "nft not installed";
  for (const auto& f : files) {
    const CommandResult r = nft_check(f.content);
    EXPECT_EQ(r.status, 0) << f.host << ":\n" << r.output;
  }
}

TEST(Firewall, EveryRulesetPassesNftCheck) {
  if (!have_tool("nft")) GTEST_SKIP() << "nft not installed";
  // The checker is real: a ruleset with an IPv6 address in an IPv4 set is refused.
  ASSERT_NE(nft_check("table inet t {\n  set s {\n    type ipv4_addr\n    elements = { 2001:db8::1 }\n  }\n}\n").status, 0);
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  ASSERT_EQ(files.size(), 5u);
  for (const auto& f : files) {
    const CommandResult r = nft_check(f.content);
    EXPECT_EQ(r.status, 0) << f.host << ":\n" << r.output << "\n" << f.content;
  }
}

// Loading the ruleset for real, twice, in a throwaway network namespace: the second load must
// replace the table, not fail or add to it.
TEST(Firewall, LoadsTwiceInANetworkNamespace) {
  if (!have_tool("nft") || !have_tool("unshare")) GTEST_SKIP() << "nft or unshare not installed";
  if (run("unshare -n true").status != 0) GTEST_SKIP() << "no permission to make a network namespace";
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  const std::string& val = content_of(files, "val-1");
  TempDir dir;
  const std::string path = (dir.path() / "picket.nft").string();
  write_text(path, val);
  const CommandResult r =
      run("unshare -n sh -c 'nft -f " + path + " && nft -f " + path + " && nft list table inet picket'");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(occurrences(r.output, "chain input"), 1u) << r.output;
  EXPECT_EQ(occurrences(r.output, "tcp dport 26659"), 1u) << r.output;
  EXPECT_NE(r.output.find("policy drop"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace picket
