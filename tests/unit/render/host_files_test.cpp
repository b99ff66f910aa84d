// Properties of all host-level files together: secrets stay in secret files, output is
// deterministic, and a 10k-node network renders well within the time budget.
#include <gtest/gtest.h>

#include <random>

#include "render/checks.hpp"
#include "render/host_common.hpp"
#include "render/render.hpp"
#include "tests/unit/render/host_fixture.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

using namespace test;

constexpr Part k_parts[] = {render_wireguard, render_firewall, render_signer, render_monitoring,
                            render_boot};

FileSet render_host_files(const Network& net, Diagnostics& diags) {
  RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(), plan_tunnels(net.topology, net.inventory, diags)};
  // The DNS names these files leave out are reported by the checks lint shares.
  check_firewall(ctx, diags);
  check_wireguard(ctx, diags);
  FileSet files;
  for (Part part : k_parts) part(ctx, files, diags);
  sort_files(files);
  return files;
}

TEST(HostFiles, NoPrivateKeyOutsideSecretFiles) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_host_files(net, diags);
  ASSERT_EQ(dump(diags), "");
  std::size_t secret_files = 0;
  for (const auto& f : files) {
    if (f.secret) {
      ++secret_files;
      EXPECT_EQ(f.mode, 0600u) << f.host << f.path;
      continue;
    }
    EXPECT_EQ(f.content.find("PrivateKey"), std::string::npos) << f.host << f.path;
    if (!keys_available()) continue;
    for (const auto& [host, key] : net.secrets.wireguard)
      EXPECT_EQ(f.content.find(base64_key(key.private_key)), std::string::npos)
          << "private key of " << host << " in " << f.host << f.path;
  }
  EXPECT_EQ(secret_files, 4u);  // the four WireGuard files, nothing else
  if (!keys_available()) GTEST_SKIP() << "keys not implemented yet on this branch: key-text check skipped";
  // And the secret files do carry their own key (the check above looks for the right text).
  for (const auto& f : files) {
    if (f.secret) {
      EXPECT_NE(f.content.find(base64_key(net.secrets.wireguard.at(f.host).private_key)), std::string::npos);
    }
  }
}

TEST(HostFiles, SameInputSameBytes) {
  const Network net = small_network();
  Diagnostics a_diags;
  Diagnostics b_diags;
  const std::string a = dump(render_host_files(net, a_diags));
  const std::string b = dump(render_host_files(small_network(), b_diags));
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.empty());
}

// Sections that render nothing (no peers, no sets, no validators, no domain labels, no
// targets) must leave no blank line behind, in every kind of file.
TEST(HostFiles, EmptySectionsLeaveNoBlankLines) {
  std::vector<Network> variants;
  variants.push_back(small_network());
  Network bare = small_network();  // no failure domains; standby validator; vpn partner only
  for (auto& h : bare.inventory.hosts) h.datacenter = h.region = h.provider = std::nullopt;
  bare.topology.nodes[0].standby.value = true;
  for (auto& l : bare.topology.links) l.over.value = LinkKind::private_net;
  bare.topology.partners[0].peers[0].address.value = "peer.certus.example:26656";  // no AllowedIPs
  bare.topology.partners.pop_back();
  variants.push_back(bare);
  std::size_t checked = 0;
  for (const auto& net : variants) {
    Diagnostics diags;
    for (const auto& f : render_host_files(net, diags)) {
      ++checked;
      for (const char* bad : {"\n\n\n", "{\n\n", ":\n\n", "\n\n  }", "\n\n}"})
        EXPECT_EQ(f.content.find(bad), std::string::npos) << f.host << f.path << ":\n" << f.content;
    }
  }
  // small: 4 wg + 5 nft + tmkms + 2 monitoring + 5 nftables.conf + tmkms's drop-in (its hosts
  // name no service); bare: sen-a's peerless tunnel + 5 + 1 + 2 + 5 + 1.
  EXPECT_EQ(checked, 18u + 15u);
}

