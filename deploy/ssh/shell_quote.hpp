#pragma once
// Quoting values for remote POSIX shell command lines.

#include <string>
#include <string_view>

namespace picket {

/// `s` as one single-quoted sh word: every byte literal ($, `, \, ", newlines, spaces), a
/// single quote written as '\''. "" becomes ''.
std::string shell_quote(std::string_view s);

}  // namespace picket
