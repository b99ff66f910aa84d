#pragma once
// UTF-8 validation shared by the loader (which refuses invalid files) and the text report
// (which makes echoed source lines printable).

#include <cstddef>
#include <string_view>

namespace picket {

/// Length of the valid UTF-8 sequence at text[i], or 0 when it is malformed (overlong forms,
/// surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

}  // namespace picket
