#include <gtest/gtest.h>

#include <chrono>

#include "tests/unit/topology/load_test_util.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

struct Loaded {
  Topology topology;
  std::string diags;
};

Loaded load(const std::string& text) {
  Diagnostics diags;
  Loaded l;
  l.topology = load_topology({"topology.yaml", text}, diags);
  l.diags = test::render_in(diags, "topology.yaml");
  return l;
}

std::string at(const Location& loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

// Valid topology headers for tests about one section.
const std::string k_head = "version: 1\nchain: {id: test-1, cometbft: \"0.38\"}\n";

// The example of topology-format.md §1, with real node IDs.
const std::string k_example =
    R"(version: 1                         # required; the only version is 1

chain:
  id: cosmoshub-4
  cometbft: "0.38"
  binary_version: "0.38.17"
  p2p_port: 26656
  rpc_port: 26657

inventory: ../inventories/mainnet.yaml

policy:
  min_paths: 2
  survive: [host, datacenter, region, provider]

nodes:
  validator:
    role: validator
    host: val-ams
    signer: kms
    standby: false
    p2p_port: 26656
    node_id: 0123456789abcdef0123456789abcdef01234567
    config:
      consensus: {double_sign_check_height: 10}
  kms:      {role: signer, host: hsm-ams}
  priv-fra: {role: private-sentry, host: fra-1}
  priv-ams: {role: private-sentry, host: ams-2}
  pub-nyc:  {role: public-sentry,  host: nyc-1}
  pub-sgp:  {role: public-sentry,  host: sgp-1}

links:
  - between: [validator, priv-fra] # over: vpn is the default
  - between: [validator, priv-ams]
  - between: [priv-fra, pub-nyc]
  - between: [priv-fra, pub-sgp]
  - between: [priv-ams, pub-nyc]
  - {between: [priv-ams, pub-sgp], over: vpn}   # vpn | private | public

partners:
  certus:
    peers:
      - {id: 2b3d0123456789abcdef0123456789abcdef0123, address: "203.0.113.7:26656"}
    with: [priv-fra, priv-ams]
    over: public

vpn:
  subnet: 10.44.0.0/24
  port: 51820
)";

