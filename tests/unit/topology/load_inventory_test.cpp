#include <gtest/gtest.h>

#include "tests/unit/topology/load_test_util.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

struct Loaded {
  Inventory inventory;
  std::string diags;
};

Loaded load(const std::string& text) {
  Diagnostics diags;
  Loaded l;
  l.inventory = load_inventory({"inventory.yaml", text}, diags);
  l.diags = test::render_in(diags, "inventory.yaml");
  return l;
}

std::string at(const Location& loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

// "value@line:col", or "-" when unset.
std::string show(const std::optional<Located<std::string>>& v) {
  return v ? v->value + "@" + at(v->loc) : "-";
}

constexpr const char* k_ed25519_key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH6RgHp6nLFwY9vHCj9zQ++EfS9utC/54krBT/LeOFHB";

// The example of topology-format.md §2, with a real host key.
const std::string k_example =
    std::string(R"(defaults:                          # optional; every host inherits these
  user: cosmos
  port: 22
  identity: ~/.ssh/id_ed25519      # optional; ssh-agent is tried first when SSH_AUTH_SOCK is set
  home: /home/cosmos/.gaia         # node home: config at <home>/config/config.toml
  service: cosmovisor.service      # systemd unit restarted when a node's files change
hosts:                             # map: host name -> host
  val-ams:
    address: 198.51.100.10         # IPv4, IPv6 or DNS name
    datacenter: equinix-am5        # failure domains; any may be omitted
    region: eu-west
    provider: acme-metal
    jump: fra-1                    # optional: reach this host through another inventory host
    host_key: ")") +
    k_ed25519_key + R"("
    become: sudo                   # optional: root actions (files outside home, reloads) via sudo
    restart: "systemctl restart cosmovisor"        # optional: overrides `service`
    check: "systemctl is-active --quiet cosmovisor" # optional: exits 0 while the node service runs
    reload_vpn: "bash -c 'wg syncconf picket <(wg-quick strip {file})'"  # optional: hitless VPN reload
    reload_firewall: "nft -f {file}"  # optional: run when the ruleset changed
    root: /                        # optional: prefix for every remote path (the local sandbox
                                   #   gives each host its own directory this way)
  fra-1: {address: 198.51.100.20, datacenter: equinix-fr5, region: eu-central, provider: vps-co}
)";

TEST(LoadInventory, ExampleOfTheFormatLoadsClean) {
  const Loaded l = load(k_example);
  EXPECT_EQ(l.diags, "");
  const Inventory& inv = l.inventory;
  ASSERT_TRUE(inv.path);
  EXPECT_EQ(*inv.path, "inventory.yaml");
  ASSERT_EQ(inv.hosts.size(), 2u);
  const Host& val = inv.hosts[0];
  EXPECT_EQ(val.name.value, "val-ams");
  EXPECT_EQ(at(val.name.loc), "8:3");
  EXPECT_EQ(val.address.value, "198.51.100.10");
  EXPECT_EQ(at(val.address.loc), "9:14");
  EXPECT_EQ(show(val.datacenter), "equinix-am5@10:17");
  EXPECT_EQ(show(val.region), "eu-west@11:13");
  EXPECT_EQ(show(val.provider), "acme-metal@12:15");
  EXPECT_EQ(show(val.jump), "fra-1@13:11");
  EXPECT_EQ(show(val.host_key), std::string(k_ed25519_key) + "@14:15");
  EXPECT_EQ(show(val.become), "sudo@15:13");
  EXPECT_EQ(show(val.restart), "systemctl restart cosmovisor@16:14");
  EXPECT_EQ(show(val.check), "systemctl is-active --quiet cosmovisor@17:12");
  EXPECT_EQ(show(val.reload_vpn), "bash -c 'wg syncconf picket <(wg-quick strip {file})'@18:17");
  EXPECT_EQ(show(val.reload_firewall), "nft -f {file}@19:22");
  EXPECT_EQ(show(val.root), "/@20:11");
  // From defaults, located where defaults wrote them.
  EXPECT_EQ(show(val.user), "cosmos@2:9");
  EXPECT_EQ(val.port.value, 22);
  EXPECT_EQ(at(val.port.loc), "3:9");
  EXPECT_EQ(show(val.identity), "~/.ssh/id_ed25519@4:13");
  EXPECT_EQ(show(val.home), "/home/cosmos/.gaia@5:9");
  EXPECT_EQ(show(val.service), "cosmovisor.service@6:12");
  const Host& fra = inv.hosts[1];
  EXPECT_EQ(at(fra.name.loc), "22:3");
  EXPECT_EQ(fra.address.value, "198.51.100.20");
  EXPECT_EQ(show(fra.provider), "vps-co@22:90");
  EXPECT_EQ(show(fra.user), "cosmos@2:9");
  EXPECT_EQ(show(fra.jump), "-");
  EXPECT_EQ(show(fra.root), "-");
  EXPECT_EQ(fra.domain(DomainKind::host), "fra-1");
  EXPECT_EQ(fra.domain(DomainKind::region), "eu-central");
  EXPECT_EQ(inv.find_host("fra-1"), &inv.hosts[1]);
  EXPECT_EQ(inv.find_host("nope"), nullptr);
  EXPECT_EQ(fra.user->loc.file, inv.path);
  EXPECT_EQ(fra.address.loc.file, inv.path);
}

