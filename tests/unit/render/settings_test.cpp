#include "render/overrides.hpp"
#include "render/settings.hpp"
#include "topology/effective.hpp"

#include <gtest/gtest.h>

#include "render/neighbours.hpp"
#include "tests/unit/render/network_builder.hpp"
#include "topology/load.hpp"

namespace picket {
namespace {

using test_support::diagnostics_text;
using test_support::NetworkBuilder;

const std::string k_val_id(40, '1');
const std::string k_priv_a_id(40, 'a');
const std::string k_priv_b_id(40, 'b');
const std::string k_pub_a_id(40, 'c');
const std::string k_pub_b_id(40, 'd');
const std::string k_certus_1 = "2b3d5f7a9c1e4b6d8f0a2c4e6a8b0d2f4a6c8e0b";
const std::string k_certus_2 = "7c9e1a3b5d7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d";

// A deriver over an index and IDs of its own, as render's context holds them.
struct OwnDeriver {
  OwnDeriver(const Topology& topology, const Inventory& inventory, const TunnelPlan& tunnels,
             const Secrets& secrets)
      : peering(topology), ids(node_ids_of(topology, secrets)), deriver(peering, inventory, tunnels, ids) {}
  PeeringIndex peering;
  std::vector<std::string> ids;
  SettingsDeriver deriver;
};

void pin(NetworkBuilder& b, const std::string& node, const std::string& id) {
  b.find(node)->node_id = Located<std::string>{id, {}};
}

// validator (signer kms) -vpn- priv-a, priv-b; priv-a -vpn- pub-a; priv-b -private- pub-a;
// priv-b -public- pub-b (IPv6 host, own p2p port); partner certus (two peers) with priv-a.
// Every node's ID is pinned, so IDs are known without keys.
NetworkBuilder sentry_network(const std::string& line = "0.38") {
  NetworkBuilder b(line);
  b.vpn("10.44.0.0/24");
  b.host("val-1", "198.51.100.10");
  b.host("hsm-1", "198.51.100.11");
  b.host("priv-1", "198.51.100.20");
  b.host("priv-2", "198.51.100.21");
  b.host("pub-1", "203.0.113.30");
  b.host("pub-2", "2001:db8::31");
  b.node("validator", Role::validator, "val-1").signer = Located<std::string>{"kms", {}};
  b.node("kms", Role::signer, "hsm-1");
  b.node("priv-a", Role::private_sentry, "priv-1");
  b.node("priv-b", Role::private_sentry, "priv-2");
  b.node("pub-a", Role::public_sentry, "pub-1");
  Node& pub_b = b.node("pub-b", Role::public_sentry, "pub-2");
  pub_b.p2p_port = Located<int>{26666, {}};
  pub_b.metrics_port = Located<int>{26670, {}};
  pin(b, "validator", k_val_id);
  pin(b, "priv-a", k_priv_a_id);
  pin(b, "priv-b", k_priv_b_id);
  pin(b, "pub-a", k_pub_a_id);
  pin(b, "pub-b", k_pub_b_id);
  b.link("validator", "priv-a");
  b.link("validator", "priv-b");
  b.link("priv-a", "pub-a");
  b.link("priv-b", "pub-a", LinkKind::private_net);
  b.link("priv-b", "pub-b", LinkKind::public_net);
  b.partner("certus", {{k_certus_1, "203.0.113.7:26656"}, {k_certus_2, "[2001:db8::7]:26656"}},
            {"priv-a"});
  return b;
}

const std::string k_seed_1 = "3f1c5b7d9e2a4c6e8a0b2d4f6a8c0e2b4d6f8a1c";
const std::string k_seed_2 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";
const std::string k_net_peer = "0123456789abcdef0123456789abcdef01234567";

NetworkBuilder with_network(NetworkBuilder b) {
  b.network({{k_seed_1, "seed.example.net:26656"}, {k_seed_2, "[2001:db8::9]:26656"}},
            {{k_net_peer, "203.0.113.40:26656"}});
  return b;
}

struct Derived {
  NetworkBuilder b;
  TunnelPlan tunnels;
  std::map<std::string, NodeSettings> settings;
  std::string tunnel(const std::string& host) const { return tunnels.addresses.at(host); }
};

Derived derive_all(NetworkBuilder b) {
  Derived d{std::move(b), {}, {}};
  Diagnostics out;
  d.tunnels = plan_tunnels(d.b.topology(), d.b.inventory(), out);
  EXPECT_EQ(diagnostics_text(out), "");
  const OwnDeriver own(d.b.topology(), d.b.inventory(), d.tunnels, d.b.secrets());
  const SettingsDeriver& deriver = own.deriver;
  for (const auto& node : d.b.topology().nodes)
    if (node.role.value != Role::signer) d.settings[node.name.value] = deriver.derive(node);
  return d;
}

std::string ids(const std::vector<PeerRef>& refs) { return peer_ids_string(refs); }

TEST(Settings, Validator) {
  const Derived d = derive_all(sentry_network());
  const NodeSettings& s = d.settings.at("validator");
  EXPECT_EQ(s.moniker, "validator");
  EXPECT_EQ(persistent_peers_string(s.persistent_peers),
            k_priv_a_id + "@" + d.tunnel("priv-1") + ":26656," + k_priv_b_id + "@" +
                d.tunnel("priv-2") + ":26656");
  EXPECT_FALSE(s.pex);
  EXPECT_EQ(ids(s.private_peers), "");
  EXPECT_EQ(ids(s.unconditional_peers), k_priv_a_id + "," + k_priv_b_id);
  EXPECT_FALSE(s.addr_book_strict);
  EXPECT_EQ(s.external_address, "");
  // Every peer is over the VPN: the p2p port binds the tunnel address only.
  EXPECT_EQ(s.p2p_laddr, "tcp://" + d.tunnel("val-1") + ":26656");
  EXPECT_EQ(s.rpc_laddr, "tcp://127.0.0.1:26657");
  EXPECT_EQ(s.priv_validator_laddr, "tcp://" + d.tunnel("val-1") + ":26659");
  EXPECT_EQ(s.double_sign_check_height, 10);
  EXPECT_TRUE(s.prometheus);
  EXPECT_EQ(s.prometheus_listen_addr, d.tunnel("val-1") + ":26660");
  EXPECT_EQ(s.version, std::nullopt);
}

TEST(Settings, PrivateSentryWithPartner) {
  const Derived d = derive_all(sentry_network());
  const NodeSettings& s = d.settings.at("priv-a");
  EXPECT_EQ(persistent_peers_string(s.persistent_peers),
            k_val_id + "@" + d.tunnel("val-1") + ":26656," + k_pub_a_id + "@" + d.tunnel("pub-1") +
                ":26656," + k_certus_1 + "@203.0.113.7:26656," + k_certus_2 +
                "@[2001:db8::7]:26656");
  EXPECT_FALSE(s.pex);  // every peer it needs is in persistent_peers
  EXPECT_EQ(ids(s.private_peers), k_val_id + "," + k_certus_1 + "," + k_certus_2);
  EXPECT_EQ(ids(s.unconditional_peers), k_val_id + "," + k_certus_1 + "," + k_certus_2);
  EXPECT_FALSE(s.addr_book_strict);
  EXPECT_EQ(s.external_address, "");
  // The partner is reached over the open internet: bind every interface.
  EXPECT_EQ(s.p2p_laddr, "tcp://0.0.0.0:26656");
  EXPECT_EQ(s.rpc_laddr, "tcp://127.0.0.1:26657");
  EXPECT_EQ(s.priv_validator_laddr, "");
  EXPECT_EQ(s.double_sign_check_height, std::nullopt);
  EXPECT_EQ(s.prometheus_listen_addr, d.tunnel("priv-1") + ":26660");
}

TEST(Settings, PrivateSentryWithMixedLinks) {
  const Derived d = derive_all(sentry_network());
  const NodeSettings& s = d.settings.at("priv-b");
  EXPECT_EQ(persistent_peers_string(s.persistent_peers),
            k_val_id + "@" + d.tunnel("val-1") + ":26656," + k_pub_a_id +
                "@203.0.113.30:26656," + k_pub_b_id + "@[2001:db8::31]:26666");
  EXPECT_EQ(ids(s.private_peers), k_val_id);
  EXPECT_EQ(ids(s.unconditional_peers), k_val_id);
  EXPECT_FALSE(s.addr_book_strict);
  EXPECT_EQ(s.p2p_laddr, "tcp://0.0.0.0:26656");
}

TEST(Settings, PublicSentries) {
  const Derived d = derive_all(sentry_network());
  const NodeSettings& a = d.settings.at("pub-a");
  EXPECT_EQ(persistent_peers_string(a.persistent_peers),
            k_priv_a_id + "@" + d.tunnel("priv-1") + ":26656," + k_priv_b_id +
                "@198.51.100.21:26656");
  EXPECT_TRUE(a.pex);
  // The validator and the private sentries are never gossiped.
  EXPECT_EQ(ids(a.private_peers), k_val_id + "," + k_priv_a_id + "," + k_priv_b_id);
  EXPECT_EQ(ids(a.unconditional_peers), k_priv_a_id + "," + k_priv_b_id);
  // Its peers at tunnel addresses are private sentries, kept out of the address book anyway.
  EXPECT_TRUE(a.addr_book_strict);
  EXPECT_EQ(a.external_address, "203.0.113.30:26656");
  EXPECT_EQ(a.p2p_laddr, "tcp://0.0.0.0:26656");
  EXPECT_EQ(a.rpc_laddr, "tcp://127.0.0.1:26657");
  EXPECT_EQ(a.prometheus_listen_addr, d.tunnel("pub-1") + ":26660");

  const NodeSettings& b = d.settings.at("pub-b");
  EXPECT_EQ(persistent_peers_string(b.persistent_peers), k_priv_b_id + "@198.51.100.21:26656");
  EXPECT_EQ(ids(b.private_peers), k_val_id + "," + k_priv_b_id);
  EXPECT_EQ(ids(b.unconditional_peers), k_priv_b_id);
  // Its own address is one CometBFT calls non-routable (2001:db8::/32): a private network,
  // whose addresses pex must be able to keep.
  EXPECT_FALSE(b.addr_book_strict);
  EXPECT_EQ(b.external_address, "[2001:db8::31]:26666");
  EXPECT_EQ(b.p2p_laddr, "tcp://0.0.0.0:26666");
  EXPECT_EQ(b.prometheus_listen_addr, "127.0.0.1:26670");  // no tunnel on its host; own port
}

// The network's seeds and peers reach public sentries only: the validator and the private
// sentries keep to the graph.
TEST(Settings, NetworkSeedsAndPeersOnPublicSentriesOnly) {
  const Derived d = derive_all(with_network(sentry_network()));
  const NodeSettings& a = d.settings.at("pub-a");
  EXPECT_EQ(persistent_peers_string(a.seeds),
            k_seed_1 + "@seed.example.net:26656," + k_seed_2 + "@[2001:db8::9]:26656");
  EXPECT_EQ(persistent_peers_string(a.persistent_peers),
            k_priv_a_id + "@" + d.tunnel("priv-1") + ":26656," + k_priv_b_id +
                "@198.51.100.21:26656," + k_net_peer + "@203.0.113.40:26656");
  // Network peers are neither hidden from gossip nor always admitted.
  EXPECT_EQ(ids(a.private_peers), k_val_id + "," + k_priv_a_id + "," + k_priv_b_id);
  EXPECT_EQ(ids(a.unconditional_peers), k_priv_a_id + "," + k_priv_b_id);
  EXPECT_EQ(persistent_peers_string(d.settings.at("pub-b").seeds),
            persistent_peers_string(a.seeds));
  const ConfigTable& table = builtin_config_tables().at("0.38");
  EXPECT_EQ(derived_values(a, table).at("p2p.seeds"),
            "\"" + k_seed_1 + "@seed.example.net:26656," + k_seed_2 + "@[2001:db8::9]:26656\"");
  for (const char* name : {"validator", "priv-a", "priv-b"}) {
    const NodeSettings& s = d.settings.at(name);
    EXPECT_TRUE(s.seeds.empty()) << name;
    EXPECT_EQ(persistent_peers_string(s.persistent_peers),
              persistent_peers_string(derive_all(sentry_network()).settings.at(name).persistent_peers))
        << name;
    EXPECT_EQ(derived_values(s, table).at("p2p.seeds"), "\"\"") << name;
  }
}

TEST(Settings, BothEndsOfEveryLinkListEachOther) {
  const Derived d = derive_all(sentry_network());
  for (const auto& link : d.b.topology().links) {
    const auto lists = [&](const std::string& a, const std::string& b) {
      for (const auto& p : d.settings.at(a).persistent_peers)
        if (p.peer.name == b) return true;
      return false;
    };
    EXPECT_TRUE(lists(link.a.value, link.b.value)) << link.a.value << " -> " << link.b.value;
    EXPECT_TRUE(lists(link.b.value, link.a.value)) << link.b.value << " -> " << link.a.value;
  }
}

TEST(Settings, ValidatorWithAPrivateLinkBindsEveryInterface) {
  NetworkBuilder b = sentry_network();
  b.topology().links[1].over.value = LinkKind::private_net;  // validator -- priv-b
  const Derived d = derive_all(std::move(b));
  const NodeSettings& s = d.settings.at("validator");
  EXPECT_EQ(s.p2p_laddr, "tcp://0.0.0.0:26656");
  EXPECT_EQ(persistent_peers_string(s.persistent_peers),
            k_priv_a_id + "@" + d.tunnel("priv-1") + ":26656," + k_priv_b_id +
                "@198.51.100.21:26656");
}

TEST(Settings, SignerWithoutTunnelListensOnTheHostAddress) {
  NetworkBuilder b("0.37");
  b.host("val-1", "198.51.100.10");
  b.host("hsm-1", "198.51.100.11");
  b.host("s-1", "198.51.100.12");
  b.node("validator", Role::validator, "val-1").signer = Located<std::string>{"kms", {}};
  b.node("kms", Role::signer, "hsm-1");
  b.node("sentry", Role::private_sentry, "s-1");
  pin(b, "validator", k_val_id);
  pin(b, "sentry", k_priv_a_id);
  b.link("validator", "sentry", LinkKind::private_net);
  const Derived d = derive_all(std::move(b));
  const NodeSettings& s = d.settings.at("validator");
  EXPECT_EQ(s.priv_validator_laddr, "tcp://198.51.100.10:26659");
  EXPECT_EQ(s.prometheus_listen_addr, "127.0.0.1:26660");
  EXPECT_EQ(s.p2p_laddr, "tcp://0.0.0.0:26656");
  EXPECT_TRUE(s.addr_book_strict);  // its one peer is at a routable address
}

// Issue 10, item 11: addr_book_strict = false only where a peer needs it: a peer dialled at
// an address CometBFT's address book calls non-routable, and not in private_peer_ids (those
// are refused before the routability check).
TEST(Settings, AddrBookStrictOnlyWhereAPeerNeedsIt) {
  NetworkBuilder b("0.38");
  b.vpn("10.44.0.0/24");
  b.host("val-1", "198.51.100.10");
  b.host("priv-1", "198.51.100.20");
  b.host("pub-1", "203.0.113.30");
  b.host("pub-2", "192.168.1.31");  // RFC 1918
  b.host("pub-3", "203.0.113.32");
  b.node("validator", Role::validator, "val-1");
  b.node("priv-a", Role::private_sentry, "priv-1");
  b.node("pub-a", Role::public_sentry, "pub-1");
  b.node("pub-b", Role::public_sentry, "pub-2");
  b.node("pub-c", Role::public_sentry, "pub-3");
  pin(b, "validator", k_val_id);
  pin(b, "priv-a", k_priv_a_id);
  pin(b, "pub-a", k_pub_a_id);
  pin(b, "pub-b", k_pub_b_id);
  pin(b, "pub-c", std::string(40, 'e'));
  b.link("validator", "priv-a", LinkKind::private_net);  // routable host addresses
  b.link("priv-a", "pub-a");                              // a tunnel address on both ends
  b.link("pub-a", "pub-c");                               // public sentries: no private IDs
  b.link("priv-a", "pub-b", LinkKind::private_net);       // pub-b at an RFC 1918 address
  const Derived d = derive_all(std::move(b));
  EXPECT_TRUE(d.settings.at("validator").addr_book_strict);
  EXPECT_FALSE(d.settings.at("priv-a").addr_book_strict);  // pub-a (tunnel), pub-b (192.168)
  EXPECT_FALSE(d.settings.at("pub-a").addr_book_strict);   // pub-c over the tunnel
  EXPECT_FALSE(d.settings.at("pub-b").addr_book_strict);   // its own address is RFC 1918
  EXPECT_FALSE(d.settings.at("pub-c").addr_book_strict);   // pub-a over the tunnel
  NetworkBuilder public_only("0.38");
  public_only.host("pub-1", "203.0.113.30");
  public_only.host("pub-3", "203.0.113.32");
  public_only.node("pub-a", Role::public_sentry, "pub-1");
  public_only.node("pub-c", Role::public_sentry, "pub-3");
  pin(public_only, "pub-a", std::string(40, 'a'));
  pin(public_only, "pub-c", std::string(40, 'c'));
  public_only.link("pub-a", "pub-c", LinkKind::public_net);
  EXPECT_TRUE(derive_all(std::move(public_only)).settings.at("pub-a").addr_book_strict);
}

TEST(Settings, SignersAreNoPeers) {
  NetworkBuilder b = sentry_network();
  b.link("validator", "kms");  // a lint error (signer-exposed); render still skips it
  const Derived d = derive_all(std::move(b));
  for (const auto& p : d.settings.at("validator").persistent_peers) EXPECT_NE(p.peer.name, "kms");
  EXPECT_EQ(d.settings.at("validator").persistent_peers.size(), 2u);
}

TEST(Settings, IdsAreLowerCase) {
  NetworkBuilder b = sentry_network();
  pin(b, "priv-a", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  const Derived d = derive_all(std::move(b));
  const std::string peers = persistent_peers_string(d.settings.at("validator").persistent_peers);
  EXPECT_EQ(peers.substr(0, 41), k_priv_a_id + "@");
  EXPECT_EQ(ids(d.settings.at("validator").unconditional_peers), k_priv_a_id + "," + k_priv_b_id);
}

TEST(Settings, PersistentPeersCarryTheIdsOfThePeersKeys) {
  NetworkBuilder b("0.38");
  b.host("h-1", "192.0.2.1");
  b.host("h-2", "192.0.2.2");
  b.host("h-3", "192.0.2.3");
  b.node("validator", Role::validator, "h-1");
  b.node("sentry", Role::private_sentry, "h-2");
  b.node("edge", Role::public_sentry, "h-3");
  b.link("validator", "sentry", LinkKind::private_net);
  b.link("sentry", "edge", LinkKind::public_net);
  b.key("validator", 0x01);
  b.key("sentry", 0x02);
  b.key("edge", 0x03);
  const Derived d = derive_all(std::move(b));
  const std::string val_id = node_id(d.b.secrets().node_keys.at("validator"));
  const std::string sentry_id = node_id(d.b.secrets().node_keys.at("sentry"));
  const std::string edge_id = node_id(d.b.secrets().node_keys.at("edge"));
  for (const auto* id : {&val_id, &sentry_id, &edge_id}) {
    ASSERT_EQ(id->size(), 40u) << "node_id() of a fixed seed";
    EXPECT_EQ(id->find_first_not_of("0123456789abcdef"), std::string::npos);
  }
  EXPECT_NE(val_id, sentry_id);
  EXPECT_EQ(persistent_peers_string(d.settings.at("validator").persistent_peers),
            sentry_id + "@192.0.2.2:26656");
  EXPECT_EQ(persistent_peers_string(d.settings.at("sentry").persistent_peers),
            val_id + "@192.0.2.1:26656," + edge_id + "@192.0.2.3:26656");
  EXPECT_EQ(ids(d.settings.at("sentry").private_peers), val_id);
  EXPECT_EQ(ids(d.settings.at("edge").private_peers), val_id + "," + sentry_id);
}

TEST(Settings, VersionDropsALeadingV) {
  NetworkBuilder b = sentry_network("1.0");
  b.topology().chain.binary_version = Located<std::string>{"v1.0.1", {}};
  const Derived d = derive_all(std::move(b));
  EXPECT_EQ(d.settings.at("pub-a").version, "1.0.1");
  const auto values = derived_values(d.settings.at("pub-a"), builtin_config_tables().at("1.0"));
  EXPECT_EQ(values.at("version"), "\"1.0.1\"");
  // 0.34 and 0.37 have no top-level version key.
  EXPECT_EQ(derived_values(d.settings.at("pub-a"), builtin_config_tables().at("0.37")).count("version"),
            0u);
}

TEST(Settings, DerivedValuesAreTomlLiterals) {
  const Derived d = derive_all(sentry_network());
  const auto v = derived_values(d.settings.at("validator"), builtin_config_tables().at("0.38"));
  const std::map<std::string, std::string> expected{
      {"moniker", "\"validator\""},
      {"p2p.laddr", "\"tcp://" + d.tunnel("val-1") + ":26656\""},
      {"p2p.external_address", "\"\""},
      {"p2p.persistent_peers", "\"" + k_priv_a_id + "@" + d.tunnel("priv-1") + ":26656," +
                                   k_priv_b_id + "@" + d.tunnel("priv-2") + ":26656\""},
      {"p2p.addr_book_strict", "false"},
      {"p2p.unconditional_peer_ids", "\"" + k_priv_a_id + "," + k_priv_b_id + "\""},
      {"p2p.max_num_inbound_peers", "10"},
      {"p2p.max_num_outbound_peers", "10"},
      {"p2p.pex", "false"},
      {"p2p.private_peer_ids", "\"\""},
      {"p2p.seeds", "\"\""},
      {"rpc.laddr", "\"tcp://127.0.0.1:26657\""},
      {"priv_validator_laddr", "\"tcp://" + d.tunnel("val-1") + ":26659\""},
      {"consensus.double_sign_check_height", "10"},
      {"instrumentation.prometheus", "true"},
      {"instrumentation.prometheus_listen_addr", "\"" + d.tunnel("val-1") + ":26660\""},
  };
  EXPECT_EQ(v, expected);
}

// Peer slots per role, and our own nodes unconditional wherever they peer: the validator in
// every private sentry's list and in a public sentry's it links to directly, each sentry in
// the validator's, so full slots never lock the validator out.
TEST(Settings, PeerSlotsPerRoleAndTheValidatorIsAlwaysAdmitted) {
  NetworkBuilder b = sentry_network();
  b.link("validator", "pub-a");  // direct-public: pub-a must admit it past its slots too
  const Derived d = derive_all(std::move(b));
  std::string slots;
  for (const auto& [name, s] : d.settings)
    slots += name + " " + std::to_string(s.slots.inbound) + "/" + std::to_string(s.slots.outbound) + "\n";
  EXPECT_EQ(slots,
            "priv-a 40/10\n"
            "priv-b 40/10\n"
            "pub-a 100/40\n"
            "pub-b 100/40\n"
            "validator 10/10\n");
  EXPECT_EQ(ids(d.settings.at("validator").unconditional_peers),
            k_priv_a_id + "," + k_priv_b_id + "," + k_pub_a_id);
  for (const char* sentry : {"priv-a", "priv-b", "pub-a"}) {
    const std::string list = ids(d.settings.at(sentry).unconditional_peers);
    EXPECT_NE(list.find(k_val_id), std::string::npos) << sentry << ": " << list;
  }
  const auto pub = derived_values(d.settings.at("pub-a"), builtin_config_tables().at("0.38"));
  EXPECT_EQ(pub.at("p2p.max_num_inbound_peers"), "100");
  EXPECT_EQ(pub.at("p2p.max_num_outbound_peers"), "40");
}

// The definition neighbours() implements over the index, by scanning every link.
std::vector<Neighbour> scanned_neighbours(const Topology& topology, const Inventory& inventory,
                                          const TunnelPlan& tunnels, const Secrets& secrets,
                                          const Node& node) {
  std::vector<Neighbour> out;
  std::vector<std::pair<const Node*, LinkKind>> peers;
  for (const auto& link : topology.links) {
    const std::string* other = nullptr;
    if (link.a.value == node.name.value) other = &link.b.value;
    else if (link.b.value == node.name.value) other = &link.a.value;
    if (other == nullptr) continue;
    const Node* peer = topology.find_node(*other);
    if (peer == nullptr) continue;
    bool merged = false;
    for (auto& p : peers)
      if (p.first == peer) {
        if (link.over.value == LinkKind::vpn) p.second = LinkKind::vpn;
        merged = true;
      }
    if (!merged) peers.emplace_back(peer, link.over.value);
  }
  for (const auto& [peer, over] : peers) {
    Neighbour n;
    n.name = peer->name.value;
    n.over = over;
    const Host* host = inventory.find_host(peer->host.value);
    if (over == LinkKind::vpn) {
      auto it = tunnels.addresses.find(peer->host.value);
      n.dial_host = it == tunnels.addresses.end() ? std::string() : it->second;
    } else if (host != nullptr) {
      n.dial_host = host->address.value;
    }
    n.source_ip = n.dial_host;
    n.port = effective_p2p_port(topology, *peer);
    n.node_id = node_id_of(*peer, secrets);
    out.push_back(std::move(n));
  }
  for (const auto& partner : topology.partners) {
    bool with = false;
    for (const auto& w : partner.with) with = with || w.value == node.name.value;
    if (!with) continue;
    for (std::size_t i = 0; i < partner.peers.size(); ++i) out.push_back(partner_neighbour(partner, i));
  }
  return out;
}

// neighbours_of() reads the peering index; it must agree with scanning every link exactly.
TEST(Settings, NeighboursOfAgreesWithNeighbours) {
  NetworkBuilder b = sentry_network();
  b.link("priv-a", "pub-a", LinkKind::public_net);  // a pair linked twice: vpn wins
  b.link("pub-b", "priv-b");                        // again, over vpn this time
  b.link("pub-a", "nowhere");                       // dangling
  b.link("pub-b", "pub-b", LinkKind::private_net);  // a loop
  b.partner("dorado", {{std::string(40, 'e'), "10.44.0.200:26656"}}, {"priv-b", "priv-b", "pub-a"},
            LinkKind::vpn);
  b.key("priv-a", 7);
  b.find("priv-a")->node_id.reset();
  Diagnostics out;
  const TunnelPlan tunnels = plan_tunnels(b.topology(), b.inventory(), out);
  const OwnDeriver own(b.topology(), b.inventory(), tunnels, b.secrets());
  const SettingsDeriver& deriver = own.deriver;
  std::size_t total = 0;
  for (const auto& node : b.topology().nodes) {
    SCOPED_TRACE(node.name.value);
    const auto expected = scanned_neighbours(b.topology(), b.inventory(), tunnels, b.secrets(), node);
    const auto got = deriver.neighbours_of(node);
    ASSERT_EQ(got.size(), expected.size());
    total += got.size();
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].name, expected[i].name);
      EXPECT_EQ(got[i].partner, expected[i].partner);
      EXPECT_EQ(got[i].over, expected[i].over);
      EXPECT_EQ(got[i].dial_host, expected[i].dial_host);
      EXPECT_EQ(got[i].port, expected[i].port);
      EXPECT_EQ(got[i].node_id, expected[i].node_id);
      EXPECT_EQ(got[i].source_ip, expected[i].source_ip);
    }
  }
  EXPECT_EQ(total, 15u);
}

