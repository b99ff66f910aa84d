#include "util/semver.hpp"

#include <regex>

namespace picket {

bool is_semver(std::string_view text) {
  // semver.org's expression, as CometBFT compiles it, without its group names.
  static const std::regex k_semver(
      R"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");
  return std::regex_match(text.begin(), text.end(), k_semver);
}

}  // namespace picket