TEST(LoadInventory, SignerServiceIsAHostKeyAndADefault) {
  const Loaded l = load(
      "defaults: {service: cosmovisor.service, signer_service: tmkms@hub.service}\n"
      "hosts:\n"
      "  a: {address: 198.51.100.1}\n"
      "  b: {address: 198.51.100.2, signer_service: kms.service}\n");
  EXPECT_EQ(l.diags, "");
  ASSERT_EQ(l.inventory.hosts.size(), 2u);
  EXPECT_EQ(show(l.inventory.hosts[0].signer_service), "tmkms@hub.service@1:57");
  EXPECT_EQ(show(l.inventory.hosts[1].signer_service), "kms.service@4:46");
  EXPECT_EQ(show(l.inventory.hosts[1].service), "cosmovisor.service@1:21");
}

TEST(LoadInventory, DefaultsMayFollowHostsAndHostValuesWin) {
  const Loaded l = load(
      "hosts:\n"
      "  a: {address: a.example, port: 2222, user: alice}\n"
      "  b: {address: \"2001:db8::1\"}\n"
      "  c: {port: 0}\n"
      "defaults:\n"
      "  port: 2200\n"
      "  user: cosmos\n"
      "  address: fallback.example\n"
      "  root: /srv/sandbox\n");
  // c wrote a bad port: its own mistake is reported, not replaced by the default.
  EXPECT_EQ(l.diags,
            "4:13: error: \"port\" must be a port from 1 to 65535, found 0 [address] {host=c}\n");
  ASSERT_EQ(l.inventory.hosts.size(), 3u);
  const Host& a = l.inventory.hosts[0];
  EXPECT_EQ(a.port.value, 2222);
  EXPECT_EQ(at(a.port.loc), "2:33");
  EXPECT_EQ(show(a.user), "alice@2:45");
  EXPECT_EQ(show(a.root), "/srv/sandbox@9:9");
  const Host& b = l.inventory.hosts[1];
  EXPECT_EQ(b.address.value, "2001:db8::1");
  EXPECT_EQ(b.port.value, 2200);
  EXPECT_EQ(at(b.port.loc), "6:9");
  EXPECT_EQ(show(b.user), "cosmos@7:9");
  const Host& c = l.inventory.hosts[2];
  EXPECT_EQ(c.address.value, "fallback.example");
  EXPECT_EQ(at(c.address.loc), "8:12");
  EXPECT_EQ(c.port.value, 22);
}