// ---- override values ----------------------------------------------------------------------

struct OverrideCase {
  std::string section, key;
  ConfigValue::Kind kind;
  std::string text;
  std::string diagnostic;  // "" when accepted
  std::string literal;     // the rendered literal when accepted
};

std::string check_one(const OverrideCase& c, const std::string& line = "0.38") {
  NetworkBuilder b(line);
  b.host("h", "192.0.2.1");
  b.node("pub", Role::public_sentry, "h");
  b.override_value("pub", c.section, c.key, c.kind, c.text);
  Diagnostics out;
  const auto values = check_override_values(*b.find("pub"), line, builtin_config_tables().at(line), out);
  if (!c.literal.empty()) {
    const std::string path = c.section.empty() ? c.key : c.section + "." + c.key;
    EXPECT_EQ(values.count(path) ? values.at(path) : "<missing>", c.literal) << path;
  } else {
    EXPECT_TRUE(values.empty());
  }
  return diagnostics_text(out);
}

TEST(Overrides, AcceptedValuesBecomeTomlLiterals) {
  using K = ConfigValue::Kind;
  const std::vector<OverrideCase> cases{
      {"consensus", "timeout_commit", K::string, "5s", "", "\"5s\""},
      {"consensus", "timeout_propose", K::string, "1m30.5s", "", "\"1m30.5s\""},
      {"mempool", "recheck_timeout", K::string, "0", "", "\"0\""},
      {"p2p", "max_num_inbound_peers", K::integer, "120", "", "120"},
      {"statesync", "trust_height", K::integer, "0x10", "", "16"},
      {"p2p", "seed_mode", K::boolean, "true", "", "true"},
      {"", "log_level", K::string, "p2p:debug,*:info", "", "\"p2p:debug,*:info\""},
      {"", "moniker", K::string, "say \"hi\"", "", "\"say \\\"hi\\\"\""},
      {"statesync", "rpc_servers", K::string, "a:26657,b:26657", "", "\"a:26657,b:26657\""},
      {"rpc", "laddr", K::string, "tcp://0.0.0.0:26657", "", "\"tcp://0.0.0.0:26657\""},
  };
  for (const auto& c : cases) EXPECT_EQ(check_one(c), "") << c.key;

  NetworkBuilder b("0.38");
  b.host("h", "192.0.2.1");
  b.node("pub", Role::public_sentry, "h");
  ConfigValue& list = b.override_value("pub", "rpc", "cors_allowed_origins", ConfigValue::Kind::array, "");
  for (const char* origin : {"https://a.example", "https://b.example"}) {
    ConfigValue item;
    item.text = origin;
    list.items.push_back(item);
  }
  Diagnostics out;
  const auto values = check_override_values(*b.find("pub"), "0.38", builtin_config_tables().at("0.38"), out);
  EXPECT_EQ(diagnostics_text(out), "");
  EXPECT_EQ(values.at("rpc.cors_allowed_origins"), "[\"https://a.example\", \"https://b.example\"]");
}

