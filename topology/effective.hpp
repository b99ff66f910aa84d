#pragma once
// Values that fall back from a node to its chain or host: the ports and home a node
// really uses. One definition, shared by lint (port-clash) and render.

#include <string>

#include "topology/model.hpp"

namespace picket {

constexpr int k_default_p2p_port = 26656;
constexpr int k_default_rpc_port = 26657;

/// The node's p2p port: its own, else chain.p2p_port, else 26656.
int effective_p2p_port(const Topology& topology, const Node& node);
/// The node's RPC port: its own, else chain.rpc_port, else 26657.
int effective_rpc_port(const Topology& topology, const Node& node);
/// The node's home: its own `home`, else its host's; "" when neither is set.
std::string effective_home(const Node& node, const Host* host);

}  // namespace picket
