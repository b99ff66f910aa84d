#include "topology/whatif.hpp"
// `KIND=VALUE` failures from the command line are checked against the model the way the loader
// checks names: every bad spec is reported (with a "did you mean"), not only the first. The
// report compares the validator's reachability after the failures with the design.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "util/text.hpp"

namespace picket {

namespace {

constexpr std::array<std::string_view, 6> k_kinds{"node",       "link",   "host",
                                                  "datacenter", "region", "provider"};
constexpr std::string_view k_kind_list = "node, link, host, datacenter, region, provider";

// The names a spec may use, per kind, in file order.
struct Names {
  std::vector<std::string> vertices;  // our nodes, then partner peers "<partner>/<n>"
  std::vector<std::string> hosts, datacenters, regions, providers;

  const std::vector<std::string>& of(std::string_view kind) const {
    if (kind == "host") return hosts;
    if (kind == "datacenter") return datacenters;
    if (kind == "region") return regions;
    if (kind == "provider") return providers;
    return vertices;  // node and link
  }
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!contains(v, s)) v.push_back(s);
}

std::string peer_name(const Partner& partner, std::size_t i) {
  return fmt::format("{}/{}", partner.name.value, i + 1);
}

Names collect_names(const Topology& topology, const Inventory& inventory) {
  Names n;
  for (const Node& node : topology.nodes) add_unique(n.vertices, node.name.value);
  for (const Partner& partner : topology.partners)
    for (std::size_t i = 0; i < partner.peers.size(); ++i)
      add_unique(n.vertices, peer_name(partner, i));
  for (const Host& host : inventory.hosts) {
    add_unique(n.hosts, host.name.value);
    if (auto v = host.domain(DomainKind::datacenter)) add_unique(n.datacenters, *v);
    if (auto v = host.domain(DomainKind::region)) add_unique(n.regions, *v);
    if (auto v = host.domain(DomainKind::provider)) add_unique(n.providers, *v);
  }
  return n;
}

// The hint after an unknown name: the same value under another kind ("fra-1" given as a node
// is a host), else the closest name of the asked kind.
std::string hint(const Names& names, std::string_view kind, const std::string& value) {
  for (std::string_view other : k_kinds) {
    if (other == "link" || other == kind || (kind == "link" && other == "node")) continue;
    if (contains(names.of(other), value))
      return fmt::format(" (\"{}\" is a {}: {}={})", value, other, other, value);
  }
  const std::string match = closest_match(value, names.of(kind));
  return match.empty() ? std::string() : fmt::format(" (did you mean \"{}\"?)", match);
}

// True when `a` and `b` are joined by a link or a partner peering (either order).
bool linked(const Topology& topology, const std::string& a, const std::string& b) {
  for (const Link& link : topology.links)
    if ((link.a.value == a && link.b.value == b) || (link.a.value == b && link.b.value == a))
      return true;
  for (const Partner& partner : topology.partners) {
    for (const auto& with : partner.with) {
      for (std::size_t i = 0; i < partner.peers.size(); ++i) {
        const std::string peer = peer_name(partner, i);
        if ((with.value == a && peer == b) || (with.value == b && peer == a)) return true;
      }
    }
  }
  return false;
}

void parse_link(const std::string& spec, const std::string& value, const Topology& topology,
                const Names& names, FailureSet& out, Diagnostics& diags) {
  // Node names may themselves hold "--", so take the first split whose two ends both exist.
  std::optional<std::pair<std::string, std::string>> first, known;
  for (std::size_t at = value.find("--"); at != std::string::npos; at = value.find("--", at + 1)) {
    std::pair<std::string, std::string> ends{value.substr(0, at), value.substr(at + 2)};
    if (ends.first.empty() || ends.second.empty()) continue;
    if (!first) first = ends;
    if (contains(names.vertices, ends.first) && contains(names.vertices, ends.second)) {
      known = ends;
      break;
    }
  }
  if (!first) {
    add_error(diags, "schema", {},
              fmt::format("link \"{}\" in \"{}\" is not written A--B", value, spec));
    return;
  }
  if (!known) {
    for (const std::string& end : {first->first, first->second}) {
      if (contains(names.vertices, end)) continue;
      add_error(diags, "reference", {},
                fmt::format("unknown node \"{}\" in \"{}\"{}", end, spec,
                            hint(names, "link", end)),
                {end});
    }
    return;
  }
  const auto& [a, b] = *known;
  if (!linked(topology, a, b)) {
    add_error(diags, "reference", {},
              fmt::format("no link or peering between \"{}\" and \"{}\" in \"{}\"", a, b, spec),
              {link_subject(a, b)});
    return;
  }
  // Named once, outside the lambda: clang 14 cannot capture structured bindings.
  const std::string subject = link_subject(a, b);
  const bool seen = std::any_of(out.links.begin(), out.links.end(), [&](const auto& l) {
    return link_subject(l.first, l.second) == subject;
  });
  if (!seen) out.links.emplace_back(a, b);
}

void parse_one(const std::string& spec, const Topology& topology, const Names& names,
               FailureSet& out, Diagnostics& diags) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string::npos) {
    add_error(diags, "schema", {},
              fmt::format("failure \"{}\" is not KIND=VALUE; kinds: {}", spec, k_kind_list));
    return;
  }
  const std::string kind = spec.substr(0, eq);
  const std::string value = spec.substr(eq + 1);
  if (std::find(k_kinds.begin(), k_kinds.end(), kind) == k_kinds.end()) {
    const std::string match =
        closest_match(kind, std::vector<std::string>(k_kinds.begin(), k_kinds.end()));
    add_error(diags, "schema", {},
              fmt::format("unknown failure kind \"{}\" in \"{}\"{}; kinds: {}", kind, spec,
                          match.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", match),
                          k_kind_list));
    return;
  }
  if (value.empty()) {
    add_error(diags, "schema", {}, fmt::format("failure \"{}\" names no {}", spec, kind));
    return;
  }
  if (kind == "link") {
    parse_link(spec, value, topology, names, out, diags);
    return;
  }
  if (!contains(names.of(kind), value)) {
    add_error(diags, "reference", {},
              fmt::format("unknown {} \"{}\" in \"{}\"{}", kind, value, spec,
                          hint(names, kind, value)),
              {kind == "node" ? value : spec});
    return;
  }
  if (kind == "node") {
    add_unique(out.nodes, value);
    return;
  }
  const DomainKind domain = *parse_domain_kind(kind);
  const std::pair<DomainKind, std::string> failure{domain, value};
  if (std::find(out.domains.begin(), out.domains.end(), failure) == out.domains.end())
    out.domains.push_back(failure);
}