TEST(Overrides, UnknownKeyIsASchemaErrorWithDidYouMean) {
  EXPECT_EQ(check_one({"p2p", "persistent_peer", ConfigValue::Kind::string, "x", "", ""}),
            "topology.yaml:6:7: error: config.toml of CometBFT 0.38 has no key \"persistent_peer\" "
            "in [p2p]; did you mean \"persistent_peers\"? (CometBFT ignores unknown keys without a "
            "word) [schema] {pub}\n");
  EXPECT_EQ(check_one({"consensus", "timeout_comit", ConfigValue::Kind::string, "5s", "", ""}),
            "topology.yaml:6:7: error: config.toml of CometBFT 0.38 has no key \"timeout_comit\" "
            "in [consensus]; did you mean \"timeout_commit\"? (CometBFT ignores unknown keys "
            "without a word) [schema] {pub}\n");
}

TEST(Overrides, UnknownSectionAndTopLevelKey) {
  EXPECT_EQ(check_one({"pp2p", "pex", ConfigValue::Kind::boolean, "true", "", ""}),
            "topology.yaml:6:7: error: config.toml of CometBFT 0.38 has no section [pp2p]; did "
            "you mean [p2p]? (CometBFT ignores unknown keys without a word) [schema] {pub}\n");
  // fast_sync was renamed block_sync in 0.37 and dropped in 0.38.
  EXPECT_EQ(check_one({"", "fast_sync", ConfigValue::Kind::boolean, "true", "", ""}),
            "topology.yaml:6:7: error: config.toml of CometBFT 0.38 has no top-level key "
            "\"fast_sync\" (CometBFT ignores unknown keys without a word) [schema] {pub}\n");
  EXPECT_EQ(check_one({"", "fast_sync", ConfigValue::Kind::boolean, "true", "", ""}, "0.37"),
            "topology.yaml:6:7: error: config.toml of CometBFT 0.37 has no top-level key "
            "\"fast_sync\"; did you mean \"block_sync\"? (CometBFT ignores unknown keys without a "
            "word) [schema] {pub}\n");
  // A section given a value instead of a map of its keys.
  EXPECT_EQ(check_one({"", "consensus", ConfigValue::Kind::integer, "3", "", ""}),
            "topology.yaml:6:7: error: \"consensus\" is a section of config.toml, so its override "
            "must be a map of its keys (e.g. consensus: {key: value}), not the integer 3 [schema] "
            "{pub}\n");
  EXPECT_EQ(check_one({"", "fast_sync", ConfigValue::Kind::boolean, "false", "", "false"}, "0.34"), "");
  EXPECT_EQ(check_one({"grpc", "laddr", ConfigValue::Kind::string, "tcp://127.0.0.1:9090", "", "\"tcp://127.0.0.1:9090\""}, "1.0"), "");
}

