#pragma once
// A parsed YAML tree as one line of text, for tests that compare trees whole.

#include <string>

#include "topology/yaml_tree.hpp"

namespace picket::test {

// The tree as text: scalars "text"@line:col (with ' when quoted), nulls ~ or (empty),
// sequences [..], maps {key: value, ..}.
inline std::string dump(const YamlTree& tree, YamlId id) {
  const YamlNode& n = tree[id];
  const std::string at = "@" + std::to_string(n.line) + ":" + std::to_string(n.column);
  switch (n.kind) {
    case YamlKind::null:
      return (n.empty ? "(empty)" : "~") + at;
    case YamlKind::scalar:
      return "\"" + n.text + "\"" + (n.quoted ? "'" : "") + at;
    case YamlKind::sequence: {
      std::string s = "[";
      for (std::size_t i = 0; i < n.children.size(); ++i)
        s += (i ? ", " : "") + dump(tree, n.children[i]);
      return s + "]" + at;
    }
    case YamlKind::map: {
      std::string s = "{";
      for (std::size_t i = 0; i + 1 < n.children.size(); i += 2)
        s += (i ? ", " : "") + dump(tree, n.children[i]) + ": " + dump(tree, n.children[i + 1]);
      return s + "}" + at;
    }
  }
  return "?";
}

}  // namespace picket::test
