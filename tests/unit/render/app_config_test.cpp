#include "render/app_config.hpp"
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "render/checks.hpp"
#include "render/render.hpp"
#include "render/settings.hpp"
#include "tests/unit/render/golden_file.hpp"
#include "tests/unit/render/network_builder.hpp"
#include "topology/base_file.hpp"

namespace picket {
namespace {

using test_support::diagnostics_text;
using test_support::NetworkBuilder;

using golden::expect_golden;
using golden::read_file;
using golden::source_path;

using golden::parse_flat;

// A validator behind a private and a public sentry, on the SDK line `sdk`.
NetworkBuilder app_network(const std::string& sdk) {
  NetworkBuilder b(sdk_cometbft_line(sdk), "testnet-1");
  b.topology().chain.sdk = Located<std::string>{sdk, {}};
  b.host("val-1", "198.51.100.10", "/home/cosmos/.gaia");
  b.host("priv-1", "198.51.100.20", "/home/cosmos/.gaia");
  b.host("pub-1", "203.0.113.30", "/home/cosmos/.gaia");
  b.node("validator", Role::validator, "val-1");
  b.node("priv-a", Role::private_sentry, "priv-1");
  b.node("pub-a", Role::public_sentry, "pub-1");
  b.link("validator", "priv-a", LinkKind::private_net);
  b.link("priv-a", "pub-a", LinkKind::private_net);
  b.key("validator", 0x00);
  b.key("priv-a", 0x0a);
  b.key("pub-a", 0x1a);
  return b;
}

// Adds an `app:` override (the builder's override_value writes `config:`).
ConfigValue& app_value(NetworkBuilder& b, const std::string& node, const std::string& section,
                       const std::string& key, ConfigValue::Kind kind, const std::string& text) {
  ConfigValue& v = b.override_value(node, section, key, kind, text);
  ConfigValue copy = v;
  Node* n = b.find(node);
  n->config[section].erase(key);
  if (n->config[section].empty()) n->config.erase(section);
  return n->app[section][key] = copy;
}

void set_base_app(NetworkBuilder& b, const std::string& text, Diagnostics& out) {
  b.topology().chain.base_app = BaseFile{{"base/app.toml", {}}, {}, {}, {}, false};
  parse_base_file(SourceText{"base/app.toml", text}, "base_app", *b.topology().chain.base_app, out);
}

struct Result {
  FileSet files;
  Diagnostics diagnostics;
};

// check_app then render_app_configs, as render_all runs them.
Result render(NetworkBuilder& b) {
  Result r;
  TunnelPlan tunnels = plan_tunnels(b.topology(), b.inventory(), r.diagnostics);
  RenderContext ctx{b.topology(), b.inventory(), b.secrets(), builtin_templates(), tunnels};
  check_app(ctx, r.diagnostics);
  if (has_errors(r.diagnostics)) return r;
  render_app_configs(ctx, r.files, r.diagnostics);
  sort_files(r.files);
  return r;
}

const RenderedFile* app_of(const FileSet& files, const std::string& node) {
  for (const auto& f : files)
    if (f.node == node && f.path.size() > 9 && f.path.substr(f.path.size() - 9) == "/app.toml") return &f;
  return nullptr;
}

TEST(AppConfig, EveryLinesListParsesAndEveryFileHasExactlyItsKeys) {
  for (const auto& sdk : sdk_lines()) {
    SCOPED_TRACE(sdk);
    ASSERT_EQ(builtin_app_tables().count(sdk), 1u);
    const ConfigTable& table = builtin_app_tables().at(sdk);
    NetworkBuilder b = app_network(sdk);
    app_value(b, "validator", "", "minimum-gas-prices", ConfigValue::Kind::string, "0.005uatom");
    app_value(b, "priv-a", "", "minimum-gas-prices", ConfigValue::Kind::string, "0.005uatom");
    app_value(b, "pub-a", "", "minimum-gas-prices", ConfigValue::Kind::string, "0.005uatom");
    const Result r = render(b);
    ASSERT_EQ(diagnostics_text(r.diagnostics), "");
    ASSERT_EQ(r.files.size(), 3u);
    for (const auto& f : r.files) {
      EXPECT_EQ(f.mode, 0644u);
      EXPECT_EQ(f.action, ApplyAction::restart_node);
      EXPECT_EQ(f.path, "/home/cosmos/.gaia/config/app.toml");
      const auto flat = parse_flat(f.content, f.node);
      EXPECT_EQ(flat.size(), table.keys().size());
      for (const auto& key : table.keys()) EXPECT_EQ(flat.count(key.path), 1u) << key.path;
    }
  }
}

TEST(AppConfig, PerRoleSettings) {
  NetworkBuilder b = app_network("0.47");
  Diagnostics d;
  set_base_app(b, "minimum-gas-prices = \"0.005uatom\"\n[api]\naddress = \"tcp://0.0.0.0:1317\"\n", d);
  ASSERT_EQ(diagnostics_text(d), "");
  const Result r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  const auto val = parse_flat(app_of(r.files, "validator")->content, "validator");
  EXPECT_EQ(val.at("minimum-gas-prices"), "'0.005uatom'");
  EXPECT_EQ(val.at("api.address"), "'tcp://127.0.0.1:1317'");
  EXPECT_EQ(val.at("grpc.address"), "'127.0.0.1:9090'");
  EXPECT_EQ(val.at("grpc-web.address"), "'127.0.0.1:9091'");
  EXPECT_EQ(val.at("state-sync.snapshot-interval"), "0");
  EXPECT_EQ(val.at("pruning"), "'default'");
  for (const char* sentry : {"priv-a", "pub-a"}) {
    const auto s = parse_flat(app_of(r.files, sentry)->content, sentry);
    EXPECT_EQ(s.at("pruning"), "'custom'");
    EXPECT_EQ(s.at("pruning-keep-recent"), "'100'");
    EXPECT_EQ(s.at("pruning-interval"), "'10'");
    EXPECT_EQ(s.at("state-sync.snapshot-interval"), "1000");
    EXPECT_EQ(s.at("state-sync.snapshot-keep-recent"), "2");
    EXPECT_EQ(s.at("api.address"), "'tcp://127.0.0.1:1317'");
  }
}

TEST(AppConfig, GoldenWithBaseAndOverrides) {
  NetworkBuilder b = app_network("0.50");
  Diagnostics d;
  set_base_app(b,
               "minimum-gas-prices = \"0.005uatom\"\npruning = \"nothing\"\n"
               "[telemetry]\nglobal-labels = [[\"chain_id\", \"testnet-1\"]]\n"
               "[grpc]\nmax-recv-msg-size = \"20971520\"\n"
               "[wasm]\nquery_gas_limit = 300000\nmemory_cache_size = 100.5\n",
               d);
  ASSERT_EQ(diagnostics_text(d), "");
  app_value(b, "pub-a", "api", "enable", ConfigValue::Kind::boolean, "true");
  app_value(b, "pub-a", "api", "address", ConfigValue::Kind::string, "tcp://0.0.0.0:1317");
  app_value(b, "pub-a", "wasm", "query_gas_limit", ConfigValue::Kind::integer, "500000");
  app_value(b, "priv-a", "", "pruning-keep-recent", ConfigValue::Kind::integer, "362880");
  const Result r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  std::string all;
  for (const auto& f : r.files) {
    parse_flat(f.content, f.node);
    all += "==> " + f.host + ":" + f.path + "\n" + f.content;
  }
  expect_golden("app-0.50.txt", all);
}

TEST(AppConfig, OverridesAreCheckedLikeConfigOverrides) {
  NetworkBuilder b = app_network("0.50");
  Diagnostics d;
  set_base_app(b, "minimum-gas-prices = \"0.005uatom\"\n[wasm]\nmemory_cache_size = 100.5\n", d);
  const std::uint32_t line = b.next_line();
  app_value(b, "validator", "api", "enabel", ConfigValue::Kind::boolean, "true");
  app_value(b, "validator", "grpc", "address", ConfigValue::Kind::string, "0.0.0.0:9090");
  app_value(b, "priv-a", "state-sync", "snapshot-interval", ConfigValue::Kind::string, "often");
  app_value(b, "priv-a", "", "pruning", ConfigValue::Kind::string, "everything");
  app_value(b, "pub-a", "wasm", "memory_cache_size", ConfigValue::Kind::integer, "5");
  app_value(b, "pub-a", "grpcweb", "enable", ConfigValue::Kind::boolean, "false");
  app_value(b, "pub-a", "", "minimum-gas-prices", ConfigValue::Kind::string, "");
  const Result r = render(b);
  const auto at = [&](std::uint32_t n) { return "topology.yaml:" + std::to_string(line + n) + ":7: error: "; };
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            at(0) + "app.toml of Cosmos SDK 0.50 has no key \"enabel\" in [api]; did you mean \"enable\"? "
                    "(the app ignores unknown keys without a word) [schema] {validator}\n" +
            at(1) + "override of grpc.address on \"validator\" exposes the validator's gRPC at "
                    "\"0.0.0.0:9090\": a validator's API and gRPC must listen on the loopback (or a unix "
                    "socket) [override-conflict] {validator}\n" +
            at(2) + "state-sync.snapshot-interval must be an integer, not the string \"often\" [schema] {priv-a}\n" +
            at(3) + "Cosmos SDK 0.50 refuses to start node \"priv-a\" with this app.toml: \"cannot enable "
                    "state sync snapshots with 'everything' pruning setting: error in app.toml\" [schema] {priv-a}\n" +
            at(5) + "app.toml of Cosmos SDK 0.50 has no section [grpcweb]; did you mean [grpc-web]? (the app "
                    "ignores unknown keys without a word) [schema] {pub-a}\n" +
            at(4) + "wasm.memory_cache_size holds a value picket carries from the base file as written; "
                    "change it there [schema] {pub-a}\n" +
            at(6) + "Cosmos SDK 0.50 refuses to start node \"pub-a\" with this app.toml: \"set min gas "
                    "price in app.toml or flag or env variable: error in app.toml\" [schema] {pub-a}\n");
  EXPECT_TRUE(r.files.empty());
}

// The SDK's start-up reading of pruning and minimum-gas-prices (server.GetPruningOptionsFromFlags,
// baseapp.SetMinGasPrices), message for message; lab_sdk_app holds them against the SDK itself.
TEST(AppConfig, PruningAndGasPricesTheSdkRefusesAtStart) {
  NetworkBuilder b = app_network("0.46");
  Diagnostics d;
  set_base_app(b, "minimum-gas-prices = \"0.1uatom,0.2uatom\"\npruning-interval = \"5\"\n", d);
  ASSERT_EQ(diagnostics_text(d), "");
  const std::uint32_t line = b.next_line();
  app_value(b, "validator", "", "pruning", ConfigValue::Kind::string, "Custom");
  app_value(b, "validator", "", "minimum-gas-prices", ConfigValue::Kind::string, "0.025uatom;0.1stake");
  app_value(b, "priv-a", "", "pruning-keep-recent", ConfigValue::Kind::string, "1");
  app_value(b, "priv-a", "", "pruning-interval", ConfigValue::Kind::string, "10");
  app_value(b, "priv-a", "", "minimum-gas-prices", ConfigValue::Kind::string, "1" + std::string(80, '0') + "uatom");
  app_value(b, "pub-a", "", "pruning", ConfigValue::Kind::string, "sometimes");
  const Result r = render(b);
  const auto at = [&](std::uint32_t n) { return "topology.yaml:" + std::to_string(line + n) + ":7: error: "; };
  const std::string refuses = "Cosmos SDK 0.46 refuses to start node ";
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            at(0) + refuses + "\"validator\" with this app.toml: \"invalid custom pruning options: 'pruning-interval' "
                    "must not be less than 10. For the most aggressive pruning, select pruning = \"everything\"\" "
                    "[schema] {validator}\n" +
            at(1) + refuses + "\"validator\" with this app.toml: \"invalid minimum gas prices: invalid decimal coin "
                    "expression: 0.025uatom;0.1stake\" [schema] {validator}\n" +
            at(2) + refuses + "\"priv-a\" with this app.toml: \"invalid custom pruning options: 'pruning-keep-recent' "
                    "must not be less than 2. For the most aggressive pruning, select pruning = \"everything\"\" "
                    "[schema] {priv-a}\n" +
            at(4) + refuses + "\"priv-a\" with this app.toml: \"invalid minimum gas prices: failed to parse decimal "
                    "coin amount: 1" + std::string(80, '0') + ": decimal '1" + std::string(80, '0') +
                    "' out of range; bitLen: got 326, max 315\" [schema] {priv-a}\n" +
            at(5) + refuses + "\"pub-a\" with this app.toml: \"unknown pruning strategy sometimes\" [schema] {pub-a}\n"
            "base/app.toml:1:22: error: Cosmos SDK 0.46 refuses to start node \"pub-a\" with chain.base_app's "
            "minimum-gas-prices: \"invalid minimum gas prices: duplicate denomination uatom\" [schema] {chain, pub-a}\n");
  EXPECT_TRUE(r.files.empty());
}

