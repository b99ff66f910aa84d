#include "topology/picture.hpp"
// Approach: first build one Scene from the model and the analysis (vertices with label lines,
// groups per datacenter and per partner, edges with their kind and SPOF flag), then print it
// twice: as DOT and as Mermaid. Both printers walk the scene in file order, so the output is
// deterministic and the two pictures always show the same thing.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "util/text.hpp"

namespace picket {

namespace {

// The analysis names the virtual vertex "network" (topology-format.md §3).
constexpr std::string_view k_network_name = "network";
constexpr std::size_t k_short_id_length = 8;

enum class VertexKind { validator, private_sentry, public_sentry, signer, partner_peer, network };
enum class EdgeKind { vpn, private_net, public_net, partner, network, signs };

struct Vertex {
  std::string name;  // the analysis' vertex name; signers use their node name
  VertexKind kind = VertexKind::network;
  std::vector<std::string> lines;  // label, one entry per line
  bool spof = false;               // in analysis.spof_nodes
  bool in_spof_domain = false;     // placed in a failure domain that is a SPOF
  bool standby = false;
};

struct Group {
  bool partner = false;            // a partner's cluster rather than a datacenter
  std::string key;                 // datacenter or partner name
  std::vector<std::string> lines;  // title
  bool spof = false;               // the datacenter itself is a SPOF domain
  std::vector<std::size_t> members;
};

struct Edge {
  std::size_t a = 0;  // drawn first: the end nearer the validator
  std::size_t b = 0;
  EdgeKind kind = EdgeKind::vpn;
  bool spof = false;
};

struct Scene {
  std::string title;
  std::vector<Vertex> vertices;
  std::vector<Group> groups;
  std::vector<std::size_t> loose;  // our vertices without a datacenter
  std::size_t network = 0;
  std::vector<Edge> edges;
};

VertexKind vertex_kind(Role role) {
  switch (role) {
    case Role::validator: return VertexKind::validator;
    case Role::private_sentry: return VertexKind::private_sentry;
    case Role::public_sentry: return VertexKind::public_sentry;
    case Role::signer: return VertexKind::signer;
  }
  return VertexKind::private_sentry;
}

// Left-to-right order of the picture: the signer and validator first, the network last, so
// each edge is written from its end nearer the validator and dot ranks them that way.
int depth(VertexKind kind) {
  switch (kind) {
    case VertexKind::signer: return 0;
    case VertexKind::validator: return 1;
    case VertexKind::private_sentry: return 2;
    case VertexKind::public_sentry: return 3;
    case VertexKind::partner_peer: return 3;
    case VertexKind::network: return 4;
  }
  return 2;
}

void append_unique(std::vector<std::string>& values, const std::optional<std::string>& v) {
  if (v && std::find(values.begin(), values.end(), *v) == values.end()) values.push_back(*v);
}

Scene build_scene(const Topology& topology, const Inventory& inventory,
                  const GraphAnalysis& analysis) {
  Scene scene;
  scene.title = topology.chain.id.value;

  const std::set<std::string> spof_nodes(analysis.spof_nodes.begin(), analysis.spof_nodes.end());
  std::set<std::pair<std::string, std::string>> spof_links;
  for (const auto& [a, b] : analysis.spof_links) spof_links.insert(std::minmax(a, b));
  auto is_spof_link = [&](const std::string& a, const std::string& b) {
    return spof_links.count(std::minmax(a, b)) > 0;
  };
  std::set<std::string> spof_datacenters;
  for (const auto& [kind, value] : analysis.spof_domains)
    if (kind == DomainKind::datacenter) spof_datacenters.insert(value);

  std::map<std::string, std::size_t> index;  // vertex name -> position (not the network)
  std::map<std::string, std::size_t> datacenter_group;
  std::map<std::size_t, std::vector<std::string>> group_regions, group_providers;

  for (const Node& node : topology.nodes) {
    if (index.count(node.name.value) > 0) continue;  // a duplicate the loader reported
    Vertex v;
    v.name = node.name.value;
    v.kind = vertex_kind(node.role.value);
    v.standby = node.role.value == Role::validator && node.standby.value;
    v.lines.push_back(v.standby ? v.name + " (standby)" : v.name);
    v.lines.push_back(node.host.value);
    v.spof = spof_nodes.count(v.name) > 0;
    if (v.spof) v.lines.push_back("SPOF");

    const Host* host = inventory.find_host(node.host.value);
    // Signers are not graph vertices, so no failure domain can cut them off.
    if (host != nullptr && v.kind != VertexKind::signer) {
      for (const auto& [kind, value] : analysis.spof_domains) {
        if (host->domain(kind) != value) continue;
        v.in_spof_domain = true;
        // A datacenter's cluster carries its own mark; other domains are noted per node.
        if (kind != DomainKind::datacenter)
          v.lines.push_back(fmt::format("SPOF {}={}", domain_kind_name(kind), value));
      }
    }

    const std::size_t position = scene.vertices.size();
    index.emplace(v.name, position);
    scene.vertices.push_back(std::move(v));

    if (host == nullptr || !host->datacenter) {
      scene.loose.push_back(position);
      continue;
    }
    const std::string& dc = host->datacenter->value;
    auto [it, added] = datacenter_group.emplace(dc, scene.groups.size());
    if (added) {
      Group g;
      g.key = dc;
      g.spof = spof_datacenters.count(dc) > 0;
      scene.groups.push_back(std::move(g));
    }
    scene.groups[it->second].members.push_back(position);
    append_unique(group_regions[it->second], host->domain(DomainKind::region));
    append_unique(group_providers[it->second], host->domain(DomainKind::provider));
  }
  for (std::size_t g = 0; g < scene.groups.size(); ++g) {
    Group& group = scene.groups[g];
    group.lines.push_back(group.key);
    std::vector<std::string> place = group_regions[g];
    for (const auto& p : group_providers[g]) place.push_back(p);
    if (!place.empty()) group.lines.push_back(join(place, ", "));
    if (group.spof) group.lines.push_back("SPOF datacenter");
  }

  for (const Partner& partner : topology.partners) {
    Group g;
    g.partner = true;
    g.key = partner.name.value;
    g.lines.push_back("partner " + partner.name.value);
    for (std::size_t i = 0; i < partner.peers.size(); ++i) {
      Vertex v;
      v.name = fmt::format("{}/{}", partner.name.value, i + 1);
      v.kind = VertexKind::partner_peer;
      v.lines.push_back(v.name);
      v.lines.push_back(partner.peers[i].id.value.substr(0, k_short_id_length));
      v.spof = spof_nodes.count(v.name) > 0;
      if (v.spof) v.lines.push_back("SPOF");
      g.members.push_back(scene.vertices.size());
      index.emplace(v.name, scene.vertices.size());
      scene.vertices.push_back(std::move(v));
    }
    scene.groups.push_back(std::move(g));
  }

  Vertex network;
  network.name = std::string(k_network_name);
  network.kind = VertexKind::network;
  network.lines.push_back("p2p network");
  scene.network = scene.vertices.size();
  scene.vertices.push_back(std::move(network));

  auto add_edge = [&](std::size_t a, std::size_t b, EdgeKind kind) {
    const Vertex& va = scene.vertices[a];
    const Vertex& vb = scene.vertices[b];
    Edge e{a, b, kind, kind != EdgeKind::signs && is_spof_link(va.name, vb.name)};
    if (depth(vb.kind) < depth(va.kind)) std::swap(e.a, e.b);
    scene.edges.push_back(e);
  };
  auto find = [&](const std::string& name) -> std::optional<std::size_t> {
    const auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
  };

  for (const Node& node : topology.nodes) {
    if (node.role.value != Role::validator || !node.signer) continue;
    const auto validator = find(node.name.value);
    const auto signer = find(node.signer->value);
    if (validator && signer && *validator != *signer)
      add_edge(*signer, *validator, EdgeKind::signs);
  }
  for (const Link& link : topology.links) {
    const auto a = find(link.a.value);
    const auto b = find(link.b.value);
    if (!a || !b) continue;  // a dangling name the loader reported
    const EdgeKind kind = link.over.value == LinkKind::vpn           ? EdgeKind::vpn
                          : link.over.value == LinkKind::private_net ? EdgeKind::private_net
                                                                     : EdgeKind::public_net;
    add_edge(*a, *b, kind);
  }
  for (const Partner& partner : topology.partners) {
    for (const auto& with : partner.with) {
      const auto ours = find(with.value);
      if (!ours) continue;
      for (std::size_t i = 0; i < partner.peers.size(); ++i) {
        const auto peer = find(fmt::format("{}/{}", partner.name.value, i + 1));
        if (peer) add_edge(*ours, *peer, EdgeKind::partner);
      }
    }
  }
  for (std::size_t v = 0; v < scene.network; ++v) {
    const VertexKind kind = scene.vertices[v].kind;
    if (kind == VertexKind::public_sentry || kind == VertexKind::partner_peer)
      add_edge(v, scene.network, EdgeKind::network);
  }
  return scene;
}

// ---------------------------------------------------------------------------------------
// DOT

// A DOT double-quoted string: `"` and `\` escaped; a line break becomes DOT's `\n`.
std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out + '"';
}

// Lines escaped one by one and joined with DOT's centred line break. Graphviz reads HTML
// entities in labels, so '&' is written as "&amp;" to show a name like "a&amp;b" as it is.
std::string dot_label(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\\n";
    std::string text;
    for (char c : lines[i]) text += c == '&' ? std::string("&amp;") : std::string(1, c);
    const std::string q = dot_quote(text);
    out += q.substr(1, q.size() - 2);
  }
  return out + '"';
}

