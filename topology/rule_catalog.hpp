#pragma once
// The rule IDs of topology-format.md §4 with their severity and a one-line description, in
// the table's order. SARIF lists every rule up front; other outputs may describe a rule.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "topology/diagnostic.hpp"

namespace picket {

/// One row of the §4 table.
struct RuleInfo {
  std::string_view id;           // e.g. "spof-node"
  Severity severity;             // the severity the rule always reports with
  std::string_view description;  // one line, "fires when"
};

/// Every rule of §4, in the table's order (22 entries: the 19 of the first table, then the render-stage additions).
std::span<const RuleInfo> rule_catalog();

/// The position of `id` in rule_catalog(), or nullopt for an unknown ID.
std::optional<std::size_t> rule_index(std::string_view id);

}  // namespace picket
