#include "render/render.hpp"
// STUB: replaced by the host-files work.
namespace picket {
void render_wireguard(const RenderContext&, FileSet&, Diagnostics&) {}
void render_firewall(const RenderContext&, FileSet&, Diagnostics&) {}
void render_signer(const RenderContext&, FileSet&, Diagnostics&) {}
void render_monitoring(const RenderContext&, FileSet&, Diagnostics&) {}
}  // namespace picket
