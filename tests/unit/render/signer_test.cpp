#include "render/checks.hpp"
#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "render/render.hpp"
#include "tests/unit/render/host_fixture.hpp"

namespace picket {
namespace {

using namespace test;

constexpr const char* k_path = "/home/cosmos/.gaia/tmkms.toml";

TEST(Signer, SmallNetworkMatchesGolden) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("tmkms.txt", dump(files));
}

TEST(Signer, ValidTomlWithWhatTmkmsNeeds) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  ASSERT_EQ(files.size(), 1u);
  const RenderedFile& f = files[0];
  EXPECT_EQ(f.host, "kms-1");
  EXPECT_EQ(f.path, k_path);
  EXPECT_EQ(f.node, "kms");
  EXPECT_EQ(f.mode, 0644u);
  EXPECT_FALSE(f.secret);
  EXPECT_EQ(f.action, ApplyAction::restart_signer);

  toml::table t;
  try {
    t = toml::parse(f.content);
  } catch (const toml::parse_error& e) {
    FAIL() << e.what() << "\n" << f.content;
  }
  EXPECT_EQ(t["chain"][0]["id"].value_or(std::string()), "cosmoshub-4");
  EXPECT_EQ(t["chain"][0]["key_format"]["type"].value_or(std::string()), "bech32");
  EXPECT_EQ(t["chain"][0]["key_format"]["consensus_key_prefix"].value_or(std::string()), "cosmosvalconspub");
  EXPECT_EQ(t["chain"][0]["state_file"].value_or(std::string()),
            "/home/cosmos/.gaia/state/cosmoshub-4-consensus.json");
  const auto* validators = t["validator"].as_array();
  ASSERT_NE(validators, nullptr);
  ASSERT_EQ(validators->size(), 1u);
  auto v = t["validator"][0];
  EXPECT_EQ(v["chain_id"].value_or(std::string()), "cosmoshub-4");
  // kms-1 joins the tunnel of the validator's host: tmkms dials its tunnel address, no node ID.
  EXPECT_EQ(v["addr"].value_or(std::string()), "tcp://" + plan_tunnels(net.topology, net.inventory, diags).addresses.at("val-1") + ":26659");
  EXPECT_EQ(v["secret_key"].value_or(std::string()), "/home/cosmos/.gaia/secrets/kms-identity.key");
  EXPECT_EQ(v["protocol_version"].value_or(std::string()), "v0.38");
  EXPECT_EQ(v["reconnect"].value_or(false), true);
  auto soft = t["providers"]["softsign"][0];
  EXPECT_EQ(soft["key_type"].value_or(std::string()), "consensus");
  EXPECT_EQ(soft["path"].value_or(std::string()), "/home/cosmos/.gaia/secrets/cosmoshub-4-consensus.key");
  EXPECT_EQ(soft["chain_ids"][0].value_or(std::string()), "cosmoshub-4");
}

TEST(Signer, ProtocolVersionFollowsTheCometbftLine) {
  for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
           {"0.34", "v0.34"}, {"0.37", "v0.34"}, {"0.38", "v0.38"}}) {
    Network net = small_network();
    net.topology.chain.cometbft.value = line;
    Diagnostics diags;
    const FileSet files = render_part(net, render_signer, diags);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_NE(files[0].content.find("protocol_version = \"" + expected + "\"\n"), std::string::npos)
        << line << ":\n" << files[0].content;
    // sign_extensions exists from 0.38 on (vote extensions); earlier lines have no such key.
    EXPECT_EQ(files[0].content.find("sign_extensions") != std::string::npos, line == "0.38")
        << line << ":\n" << files[0].content;
  }
}