TEST(Overrides, WrongTypes) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(check_one({"p2p", "pex", K::string, "yes", "", ""}),
            "topology.yaml:6:7: error: p2p.pex must be a boolean (true or false), not the string "
            "\"yes\" [schema] {pub}\n");
  EXPECT_EQ(check_one({"p2p", "max_num_inbound_peers", K::string, "40", "", ""}),
            "topology.yaml:6:7: error: p2p.max_num_inbound_peers must be an integer, not the "
            "string \"40\" [schema] {pub}\n");
  EXPECT_EQ(check_one({"", "moniker", K::integer, "7", "", ""}),
            "topology.yaml:6:7: error: moniker must be a string, not the integer 7 [schema] {pub}\n");
  EXPECT_EQ(check_one({"mempool", "size", K::floating, "1.5", "", ""}),
            "topology.yaml:6:7: error: mempool.size must be an integer, not the number 1.5 "
            "[schema] {pub}\n");
  EXPECT_EQ(check_one({"rpc", "cors_allowed_origins", K::boolean, "true", "", ""}),
            "topology.yaml:6:7: error: rpc.cors_allowed_origins must be a list of strings, not the "
            "boolean true [schema] {pub}\n");
  EXPECT_EQ(check_one({"p2p", "persistent_peers", K::array, "", "", ""}),
            "topology.yaml:6:7: error: p2p.persistent_peers is one comma-separated string in "
            "config.toml, not a list: write \"id@host:port,id@host:port\" [schema] {pub}\n");
  EXPECT_EQ(check_one({"statesync", "chunk_fetchers", K::integer, "5000000000", "", ""}),
            "topology.yaml:6:7: error: statesync.chunk_fetchers = 5000000000 does not fit its Go "
            "type int32 [schema] {pub}\n");
  EXPECT_EQ(check_one({"p2p", "max_num_inbound_peers", K::integer, "-1", "", ""}),
            "topology.yaml:6:7: error: p2p.max_num_inbound_peers must not be negative: CometBFT "
            "refuses to start with a negative value in [p2p] [schema] {pub}\n");
}