// The vertex id in DOT. The network gets a name no node can have ([a-z0-9-] only), so a node
// called "network" cannot merge with it.
std::string dot_id(const Vertex& v) {
  return v.kind == VertexKind::network ? dot_quote("p2p network") : dot_quote(v.name);
}

std::string_view dot_role_attributes(VertexKind kind) {
  switch (kind) {
    case VertexKind::validator: return "shape=doubleoctagon, fillcolor=gold";
    case VertexKind::private_sentry: return "shape=box, fillcolor=lightblue";
    case VertexKind::public_sentry: return "shape=ellipse, fillcolor=palegreen";
    case VertexKind::signer: return "shape=hexagon, fillcolor=lightgrey";
    case VertexKind::partner_peer: return "shape=box, style=\"filled,rounded\", fillcolor=thistle";
    case VertexKind::network: return "shape=egg, fillcolor=whitesmoke";
  }
  return "";
}

std::string_view dot_edge_attributes(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::vpn: return "style=bold";
    case EdgeKind::private_net: return "style=dashed";
    case EdgeKind::public_net: return "style=dotted, color=darkorange, penwidth=2";
    case EdgeKind::partner: return "style=dashed, color=purple";
    case EdgeKind::network: return "color=gray60, penwidth=0.6";
    case EdgeKind::signs: return "style=dotted, color=gray40, label=\"signs\", fontsize=9";
  }
  return "";
}

