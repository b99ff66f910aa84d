#pragma once
// `picket whatif`: parse `KIND=VALUE` failures against the model and describe what is left.

#include <string>
#include <vector>

#include "topology/analysis.hpp"
#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// The KINDs of `--fail KIND=VALUE`, in the order help and completions list them.
const std::vector<std::string>& failure_kinds();

/// Parses "node=NAME", "link=A--B", "host=H", "datacenter=D", "region=R", "provider=P".
/// Unknown kinds or names append a `reference` (or `schema`) diagnostic with a
/// "did you mean" hint and return false. Location is unknown (they come from argv).
bool parse_failures(const std::vector<std::string>& specs, const Topology& topology,
                    const Inventory& inventory, FailureSet& out, Diagnostics& diags);

/// Human-readable report: the failures, then paths, cut, reached public sentries and
/// partners, or that the validator is cut off; compared with the design (`before`).
std::string format_whatif(const FailureSet& failures, const Reachability& before,
                          const Reachability& after);

}  // namespace picket