TEST(Overrides, DurationGivenAsNumber) {
  EXPECT_EQ(check_one({"consensus", "timeout_commit", ConfigValue::Kind::integer, "5", "", ""}),
            "topology.yaml:6:7: error: consensus.timeout_commit is a duration: write a Go duration "
            "string such as \"5s\"; CometBFT would read the bare number 5 as 5 nanoseconds "
            "[schema] {pub}\n");
}

TEST(Overrides, DurationMustBeGoSyntax) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(check_one({"consensus", "timeout_commit", K::string, "5 seconds", "", ""}),
            "topology.yaml:6:7: error: consensus.timeout_commit = \"5 seconds\" is not a Go "
            "duration (such as \"500ms\", \"10s\" or \"1m30s\"); CometBFT would refuse to start "
            "[schema] {pub}\n");
  EXPECT_NE(check_one({"consensus", "timeout_commit", K::string, "10", "", ""}), "");
  EXPECT_NE(check_one({"consensus", "timeout_commit", K::string, "s", "", ""}), "");
  EXPECT_NE(check_one({"consensus", "timeout_commit", K::string, "1d", "", ""}), "");
  EXPECT_NE(check_one({"consensus", "timeout_commit", K::string, "", "", ""}), "");
  EXPECT_EQ(check_one({"consensus", "timeout_commit", K::string, "1h2m3s4ms5us6ns", "", "\"1h2m3s4ms5us6ns\""}), "");
  EXPECT_EQ(check_one({"consensus", "timeout_commit", K::string, "-1s", "", ""}),
            "topology.yaml:6:7: error: consensus.timeout_commit must not be negative: CometBFT "
            "refuses to start with a negative value in [consensus] [schema] {pub}\n");
}

