#include "render/keys.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

// Test vectors of shared/facts/cometbft/README.md (checked against CometBFT p2p/key.go).
constexpr const char* k_zero_value =
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1naKQ==";
constexpr const char* k_counting_value =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==";

Bytes32 counting_bytes(std::uint8_t first) {
  Bytes32 b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

std::string json_with_value(const std::string& value) {
  return R"({"priv_key":{"type":"tendermint/PrivKeyEd25519","value":")" + value + R"("}})";
}

// Parses text expected to be rejected and returns the reason.
std::string rejection(const std::string& text) {
  std::string error;
  auto key = parse_node_key_json(text, error);
  EXPECT_FALSE(key.has_value()) << text;
  return error;
}

TEST(NodeKey, ZeroSeedMatchesCometbftVector) {
  const NodeKey key = node_key_from_seed(Bytes32{});
  EXPECT_EQ(node_id(key), "139e3940e64b5491722088d9a0d741628fc826e0");
  EXPECT_EQ(node_key_json(key), json_with_value(k_zero_value));
}

TEST(NodeKey, CountingSeedMatchesCometbftVector) {
  const NodeKey key = node_key_from_seed(counting_bytes(0));
  EXPECT_EQ(node_id(key), "56475aa75463474c0285df5dbf2bcab73da65135");
  EXPECT_EQ(node_key_json(key), json_with_value(k_counting_value));
}

TEST(NodeKey, JsonIsCompactWithoutTrailingNewline) {
  EXPECT_EQ(node_key_json(node_key_from_seed(Bytes32{})),
            "{\"priv_key\":{\"type\":\"tendermint/PrivKeyEd25519\",\"value\":"
            "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1na"
            "KQ==\"}}");
}

TEST(NodeKey, ParseRoundTrips) {
  for (const std::uint8_t first :
       {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{7}, std::uint8_t{200}}) {
    const NodeKey key = node_key_from_seed(counting_bytes(first));
    std::string error;
    auto parsed = parse_node_key_json(node_key_json(key), error);
    ASSERT_TRUE(parsed.has_value()) << error;
    EXPECT_EQ(parsed->seed, key.seed);
    EXPECT_EQ(parsed->public_key, key.public_key);
    EXPECT_EQ(node_id(*parsed), node_id(key));
    EXPECT_EQ(error, "");
  }
}

TEST(NodeKey, ParseAcceptsWhitespaceAndMemberOrder) {
  std::string error;
  auto key = parse_node_key_json("{\n  \"priv_key\": {\n    \"value\": \"" +
                                     std::string(k_counting_value) +
                                     "\",\n    \"type\": \"tendermint/PrivKeyEd25519\"\n  }\n}\n",
                                 error);
  ASSERT_TRUE(key.has_value()) << error;
  EXPECT_EQ(node_id(*key), "56475aa75463474c0285df5dbf2bcab73da65135");
}

TEST(NodeKey, ParseRejectsInvalidJson) {
  EXPECT_EQ(rejection(""), "not valid JSON");
  EXPECT_EQ(rejection("{\"priv_key\":"), "not valid JSON");
  EXPECT_EQ(rejection(json_with_value(k_zero_value) + "}"), "not valid JSON");
}

TEST(NodeKey, ParseRejectsWrongShape) {
  EXPECT_EQ(rejection("[]"), "expected an object with a \"priv_key\" member");
  EXPECT_EQ(rejection("{}"), "expected an object with a \"priv_key\" member");
  EXPECT_EQ(rejection("\"priv_key\""), "expected an object with a \"priv_key\" member");
  EXPECT_EQ(rejection(R"({"priv_key":"x"})"), "\"priv_key\" is not an object");
  EXPECT_EQ(rejection(R"({"priv_key":{"type":"tendermint/PrivKeyEd25519","value":")" +
                      std::string(k_zero_value) + R"("},"pub_key":1})"),
            "unexpected member \"pub_key\" (only \"priv_key\" is allowed)");
  EXPECT_EQ(rejection(R"({"priv_key":{"type":"tendermint/PrivKeyEd25519","value":")" +
                      std::string(k_zero_value) + R"(","extra":true}})"),
            "unexpected member \"priv_key.extra\"");
}

TEST(NodeKey, ParseRejectsWrongType) {
  EXPECT_EQ(rejection(R"({"priv_key":{"value":"x"}})"),
            "\"priv_key.type\" is missing or not a string");
  EXPECT_EQ(rejection(R"({"priv_key":{"type":5,"value":"x"}})"),
            "\"priv_key.type\" is missing or not a string");
  EXPECT_EQ(rejection(R"({"priv_key":{"type":"tendermint/PrivKeySecp256k1","value":")" +
                      std::string(k_zero_value) + R"("}})"),
            "\"priv_key.type\" is \"tendermint/PrivKeySecp256k1\", expected "
            "\"tendermint/PrivKeyEd25519\"");
}