// The tunnel plan puts the signer's host on the mesh of its validator's host, so the signer
// dials through the tunnel: both WireGuard files peer the two hosts, tmkms dials the
// validator's tunnel address and the validator's firewall admits the signer's, on the tunnel.
TEST(HostFiles, SignerOnTheTunnelDialsThroughIt) {
  const Network net = small_network();
  Diagnostics diags;
  RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(), plan_tunnels(net.topology, net.inventory, diags)};
  ASSERT_EQ(ctx.tunnels.addresses.count("kms-1"), 1u);
  const std::string kms_tunnel = ctx.tunnels.addresses.at("kms-1");
  FileSet files;
  for (Part part : k_parts) part(ctx, files, diags);
  EXPECT_EQ(dump(diags), "");
  const std::string val_tunnel = ctx.tunnels.addresses.at("val-1");
  const RenderedFile* kms_wg = find_file(files, "kms-1", "/etc/wireguard/picket.conf");
  ASSERT_NE(kms_wg, nullptr);
  EXPECT_EQ(occurrences(kms_wg->content, "[Peer]"), 1u) << kms_wg->content;
  EXPECT_NE(kms_wg->content.find("# host val-1 (validator)\n[Peer]\nPublicKey = " +
                                 base64_key(net.secrets.wireguard.at("val-1").public_key) + "\nAllowedIPs = " +
                                 val_tunnel + "/32\nEndpoint = 198.51.100.10:51820\n"),
            std::string::npos)
      << kms_wg->content;
  const RenderedFile* val_wg = find_file(files, "val-1", "/etc/wireguard/picket.conf");
  ASSERT_NE(val_wg, nullptr);
  EXPECT_NE(val_wg->content.find("# host kms-1 (kms)\n[Peer]\nPublicKey = " +
                                 base64_key(net.secrets.wireguard.at("kms-1").public_key) +
                                 "\nAllowedIPs = " + kms_tunnel + "/32\nEndpoint = 198.51.100.11:51820\n"),
            std::string::npos)
      << val_wg->content;
  const RenderedFile* tmkms = find_file(files, "kms-1", "/home/cosmos/.gaia/tmkms.toml");
  ASSERT_NE(tmkms, nullptr);
  EXPECT_NE(tmkms->content.find("addr = \"tcp://" + val_tunnel + ":26659\"\n"), std::string::npos);
  const RenderedFile* val_nft = find_file(files, "val-1", "/etc/nftables.d/picket.nft");
  ASSERT_NE(val_nft, nullptr);
  EXPECT_NE(val_nft->content.find("iifname \"picket\" ip saddr @signer_validator_vpn_v4 tcp dport 26659 accept"),
            std::string::npos)
      << val_nft->content;
  EXPECT_NE(val_nft->content.find("set signer_validator_vpn_v4 {\n    type ipv4_addr\n    elements = {\n      " + kms_tunnel + "\n"),
            std::string::npos);
  // The WireGuard port of val-1 now admits kms-1's inventory address.
  EXPECT_NE(val_nft->content.find("      198.51.100.11,\n      198.51.100.20\n"), std::string::npos) << val_nft->content;
}

