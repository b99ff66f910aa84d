#pragma once
// A compact YAML tree built from libyaml's events (a DOM would cost ~250 bytes per value).
// Values keep their 1-based line and column. Aliases share the anchored subtree instead of
// copying it. The entries of big top-level collections can be handed to an
// YamlEntrySink as soon as each one completes, and are then dropped from the tree, so peak
// memory is the caller's model plus one entry.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "topology/diagnostic.hpp"

namespace picket {

/// Index of a value in a YamlTree.
using YamlId = std::uint32_t;
/// "No value" (e.g. the key of a sequence item).
inline constexpr YamlId k_no_yaml = 0xffffffffU;

/// What a value is.
enum class YamlKind : std::uint8_t { null, scalar, sequence, map };

/// One value. Maps keep keys and values alternating in `children`.
struct YamlNode {
  YamlKind kind = YamlKind::null;
  bool quoted = false;           // quoted, block (| >) or tagged !!str: always a string
  bool empty = false;            // a null written as nothing at all (not ~ or null)
  std::uint32_t line = 0;        // 1-based
  std::uint32_t column = 0;      // 1-based, in bytes
  std::uint64_t expanded = 0;    // values in this subtree with aliases expanded; 0 while open
  std::string text;              // scalars: the value as parsed (quotes and escapes resolved)
  std::vector<YamlId> children;  // sequence items, or map key, value, key, value...
};

/// The values of one document, in creation order. Read-only for everyone but the parser.
class YamlTree {
 public:
  /// The value with this id (valid until the parser drops a streamed entry).
  const YamlNode& operator[](YamlId id) const { return m_nodes[id]; }
  /// Number of values currently held.
  std::size_t size() const { return m_used; }

 private:
  friend class YamlTreeBuilder;
  // Nodes past m_used were dropped; they are kept to reuse their string and vector buffers,
  // so reading entry after entry allocates almost nothing.
  std::vector<YamlNode> m_nodes;
  std::size_t m_used = 0;
};

/// Receives the entries of big top-level collections one by one while the file is parsed.
class YamlEntrySink {
 public:
  virtual ~YamlEntrySink() = default;
  /// Whether to read on once the top-level value starts as a `kind` collection; false stops
  /// the parse there with that value, empty, as the root (a wrong kind need not be read).
  virtual bool accept_root(YamlKind kind) = 0;
  /// Whether the entries of the `kind` collection under top-level key `key` are streamed.
  virtual bool stream_entries(std::string_view key, YamlKind kind) = 0;
  /// A streamed collection starts; `estimate` is a rough entry count (0: unknown), for reserve().
  virtual void on_collection(std::string_view key, std::size_t estimate) = 0;
  /// One complete entry of a streamed collection: `key` is the map key (k_no_yaml for a
  /// sequence item), `value` the entry. Both are dropped from `tree` after the call, unless
  /// an anchor inside them may still be aliased.
  virtual void on_entry(const YamlTree& tree, std::string_view collection, YamlId key,
                        YamlId value) = 0;
};

/// How parsing a file ended.
enum class YamlStatus { ok, empty, failed };

/// The result of parse_yaml.
struct YamlDocument {
  YamlStatus status = YamlStatus::failed;
  YamlId root = k_no_yaml;  // set when status is ok
};

/// Parses the one YAML document of `text` into `tree`. Never throws. Appends to `out`:
/// syntax (invalid YAML, not UTF-8, control characters, too deep), duplicate (a key twice in
/// one map, at the second key), schema (a second document, an unsupported tag, an alias
/// referring to its own anchor, aliases expanding past a budget proportional to the text).
/// An empty document (nothing, or only a null) gives status empty and no diagnostic.
YamlDocument parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file,
                        YamlTree& tree, YamlEntrySink* sink, Diagnostics& out);

}  // namespace picket
