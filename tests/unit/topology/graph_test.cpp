#include "topology/graph.hpp"

#include <gtest/gtest.h>

#include "tests/unit/topology/model_builder.hpp"
#include "topology/disjoint_paths.hpp"

namespace picket {
namespace {

using test::ModelBuilder;

// "kind a-b" per edge, in edge order, so a test can compare the whole edge list.
std::string describe_edges(const TopologyGraph& g) {
  std::string out;
  for (const GraphEdge& e : g.edges) {
    const char* kind = e.kind == EdgeKind::link      ? "link"
                       : e.kind == EdgeKind::peering ? "peering"
                                                     : "network";
    out += fmt::format("{} {}-{}\n", kind, g.vertices[e.a].name, g.vertices[e.b].name);
  }
  return out;
}

std::vector<std::string> names(const TopologyGraph& g, const std::vector<VertexId>& ids) {
  std::vector<std::string> out;
  for (VertexId v : ids) out.push_back(g.vertices[v].name);
  return out;
}

TEST(Graph, VerticesEdgesAndValidatorFollowTheFormat) {
  ModelBuilder b;
  b.node("standby-val", Role::validator, "h1").standby()
      .node("validator", Role::validator, "h2").signer("kms")
      .node("kms", Role::signer, "h3")
      .node("priv", Role::private_sentry, "h4")
      .node("pub", Role::public_sentry, "h5")
      .link("validator", "priv")
      .link("validator", "kms")     // signer end: not in the graph
      .link("priv", "ghost")        // unknown end: not in the graph
      .link("priv", "priv")         // self-link: connects nothing
      .link("priv", "pub")
      .link("standby-val", "priv")
      .partner("certus").peer().peer().with("priv").with("kms").with("nobody");
  const TopologyGraph g = build_graph(b.topology());

  std::vector<std::string> vertex_names;
  for (const GraphVertex& v : g.vertices) vertex_names.push_back(v.name);
  EXPECT_EQ(vertex_names, (std::vector<std::string>{"standby-val", "validator", "priv", "pub",
                                                    "certus/1", "certus/2", "network"}));
  ASSERT_TRUE(g.validator.has_value());
  EXPECT_EQ(g.vertices[*g.validator].name, "validator");
  EXPECT_EQ(g.network, 6u);
  EXPECT_EQ(describe_edges(g),
            "link validator-priv\n"
            "link priv-pub\n"
            "link standby-val-priv\n"
            "peering priv-certus/1\n"
            "peering priv-certus/2\n"
            "network pub-network\n"
            "network certus/1-network\n"
            "network certus/2-network\n");
  EXPECT_EQ(g.find("certus/2"), std::optional<VertexId>(5));
  EXPECT_EQ(g.find("kms"), std::nullopt);
  EXPECT_EQ(g.find("network"), std::nullopt);
}

TEST(Graph, NoActiveValidatorWhenAllAreStandby) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1").standby();
  EXPECT_FALSE(build_graph(b.topology()).validator.has_value());
}

TEST(Graph, ParallelLinksAreTwoEdges) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h1")
      .node("priv", Role::private_sentry, "h2")
      .link("validator", "priv", LinkKind::vpn)
      .link("priv", "validator", LinkKind::private_net);
  EXPECT_EQ(describe_edges(build_graph(b.topology())),
            "link validator-priv\n"
            "link priv-validator\n");
}

TEST(Graph, BfsDoesNotRelayThroughNetwork) {
  // validator - priv - pub1 - network - pub2: pub2 is only "reached" through network.
  ModelBuilder b;
  b.node("validator", Role::validator, "h1")
      .node("priv", Role::private_sentry, "h2")
      .node("pub1", Role::public_sentry, "h3")
      .node("pub2", Role::public_sentry, "h4")
      .link("validator", "priv")
      .link("priv", "pub1");
  const TopologyGraph g = build_graph(b.topology());
  const auto parent = bfs_parents(g, GraphMask{}, *g.validator);
  EXPECT_EQ(parent[*g.find("pub1")], *g.find("priv"));
  EXPECT_EQ(parent[g.network], *g.find("pub1"));
  EXPECT_EQ(parent[*g.find("pub2")], g.size());
}

TEST(DisjointPaths, PathsAreNodeDisjointAndCutIsClosestToTheValidator) {
  // Two sentries share one relay: the relay is the cut, not the sentries behind it.
  //   validator - a - relay - pub1, pub2;  validator - b - relay;  validator - c - pub3
  ModelBuilder b;
  b.node("validator", Role::validator, "h")
      .node("a", Role::private_sentry, "h")
      .node("b", Role::private_sentry, "h")
      .node("c", Role::private_sentry, "h")
      .node("relay", Role::private_sentry, "h")
      .node("pub1", Role::public_sentry, "h")
      .node("pub2", Role::public_sentry, "h")
      .node("pub3", Role::public_sentry, "h")
      .link("validator", "a")
      .link("validator", "b")
      .link("validator", "c")
      .link("a", "relay")
      .link("b", "relay")
      .link("relay", "pub1")
      .link("relay", "pub2")
      .link("c", "pub3");
  const TopologyGraph g = build_graph(b.topology());
  const DisjointPaths d = disjoint_paths(g, GraphMask{}, *g.validator, g.network);
  ASSERT_EQ(d.paths.size(), 2u);
  EXPECT_EQ(names(g, d.cut), (std::vector<std::string>{"c", "relay"}));
  std::vector<int> used(g.size(), 0);
  for (const auto& path : d.paths) {
    EXPECT_EQ(path.front(), *g.validator);
    EXPECT_EQ(path.back(), g.network);
    for (std::size_t i = 1; i + 1 < path.size(); ++i) ++used[path[i]];
  }
  for (VertexId v = 0; v < g.size(); ++v) EXPECT_LE(used[v], 1) << g.vertices[v].name;
}

TEST(DisjointPaths, MaskRemovesVerticesAndEdges) {
  ModelBuilder b;
  b.node("validator", Role::validator, "h")
      .node("a", Role::private_sentry, "h")
      .node("b", Role::private_sentry, "h")
      .node("pub", Role::public_sentry, "h")
      .link("validator", "a")
      .link("validator", "b")
      .link("a", "pub")
      .link("b", "pub");
  const TopologyGraph g = build_graph(b.topology());
  // Both routes meet at pub: one path.
  EXPECT_EQ(disjoint_paths(g, GraphMask{}, *g.validator, g.network).paths.size(), 1u);
  GraphMask mask;
  mask.vertex_alive.assign(g.size(), 1);
  mask.vertex_alive[*g.find("pub")] = 0;
  const DisjointPaths none = disjoint_paths(g, mask, *g.validator, g.network);
  EXPECT_TRUE(none.paths.empty());
  EXPECT_TRUE(none.cut.empty());
}

}  // namespace
}  // namespace picket
