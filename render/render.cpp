#include "render/render.hpp"

namespace picket {

FileSet render_all(const Topology& topology, const Inventory& inventory, const Secrets& secrets,
                   const TemplateSet& templates, Diagnostics& out) {
  RenderContext ctx{topology, inventory, secrets, templates, plan_tunnels(topology, out)};
  FileSet files;
  if (has_errors(out)) return files;
  render_node_configs(ctx, files, out);
  render_wireguard(ctx, files, out);
  render_firewall(ctx, files, out);
  render_signer(ctx, files, out);
  render_monitoring(ctx, files, out);
  sort_files(files);
  return files;
}

}  // namespace picket
