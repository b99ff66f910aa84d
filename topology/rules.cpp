#include "topology/rules.hpp"
// The rules of topology-format.md §4 that read the whole model or the graph analysis.
// Each finding points at the value that causes it (a link item, a `with` entry, a host
// field) so the caret lands where the operator has to edit. The model may be partial when
// the loader found errors: a name that resolves to no node is skipped here (the loader
// reported it), never guessed at.

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "topology/effective.hpp"
#include "topology/graph.hpp"
#include "util/text.hpp"

namespace picket {
namespace {

// At most this many node names are spelled out in one message; the rest are counted.
constexpr std::size_t k_max_listed_names = 5;

// Nodes by name; a duplicated name keeps its first definition, like Topology::find_node.
class NodeIndex {
 public:
  explicit NodeIndex(const Topology& topology) {
    m_by_name.reserve(topology.nodes.size());
    for (const Node& n : topology.nodes) m_by_name.emplace(n.name.value, &n);
  }
  const Node* find(const std::string& name) const {
    auto it = m_by_name.find(name);
    return it == m_by_name.end() ? nullptr : it->second;
  }
  // True for the definition that find() returns (false for a later duplicate).
  bool is_primary(const Node& n) const { return find(n.name.value) == &n; }

 private:
  std::unordered_map<std::string_view, const Node*> m_by_name;
};

// The role as prose: "validator", "private sentry", "public sentry", "signer".
std::string role_prose(Role r) {
  std::string s = role_name(r);
  std::replace(s.begin(), s.end(), '-', ' ');
  return s;
}

bool is_sentry(Role r) { return r == Role::private_sentry || r == Role::public_sentry; }

Location start_of_file(const Topology& topology) {
  return topology.nodes_loc.known() ? topology.nodes_loc : Location{topology.path, 1, 1};
}

void check_validators(const Topology& topology, const NodeIndex& nodes, Diagnostics& out,
                      bool model_complete) {
  const Node* active = nullptr;
  std::vector<std::string> standby;
  // signer name -> the first validator that uses it
  std::map<std::string, const Node*> signer_user;
  for (const Node& n : topology.nodes) {
    if (n.role.value != Role::validator || !nodes.is_primary(n)) continue;
    if (n.standby.value) {
      standby.push_back(n.name.value);
    } else if (!active) {
      active = &n;
    } else {
      add_error(out, "double-sign", n.name.loc,
                fmt::format("validator {} is a second active validator besides {}: both would "
                            "sign; mark all but one \"standby: true\"",
                            quoted(n.name.value), quoted(active->name.value)),
                {active->name.value, n.name.value});
    }
    if (!n.signer) continue;
    const Node* signer = nodes.find(n.signer->value);
    if (!signer) continue;  // the loader reports names that match no node
    if (signer->cosigner_of) {
      add_error(out, "reference", n.signer->loc,
                fmt::format("signer {} of validator {} is a cosigner of horcrux signer {}; name "
                            "the horcrux signer",
                            quoted(signer->name.value), quoted(n.name.value),
                            quoted(*signer->cosigner_of)),
                {n.name.value, signer->name.value});
      continue;
    }
    if (signer->role.value != Role::signer) {
      add_error(out, "reference", n.signer->loc,
                fmt::format("signer {} of validator {} is a {}, not a signer",
                            quoted(signer->name.value), quoted(n.name.value),
                            role_prose(signer->role.value)),
                {n.name.value, signer->name.value});
      continue;
    }
    auto [it, first] = signer_user.emplace(signer->name.value, &n);
    if (!first) {
      add_error(out, "double-sign", n.signer->loc,
                fmt::format("signer {} is already the signer of validator {}; two validators "
                            "on one signer can double-sign",
                            quoted(signer->name.value), quoted(it->second->name.value)),
                {it->second->name.value, n.name.value, signer->name.value});
    }
  }
  if (!active && model_complete) {
    add_error(out, "no-validator", start_of_file(topology),
              standby.empty()
                  ? std::string("no active validator: no node has role \"validator\"")
                  : fmt::format("no active validator: every validator is standby ({})",
                                quoted_list(standby, k_max_listed_names)));
  }
}

void check_links(const Topology& topology, const NodeIndex& nodes, Diagnostics& out) {
  for (const Link& l : topology.links) {
    const Node* a = nodes.find(l.a.value);
    const Node* b = nodes.find(l.b.value);
    if (!a || !b) continue;
    const bool over_public = l.over.value == LinkKind::public_net;
    for (auto [self, other] : {std::pair{a, b}, std::pair{b, a}}) {
      const std::string& name = self->name.value;
      if (self->role.value == Role::validator) {
        if (over_public) {
          add_error(out, "validator-exposed", l.loc,
                    fmt::format("validator {} has an \"over: public\" link to {}; use vpn or "
                                "private",
                                quoted(name), quoted(other->name.value)),
                    {name, other->name.value});
        }
        if (other->role.value == Role::public_sentry) {
          add_warning(out, "direct-public", l.loc,
                      fmt::format("validator {} links directly to public sentry {}; put a "
                                  "private sentry between them",
                                  quoted(name), quoted(other->name.value)),
                      {name, other->name.value});
        }
      } else if (self->role.value == Role::signer) {
        add_error(out, "signer-exposed", l.loc,
                  fmt::format("signer {} is an end of a link (to {}); a signer takes no p2p "
                              "links",
                              quoted(name), quoted(other->name.value)),
                  {name, other->name.value});
      }
      if (a == b) break;  // a self-link has one end to judge
    }
    // The contract (§4) reports every public link between our nodes, even one that is also
    // an exposure error: CI rules that match on insecure-link must see all of them.
    if (over_public) {
      const std::string subject = link_subject(a->name.value, b->name.value);
      add_warning(out, "insecure-link", l.loc,
                  fmt::format("link {} runs over the public internet; use vpn or private",
                              quoted(subject)),
                  {subject});
    }
  }
}

void check_partners(const Topology& topology, const NodeIndex& nodes, Diagnostics& out) {
  for (const Partner& p : topology.partners) {
    for (const auto& w : p.with) {
      const Node* n = nodes.find(w.value);
      if (!n) continue;
      if (n->role.value == Role::validator) {
        add_error(out, "validator-exposed", w.loc,
                  fmt::format("validator {} is in the \"with\" list of partner {}: it would "
                              "peer with their nodes directly",
                              quoted(n->name.value), quoted(p.name.value)),
                  {n->name.value});
      } else if (n->role.value == Role::signer) {
        add_error(out, "signer-exposed", w.loc,
                  fmt::format("signer {} is in the \"with\" list of partner {}; a signer "
                              "takes no p2p links",
                              quoted(n->name.value), quoted(p.name.value)),
                  {n->name.value});
      }
    }
  }
}

// A node ID names one node: the same ID twice among our nodes' pinned IDs, the partners'
// peers and the network's seeds and peers is one of them written wrong (CometBFT would take
// the second for the first, or refuse itself as a peer).
void check_peer_ids(const Topology& topology, Diagnostics& out) {
  std::unordered_map<std::string, std::string> first;  // lower-case ID -> where it was first
  const auto see = [&](const Located<std::string>& id, const Location& loc, std::string what,
                       std::string subject) {
    std::string key = lower(id.value);
    auto [it, fresh] = first.try_emplace(key, what);
    if (fresh) return;
    add_error(out, "duplicate", loc,
              fmt::format("node ID {} of {} is already the ID of {}", key, what, it->second),
              {std::move(subject)});
  };
  for (const Node& n : topology.nodes)
    if (n.node_id) see(*n.node_id, n.node_id->loc, "node " + quoted(n.name.value), n.name.value);
  for (const Partner& p : topology.partners)
    for (std::size_t k = 0; k < p.peers.size(); ++k)
      see(p.peers[k].id, p.peers[k].id.loc,
          fmt::format("peer {} of partner {}", k + 1, quoted(p.name.value)), p.name.value);
  if (topology.network) {
    for (std::size_t k = 0; k < topology.network->seeds.size(); ++k)
      see(topology.network->seeds[k].id, topology.network->seeds[k].id.loc,
          fmt::format("seed {} of the network", k + 1), "network");
    for (std::size_t k = 0; k < topology.network->peers.size(); ++k)
      see(topology.network->peers[k].id, topology.network->peers[k].id.loc,
          fmt::format("peer {} of the network", k + 1), "network");
  }
}

void check_shared_hosts(const Topology& topology, const NodeIndex& nodes, Diagnostics& out) {
  // host -> sentries placed there, in file order. Only sentries: 50 000 signers on one host
  // must not compare every pair (each pair found here is a finding of its own).
  std::unordered_map<std::string_view, std::vector<const Node*>> on_host;
  for (const Node& n : topology.nodes)
    if (nodes.is_primary(n) && !n.host.value.empty() && is_sentry(n.role.value))
      on_host[n.host.value].push_back(&n);
  for (const Node& n : topology.nodes) {
    if (!nodes.is_primary(n) || n.host.value.empty()) continue;
    const Role role = n.role.value;
    if (role != Role::validator && role != Role::signer) continue;
    const auto sentries = on_host.find(n.host.value);
    if (sentries == on_host.end()) continue;
    for (const Node* other : sentries->second) {
      const Role other_role = other->role.value;
      // Any sentry: a private one too listens for peers on that host (and counts as a
      // path, though losing the host takes both), so it shields nothing there.
      const std::string why = role == Role::validator && other_role == Role::private_sentry
                                  ? "; a sentry on the validator's own host shields nothing: "
                                    "whatever reaches it reaches the validator's host"
                                  : "";
      add_error(out, role == Role::validator ? "validator-exposed" : "signer-exposed",
                n.host.loc,
                fmt::format("{} {} shares host {} with {} {}{}", role_prose(role),
                            quoted(n.name.value), quoted(n.host.value),
                            role_prose(other_role), quoted(other->name.value), why),
                {n.name.value, other->name.value});
    }
  }
}

// A YubiHSM or a Ledger is a device plugged into one machine: its signer gets that machine
// to itself, so nothing else that runs there (a node's bugs, a sentry's exposure, another
// tmkms) shares the host that holds the key. One finding per other node on the host.
void check_device_hosts(const Topology& topology, const NodeIndex& nodes, Diagnostics& out) {
  std::unordered_map<std::string_view, std::vector<const Node*>> devices;  // host -> signers
  for (const Node& n : topology.nodes)
    if (nodes.is_primary(n) && n.role.value == Role::signer && n.tmkms &&
        n.tmkms->provider.value != "softsign" && !n.host.value.empty())
      devices[n.host.value].push_back(&n);
  if (devices.empty()) return;
  for (const Node& other : topology.nodes) {
    if (!nodes.is_primary(other)) continue;
    const auto here = devices.find(other.host.value);
    if (here == devices.end()) continue;
    for (const Node* signer : here->second) {
      if (signer == &other) continue;
      const std::string& provider = signer->tmkms->provider.value;
      add_error(out, "signer-host", signer->host.loc,
                fmt::format("signer {} keeps its key in a {} on host {}, which also runs {} {}; "
                            "a signer with a {} needs a host of its own",
                            quoted(signer->name.value), provider == "ledger" ? "Ledger" : "YubiHSM",
                            quoted(signer->host.value), role_prose(other.role.value),
                            quoted(other.name.value), provider == "ledger" ? "Ledger" : "YubiHSM"),
                {signer->name.value, other.name.value});
    }
  }
}

void check_isolated(const Topology& topology, const NodeIndex& nodes, Diagnostics& out) {
  // Every written link or peering counts, even one whose other end is unknown: the loader
  // reports that name, and calling the node isolated too would be a phantom finding.
  // By position in topology.nodes; only the definition find() returns is marked.
  std::vector<char> connected(topology.nodes.size(), 0);
  const auto mark = [&](const std::string& name) {
    if (const Node* n = nodes.find(name)) connected[static_cast<std::size_t>(n - topology.nodes.data())] = 1;
  };
  for (const Link& l : topology.links) {
    mark(l.a.value);
    mark(l.b.value);
  }
  for (const Partner& p : topology.partners)
    if (!p.peers.empty())
      for (const auto& w : p.with) mark(w.value);
  for (std::size_t i = 0; i < topology.nodes.size(); ++i) {
    const Node& n = topology.nodes[i];
    // Signers have no links by design.
    if (n.role.value == Role::signer || !nodes.is_primary(n)) continue;
    if (connected[i] != 0) continue;
    add_warning(out, "isolated-node", n.name.loc,
                fmt::format("{} {} has no link and no partner peering",
                            role_prose(n.role.value), quoted(n.name.value)),
                {n.name.value});
  }
}

// Where a failure-domain value is written: the first inventory host that has it.
Location domain_location(const Inventory& inventory, DomainKind kind, const std::string& value) {
  for (const Host& h : inventory.hosts) {
    switch (kind) {
      case DomainKind::host:
        if (h.name.value == value) return h.name.loc;
        break;
      case DomainKind::datacenter:
        if (h.datacenter && h.datacenter->value == value) return h.datacenter->loc;
        break;
      case DomainKind::region:
        if (h.region && h.region->value == value) return h.region->loc;
        break;
      case DomainKind::provider:
        if (h.provider && h.provider->value == value) return h.provider->loc;
        break;
    }
  }
  return {inventory.path, 0, 0};
}

// The location and kind word of a graph vertex reported as a spof: a node's name, or a
// partner peer's list item.
std::pair<Location, std::string> vertex_spot(const Topology& topology, const GraphVertex& v) {
  switch (v.kind) {
    case VertexKind::node:
      return {topology.nodes[v.node].name.loc, "node"};
    case VertexKind::partner_peer:
      return {topology.partners[v.partner].peers[v.peer].loc, "partner peer"};
    case VertexKind::network:
      break;
  }
  return {{}, "node"};
}

// The location and kind word of a graph edge reported as a spof: the link item, or for a
// partner peering the `with` entry naming our node.
std::pair<Location, std::string> edge_spot(const Topology& topology, const GraphEdge& e) {
  switch (e.kind) {
    case EdgeKind::link:
      return {topology.links[e.link].loc, "link"};
    case EdgeKind::peering:
      return {topology.partners[e.partner].with[e.with].loc, "peering"};
    case EdgeKind::network:
      break;
  }
  return {{}, "link"};
}

}  // namespace

namespace {
// A horcrux signer: the threshold's bounds (`threshold`: horcrux's config validation wants
// N/2 < T <= N), one cosigner per host (`signer-host`), and T cosigners left after the loss of
// any one value of policy.survive among the cosigners' hosts (`spof-domain`; the validator's
// own datacenter, region and provider are not counted, as for tmkms: losing them stops the
// validator itself).
void check_horcrux(const Topology& topology, const Inventory& inventory, Diagnostics& out) {
  // Cosigners of two horcrux signers on one host: their ports and homes must differ
  // (`port-clash`; an unset home is ~/.horcrux for both).
  std::map<std::string, std::vector<const Node*>> cosigners_on;  // host -> cosigner nodes
  for (const Node& n : topology.nodes)
    if (n.cosigner_of) cosigners_on[n.host.value].push_back(&n);
  for (const auto& [host, here] : cosigners_on)
    for (std::size_t i = 0; i < here.size(); ++i)
      for (std::size_t j = 0; j < i; ++j) {
        const Node& a = *here[j];
        const Node& b = *here[i];
        if (*a.cosigner_of == *b.cosigner_of) continue;  // signer-host, below
        const Node* sa = topology.find_node(*a.cosigner_of);
        const Node* sb = topology.find_node(*b.cosigner_of);
        if (sa == nullptr || sb == nullptr || !sa->horcrux || !sb->horcrux) continue;
        const std::set<int> pa{sa->horcrux->p2p_port.value, sa->horcrux->debug_port.value};
        std::string why;
        for (const int p : {sb->horcrux->p2p_port.value, sb->horcrux->debug_port.value})
          if (pa.count(p) && why.empty()) why = fmt::format("port {}", p);
        const std::string ha = a.home ? a.home->value : "~/.horcrux";
        const std::string hb = b.home ? b.home->value : "~/.horcrux";
        if (why.empty() && ha == hb) why = fmt::format("home {}", quoted(ha));
        if (why.empty()) continue;
        add_error(out, "port-clash", b.name.loc,
                  fmt::format("cosigner {} uses {} on host {}, already used by cosigner {}; give "
                              "one of the signers its own ports and home",
                              quoted(b.name.value), why, quoted(host), quoted(a.name.value)),
                  {a.name.value, b.name.value});
      }
  // A cosigner beside other processes on its host: a tmkms signer would share its unit
  // (`signer_service` names one signer per host: `signer-host`), a CometBFT node its ports.
  std::map<std::string, std::vector<const Node*>> others_on;  // host -> nodes, tmkms signers
  for (const Node& n : topology.nodes)
    if (!n.cosigner_of && !n.horcrux && !n.host.value.empty()) others_on[n.host.value].push_back(&n);
  for (const auto& [host, here] : cosigners_on) {
    const auto others = others_on.find(host);
    if (others == others_on.end()) continue;
    for (const Node* c : here) {
      const Node* cluster = topology.find_node(*c->cosigner_of);
      if (cluster == nullptr || !cluster->horcrux) continue;
      for (const Node* o : others->second) {
        if (o->role.value == Role::signer) {
          add_error(out, "signer-host", c->host.loc,
                    fmt::format("cosigner {} shares host {} with tmkms signer {}; the host's "
                                "signer_service names one signer's unit: put them on two hosts",
                                quoted(c->name.value), quoted(host), quoted(o->name.value)),
                    {c->name.value, o->name.value});
          continue;
        }
        for (const int p : {cluster->horcrux->p2p_port.value, cluster->horcrux->debug_port.value})
          for (const int q : {effective_p2p_port(topology, *o), effective_rpc_port(topology, *o),
                              effective_metrics_port(topology, *o)})
            if (p == q)
              add_error(out, "port-clash", c->host.loc,
                        fmt::format("cosigner {} uses port {} on host {}, already used by node {}; "
                                    "set the signer's p2p_port or debug_port to a free port",
                                    quoted(c->name.value), p, quoted(host), quoted(o->name.value)),
                        {c->name.value, o->name.value});
      }
    }
  }
  std::map<std::string, const Node*> validator_of;  // signer -> its active validator
  for (const Node& n : topology.nodes)
    if (n.role.value == Role::validator && n.signer && !n.standby.value)
      validator_of.emplace(n.signer->value, &n);
  for (const Node& signer : topology.nodes) {
    if (!signer.horcrux) continue;
    const Horcrux& h = *signer.horcrux;
    const int n = static_cast<int>(h.cosigners.size());
    const int t = h.threshold.value;
    const std::string& name = signer.name.value;
    if (t != 0 && (t * 2 <= n || t > n)) {
      add_error(out, "threshold", h.threshold.loc,
                t > n ? fmt::format("signer {} has threshold {} but only {} {}; the threshold "
                                    "must be at most the number of cosigners",
                                    quoted(name), t, n, n == 1 ? "cosigner" : "cosigners")
                      : fmt::format("signer {} has threshold {} of {} cosigners; horcrux needs "
                                    "more than half of them (more than {}/2, so at least {}) so "
                                    "that two groups can never sign apart",
                                    quoted(name), t, n, n, n / 2 + 1),
                {name});
    }
    std::map<std::string, const HorcruxCosigner*> on_host;
    for (const HorcruxCosigner& c : h.cosigners) {
      auto [it, fresh] = on_host.emplace(c.host.value, &c);
      if (!fresh)
        add_error(out, "signer-host", c.host.loc,
                  fmt::format("cosigners {} and {} of signer {} are both on host {}; losing that "
                              "host loses two shards: put every cosigner on a host of its own",
                              quoted(it->second->node), quoted(c.node), quoted(name),
                              quoted(c.host.value)),
                  {name, it->second->node, c.node});
    }
    if (t == 0 || t * 2 <= n || t > n) continue;
    // A cosigner the loader could not make (its name taken or too long) was reported there.
    if (signer_processes(topology, signer).size() != h.cosigners.size()) continue;
    const auto validator = validator_of.find(name);
    const Host* own = validator == validator_of.end()
                          ? nullptr
                          : inventory.find_host(validator->second->host.value);
    const std::set<DomainKind> kinds(topology.policy.survive.begin(), topology.policy.survive.end());
    for (DomainKind kind : kinds) {
      std::map<std::string, std::vector<const HorcruxCosigner*>> in;  // value -> cosigners
      for (const HorcruxCosigner& c : h.cosigners) {
        const Host* host = inventory.find_host(c.host.value);
        if (host == nullptr) continue;  // the reference check reports it
        if (auto value = host->domain(kind)) in[*value].push_back(&c);
      }
      for (const auto& [value, lost] : in) {
        if (kind != DomainKind::host && own != nullptr && own->domain(kind) == value) continue;
        const int left = n - static_cast<int>(lost.size());
        if (left >= t) continue;
        std::vector<std::string> names;
        for (const HorcruxCosigner* c : lost) names.push_back(c->node);
        std::vector<std::string> subjects{fmt::format("{}={}", domain_kind_name(kind), value), name};
        add_error(out, "spof-domain", kind == DomainKind::host ? lost.front()->host.loc : h.threshold.loc,
                  fmt::format("losing {} {} (cosigners {}) leaves signer {} {} of {} cosigners, "
                              "below its threshold {}: it stops signing; {}",
                              domain_kind_name(kind), quoted(value), quoted_list(names, k_max_listed_names),
                              quoted(name), left, n, t,
                              n == t ? std::string("a threshold equal to the number of cosigners "
                                                   "survives no loss: add cosigners")
                                     : fmt::format("spread the cosigners so that no {} holds more "
                                                   "than {}",
                                                   domain_kind_name(kind), n - t)),
                  std::move(subjects));
      }
    }
  }
}
}  // namespace

void check_structure(const Topology& topology, const Inventory& inventory,
                     Diagnostics& out, bool model_complete) {
  check_horcrux(topology, inventory, out);
  const NodeIndex nodes(topology);
  check_validators(topology, nodes, out, model_complete);
  check_links(topology, nodes, out);
  check_partners(topology, nodes, out);
  check_peer_ids(topology, out);
  check_shared_hosts(topology, nodes, out);
  check_device_hosts(topology, nodes, out);
  if (model_complete) check_isolated(topology, nodes, out);
}

namespace {
// "a", "a and b", "a, b and c".
std::string join_and(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}
}  // namespace

void check_graph(const Topology& topology, const Inventory& inventory,
                 const GraphAnalysis& analysis, Diagnostics& out) {
  const Reachability& reach = analysis.reach;
  // No active validator: no-validator already said so.
  if (!reach.validator) return;
  const NodeIndex nodes(topology);
  const std::string& validator = *reach.validator;
  const Node* validator_node = nodes.find(validator);
  const Location validator_loc = validator_node ? validator_node->name.loc : Location{};
  const std::string disconnects =
      fmt::format("disconnects validator {} from the network", quoted(validator));

  if (reach.paths == 0) {
    // Every node would be a "single point of failure" of nothing: say the one thing.
    add_error(out, "no-path", validator_loc,
              fmt::format("validator {} has no path to the network (no public sentry or "
                          "partner peer is reachable)",
                          quoted(validator)),
              {validator});
    return;
  }

  // The graph nodes in each failing domain. A domain that holds a single point of failure
  // is explained by that node: it is named in the node's finding instead of its own, so one
  // fragile sentry reads as one problem, not as five.
  using Domain = std::pair<DomainKind, std::string>;
  std::map<Domain, std::vector<std::string>> members;
  for (const auto& d : analysis.spof_domains) members.try_emplace(d);
  if (!members.empty()) {
    std::unordered_map<std::string_view, const Host*> hosts;
    for (const Host& h : inventory.hosts) hosts.emplace(h.name.value, &h);
    for (const Node& n : topology.nodes) {
      if (n.role.value == Role::signer || !nodes.is_primary(n)) continue;
      auto h = hosts.find(n.host.value);
      if (h == hosts.end()) continue;
      for (auto& [domain, names] : members)
        if (h->second->domain(domain.first) == domain.second) names.push_back(n.name.value);
    }
  }
  const std::set<std::string> spof_set(analysis.spof_nodes.begin(), analysis.spof_nodes.end());
  std::map<std::string, std::vector<Domain>> explained;  // spof node -> domains it explains
  for (auto& [domain, names] : members) {
    std::sort(names.begin(), names.end());
    for (const std::string& name : names)
      if (spof_set.count(name)) explained[name].push_back(domain);
  }

  const TopologyGraph& graph = *analysis.graph;
  for (std::size_t i = 0; i < analysis.spof_nodes.size(); ++i) {
    const std::string& v = analysis.spof_nodes[i];
    auto [loc, kind] = vertex_spot(topology, graph.vertices[analysis.spof_vertices[i]]);
    std::string also;
    if (auto it = explained.find(v); it != explained.end()) {
      std::vector<std::string> parts;
      for (const auto& [k, value] : it->second)
        parts.push_back(fmt::format("{} {}", domain_kind_name(k), quoted(value)));
      also = "; so does losing " + join_and(parts);
    }
    add_error(out, "spof-node", loc,
              fmt::format("losing {} {} {}{}", kind, quoted(v), disconnects, also), {v});
  }
  for (std::size_t i = 0; i < analysis.spof_links.size(); ++i) {
    const auto& [a, b] = analysis.spof_links[i];
    auto [loc, kind] = edge_spot(topology, graph.edges[analysis.spof_edges[i]]);
    const std::string subject = link_subject(a, b);
    add_error(out, "spof-link", loc,
              fmt::format("losing {} {} {}", kind, quoted(subject), disconnects), {subject});
  }
  for (const auto& [d, names] : members) {
    const bool is_explained = std::any_of(names.begin(), names.end(),
                                          [&](const std::string& n) { return spof_set.count(n) > 0; });
    if (is_explained) continue;
    const std::string subject = fmt::format("{}={}", domain_kind_name(d.first), d.second);
    add_error(out, "spof-domain", domain_location(inventory, d.first, d.second),
              fmt::format("losing {} {} ({} {}) {}", domain_kind_name(d.first), quoted(d.second),
                          names.size() == 1 ? "node" : "nodes", quoted_list(names, k_max_listed_names), disconnects),
              {subject});
  }

  // The signer's own domains: the paths may survive them, the signing does not.
  for (const auto& [kind, value] : analysis.signer_domains) {
    const std::string subject = fmt::format("{}={}", domain_kind_name(kind), value);
    add_error(out, "spof-domain", domain_location(inventory, kind, value),
              fmt::format("losing {} {} (signer {}) stops validator {} from signing; put the "
                          "signer in the validator's {}",
                          domain_kind_name(kind), quoted(value), quoted(*analysis.signer),
                          quoted(validator), domain_kind_name(kind)),
              {subject, *analysis.signer});
  }

  const Located<int>& min_paths = topology.policy.min_paths;
  if (reach.paths < min_paths.value) {
    std::vector<std::string> subjects{validator};
    subjects.insert(subjects.end(), reach.cut.begin(), reach.cut.end());
    add_error(out, "min-paths", min_paths.loc.known() ? min_paths.loc : validator_loc,
              fmt::format("validator {} has {} node-disjoint {} to the network; "
                          "policy.min_paths requires {} (cut: {})",
                          quoted(validator), reach.paths, reach.paths == 1 ? "path" : "paths",
                          min_paths.value, quoted_list(reach.cut, k_max_listed_names)),
              std::move(subjects));
  }

  // A path is hops, not vertices: validator -> private -> public -> network is 3.
  constexpr std::size_t k_max_hops = 3;
  if (reach.shortest_path.size() > k_max_hops + 1) {
    std::vector<std::string> shown;
    for (std::size_t i = 0; i + 1 < reach.shortest_path.size(); ++i)
      shown.push_back(quoted(reach.shortest_path[i]));
    shown.push_back("network");
    add_warning(out, "deep-path", validator_loc,
                fmt::format("shortest path from validator {} to the network has {} hops "
                            "(more than {}): {}",
                            quoted(validator), reach.shortest_path.size() - 1, k_max_hops,
                            fmt::join(shown, " -> ")),
                {validator});
  }
}

}  // namespace picket
