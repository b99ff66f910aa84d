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
            (std::vector<std::string>{
                "ip saddr @p2p_public_a_v4 tcp dport 26656 accept comment \"p2p of public-a from its peers: no "
                "per-address limit\"",
                "iifname \"picket\" ip saddr @p2p_public_a_vpn_v4 tcp dport 26656 accept comment \"p2p of "
                "public-a from its peers: no per-address limit\"",
                "tcp dport 26656 accept comment \"p2p of public sentry public-a: open to all, within the "
                "per-address limits\""}));
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
                "tcp dport 22 accept comment \"ssh: open to all (no ssh_allow)\"",
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
            (std::vector<std::string>{"tcp dport 2222 accept comment \"ssh: open to all (no ssh_allow)\""}));
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

// Issue 13: the hardened network: every host limits ssh (IPv4 and IPv6 subnets), two hosts
// open extra ports, and the limits of `firewall:` are not the defaults.
Network hardened_network() {
  Network net = small_network();
  net.inventory.controller = {at(std::string("192.0.2.0/28"), 1, true)};
  for (Host& h : net.inventory.hosts) {
    h.ssh_allow = std::vector<Located<std::string>>{at(std::string("192.0.2.0/28"), 2, true),
                                                    at(std::string("2001:db8:aa::/48"), 2, true),
                                                    at(std::string("198.51.100.250"), 2, true)};
    h.ssh_allow_loc = {inventory_file(), 2, 3};
  }
  Host& sen_a = net.inventory.hosts[2];
  AllowedPort rest;
  rest.port = at(1317, 5, true);
  rest.from = {at(std::string("192.0.2.0/28"), 5, true), at(std::string("2001:db8:aa::1"), 5, true)};
  AllowedPort more_rest = rest;  // the same port again: merged into one set
  more_rest.from = {at(std::string("203.0.113.5"), 5, true)};
  AllowedPort grpc;
  grpc.port = at(9090, 5, true);
  grpc.any = true;
  sen_a.allow_ports = {rest, grpc, more_rest};
  Host& pub_a = net.inventory.hosts[4];
  AllowedPort dns;
  dns.port = at(53, 7, true);
  dns.proto = at(std::string("udp"), 7, true);
  dns.from = {at(std::string("2001:db8:bb::/64"), 7, true)};
  pub_a.allow_ports = {dns};
  net.topology.firewall.p2p_connections_per_address = at(3, 40);
  net.topology.firewall.p2p_new_connections_per_minute = at(12, 41);
  net.topology.firewall.icmp_echo_per_second = at(2, 42);
  return net;
}

TEST(Firewall, HardenedNetworkMatchesGolden) {
  const Network net = hardened_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("nftables-hardened.txt", dump(files));
  // And what lint sees of it: picket's controller is admitted everywhere.
  Diagnostics tunnel_problems;
  const RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, tunnel_problems)};
  check_firewall(ctx, diags);
  check_ssh_allow(ctx, diags);
  EXPECT_EQ(dump(diags), "");
}

// Every ruleset of the hardened network loaded for real (the kernel checks dynamic sets,
// ct count, limits and interval sets; `nft -c` does not), twice, in a throwaway network
// namespace: the sets and rules are all there once.
TEST(Firewall, HardenedRulesetsLoadInANetworkNamespace) {
  ASSERT_TRUE(have_tool("nft") && have_tool("unshare")) << "nft and unshare are needed (scripts/deps.sh)";
  ASSERT_EQ(run("unshare -n true").status, 0) << "the tests need to make network namespaces (root)";
  const Network net = hardened_network();
  Diagnostics diags;
  const FileSet files = firewalls(net, diags);
  ASSERT_EQ(files.size(), 5u);
  for (const auto& f : files) {
    TempDir dir;
    const std::string path = (dir.path() / "picket.nft").string();
    write_text(path, f.content);
    const CommandResult r =
        run("unshare -n sh -c 'nft -f " + path + " && nft -f " + path + " && nft list table inet picket'");
    ASSERT_EQ(r.status, 0) << f.host << ":\n" << r.output << "\n" << f.content;
    EXPECT_EQ(occurrences(r.output, "chain input"), 1u) << r.output;
    EXPECT_EQ(occurrences(r.output, "@ssh_v4 tcp dport 22 accept"), 1u) << r.output;
    EXPECT_EQ(occurrences(r.output, "@ssh_v6 tcp dport 22 accept"), 1u) << r.output;
    EXPECT_EQ(occurrences(r.output, "icmp type echo-request limit rate 2/second burst 2 packets accept"), 1u)
        << r.output;
    const bool pub = f.host == "pub-a";
    EXPECT_EQ(occurrences(r.output, "ct count over 3"), pub ? 2u : 0u) << r.output;
    EXPECT_EQ(occurrences(r.output, "limit rate over 12/minute burst 3 packets"), pub ? 2u : 0u) << r.output;
    EXPECT_EQ(occurrences(r.output, "ip6 saddr & ffff:ffff:ffff:ffff:: ct count over 3"), pub ? 1u : 0u)
        << r.output;
  }
}