TEST(Overrides, ValuesCometBftWouldRefuse) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(check_one({"rpc", "laddr", K::string, "0.0.0.0:26657", "", ""}),
            "topology.yaml:6:7: error: rpc.laddr must start with \"tcp://\" or \"unix://\"; "
            "CometBFT cannot listen on \"0.0.0.0:26657\" [schema] {pub}\n");
  EXPECT_EQ(check_one({"instrumentation", "prometheus_listen_addr", K::string, "tcp://0.0.0.0:26660", "", ""}),
            "topology.yaml:6:7: error: instrumentation.prometheus_listen_addr is \"host:port\" "
            "without a scheme; CometBFT cannot listen on \"tcp://0.0.0.0:26660\" [schema] {pub}\n");
  EXPECT_EQ(check_one({"", "log_format", K::string, "text", "", ""}),
            "topology.yaml:6:7: error: log_format must be \"plain\" or \"json\" [schema] {pub}\n");
  EXPECT_EQ(check_one({"", "version", K::string, "v0.38.17", "", ""}),
            "topology.yaml:6:7: error: version must not start with \"v\": CometBFT 0.38 refuses "
            "to load \"v0.38.17\"; write \"0.38.17\" [schema] {pub}\n");
}

// ---- override conflicts -------------------------------------------------------------------

