#pragma once
// A map's schema as one table: each key's name, whether it is required, and the member
// function of the loader that reads its value into the entry being built. Known keys (for
// "unknown key … did you mean"), required keys (for "missing required key") and the reader
// of each key come from that one table, in the order written (the order messages list them).
// A table may also name a reader for keys it does not know that stand for one it does (a
// refused spelling): such a key is reported by that reader, not as unknown, and counts as the
// key it stands for.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "topology/yaml_read.hpp"

namespace picket {

/// One key of a map read into a `Target` by a member function of `Loader`.
template <class Loader, class Target>
struct KeyRule {
  const char* name;
  bool required;
  void (Loader::*read)(const YamlField&, Target&, const YamlContext&);
};

/// Reads a key the table does not know: reports it and returns the table key it stands for
/// (counted as written), or nullptr when it is an unknown key after all.
template <class Loader, class Target>
using KeyStandIn = const char* (Loader::*)(const YamlField&, Target&, const YamlContext&);

/// Whether keys starting with "x-" (extension keys, as in Compose files) are ignored.
enum class Extensions { refused, ignored };

template <class Loader, class Target>
class KeyTable {
 public:
  KeyTable(std::vector<KeyRule<Loader, Target>> rules, Extensions extensions = Extensions::refused,
           KeyStandIn<Loader, Target> stand_in = nullptr)
      : m_rules(std::move(rules)), m_extensions(extensions), m_stand_in(stand_in) {
    m_names.reserve(m_rules.size());
    for (const auto& r : m_rules) m_names.emplace_back(r.name);
  }

  /// Every known key, in table order.
  const std::vector<std::string>& names() const { return m_names; }

  /// Whether `key` is one of the table's keys.
  bool knows(std::string_view key) const { return find(key) != nullptr; }

  /// Reads the entries of the map `map` (merge keys resolved) into `into` through each key's
  /// reader; reports unknown keys, then each required key not written, at `missing_at`.
  /// `fields` is a buffer the caller may reuse across entries. Returns a bit per table row
  /// whose key was written (valid or not).
  std::uint32_t read(Loader& loader, YamlReader& reader, YamlId map, Target& into,
                     const Location& missing_at, const YamlContext& ctx,
                     std::vector<YamlField>& fields) const {
    reader.fields(map, fields, ctx);
    std::uint32_t written = 0;
    for (const YamlField& f : fields) {
      const std::string& k = reader.key(f);
      const KeyRule<Loader, Target>* rule = find(k);
      if (rule == nullptr) {
        if (m_extensions == Extensions::ignored && k.rfind("x-", 0) == 0) continue;
        if (m_stand_in != nullptr)
          if (const char* meant = (loader.*m_stand_in)(f, into, ctx)) {
            if (const auto* stood_for = find(meant)) written |= bit(*stood_for);
            continue;
          }
        reader.unknown_key(f, m_names, ctx);
        continue;
      }
      written |= bit(*rule);
      (loader.*(rule->read))(f, into, ctx);
    }
    for (const auto& r : m_rules)
      if (r.required && (written & bit(r)) == 0) reader.missing_key(r.name, missing_at, ctx);
    return written;
  }

  /// Whether `written` (what `read` returned) has every required key.
  bool complete(std::uint32_t written) const {
    for (const auto& r : m_rules)
      if (r.required && (written & bit(r)) == 0) return false;
    return true;
  }

  /// The bit `read` sets when `key` (a key of the table) was written.
  std::uint32_t bit(std::string_view key) const { return bit(*find(key)); }

 private:
  const KeyRule<Loader, Target>* find(std::string_view key) const {
    for (const auto& r : m_rules)
      if (key == r.name) return &r;
    return nullptr;
  }
  std::uint32_t bit(const KeyRule<Loader, Target>& r) const {
    return 1U << static_cast<unsigned>(&r - m_rules.data());
  }

  std::vector<KeyRule<Loader, Target>> m_rules;  // at most 32: one bit each
  std::vector<std::string> m_names;
  Extensions m_extensions;
  KeyStandIn<Loader, Target> m_stand_in;
};

}  // namespace picket
