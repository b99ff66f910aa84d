#include "render/checks.hpp"
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "render/config_table.hpp"
#include "render/render.hpp"
#include "render/overrides.hpp"
#include "render/settings.hpp"
#include "tests/unit/render/golden_file.hpp"
#include "tests/unit/render/network_builder.hpp"
#include "topology/base_file.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

using test_support::diagnostics_text;
using test_support::NetworkBuilder;

using golden::expect_golden;
using golden::read_file;
using golden::source_path;

// The keys of a parsed TOML document as dotted paths → their values in TOML notation, as
// toml++ prints them (strings as literal strings: 'x').
using golden::parse_flat;

// The settings picket derives; everything else must keep the list's default.
const std::set<std::string> k_derived_keys{
    "moniker", "version", "priv_validator_laddr", "rpc.laddr", "p2p.laddr", "p2p.external_address",
    "p2p.persistent_peers", "p2p.addr_book_strict", "p2p.unconditional_peer_ids", "p2p.pex",
    "p2p.private_peer_ids", "consensus.double_sign_check_height", "instrumentation.prometheus",
    "instrumentation.prometheus_listen_addr", "p2p.max_num_inbound_peers", "p2p.max_num_outbound_peers"};

// The small network of the goldens: a validator with a signer behind two private sentries
// (VPN), a public sentry on a private link and one on the open internet, a partner, keys
// from fixed seeds, one pinned node, and one override.
NetworkBuilder small_network(const std::string& line) {
  NetworkBuilder b(line, "testnet-1");
  b.vpn("10.44.0.0/24");
  b.host("val-1", "198.51.100.10", "/home/cosmos/.simd/");
  b.host("hsm-1", "198.51.100.11");
  b.host("priv-1", "198.51.100.20");
  b.host("priv-2", "198.51.100.21");
  b.host("pub-1", "203.0.113.30", "/var/lib/node");
  b.host("pub-2", "2001:db8::31");
  b.node("validator", Role::validator, "val-1").signer = Located<std::string>{"kms", {}};
  b.node("kms", Role::signer, "hsm-1");
  b.node("priv-a", Role::private_sentry, "priv-1");
  b.node("priv-b", Role::private_sentry, "priv-2");
  b.node("pub-a", Role::public_sentry, "pub-1");
  b.node("pub-b", Role::public_sentry, "pub-2").node_id =
      Located<std::string>{"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", {}};
  b.link("validator", "priv-a");
  b.link("validator", "priv-b");
  b.link("priv-a", "pub-a", LinkKind::private_net);
  b.link("priv-b", "pub-b", LinkKind::public_net);
  b.link("priv-a", "priv-b");
  b.partner("certus", {{"2b3d5f7a9c1e4b6d8f0a2c4e6a8b0d2f4a6c8e0b", "203.0.113.7:26656"}},
            {"priv-a", "priv-b"});
  b.key("validator", 0x00);
  b.key("priv-a", 0x0a);
  b.key("priv-b", 0x0b);
  b.key("pub-a", 0x1a);
  b.override_value("pub-a", "consensus", "timeout_commit", ConfigValue::Kind::string, "5s");
  if (line == "0.38" || line == "1.0")
    b.topology().chain.binary_version = Located<std::string>{"v" + line + ".9", {}};
  return b;
}

struct Rendered {
  FileSet files;
  Diagnostics diagnostics;
  TunnelPlan tunnels;
};

Rendered render(NetworkBuilder& b, const TemplateSet& templates = builtin_templates()) {
  Rendered r;
  r.tunnels = plan_tunnels(b.topology(), b.inventory(), r.diagnostics);
  RenderContext ctx{b.topology(), b.inventory(), b.secrets(), templates, r.tunnels};
  render_node_configs(ctx, r.files, r.diagnostics);
  sort_files(r.files);
  return r;
}