TEST(NodeKey, ParseRejectsBadValue) {
  EXPECT_EQ(rejection(R"({"priv_key":{"type":"tendermint/PrivKeyEd25519"}})"),
            "\"priv_key.value\" is missing or not a string");
  EXPECT_EQ(rejection(R"({"priv_key":{"type":"tendermint/PrivKeyEd25519","value":null}})"),
            "\"priv_key.value\" is missing or not a string");
  // Not base64: a stray character, URL-safe alphabet, missing padding, inner whitespace.
  const std::string v = k_counting_value;
  EXPECT_EQ(rejection(json_with_value("*" + v.substr(1))),
            "\"priv_key.value\" is not valid base64");
  EXPECT_EQ(rejection(json_with_value("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe_"
                                      "884Qvh1w3RjnS8CZZ-TWMJulDV8d3IZkElUxuA==")),
            "\"priv_key.value\" is not valid base64");
  EXPECT_EQ(rejection(json_with_value(v.substr(0, v.size() - 2))),
            "\"priv_key.value\" is not valid base64");
  EXPECT_EQ(rejection(json_with_value(v.substr(0, 40) + " " + v.substr(40))),
            "\"priv_key.value\" is not valid base64");
  // Valid base64 of the wrong length.
  EXPECT_EQ(
      rejection(json_with_value("")),
      "\"priv_key.value\" holds 0 bytes, expected 64 (32-byte seed, then 32-byte public key)");
  EXPECT_EQ(
      rejection(json_with_value(
          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
      "\"priv_key.value\" holds 63 bytes, expected 64 (32-byte seed, then 32-byte public key)");
  EXPECT_EQ(
      rejection(json_with_value("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                "AAAAAAAAAAAAAAAAAAAAA=")),
      "\"priv_key.value\" holds 65 bytes, expected 64 (32-byte seed, then 32-byte public key)");
}

TEST(NodeKey, ParseRejectsPublicHalfThatDoesNotMatchSeed) {
  // Zero seed followed by the public key of the counting seed (computed with Python's
  // base64 from the two facts vectors).
  EXPECT_EQ(rejection(json_with_value("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADoQe/"
                                      "884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==")),
            "the public key stored in \"priv_key.value\" (bytes 32..63) is not the one its seed "
            "(bytes 0..31) derives: the seed gives node ID "
            "139e3940e64b5491722088d9a0d741628fc826e0, the stored public key gives "
            "56475aa75463474c0285df5dbf2bcab73da65135");
}

// Expected public keys obtained with wireguard-tools:
//   echo AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA= | wg pubkey
//     -> B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw=
//   echo //////////////////////////////////////////8= | wg pubkey
//     -> hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=
// The clamped private keys were computed with Python (k[0] &= 248; k[31] &= 127; k[31] |= 64).
TEST(WireguardKey, MatchesWgPubkey) {
  const WireguardKey key = wireguard_key_from_private(counting_bytes(1));
  EXPECT_EQ(base64_key(key.public_key), "B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw=");
  EXPECT_EQ(base64_key(key.private_key), "AAIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH2A=");

  Bytes32 ones{};
  ones.fill(0xff);
  const WireguardKey other = wireguard_key_from_private(ones);
  EXPECT_EQ(base64_key(other.public_key), "hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=");
  EXPECT_EQ(base64_key(other.private_key), "+P///////////////////////////////////////38=");
}

TEST(WireguardKey, ClampingIsIdempotent) {
  const WireguardKey once = wireguard_key_from_private(counting_bytes(1));
  const WireguardKey twice = wireguard_key_from_private(once.private_key);
  EXPECT_EQ(twice.private_key, once.private_key);
  EXPECT_EQ(twice.public_key, once.public_key);
}

TEST(Base64Key, EncodesLikeWgGenkey) {
  EXPECT_EQ(base64_key(Bytes32{}), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_EQ(base64_key(counting_bytes(1)), "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=");
}

TEST(Base64Key, ParseRoundTripsAndTrimsWhitespace) {
  const Bytes32 key = counting_bytes(1);
  EXPECT_EQ(parse_base64_key(base64_key(key)), key);
  EXPECT_EQ(parse_base64_key(base64_key(key) + "\n"), key);
  EXPECT_EQ(parse_base64_key(" \t" + base64_key(key) + "\r\n"), key);
}

TEST(Base64Key, ParseRejectsMalformed) {
  EXPECT_EQ(parse_base64_key(""), std::nullopt);
  EXPECT_EQ(parse_base64_key(" \n"), std::nullopt);
  // Missing padding, a bad character, URL-safe alphabet, inner whitespace.
  EXPECT_EQ(parse_base64_key("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA"), std::nullopt);
  EXPECT_EQ(parse_base64_key("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHy*="), std::nullopt);
  EXPECT_EQ(parse_base64_key("__________________________________________8="), std::nullopt);
  EXPECT_EQ(parse_base64_key("AQIDBAUGBwgJCgsMDQ4P EBESExQVFhcYGRobHB0eHyA="), std::nullopt);
  // Valid base64 of 31 and 33 bytes.
  EXPECT_EQ(parse_base64_key("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw=="), std::nullopt);
  EXPECT_EQ(parse_base64_key("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh"), std::nullopt);
  // Two keys on two lines are not one key.
  EXPECT_EQ(parse_base64_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            std::nullopt);
}

}  // namespace
}  // namespace picket
