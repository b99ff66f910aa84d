// Reads `firewall:`: three positive integers with bounds, each defaulted when left out.
#include "topology/firewall_limits.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace picket {

namespace {
struct LimitKey {
  const char* name;
  Located<int> Firewall::*field;
  int max;
};
// The bounds keep the numbers nft takes and an operator means: a cap past 65535 connections
// or a rate past 100000 per minute limits nothing.
constexpr LimitKey k_limit_keys[] = {
    {"p2p_connections_per_address", &Firewall::p2p_connections_per_address, 65535},
    {"p2p_new_connections_per_minute", &Firewall::p2p_new_connections_per_minute, 100000},
    {"icmp_echo_per_second", &Firewall::icmp_echo_per_second, 10000},
};
// The known keys, for "unknown key": the table's names.
const std::vector<std::string> k_firewall_keys = [] {
  std::vector<std::string> names;
  for (const LimitKey& l : k_limit_keys) names.emplace_back(l.name);
  return names;
}();
}  // namespace

void read_firewall(YamlReader& reader, const YamlField& field, Topology& topology) {
  const YamlContext ctx{"in \"firewall\"", {"firewall"}};
  if (!reader.expect_map(field.value, "\"firewall\"", ctx)) return;
  Firewall& fw = topology.firewall;
  fw.loc = reader.loc(field.key);
  std::vector<YamlField> fields;
  reader.fields(field.value, fields, ctx);
  for (const YamlField& f : fields) {
    const std::string& k = reader.key(f);
    const LimitKey* key = nullptr;
    for (const LimitKey& l : k_limit_keys)
      if (k == l.name) key = &l;
    if (key == nullptr) {
      reader.unknown_key(f, k_firewall_keys, ctx);
      continue;
    }
    const auto v = reader.integer(f, ctx);
    if (!v) continue;
    if (v->value < 1 || v->value > key->max) {
      reader.error("schema", f.value,
                   fmt::format("\"{}\" must be 1 to {}, found {}", key->name, key->max, v->value),
                   ctx);
      continue;
    }
    fw.*(key->field) = {static_cast<int>(v->value), v->loc};
  }
}

}  // namespace picket