const RenderedFile* find_file(const FileSet& files, const std::string& node, const std::string& suffix) {
  for (const auto& f : files)
    if (f.node == node && f.path.size() >= suffix.size() &&
        f.path.compare(f.path.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &f;
  return nullptr;
}

TEST(NodeConfig, EveryLineHasExactlyTheListsKeysAndDefaults) {
  for (const auto& line : cometbft_lines()) {
    SCOPED_TRACE(line);
    // The list file itself is TOML (dotted keys, trailing comments): its values are the defaults.
    const auto defaults = parse_flat(read_file(source_path("templates/cometbft/keys-" + line + ".txt")),
                                     "key list " + line);
    ASSERT_GT(defaults.size(), 90u);
    NetworkBuilder b = small_network(line);
    const Rendered r = render(b);
    ASSERT_EQ(diagnostics_text(r.diagnostics), "");
    std::size_t configs = 0;
    for (const auto& file : r.files) {
      if (file.path.find("config.toml") == std::string::npos) continue;
      ++configs;
      SCOPED_TRACE(file.node);
      const auto rendered = parse_flat(file.content, file.path);
      std::set<std::string> want_keys, got_keys;
      for (const auto& [k, v] : defaults) want_keys.insert(k);
      for (const auto& [k, v] : rendered) got_keys.insert(k);
      EXPECT_EQ(got_keys, want_keys);
      for (const auto& [key, value] : rendered) {
        if (k_derived_keys.count(key) || (file.node == "pub-a" && key == "consensus.timeout_commit"))
          continue;
        EXPECT_EQ(value, defaults.count(key) ? defaults.at(key) : "<absent>") << key;
      }
    }
    EXPECT_EQ(configs, 5u);  // every node but the signer
  }
}

TEST(NodeConfig, DerivedSettingsReachTheFile) {
  NetworkBuilder b = small_network("0.38");
  b.find("validator")->node_id = Located<std::string>{std::string(40, '1'), {}};
  b.find("priv-a")->node_id = Located<std::string>{std::string(40, 'a'), {}};
  b.find("priv-b")->node_id = Located<std::string>{std::string(40, 'b'), {}};
  const Rendered r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  const std::string val = r.tunnels.addresses.at("val-1");
  const std::string priv_1 = r.tunnels.addresses.at("priv-1");
  const std::string priv_2 = r.tunnels.addresses.at("priv-2");
  const RenderedFile* file = find_file(r.files, "validator", "/config.toml");
  ASSERT_NE(file, nullptr);
  const auto v = parse_flat(file->content, "validator");
  const std::map<std::string, std::string> expected{
      {"moniker", "'validator'"},
      {"version", "'0.38.9'"},
      {"priv_validator_laddr", "'tcp://" + val + ":26659'"},
      {"rpc.laddr", "'tcp://127.0.0.1:26657'"},
      {"p2p.laddr", "'tcp://" + val + ":26656'"},
      {"p2p.external_address", "''"},
      {"p2p.persistent_peers", "'" + std::string(40, 'a') + "@" + priv_1 + ":26656," +
                                   std::string(40, 'b') + "@" + priv_2 + ":26656'"},
      {"p2p.addr_book_strict", "false"},
      {"p2p.unconditional_peer_ids", "'" + std::string(40, 'a') + "," + std::string(40, 'b') + "'"},
      {"p2p.max_num_inbound_peers", "10"},
      {"p2p.max_num_outbound_peers", "10"},
      {"p2p.pex", "false"},
      {"p2p.private_peer_ids", "''"},
      {"consensus.double_sign_check_height", "10"},
      {"instrumentation.prometheus", "true"},
      {"instrumentation.prometheus_listen_addr", "'" + val + ":26660'"},
  };
  for (const auto& [key, value] : expected) EXPECT_EQ(v.at(key), value) << key;

  const auto pub = parse_flat(find_file(r.files, "pub-b", "/config.toml")->content, "pub-b");
  EXPECT_EQ(pub.at("p2p.external_address"), "'[2001:db8::31]:26656'");
  EXPECT_EQ(pub.at("p2p.persistent_peers"), "'" + std::string(40, 'b') + "@198.51.100.21:26656'");
  EXPECT_EQ(pub.at("p2p.private_peer_ids"), "'" + std::string(40, '1') + "," + std::string(40, 'b') + "'");
  // Its own address is one CometBFT calls non-routable (2001:db8::/32): pex must keep such.
  EXPECT_EQ(pub.at("p2p.addr_book_strict"), "false");
  EXPECT_EQ(pub.at("p2p.pex"), "true");
  EXPECT_EQ(pub.at("priv_validator_laddr"), "''");
  EXPECT_EQ(pub.at("consensus.double_sign_check_height"), "0");
  EXPECT_EQ(pub.at("p2p.max_num_inbound_peers"), "100");
  EXPECT_EQ(pub.at("p2p.max_num_outbound_peers"), "40");
  const auto priv = parse_flat(find_file(r.files, "priv-a", "/config.toml")->content, "priv-a");
  EXPECT_EQ(priv.at("p2p.max_num_inbound_peers"), "40");
  EXPECT_EQ(priv.at("p2p.max_num_outbound_peers"), "10");
}

TEST(NodeConfig, GoldenSmallNetworkOnEveryLine) {
  for (const auto& line : cometbft_lines()) {
    SCOPED_TRACE(line);
    NetworkBuilder b = small_network(line);
    const Rendered r = render(b);
    ASSERT_EQ(diagnostics_text(r.diagnostics), "");
    std::string all;
    for (const auto& f : r.files) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(f.mode));
      all += "==== " + f.host + " " + f.path + " mode=" + mode + " node=" + f.node +
             " action=" + apply_action_name(f.action) + (f.secret ? " secret" : "") + "\n";
      all += f.content;
      if (f.content.empty() || f.content.back() != '\n') all += "\n";
    }
    expect_golden("small-network-" + line + ".txt", all);
  }
}