// Overrides on `node` of the sentry network, checked by lint's entry point (no keys).
std::string lint_overrides(const std::string& node, const std::string& section,
                           const std::string& key, ConfigValue::Kind kind, const std::string& text,
                           bool pinned = false, bool network = false) {
  NetworkBuilder b = network ? with_network(sentry_network()) : sentry_network();
  if (!pinned)
    for (auto& n : b.topology().nodes) n.node_id.reset();  // managed: IDs unknown to lint
  b.override_value(node, section, key, kind, text);
  Diagnostics out;
  check_overrides(b.topology(), b.inventory(), out);
  return diagnostics_text(out);
}

TEST(OverrideConflict, ValidatorPex) {
  EXPECT_EQ(lint_overrides("validator", "p2p", "pex", ConfigValue::Kind::boolean, "true"),
            "topology.yaml:32:7: error: override of p2p.pex on \"validator\" sets true, but picket "
            "derives false: a validator must not exchange peer addresses with the network "
            "[override-conflict] {validator}\n");
  EXPECT_EQ(lint_overrides("validator", "p2p", "pex", ConfigValue::Kind::boolean, "false"), "");
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "pex", ConfigValue::Kind::boolean, "false"),
            "topology.yaml:32:7: error: override of p2p.pex on \"pub-a\" sets false, but picket "
            "derives true: a public sentry exchanges peer addresses so the network can find it "
            "[override-conflict] {pub-a}\n");
  // A private sentry keeps pex off: with it, the lab showed it dialling the open network.
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "pex", ConfigValue::Kind::boolean, "false"), "");
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "pex", ConfigValue::Kind::boolean, "true"),
            "topology.yaml:32:7: error: override of p2p.pex on \"priv-a\" sets true, but picket "
            "derives false: a private sentry peers only with the nodes and partners the graph "
            "gives it; with pex it would dial the open network [override-conflict] {priv-a}\n");
}

TEST(OverrideConflict, ValidatorRpcStaysLocal) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(lint_overrides("validator", "rpc", "laddr", K::string, "tcp://0.0.0.0:26657"),
            "topology.yaml:32:7: error: override of rpc.laddr on \"validator\" exposes the "
            "validator's RPC at \"tcp://0.0.0.0:26657\": a validator's RPC must listen on "
            "127.0.0.1, localhost, [::1] or a unix socket [override-conflict] {validator}\n");
  EXPECT_EQ(lint_overrides("validator", "rpc", "laddr", K::string, "unix:///run/node.sock"), "");
  EXPECT_EQ(lint_overrides("validator", "rpc", "laddr", K::string, "tcp://127.0.0.1:36657"), "");
  // On a public sentry exposing RPC is the operator's call.
  EXPECT_EQ(lint_overrides("pub-a", "rpc", "laddr", K::string, "tcp://0.0.0.0:26657"), "");
}

TEST(OverrideConflict, PersistentPeersComparedByAddressWithoutKeys) {
  using K = ConfigValue::Kind;
  NetworkBuilder probe = sentry_network();
  Diagnostics ignored;
  const TunnelPlan tunnels = plan_tunnels(probe.topology(), probe.inventory(), ignored);
  const std::string priv_1 = tunnels.addresses.at("priv-1");
  const std::string priv_2 = tunnels.addresses.at("priv-2");
  // The same peers (any IDs: lint cannot know managed nodes' IDs), in another order.
  EXPECT_EQ(lint_overrides("validator", "p2p", "persistent_peers", K::string,
                           k_pub_b_id + "@" + priv_2 + ":26656, " + k_pub_a_id + "@" + priv_1 + ":26656"),
            "");
  EXPECT_EQ(lint_overrides("validator", "p2p", "persistent_peers", K::string,
                           k_pub_b_id + "@" + priv_2 + ":26656," + k_pub_a_id + "@203.0.113.99:26656"),
            "topology.yaml:32:7: error: override of p2p.persistent_peers on \"validator\" does not "
            "list the peers picket derives from its links and partners (priv-a, priv-b); change "
            "the links or partners instead [override-conflict] {validator}\n");
  // Pinned IDs are known without keys, so they are compared too.
  EXPECT_NE(lint_overrides("validator", "p2p", "persistent_peers", K::string,
                           k_pub_b_id + "@" + priv_2 + ":26656, " + k_pub_a_id + "@" + priv_1 + ":26656",
                           true),
            "");
  EXPECT_EQ(lint_overrides("validator", "p2p", "persistent_peers", K::string,
                           k_priv_b_id + "@" + priv_2 + ":26656, " + k_priv_a_id + "@" + priv_1 + ":26656",
                           true),
            "");
}

TEST(OverrideConflict, IdLists) {
  using K = ConfigValue::Kind;
  // priv-a hides the validator and both certus peers: three IDs, the partners' known.
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "private_peer_ids", K::string,
                           k_pub_a_id + "," + k_certus_2 + "," + k_certus_1),
            "");
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "private_peer_ids", K::string, k_pub_a_id + "," + k_certus_2),
            "topology.yaml:32:7: error: override of p2p.private_peer_ids on \"priv-a\" does not "
            "name the peers picket keeps out of gossip (validator, certus/1, certus/2); change the "
            "topology instead [override-conflict] {priv-a}\n");
  EXPECT_EQ(lint_overrides("pub-b", "p2p", "unconditional_peer_ids", K::string, ""),
            "topology.yaml:32:7: error: override of p2p.unconditional_peer_ids on \"pub-b\" does "
            "not name the peers picket always admits (priv-b); change the topology instead "
            "[override-conflict] {pub-b}\n");
}

TEST(OverrideConflict, AddressesAndSigner) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "external_address", K::string, "198.51.100.20:26656"),
            "topology.yaml:32:7: error: override of p2p.external_address on \"priv-a\" sets "
            "\"198.51.100.20:26656\", but picket derives \"\": only a public sentry advertises an "
            "address, its host's address and p2p port [override-conflict] {priv-a}\n");
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "external_address", K::string, "203.0.113.30:26656"), "");
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "laddr", K::string, "tcp://0.0.0.0:26000"),
            "topology.yaml:32:7: error: override of p2p.laddr on \"pub-a\" sets "
            "\"tcp://0.0.0.0:26000\", but picket derives \"tcp://0.0.0.0:26656\": picket binds it "
            "from the node's p2p port and links; set p2p_port instead [override-conflict] {pub-a}\n");
  EXPECT_EQ(lint_overrides("priv-b", "", "priv_validator_laddr", K::string, "tcp://0.0.0.0:26659"),
            "topology.yaml:32:7: error: override of priv_validator_laddr on \"priv-b\" sets "
            "\"tcp://0.0.0.0:26659\", but picket derives \"\": only a validator with a signer "
            "listens for one, where its signer is told to dial [override-conflict] {priv-b}\n");
  EXPECT_EQ(lint_overrides("validator", "p2p", "seeds", K::string, k_certus_1 + "@203.0.113.7:26656"),
            "topology.yaml:32:7: error: override of p2p.seeds on \"validator\" sets \"" + k_certus_1 +
                "@203.0.113.7:26656\", but picket derives \"\": a validator dials only its "
                "sentries, never seeds [override-conflict] {validator}\n");
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "seeds", K::string, k_certus_1 + "@203.0.113.7:26656"), "");
}