TEST(LoadInventory, EmptyAndMalformedFiles) {
  EXPECT_EQ(load("").diags,
            "1:1: error: the inventory file is empty; expected a map with \"hosts\" [schema] "
            "{inventory.yaml}\n");
  EXPECT_EQ(load("[a]\n").diags,
            "1:1: error: the top level of the inventory file must be a map, found a list "
            "[schema] {inventory.yaml}\n");
  EXPECT_EQ(load("defaults: {user: x}\nhost: {}\n").diags,
            "2:1: error: unknown key \"host\" at the top level; did you mean \"hosts\"? [schema] "
            "{host}\n");
  EXPECT_EQ(load("hosts: [a, b]\ndefaults: x\n").diags,
            "1:8: error: \"hosts\" must be a map, found a list [schema] {hosts}\n"
            "2:11: error: \"defaults\" must be a map, found \"x\" [schema] {defaults}\n");
  EXPECT_EQ(load("hosts: {}\n---\nhosts: {}\n").diags,
            "2:1: error: a second YAML document starts here; expected one document per file "
            "[schema] {inventory.yaml}\n");
  EXPECT_EQ(load("hosts:\n  a: {address: \"unterminated}\n").diags,
            "2:16: error: invalid YAML: the quoted string that starts here is not closed before "
            "the end of the file [syntax] {inventory.yaml}\n");
  EXPECT_EQ(load("hosts: {}\n").diags, "");
}

TEST(LoadInventory, UnknownKeysAndNames) {
  const Loaded l = load(
      "defaults: {usr: x, jump_host: y}\n"
      "hosts:\n"
      "  a: {address: a.example, hots_key: x, datacentre: d}\n"
      "  \"b c\": {address: b.example}\n"
      "  " +
      std::string(64, 'h') +
      ": {address: h.example}\n"
      "  d: [address]\n"
      "  e:\n"
      "  Fine_1.x: {address: f.example}\n");
  EXPECT_EQ(
      l.diags,
      "1:12: error: unknown key \"usr\" in \"defaults\"; did you mean \"user\"? [schema] "
      "{defaults}\n"
      "1:20: error: unknown key \"jump_host\" in \"defaults\"; expected one of \"address\", "
      "\"port\", \"user\", \"identity\", \"home\", \"service\", \"datacenter\", \"region\", "
      "\"provider\", \"jump\", \"host_key\", \"become\", \"restart\", \"check\", "
      "\"reload_vpn\", \"reload_firewall\", \"root\", \"reload_monitoring\", \"tunnel_address\", \"ssh_allow\", "
            "\"allow_ports\", \"signer_service\", \"signer_restart\", \"signer_check\", \"reload_units\" [schema] {defaults}\n"
      "3:27: error: unknown key \"hots_key\" in host \"a\"; did you mean \"host_key\"? "
      "[schema] {host=a}\n"
      "3:40: error: unknown key \"datacentre\" in host \"a\"; did you mean \"datacenter\"? "
      "[schema] {host=a}\n"
      "4:3: error: host name \"b c\" must be 1 to 63 characters of [A-Za-z0-9._-] "
      "[schema] {host=b c}\n"
      "5:3: error: host name \"" +
          std::string(64, 'h') +
          "\" must be 1 to 63 characters of [A-Za-z0-9._-] [schema] {host=" + std::string(64, 'h') +
          "}\n"
          "6:6: error: host \"d\" must be a map, found a list [schema] {host=d}\n"
          "7:3: error: host \"e\" must be a map, found an empty value [schema] {host=e}\n");
  ASSERT_EQ(l.inventory.hosts.size(), 4u);
  EXPECT_EQ(l.inventory.hosts[3].name.value, "Fine_1.x");
}

TEST(LoadInventory, HostNamesMustBeStrings) {
  const Loaded l = load("hosts:\n  ? [a]\n  : {address: a.example}\n  b: {address: b.example}\n");
  EXPECT_EQ(l.diags,
            "2:5: error: a host name must be a string, found a list [schema] {inventory.yaml}\n");
  ASSERT_EQ(l.inventory.hosts.size(), 1u);
  EXPECT_EQ(l.inventory.hosts[0].name.value, "b");
}

