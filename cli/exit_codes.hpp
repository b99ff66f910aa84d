#pragma once
// Exit codes shared by every command (topology-format.md §5).

namespace picket::cli {

constexpr int k_exit_ok = 0;             // success (plan: no changes)
constexpr int k_exit_findings = 1;       // findings of severity error, or a failed check
constexpr int k_exit_changes = 2;        // plan --detailed-exitcode found changes
constexpr int k_exit_deploy_failed = 3;  // deploy failed and what it changed was rolled back
constexpr int k_exit_usage = 64;         // bad flags, unreadable file, missing tool
constexpr int k_exit_internal = 70;      // an exception reached main: a bug (EX_SOFTWARE)

}  // namespace picket::cli