TEST(OverrideConflict, SeedsBelongToPublicSentries) {
  using K = ConfigValue::Kind;
  // A private sentry with seeds would dial the open network.
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "seeds", K::string, k_seed_1 + "@203.0.113.9:26656"),
            "topology.yaml:32:7: error: override of p2p.seeds on \"priv-a\": a private sentry "
            "peers only with the nodes and partners the graph gives it; seeds would have it dial "
            "the open network (only public sentries use the network's seeds) "
            "[override-conflict] {priv-a}\n");
  EXPECT_EQ(lint_overrides("priv-a", "p2p", "seeds", K::string, ""), "");
  // With network.seeds declared, a public sentry's override must name exactly those.
  const std::string declared =
      k_seed_2 + "@[2001:db8::9]:26656," + k_seed_1 + "@seed.example.net:26656";
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "seeds", K::string, declared, false, true), "");
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "seeds", K::string, k_seed_1 + "@seed.example.net:26656",
                           false, true),
            "topology.yaml:36:7: error: override of p2p.seeds on \"pub-a\" does not list the "
            "seeds declared under \"network\" (" + k_seed_1 + "@seed.example.net:26656," + k_seed_2 +
                "@[2001:db8::9]:26656); change \"network.seeds\" instead [override-conflict] {pub-a}\n");
}

TEST(OverrideConflict, ARefusedValueIsNotAlsoAConflict) {
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "laddr", ConfigValue::Kind::string, "0.0.0.0:26656"),
            "topology.yaml:32:7: error: p2p.laddr must start with \"tcp://\" or \"unix://\"; "
            "CometBFT cannot listen on \"0.0.0.0:26656\" [schema] {pub-a}\n");
}

TEST(OverrideConflict, FreeSettingsAreNoConflict) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(lint_overrides("validator", "consensus", "double_sign_check_height", K::integer, "20"), "");
  EXPECT_EQ(lint_overrides("validator", "p2p", "addr_book_strict", K::boolean, "true"), "");
  EXPECT_EQ(lint_overrides("validator", "", "moniker", K::string, "my-validator"), "");
}

// An override of a slot count wins and is no conflict; it is checked like any value.
TEST(OverrideConflict, PeerSlotOverridesWin) {
  using K = ConfigValue::Kind;
  EXPECT_EQ(lint_overrides("pub-a", "p2p", "max_num_inbound_peers", K::integer, "500"), "");
  EXPECT_EQ(lint_overrides("validator", "p2p", "max_num_outbound_peers", K::integer, "3"), "");
}

TEST(OverrideConflict, CheckOverridesAlsoChecksKeysAndSigners) {
  NetworkBuilder b = sentry_network();
  b.override_value("kms", "", "log_level", ConfigValue::Kind::string, "debug");
  b.override_value("pub-b", "consensus", "timeout_commit", ConfigValue::Kind::integer, "5");
  Diagnostics out;
  check_overrides(b.topology(), b.inventory(), out);
  EXPECT_EQ(diagnostics_text(out),
            "topology.yaml:32:7: error: node \"kms\" is a signer: it has no config.toml, so its "
            "config: overrides would be ignored [schema] {kms}\n"
            "topology.yaml:33:7: error: consensus.timeout_commit is a duration: write a Go "
            "duration string such as \"5s\"; CometBFT would read the bare number 5 as 5 "
            "nanoseconds [schema] {pub-b}\n");
}

// From YAML, as lint sees it: every finding points at the value written under config:.
TEST(OverrideConflict, FromYamlPointAtTheValue) {
  const std::string topology_text =
      "version: 1\n"
      "chain: {id: testnet-1, cometbft: \"0.37\"}\n"
      "nodes:\n"
      "  validator:\n"
      "    role: validator\n"
      "    host: a\n"
      "    config:\n"
      "      p2p: {pex: true, persistent_peers: \"x@192.0.2.9:26656\"}\n"
      "      consensus: {timeout_commit: 5, double_sign_check_height: 10}\n"
      "      fastsync: {version: v0}\n"
      "  sentry:\n"
      "    role: private-sentry\n"
      "    host: b\n"
      "    config:\n"
      "      rpc: {laddr: \"tcp://0.0.0.0:26657\"}\n"
      "      p2p: {max_num_inbound_peers: 80, pex: \"true\"}\n"
      "links:\n"
      "  - {between: [validator, sentry], over: private}\n";
  const std::string inventory_text =
      "defaults: {home: /home/cosmos/.simd}\n"
      "hosts:\n"
      "  a: {address: 192.0.2.1}\n"
      "  b: {address: 192.0.2.2}\n";
  Diagnostics out;
  const Topology topology = load_topology({"topology.yaml", topology_text}, out);
  const Inventory inventory = load_inventory({"inventory.yaml", inventory_text}, out);
  ASSERT_EQ(diagnostics_text(out), "");
  check_overrides(topology, inventory, out);
  sort_diagnostics(out);
  EXPECT_EQ(diagnostics_text(out),
            "topology.yaml:8:18: error: override of p2p.pex on \"validator\" sets true, but picket "
            "derives false: a validator must not exchange peer addresses with the network "
            "[override-conflict] {validator}\n"
            "topology.yaml:8:42: error: override of p2p.persistent_peers on \"validator\" does not "
            "list the peers picket derives from its links and partners (sentry); change the links "
            "or partners instead [override-conflict] {validator}\n"
            "topology.yaml:9:35: error: consensus.timeout_commit is a duration: write a Go duration "
            "string such as \"5s\"; CometBFT would read the bare number 5 as 5 nanoseconds "
            "[schema] {validator}\n"
            "topology.yaml:10:27: error: config.toml of CometBFT 0.37 has no section [fastsync]; "
            "did you mean [blocksync]? (CometBFT ignores unknown keys without a word) [schema] "
            "{validator}\n"
            "topology.yaml:16:45: error: p2p.pex must be a boolean (true or false), not the string "
            "\"true\" [schema] {sentry}\n");
}

}  // namespace
}  // namespace picket
