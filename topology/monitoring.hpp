#pragma once
// The monitoring host (topology-format.md §1, `monitoring:`): where Prometheus and
// Alertmanager run, which nodes and hosts they scrape, and the Alertmanager receivers. The
// section's reader (called by the topology loader) and its checks against the nodes and the
// inventory (called by lint).

#include <string>
#include <vector>

#include "topology/diagnostic.hpp"
#include "topology/model.hpp"
#include "topology/yaml_read.hpp"

namespace picket {

/// node_exporter's port on every host (Debian's prometheus-node-exporter default).
constexpr int k_node_exporter_port = 9100;
/// Prometheus and Alertmanager on the monitor host, both on 127.0.0.1 only.
constexpr int k_prometheus_port = 9090;
constexpr int k_alertmanager_port = 9093;

/// True for nodes whose CometBFT metrics are scraped: not signers (tmkms exports no CometBFT
/// metrics), not a standby (stopped on purpose).
bool is_scraped(const Node& node);

/// Reads `monitoring:` into topology.monitoring; every problem is a diagnostic of `reader`.
void read_monitoring(YamlReader& reader, const YamlField& field, Topology& topology);

/// The monitoring host exists in the inventory (reference) and has the tunnel mesh to scrape
/// over (a `vpn:` section, schema). Without a monitoring section, one `no-monitor` warning
/// names the nodes whose metrics nothing picket sets up can scrape (only when `sound`: the
/// files loaded without errors, so the warning does not pile onto broken input).
void check_monitoring(const Topology& topology, const Inventory& inventory, Diagnostics& out, bool sound);

}  // namespace picket