TEST(NodeConfig, FilesModesAndActions) {
  NetworkBuilder b = small_network("0.37");
  const Rendered r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  std::vector<std::string> listing;
  for (const auto& f : r.files) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(f.mode));
    listing.push_back(f.host + " " + f.path + " " + mode + " " + f.node + " " +
                      apply_action_name(f.action) + (f.secret ? " secret" : ""));
    EXPECT_EQ(f.path.find("priv_validator"), std::string::npos);
  }
  const std::vector<std::string> expected{
      "priv-1 /home/cosmos/.simd/config/config.toml 0644 priv-a restart-node",
      "priv-1 /home/cosmos/.simd/config/node_key.json 0600 priv-a restart-node secret",
      "priv-2 /home/cosmos/.simd/config/config.toml 0644 priv-b restart-node",
      "priv-2 /home/cosmos/.simd/config/node_key.json 0600 priv-b restart-node secret",
      "pub-1 /var/lib/node/config/config.toml 0644 pub-a restart-node",
      "pub-1 /var/lib/node/config/node_key.json 0600 pub-a restart-node secret",
      // pub-b pins its node_id: picket leaves its node_key.json alone.
      "pub-2 /home/cosmos/.simd/config/config.toml 0644 pub-b restart-node",
      "val-1 /home/cosmos/.simd/config/config.toml 0644 validator restart-node",
      "val-1 /home/cosmos/.simd/config/node_key.json 0600 validator restart-node secret",
  };
  EXPECT_EQ(listing, expected);
  EXPECT_EQ(find_file(r.files, "priv-a", "node_key.json")->content,
            node_key_json(b.secrets().node_keys.at("priv-a")));
}