TEST(LoadInventory, AddressesAndPorts) {
  const Loaded l = load(
      "hosts:\n"
      "  v4: {address: 198.51.100.10, port: 1}\n"
      "  v6: {address: \"2001:db8::10\", port: 65535}\n"
      "  dns: {address: node-1.example.com}\n"
      "  bad4: {address: 198.51.100.300}\n"
      "  bad6: {address: \"2001:db8:::1\"}\n"
      "  badname: {address: -bad-.example}\n"
      "  withport: {address: \"198.51.100.1:22\"}\n"
      "  noaddr: {user: x}\n"
      "  empty: {address: \"\"}\n"
      "  port1: {address: a.example, port: 65536}\n"
      "  port2: {address: x.example, port: \"22\"}\n"
      "  port3: {address: y.example, port: ssh}\n");
  EXPECT_EQ(l.diags,
            "5:19: error: \"address\" must be an IPv4 address, an IPv6 address or a DNS name, "
            "found \"198.51.100.300\" [address] {host=bad4}\n"
            "6:19: error: \"address\" must be an IPv4 address, an IPv6 address or a DNS name, "
            "found \"2001:db8:::1\" [address] {host=bad6}\n"
            "7:22: error: \"address\" must be an IPv4 address, an IPv6 address or a DNS name, "
            "found \"-bad-.example\" [address] {host=badname}\n"
            "8:23: error: \"address\" must be an IPv4 address, an IPv6 address or a DNS name, "
            "found \"198.51.100.1:22\" [address] {host=withport}\n"
            "9:3: error: missing required key \"address\" in host \"noaddr\" [schema] "
            "{host=noaddr}\n"
            "10:20: error: \"address\" must not be empty [schema] {host=empty}\n"
            "11:37: error: \"port\" must be a port from 1 to 65535, found 65536 [address] "
            "{host=port1}\n"
            "12:37: error: \"port\" must be an integer, found the quoted string \"22\" [schema] "
            "{host=port2}\n"
            "13:37: error: \"port\" must be an integer, found \"ssh\" [schema] {host=port3}\n");
  const auto& hosts = l.inventory.hosts;
  ASSERT_EQ(hosts.size(), 12u);  // kept, with the bad values unset
  EXPECT_EQ(hosts[1].port.value, 65535);
  EXPECT_EQ(hosts[2].address.value, "node-1.example.com");
  EXPECT_EQ(hosts[3].address.value, "");
}

TEST(LoadInventory, Jumps) {
  const Loaded l = load(
      "hosts:\n"
      "  bastion: {address: b.example}\n"
      "  a: {address: a.example, jump: bastoin}\n"
      "  b: {address: d.example, jump: b}\n"
      "  c: {address: c.example, jump: d}\n"
      "  d: {address: d.example, jump: e}\n"
      "  e: {address: e.example, jump: c}\n"
      "  f: {address: f.example, jump: c}\n"
      "  g: {address: g.example, jump: h}\n"
      "  h: {address: h.example, jump: g}\n"
      "  i: {address: i.example, jump: bastion}\n"
      "  j: {address: j.example, jump: i}\n");
  EXPECT_EQ(l.diags,
            "3:33: error: unknown host \"bastoin\" in \"jump\"; did you mean \"bastion\"? "
            "[reference] {host=a}\n"
            "4:33: error: host \"b\" cannot jump through itself; \"jump\" must name another host "
            "[reference] {host=b}\n"
            "5:33: error: jump chain loops: \"c\" -> \"d\" -> \"e\" -> \"c\"; expected a chain "
            "that ends at a host without \"jump\" [reference] {host=c,host=d,host=e}\n"
            "9:33: error: jump chain loops: \"g\" -> \"h\" -> \"g\"; expected a chain that ends "
            "at a host without \"jump\" [reference] {host=g,host=h}\n");
  const auto& hosts = l.inventory.hosts;
  EXPECT_EQ(show(hosts[1].jump), "-");
  EXPECT_EQ(show(hosts[2].jump), "-");
  EXPECT_EQ(show(hosts[3].jump), "-");  // the loop is cut where it is reported
  EXPECT_EQ(show(hosts[4].jump), "e@6:33");
  EXPECT_EQ(show(hosts[10].jump), "i@12:33");
}

