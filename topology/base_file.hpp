#pragma once
// A chain's base file (chain.base_config, chain.base_app): TOML text -> the values of a
// BaseFile, each with its place in that file. Pure: the CLI reads the file and hands the text
// in. A file that is not TOML is a `syntax` error at the place the TOML parser names.

#include "topology/diagnostic.hpp"
#include "topology/load.hpp"
#include "topology/model.hpp"

namespace picket {

/// Parses `source` into `into.values`, `into.literals` and `into.order` (nested tables become
/// dotted sections: [storage.pruning] -> section "storage.pruning"), and sets `into.loaded`.
/// `key` ("base_config", "base_app") names the file in messages. Problems are reported with
/// the subject "chain"; on a syntax error nothing is loaded.
void parse_base_file(const SourceText& source, const char* key, BaseFile& into, Diagnostics& out);

}  // namespace picket