TEST(LoadTopology, ExampleOfTheFormatLoadsClean) {
  const Loaded l = load(k_example);
  EXPECT_EQ(l.diags, "");
  const Topology& t = l.topology;
  ASSERT_TRUE(t.path);
  EXPECT_EQ(*t.path, "topology.yaml");
  EXPECT_EQ(t.version.value, 1);
  EXPECT_EQ(at(t.version.loc), "1:10");
  EXPECT_EQ(t.chain.id.value, "cosmoshub-4");
  EXPECT_EQ(at(t.chain.id.loc), "4:7");
  EXPECT_EQ(t.chain.cometbft.value, "0.38");
  EXPECT_EQ(at(t.chain.cometbft.loc), "5:13");
  ASSERT_TRUE(t.chain.binary_version);
  EXPECT_EQ(t.chain.binary_version->value, "0.38.17");
  ASSERT_TRUE(t.chain.p2p_port && t.chain.rpc_port);
  EXPECT_EQ(t.chain.p2p_port->value, 26656);
  EXPECT_EQ(at(t.chain.rpc_port->loc), "8:13");
  ASSERT_TRUE(t.inventory);
  EXPECT_EQ(t.inventory->value, "../inventories/mainnet.yaml");
  EXPECT_EQ(t.policy.min_paths.value, 2);
  EXPECT_EQ(at(t.policy.min_paths.loc), "13:14");
  EXPECT_EQ(t.policy.survive, (std::vector<DomainKind>{DomainKind::host, DomainKind::datacenter,
                                                       DomainKind::region, DomainKind::provider}));
  EXPECT_EQ(at(t.policy.survive_loc), "14:12");
  EXPECT_EQ(at(t.nodes_loc), "16:1");

  ASSERT_EQ(t.nodes.size(), 6u);
  const Node& v = t.nodes[0];
  EXPECT_EQ(v.name.value, "validator");
  EXPECT_EQ(at(v.name.loc), "17:3");
  EXPECT_EQ(v.role.value, Role::validator);
  EXPECT_EQ(at(v.role.loc), "18:11");
  EXPECT_EQ(v.host.value, "val-ams");
  ASSERT_TRUE(v.signer);
  EXPECT_EQ(v.signer->value, "kms");
  EXPECT_EQ(at(v.signer->loc), "20:13");
  EXPECT_FALSE(v.standby.value);
  EXPECT_EQ(at(v.standby.loc), "21:14");
  ASSERT_TRUE(v.p2p_port);
  EXPECT_EQ(v.p2p_port->value, 26656);
  EXPECT_FALSE(v.rpc_port);
  ASSERT_TRUE(v.node_id);
  EXPECT_EQ(v.node_id->value, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_FALSE(v.home);
  ASSERT_EQ(v.config.size(), 1u);
  const ConfigValue& dsch = v.config.at("consensus").at("double_sign_check_height");
  EXPECT_EQ(dsch.kind, ConfigValue::Kind::integer);
  EXPECT_EQ(dsch.text, "10");
  EXPECT_EQ(at(dsch.loc), "25:45");
  EXPECT_EQ(t.nodes[1].name.value, "kms");
  EXPECT_EQ(t.nodes[1].role.value, Role::signer);
  EXPECT_EQ(at(t.nodes[1].host.loc), "26:34");
  EXPECT_EQ(t.nodes[3].role.value, Role::private_sentry);
  EXPECT_EQ(t.nodes[5].name.value, "pub-sgp");
  EXPECT_EQ(t.nodes[5].role.value, Role::public_sentry);
  ASSERT_NE(t.find_node("priv-ams"), nullptr);
  EXPECT_EQ(t.find_node("priv-ams")->host.value, "ams-2");
  EXPECT_EQ(t.find_node("nope"), nullptr);

  ASSERT_EQ(t.links.size(), 6u);
  EXPECT_EQ(t.links[0].a.value, "validator");
  EXPECT_EQ(t.links[0].b.value, "priv-fra");
  EXPECT_EQ(at(t.links[0].b.loc), "33:26");
  EXPECT_EQ(at(t.links[0].loc), "33:5");
  EXPECT_EQ(t.links[0].over.value, LinkKind::vpn);
  EXPECT_EQ(at(t.links[0].over.loc), "33:5");  // defaulted: the link
  EXPECT_EQ(at(t.links[5].loc), "38:5");
  EXPECT_EQ(at(t.links[5].over.loc), "38:42");

  ASSERT_EQ(t.partners.size(), 1u);
  const Partner& p = t.partners[0];
  EXPECT_EQ(p.name.value, "certus");
  EXPECT_EQ(at(p.name.loc), "41:3");
  ASSERT_EQ(p.peers.size(), 1u);
  EXPECT_EQ(p.peers[0].id.value, "2b3d0123456789abcdef0123456789abcdef0123");
  EXPECT_EQ(p.peers[0].address.value, "203.0.113.7:26656");
  EXPECT_EQ(at(p.peers[0].address.loc), "43:65");
  EXPECT_EQ(at(p.peers[0].loc), "43:9");
  ASSERT_EQ(p.with.size(), 2u);
  EXPECT_EQ(p.with[1].value, "priv-ams");
  EXPECT_EQ(at(p.with[1].loc), "44:22");
  EXPECT_EQ(p.over.value, LinkKind::public_net);
  EXPECT_FALSE(p.wireguard);

  ASSERT_TRUE(t.vpn);
  EXPECT_EQ(t.vpn->subnet.value, "10.44.0.0/24");
  EXPECT_EQ(t.vpn->port.value, 51820);
  EXPECT_EQ(at(t.vpn->loc), "47:1");

  // Every location shares the one path object.
  EXPECT_EQ(v.host.loc.file, t.path);
  EXPECT_EQ(p.with[1].loc.file, t.path);
  EXPECT_EQ(dsch.loc.file, t.path);
}

TEST(LoadTopology, CrlfAndByteOrderMarkLoadLikeTheExample) {
  std::string crlf = "\xEF\xBB\xBF";
  for (char c : k_example) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const Loaded l = load(crlf);
  EXPECT_EQ(l.diags, "");
  ASSERT_EQ(l.topology.nodes.size(), 6u);
  EXPECT_EQ(at(l.topology.nodes[0].signer->loc), "20:13");
  EXPECT_EQ(l.topology.nodes[0].signer->value, "kms");
  EXPECT_EQ(l.topology.links.size(), 6u);
  EXPECT_EQ(l.topology.chain.id.value, "cosmoshub-4");
}

TEST(LoadTopology, EmptyAndNonMapFiles) {
  EXPECT_EQ(load("").diags,
            "1:1: error: the topology file is empty; expected a map with \"version\", \"chain\" "
            "and \"nodes\" [schema] {topology.yaml}\n");
  EXPECT_EQ(load("# nothing\n").diags,
            "1:1: error: the topology file is empty; expected a map with \"version\", \"chain\" "
            "and \"nodes\" [schema] {topology.yaml}\n");
  EXPECT_EQ(load("- a\n- b\n").diags,
            "1:1: error: the top level of the topology file must be a map, found a list [schema] "
            "{topology.yaml}\n");
  EXPECT_EQ(load("just text\n").diags,
            "1:1: error: the top level of the topology file must be a map, found \"just text\" "
            "[schema] {topology.yaml}\n");
  EXPECT_EQ(load("{}\n").diags,
            "1:1: error: missing required key \"chain\" at the top level [schema] {chain}\n"
            "1:1: error: missing required key \"nodes\" at the top level [schema] {nodes}\n"
            "1:1: error: missing required key \"version\" at the top level [schema] {version}\n");
}

TEST(LoadTopology, SyntaxErrorsLeaveAnEmptyModel) {
  const Loaded l = load(k_example + "oops: [\n");
  EXPECT_EQ(l.diags,
            "51:1: error: invalid YAML: did not find expected node content before the end of the "
            "file [syntax] {topology.yaml}\n");
  EXPECT_TRUE(l.topology.nodes.empty());
  EXPECT_TRUE(l.topology.links.empty());
  ASSERT_TRUE(l.topology.path);
  const Loaded two = load(k_head + "nodes: {}\n---\nversion: 1\n");
  EXPECT_EQ(two.diags,
            "4:1: error: a second YAML document starts here; expected one document per file "
            "[schema] {topology.yaml}\n");
  EXPECT_EQ(load("version: 1\n\x01").diags,
            "2:1: error: control character 0x01 is not allowed; expected a YAML text file "
            "[syntax] {topology.yaml}\n");
}

TEST(LoadTopology, UnknownKeysAtEveryLevel) {
  const Loaded l = load(
      "version: 1\n"
      "chian: {}\n"
      "chain: {id: t, cometbft: \"0.38\", p2pport: 1}\n"
      "policy: {min_path: 2}\n"
      "nodes:\n"
      "  validator: {role: validator, hots: val-ams, host: h, zzzzzz: 1}\n"
      "links:\n"
      "  - {between: [validator, validator2], ovr: vpn}\n"
      "partners:\n"
      "  certus:\n"
      "    peers: [{id: 2b3d0123456789abcdef0123456789abcdef0123, address: \"a:1\", adress: 1}]\n"
      "    with: []\n"
      "    over: vpn\n"
      "    wireguard: {public_key: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=, endpoint: "
      "\"b:2\", port: 1}\n"
      "    witth: []\n"
      "vpn: {subnet: 10.44.0.0/24, prt: 1}\n");
  EXPECT_EQ(l.diags,
            "2:1: error: unknown key \"chian\" at the top level; did you mean \"chain\"? "
            "[schema] {chian}\n"
            "3:34: error: unknown key \"p2pport\" in \"chain\"; did you mean \"p2p_port\"? "
            "[schema] {chain}\n"
            "4:10: error: unknown key \"min_path\" in \"policy\"; did you mean \"min_paths\"? "
            "[schema] {policy}\n"
            "6:32: error: unknown key \"hots\" in node \"validator\"; did you mean \"host\"? "
            "[schema] {validator}\n"
            "6:56: error: unknown key \"zzzzzz\" in node \"validator\"; expected one of "
            "\"role\", \"host\", \"signer\", \"standby\", \"p2p_port\", \"rpc_port\", "
            "\"metrics_port\", \"node_id\", \"home\", \"config\", \"app\", \"tmkms\", \"horcrux\" [schema] {validator}\n"
            "8:27: error: unknown node \"validator2\" in \"between\"; did you mean "
            "\"validator\"? [reference] {validator,validator2}\n"
            "8:40: error: unknown key \"ovr\" in a link; did you mean \"over\"? [schema] "
            "{links}\n"
            "11:76: error: unknown key \"adress\" in a peer of partner \"certus\"; did you mean "
            "\"address\"? [schema] {certus/1}\n"
            "14:92: error: unknown key \"port\" in \"wireguard\" of partner \"certus\"; expected "
            "one of \"public_key\", \"endpoint\" [schema] {certus}\n"
            "15:5: error: unknown key \"witth\" in partner \"certus\"; did you mean \"with\"? "
            "[schema] {certus}\n"
            "16:29: error: unknown key \"prt\" in \"vpn\"; did you mean \"port\"? [schema] "
            "{vpn}\n");
}

TEST(LoadTopology, NetworkSeedsAndPeers) {
  const Loaded l = load(k_head +
                        "nodes: {pub: {role: public-sentry, host: h}}\n"
                        "network:\n"
                        "  seeds:\n"
                        "    - {id: 3f1c5b7d9e2a4c6e8a0b2d4f6a8c0e2b4d6f8a1c, address: \"seed.example.net:26656\"}\n"
                        "    - {id: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b, address: \"[2001:db8::1]:26656\"}\n"
                        "  peers:\n"
                        "    - {id: 0123456789abcdef0123456789abcdef01234567, address: \"203.0.113.9:26656\"}\n");
  EXPECT_EQ(l.diags, "");
  ASSERT_TRUE(l.topology.network);
  const NetworkPeers& n = *l.topology.network;
  EXPECT_EQ(at(n.loc), "4:1");
  ASSERT_EQ(n.seeds.size(), 2u);
  EXPECT_EQ(n.seeds[0].id.value, "3f1c5b7d9e2a4c6e8a0b2d4f6a8c0e2b4d6f8a1c");
  EXPECT_EQ(n.seeds[0].address.value, "seed.example.net:26656");
  EXPECT_EQ(at(n.seeds[0].loc), "6:7");
  EXPECT_EQ(n.seeds[1].address.value, "[2001:db8::1]:26656");
  ASSERT_EQ(n.peers.size(), 1u);
  EXPECT_EQ(n.peers[0].id.value, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(at(n.peers[0].address.loc), "9:63");
}

TEST(LoadTopology, NetworkMistakes) {
  const Loaded l = load(k_head +
                        "nodes: {pub: {role: public-sentry, host: h}}\n"
                        "network:\n"
                        "  seed: []\n"
                        "  seeds:\n"
                        "    - {id: 3f1c, address: \"seed.example.net:26656\"}\n"
                        "    - {id: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b, address: \"seed.example.net\"}\n"
                        "    - {address: \"203.0.113.9:26656\"}\n"
                        "  peers: {id: 0123456789abcdef0123456789abcdef01234567}\n");
  EXPECT_EQ(l.diags,
            "5:3: error: unknown key \"seed\" in \"network\"; did you mean \"seeds\"? [schema] {network}\n"
            "7:12: error: \"id\" must be a node ID of 40 hexadecimal digits, found \"3f1c\" "
            "[address] {network}\n"
            "8:63: error: \"address\" must be host:port (an IPv4 address, [IPv6] or DNS name, and "
            "a port from 1 to 65535), found \"seed.example.net\" [address] {network}\n"
            "9:7: error: missing required key \"id\" in a seed of \"network\" [schema] {network}\n"
            "10:10: error: \"peers\" must be a list, found a map [schema] {network}\n");
  ASSERT_TRUE(l.topology.network);
  EXPECT_TRUE(l.topology.network->seeds.empty());
  EXPECT_TRUE(l.topology.network->peers.empty());
}

TEST(LoadTopology, MissingRequiredKeys) {
  const Loaded l = load(
      "chain: {binary_version: x}\n"
      "nodes:\n"
      "  a: {}\n"
      "  b: {role: signer}\n"
      "links:\n"
      "  - over: vpn\n"
      "partners:\n"
      "  certus:\n"
      "    over: vpn\n"
      "    wireguard: {}\n"
      "  other:\n"
      "    peers: [{}]\n"
      "    with: []\n"
      "vpn: {port: 1}\n");
  EXPECT_EQ(l.diags,
            "1:1: error: missing required key \"cometbft\" in \"chain\" [schema] {chain}\n"
            "1:1: error: missing required key \"id\" in \"chain\" [schema] {chain}\n"
            "1:1: error: missing required key \"version\" at the top level [schema] {version}\n"
            "3:3: error: missing required key \"host\" in node \"a\" [schema] {a}\n"
            "3:3: error: missing required key \"role\" in node \"a\" [schema] {a}\n"
            "4:3: error: missing required key \"host\" in node \"b\" [schema] {b}\n"
            "6:5: error: missing required key \"between\" in a link [schema] {links}\n"
            "8:3: error: missing required key \"peers\" in partner \"certus\" [schema] {certus}\n"
            "8:3: error: missing required key \"with\" in partner \"certus\" [schema] {certus}\n"
            "10:5: error: missing required key \"endpoint\" in \"wireguard\" of partner "
            "\"certus\" [schema] {certus}\n"
            "10:5: error: missing required key \"public_key\" in \"wireguard\" of partner "
            "\"certus\" [schema] {certus}\n"
            "12:13: error: missing required key \"address\" in a peer of partner \"other\" "
            "[schema] {other/1}\n"
            "12:13: error: missing required key \"id\" in a peer of partner \"other\" [schema] "
            "{other/1}\n"
            "14:1: error: missing required key \"subnet\" in \"vpn\" [schema] {vpn}\n");
  // Nodes without a role or host are left out; the others keep what was valid.
  EXPECT_TRUE(l.topology.nodes.empty());
  EXPECT_TRUE(l.topology.links.empty());
  ASSERT_EQ(l.topology.partners.size(), 2u);
  EXPECT_FALSE(l.topology.partners[0].wireguard);
  EXPECT_TRUE(l.topology.partners[1].peers.empty());
}

TEST(LoadTopology, WrongTypes) {
  const Loaded l = load(
      "version: \"1\"\n"
      "chain: [id]\n"
      "inventory: {a: 1}\n"
      "policy: {min_paths: \"2\", survive: host}\n"
      "nodes:\n"
      "  a: {role: [validator], host: {x: 1}, standby: yes, p2p_port: \"26656\", rpc_port: 1.5}\n"
      "  b: {role: validator, host: h, standby: \"true\", signer: [x], node_id: 12}\n"
      "  c:\n"
      "  d: validator\n"
      "  e: {role: public-sentry, host: ~, home: ''}\n"
      "links: {between: [a, b]}\n"
      "partners: [x]\n"
      "vpn: 10.0.0.0/8\n");
  EXPECT_EQ(
      l.diags,
      "1:10: error: \"version\" must be an integer, found the quoted string \"1\" [schema] "
      "{version}\n"
      "2:8: error: \"chain\" must be a map, found a list [schema] {chain}\n"
      "3:12: error: \"inventory\" must be a string, found a map [schema] {inventory}\n"
      "4:21: error: \"min_paths\" must be an integer, found the quoted string \"2\" [schema] "
      "{policy}\n"
      "4:35: error: \"survive\" must be a list, found \"host\" [schema] {policy}\n"
      "6:13: error: \"role\" must be one of \"validator\", \"private-sentry\", "
      "\"public-sentry\", \"signer\", found a list [schema] {a}\n"
      "6:32: error: \"host\" must be a string, found a map [schema] {a}\n"
      "6:49: error: \"standby\" must be true or false, found \"yes\" [schema] {a}\n"
      "6:64: error: \"p2p_port\" must be an integer, found the quoted string \"26656\" [schema] "
      "{a}\n"
      "6:83: error: \"rpc_port\" must be an integer, found \"1.5\" [schema] {a}\n"
      "7:42: error: \"standby\" must be true or false, found the quoted string \"true\" [schema] "
      "{b}\n"
      "7:58: error: \"signer\" must be a string, found a list [schema] {b}\n"
      "7:72: error: \"node_id\" must be a node ID of 40 hexadecimal digits, found \"12\" "
      "[address] {b}\n"
      "8:3: error: node \"c\" must be a map, found an empty value [schema] {c}\n"
      "9:6: error: node \"d\" must be a map, found \"validator\" [schema] {d}\n"
      "10:34: error: \"host\" must be a string, found an empty value [schema] {e}\n"
      "10:43: error: \"home\" must not be empty [schema] {e}\n"
      "11:8: error: \"links\" must be a list, found a map [schema] {links}\n"
      "12:11: error: \"partners\" must be a map, found a list [schema] {partners}\n"
      "13:6: error: \"vpn\" must be a map, found \"10.0.0.0/8\" [schema] {vpn}\n");
  // Only b has a valid role and host; its bad values are left unset.
  ASSERT_EQ(l.topology.nodes.size(), 1u);
  EXPECT_EQ(l.topology.nodes[0].name.value, "b");
  EXPECT_FALSE(l.topology.nodes[0].signer);
  EXPECT_FALSE(l.topology.nodes[0].node_id);
}

TEST(LoadTopology, VersionChainAndEnumValues) {
  const Loaded l = load(
      "version: 2\n"
      "chain: {id: \"bad id!\", cometbft: 0.39}\n"
      "nodes:\n"
      "  a: {role: validatr, host: h}\n"
      "  b: {role: private-sentry, host: h}\n"
      "links:\n"
      "  - {between: [b, b2], over: publc}\n"
      "partners:\n"
      "  p: {peers: [], with: [b], over: private}\n");
  EXPECT_EQ(
      l.diags,
      "1:10: error: \"version\" must be 1, found 2 [schema] {version}\n"
      "2:13: error: \"id\" must be 1 to 50 characters of [A-Za-z0-9._-], found \"bad id!\" "
      "[schema] {chain}\n"
      "2:34: error: \"cometbft\" must be one of \"0.34\", \"0.37\", \"0.38\", \"1.0\", found "
      "\"0.39\"; did you mean \"0.34\"? [schema] {chain}\n"
      "4:13: error: \"role\" must be one of \"validator\", \"private-sentry\", "
      "\"public-sentry\", \"signer\", found \"validatr\"; did you mean \"validator\"? [schema] "
      "{a}\n"
      "7:19: error: unknown node \"b2\" in \"between\"; did you mean \"b\"? [reference] {b,b2}\n"
      "7:30: error: \"over\" must be one of \"vpn\", \"private\", \"public\", found \"publc\"; "
      "did you mean \"public\"? [schema] {links}\n"
      "9:35: error: \"over\" must be one of \"public\", \"vpn\", found \"private\" [schema] {p}\n");
  // An unquoted 1.0 is the CometBFT line "1.0", as written.
  const Loaded one = load("version: 1\nchain: {id: a.b_c-D, cometbft: 1.0}\nnodes: {}\n");
  EXPECT_EQ(one.diags, "");
  EXPECT_EQ(one.topology.chain.cometbft.value, "1.0");
  EXPECT_EQ(one.topology.chain.id.value, "a.b_c-D");
  EXPECT_EQ(load("version: 1\nchain: {id: " + std::string(51, 'x') +
                 ", cometbft: \"0.34\"}\n"
                 "nodes: {}\n")
                .diags,
            "2:13: error: \"id\" must be 1 to 50 characters of [A-Za-z0-9._-], found \"" +
                std::string(51, 'x') + "\" [schema] {chain}\n");
}

TEST(LoadTopology, NamesOfNodesAndPartners) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  Validator: {role: validator, host: h}\n"
                        "  " +
                        std::string(64, 'a') +
                        ": {role: public-sentry, host: h}\n"
                        "  ok-1: {role: public-sentry, host: h}\n"
                        "partners:\n"
                        "  Certus_1: {peers: [], with: [ok-1]}\n");
  EXPECT_EQ(l.diags,
            "4:3: error: node name \"Validator\" must be 1 to 63 characters of [a-z0-9-] "
            "[schema] {Validator}\n"
            "5:3: error: node name "
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" must be 1 to "
            "63 characters of [a-z0-9-] [schema] "
            "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n"
            "8:3: error: partner name \"Certus_1\" must be 1 to 63 characters of [a-z0-9-] "
            "[schema] {Certus_1}\n");
}

