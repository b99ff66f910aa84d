#pragma once
// Mustache templates by name (e.g. "config-0.38.toml", "wireguard.conf"). The built-in set
// is compiled from templates/; `--templates DIR` replaces any of them by file name.

#include <map>
#include <string>

namespace picket {

using TemplateSet = std::map<std::string, std::string>;

/// The templates shipped in templates/, embedded at build time.
const TemplateSet& builtin_templates();

}  // namespace picket
