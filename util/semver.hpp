#pragma once
// Semantic versions as CometBFT checks them (config.toml `version` on 0.38 and 1.0).

#include <string_view>

namespace picket {

/// True for a semver 2.0 version without a leading "v" ("0.38.17", "1.0.1-rc1+build"): the
/// expression of CometBFT's config/config.go (taken from semver.org).
bool is_semver(std::string_view text);

}  // namespace picket