TEST(LoadTopology, NamesMustBeStrings) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  [a, b]: {role: validator, host: h}\n"
                        "  ok: {role: validator, host: h}\n"
                        "partners:\n"
                        "  {x: 1}: {peers: [], with: []}\n");
  EXPECT_EQ(l.diags,
            "4:3: error: a node name must be a string, found a list [schema] {topology.yaml}\n"
            "7:3: error: a partner name must be a string, found a map [schema] {topology.yaml}\n");
  EXPECT_EQ(l.topology.nodes.size(), 1u);
  EXPECT_TRUE(l.topology.partners.empty());
}

TEST(LoadTopology, SignerAndStandbyOnlyOnTheValidator) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  validator: {role: validator, host: h, signer: kms, standby: true}\n"
                        "  kms: {role: signer, host: k, standby: false}\n"
                        "  sentry: {role: public-sentry, host: s, signer: kms}\n");
  EXPECT_EQ(
      l.diags,
      "5:32: error: \"standby\" is only allowed on a node of role \"validator\"; node \"kms\" "
      "has role \"signer\" [schema] {kms}\n"
      "6:42: error: \"signer\" is only allowed on a node of role \"validator\"; node "
      "\"sentry\" has role \"public-sentry\" [schema] {sentry}\n");
  ASSERT_EQ(l.topology.nodes.size(), 3u);
  EXPECT_TRUE(l.topology.nodes[0].standby.value);
  EXPECT_EQ(at(l.topology.nodes[0].standby.loc), "4:63");
  EXPECT_FALSE(l.topology.nodes[2].signer);
}