TEST(NodeConfig, NodeKeyJsonIsTheKeyOfTheNode) {
  NetworkBuilder b = small_network("0.38");
  const Rendered r = render(b);
  const RenderedFile* file = find_file(r.files, "validator", "node_key.json");
  ASSERT_NE(file, nullptr);
  // Seed of 32 zero bytes (the facts' test vector).
  EXPECT_EQ(file->content,
            "{\"priv_key\":{\"type\":\"tendermint/PrivKeyEd25519\",\"value\":"
            "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1naKQ==\"}}");
}

TEST(NodeConfig, OverridesApplyLast) {
  NetworkBuilder b = small_network("0.38");
  b.override_value("pub-a", "rpc", "laddr", ConfigValue::Kind::string, "tcp://0.0.0.0:26657");
  b.override_value("pub-a", "p2p", "max_num_inbound_peers", ConfigValue::Kind::integer, "200");
  b.override_value("pub-a", "", "moniker", ConfigValue::Kind::string, "edge \"one\"");
  b.override_value("validator", "consensus", "double_sign_check_height", ConfigValue::Kind::integer, "20");
  ConfigValue& servers =
      b.override_value("pub-a", "statesync", "rpc_servers", ConfigValue::Kind::array, "");
  for (const char* s : {"https://rpc-1.example:443", "https://rpc-2.example:443"}) {
    ConfigValue item;
    item.text = s;
    servers.items.push_back(item);
  }
  const Rendered r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  const auto pub = parse_flat(find_file(r.files, "pub-a", "/config.toml")->content, "pub-a");
  EXPECT_EQ(pub.at("rpc.laddr"), "'tcp://0.0.0.0:26657'");
  EXPECT_EQ(pub.at("p2p.max_num_inbound_peers"), "200");
  EXPECT_EQ(pub.at("moniker"), "'edge \"one\"'");
  EXPECT_EQ(pub.at("consensus.timeout_commit"), "'5s'");
  EXPECT_EQ(pub.at("statesync.rpc_servers"),
            "[ 'https://rpc-1.example:443', 'https://rpc-2.example:443' ]");
  const auto val = parse_flat(find_file(r.files, "validator", "/config.toml")->content, "validator");
  EXPECT_EQ(val.at("consensus.double_sign_check_height"), "20");
  EXPECT_EQ(val.at("consensus.timeout_commit"), "'1s'");
}

TEST(NodeConfig, RefusedOverridesRenderNoConfig) {
  NetworkBuilder b = small_network("0.38");
  b.override_value("validator", "p2p", "pex", ConfigValue::Kind::boolean, "true");
  b.override_value("priv-a", "p2p", "persistent_peer", ConfigValue::Kind::string, "x");
  const Rendered r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "topology.yaml:33:7: error: override of p2p.pex on \"validator\" sets true, but picket "
            "derives false: a validator must not exchange peer addresses with the network "
            "[override-conflict] {validator}\n"
            "topology.yaml:34:7: error: config.toml of CometBFT 0.38 has no key \"persistent_peer\" "
            "in [p2p]; did you mean \"persistent_peers\"? (CometBFT ignores unknown keys without a "
            "word) [schema] {priv-a}\n");
  EXPECT_EQ(find_file(r.files, "validator", "/config.toml"), nullptr);
  EXPECT_EQ(find_file(r.files, "priv-a", "/config.toml"), nullptr);
  EXPECT_NE(find_file(r.files, "priv-b", "/config.toml"), nullptr);
}

TEST(NodeConfig, ExactIdsAreComparedWhenKeysAreKnown) {
  NetworkBuilder b = small_network("0.38");
  b.find("priv-a")->node_id = Located<std::string>{std::string(40, 'a'), {}};
  b.find("priv-b")->node_id = Located<std::string>{std::string(40, 'b'), {}};
  // Right count, wrong ID: lint (no keys) cannot tell; render can.
  b.override_value("validator", "p2p", "unconditional_peer_ids", ConfigValue::Kind::string,
                   std::string(40, 'a') + "," + std::string(40, 'c'));
  const Rendered r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "topology.yaml:33:7: error: override of p2p.unconditional_peer_ids on \"validator\" "
            "does not name the peers picket always admits (priv-a, priv-b); change the topology "
            "instead [override-conflict] {validator}\n");
}