TEST(AppConfig, ValidatorMayListenOnItsTunnelAddress) {
  NetworkBuilder b = app_network("0.50");
  b.vpn("10.44.0.0/24");
  b.link("validator", "pub-a");  // over vpn: the validator's host gets a tunnel address
  Diagnostics tunnel_problems;
  const TunnelPlan tunnels = plan_tunnels(b.topology(), b.inventory(), tunnel_problems);
  const std::string address = tunnels.addresses.at("val-1");
  app_value(b, "validator", "", "minimum-gas-prices", ConfigValue::Kind::string, "1uatom");
  app_value(b, "priv-a", "", "minimum-gas-prices", ConfigValue::Kind::string, "1uatom");
  app_value(b, "pub-a", "", "minimum-gas-prices", ConfigValue::Kind::string, "1uatom");
  app_value(b, "validator", "grpc", "address", ConfigValue::Kind::string, address + ":9090");
  app_value(b, "validator", "api", "address", ConfigValue::Kind::string, "unix:///run/gaia/api.sock");
  const Result r = render(b);
  ASSERT_EQ(diagnostics_text(r.diagnostics), "");
  const auto val = parse_flat(app_of(r.files, "validator")->content, "validator");
  EXPECT_EQ(val.at("grpc.address"), "'" + address + ":9090'");
  EXPECT_EQ(val.at("api.address"), "'unix:///run/gaia/api.sock'");
}

