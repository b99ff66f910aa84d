#include "topology/effective.hpp"

namespace picket {

int effective_p2p_port(const Topology& topology, const Node& node) {
  if (node.p2p_port) return node.p2p_port->value;
  if (topology.chain.p2p_port) return topology.chain.p2p_port->value;
  return k_default_p2p_port;
}

int effective_rpc_port(const Topology& topology, const Node& node) {
  if (node.rpc_port) return node.rpc_port->value;
  if (topology.chain.rpc_port) return topology.chain.rpc_port->value;
  return k_default_rpc_port;
}

int effective_metrics_port(const Topology& topology, const Node& node) {
  if (node.metrics_port) return node.metrics_port->value;
  if (topology.chain.metrics_port) return topology.chain.metrics_port->value;
  return k_default_metrics_port;
}

std::string effective_home(const Node& node, const Host* host) {
  if (node.home) return node.home->value;
  if (host != nullptr && host->home) return host->home->value;
  return {};
}

std::string signer_service(const Host& host, bool horcrux) {
  if (host.signer_service) return host.signer_service->value;
  return horcrux ? k_default_horcrux_service : k_default_signer_service;
}

}  // namespace picket
