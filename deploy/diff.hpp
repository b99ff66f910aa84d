#pragma once
// Unified diffs of text files for `picket plan`, in the format of `diff -u` (GNU): dtl finds
// the shortest edit script, this file groups it into hunks with 3 lines of context.

#include <string>

namespace picket {

constexpr int k_diff_context = 3;

/// `--- a/P`, `+++ b/P` (P = `path` without its leading '/') and the hunks turning `before`
/// into `after`, each line ending in '\n'; a last line without a newline is followed by
/// `\ No newline at end of file`. "" when the texts are equal.
std::string unified_diff(const std::string& path, const std::string& before,
                         const std::string& after, int context = k_diff_context);

/// True when the text looks binary (holds a NUL byte): such files are not diffed.
bool is_binary(const std::string& text);

}  // namespace picket