TEST(AppConfig, EmptyGasPriceOfTheDefaultIsOneFinding) {
  NetworkBuilder b = app_network("0.50");
  b.topology().chain.sdk->loc = Location{std::make_shared<const std::string>("topology.yaml"), 4, 8};
  const Result r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "topology.yaml:4:8: error: Cosmos SDK 0.50 refuses to start 3 nodes \"validator\", "
            "\"priv-a\", \"pub-a\" with an empty minimum-gas-prices (\"set min gas price in app.toml "
            "or flag or env variable: error in app.toml\"), the SDK's default (chain.base_app does not set it): set it "
            "in chain.base_app, or per node under app: [schema] {chain, validator, priv-a, pub-a}\n");
}

TEST(AppConfig, BaseValuesOfTheWrongTypeAreReportedInTheBase) {
  NetworkBuilder b = app_network("0.50");
  Diagnostics d;
  set_base_app(b, "minimum-gas-prices = \"1uatom\"\nhalt-height = \"soon\"\n[api]\nenable = 1\n", d);
  ASSERT_EQ(diagnostics_text(d), "");
  const Result r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "base/app.toml:2:15: error: halt-height must be an integer, not the string \"soon\" [schema] {chain}\n"
            "base/app.toml:4:10: error: api.enable must be a boolean (true or false), not the integer 1 "
            "[schema] {chain}\n");
}