// tmkms has no protocol_version for CometBFT 1.0: lint (check_signer) refuses the signer once,
// and render writes no tmkms.toml that could not work.
TEST(Signer, CometbftOneIsRefused) {
  Network net = small_network();
  net.topology.chain.cometbft.value = "1.0";
  Diagnostics diags;
  EXPECT_TRUE(render_part(net, render_signer, diags).empty());
  EXPECT_EQ(dump(diags), "");
  const RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, diags)};
  check_signer(ctx, diags);
  EXPECT_EQ(dump(diags),
            "schema error topology.yaml:4 kms chain: signer \"kms\" runs tmkms, which has no "
            "protocol_version for CometBFT 1.0 (tmkms 0.15 speaks \"v0.34\" for 0.34 and 0.37, "
            "\"v0.38\" for 0.38): it could not sign for the validator; use CometBFT's own key file "
            "instead of a signer\n");
}

TEST(Signer, VoteExtensionsAreSigned) {
  Network net = small_network();
  net.topology.chain.vote_extensions.value = true;
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  ASSERT_EQ(files.size(), 1u);
  const toml::table t = toml::parse(files[0].content);
  EXPECT_EQ(t["chain"][0]["sign_extensions"].value_or(false), true) << files[0].content;
}

// One golden per provider: the whole tmkms.toml.
TEST(Signer, YubihsmUsbMatchesGolden) {
  Network net = small_network();
  Tmkms tmkms;
  tmkms.provider.value = "yubihsm";
  tmkms.serial_number = Located<std::string>{"0123456789", {}};
  net.topology.nodes[1].tmkms = tmkms;
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("tmkms-yubihsm-usb.txt", dump(files));
  const toml::table t = toml::parse(files.at(0).content);
  auto hsm = t["providers"]["yubihsm"][0];
  EXPECT_EQ(hsm["adapter"]["type"].value_or(std::string()), "usb");
  EXPECT_EQ(hsm["auth"]["key"].value_or(0), 1);
  EXPECT_EQ(hsm["auth"]["password_file"].value_or(std::string()),
            "/home/cosmos/.gaia/secrets/yubihsm-password");
  EXPECT_EQ(hsm["keys"][0]["key"].value_or(0), 1);
  EXPECT_EQ(hsm["keys"][0]["type"].value_or(std::string()), "consensus");
  EXPECT_EQ(hsm["keys"][0]["chain_ids"][0].value_or(std::string()), "cosmoshub-4");
  EXPECT_EQ(hsm["serial_number"].value_or(std::string()), "0123456789");
  EXPECT_FALSE(t["providers"]["softsign"]);
}

TEST(Signer, YubihsmHttpMatchesGolden) {
  Network net = small_network();
  Tmkms tmkms;
  tmkms.provider.value = "yubihsm";
  tmkms.adapter.value = "http";
  tmkms.connector = Located<std::string>{"tcp://127.0.0.1:12345", {}};
  tmkms.auth_key.value = 2;
  tmkms.key.value = 7;
  tmkms.password_file = Located<std::string>{"/etc/tmkms/yubihsm-password", {}};
  net.topology.nodes[1].tmkms = tmkms;
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("tmkms-yubihsm-http.txt", dump(files));
  const toml::table t = toml::parse(files.at(0).content);
  auto hsm = t["providers"]["yubihsm"][0];
  EXPECT_EQ(hsm["adapter"]["type"].value_or(std::string()), "http");
  EXPECT_EQ(hsm["adapter"]["addr"].value_or(std::string()), "tcp://127.0.0.1:12345");
  EXPECT_EQ(hsm["auth"]["key"].value_or(0), 2);
  EXPECT_EQ(hsm["auth"]["password_file"].value_or(std::string()), "/etc/tmkms/yubihsm-password");
  EXPECT_EQ(hsm["keys"][0]["key"].value_or(0), 7);
  EXPECT_FALSE(hsm["serial_number"]);
}

TEST(Signer, LedgerMatchesGolden) {
  Network net = small_network();
  Tmkms tmkms;
  tmkms.provider.value = "ledger";
  net.topology.nodes[1].tmkms = tmkms;
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("tmkms-ledger.txt", dump(files));
  const toml::table t = toml::parse(files.at(0).content);
  EXPECT_EQ(t["providers"]["ledgertm"][0]["chain_ids"][0].value_or(std::string()), "cosmoshub-4");
  EXPECT_FALSE(t["providers"]["softsign"]);
  EXPECT_FALSE(t["providers"]["yubihsm"]);
}

