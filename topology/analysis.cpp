#include "topology/analysis.hpp"
// The validator's view of the graph and its single points of failure, near-linear in the
// size of the graph:
//
// - paths and cut: one max-flow (disjoint_paths.cpp), at most deg(validator) BFS passes.
// - reach: one BFS from the validator (never through `network`, which relays nothing).
// - spof nodes and links exist only when there is exactly one disjoint path (two
//   node-disjoint paths survive any single node or link). Then one biconnected-components
//   pass (Boost.Graph) and a walk along that path: a simple path crosses the block-cut tree
//   along its unique route, so an inner vertex whose incoming and outgoing edges lie in
//   different blocks separates the validator from the network, and an edge that is a block
//   of its own is a bridge. Parallel links are merged before the pass (Boost's DFS skips
//   every edge back to the DFS parent, so it would call a doubled link a bridge) and count
//   as one edge of multiplicity two, which is never a bridge.
// - spof domains: a domain holding one graph node is that node's spof check; a domain that
//   misses one of the disjoint paths cannot disconnect (that path survives); only a domain
//   that meets every path costs a BFS, stopping as soon as it reaches `network`.

#include <algorithm>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>

#include "topology/disjoint_paths.hpp"
#include "topology/graph.hpp"
#include "topology/peering.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <boost/property_map/property_map.hpp>
#pragma GCC diagnostic pop

