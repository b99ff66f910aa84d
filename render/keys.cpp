#include "render/keys.hpp"
// STUB: replaced by the keys work.
namespace picket {
NodeKey node_key_from_seed(const Bytes32& seed) { return {seed, {}}; }
std::string node_id(const NodeKey&) { return {}; }
std::string node_key_json(const NodeKey&) { return {}; }
std::optional<NodeKey> parse_node_key_json(const std::string&, std::string&) { return std::nullopt; }
WireguardKey wireguard_key_from_private(const Bytes32& k) { return {k, {}}; }
std::string base64_key(const Bytes32&) { return {}; }
std::optional<Bytes32> parse_base64_key(const std::string&) { return std::nullopt; }
}  // namespace picket
