// Issue 10, item 3: CometBFT's start-up checks of config.toml, per line, with the node's own
// messages. tests/lab/startup_test.py shows the real binaries refuse (and accept) the same.
#include "render/startup.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "render/overrides.hpp"
#include "render/settings.hpp"

namespace picket {
namespace {

using K = ConfigValue::Kind;
using Override = std::tuple<std::string, std::string, K, std::string>;

std::string startup(const std::string& line, const std::vector<Override>& overrides) {
  static const auto file = std::make_shared<const std::string>("topology.yaml");
  Node node;
  node.name = {"sentry", {file, 3, 3}};
  node.role = {Role::private_sentry, {}};
  std::uint32_t row = 10;
  for (const auto& [section, key, kind, text] : overrides) {
    ConfigValue v;
    v.kind = kind;
    v.text = text;
    v.loc = {file, row++, 7};
    node.config[section][key] = v;
  }
  const ConfigTable& table = builtin_config_tables().at(line);
  Diagnostics out;
  const auto accepted = check_override_values(node, line, table, out);
  EXPECT_TRUE(out.empty()) << out.front().message;
  check_startup(node, line, table, {}, accepted, out);
  std::string text;
  for (const auto& d : out)
    text += std::to_string(d.location.line) + ": " + d.message + " [" + d.rule + "]\n";
  return text;
}

std::string refusal(const std::string& line, const std::string& error, std::uint32_t row = 10) {
  return std::to_string(row) + ": CometBFT " + line +
         " refuses to start node \"sentry\" with this config.toml: \"error in config file: " + error +
         "\" [schema]\n";
}

const Override k_enable{"statesync", "enable", K::boolean, "true"};
const Override k_two_servers{"statesync", "rpc_servers", K::string, "http://a:26657,http://b:26657"};
const Override k_height{"statesync", "trust_height", K::integer, "5000"};
const Override k_hash{"statesync", "trust_hash", K::string, "0AB1"};

TEST(Startup, DefaultsStartOnEveryLine) {
  for (const auto& line : cometbft_lines()) EXPECT_EQ(startup(line, {}), "") << line;
}

TEST(Startup, StateSyncEnabledNeedsItsKeys) {
  EXPECT_EQ(startup("0.38", {k_enable, k_two_servers, k_height, k_hash}), "");
  EXPECT_EQ(startup("0.38", {k_enable}),
            refusal("0.38", "error in [statesync] section: rpc_servers is required") +
                refusal("0.38", "error in [statesync] section: trusted_height is required") +
                refusal("0.38", "error in [statesync] section: trusted_hash is required"));
  EXPECT_EQ(startup("0.38", {k_enable, {"statesync", "rpc_servers", K::string, "http://a:26657"},
                             k_height, k_hash}),
            refusal("0.38", "error in [statesync] section: at least two rpc_servers entries is required", 11));
  // 1.0 says it in better English.
  EXPECT_EQ(startup("1.0", {k_enable, {"statesync", "rpc_servers", K::array, ""}, k_height, k_hash}),
            refusal("1.0", "error in [statesync] section: rpc_servers is required", 11));
  EXPECT_EQ(startup("0.34", {k_enable, {"statesync", "rpc_servers", K::string, "http://a:26657,"},
                             k_height, k_hash}),
            refusal("0.34", "error in [statesync] section: found empty rpc_servers entry", 11));
  EXPECT_EQ(startup("0.37", {k_enable, k_two_servers, k_height,
                             {"statesync", "trust_hash", K::string, "0xAB"}}),
            refusal("0.37", "error in [statesync] section: invalid trusted_hash: encoding/hex: "
                            "invalid byte: U+0078 'x'", 13));
  EXPECT_EQ(startup("0.38", {k_enable, k_two_servers, k_height, {"statesync", "trust_hash", K::string, "abc"}}),
            refusal("0.38", "error in [statesync] section: invalid trusted_hash: encoding/hex: odd "
                            "length hex string", 13));
}

TEST(Startup, StateSyncTimesAndFetchers) {
  const std::vector<Override> base{k_enable, k_two_servers, k_height, k_hash};
  auto with = [&](Override o) {
    auto v = base;
    v.push_back(std::move(o));
    return v;
  };
  EXPECT_EQ(startup("0.38", with({"statesync", "discovery_time", K::string, "4s"})),
            refusal("0.38", "error in [statesync] section: discovery time must be 0s or greater than five seconds", 14));
  EXPECT_EQ(startup("1.0", with({"statesync", "discovery_time", K::string, "4s"})),
            refusal("1.0", "error in [statesync] section: snapshot discovery time must be at least five seconds", 14));
  EXPECT_EQ(startup("0.38", with({"statesync", "discovery_time", K::string, "0s"})), "");
  EXPECT_EQ(startup("0.34", with({"statesync", "chunk_request_timeout", K::string, "4999ms"})),
            refusal("0.34", "error in [statesync] section: chunk_request_timeout must be at least 5 seconds", 14));
  EXPECT_EQ(startup("1.0", with({"statesync", "chunk_request_timeout", K::string, "1s"})),
            refusal("1.0", "error in [statesync] section: timeout for re-requesting a chunk "
                           "(chunk_request_timeout) is less than 5 seconds", 14));
  EXPECT_EQ(startup("0.37", with({"statesync", "chunk_fetchers", K::integer, "0"})),
            refusal("0.37", "error in [statesync] section: chunk_fetchers is required", 14));
  EXPECT_EQ(startup("0.38", with({"statesync", "max_snapshot_chunks", K::integer, "0"})),
            refusal("0.38", "error in [statesync] section: max_snapshot_chunks is required", 14));
  // Without enable, nothing of [statesync] is checked.
  EXPECT_EQ(startup("0.38", {{"statesync", "chunk_fetchers", K::integer, "0"}}), "");
}

TEST(Startup, RpcSubscriptionBuffers) {
  for (const auto& line : cometbft_lines()) {
    EXPECT_EQ(startup(line, {{"rpc", "experimental_subscription_buffer_size", K::integer, "99"}}),
              refusal(line, "error in [rpc] section: experimental_subscription_buffer_size must be >= 100"))
        << line;
    EXPECT_EQ(startup(line, {{"rpc", "experimental_subscription_buffer_size", K::integer, "300"}}),
              refusal(line, "error in [rpc] section: experimental_websocket_write_buffer_size must "
                            "be >= experimental_subscription_buffer_size (300)"))
        << line;
    EXPECT_EQ(startup(line, {{"rpc", "experimental_subscription_buffer_size", K::integer, "300"},
                             {"rpc", "experimental_websocket_write_buffer_size", K::integer, "300"}}),
              "")
        << line;
  }
}

TEST(Startup, BlockSyncVersionAndNopMempool) {
  EXPECT_EQ(startup("0.34", {{"fastsync", "version", K::string, "v2"}}), "");
  EXPECT_EQ(startup("0.34", {{"fastsync", "version", K::string, "v3"}}),
            refusal("0.34", "error in [fastsync] section: unknown fastsync version v3"));
  EXPECT_EQ(startup("0.37", {{"blocksync", "version", K::string, "v1"}}),
            refusal("0.37", "error in [blocksync] section: blocksync version v1 has been deprecated. "
                            "Please use v0 instead"));
  EXPECT_EQ(startup("1.0", {{"blocksync", "version", K::string, "v2"}}),
            refusal("1.0", "error in [blocksync] section: blocksync version v2 has been deprecated. "
                           "Please use [v0] instead"));
  EXPECT_EQ(startup("0.38", {{"blocksync", "version", K::string, "v9"}}),
            refusal("0.38", "error in [blocksync] section: unknown blocksync version v9"));
  for (const std::string line : {"0.37", "0.38", "1.0"}) {
    EXPECT_EQ(startup(line, {{"mempool", "type", K::string, "nop"},
                             {"consensus", "create_empty_blocks", K::boolean, "false"}}),
              refusal(line, "`nop` mempool does not support create_empty_blocks = false", 11))
        << line;
    EXPECT_EQ(startup(line, {{"mempool", "type", K::string, "nop"}}), "") << line;
  }
}

TEST(Startup, OnlyOnOneZero) {
  EXPECT_EQ(startup("1.0", {{"mempool", "size", K::integer, "0"}}),
            refusal("1.0", "error in [mempool] section: size must be positive"));
  EXPECT_EQ(startup("0.38", {{"mempool", "size", K::integer, "0"}}), "");
  EXPECT_EQ(startup("1.0", {{"mempool", "type", K::string, "nop"}, {"mempool", "size", K::integer, "0"}}), "");
  EXPECT_EQ(startup("1.0", {{"grpc", "laddr", K::string, "0.0.0.0:26090"}}),
            refusal("1.0", "error in [grpc] section: invalid listening address 0.0.0.0:26090 (use "
                           "fully formed addresses, including the tcp:// or unix:// prefix)"));
  EXPECT_EQ(startup("1.0", {{"grpc", "laddr", K::string, "tcp://127.0.0.1:26090"}}), "");
  EXPECT_EQ(startup("1.0", {{"storage", "experimental_db_key_layout", K::string, "v3"}}),
            refusal("1.0", "error in [storage] section: unsupported version of DB Key layout, "
                           "expected v1 or v2, got v3"));
  EXPECT_EQ(startup("1.0", {{"", "version", K::string, "1.0"}}),
            "10: CometBFT 1.0 refuses to start node \"sentry\" with this config.toml: \"error in "
            "config file: invalid version string: 1.0\"; write MAJOR.MINOR.PATCH, such as "
            "\"1.0.0\" [schema]\n");
}

TEST(Startup, GoDurations) {
  EXPECT_EQ(parse_go_duration("1h2m3.5s"), 3723.5);
  EXPECT_EQ(parse_go_duration("4999ms"), 4.999);
  EXPECT_EQ(parse_go_duration("-1s"), -1.0);
  EXPECT_EQ(parse_go_duration("0"), 0.0);
  EXPECT_EQ(parse_go_duration("5"), std::nullopt);
  EXPECT_EQ(parse_go_duration("1x"), std::nullopt);
}

}  // namespace
}  // namespace picket