TEST(LoadTopology, TmkmsProviders) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  a: {role: signer, host: h}\n"
                        "  b: {role: signer, host: h, tmkms: {provider: ledger}}\n"
                        "  c:\n"
                        "    role: signer\n"
                        "    host: h\n"
                        "    tmkms:\n"
                        "      provider: yubihsm\n"
                        "      adapter: http\n"
                        "      connector: \"tcp://127.0.0.1:12345\"\n"
                        "      auth_key: 2\n"
                        "      password_file: /etc/tmkms/password\n"
                        "      key: 3\n"
                        "      serial_number: \"0001234567\"\n"
                        "      wrapped_exports: [/home/k/consensus.wrap, /backup/identity.wrap]\n");
  EXPECT_EQ(l.diags, "");
  ASSERT_EQ(l.topology.nodes.size(), 3u);
  EXPECT_FALSE(l.topology.nodes[0].tmkms);
  EXPECT_EQ(l.topology.nodes[1].tmkms->provider.value, "ledger");
  const Tmkms& t = *l.topology.nodes[2].tmkms;
  EXPECT_EQ(t.provider.value, "yubihsm");
  EXPECT_EQ(t.adapter.value, "http");
  EXPECT_EQ(t.connector->value, "tcp://127.0.0.1:12345");
  EXPECT_EQ(t.auth_key.value, 2);
  EXPECT_EQ(t.password_file->value, "/etc/tmkms/password");
  EXPECT_EQ(t.key.value, 3);
  EXPECT_EQ(t.serial_number->value, "0001234567");
  ASSERT_EQ(t.wrapped_exports.size(), 2u);
  EXPECT_EQ(t.wrapped_exports[0].value, "/home/k/consensus.wrap");
  EXPECT_EQ(at(t.wrapped_exports[0].loc), "17:25");
  EXPECT_EQ(t.wrapped_exports[1].value, "/backup/identity.wrap");
  EXPECT_EQ(at(t.loc), "9:5");
  EXPECT_TRUE(l.topology.nodes[1].tmkms->wrapped_exports.empty());
}

TEST(LoadTopology, TmkmsMistakes) {
  const Loaded l = load(
      "version: 1\n"
      "chain: {id: t, cometbft: \"0.37\", vote_extensions: true}\n"
      "nodes:\n"
      "  v: {role: validator, host: h, tmkms: {provider: softsign}}\n"
      "  a: {role: signer, host: h, tmkms: {provider: hsm}}\n"
      "  b: {role: signer, host: h, tmkms: {provider: ledger, key: 2}}\n"
      "  c: {role: signer, host: h, tmkms: {provider: yubihsm, adapter: http}}\n"
      "  d: {role: signer, host: h, tmkms: {provider: yubihsm, connector: \"tcp://x:1\"}}\n"
      "  e: {role: signer, host: h, tmkms: {provider: yubihsm, key: 0, auth_key: 70000}}\n"
      "  f: {role: signer, host: h, tmkms: {provider: yubihsm, serial_number: 1234, password_file: p}}\n"
      "  g: {role: signer, host: h, tmkms: {provider: yubihsm, adapter: http, connector: \"127.0.0.1:1\", pin: 1}}\n"
      "  i: {role: signer, host: h, tmkms: {wrapped_exports: [/k.wrap]}}\n"
      "  j: {role: signer, host: h, tmkms: {provider: yubihsm, wrapped_exports: /k.wrap}}\n"
      "  k: {role: signer, host: h, tmkms: {provider: yubihsm, wrapped_exports: [k.wrap, /a/../k, {x: 1}, /ok]}}\n");
  EXPECT_EQ(
      l.diags,
      "2:51: error: \"vote_extensions\" is true, but CometBFT 0.37 has no vote extensions (they "
      "came with 0.38) [schema] {chain}\n"
      "4:33: error: \"tmkms\" is only allowed on a node of role \"signer\"; node \"v\" has role "
      "\"validator\" [schema] {v}\n"
      "5:48: error: \"provider\" must be one of \"softsign\", \"yubihsm\", \"ledger\", found "
      "\"hsm\" [schema] {a}\n"
      "6:56: error: \"key\" is a YubiHSM setting, but \"provider\" is \"ledger\"; set \"provider: "
      "yubihsm\" or remove it [schema] {b}\n"
      "7:66: error: \"adapter\" is \"http\", which needs \"connector\": yubihsm-connector's "
      "address as tcp://host:port [schema] {c}\n"
      "8:68: error: \"connector\" is the address of yubihsm-connector, which only the adapter "
      "\"http\" uses; set \"adapter: http\" or remove it [schema] {d}\n"
      "9:62: error: \"key\" must be a YubiHSM object ID from 1 to 65535, found 0 [schema] {e}\n"
      "9:75: error: \"auth_key\" must be a YubiHSM object ID from 1 to 65535, found 70000 "
      "[schema] {e}\n"
      "10:72: error: \"serial_number\" must be the YubiHSM's 10-digit serial number as "
      "yubihsm-shell prints it (quote it to keep leading zeros), found \"1234\" [schema] {f}\n"
      "10:93: error: \"password_file\" must be an absolute path on the signer's host, found "
      "\"p\" [schema] {f}\n"
      "11:83: error: \"connector\" must be yubihsm-connector's address as tcp://host:port, "
      "found \"127.0.0.1:1\" [address] {g}\n"
      "11:98: error: unknown key \"pin\" in node \"g\" in \"tmkms\"; expected one of "
      "\"provider\", \"adapter\", \"connector\", \"auth_key\", \"key\", \"password_file\", "
      "\"serial_number\", \"wrapped_exports\" [schema] {g}\n"
      "12:38: error: \"wrapped_exports\" is a YubiHSM setting, but \"provider\" is \"softsign\"; set "
      "\"provider: yubihsm\" or remove it [schema] {i}\n"
      "13:74: error: \"wrapped_exports\" must be a list, found \"/k.wrap\" [schema] {j}\n"
      "14:75: error: items of \"wrapped_exports\" must be absolute paths of files on the signer's "
      "host, found \"k.wrap\" [schema] {k}\n"
      "14:83: error: \"wrapped_exports\" must be a normalised path: no \".\" or \"..\" segment, no "
      "\"//\", no control character (newline, tab, NUL); found \"/a/../k\" [schema] {k}\n"
      "14:92: error: items of \"wrapped_exports\" must be absolute paths of files on the signer's "
      "host, found a map [schema] {k}\n");
  // A node of another role keeps no tmkms settings.
  EXPECT_FALSE(l.topology.nodes[0].tmkms);
}