TEST(LoadInventory, JumpInDefaults) {
  const Loaded l = load(
      "defaults: {jump: bastion}\n"
      "hosts:\n"
      "  bastion: {address: b.example}\n"
      "  a: {address: a.example}\n"
      "  b: {address: b.example, jump: a}\n");
  // The jump host does not inherit a jump through itself.
  EXPECT_EQ(l.diags, "");
  EXPECT_EQ(show(l.inventory.hosts[0].jump), "-");
  EXPECT_EQ(show(l.inventory.hosts[1].jump), "bastion@1:18");
  EXPECT_EQ(show(l.inventory.hosts[2].jump), "a@5:33");
  // A default naming no host is reported once, not once per host.
  const Loaded bad = load(
      "defaults: {jump: bastoin}\n"
      "hosts:\n"
      "  bastion: {address: b.example}\n"
      "  a: {address: a.example}\n");
  EXPECT_EQ(bad.diags,
            "1:18: error: unknown host \"bastoin\" in \"jump\"; did you mean \"bastion\"? "
            "[reference] {defaults}\n");
  EXPECT_EQ(show(bad.inventory.hosts[1].jump), "-");
}

TEST(LoadInventory, HostKeysAndAccessSettings) {
  const std::string blob = std::string(k_ed25519_key).substr(12);
  const Loaded l = load(
      "hosts:\n"
      "  a: {address: a.example, host_key: \"" +
      std::string(k_ed25519_key) +
      "\"}\n"
      "  b: {address: b.example, host_key: \"" +
      blob +
      "\"}\n"
      "  c: {address: c.example, host_key: \"ssh-dss " +
      blob +
      "\"}\n"
      "  d: {address: d.example, host_key: \"ssh-ed25519 AAAA!AAA\"}\n"
      "  e: {address: e.example, host_key: \"ssh-rsa " +
      blob +
      "\"}\n"
      "  f: {address: f.example, become: su, root: srv, home: srv/home, identity: \"\"}\n"
      "  g: {address: g.example, become: sudo, root: /srv, home: ~/node, identity: ~/.ssh/k}\n"
      "  h: {address: h.example, home: ~other/node}\n");
  EXPECT_EQ(l.diags,
            "3:37: error: \"host_key\" must be \"TYPE BASE64\" with TYPE one of ssh-ed25519, "
            "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, found \"" +
                blob +
                "\" [address] {host=b}\n"
                "4:37: error: \"host_key\" must be \"TYPE BASE64\" with TYPE one of ssh-ed25519, "
                "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, found "
                "\"ssh-dss " +
                blob +
                "\" [address] {host=c}\n"
                "5:37: error: \"host_key\" must be \"TYPE BASE64\" with valid base64 after the "
                "type, found \"ssh-ed25519 AAAA!AAA\" [address] {host=d}\n"
                "6:37: error: \"host_key\" holds a key that is not of type \"ssh-rsa\"; expected "
                "the key as ssh-keyscan prints it [address] {host=e}\n"
                "7:35: error: \"become\" must be one of \"sudo\", found \"su\" [schema] {host=f}\n"
                "7:45: error: \"root\" must be an absolute path, found \"srv\" [schema] {host=f}\n"
                "7:56: error: \"home\" must be an absolute path or start with \"~/\", found "
                "\"srv/home\" [schema] {host=f}\n"
                "7:76: error: \"identity\" must not be empty [schema] {host=f}\n"
                "9:33: error: \"home\" must be an absolute path or start with \"~/\", found "
                "\"~other/node\" [schema] {host=h}\n");
  const auto& hosts = l.inventory.hosts;
  EXPECT_EQ(show(hosts[0].host_key), std::string(k_ed25519_key) + "@2:37");
  EXPECT_EQ(show(hosts[1].host_key), "-");
  EXPECT_EQ(show(hosts[6].become), "sudo@8:35");
  EXPECT_EQ(show(hosts[6].home), "~/node@8:59");
  EXPECT_EQ(show(hosts[6].identity), "~/.ssh/k@8:77");
}