// The names in quotes, or "none".
std::string names_or_none(const std::vector<std::string>& names) {
  return names.empty() ? "none" : quoted_list(names);
}

// What `before` had that `after` lost, in `before`'s order.
std::vector<std::string> lost(const std::vector<std::string>& before,
                              const std::vector<std::string>& after) {
  std::vector<std::string> out;
  for (const auto& name : before)
    if (!contains(after, name)) out.push_back(name);
  return out;
}

std::string paths_text(int n) { return fmt::format("{} {}", n, n == 1 ? "path" : "paths"); }

}  // namespace

const std::vector<std::string>& failure_kinds() {
  static const std::vector<std::string> kinds(k_kinds.begin(), k_kinds.end());
  return kinds;
}

bool parse_failures(const std::vector<std::string>& specs, const Topology& topology,
                    const Inventory& inventory, FailureSet& out, Diagnostics& diags) {
  const std::size_t before = diags.size();
  const Names names = collect_names(topology, inventory);
  for (const auto& spec : specs) parse_one(spec, topology, names, out, diags);
  return diags.size() == before;
}

std::string format_whatif(const FailureSet& failures, const Reachability& before,
                          const Reachability& after) {
  std::vector<std::string> failing;
  for (const auto& [kind, value] : failures.domains)
    failing.push_back(fmt::format("{}={}", domain_kind_name(kind), value));
  for (const auto& node : failures.nodes) failing.push_back(fmt::format("node \"{}\"", node));
  for (const auto& [a, b] : failures.links)
    failing.push_back(fmt::format("link \"{}\"", link_subject(a, b)));
  std::string out = "failing: ";
  if (failing.empty()) out += "nothing";
  for (std::size_t i = 0; i < failing.size(); ++i) out += (i > 0 ? ", " : "") + failing[i];
  out += '\n';

  if (!before.validator && !after.validator) return out + "no active validator to analyse\n";
  if (!after.validator) {
    return out + fmt::format("validator \"{}\" itself fails (designed: {} to the network)\n",
                             *before.validator, paths_text(before.paths));
  }
  const std::string& validator = *after.validator;
  if (after.signer_lost)
    out += fmt::format("validator \"{}\" CANNOT SIGN: its signer \"{}\" fails\n", validator,
                       *after.signer_lost);
  if (after.paths == 0) {
    out += fmt::format("validator \"{}\" is CUT OFF from the network (designed: {})\n", validator,
                       paths_text(before.paths));
  } else {
    out += fmt::format("validator \"{}\": {} node-disjoint {} to the network (designed: {})\n",
                       validator, after.paths, after.paths == 1 ? "path" : "paths", before.paths);
    if (!after.cut.empty()) out += "smallest cut: " + names_or_none(after.cut) + "\n";
  }
  out += fmt::format("public sentries still reached: {} (lost: {})\n",
                     names_or_none(after.public_sentries),
                     names_or_none(lost(before.public_sentries, after.public_sentries)));
  out += fmt::format("partners still reached: {} (lost: {})\n", names_or_none(after.partners),
                     names_or_none(lost(before.partners, after.partners)));
  if (after.paths > 0 && !after.shortest_path.empty()) {
    out += "shortest path: ";
    for (std::size_t i = 0; i < after.shortest_path.size(); ++i)
      out += (i > 0 ? " -> " : "") + after.shortest_path[i];
    out += '\n';
  }
  return out;
}

}  // namespace picket