std::string dot_vertex(const Vertex& v, std::string_view indent) {
  std::string attrs = fmt::format("label={}, {}", dot_label(v.lines), dot_role_attributes(v.kind));
  if (v.standby) attrs += ", style=\"filled,dashed\"";
  if (v.spof)
    attrs += ", color=red, penwidth=3";
  else if (v.in_spof_domain)
    attrs += ", color=red";
  return fmt::format("{}{} [{}];\n", indent, dot_id(v), attrs);
}

// A small legend: one table node, role colours on the left, line styles on the right (drawn
// with box-drawing characters). A table keeps it compact; sample edges would span whole ranks
// of the main graph. The only label that is not a quoted string: it is constant, so there is
// nothing to escape.
std::string dot_legend() {
  struct Row {
    std::string_view fill;  // the role's colour; "" for the SPOF sample (a red border)
    std::string_view role;
    std::string_view line_color;  // "" for black
    std::string_view line_glyphs;
    std::string_view line;
  };
  constexpr std::array<Row, 7> k_rows{{
      {"gold", "validator", "", "━━━━", "vpn"},
      {"lightgrey", "signer", "", "╌╌╌╌", "private"},
      {"lightblue", "private sentry", "darkorange", "┈┈┈┈", "public"},
      {"palegreen", "public sentry", "purple", "╌╌╌╌", "partner peering"},
      {"thistle", "partner peer", "gray60", "────", "on the network"},
      {"whitesmoke", "p2p network", "gray40", "┈┈┈┈", "signs"},
      {"", "SPOF", "red", "━━━━", "SPOF link"},
  }};
  std::string out;
  out += "  subgraph \"cluster_legend\" {\n";
  out += "    label=\"legend\"; style=\"rounded,dashed\"; color=gray60; fontsize=10;\n";
  out += "    \"legend table\" [shape=plaintext, style=\"\", fontsize=9, label=<<TABLE "
         "BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"2\">\n";
  for (const Row& row : k_rows) {
    const std::string cell = row.fill.empty()
                                 ? std::string(R"(BORDER="3" COLOR="red")")
                                 : fmt::format(R"(BORDER="1" BGCOLOR="{}")", row.fill);
    const std::string font =
        row.line_color.empty() ? std::string() : fmt::format(R"( COLOR="{}")", row.line_color);
    out += fmt::format(
        "      <TR><TD {}>{}</TD><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"12\"{}>{}"
        "</FONT> {}</TD></TR>\n",
        cell, row.role, font, row.line_glyphs, row.line);
  }
  out += "    </TABLE>>];\n";
  out += "  }\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// Mermaid

// A Mermaid quoted label: characters Mermaid would read as syntax or HTML become its entity
// codes (#quot; etc.); line breaks become <br/>.
std::string mermaid_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case '#': out += "#35;"; break;
      case '&': out += "#amp;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '`': out += "#96;"; break;
      case '\n': out += "<br/>"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string mermaid_label(const std::vector<std::string>& lines) {
  std::vector<std::string> escaped;
  for (const auto& line : lines) escaped.push_back(mermaid_text(line));
  return '"' + join(escaped, "<br/>") + '"';
}

std::string mermaid_shape(VertexKind kind, const std::string& label) {
  switch (kind) {
    case VertexKind::validator: return "[[" + label + "]]";
    case VertexKind::private_sentry: return "[" + label + "]";
    case VertexKind::public_sentry: return "([" + label + "])";
    case VertexKind::signer: return "{{" + label + "}}";
    case VertexKind::partner_peer: return "(" + label + ")";
    case VertexKind::network: return "((" + label + "))";
  }
  return "[" + label + "]";
}

std::string_view mermaid_class(VertexKind kind) {
  switch (kind) {
    case VertexKind::validator: return "validator";
    case VertexKind::private_sentry: return "privateSentry";
    case VertexKind::public_sentry: return "publicSentry";
    case VertexKind::signer: return "signer";
    case VertexKind::partner_peer: return "partner";
    case VertexKind::network: return "network";
  }
  return "";
}

// The connector between two ids: vpn thick, other kinds dotted (Mermaid's only broken line),
// told apart by a label or a colour.
std::string_view mermaid_connector(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::vpn: return "===";
    case EdgeKind::private_net: return "-. private .-";
    case EdgeKind::public_net: return "-. public .-";
    case EdgeKind::partner: return "-.-";
    case EdgeKind::network: return "---";
    case EdgeKind::signs: return "-. signs .-";
  }
  return "---";
}

