#pragma once
// What a CometBFT node checks in its config.toml when it starts (viper's decoding, then
// Config.ValidateBasic in config/config.go of each release line), reproduced for the values a
// node's rendered file would hold: lint refuses a config the node would refuse, and says
// what the node would say, with the line named.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "render/config_table.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// Go's time.ParseDuration: seconds, or nullopt when `text` is not a Go duration.
std::optional<double> parse_go_duration(std::string_view text);

/// Checks the start-up validation of CometBFT `line` on one node's effective values: each
/// key's value is its override (`overrides`, config keys → TOML literals), else its derived
/// value (`derived`), else its default in `table`. Each refusal is a `schema` error at the
/// override that causes it (the node's name when none does), quoting the node's own message.
void check_startup(const Node& node, const std::string& line, const ConfigTable& table,
                   const std::map<std::string, std::string>& derived,
                   const std::map<std::string, std::string>& overrides, Diagnostics& out);

}  // namespace picket
