#pragma once
// What the CLI knows about where its output goes.

#include <cstdio>
#include <string>

namespace picket::cli {

/// --color auto|always|never: auto means "stdout is a terminal and NO_COLOR is not set".
bool use_color(const std::string& mode, std::FILE* stream);

/// Writes all of `text` to the stream.
void write_out(std::FILE* stream, const std::string& text);

}  // namespace picket::cli
