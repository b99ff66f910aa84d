#pragma once
// Small text helpers shared by every library (in the style of ccache's util/): joining lists,
// quoting names for messages, counting with a noun, trimming, lower case. Plain byte strings;
// escaping for a file format lives beside that format (util/toml_string.hpp).

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace picket {

/// The items with `separator` between them.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
/// A name in double quotes, as messages show names: `"pub-1"` (nothing is escaped).
std::string quoted(std::string_view name);
/// `"a", "b", "c"`; past `most` names the rest are counted: `"a", "b" and 3 more`.
std::string quoted_list(const std::vector<std::string>& names,
                        std::size_t most = std::numeric_limits<std::size_t>::max());
/// The count and the noun that fits it: "1 step", "3 steps".
std::string plural(std::size_t n, std::string_view one, std::string_view many);
/// `s` without leading and trailing blanks (space, tab, carriage return).
std::string_view trim(std::string_view s);
/// `s` with ASCII upper-case letters in lower case.
std::string lower(std::string s);

}  // namespace picket