namespace picket {
namespace {

// The field of a host that holds a failure-domain value, without copying it.
const std::string* domain_value(const Host& host, DomainKind kind) {
  const std::optional<Located<std::string>>* field = nullptr;
  switch (kind) {
    case DomainKind::host: return &host.name.value;
    case DomainKind::datacenter: field = &host.datacenter; break;
    case DomainKind::region: field = &host.region; break;
    case DomainKind::provider: field = &host.provider; break;
  }
  return field != nullptr && *field ? &(*field)->value : nullptr;
}

// The inventory host of each vertex (nullptr for partner peers, `network`, unknown hosts).
std::vector<const Host*> hosts_of(const TopologyGraph& graph, const Topology& topology,
                                  const Inventory& inventory) {
  std::unordered_map<std::string_view, const Host*> by_name;
  by_name.reserve(inventory.hosts.size());
  for (const Host& h : inventory.hosts) by_name.emplace(h.name.value, &h);
  std::vector<const Host*> hosts(graph.size(), nullptr);
  for (VertexId v = 0; v < graph.size(); ++v) {
    if (graph.vertices[v].kind != VertexKind::node) continue;
    auto it = by_name.find(topology.nodes[graph.vertices[v].node].host.value);
    if (it != by_name.end()) hosts[v] = it->second;
  }
  return hosts;
}

// Everything one reachability computation finds, with the vertex ids behind the names.
struct ReachDetail {
  Reachability reach;
  DisjointPaths disjoint;
};

ReachDetail compute_reach(const Topology& topology, const TopologyGraph& graph,
                          const GraphMask& mask) {
  ReachDetail out;
  if (!graph.validator || !mask.vertex(*graph.validator)) return out;
  const VertexId validator = *graph.validator;
  Reachability& r = out.reach;
  r.validator = graph.vertices[validator].name;

  out.disjoint = disjoint_paths(graph, mask, validator, graph.network);
  r.paths = static_cast<int>(out.disjoint.paths.size());
  for (VertexId v : out.disjoint.cut) r.cut.push_back(graph.vertices[v].name);
  std::sort(r.cut.begin(), r.cut.end());

  const std::vector<VertexId> parent = bfs_parents(graph, mask, validator);
  const VertexId unreached = graph.size();
  if (parent[graph.network] != unreached) {
    for (VertexId v = graph.network; v != validator; v = parent[v])
      r.shortest_path.push_back(graph.vertices[v].name);
    r.shortest_path.push_back(graph.vertices[validator].name);
    std::reverse(r.shortest_path.begin(), r.shortest_path.end());
  }
  std::set<std::string> partners;
  for (VertexId v = 0; v < graph.network; ++v) {
    if (parent[v] == unreached) continue;
    const GraphVertex& gv = graph.vertices[v];
    if (gv.kind == VertexKind::partner_peer)
      partners.insert(topology.partners[gv.partner].name.value);
    else if (topology.nodes[gv.node].role.value == Role::public_sentry)
      r.public_sentries.push_back(gv.name);
  }
  std::sort(r.public_sentries.begin(), r.public_sentries.end());
  r.partners.assign(partners.begin(), partners.end());
  return out;
}

// Spof nodes and links along the only disjoint path (see the header comment).
void single_path_spofs(const TopologyGraph& graph, const std::vector<VertexId>& path,
                       GraphAnalysis& out, std::vector<char>& is_spof) {
  using BlockGraph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                            boost::property<boost::edge_index_t, std::uint32_t>,
                            boost::no_property, boost::vecS>;
  // Merge parallel edges: one simple edge per vertex pair, remembering its multiplicity.
  // Each pair is met once from its smaller end; `last_seen` spots the repeats in linear time.
  const VertexId n = graph.size();
  std::vector<std::uint32_t> simple_of(graph.edges.size());
  std::vector<std::uint32_t> multiplicity;
  std::vector<EdgeId> first_edge;
  std::vector<VertexId> last_seen(n, n);
  std::vector<std::uint32_t> slot(n);
  BlockGraph blocks(n);
  for (VertexId u = 0; u < n; ++u) {
    for (const Incidence* it = graph.incident_begin(u); it != graph.incident_end(u); ++it) {
      const VertexId v = it->other;
      if (v < u) continue;
      if (last_seen[v] != u) {
        last_seen[v] = u;
        slot[v] = static_cast<std::uint32_t>(multiplicity.size());
        boost::add_edge(u, v, slot[v], blocks);
        multiplicity.push_back(0);
        first_edge.push_back(it->edge);
      }
      simple_of[it->edge] = slot[v];
      ++multiplicity[slot[v]];
    }
  }
  std::vector<std::uint32_t> component(multiplicity.size());
  const std::size_t component_count = boost::biconnected_components(
      blocks, boost::make_iterator_property_map(component.begin(),
                                                get(boost::edge_index, blocks)));
  std::vector<std::uint32_t> component_size(component_count, 0);
  for (std::uint32_t c : component) ++component_size[c];

  // The simple edge between consecutive path vertices.
  auto simple = [&](std::size_t i) {
    const Incidence* it = graph.incident_begin(path[i]);
    while (it->other != path[i + 1]) ++it;
    return simple_of[it->edge];
  };
  std::vector<std::pair<std::string_view, VertexId>> nodes;  // sorted by name below
  std::vector<std::pair<std::pair<std::string_view, std::string_view>, EdgeId>> links;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const std::uint32_t s = simple(i);
    if (i > 0 && component[simple(i - 1)] != component[s]) {
      nodes.emplace_back(graph.vertices[path[i]].name, path[i]);
      is_spof[path[i]] = 1;
    }
    const GraphEdge& edge = graph.edges[first_edge[s]];
    if (component_size[component[s]] == 1 && multiplicity[s] == 1 &&
        edge.kind != EdgeKind::network) {
      std::string_view a = graph.vertices[edge.a].name, b = graph.vertices[edge.b].name;
      if (b < a) std::swap(a, b);
      links.push_back({{a, b}, first_edge[s]});
    }
  }
  std::sort(nodes.begin(), nodes.end());
  std::sort(links.begin(), links.end());
  for (const auto& [name, v] : nodes) {
    out.spof_nodes.emplace_back(name);
    out.spof_vertices.push_back(v);
  }
  for (const auto& [ends, e] : links) {
    out.spof_links.emplace_back(std::string(ends.first), std::string(ends.second));
    out.spof_edges.push_back(e);
  }
}

// Failure domains whose loss disconnects the validator (see the header comment).
void domain_spofs(const Topology& topology, const Inventory& inventory,
                  const TopologyGraph& graph, const DisjointPaths& disjoint,
                  const std::vector<char>& is_spof, GraphAnalysis& out) {
  const VertexId validator = *graph.validator;
  const std::vector<const Host*> hosts = hosts_of(graph, topology, inventory);
  std::vector<int> path_of(graph.size(), -1);
  for (std::size_t p = 0; p < disjoint.paths.size(); ++p)
    for (VertexId v : disjoint.paths[p]) path_of[v] = static_cast<int>(p);
  const std::size_t path_count = disjoint.paths.size();

  std::set<DomainKind> kinds(topology.policy.survive.begin(), topology.policy.survive.end());
  for (DomainKind kind : kinds) {
    // Losing the validator's own domain stops the validator itself: not checked.
    const std::string* own = hosts[validator] ? domain_value(*hosts[validator], kind) : nullptr;

    std::unordered_map<std::string_view, std::vector<VertexId>> members;
    for (VertexId v = 0; v < graph.network; ++v) {
      if (!hosts[v]) continue;
      const std::string* value = domain_value(*hosts[v], kind);
      if (value && !(own && *value == *own)) members[*value].push_back(v);
    }
    for (const auto& [value, vertices] : members) {
      bool disconnects = false;
      if (std::any_of(vertices.begin(), vertices.end(),
                      [&](VertexId v) { return is_spof[v] != 0; })) {
        disconnects = true;
      } else if (vertices.size() > 1) {
        std::vector<char> met(path_count, 0);
        std::size_t met_count = 0;
        for (VertexId v : vertices)
          if (path_of[v] >= 0 && !met[static_cast<std::size_t>(path_of[v])]++) ++met_count;
        if (met_count == path_count) {
          GraphMask mask;
          mask.vertex_alive.assign(graph.size(), 1);
          for (VertexId v : vertices) mask.vertex_alive[v] = 0;
          const auto parent = bfs_parents(graph, mask, validator, graph.network);
          disconnects = parent[graph.network] == graph.size();
        }
      }
      if (disconnects) out.spof_domains.emplace_back(kind, std::string(value));
    }
  }
  std::sort(out.spof_domains.begin(), out.spof_domains.end());
}

// The signer's domains the validator does not share (see GraphAnalysis::signer_domains).
void signer_domains(const Topology& topology, const Inventory& inventory, GraphAnalysis& out) {
  const Node* validator = out.reach.validator ? topology.find_node(*out.reach.validator) : nullptr;
  if (validator == nullptr || !validator->signer) return;
  const Node* signer = topology.find_node(validator->signer->value);
  // A horcrux signer's domains are counted cosigner by cosigner (rules.cpp, check_horcrux).
  if (signer == nullptr || signer->role.value != Role::signer || signer->horcrux) return;
  const Host* own = inventory.find_host(validator->host.value);
  const Host* there = inventory.find_host(signer->host.value);
  if (own == nullptr || there == nullptr) return;
  const std::set<DomainKind> kinds(topology.policy.survive.begin(), topology.policy.survive.end());
  for (DomainKind kind : kinds) {
    if (kind == DomainKind::host) continue;
    const std::string* value = domain_value(*there, kind);
    const std::string* mine = domain_value(*own, kind);
    if (value != nullptr && (mine == nullptr || *mine != *value))
      out.signer_domains.emplace_back(kind, *value);
  }
  std::sort(out.signer_domains.begin(), out.signer_domains.end());
  if (!out.signer_domains.empty()) out.signer = signer->name.value;
}

}  // namespace