std::optional<std::string_view> mermaid_link_style(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::public_net: return "stroke:#ff8c00,stroke-width:2px";
    case EdgeKind::partner: return "stroke:#800080";
    case EdgeKind::network: return "stroke:#999999,stroke-width:1px";
    case EdgeKind::signs: return "stroke:#666666";
    case EdgeKind::vpn:
    case EdgeKind::private_net: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string picture_dot(const Topology& topology, const Inventory& inventory,
                        const GraphAnalysis& analysis) {
  const Scene scene = build_scene(topology, inventory, analysis);
  std::string out = "graph \"picket\" {\n";
  out += "  graph [rankdir=LR, newrank=true, nodesep=0.35, ranksep=0.8, fontname=\"Helvetica\"";
  if (!scene.title.empty()) out += fmt::format(", label={}, labelloc=t", dot_quote(scene.title));
  out += "];\n";
  out += "  node [style=filled, fontname=\"Helvetica\", fontsize=11];\n";
  out += "  edge [fontname=\"Helvetica\"];\n";

  for (const Group& g : scene.groups) {
    const std::string prefix = g.partner ? "cluster_partner_" : "cluster_dc_";
    out += fmt::format("  subgraph {} {{\n", dot_quote(prefix + g.key));
    out += fmt::format("    label={}; style=rounded; fontsize=10;", dot_label(g.lines));
    if (g.spof)
      out += " color=red; penwidth=3;";
    else if (g.partner)
      out += " color=purple;";
    else
      out += " color=gray50;";
    out += '\n';
    for (std::size_t v : g.members) out += dot_vertex(scene.vertices[v], "    ");
    out += "  }\n";
  }
  for (std::size_t v : scene.loose) out += dot_vertex(scene.vertices[v], "  ");
  out += dot_vertex(scene.vertices[scene.network], "  ");

  for (const Edge& e : scene.edges) {
    std::string attrs(dot_edge_attributes(e.kind));
    if (e.spof) attrs += ", color=red, penwidth=3";
    out += fmt::format("  {} -- {} [{}];\n", dot_id(scene.vertices[e.a]),
                       dot_id(scene.vertices[e.b]), attrs);
  }
  out += dot_legend();
  out += "}\n";
  return out;
}

std::string picture_mermaid(const Topology& topology, const Inventory& inventory,
                            const GraphAnalysis& analysis) {
  const Scene scene = build_scene(topology, inventory, analysis);
  // Ids are numbers in order of appearance, so no name (quotes, keywords like "end") can
  // break the syntax and the text reads top to bottom.
  std::vector<std::size_t> order;  // vertex positions in order of appearance
  for (const Group& g : scene.groups) order.insert(order.end(), g.members.begin(), g.members.end());
  order.insert(order.end(), scene.loose.begin(), scene.loose.end());
  order.push_back(scene.network);
  std::vector<std::size_t> number(scene.vertices.size());
  for (std::size_t i = 0; i < order.size(); ++i) number[order[i]] = i;
  auto id = [&](std::size_t v) { return fmt::format("n{}", number[v]); };
  auto vertex = [&](std::size_t v, std::string_view indent) {
    const Vertex& x = scene.vertices[v];
    return fmt::format("{}{}{}\n", indent, id(v), mermaid_shape(x.kind, mermaid_label(x.lines)));
  };

  std::string out = "flowchart LR\n";
  if (!scene.title.empty()) {
    // A comment ends at the line break, so a broken chain id must not carry one.
    std::string title = scene.title;
    std::replace_if(title.begin(), title.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    out += fmt::format("  %% {}\n", title);
  }
  for (std::size_t g = 0; g < scene.groups.size(); ++g) {
    out += fmt::format("  subgraph g{}[{}]\n", g, mermaid_label(scene.groups[g].lines));
    for (std::size_t v : scene.groups[g].members) out += vertex(v, "    ");
    out += "  end\n";
  }
  for (std::size_t v : scene.loose) out += vertex(v, "  ");
  out += vertex(scene.network, "  ");

  for (const Edge& e : scene.edges)
    out += fmt::format("  {} {} {}\n", id(e.a), mermaid_connector(e.kind), id(e.b));

  out += "  classDef validator fill:#ffd700,stroke:#8b7500,color:#000\n";
  out += "  classDef privateSentry fill:#add8e6,stroke:#4682b4,color:#000\n";
  out += "  classDef publicSentry fill:#98fb98,stroke:#2e8b57,color:#000\n";
  out += "  classDef signer fill:#d3d3d3,stroke:#696969,color:#000\n";
  out += "  classDef partner fill:#d8bfd8,stroke:#800080,color:#000\n";
  out += "  classDef network fill:#f5f5f5,stroke:#808080,color:#000\n";
  out += "  classDef spofDomain stroke:#ff0000\n";
  out += "  classDef spof stroke:#ff0000,stroke-width:3px\n";

  // One `class` line per role, then the SPOF classes on top (later classDefs win in CSS).
  for (VertexKind kind : {VertexKind::validator, VertexKind::private_sentry,
                          VertexKind::public_sentry, VertexKind::signer, VertexKind::partner_peer,
                          VertexKind::network}) {
    std::vector<std::string> ids;
    for (std::size_t v : order)
      if (scene.vertices[v].kind == kind) ids.push_back(id(v));
    if (!ids.empty()) out += fmt::format("  class {} {}\n", join(ids, ","), mermaid_class(kind));
  }
  std::vector<std::string> spof, in_domain;
  for (std::size_t v : order) {
    if (scene.vertices[v].spof)
      spof.push_back(id(v));
    else if (scene.vertices[v].in_spof_domain)
      in_domain.push_back(id(v));
  }
  if (!in_domain.empty()) out += fmt::format("  class {} spofDomain\n", join(in_domain, ","));
  if (!spof.empty()) out += fmt::format("  class {} spof\n", join(spof, ","));
  for (std::size_t g = 0; g < scene.groups.size(); ++g)
    if (scene.groups[g].spof)
      out += fmt::format("  style g{} stroke:#ff0000,stroke-width:3px\n", g);

  // linkStyle counts links in the order they were written above.
  for (std::size_t i = 0; i < scene.edges.size(); ++i) {
    const Edge& e = scene.edges[i];
    if (e.spof)
      out += fmt::format("  linkStyle {} stroke:#ff0000,stroke-width:4px\n", i);
    else if (const auto style = mermaid_link_style(e.kind))
      out += fmt::format("  linkStyle {} {}\n", i, *style);
  }
  return out;
}

}  // namespace picket