TEST(LoadInventory, DuplicatesAnchorsAndMergeKeys) {
  const Loaded l = load(
      "defaults: &d {user: cosmos, port: 2222}\n"
      "hosts:\n"
      "  a: &a {address: a.example, datacenter: dc1, region: r1}\n"
      "  b: {<<: *a, address: b.example}\n"
      "  c: {<<: [*d, *a], address: c.example, port: 22}\n"
      "  a: {address: again.example}\n"
      "  d:\n"
      "    address: d.example\n"
      "    address: d2.example\n");
  EXPECT_EQ(l.diags,
            "6:3: error: duplicate key \"a\" (first at line 3) [duplicate] {hosts.a}\n"
            "9:5: error: duplicate key \"address\" (first at line 8) [duplicate] "
            "{hosts.d.address}\n");
  const auto& hosts = l.inventory.hosts;
  ASSERT_EQ(hosts.size(), 4u);
  EXPECT_EQ(hosts[0].address.value, "a.example");
  EXPECT_EQ(hosts[1].address.value, "b.example");
  EXPECT_EQ(show(hosts[1].datacenter), "dc1@3:42");
  EXPECT_EQ(show(hosts[2].user), "cosmos@1:21");
  EXPECT_EQ(hosts[2].port.value, 22);
  EXPECT_EQ(show(hosts[2].region), "r1@3:55");
  EXPECT_EQ(hosts[3].address.value, "d.example");
}

TEST(LoadInventory, AnchoredAndMergedHostCollections) {
  // An anchor on `hosts` stops streaming: the loader reads the whole map afterwards.
  const Loaded whole = load("hosts: &all\n  a: {address: a.example}\n  b: {address: b.example}\n");
  EXPECT_EQ(whole.diags, "");
  ASSERT_EQ(whole.inventory.hosts.size(), 2u);
  EXPECT_EQ(whole.inventory.hosts[1].name.value, "b");
  // Hosts merged into a streamed `hosts` count too; written hosts win.
  const Loaded merged = load(
      "defaults: &more {a: {address: merged-a.example}, c: {address: c.example}}\n"
      "hosts:\n"
      "  a: {address: a.example}\n"
      "  <<: *more\n");
  EXPECT_EQ(merged.diags,
            "1:18: error: unknown key \"a\" in \"defaults\"; expected one of \"address\", "
            "\"port\", \"user\", \"identity\", \"home\", \"service\", \"datacenter\", "
            "\"region\", \"provider\", \"jump\", \"host_key\", \"become\", \"restart\", "
            "\"check\", \"reload_vpn\", \"reload_firewall\", \"root\", \"reload_monitoring\", \"tunnel_address\", \"ssh_allow\", \"allow_ports\", \"signer_service\", \"signer_restart\", \"signer_check\", \"reload_units\" [schema] {defaults}\n"
            "1:50: error: unknown key \"c\" in \"defaults\"; expected one of \"address\", "
            "\"port\", \"user\", \"identity\", \"home\", \"service\", \"datacenter\", "
            "\"region\", \"provider\", \"jump\", \"host_key\", \"become\", \"restart\", "
            "\"check\", \"reload_vpn\", \"reload_firewall\", \"root\", \"reload_monitoring\", \"tunnel_address\", \"ssh_allow\", \"allow_ports\", \"signer_service\", \"signer_restart\", \"signer_check\", \"reload_units\" [schema] {defaults}\n");
  ASSERT_EQ(merged.inventory.hosts.size(), 2u);
  EXPECT_EQ(merged.inventory.hosts[0].address.value, "a.example");
  EXPECT_EQ(merged.inventory.hosts[1].name.value, "c");
  EXPECT_EQ(at(merged.inventory.hosts[1].address.loc), "1:63");
}

