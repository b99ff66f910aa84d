#pragma once
// The checks on `config:` and `app:` overrides and on the chain's base config.toml: against
// the line's key table (`schema`) and against the settings derived from the graph
// (`override-conflict`).

#include <map>
#include <string>
#include <vector>

#include "render/config_table.hpp"
#include "render/settings.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// Checks one node's `config:` overrides against its line's key table: unknown keys (with
/// "did you mean"), values of the wrong type, bare numbers for durations (`schema`). Returns
/// the overrides that passed, as config keys → TOML literals.
std::map<std::string, std::string> check_override_values(const Node& node, const std::string& line,
                                                         const ConfigTable& table,
                                                         Diagnostics& out);

/// How values are checked against a key table: which file and product the messages name,
/// and whether CometBFT's own value rules apply (schemes, negative counts) or the SDK's
/// (integers it also reads from strings).
struct ValueRules {
  std::string file;     // "config.toml", "app.toml"
  std::string product;  // "CometBFT", "Cosmos SDK"
  std::string line;     // "0.38", "0.50"
  bool cometbft = true;
};

/// Checks written values (section -> key -> value) against `table`: unknown keys (with "did
/// you mean"), wrong types, bare numbers for durations (`schema`, with `subjects`). Returns
/// those that passed, as keys -> TOML literals.
std::map<std::string, std::string> check_config_values(const ConfigOverrides& written,
                                                       const ValueRules& rules,
                                                       const ConfigTable& table,
                                                       const std::vector<std::string>& subjects,
                                                       Diagnostics& out);

/// The line's table with the values of the chain's base config.toml (chain.base_config) as
/// its defaults; `table` itself when the chain has none. Base values the line does not know,
/// or of the wrong type, are `schema` errors at their place in the base file (subject
/// "chain") and keep the line's default.
ConfigTable base_config_table(const Chain& chain, const ConfigTable& table, Diagnostics& out);

/// `override-conflict`: overrides among `accepted` (what check_override_values returned) that
/// contradict a derived setting. Peers whose ID is unknown in `derived` (lint has no keys)
/// are matched by address, or only counted in ID lists.
void check_override_conflicts(const Node& node, const NodeSettings& derived,
                              const std::map<std::string, std::string>& accepted,
                              Diagnostics& out);

/// Lint's entry point: every node's overrides checked against the built-in key lists
/// (`schema`) and against the settings derived from the graph (`override-conflict`).
/// Needs no keys: where IDs of managed nodes would be needed, structure is compared.
void check_overrides(const Topology& topology, const Inventory& inventory, Diagnostics& out);
/// check_overrides with the settings derived by `deriver` (check_render's).
void check_overrides(const Topology& topology, const SettingsDeriver& deriver, Diagnostics& out);

}  // namespace picket
