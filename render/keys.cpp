// Node keys and WireGuard keys with libsodium. Everything here is deterministic: the seed or
// private key comes in as bytes, so the same input always gives the same text, and tests
// can use fixed vectors. sodium_init() runs once, lazily, behind a function-local static
// (thread-safe in C++11 and later); libsodium itself makes repeated calls harmless.
#include "render/keys.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "util/base64.hpp"

namespace picket {

namespace {

constexpr std::string_view k_node_key_type = "tendermint/PrivKeyEd25519";
constexpr std::size_t k_node_id_bytes = 20;

void ensure_sodium() {
  // sodium_init fails only when the library cannot pick its implementations; the primitives
  // used here are deterministic and work regardless, so the result is not acted upon.
  static const int k_initialised = sodium_init();
  (void)k_initialised;
}

std::string id_of_public_key(const Bytes32& public_key) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, public_key.data(), public_key.size());
  char hex[k_node_id_bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, k_node_id_bytes);  // lower case, as peers compare
  return std::string(hex, k_node_id_bytes * 2);
}

}  // namespace

NodeKey node_key_from_seed(const Bytes32& seed) {
  ensure_sodium();
  NodeKey key;
  key.seed = seed;
  unsigned char secret[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(key.public_key.data(), secret, seed.data());
  sodium_memzero(secret, sizeof secret);
  return key;
}

std::string node_id(const NodeKey& key) { return id_of_public_key(key.public_key); }

std::string node_key_json(const NodeKey& key) {
  // Written by hand rather than by a JSON library: the exact bytes CometBFT writes
  // (compact, this key order, no trailing newline) keep re-renders byte-identical.
  unsigned char both[64];
  std::copy(key.seed.begin(), key.seed.end(), both);
  std::copy(key.public_key.begin(), key.public_key.end(), both + 32);
  std::string value = base64_encode({reinterpret_cast<const char*>(both), sizeof both});
  sodium_memzero(both, sizeof both);
  return std::string(R"({"priv_key":{"type":")") + std::string(k_node_key_type) +
         R"(","value":")" + value + R"("}})";
}

std::optional<NodeKey> parse_node_key_json(const std::string& text, std::string& error) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = "not valid JSON";
    return std::nullopt;
  }
  if (!doc.is_object() || !doc.contains("priv_key")) {
    error = "expected an object with a \"priv_key\" member";
    return std::nullopt;
  }
  for (const auto& [name, unused] : doc.items())
    if (name != "priv_key") {
      error = "unexpected member \"" + name + "\" (only \"priv_key\" is allowed)";
      return std::nullopt;
    }
  const nlohmann::json& priv = doc["priv_key"];
  if (!priv.is_object()) {
    error = "\"priv_key\" is not an object";
    return std::nullopt;
  }
  for (const auto& [name, unused] : priv.items())
    if (name != "type" && name != "value") {
      error = "unexpected member \"priv_key." + name + "\"";
      return std::nullopt;
    }
  if (!priv.contains("type") || !priv["type"].is_string()) {
    error = "\"priv_key.type\" is missing or not a string";
    return std::nullopt;
  }
  const auto& type = priv["type"].get_ref<const std::string&>();
  if (type != k_node_key_type) {
    error = "\"priv_key.type\" is \"" + type + "\", expected \"" + std::string(k_node_key_type) +
            "\"";
    return std::nullopt;
  }
  if (!priv.contains("value") || !priv["value"].is_string()) {
    error = "\"priv_key.value\" is missing or not a string";
    return std::nullopt;
  }
  auto bytes = base64_decode(priv["value"].get_ref<const std::string&>());
  if (!bytes) {
    error = "\"priv_key.value\" is not valid base64";
    return std::nullopt;
  }
  if (bytes->size() != 64) {
    error = "\"priv_key.value\" holds " + std::to_string(bytes->size()) +
            " bytes, expected 64 (32-byte seed, then 32-byte public key)";
    sodium_memzero(bytes->data(), bytes->size());
    return std::nullopt;
  }
  Bytes32 seed{};
  Bytes32 stored_public{};
  std::copy(bytes->begin(), bytes->begin() + 32, seed.begin());
  std::copy(bytes->begin() + 32, bytes->end(), stored_public.begin());
  sodium_memzero(bytes->data(), bytes->size());
  NodeKey key = node_key_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  // The node announces the ID of the stored half but signs with the seed, so a mismatch
  // means peers reject every handshake. The seed is the key; the stored half is the wrong one.
  if (key.public_key != stored_public) {
    error = "the public key stored in \"priv_key.value\" (bytes 32..63) is not the one its "
            "seed (bytes 0..31) derives: the seed gives node ID " + node_id(key) +
            ", the stored public key gives " + id_of_public_key(stored_public);
    return std::nullopt;
  }
  return key;
}

WireguardKey wireguard_key_from_private(const Bytes32& private_key) {
  ensure_sodium();
  WireguardKey key;
  key.private_key = private_key;
  // Clamp as `wg genkey` does, so the stored private key is the one wg(8) would print.
  key.private_key[0] &= 248;
  key.private_key[31] &= 127;
  key.private_key[31] |= 64;
  // Fails only for a result of all zeros, which a clamped scalar times the base point
  // cannot produce; the public key then stays zero rather than half-written.
  if (crypto_scalarmult_base(key.public_key.data(), key.private_key.data()) != 0)
    key.public_key.fill(0);
  return key;
}

std::string base64_key(const Bytes32& key) {
  ensure_sodium();
  return base64_encode({reinterpret_cast<const char*>(key.data()), key.size()});
}

std::optional<Bytes32> parse_base64_key(const std::string& text) {
  ensure_sodium();
  constexpr std::string_view k_space = " \t\r\n";
  const auto first = text.find_first_not_of(k_space);
  if (first == std::string::npos) return std::nullopt;
  const auto last = text.find_last_not_of(k_space);
  auto bytes = base64_decode(std::string_view(text).substr(first, last - first + 1));
  if (!bytes || bytes->size() != 32) {
    if (bytes) sodium_memzero(bytes->data(), bytes->size());
    return std::nullopt;
  }
  Bytes32 key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

}  // namespace picket