TEST(HostCommon, AddressesAndQuoting) {
  EXPECT_EQ(address_family("198.51.100.7"), AddressFamily::ipv4);
  EXPECT_EQ(address_family("2001:db8::7"), AddressFamily::ipv6);
  EXPECT_EQ(address_family("[2001:db8::7]"), AddressFamily::name);
  EXPECT_EQ(address_family("node.example.net"), AddressFamily::name);
  EXPECT_EQ(address_family("198.51.100.256"), AddressFamily::name);
  EXPECT_EQ(endpoint_host("[2001:db8::7]:51820"), "2001:db8::7");
  EXPECT_EQ(endpoint_host("2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(endpoint_host("198.51.100.7:26656"), "198.51.100.7");
  EXPECT_EQ(endpoint_host("peer.example:26656"), "peer.example");
  // The one escaper for TOML and the YAML of the Prometheus files: a tab is TOML's own "\t".
  EXPECT_EQ(toml_string("a \"b\" \\ c\td"), "\"a \\\"b\\\" \\\\ c\\td\"");
}

// fill_each must give exactly what fill_template gives item by item, whatever the template.
TEST(HostFiles, FillEachMatchesFillTemplate) {
  std::vector<TemplateValue> items;
  for (int i = 0; i < 150; ++i) {  // more than one chunk
    TemplateValue item;
    item["v"] = i == 7 ? std::string("held \x1e\n the separator") : "value " + std::to_string(i);
    TemplateValue list = TemplateValue::list();
    for (int k = 0; k < i % 3; ++k) list.push_back(TemplateValue("e" + std::to_string(k)));
    item["l"] = std::move(list);
    if (i % 2 == 0) item["flag"] = true;
    items.push_back(std::move(item));
  }
  const TemplateSet templates{
      {"lines", "{{#l}}\n- {{.}}\n{{/l}}\nv = {{v}}\n{{#flag}}\nflag\n{{/flag}}\n{{^flag}}\nno flag\n{{/flag}}\n"},
      {"no-newline", "v = {{v}}{{#l}}, {{.}}{{/l}}"},
      {"delimiters", "{{=<% %>=}}\nv = <% v %>\n<%#l%>\n- <%.%>\n<%/l%>\n"},
      {"wireguard.conf", builtin_templates().at("wireguard.conf")},
  };
  for (const auto& [name, text] : templates) {
    Diagnostics diags;
    std::vector<std::string> expected;
    for (const auto& item : items) expected.push_back(fill_template(templates, name, item, diags).value_or("?"));
    const auto texts = fill_each(templates, name, items, diags);
    ASSERT_TRUE(texts.has_value()) << name;
    EXPECT_EQ(*texts, expected) << name;
    EXPECT_EQ(dump(diags), "") << name;
  }
  Diagnostics diags;
  EXPECT_FALSE(fill_each(templates, "absent", items, diags).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].rule, "template");
}

// Issue 10, item 12: the boot files of every host through the real tools. nftables.conf is
// checked whole with its include resolved: a copy of the host's tree whose include names the
// copy's etc/nftables.d (the one change), so `nft -c -f` reads picket.nft through it. Each
// drop-in goes beside a stand-in unit of its service for `systemd-analyze verify`, which
// loads the drop-in and resolves the units it names (nftables.service, wg-quick@.service).
void check_boot_files(const FileSet& files) {
  ASSERT_TRUE(have_tool("nft")) << "nft is needed (scripts/deps.sh installs nftables)";
  ASSERT_TRUE(have_tool("systemd-analyze")) << "systemd-analyze is needed (scripts/deps.sh)";
  std::size_t confs = 0, dropins = 0;
  for (const auto& f : files) {
    if (f.path != "/etc/nftables.conf") continue;
    ++confs;
    EXPECT_EQ(f.mode, 0755u);
    EXPECT_EQ(f.action, ApplyAction::none);
    const RenderedFile* rules = find_file(files, f.host, "/etc/nftables.d/picket.nft");
    ASSERT_NE(rules, nullptr) << f.host;
    TempDir tree;
    write_text(tree.path() / "etc/nftables.d/picket.nft", rules->content);
    std::string conf = f.content;
    const std::string include = "include \"/etc/nftables.d/*.nft\"";
    ASSERT_EQ(occurrences(conf, include), 1u) << conf;
    conf.replace(conf.find(include), include.size(),
                 "include \"" + (tree.path() / "etc/nftables.d").string() + "/*.nft\"");
    write_text(tree.path() / "etc/nftables.conf", conf);
    const CommandResult r = run("nft -c -f " + (tree.path() / "etc/nftables.conf").string());
    EXPECT_EQ(r.status, 0) << f.host << ":\n" << r.output;
  }
  for (const auto& f : files) {
    if (f.path.rfind("/etc/systemd/system/", 0) != 0) continue;
    ++dropins;
    EXPECT_EQ(f.action, ApplyAction::reload_units);  // systemd re-reads it (daemon-reload)
    const std::filesystem::path path(f.path);
    const std::string unit = path.parent_path().filename().string();  // "x.service.d"
    const std::string service = unit.substr(0, unit.size() - 2);
    TempDir units;
    write_text(units.path() / service,
               "[Unit]\nDescription=stand-in for the node's service\n[Service]\nExecStart=/bin/true\n");
    write_text(units.path() / unit / path.filename(), f.content);
    const CommandResult r =
        run("SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no " + (units.path() / service).string());
    EXPECT_EQ(r.status, 0) << f.host << ":\n" << r.output;
    EXPECT_EQ(r.output, "") << f.host;
  }
  EXPECT_GT(confs, 0u);
  EXPECT_GT(dropins, 0u);
}

// The examples, loaded by the real loader, with a fixed WireGuard key per host: every host
// file as a golden, and every file through its real checker.
class HostFilesExample : public ::testing::TestWithParam<const char*> {};

TEST_P(HostFilesExample, MatchesGoldenAndPassesCheckers) {
  const std::string name = GetParam();
  const std::string topology_path = "examples/" + name + "/topology.yaml";
  const std::string inventory_path = "inventories/" + name + ".yaml";
  const std::filesystem::path root(PICKET_SOURCE_DIR);
  Diagnostics diags;
  Network net;
  net.topology = load_topology({topology_path, read_text(root / topology_path)}, diags);
  net.inventory = load_inventory({inventory_path, read_text(root / inventory_path)}, diags);
  if (net.topology.nodes.empty()) GTEST_SKIP() << "the YAML loader has not landed on this branch yet";
  std::uint8_t seed = 1;
  for (const auto& h : net.inventory.hosts)
    net.secrets.wireguard[h.name.value] = wireguard_key_from_private(fixed_key(seed++));
  const FileSet files = render_host_files(net, diags);
  expect_golden("example-" + name + ".txt", dump(diags) + dump(files));

  TempDir dir;
  for (const auto& f : files) {
    if (f.path == "/etc/nftables.d/picket.nft" && have_tool("nft")) {
      write_text(dir.path() / "picket.nft", f.content);
      const CommandResult r = run("nft -c -f " + (dir.path() / "picket.nft").string());
      EXPECT_EQ(r.status, 0) << f.host << ":\n" << r.output;
    }
    if (f.path == "/etc/wireguard/picket.conf" && have_tool("wg-quick")) {
      write_text(dir.path() / "picket.conf", f.content);
      const CommandResult r = run("wg-quick strip " + (dir.path() / "picket.conf").string());
      EXPECT_EQ(r.status, 0) << f.host << ":\n" << r.output;
    }
    // Monitoring files, local or on the monitoring host, beside each other as promtool reads
    // them (the host's config names its rules file by its path there).
    if (f.path.rfind("/monitoring/", 0) == 0 || f.path.rfind("/etc/prometheus/", 0) == 0) {
      std::string content = f.content;
      const std::string abs = "  - /etc/prometheus/picket-alerts.yml";
      if (const auto at = content.find(abs); at != std::string::npos) content.replace(at, abs.size(), "  - picket-alerts.yml");
      write_text(dir.path() / std::filesystem::path(f.path).filename(), content);
    }
  }
  if (have_tool("promtool")) {
    const CommandResult r = run("promtool check config " + (dir.path() / "prometheus.yml").string());
    EXPECT_EQ(r.status, 0) << r.output;
  }
  check_boot_files(files);
}

INSTANTIATE_TEST_SUITE_P(Examples, HostFilesExample, ::testing::Values("sentry-network", "minimal", "flawed"),
                         [](const auto& example) {
                           std::string n = example.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The shape of bench/gen_topology.py, with every other sentry link over vpn so WireGuard and
// the tunnel sets are exercised too: one host per node.
Network large_network(int nodes) {
  Network net;
  Topology& t = net.topology;
  t.chain.id = at(std::string("bench-1"), 1);
  t.chain.cometbft = at(std::string("0.38"), 1);
  Node validator = make_node("validator", Role::validator, "h-val", 2);
  validator.signer = at(std::string("kms"), 2);
  t.nodes.push_back(validator);
  t.nodes.push_back(make_node("kms", Role::signer, "h-kms", 3));
  net.inventory.hosts.push_back(make_host("h-val", "10.0.0.1", 2));
  net.inventory.hosts.push_back(make_host("h-kms", "10.0.0.2", 3));
  std::mt19937 rnd(1);
  std::vector<std::string> sentries;
  for (int i = 0; i + 2 < nodes; ++i) {
    const bool priv = i < 8;
    const std::string name = (priv ? "priv-" : "pub-") + std::to_string(i);
    t.nodes.push_back(make_node(name, priv ? Role::private_sentry : Role::public_sentry, "h-" + name, 4));
    net.inventory.hosts.push_back(make_host("h-" + name,
                                            "10." + std::to_string(1 + i / 62500) + "." + std::to_string((i / 250) % 250) +
                                                "." + std::to_string(i % 250 + 1),
                                            4));
    if (priv) {
      t.links.push_back(make_link("validator", name, LinkKind::vpn, 5));
    } else {
      for (int k = 0; k < 2; ++k) {
        const std::string& peer = sentries[rnd() % sentries.size()];
        t.links.push_back(make_link(peer, name, i % 2 == 0 ? LinkKind::vpn : LinkKind::private_net, 5));
      }
    }
    sentries.push_back(name);
  }
  Partner partner;
  partner.name = at(std::string("certus"), 6);
  partner.peers.push_back({at(std::string("2b3d5f7a9c1e4b6d8f0a2c4e6a8b0d2f4a6c8e0b"), 6),
                           at(std::string("203.0.113.7:26656"), 6), {}});
  partner.with = {at(std::string("priv-0"), 6), at(std::string("priv-1"), 6)};
  t.partners.push_back(partner);
  t.vpn = Vpn{at(std::string("10.44.0.0/16"), 7), at(51820, 7), {}};
  // Thousands of hosts in a /16 collide by the hash of their names (picket never moves a host
  // to make room): a network this large pins its tunnel addresses, one per host.
  for (std::size_t k = 0; k < net.inventory.hosts.size(); ++k)
    net.inventory.hosts[k].tunnel_address =
        at("10.44." + std::to_string((k + 2) / 256) + "." + std::to_string((k + 2) % 256), 4, true);
  t.index_nodes();
  net.inventory.index_hosts();
  std::uint8_t seed = 1;
  for (const auto& h : net.inventory.hosts)
    net.secrets.wireguard[h.name.value] = wireguard_key_from_private(fixed_key(seed++));
  return net;
}

// Scale, not speed: bench/render.sh measures the time; here 10,000 hosts must come out whole.
TEST(HostFiles, TenThousandNodesRenderWhole) {
  const Network net = large_network(10000);
  Diagnostics diags;
  const FileSet files = render_host_files(net, diags);
  EXPECT_EQ(dump(diags), "");
  // Every host runs a node; all but kms-1's host and a few public sentries carry a vpn link.
  EXPECT_EQ(with_path(files, "/etc/nftables.d/picket.nft").size(), 10000u);
  EXPECT_GT(with_path(files, "/etc/wireguard/picket.conf").size(), 5000u);
  EXPECT_EQ(with_path(files, "/home/cosmos/.gaia/tmkms.toml").size(), 1u);
  EXPECT_EQ(with_path(files, "/monitoring/prometheus.yml").size(), 1u);
}

}  // namespace
}  // namespace picket