TEST(LoadTopology, NodeHomesMustBeCleanAbsolutePaths) {
  const Loaded l = load(
      "version: 1\n"
      "chain: {id: t, cometbft: \"0.37\"}\n"
      "nodes:\n"
      "  a: {role: public-sentry, host: h, home: /srv/../etc}\n"
      "  b: {role: public-sentry, host: h, home: \"/srv/a\\nb\"}\n"
      "  c: {role: public-sentry, host: h, home: \"/srv/ 'q\\\"$(id)`id`;-n ü/\"}\n");
  EXPECT_EQ(l.diags,
            "4:43: error: \"home\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/srv/../etc\" [schema] {a}\n"
            "5:43: error: \"home\" must be a normalised path: no \".\" or \"..\" segment, no "
            "\"//\", no control character (newline, tab, NUL); found \"/srv/a\\nb\" [schema] {b}\n");
  ASSERT_EQ(l.topology.nodes.size(), 3u);
  EXPECT_FALSE(l.topology.nodes[0].home);
  EXPECT_EQ(l.topology.nodes[2].home->value, "/srv/ 'q\"$(id)`id`;-n ü/");
}

TEST(LoadTopology, NodeIdsPortsAndHomes) {
  const Loaded l = load(
      "version: 1\n"
      "chain: {id: t, cometbft: \"0.37\", p2p_port: 0, rpc_port: 65536}\n"
      "nodes:\n"
      "  a: {role: public-sentry, host: h, node_id: 0123456789ABCDEF0123456789abcdef01234567}\n"
      "  b: {role: public-sentry, host: h, node_id: 0123456789abcdef0123456789abcdef0123456}\n"
      "  c: {role: public-sentry, host: h, p2p_port: -1, rpc_port: 99999999999999999999999}\n"
      "  d: {role: public-sentry, host: h, p2p_port: 0x6850, home: relative/home}\n"
      "  e: {role: public-sentry, host: h, p2p_port: 1, rpc_port: 65535, home: /srv/e}\n"
      "vpn: {subnet: 10.44.0.0/24, port: 70000}\n");
  EXPECT_EQ(l.diags,
            "2:44: error: \"p2p_port\" must be a port from 1 to 65535, found 0 [address] "
            "{chain}\n"
            "2:57: error: \"rpc_port\" must be a port from 1 to 65535, found 65536 [address] "
            "{chain}\n"
            "4:46: error: \"node_id\" must be lower case (CometBFT compares node IDs as "
            "strings), found \"0123456789ABCDEF0123456789abcdef01234567\" [address] {a}\n"
            "5:46: error: \"node_id\" must be a node ID of 40 hexadecimal digits, found "
            "\"0123456789abcdef0123456789abcdef0123456\" [address] {b}\n"
            "6:47: error: \"p2p_port\" must be a port from 1 to 65535, found -1 [address] {c}\n"
            "6:61: error: \"rpc_port\" must be a port from 1 to 65535, found "
            "99999999999999999999999 [address] {c}\n"
            "7:47: error: \"p2p_port\" must be an integer, found \"0x6850\" [schema] {d}\n"
            "7:61: error: \"home\" must be an absolute path, found \"relative/home\" [schema] "
            "{d}\n"
            "9:35: error: \"port\" must be a port from 1 to 65535, found 70000 [address] {vpn}\n");
  ASSERT_EQ(l.topology.nodes.size(), 5u);
  const Node& e = l.topology.nodes[4];
  EXPECT_EQ(e.p2p_port->value, 1);
  EXPECT_EQ(e.rpc_port->value, 65535);
  EXPECT_EQ(e.home->value, "/srv/e");
  EXPECT_FALSE(l.topology.nodes[0].node_id);
  ASSERT_TRUE(l.topology.vpn);
  EXPECT_EQ(l.topology.vpn->port.value, 51820);  // the default stays
}

TEST(LoadTopology, ConfigOverrides) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  a:\n"
                        "    role: public-sentry\n"
                        "    host: h\n"
                        "    config:\n"
                        "      moniker: \"my node\"\n"
                        "      log_level: info\n"
                        "      p2p:\n"
                        "        max_num_inbound_peers: 40\n"
                        "        flush_throttle_timeout: 100ms\n"
                        "        send_rate: \"5120000\"\n"
                        "        pex: false\n"
                        "        ratio: 0.5\n"
                        "        seeds: [a@1.2.3.4:26656, 2, \"3\"]\n"
                        "        none: []\n"
                        "      mempool: {size: 5e3, nested: {x: 1}, list: [[1]], empty: }\n"
                        "      bad: ~\n");
  EXPECT_EQ(l.diags,
            "18:36: error: config value \"mempool.nested\" must be a scalar or a list of scalars, "
            "found a map [schema] {a}\n"
            "18:51: error: items of config value \"mempool.list\" must be scalars, found a list "
            "[schema] {a}\n"
            "18:57: error: config value \"mempool.empty\" must be a scalar or a list of scalars, "
            "found an empty value [schema] {a}\n"
            "19:12: error: config value \"bad\" must be a scalar or a list of scalars, found an "
            "empty value [schema] {a}\n");
  ASSERT_EQ(l.topology.nodes.size(), 1u);
  const ConfigOverrides& c = l.topology.nodes[0].config;
  std::string seen;
  for (const auto& [section, keys] : c) {
    for (const auto& [key, value] : keys) {
      const char* kinds[] = {"string", "integer", "floating", "boolean", "array"};
      seen += "[" + section + "] " + key + " = " + kinds[static_cast<int>(value.kind)] + " " +
              value.text + "@" + at(value.loc);
      for (const auto& item : value.items)
        seen += std::string(" ") + kinds[static_cast<int>(item.kind)] + ":" + item.text + "@" +
                at(item.loc);
      seen += "\n";
    }
  }
  EXPECT_EQ(seen,
            "[] log_level = string info@9:18\n"
            "[] moniker = string my node@8:16\n"
            "[mempool] size = floating 5e3@18:23\n"
            "[p2p] flush_throttle_timeout = string 100ms@12:33\n"
            "[p2p] max_num_inbound_peers = integer 40@11:32\n"
            "[p2p] none = array @17:15\n"
            "[p2p] pex = boolean false@14:14\n"
            "[p2p] ratio = floating 0.5@15:16\n"
            "[p2p] seeds = array @16:16 string:a@1.2.3.4:26656@16:17 integer:2@16:34 "
            "string:3@16:37\n"
            "[p2p] send_rate = string 5120000@13:20\n");
}

