#include "render/render.hpp"

#include "render/app_config.hpp"
#include "render/checks.hpp"
#include "render/neighbours.hpp"

namespace picket {

RenderContext::RenderContext(const Topology& topology_, const Inventory& inventory_,
                             const Secrets& secrets_, const TemplateSet& templates_,
                             TunnelPlan tunnels_)
    : m_own_peering(std::in_place, topology_),
      topology(topology_),
      inventory(inventory_),
      secrets(secrets_),
      templates(templates_),
      tunnels(std::move(tunnels_)),
      peering(*m_own_peering),
      node_ids(node_ids_of(topology_, secrets_)) {}

RenderContext::RenderContext(const PeeringIndex& peering_, const Inventory& inventory_,
                             const Secrets& secrets_, const TemplateSet& templates_,
                             TunnelPlan tunnels_)
    : topology(peering_.topology()),
      inventory(inventory_),
      secrets(secrets_),
      templates(templates_),
      tunnels(std::move(tunnels_)),
      peering(peering_),
      node_ids(node_ids_of(topology, secrets_)) {}

FileSet render_all(const Topology& topology, const Inventory& inventory, const Secrets& secrets,
                   const TemplateSet& templates, Diagnostics& out) {
  Diagnostics problems;
  const RenderContext ctx{topology, inventory, secrets, templates,
                          plan_tunnels(topology, inventory, problems)};
  return render_all(ctx, std::move(problems), out);
}

FileSet render_all(const RenderContext& ctx, Diagnostics tunnel_problems, Diagnostics& out) {
  Diagnostics problems = std::move(tunnel_problems);
  FileSet files;
  // What lint checks too (check_renderable): so render refuses nothing lint passed.
  if (!has_errors(problems)) check_render(ctx, problems);
  const bool refused = has_errors(problems);
  out.insert(out.end(), problems.begin(), problems.end());
  if (refused) return files;
  render_node_configs(ctx, files, out);
  render_app_configs(ctx, files, out);
  render_wireguard(ctx, files, out);
  render_firewall(ctx, files, out);
  render_signer(ctx, files, out);
  render_monitoring(ctx, files, out);
  render_boot(ctx, files, out);
  sort_files(files);
  return files;
}

}  // namespace picket
