#pragma once
// Where a big YAML file may be cut into pieces that yaml-cpp can parse on their own, on
// several threads. Only a plain text shape is planned: a top-level block map whose streamed
// collections (`nodes:`, `links:`, `hosts:` ...) are written as indented blocks, cut at the
// lines that start a new entry. The plan is a guess from the text alone; parse_yaml checks
// every piece it parses and falls back to one whole parse whenever a piece could read
// differently on its own (see yaml_tree.cpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/yaml_tree.hpp"

namespace picket {

/// A run of whole lines of one streamed collection: some of its entries.
struct YamlChunk {
  std::size_t begin = 0;       // byte offset of the first line
  std::size_t end = 0;         // byte offset after the last line
  std::uint32_t first_line = 0;  // 0-based line number of `begin`
};

/// A top-level key whose value is a block collection written on the lines below it.
struct YamlSection {
  std::string key;
  std::uint32_t key_line = 0;  // 1-based line of the key
  YamlKind kind = YamlKind::map;
  std::uint32_t indent = 0;       // column (0-based) of the entries
  std::uint32_t entry_line = 0;   // 0-based line of the first entry
  std::size_t entries = 0;        // entry lines counted (for reserve())
  std::size_t body_begin = 0;     // the lines after the key line ...
  std::size_t body_end = 0;       // ... up to the next top-level line
  std::vector<YamlChunk> chunks;  // body_begin..body_end, cut at entry starts
};

/// Plans the cut of `text` into sections of chunks of about `chunk_bytes` each.
/// `streamed(key, kind)` says which top-level collections are wanted. Returns no sections
/// when the text has anything the plan does not model (byte order mark, carriage returns,
/// tabs, directives, document markers after the start, a top-level key written twice, a key
/// line with anything after the colon).
std::vector<YamlSection> plan_yaml_split(
    std::string_view text, std::size_t chunk_bytes,
    const std::function<bool(std::string_view, YamlKind)>& streamed);

}  // namespace picket