TEST(NodeConfig, MissingHomeAndMissingKey) {
  NetworkBuilder b = small_network("0.38");
  b.inventory().hosts[2].home.reset();  // priv-1
  b.secrets().node_keys.erase("pub-a");
  const Rendered r = render(b);
  // The missing home is the shared check's to say (lint says it first; render_all runs it too).
  Diagnostics checked;
  check_renderable(b.topology(), b.inventory(), checked);
  std::erase_if(checked, [](const Diagnostic& d) {  // its hosts name no service either
    return d.message.find("has no home") == std::string::npos;
  });
  EXPECT_EQ(diagnostics_text(checked),
            "topology.yaml:10:3: error: node \"priv-a\" has no home: set \"home\" on the node, on "
            "its host \"priv-1\" or in the inventory's defaults [schema] {priv-a}\n");
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "topology.yaml:16:3: error: node \"pub-a\" has no node key: run \"picket keys\" to "
            "create the keys of managed nodes, or pin its ID with node_id [missing-key] {pub-a}\n");
  EXPECT_EQ(find_file(r.files, "priv-a", "/config.toml"), nullptr);
  EXPECT_NE(find_file(r.files, "pub-a", "/config.toml"), nullptr);
  EXPECT_EQ(find_file(r.files, "pub-a", "node_key.json"), nullptr);
}

TEST(NodeConfig, NodeHomeWinsOverHostHome) {
  NetworkBuilder b = small_network("0.38");
  b.find("priv-a")->home = Located<std::string>{"/srv/priv-a", {}};
  const Rendered r = render(b);
  ASSERT_NE(find_file(r.files, "priv-a", "/config.toml"), nullptr);
  EXPECT_EQ(find_file(r.files, "priv-a", "/config.toml")->path, "/srv/priv-a/config/config.toml");
}

TEST(NodeConfig, RendersByteIdenticallyAndLikeMustacheItself) {
  NetworkBuilder b = small_network("1.0");
  const Rendered first = render(b);
  const Rendered second = render(b);
  ASSERT_EQ(first.files.size(), second.files.size());
  for (std::size_t i = 0; i < first.files.size(); ++i)
    EXPECT_EQ(first.files[i].content, second.files[i].content);

  // A template with a section cannot be filled by splicing; it is filled per node. An
  // inverted section over a present object adds nothing, so the output must not change.
  TemplateSet templates = builtin_templates();
  templates["config-1.0.toml"] += "{{^picket}}never{{/picket}}";
  const Rendered slow = render(b, templates);
  ASSERT_EQ(diagnostics_text(slow.diagnostics), "");
  ASSERT_EQ(slow.files.size(), first.files.size());
  for (std::size_t i = 0; i < first.files.size(); ++i)
    EXPECT_EQ(slow.files[i].content, first.files[i].content) << first.files[i].path;

  // And a user template that branches on a value does branch.
  templates["config-1.0.toml"] = "{{#picket.node}}node={{picket.node}} pex={{p2p.pex}}{{/picket.node}}\n";
  const Rendered custom = render(b, templates);
  ASSERT_EQ(diagnostics_text(custom.diagnostics), "");
  EXPECT_EQ(find_file(custom.files, "validator", "/config.toml")->content, "node=validator pex=false\n");
}

TEST(NodeConfig, BrokenOrMissingTemplateIsReportedOnce) {
  NetworkBuilder b = small_network("0.38");
  TemplateSet templates = builtin_templates();
  templates["config-0.38.toml"] = "laddr = {{p2p.laddr}\n";
  const Rendered broken = render(b, templates);
  EXPECT_EQ(broken.files.size(), 0u);
  ASSERT_EQ(broken.diagnostics.size(), 1u);
  EXPECT_EQ(broken.diagnostics[0].rule, "template");

  templates.erase("config-0.38.toml");
  const Rendered missing = render(b, templates);
  EXPECT_EQ(diagnostics_text(missing.diagnostics),
            "topology.yaml:2:3: error: template \"config-0.38.toml\" is missing [template] {}\n");
}