TEST(LoadTopology, Links) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  a: {role: private-sentry, host: h}\n"
                        "  b: {role: public-sentry, host: h}\n"
                        "  c: {role: public-sentry, host: h}\n"
                        "links:\n"
                        "  - between: [a, b]\n"
                        "  - between: [b, a]\n"
                        "  - {between: [a, b], over: public}\n"
                        "  - {between: [a, b], over: vpn}\n"
                        "  - between: [a, a]\n"
                        "  - between: [a, b, c]\n"
                        "  - between: [a]\n"
                        "  - between: [a, {x: 1}]\n"
                        "  - between: a\n"
                        "  - x\n"
                        "  - between: [c, b]\n"
                        "    over: private\n");
  EXPECT_EQ(l.diags,
            "9:5: error: duplicate link between \"b\" and \"a\" over vpn (first at line 8) "
            "[duplicate] {a--b}\n"
            "11:5: error: duplicate link between \"a\" and \"b\" over vpn (first at line 8) "
            "[duplicate] {a--b}\n"
            "12:14: error: a link must join two different nodes, but \"between\" names \"a\" "
            "twice [schema] {a}\n"
            "13:14: error: \"between\" must name exactly two nodes, found 3 [schema] {links}\n"
            "14:14: error: \"between\" must name exactly two nodes, found 1 [schema] {links}\n"
            "15:18: error: items of \"between\" must be node names, found a map [schema] "
            "{links}\n"
            "16:14: error: \"between\" must be a list, found \"a\" [schema] {links}\n"
            "17:5: error: a link must be a map, found \"x\" [schema] {links}\n");
  const auto& links = l.topology.links;
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].a.value + "-" + links[0].b.value, "a-b");
  EXPECT_EQ(at(links[0].loc), "8:5");
  EXPECT_EQ(links[1].over.value, LinkKind::public_net);
  EXPECT_EQ(links[2].a.value + "-" + links[2].b.value, "c-b");
  EXPECT_EQ(links[2].over.value, LinkKind::private_net);
  EXPECT_EQ(at(links[2].over.loc), "19:11");
}

TEST(LoadTopology, Partners) {
  const std::string key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  const Loaded l = load(
      k_head +
      "nodes:\n"
      "  a: {role: private-sentry, host: h}\n"
      "  b: {role: private-sentry, host: h}\n"
      "partners:\n"
      "  good:\n"
      "    peers:\n"
      "      - {id: 2b3d0123456789abcdef0123456789abcdef0123, address: \"[2001:db8::7]:26656\"}\n"
      "      - id: 2b3d0123456789abcdef0123456789abcdef0124\n"
      "        address: seed.example.com:26656\n"
      "    with: [a, b]\n"
      "    over: vpn\n"
      "    wireguard: {public_key: " +
      key +
      ", endpoint: \"vpn.example.com:51820\"}\n"
      "  bad:\n"
      "    peers:\n"
      "      - {id: 2B3D0123456789abcdef0123456789abcdef0123, address: \"203.0.113.7\"}\n"
      "      - x\n"
      "    with: [a, a, c, {}]\n"
      "    over: vpn\n"
      "    wireguard: {public_key: abc, endpoint: \"host\"}\n"
      "  noguard: {peers: [], with: [], over: vpn}\n"
      "  extra: {peers: [], with: [], wireguard: {public_key: " +
      key + ", endpoint: \"e:1\"}}\n");
  EXPECT_EQ(l.diags,
            "17:14: error: \"id\" must be lower case (CometBFT compares node IDs as strings), "
            "found \"2B3D0123456789abcdef0123456789abcdef0123\" [address] {bad/1}\n"
            "17:65: error: \"address\" must be host:port (an IPv4 address, [IPv6] or DNS name, "
            "and a port from 1 to 65535), found \"203.0.113.7\" [address] {bad/1}\n"
            "18:9: error: a peer must be a map, found \"x\" [schema] {bad/2}\n"
            "19:15: error: duplicate \"a\" in \"with\" (first at line 19) [duplicate] {a}\n"
            "19:18: error: unknown node \"c\" in \"with\" of partner \"bad\"; did you mean "
            "\"a\"? [reference] {c}\n"
            "19:21: error: items of \"with\" must be node names, found a map [schema] {bad}\n"
            "21:29: error: \"public_key\" must be a WireGuard key (base64 of 32 bytes), found "
            "\"abc\" [address] {bad}\n"
            "21:44: error: \"endpoint\" must be host:port (an IPv4 address, [IPv6] or DNS name, "
            "and a port from 1 to 65535), found \"host\" [address] {bad}\n"
            "22:3: error: missing required key \"wireguard\" in partner \"noguard\"; \"over: "
            "vpn\" needs their public_key and endpoint [schema] {noguard}\n"
            "23:32: error: \"wireguard\" in partner \"extra\" is only used with \"over: vpn\" "
            "[schema] {extra}\n");
  const auto& partners = l.topology.partners;
  ASSERT_EQ(partners.size(), 4u);
  const Partner& good = partners[0];
  ASSERT_EQ(good.peers.size(), 2u);
  EXPECT_EQ(good.peers[0].address.value, "[2001:db8::7]:26656");
  EXPECT_EQ(good.peers[1].address.value, "seed.example.com:26656");
  EXPECT_EQ(at(good.peers[1].loc), "10:9");
  EXPECT_EQ(good.over.value, LinkKind::vpn);
  ASSERT_TRUE(good.wireguard);
  EXPECT_EQ(good.wireguard->public_key.value, key);
  EXPECT_EQ(good.wireguard->endpoint.value, "vpn.example.com:51820");
  const Partner& bad = partners[1];
  EXPECT_TRUE(bad.peers.empty());
  ASSERT_EQ(bad.with.size(), 1u);
  EXPECT_EQ(bad.with[0].value, "a");
  EXPECT_FALSE(bad.wireguard);
  EXPECT_FALSE(partners[3].wireguard);
}

// Issue 10, item 14: CometBFT's own spelling of a peer, and `with:` written level with the
// partner names (a partner called "with"), each get the hint that fixes them.
TEST(LoadTopology, PartnerMistakesGetHints) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  a: {role: private-sentry, host: h}\n"
                        "partners:\n"
                        "  certus:\n"
                        "    peers:\n"
                        "      - 2b3d0123456789abcdef0123456789abcdef0123@203.0.113.7:26656\n"
                        "  with: [a]\n");
  EXPECT_EQ(l.diags,
            "8:9: error: a peer must be a map, found "
            "\"2b3d0123456789abcdef0123456789abcdef0123@203.0.113.7:26656\"; write it as {id: "
            "2b3d0123456789abcdef0123456789abcdef0123, address: \"203.0.113.7:26656\"} [schema] "
            "{certus/1}\n"
            "9:9: error: partner \"with\" must be a map, found a list; did you indent `with:` "
            "under the partner \"certus\"? [schema] {certus}\n");
}

// Issue 10, item 15: a misspelt required key is one mistake, said once.
TEST(LoadTopology, MisspeltRequiredKeyIsOneFinding) {
  const Loaded l = load("version: 1\n"
                        "chain: {id: test-1, comebft: \"0.38\"}\n"
                        "nodes:\n"
                        "  a: {role: private-sentry, hots: h}\n");
  EXPECT_EQ(l.diags,
            "2:21: error: unknown key \"comebft\" in \"chain\"; did you mean \"cometbft\"? "
            "[schema] {chain}\n"
            "4:29: error: unknown key \"hots\" in node \"a\"; did you mean \"host\"? [schema] "
            "{a}\n");
}