GraphAnalysis analyse_graph(const Topology& topology, const Inventory& inventory) {
  return analyse_graph(PeeringIndex(topology), inventory);
}

GraphAnalysis analyse_graph(const PeeringIndex& peering, const Inventory& inventory) {
  const Topology& topology = peering.topology();
  GraphAnalysis out;
  out.graph = peering.shared_graph();
  const TopologyGraph& graph = peering.graph();
  ReachDetail detail = compute_reach(topology, graph, GraphMask{});
  out.reach = std::move(detail.reach);
  // No path: there is nothing left to lose (no-path says it all).
  if (out.reach.paths == 0) return out;

  std::vector<char> is_spof(graph.size(), 0);
  if (out.reach.paths == 1) single_path_spofs(graph, detail.disjoint.paths.front(), out, is_spof);
  domain_spofs(topology, inventory, graph, detail.disjoint, is_spof, out);
  signer_domains(topology, inventory, out);
  return out;
}

Reachability what_if(const Topology& topology, const Inventory& inventory,
                     const FailureSet& failures) {
  return what_if(PeeringIndex(topology), inventory, failures);
}

Reachability what_if(const PeeringIndex& peering, const Inventory& inventory,
                     const FailureSet& failures) {
  const Topology& topology = peering.topology();
  const TopologyGraph& graph = peering.graph();
  GraphMask mask;
  mask.vertex_alive.assign(graph.size(), 1);
  mask.edge_alive.assign(graph.edges.size(), 1);

  for (const std::string& name : failures.nodes)
    if (auto v = graph.find(name)) mask.vertex_alive[*v] = 0;
  for (const auto& [a_name, b_name] : failures.links) {
    auto a = graph.find(a_name), b = graph.find(b_name);
    if (!a || !b) continue;
    for (const Incidence* it = graph.incident_begin(*a); it != graph.incident_end(*a); ++it)
      if (it->other == *b) mask.edge_alive[it->edge] = 0;
  }
  if (!failures.domains.empty()) {
    // Here the validator's own domains count: losing them stops the validator.
    const std::vector<const Host*> hosts = hosts_of(graph, topology, inventory);
    for (VertexId v = 0; v < graph.network; ++v) {
      if (!hosts[v]) continue;
      for (const auto& [kind, value] : failures.domains) {
        const std::string* mine = domain_value(*hosts[v], kind);
        if (mine && *mine == value) mask.vertex_alive[v] = 0;
      }
    }
  }
  Reachability reach = compute_reach(topology, graph, mask).reach;
  // The signer is not a vertex (it is no p2p node), so its loss is checked here.
  const Node* validator = reach.validator ? topology.find_node(*reach.validator) : nullptr;
  const Node* signer = validator && validator->signer ? topology.find_node(validator->signer->value)
                                                      : nullptr;
  if (signer != nullptr && signer->horcrux) {
    // A threshold signer signs while `threshold` cosigners are left.
    const auto down = [&](const std::string& name) {
      return std::find(failures.nodes.begin(), failures.nodes.end(), name) != failures.nodes.end();
    };
    int left = 0;
    for (const HorcruxCosigner& c : signer->horcrux->cosigners) {
      bool lost = down(signer->name.value) || down(c.node);
      if (const Host* host = inventory.find_host(c.host.value))
        for (const auto& [kind, value] : failures.domains) {
          const std::string* mine = domain_value(*host, kind);
          lost = lost || (mine && *mine == value);
        }
      if (!lost) ++left;
    }
    if (left < signer->horcrux->threshold.value) reach.signer_lost = signer->name.value;
  } else if (signer != nullptr) {
    bool lost = std::find(failures.nodes.begin(), failures.nodes.end(), signer->name.value) !=
                failures.nodes.end();
    if (const Host* host = inventory.find_host(signer->host.value))
      for (const auto& [kind, value] : failures.domains) {
        const std::string* mine = domain_value(*host, kind);
        lost = lost || (mine && *mine == value);
      }
    if (lost) reach.signer_lost = signer->name.value;
  }
  return reach;
}

}  // namespace picket
