#pragma once
// Writing a rendered FileSet to a local directory, all or nothing.

#include <string>

#include <tl/expected.hpp>

#include "render/file_set.hpp"

namespace picket::cli {

/// The file that marks a directory as picket's render output (the manifest).
constexpr const char* k_render_marker = "manifest.json";

/// Writes every file to `dir/<host>/<path>` (host "" → `dir/<path>`) with its mode, plus
/// `extra` files at the top (name → content, 0644). The new tree is built beside `dir` and
/// swapped in by rename, so a failure leaves the previous `dir` as it was. The directory is
/// 0700 (it holds secrets). An existing `dir` is replaced only when it is empty or holds an
/// earlier render (k_render_marker). Error: a message naming the path.
tl::expected<void, std::string> write_output_dir(
    const std::string& dir, const FileSet& files,
    const std::vector<std::pair<std::string, std::string>>& extra);

/// Writes one file atomically (temp file in the same directory, fsync, rename) with `mode`.
tl::expected<void, std::string> write_file_atomic(const std::string& path,
                                                  const std::string& content, unsigned mode);

}  // namespace picket::cli