// The lock-out check: what each host's ssh_allow must admit, one finding per list and
// missing address (a `defaults` list shared by several hosts is one finding).
TEST(Firewall, LockoutWhenTheAllowlistShutsPicketOut) {
  Network net = small_network();
  net.inventory.controller = {at(std::string("203.0.113.0/29"), 1, true)};
  for (Host& h : net.inventory.hosts) {  // "defaults": the controller's subnet only in part
    h.ssh_allow = std::vector<Located<std::string>>{at(std::string("203.0.113.0/30"), 2, true)};
    h.ssh_allow_loc = {inventory_file(), 2, 3};
  }
  Host& val = net.inventory.hosts[0];  // reached through sen-a: must admit sen-a's address
  val.jump = at(std::string("sen-a"), 3, true);
  val.ssh_allow = std::vector<Located<std::string>>{at(std::string("203.0.113.0/24"), 3, true)};
  val.ssh_allow_loc = {inventory_file(), 3, 20};
  Host& kms = net.inventory.hosts[1];  // admits the whole controller subnet
  kms.ssh_allow = std::vector<Located<std::string>>{at(std::string("203.0.112.0/23"), 4, true)};
  kms.ssh_allow_loc = {inventory_file(), 4, 20};
  net.inventory.index_hosts();
  Diagnostics tunnel_problems;
  const RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, tunnel_problems)};
  Diagnostics diags;
  check_ssh_allow(ctx, diags);
  EXPECT_EQ(dump(diags),
            "lockout error inventory.yaml:2 host=pub-a host=sen-a host=sen-b: hosts \"pub-a\", \"sen-a\", "
            "\"sen-b\" do not admit 203.0.113.0/29 (picket's \"controller\") in \"ssh_allow\": the firewall "
            "would lock picket out; add it to \"ssh_allow\"\n"
            "lockout error inventory.yaml:3 host=val-1: host \"val-1\" does not admit 198.51.100.20 (the "
            "address of jump host \"sen-a\", where picket's SSH connection comes from) in \"ssh_allow\": the "
            "firewall would lock picket out; add it to \"ssh_allow\"\n");

  // Without a controller, lint cannot know where picket comes from; a jump host known only by
  // a DNS name cannot be checked either (a warning).
  net.inventory.controller.clear();
  net.inventory.hosts[2].address = at(std::string("sen-a.example.net"), 5, true);
  Diagnostics again;
  check_firewall(ctx, again);
  check_ssh_allow(ctx, again);
  EXPECT_EQ(dump(again),
            "address warning inventory.yaml:5 host=sen-a: address \"sen-a.example.net\" (host=sen-a) is a "
            "DNS name, which a firewall ruleset cannot list: picket leaves it out of the nftables rules (first "
            "on host pub-a), so connections from it are dropped; use an IP address\n"
            "lockout error inventory.yaml:2 host=pub-a host=sen-a host=sen-b: hosts \"pub-a\", \"sen-a\", "
            "\"sen-b\" limit SSH with \"ssh_allow\", but the inventory names no \"controller\": lint cannot "
            "prove picket keeps its way in; add \"controller:\" with the address or subnet picket deploys "
            "from\n"
            "lockout warning inventory.yaml:3 host=val-1: host \"val-1\" is reached through jump host "
            "\"sen-a\", whose address \"sen-a.example.net\" is a DNS name: lint cannot tell whether "
            "\"ssh_allow\" admits where picket's connection comes from; make sure it does (deploy checks it "
            "on the host before a firewall reload)\n"
            "lockout error inventory.yaml:4 host=kms-1: host \"kms-1\" limits SSH with \"ssh_allow\", but the "
            "inventory names no \"controller\": lint cannot prove picket keeps its way in; add "
            "\"controller:\" with the address or subnet picket deploys from\n");
}

}  // namespace
}  // namespace picket
