#pragma once
// The partner handoff: what we send a partner validator so it can peer with us (our node IDs
// and the addresses to dial, our WireGuard public keys, endpoints and tunnel addresses, the
// ports our firewall opens to them) and what our topology expects from them. Derived from the
// same context render uses, so the handoff and the rendered files cannot disagree. Public
// data only: node IDs and WireGuard public keys, never a private byte.

#include <string>
#include <vector>

#include "render/render.hpp"

namespace picket {

struct HandoffNode {
  std::string node;     // our node's name
  std::string id;       // its node ID ("" when its key is missing)
  std::string address;  // host:port they dial (the tunnel address over vpn)
};

struct HandoffTunnel {
  std::string host;            // our host
  std::string public_key;      // its WireGuard public key (base64)
  std::string endpoint;        // host:port of its WireGuard listener
  std::string tunnel_address;  // its address inside the tunnel (their AllowedIPs, /32)
};

struct HandoffPort {
  std::string host;                // our host
  std::string what;                // "p2p of priv-fra", "WireGuard"
  std::string protocol;            // "tcp" or "udp"
  int port = 0;
  std::vector<std::string> from;   // the addresses admitted (theirs)
  bool tunnel = false;             // only through the tunnel interface
  std::vector<std::string> not_admitted;  // their addresses a ruleset cannot list (DNS names)
};

struct Handoff {
  std::string partner;
  std::string chain_id;
  LinkKind over = LinkKind::public_net;
  std::vector<HandoffNode> nodes;      // ours, in the partner's `with` order
  std::vector<HandoffTunnel> tunnels;  // over vpn: one per host of a `with` node
  std::vector<HandoffPort> ports;      // what our firewall opens to them
  // What we expect from them, as the topology has it.
  std::vector<HandoffNode> their_peers;  // node = "<partner>/<n>"
  std::string their_public_key;          // over vpn
  std::string their_endpoint;            // over vpn
};

/// The handoff of every partner, in file order.
std::vector<Handoff> partner_handoffs(const RenderContext& ctx);

/// The text an operator sends (or reads out): stable, one fact per line, no secret.
std::string format_handoff_text(const Handoff& h);
/// The same as JSON (format_version 1).
std::string format_handoff_json(const Handoff& h);

/// Lines of `before` and `after` (two format_handoff_text outputs) that differ, each prefixed
/// "- " (no longer true) or "+ " (new), in the order of the texts; empty when they agree.
std::vector<std::string> handoff_changes(const std::string& before, const std::string& after);

}  // namespace picket
