#pragma once
// Render: derive every managed file from the one graph. Pure: the model, the keys and the
// templates come in; files and diagnostics go out. Deterministic: the same inputs give
// byte-identical files.

#include <optional>

#include "render/file_set.hpp"
#include "render/secrets.hpp"
#include "render/templates.hpp"
#include "render/tunnel.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"
#include "topology/peering.hpp"

namespace picket {

/// Everything the parts of render share: the inputs, the tunnel plan, and what is indexed
/// once for all of them (who peers with whom, every node's ID).
struct RenderContext {
  /// Indexes the topology's peerings and computes every node's ID; keeps references to the
  /// first four.
  RenderContext(const Topology& topology, const Inventory& inventory, const Secrets& secrets,
                const TemplateSet& templates, TunnelPlan tunnels);
  /// The same on an index built already (lint's): keeps a reference to it.
  RenderContext(const PeeringIndex& peering, const Inventory& inventory, const Secrets& secrets,
                const TemplateSet& templates, TunnelPlan tunnels);
  RenderContext(const RenderContext&) = delete;
  RenderContext& operator=(const RenderContext&) = delete;

 private:
  std::optional<PeeringIndex> m_own_peering;  // the index when this context built it

 public:
  const Topology& topology;
  const Inventory& inventory;
  const Secrets& secrets;
  const TemplateSet& templates;
  TunnelPlan tunnels;
  const PeeringIndex& peering;
  std::vector<std::string> node_ids;  // by index into Topology::nodes, as node_id_of gives
};

/// Every file of the topology: per node config.toml and node_key.json, per host WireGuard
/// and nftables, tmkms.toml for signers, Prometheus scrape config and alert rules. Sorted.
FileSet render_all(const Topology& topology, const Inventory& inventory, const Secrets& secrets,
                   const TemplateSet& templates, Diagnostics& out);
/// The same on a context the caller built (and reads further, as the CLI does for the
/// partners' handoffs): `tunnel_problems` are what planning its tunnels reported.
FileSet render_all(const RenderContext& ctx, Diagnostics tunnel_problems, Diagnostics& out);

/// The parts (each appends to `files`).
void render_node_configs(const RenderContext& ctx, FileSet& files, Diagnostics& out);  // config.toml, node_key.json
void render_wireguard(const RenderContext& ctx, FileSet& files, Diagnostics& out);     // per host wg-quick config
void render_firewall(const RenderContext& ctx, FileSet& files, Diagnostics& out);      // per host nftables ruleset
void render_signer(const RenderContext& ctx, FileSet& files, Diagnostics& out);        // tmkms.toml
void render_monitoring(const RenderContext& ctx, FileSet& files, Diagnostics& out);    // Prometheus
void render_boot(const RenderContext& ctx, FileSet& files, Diagnostics& out);          // nftables.conf, unit drop-ins

}  // namespace picket