// Remote paths: refused (not silently normalised) when they hold ".", "..", "//" or a
// control character; any other byte is allowed and quoted where it meets a shell.
TEST(LoadInventory, RootAndHomeMustBeCleanAbsolutePaths) {
  const Loaded l = load(
      "hosts:\n"
      "  a: {address: 10.0.0.1, root: /srv/../etc}\n"
      "  b: {address: 10.0.0.2, root: \"/srv//x\"}\n"
      "  c: {address: 10.0.0.3, root: /srv/./x, home: ~/../x}\n"
      "  d: {address: 10.0.0.4, root: \"/srv/x\\ny\", home: \"/h/x\\0y\"}\n"
      "  e: {address: 10.0.0.5, root: \"/srv/ sp'q\\\"$(touch /tmp/pwned)`id`;-rf ünï/\", "
      "home: \"~/.gaia\"}\n"
      "  f: {address: 10.0.0.6, root: srv/x}\n"
      "  '..': {address: 10.0.0.7}\n");
  EXPECT_EQ(l.diags,
            "2:32: error: \"root\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/srv/../etc\" [schema] {host=a}\n"
            "3:32: error: \"root\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/srv//x\" [schema] {host=b}\n"
            "4:32: error: \"root\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/srv/./x\" [schema] {host=c}\n"
            "4:48: error: \"home\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"~/../x\" [schema] {host=c}\n"
            "5:32: error: \"root\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/srv/x\\ny\" [schema] {host=d}\n"
            "5:51: error: \"home\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/h/x\\x00y\" [schema] {host=d}\n"
            "7:32: error: \"root\" must be an absolute path, found \"srv/x\" [schema] {host=f}\n"
            "8:3: error: host name \"..\" is not a name: it means a directory [schema] {host=..}\n");
  const Host* e = l.inventory.find_host("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->root->value, "/srv/ sp'q\"$(touch /tmp/pwned)`id`;-rf ünï/");
  EXPECT_EQ(e->home->value, "~/.gaia");
}

// Issue 10, item 8: two names for one machine (same address, SSH port and jump host).
TEST(LoadInventory, TwoHostsAtOneAddressAreOneMachine) {
  const Loaded l = load("hosts:\n"
                        "  a: {address: 198.51.100.10}\n"
                        "  b: {address: 198.51.100.10, port: 22}\n"
                        "  c: {address: 198.51.100.10, port: 2222}\n"
                        "  d: {address: 10.0.0.5, jump: a}\n"
                        "  e: {address: 10.0.0.5, jump: c}\n"
                        "  f: {address: Node.Example.com}\n"
                        "  g: {address: node.example.COM}\n");
  EXPECT_EQ(l.diags,
            "3:16: error: host \"b\" has the same address \"198.51.100.10\" (SSH port 22) as "
            "host \"a\": one machine under two names would count its failure domains twice and "
            "get both hosts' files; give each host its own address [duplicate] {host=a,host=b}\n"
            "8:16: error: host \"g\" has the same address \"node.example.COM\" (SSH port 22) as "
            "host \"f\": one machine under two names would count its failure domains twice and "
            "get both hosts' files; give each host its own address [duplicate] {host=f,host=g}\n");
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// Issue 13: the firewall keys of the inventory.
TEST(LoadInventory, ControllerSshAllowAndAllowPorts) {
  const Loaded l = load(
      "controller: [198.51.100.250, \"2001:db8:1::/48\"]\n"
      "defaults:\n"
      "  ssh_allow: [198.51.100.250, 192.0.2.0/28]\n"
      "  allow_ports:\n"
      "    - {port: 1317, from: [192.0.2.0/28]}\n"
      "hosts:\n"
      "  a: {address: 198.51.100.1}\n"
      "  b: {address: 198.51.100.2, ssh_allow: 198.51.100.1, allow_ports: [{port: 53, proto: udp, from: any}]}\n");
  EXPECT_EQ(l.diags, "");
  const Inventory& inv = l.inventory;
  ASSERT_EQ(inv.controller.size(), 2u);
  EXPECT_EQ(inv.controller[0].value + "@" + at(inv.controller[0].loc), "198.51.100.250@1:14");
  EXPECT_EQ(inv.controller[1].value, "2001:db8:1::/48");
  EXPECT_EQ(at(inv.controller_loc), "1:1");
  ASSERT_EQ(inv.hosts.size(), 2u);
  const Host& a = inv.hosts[0];  // from defaults, located there
  ASSERT_TRUE(a.ssh_allow);
  ASSERT_EQ(a.ssh_allow->size(), 2u);
  EXPECT_EQ((*a.ssh_allow)[1].value + "@" + at((*a.ssh_allow)[1].loc), "192.0.2.0/28@3:31");
  EXPECT_EQ(at(a.ssh_allow_loc), "3:3");
  ASSERT_EQ(a.allow_ports.size(), 1u);
  EXPECT_EQ(a.allow_ports[0].port.value, 1317);
  EXPECT_EQ(a.allow_ports[0].proto.value, "tcp");
  EXPECT_FALSE(a.allow_ports[0].any);
  ASSERT_EQ(a.allow_ports[0].from.size(), 1u);
  EXPECT_EQ(a.allow_ports[0].from[0].value, "192.0.2.0/28");
  const Host& b = inv.hosts[1];  // its own lists replace the defaults
  ASSERT_TRUE(b.ssh_allow);
  ASSERT_EQ(b.ssh_allow->size(), 1u);
  EXPECT_EQ((*b.ssh_allow)[0].value, "198.51.100.1");
  EXPECT_EQ(at(b.ssh_allow_loc), "8:30");
  ASSERT_EQ(b.allow_ports.size(), 1u);
  EXPECT_EQ(b.allow_ports[0].port.value, 53);
  EXPECT_EQ(b.allow_ports[0].proto.value, "udp");
  EXPECT_TRUE(b.allow_ports[0].any);
  // Without the keys: ssh open to all, no extra port, no controller.
  const Loaded plain = load("hosts:\n  a: {address: 198.51.100.1}\n");
  EXPECT_FALSE(plain.inventory.hosts[0].ssh_allow);
  EXPECT_TRUE(plain.inventory.hosts[0].allow_ports.empty());
  EXPECT_TRUE(plain.inventory.controller.empty());
}

TEST(LoadInventory, FirewallKeysBadValues) {
  const Loaded l = load(
      "controller: controller.example.net\n"
      "hosts:\n"
      "  a:\n"
      "    address: 198.51.100.1\n"
      "    ssh_allow: [198.51.100.7/24, \"2001:db8::/129\", {x: 1}]\n"
      "    allow_ports:\n"
      "      - {port: 70000, from: any}\n"
      "      - {port: 22, proto: sctp, from: [10.0.0.1]}\n"
      "      - {port: 80}\n"
      "      - {port: 81, from: [], tcp: true}\n"
      "      - 443\n");
  EXPECT_EQ(l.diags,
            "1:13: error: \"controller\" takes IPv4 or IPv6 addresses or CIDR prefixes (198.51.100.7, "
            "198.51.100.0/24, 2001:db8::/48), found \"controller.example.net\" [address] {controller}\n"
            "5:17: error: \"198.51.100.7/24\" in \"ssh_allow\" has bits set past its prefix length; did you "
            "mean \"198.51.100.0/24\"? [address] {host=a}\n"
            "5:34: error: \"ssh_allow\" takes IPv4 or IPv6 addresses or CIDR prefixes (198.51.100.7, "
            "198.51.100.0/24, 2001:db8::/48), found \"2001:db8::/129\" [address] {host=a}\n"
            "5:52: error: items of \"ssh_allow\" must be addresses or CIDR prefixes, found a map [schema] "
            "{host=a}\n"
            "7:16: error: \"port\" must be a port from 1 to 65535, found 70000 [address] {host=a}\n"
            "8:27: error: \"proto\" must be one of \"tcp\", \"udp\", found \"sctp\" [schema] {host=a}\n"
            "9:9: error: missing required key \"from\" in host \"a\" [schema] {host=a}\n"
            "10:30: error: unknown key \"tcp\" in host \"a\"; expected one of \"port\", \"proto\", \"from\" "
            "[schema] {host=a}\n"
            "11:9: error: an item of \"allow_ports\" must be a map, found \"443\" [schema] {host=a}\n");
}

}  // namespace
}  // namespace picket