// Issue 10, item 3: render writes binary_version as config.toml `version`, which 0.38 and 1.0
// refuse unless it is semver; and it must be a release of the line rendered.
TEST(LoadTopology, BinaryVersionIsASemverOfTheLine) {
  const auto chain = [](const std::string& line, const std::string& version) {
    return load("version: 1\nchain: {id: t-1, cometbft: \"" + line + "\", binary_version: \"" +
                version + "\"}\nnodes: {}\n")
        .diags;
  };
  EXPECT_EQ(chain("0.38", "0.38.17"), "");
  EXPECT_EQ(chain("0.38", "v0.38.17"), "");  // render drops the "v"
  EXPECT_EQ(chain("1.0", "1.0.1-rc1+build.5"), "");
  EXPECT_EQ(chain("1.0", "0.38.17"),
            "2:51: error: \"binary_version\" \"0.38.17\" is a CometBFT 0.38 release, but "
            "\"cometbft\" is \"1.0\": config.toml is rendered for the line in \"cometbft\"; make "
            "the two agree [schema] {chain}\n");
  EXPECT_EQ(chain("0.38", "0.38"),
            "2:52: error: \"binary_version\" \"0.38\" is not a version MAJOR.MINOR.PATCH (such "
            "as \"0.38.0\"): CometBFT 0.38 refuses to start with \"error in config file: invalid "
            "version string: 0.38\" [schema] {chain}\n");
  EXPECT_EQ(chain("0.34", "0.34.x"),
            "2:52: error: \"binary_version\" \"0.34.x\" is not a version MAJOR.MINOR.PATCH (such "
            "as \"0.34.0\") [schema] {chain}\n");
}

TEST(LoadTopology, PolicyAndVpn) {
  const Loaded l = load(k_head +
                        "nodes: {}\n"
                        "policy:\n"
                        "  min_paths: 0\n"
                        "  survive: [host, rack, region, host, regin, [x]]\n"
                        "vpn:\n"
                        "  subnet: 10.44.0.1/24\n");
  EXPECT_EQ(l.diags,
            "5:14: error: \"min_paths\" must be at least 1, found 0 [schema] {policy}\n"
            "6:19: error: items of \"survive\" must be one of \"host\", \"datacenter\", "
            "\"region\", \"provider\", found \"rack\" [schema] {policy}\n"
            "6:33: error: duplicate \"host\" in \"survive\" (first at line 6) [duplicate] "
            "{policy}\n"
            "6:39: error: items of \"survive\" must be one of \"host\", \"datacenter\", "
            "\"region\", \"provider\", found \"regin\"; did you mean \"region\"? [schema] "
            "{policy}\n"
            "6:46: error: items of \"survive\" must be one of \"host\", \"datacenter\", "
            "\"region\", \"provider\", found a list [schema] {policy}\n"
            "8:11: error: \"subnet\" \"10.44.0.1/24\" has host bits set; did you mean "
            "\"10.44.0.0/24\"? [address] {vpn}\n");
  EXPECT_EQ(l.topology.policy.min_paths.value, 2);  // the default stays
  EXPECT_EQ(l.topology.policy.survive,
            (std::vector<DomainKind>{DomainKind::host, DomainKind::region}));
  ASSERT_TRUE(l.topology.vpn);
  EXPECT_EQ(l.topology.vpn->subnet.value, "");

  const std::string base = k_head + "nodes: {}\nvpn:\n  subnet: ";
  EXPECT_EQ(load(base + "10.44.0.0/31\n").diags,
            "5:11: error: \"subnet\" must have a prefix of /30 or shorter to hold tunnel "
            "addresses, found /31 [address] {vpn}\n");
  EXPECT_EQ(load(base + "fd00::/64\n").diags,
            "5:11: error: \"subnet\" must be an IPv4 subnet like 10.44.0.0/24, found "
            "\"fd00::/64\" [address] {vpn}\n");
  EXPECT_EQ(load(base + "10.0.0.0/7\n").diags,
            "5:11: error: \"subnet\" must have a prefix of /8 or longer, found /7 [address] "
            "{vpn}\n");
  EXPECT_EQ(load(base + "10.0.0.0/8\n").diags, "");
  EXPECT_EQ(load(base + "10.44.0.0/30\n").diags, "");
  EXPECT_EQ(load(k_head + "nodes: {}\npolicy: {min_paths: 3000000000, survive: []}\n").diags,
            "4:21: error: \"min_paths\" must be at most 2147483647, found 3000000000 [schema] "
            "{policy}\n");
}

TEST(LoadTopology, ReferencesWithinTheFile) {
  const Loaded l = load(k_head +
                        "links:\n"
                        "  - between: [validator, priv-fr]\n"
                        "  - between: [ghost, broken]\n"
                        "nodes:\n"
                        "  validator: {role: validator, host: h, signer: kmss}\n"
                        "  priv-fra: {role: private-sentry, host: h}\n"
                        "  broken: {role: nonsense, host: h}\n"
                        "  validator2: {role: validator, host: h, signer: broken}\n"
                        "partners:\n"
                        "  p: {peers: [], with: [priv-fra, pirv-fra, broken]}\n");
  EXPECT_EQ(l.diags,
            "4:26: error: unknown node \"priv-fr\" in \"between\"; did you mean \"priv-fra\"? "
            "[reference] {priv-fr,validator}\n"
            "5:15: error: unknown node \"ghost\" in \"between\" [reference] {broken,ghost}\n"
            "7:49: error: unknown node \"kmss\" in \"signer\" [reference] {validator,kmss}\n"
            "9:18: error: \"role\" must be one of \"validator\", \"private-sentry\", "
            "\"public-sentry\", \"signer\", found \"nonsense\" [schema] {broken}\n"
            "12:35: error: unknown node \"pirv-fra\" in \"with\" of partner \"p\"; did you mean "
            "\"priv-fra\"? [reference] {pirv-fra}\n");
  // Names of nodes left out for errors are known: no second error for "broken".
  EXPECT_TRUE(l.topology.links.empty());
  ASSERT_EQ(l.topology.nodes.size(), 3u);
  EXPECT_FALSE(l.topology.nodes[0].signer);
  EXPECT_FALSE(l.topology.nodes[2].signer);
  ASSERT_EQ(l.topology.partners[0].with.size(), 1u);
}

TEST(LoadTopology, DuplicateKeysAndNames) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  a:\n"
                        "    role: public-sentry\n"
                        "    host: h1\n"
                        "    host: h2\n"
                        "  b: {role: public-sentry, host: h}\n"
                        "  a: {role: validator, host: h3}\n"
                        "partners:\n"
                        "  p: {peers: [], with: []}\n"
                        "  p: {peers: [], with: [a]}\n"
                        "nodes: {c: {role: signer, host: h}}\n"
                        "chain: {id: other, cometbft: \"0.34\"}\n");
  EXPECT_EQ(l.diags,
            "7:5: error: duplicate key \"host\" (first at line 6) [duplicate] {nodes.a.host}\n"
            "9:3: error: duplicate key \"a\" (first at line 4) [duplicate] {nodes.a}\n"
            "12:3: error: duplicate key \"p\" (first at line 11) [duplicate] {partners.p}\n"
            "13:1: error: duplicate key \"nodes\" (first at line 3) [duplicate] {nodes}\n"
            "14:1: error: duplicate key \"chain\" (first at line 2) [duplicate] {chain}\n");
  // The first of each wins.
  ASSERT_EQ(l.topology.nodes.size(), 2u);
  EXPECT_EQ(l.topology.nodes[0].host.value, "h1");
  EXPECT_EQ(l.topology.nodes[0].role.value, Role::public_sentry);
  ASSERT_EQ(l.topology.partners.size(), 1u);
  EXPECT_TRUE(l.topology.partners[0].with.empty());
  EXPECT_EQ(l.topology.chain.id.value, "test-1");
}

