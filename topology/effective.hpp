#pragma once
// Values that fall back from a node to its chain or host: the ports and home a node
// really uses. One definition, shared by lint (port-clash) and render.

#include <string>

#include "topology/model.hpp"

namespace picket {

constexpr int k_default_p2p_port = 26656;
constexpr int k_default_rpc_port = 26657;
constexpr int k_default_metrics_port = 26660;  // instrumentation.prometheus_listen_addr
constexpr int k_signer_port = 26659;  // priv_validator_laddr: a validator listens, tmkms dials
/// The systemd unit of a signer (tmkms) when its host sets no `signer_service`.
constexpr const char* k_default_signer_service = "tmkms.service";
/// The systemd unit of a horcrux cosigner when its host sets no `signer_service`.
constexpr const char* k_default_horcrux_service = "horcrux.service";

/// The node's p2p port: its own, else chain.p2p_port, else 26656.
int effective_p2p_port(const Topology& topology, const Node& node);
/// The node's RPC port: its own, else chain.rpc_port, else 26657.
int effective_rpc_port(const Topology& topology, const Node& node);
/// The node's Prometheus metrics port: its own, else chain.metrics_port, else 26660.
int effective_metrics_port(const Topology& topology, const Node& node);
/// The node's home: its own `home`, else its host's; "" when neither is set.
std::string effective_home(const Node& node, const Host* host);
/// The unit a signer on this host runs as: the host's `signer_service`, else tmkms.service
/// (horcrux.service for a horcrux cosigner).
/// Never the host's `service` or `restart`, which are its CometBFT nodes'.
std::string signer_service(const Host& host, bool horcrux = false);

}  // namespace picket