TEST(AppConfig, NoAppTomlWithoutSdkOrBase) {
  NetworkBuilder b = app_network("0.50");
  b.topology().chain.sdk.reset();
  Result r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics), "");
  EXPECT_TRUE(r.files.empty());
  const std::uint32_t line = b.next_line();
  app_value(b, "pub-a", "api", "enable", ConfigValue::Kind::boolean, "true");
  r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "topology.yaml:" + std::to_string(line) +
                ":7: error: node \"pub-a\" has app: overrides, but the chain renders no app.toml: set "
                "chain.sdk (or chain.base_app) to have picket manage it [schema] {pub-a}\n");
}

TEST(AppConfig, BaseAppOnCometBft10HasNoSdkLine) {
  NetworkBuilder b("1.0", "testnet-1");
  b.host("val-1", "198.51.100.10", "/home/cosmos/.gaia");
  b.node("validator", Role::validator, "val-1");
  Diagnostics d;
  set_base_app(b, "minimum-gas-prices = \"1uatom\"\n", d);
  b.topology().chain.base_app->path.loc = Location{std::make_shared<const std::string>("topology.yaml"), 5, 13};
  const Result r = render(b);
  EXPECT_EQ(diagnostics_text(r.diagnostics),
            "topology.yaml:5:13: error: no Cosmos SDK line picket knows runs on CometBFT 1.0 (it renders "
            "app.toml for SDK 0.46, 0.47, 0.50, 0.53): app.toml cannot be rendered [schema] {chain}\n");
}

}  // namespace
}  // namespace picket