// The example topologies as the CLI would load them, with node keys from fixed seeds.
struct Example {
  Topology topology;
  Inventory inventory;
  Secrets secrets;
  Diagnostics loaded;
};

Example load_example(const std::string& name) {
  Example e;
  const std::string topology = "examples/" + name + "/topology.yaml";
  const std::string inventory = "inventories/" + name + ".yaml";
  e.topology = load_topology({topology, read_file(source_path(topology))}, e.loaded);
  e.inventory = load_inventory({inventory, read_file(source_path(inventory))}, e.loaded);
  std::uint8_t fill = 0x40;
  for (const auto& node : e.topology.nodes) {
    ++fill;
    if (node.node_id || node.role.value == Role::signer) continue;
    Bytes32 seed{};
    seed.fill(fill);
    e.secrets.node_keys[node.name.value] = node_key_from_seed(seed);
  }
  return e;
}

TEST(NodeConfig, GoldenExamples) {
  for (const std::string name : {"minimal", "sentry-network"}) {
    SCOPED_TRACE(name);
    Example e = load_example(name);
    ASSERT_EQ(diagnostics_text(e.loaded), "");
    Diagnostics out;
    check_overrides(e.topology, e.inventory, out);
    EXPECT_EQ(diagnostics_text(out), "");
    const TunnelPlan tunnels = plan_tunnels(e.topology, e.inventory, out);
    RenderContext ctx{e.topology, e.inventory, e.secrets, builtin_templates(), tunnels};
    FileSet files;
    render_node_configs(ctx, files, out);
    sort_files(files);
    ASSERT_EQ(diagnostics_text(out), "");
    std::string all;
    for (const auto& f : files) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(f.mode));
      all += "==== " + f.host + " " + f.path + " mode=" + mode + " node=" + f.node +
             " action=" + apply_action_name(f.action) + (f.secret ? " secret" : "") + "\n";
      all += f.content;
      // Every config.toml of the example is valid TOML with exactly its line's keys.
      if (f.path.find("config.toml") != std::string::npos) {
        EXPECT_EQ(parse_flat(f.content, f.path).size(),
                  builtin_config_tables().at(e.topology.chain.cometbft.value).keys().size());
      }
      if (f.content.empty() || f.content.back() != '\n') all += "\n";
    }
    expect_golden("example-" + name + ".txt", all);
  }
}

