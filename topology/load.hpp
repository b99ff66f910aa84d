#pragma once
// Loaders: YAML text -> model. Pure (no I/O): the CLI reads the files and hands the text in.
// Every problem of the phase is appended to `out` (rules syntax, schema, duplicate,
// reference within one file, address); the loaders never throw.

#include <string>

#include "topology/diagnostic.hpp"
#include "topology/model.hpp"

namespace picket {

/// A file's contents and the path it is reported under.
struct SourceText {
  std::string path;
  std::string text;
};

/// Parses a topology file (topology-format.md §1). Entries with errors are left out of the
/// returned model or keep their defaults; the diagnostics say what was wrong.
Topology load_topology(const SourceText& source, Diagnostics& out);

/// Parses an inventory file (topology-format.md §2), applying `defaults` to every host.
Inventory load_inventory(const SourceText& source, Diagnostics& out);

/// Checks between the two files: every node's host exists in the inventory (reference),
/// two nodes on one host share no port or home (port-clash).
void check_references(const Topology& topology, const Inventory& inventory, Diagnostics& out);

}  // namespace picket
