#pragma once
// The render manifest: one JSON document listing every rendered file with where it goes,
// its mode, its SHA-256, its node, whether it is secret and what a change to it triggers.

#include <string>

#include "render/file_set.hpp"
#include "topology/model.hpp"

namespace picket {

/// Lower-case hex SHA-256 of the text.
std::string sha256_hex(const std::string& text);

/// {"format_version":1,"files":[{"host","path","mode","sha256","node","secret","action",
/// "service"}]} pretty-printed, files in the FileSet's order. `service` is the systemd unit
/// (or restart command) the host's inventory names for restart-node, the signer's
/// `signer_restart` or unit (signer_service, default tmkms.service) for restart-signer, the reload command for reloads
/// the inventory sets, else "".
std::string manifest_json(const FileSet& files, const Inventory& inventory);

}  // namespace picket