TEST(LoadTopology, AnchorsAliasesAndMergeKeys) {
  const Loaded l = load(k_head +
                        "nodes:\n"
                        "  pub-1: &sentry\n"
                        "    role: public-sentry\n"
                        "    host: h1\n"
                        "    config: &cfg {p2p: {pex: true}}\n"
                        "  pub-2:\n"
                        "    <<: *sentry\n"
                        "    host: h2\n"
                        "  pub-3: {<<: *sentry, host: h3, config: *cfg, hots: x}\n"
                        "  pub-4: *sentry\n"
                        "  priv: {<<: [{role: private-sentry}, *sentry], host: h5}\n"
                        "links:\n"
                        "  - &l {between: [pub-1, priv]}\n"
                        "  - *l\n");
  EXPECT_EQ(l.diags,
            "11:48: error: unknown key \"hots\" in node \"pub-3\"; did you mean \"host\"? [schema] "
            "{pub-3}\n"
            // An alias is the anchored value itself: it is reported where that was written.
            "15:5: error: duplicate link between \"pub-1\" and \"priv\" over vpn (first at line "
            "15) [duplicate] {priv--pub-1}\n");
  const auto& nodes = l.topology.nodes;
  ASSERT_EQ(nodes.size(), 5u);
  std::string seen;
  for (const Node& n : nodes)
    seen += n.name.value + ":" + role_name(n.role.value) + "@" + at(n.role.loc) + "," +
            n.host.value + "@" + at(n.host.loc) + "," +
            (n.config.empty()
                 ? "-"
                 : n.config.at("p2p").at("pex").text + "@" + at(n.config.at("p2p").at("pex").loc)) +
            "\n";
  EXPECT_EQ(seen,
            "pub-1:public-sentry@5:11,h1@6:11,true@7:30\n"
            "pub-2:public-sentry@5:11,h2@10:11,true@7:30\n"
            "pub-3:public-sentry@5:11,h3@11:30,true@7:30\n"
            "pub-4:public-sentry@5:11,h1@6:11,true@7:30\n"
            "priv:private-sentry@13:22,h5@13:55,true@7:30\n");
}

TEST(LoadTopology, AnchoredCollectionsAreReadWhole) {
  // An anchor on `nodes` itself stops streaming; the loader then reads the tree.
  const Loaded l = load(k_head +
                        "nodes: &all\n"
                        "  a: {role: public-sentry, host: h}\n"
                        "  b: {role: public-sentry, host: h}\n"
                        "links: &ls\n"
                        "  - between: [a, b]\n"
                        "partners: &ps {p: {peers: [], with: [a]}}\n");
  EXPECT_EQ(l.diags, "");
  EXPECT_EQ(l.topology.nodes.size(), 2u);
  EXPECT_EQ(l.topology.links.size(), 1u);
  EXPECT_EQ(l.topology.partners.size(), 1u);
  // Merged-in entries of a streamed `nodes` count too; written names win.
  const Loaded m = load(k_head +
                        "x: &more {c: {role: signer, host: h}, a: {role: signer, host: z}}\n"
                        "nodes:\n"
                        "  a: {role: public-sentry, host: h}\n"
                        "  <<: *more\n");
  EXPECT_EQ(m.diags,
            "3:1: error: unknown key \"x\" at the top level; expected one of \"version\", "
            "\"chain\", \"inventory\", \"policy\", \"nodes\", \"links\", \"partners\", \"network\", \"vpn\", \"monitoring\", \"firewall\" "
            "[schema] {x}\n");
  ASSERT_EQ(m.topology.nodes.size(), 2u);
  EXPECT_EQ(m.topology.nodes[0].role.value, Role::public_sentry);
  EXPECT_EQ(m.topology.nodes[1].name.value, "c");
}

TEST(LoadTopology, ManyDanglingNamesStayFast) {
  std::string text = k_head + "nodes:\n";
  for (int i = 0; i < 20000; ++i)
    text += "  pub-" + std::to_string(100000 + i) + ": {role: public-sentry, host: h}\n";
  text += "links:\n";
  for (int i = 0; i < 20000; ++i)
    text += "  - between: [pub-" + std::to_string(100000 + i) + ", pub-" +
            std::to_string(200000 + i) + "]\n";
  const auto start = std::chrono::steady_clock::now();
  Diagnostics diags;
  const Topology t = load_topology({"topology.yaml", text}, diags);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(diags.size(), 20000u);
  // Suggestions for the first 100 only.
  EXPECT_EQ(diags[0].message,
            "unknown node \"pub-200000\" in \"between\"; did you mean \"pub-100000\"?");
  EXPECT_EQ(diags[99].message,
            "unknown node \"pub-200099\" in \"between\"; did you mean \"pub-100099\"?");
  EXPECT_EQ(diags[100].message, "unknown node \"pub-200100\" in \"between\"");
  EXPECT_EQ(test::render({diags[19999]}),
            "40004:27: error: unknown node \"pub-219999\" in \"between\" [reference] "
            "{pub-119999,pub-219999}\n");
  EXPECT_TRUE(t.links.empty());
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

TEST(LoadTopology, ExtensionKeysHoldAnchorsAndAreIgnored) {
  const Loaded l = load(k_head +
                        "x-sentry: &sentry {role: private-sentry}\n"
                        "x-notes: anything at all\n"
                        "nodes:\n"
                        "  validator: {role: validator, host: h1}\n"
                        "  priv: {<<: *sentry, host: h2}\n"
                        "y-other: 1\n");
  EXPECT_EQ(l.diags,
            "8:1: error: unknown key \"y-other\" at the top level; expected one of \"version\", "
            "\"chain\", \"inventory\", \"policy\", \"nodes\", \"links\", \"partners\", \"network\", \"vpn\", \"monitoring\", \"firewall\" "
            "[schema] {y-other}\n");
  ASSERT_EQ(l.topology.nodes.size(), 2u);
  EXPECT_EQ(l.topology.nodes[1].role.value, Role::private_sentry);
  EXPECT_EQ(l.topology.nodes[1].host.value, "h2");
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// Issue 13: `firewall:` changes the limits; what it leaves out keeps the defaults.
TEST(LoadTopology, FirewallSection) {
  const Loaded defaults = load(k_head + "nodes: {}\n");
  EXPECT_EQ(defaults.topology.firewall.p2p_connections_per_address.value, 8);
  EXPECT_EQ(defaults.topology.firewall.p2p_new_connections_per_minute.value, 30);
  EXPECT_EQ(defaults.topology.firewall.icmp_echo_per_second.value, 5);
  const Loaded l = load(k_head + "nodes: {}\nfirewall: {p2p_connections_per_address: 4, icmp_echo_per_second: 20}\n");
  EXPECT_EQ(l.topology.firewall.p2p_connections_per_address.value, 4);
  EXPECT_EQ(at(l.topology.firewall.p2p_connections_per_address.loc), "4:41");
  EXPECT_EQ(l.topology.firewall.p2p_new_connections_per_minute.value, 30);
  EXPECT_EQ(l.topology.firewall.icmp_echo_per_second.value, 20);
  const Loaded bad = load(k_head +
                          "nodes: {}\nfirewall:\n  p2p_connections_per_address: 0\n"
                          "  p2p_new_connections_per_minute: \"10\"\n  icmp_echo_per_sec: 5\n");
  EXPECT_EQ(bad.diags,
            "5:32: error: \"p2p_connections_per_address\" must be 1 to 65535, found 0 [schema] {firewall}\n"
            "6:35: error: \"p2p_new_connections_per_minute\" must be an integer, found the quoted string "
            "\"10\" [schema] {firewall}\n"
            "7:3: error: unknown key \"icmp_echo_per_sec\" in \"firewall\"; did you mean "
            "\"icmp_echo_per_second\"? [schema] {firewall}\n");
  // What a bad value leaves is the default.
  EXPECT_EQ(bad.topology.firewall.p2p_connections_per_address.value, 8);
}

}  // namespace
}  // namespace picket
