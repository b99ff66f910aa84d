#pragma once
// Node keys (ed25519, CometBFT node_key.json) and WireGuard keys (X25519). Pure: key
// material comes in as bytes (the CLI draws randomness), text goes out.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace picket {

using Bytes32 = std::array<std::uint8_t, 32>;

/// A CometBFT node key: the ed25519 seed and its public key.
struct NodeKey {
  Bytes32 seed{};
  Bytes32 public_key{};
};

/// Derives the key pair from a 32-byte seed.
NodeKey node_key_from_seed(const Bytes32& seed);
/// Node ID: lower-case hex of the first 20 bytes of SHA-256(public key).
std::string node_id(const NodeKey& key);
/// Compact node_key.json: {"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"…"}}.
std::string node_key_json(const NodeKey& key);
/// Reads node_key.json; nullopt (with a reason in `error`) when malformed or when the stored
/// public half does not match the seed.
std::optional<NodeKey> parse_node_key_json(const std::string& text, std::string& error);

/// A WireGuard key pair (X25519, private key clamped as wg(8) does).
struct WireguardKey {
  Bytes32 private_key{};
  Bytes32 public_key{};
};

/// Derives the pair from 32 random bytes (clamped).
WireguardKey wireguard_key_from_private(const Bytes32& private_key);
/// Standard base64 of 32 bytes (44 characters, as `wg genkey` prints).
std::string base64_key(const Bytes32& key);
/// Parses a base64 32-byte key (surrounding whitespace allowed); nullopt if malformed.
std::optional<Bytes32> parse_base64_key(const std::string& text);

}  // namespace picket
