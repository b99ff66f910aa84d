#pragma once
// The saved plan of `picket plan --out FILE`, checked by `picket deploy --plan FILE`: hosts,
// paths, modes, old and new SHA-256 and actions. Never any content: secret files are safe
// in it as in the text plan.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <tl/expected.hpp>

#include "deploy/plan.hpp"

namespace picket {

/// One planned file as JSON, the same members in the saved plan and in `plan --format json`
/// (path, remote_path, node, action, secret, change, mode, old_mode, sha256, old_sha256).
nlohmann::ordered_json planned_file_json(const PlannedFile& file);
/// The inverse of planned_file_json (a missing old_mode or old_sha256 reads as none). Error:
/// one line naming `host` and, when known, the file.
tl::expected<PlannedFile, std::string> planned_file_from_json(const nlohmann::json& file,
                                                              const std::string& host);

/// The plan as a JSON document (format_version 1, "kind": "picket-plan"), without diffs.
std::string save_plan(const Plan& plan);

/// Reads a saved plan back (diffs and FileSet indices are not kept). Error: one line saying
/// what is wrong with the text.
tl::expected<Plan, std::string> read_plan(const std::string& text);

/// Why `current` is not the plan that was saved, one line per difference: a host or file
/// that appeared or went away, a rendered file that differs, a host file that changed since.
/// Empty when deploying `current` does exactly what `saved` showed.
std::vector<std::string> plan_differences(const Plan& saved, const Plan& current);

}  // namespace picket