TEST(Signer, OtherChainsUseCosmosJsonKeys) {
  Network net = small_network();
  net.topology.chain.id.value = "testnet-1";
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].content.find("key_format = { type = \"cosmos-json\" }\n"), std::string::npos);
  EXPECT_NO_THROW(toml::parse(files[0].content));
}

TEST(Signer, TunnelAddressWhenBothHostsHaveOne) {
  Network net = small_network();
  net.topology.nodes[1].host.value = "val-1";  // kms beside the validator: both on the tunnel
  net.topology.index_nodes();
  Diagnostics diags;
  RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(), plan_tunnels(net.topology, net.inventory, diags)};
  FileSet files;
  render_signer(ctx, files, diags);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].content.find("addr = \"tcp://" + ctx.tunnels.addresses.at("val-1") + ":26659\"\n"),
            std::string::npos)
      << files[0].content;
}

TEST(Signer, Ipv6ValidatorAddressIsBracketed) {
  Network net = small_network();
  net.inventory.hosts[0].address.value = "2001:db8::10";
  // No tunnel anywhere: the signer dials the validator's inventory address.
  for (auto& l : net.topology.links) l.over.value = LinkKind::private_net;
  net.topology.partners[0].over.value = LinkKind::public_net;
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].content.find("addr = \"tcp://[2001:db8::10]:26659\"\n"), std::string::npos)
      << files[0].content;
}

TEST(Signer, HomeFallsBackToTheUsersTmkmsDirectory) {
  Network net = small_network();
  net.inventory.hosts[1].home.reset();
  Diagnostics diags;
  FileSet files = render_part(net, render_signer, diags);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "/home/cosmos/.tmkms/tmkms.toml");
  EXPECT_NE(files[0].content.find("state_file = \"/home/cosmos/.tmkms/state/cosmoshub-4-consensus.json\""),
            std::string::npos);

  net.inventory.hosts[1].user.reset();
  diags.clear();
  files = render_part(net, render_signer, diags);
  EXPECT_TRUE(files.empty());
  EXPECT_EQ(dump(diags), "");  // check_signer (lint's and render_all's) says why
  const RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(),
                          plan_tunnels(net.topology, net.inventory, diags)};
  check_signer(ctx, diags);
  EXPECT_EQ(dump(diags),
            "schema error topology.yaml:8 kms: signer \"kms\" has no home for tmkms.toml: set `home` on the "
            "node, or `home` or `user` on host \"kms-1\"\n");
}

TEST(Signer, StandbyValidatorsAreNotDialled) {
  Network net = small_network();
  net.topology.nodes[0].standby.value = true;
  Diagnostics diags;
  const FileSet files = render_part(net, render_signer, diags);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].content.find("[[validator]]"), std::string::npos) << files[0].content;
  EXPECT_NE(files[0].content.find("# No active validator names this signer"), std::string::npos);
  EXPECT_NO_THROW(toml::parse(files[0].content));
}

// picket never touches the consensus key or the double-sign state file: none of its host
// files may name them, whatever the kind.
TEST(Signer, NoHostFileNamesTheConsensusKeyFiles) {
  const Network net = small_network();
  for (Part part : {render_wireguard, render_firewall, render_signer, render_monitoring}) {
    Diagnostics diags;
    for (const auto& f : render_part(net, part, diags)) {
      EXPECT_EQ(f.content.find("priv_validator_key"), std::string::npos) << f.host << f.path;
      EXPECT_EQ(f.content.find("priv_validator_state"), std::string::npos) << f.host << f.path;
      EXPECT_EQ(f.path.find("priv_validator"), std::string::npos) << f.path;
    }
  }
}

}  // namespace
}  // namespace picket
