#pragma once
// What render refuses or warns about that lint can know without keys or templates: the
// tunnel plan (a `vpn:` section, room in the subnet, partner addresses that collide with
// ours), homes, restart commands, `config:` overrides, and addresses a firewall or tunnel
// cannot list. Lint runs these checks, so render, plan and deploy never refuse a topology
// that lint passed (what they still refuse needs the keys or the templates: `missing-key`,
// a pinned node_id that contradicts its key file, `template`).

#include <set>
#include <string>

#include "render/render.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// Every check of the header on a render context (render_all runs it first).
void check_render(const RenderContext& ctx, Diagnostics& out);

/// Lint's entry point: plans the tunnels (reporting their problems) and runs check_render on
/// a context without keys, so node IDs are unknown and peers are compared by structure.
void check_renderable(const Topology& topology, const Inventory& inventory, Diagnostics& out);
/// The same on the topology's peering index (lint's, built once for its analysis too).
void check_renderable(const PeeringIndex& peering, const Inventory& inventory, Diagnostics& out);

/// The DNS names a ruleset cannot list (warnings, once per name): render_firewall leaves them
/// out. Subjects in `said` were reported already (a peer's name, by the DNS check).
void check_firewall(const RenderContext& ctx, Diagnostics& out, const std::set<std::string>& said = {});
/// Rule `lockout`: every firewall host's ssh_allow admits where picket's SSH comes from (the
/// inventory's controller; a host behind `jump`: its jump host's address).
void check_ssh_allow(const RenderContext& ctx, Diagnostics& out);
/// Partner peer addresses that are DNS names, left out of AllowedIPs (warnings).
void check_wireguard(const RenderContext& ctx, Diagnostics& out);
/// Services that are no systemd unit name (render_boot makes a drop-in path of them).
void check_boot(const RenderContext& ctx, Diagnostics& out);
/// Signers without a home for tmkms.toml (`schema`).
void check_signer(const RenderContext& ctx, Diagnostics& out);

}  // namespace picket
