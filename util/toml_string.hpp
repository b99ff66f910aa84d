#pragma once
// TOML basic strings, the one escaper for every rendered TOML value (config.toml, tmkms.toml)
// and for the double-quoted YAML scalars of the Prometheus files: both formats read `\"`,
// `\\`, `\b`, `\t`, `\n`, `\f`, `\r` and `\u00XX` alike. The short escapes are TOML's own
// (spec 1.0, "Basic strings"); other control characters and DEL become `\u00XX`.

#include <string>
#include <string_view>
#include <vector>

namespace picket {

/// A TOML basic string: quoted, with '"', '\' and control characters escaped.
std::string toml_string(std::string_view text);
/// A TOML array of basic strings: ["a", "b"].
std::string toml_string_array(const std::vector<std::string>& items);

}  // namespace picket
