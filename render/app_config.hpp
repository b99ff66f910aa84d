#pragma once
// Per node app.toml (the Cosmos SDK app's own config), for chains that name their SDK line
// (chain.sdk) or their base app.toml (chain.base_app). Every value is a TOML literal: the SDK
// line's defaults (templates/cosmos-sdk/app-keys-<line>.txt), then the base's values, then
// per-role settings, then the node's `app:` overrides, last.

#include <map>
#include <optional>
#include <string>

#include "render/config_table.hpp"
#include "render/render.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

constexpr int k_api_port = 1317;
constexpr int k_grpc_port = 9090;
constexpr int k_grpc_web_port = 9091;

/// Name of an SDK line's key list in a template set: "cosmos-sdk/app-keys-0.50.txt".
std::string app_key_list_name(const std::string& sdk);
/// The key tables of the built-in SDK lines, parsed once per process.
const std::map<std::string, ConfigTable>& builtin_app_tables();

/// The chain's app.toml table: its SDK line's keys with chain.base_app's values as defaults,
/// then the keys only the base has (the app's own, such as [wasm]) with their values as
/// written. Base values of the wrong type for an SDK key are `schema` errors at their place
/// in the base file (subject "chain"). nullopt when the chain renders no app.toml or its SDK
/// line is unknown (a `schema` error at chain.sdk or chain.cometbft, once).
std::optional<ConfigTable> app_table(const Chain& chain, const std::map<std::string, ConfigTable>& tables,
                                     Diagnostics& out);

/// The per-role settings of one node, as app.toml keys -> TOML literals (the keys `table`
/// has): API, gRPC and gRPC-web on 127.0.0.1; on sentries custom pruning (keep 100 states,
/// prune every 10 blocks) and state-sync snapshots every 1000 blocks (keep 2); on the
/// validator no snapshots.
std::map<std::string, std::string> derived_app_values(const Node& node, const ConfigTable& table);

/// Every check of app.toml render would refuse (lint runs it through check_render): base
/// values, `app:` overrides (names, types), a validator's API or gRPC bound anywhere but the
/// loopback or its own tunnel address (`override-conflict`), an empty minimum-gas-prices and
/// snapshots with pruning "everything" (the SDK refuses to start on either; `schema`), and
/// `app:` on a signer or on a chain without app.toml.
void check_app(const RenderContext& ctx, Diagnostics& out);

/// app.toml of every validator and sentry, beside its config.toml (action restart-node).
void render_app_configs(const RenderContext& ctx, FileSet& files, Diagnostics& out);

}  // namespace picket