// 10k nodes, 20k links: config.toml and node_key.json for every node well within budget.
// Scale, not speed: bench/render.sh measures the time; here 10,000 nodes must come out right.
TEST(NodeConfig, TenThousandNodesRenderWhole) {
  NetworkBuilder b("0.38");
  b.vpn("10.44.0.0/16");
  const int n = 10000, privates = 100;
  b.host("h0", "198.51.100.1").tunnel_address = Located<std::string>{"10.44.0.2", {}};
  b.node("validator", Role::validator, "h0");
  b.key("validator", 0);
  for (int i = 1; i < n; ++i) {
    const std::string name = (i <= privates ? "priv-" : "pub-") + std::to_string(i);
    const std::string host = "h" + std::to_string(i);
    // Thousands of tunnel hosts in a /16 collide by the hash of their names (picket moves
    // nobody to make room): a network this large pins its tunnel addresses.
    b.host(host, "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250)).tunnel_address =
        Located<std::string>{"10.44." + std::to_string((i + 2) / 256) + "." + std::to_string((i + 2) % 256), {}};
    b.node(name, i <= privates ? Role::private_sentry : Role::public_sentry, host);
    b.key(name, static_cast<std::uint8_t>(i));
  }
  b.link("validator", "priv-1");
  b.link("validator", "priv-2");
  for (int i = privates + 1; i < n; ++i) {
    const std::string pub = "pub-" + std::to_string(i);
    b.link("priv-" + std::to_string(1 + i % privates), pub);
    b.link("priv-" + std::to_string(1 + (i + 37) % privates), pub, LinkKind::public_net);
  }
  const Rendered r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  EXPECT_EQ(r.files.size(), 2u * n);
  // priv-1 serves pub-200, pub-300, … over vpn and pub-163, pub-263, … over the internet.
  const auto* priv = find_file(r.files, "priv-1", "/config.toml");
  ASSERT_NE(priv, nullptr);
  const auto values = parse_flat(priv->content, "priv-1");
  const std::string peers = values.at("p2p.persistent_peers");
  EXPECT_EQ(static_cast<std::size_t>(std::count(peers.begin(), peers.end(), '@')), 1u + 98u + 99u);
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// chain.base_config: the chain's own values replace the line's defaults; the graph's settings
// and the node's overrides still go on top; keys the line does not know are refused in the base.
TEST(NodeConfig, BaseConfigReplacesTheLinesDefaults) {
  NetworkBuilder b = small_network("0.38");
  Diagnostics d;
  b.topology().chain.base_config = BaseFile{{"base/config.toml", {}}, {}, {}, {}, false};
  parse_base_file(SourceText{"base/config.toml",
                             "moniker = \"laptop\"\n[rpc]\npprof_laddr = \"localhost:6060\"\n"
                             "[consensus]\ntimeout_commit = \"5s\"\ntimeout_propose = \"3s\"\n"},
                  "base_config", *b.topology().chain.base_config, d);
  ASSERT_EQ(diagnostics_text(d), "");
  const Rendered r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  const auto val = parse_flat(find_file(r.files, "validator", "/config.toml")->content, "validator");
  EXPECT_EQ(val.at("consensus.timeout_commit"), "'5s'");
  EXPECT_EQ(val.at("consensus.timeout_propose"), "'3s'");
  EXPECT_EQ(val.at("rpc.pprof_laddr"), "'localhost:6060'");
  EXPECT_EQ(val.at("moniker"), "'validator'");  // derived from the graph
  const auto pub = parse_flat(find_file(r.files, "pub-a", "/config.toml")->content, "pub-a");
  EXPECT_EQ(pub.at("consensus.timeout_commit"), "'5s'");  // pub-a's override says 5s as well
  EXPECT_EQ(pub.at("consensus.timeout_propose"), "'3s'");
}

TEST(NodeConfig, BaseConfigKeysTheLineDoesNotKnowAreRefusedInTheBase) {
  NetworkBuilder b = small_network("0.38");
  Diagnostics d;
  b.topology().chain.base_config = BaseFile{{"base/config.toml", {}}, {}, {}, {}, false};
  parse_base_file(SourceText{"base/config.toml",
                             "fast_sync = true\n[p2p]\nupnp = false\n[consensus]\ntimeout_commit = 5\n"},
                  "base_config", *b.topology().chain.base_config, d);
  ASSERT_EQ(diagnostics_text(d), "");
  Diagnostics out;
  check_overrides(b.topology(), b.inventory(), out);
  EXPECT_EQ(diagnostics_text(out),
            "base/config.toml:1:13: error: config.toml of CometBFT 0.38 has no top-level key "
            "\"fast_sync\" (CometBFT ignores unknown keys without a word) [schema] {chain}\n"
            "base/config.toml:5:18: error: consensus.timeout_commit is a duration: write a Go duration "
            "string such as \"5s\"; CometBFT would read the bare number 5 as 5 nanoseconds [schema] {chain}\n"
            "base/config.toml:3:8: error: config.toml of CometBFT 0.38 has no key \"upnp\" in [p2p] "
            "(CometBFT ignores unknown keys without a word) [schema] {chain}\n");
}

}  // namespace
}  // namespace picket
