#pragma once
// What each partner was last handed: the handoff text as of the last successful deploy, kept
// in `.picket/handoffs/<partner>.txt` beside the topology. `plan` and `deploy` compare the
// handoff they would leave with it and call out every partner that must update its side.

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "render/handoff.hpp"

namespace picket::cli {

struct PartnerUpdate {
  std::string partner;
  bool first = false;                // nothing recorded yet
  std::vector<std::string> changes;  // "- old fact" / "+ new fact"
};

/// The partners whose handoff differs from the one recorded in `dir` (or has none recorded).
std::vector<PartnerUpdate> partner_updates(const std::vector<Handoff>& handoffs, const std::string& dir);

/// Lines for the plan: "partner dorado must update its side (what we hand it changed): ..."
/// with the changed facts, and how to print the whole handoff. "" when there is nothing.
std::string format_partner_updates(const std::vector<PartnerUpdate>& updates, const std::string& topology_path);

/// `plan_json` (a format_plan_json document) with "partner_updates": [{partner, first, changes}].
std::string with_partner_updates(const std::string& plan_json, const std::vector<PartnerUpdate>& updates);

/// Records every handoff in `dir` (created if needed). Error: a message naming the path.
tl::expected<void, std::string> record_handoffs(const std::vector<Handoff>& handoffs, const std::string& dir);

}  // namespace picket::cli
