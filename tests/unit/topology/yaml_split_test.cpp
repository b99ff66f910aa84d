// A big file is parsed in pieces on several threads (parse_yaml with a restartable sink).
// Every test here parses the same text whole and cut into the smallest pieces (a cut before
// every entry) and asserts identical results: the entries the sink receives, in order, the
// tree left, the diagnostics; and whether the cut was used or had to be undone.

#include "topology/yaml_split.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "tests/unit/topology/load_test_util.hpp"
#include "topology/load.hpp"
#include "topology/yaml_tree.hpp"
#include "tests/unit/topology/yaml_dump.hpp"

namespace picket {
namespace {

using test::render;

using test::dump;

// Streams `nodes` (map) and `links` (sequence) like the topology loader, and can restart.
class Sink : public YamlEntrySink {
 public:
  bool accept_root(YamlKind kind) override { return kind == YamlKind::map; }
  bool stream_entries(std::string_view key, YamlKind kind) override {
    return (key == "nodes" && kind == YamlKind::map) ||
           (key == "links" && kind == YamlKind::sequence);
  }
  void on_collection(std::string_view key, std::size_t) override {
    log += "begin " + std::string(key) + "\n";
  }
  void on_entry(const YamlTree& tree, std::string_view collection, YamlId key,
                YamlId value) override {
    log += std::string(collection) + ": " + (key == k_no_yaml ? "-" : dump(tree, key)) + " = " +
           dump(tree, value) + "\n";
  }
  bool can_restart() const override { return true; }
  void on_restart() override {
    log.clear();
    ++restarts;
  }
  std::string log;
  int restarts = 0;
};

struct Result {
  std::string log;    // what the sink kept
  std::string tree;   // the root left in the tree
  std::string diags;  // diagnostics
  YamlParseStats stats;
};

Result parse(const std::string& text, bool split) {
  auto file = std::make_shared<const std::string>("t.yaml");
  YamlTree tree;
  Diagnostics diags;
  Sink sink;
  Result r;
  YamlParseOptions options;
  options.split_min_bytes = split ? 0 : std::numeric_limits<std::size_t>::max();
  options.chunk_bytes = 1;  // a piece per entry
  options.workers = 2;
  options.stats = &r.stats;
  const YamlDocument doc = parse_yaml(text, file, tree, &sink, diags, options);
  if (doc.status == YamlStatus::ok) r.tree = dump(tree, doc.root);
  r.log = sink.log;
  r.diags = render(diags);
  EXPECT_EQ(sink.restarts, r.stats.restarted ? 1 : 0);
  return r;
}

enum class Expect { split, restart, whole };

// Parses `text` both ways, expects identical results and that the cut went as `expect`.
void same_both_ways(const std::string& text, Expect expect) {
  const Result whole = parse(text, false);
  const Result split = parse(text, true);
  EXPECT_EQ(whole.stats.chunks, 0u);
  EXPECT_EQ(split.log, whole.log);
  EXPECT_EQ(split.tree, whole.tree);
  EXPECT_EQ(split.diags, whole.diags);
  switch (expect) {
    case Expect::split:
      EXPECT_GE(split.stats.chunks, 2u);
      EXPECT_FALSE(split.stats.restarted);
      break;
    case Expect::restart:
      EXPECT_GE(split.stats.chunks, 2u);
      EXPECT_TRUE(split.stats.restarted);
      break;
    case Expect::whole:
      EXPECT_EQ(split.stats.chunks, 0u);
      break;
  }
}

TEST(YamlSplit, PlainBlocksAreCutAndReadTheSame) {
  const std::string text =
      "version: 1\n"
      "chain: {id: c, cometbft: \"0.38\"}\n"
      "nodes:\n"
      "  a:\n"
      "    role: validator\n"
      "    host: h-a\n"
      "  b:\n"
      "    role: signer\n"
      "  c: {role: x, host: \"h c\"}\n"
      "links:\n"
      "  - between: [a, b]\n"
      "    over: private\n"
      "  - {between: [b, c]}\n"
      "  - between:\n"
      "    - c\n"
      "    - a\n"
      "vpn: {subnet: 10.0.0.0/24}\n";
  same_both_ways(text, Expect::split);
  // And the entries really are those of the file, with their lines.
  EXPECT_EQ(parse(text, true).log,
            "begin nodes\n"
            "nodes: \"a\"@4:3 = {\"role\"@5:5: \"validator\"@5:11, \"host\"@6:5: \"h-a\"@6:11}@5:5\n"
            "nodes: \"b\"@7:3 = {\"role\"@8:5: \"signer\"@8:11}@8:5\n"
            "nodes: \"c\"@9:3 = {\"role\"@9:7: \"x\"@9:13, \"host\"@9:16: \"h c\"'@9:22}@9:6\n"
            "begin links\n"
            "links: - = {\"between\"@11:5: [\"a\"@11:15, \"b\"@11:18]@11:14, \"over\"@12:5: "
            "\"private\"@12:11}@11:5\n"
            "links: - = {\"between\"@13:6: [\"b\"@13:16, \"c\"@13:19]@13:15}@13:5\n"
            "links: - = {\"between\"@14:5: [\"c\"@15:7, \"a\"@16:7]@15:5}@14:5\n");
}

TEST(YamlSplit, CommentsBlankLinesAndIndentlessSequences) {
  same_both_ways(
      "# head\n"
      "---\n"
      "nodes:   \n"
      "\n"
      "# at column 0 inside the body\n"
      "  a: {role: x}   # trailing\n"
      "\n"
      "      # deeper\n"
      "  b: {role: y}\n"
      "links:\n"
      "- [a, b]\n"
      "# between items\n"
      "- [b, a]\n"
      "-\n"
      "  - c\n"
      "tail: 1\n",
      Expect::split);
}

TEST(YamlSplit, MultiLineScalarsStayWhole) {
  // Plain continuation lines, literal and folded block scalars (kept trailing blank lines
  // at the end of a piece and of a section), a quoted scalar over several lines.
  same_both_ways(
      "nodes:\n"
      "  a:\n"
      "    note: one\n"
      "      two\n"
      "     three\n"
      "  b:\n"
      "    note: |+\n"
      "      kept\n"
      "\n"
      "\n"
      "  c:\n"
      "    note: >-\n"
      "      folded\n"
      "      text\n"
      "\n"
      "    other: \"quoted\n"
      "      on two lines\"\n"
      "  d:\n"
      "    note: |2+\n"
      "       indented by the indicator\n"
      "\n"
      "links:\n"
      "  - |\n"
      "    a block item\n"
      "\n",
      Expect::split);
}

TEST(YamlSplit, AQuotedScalarOverACutIsReadWhole) {
  // The line "  b: y" looks like an entry but is inside the quotes: the cut is undone.
  same_both_ways(
      "nodes:\n"
      "  a:\n"
      "    role: \"x\n"
      "  b: y\"\n"
      "  c: {}\n",
      Expect::restart);
  same_both_ways(
      "nodes:\n"
      "  a: 'x\n"
      "  b: y'\n"
      "  c: {}\n",
      Expect::restart);
}

TEST(YamlSplit, AFlowCollectionOverACutIsReadWhole) {
  same_both_ways(
      "nodes:\n"
      "  a: {role: x,\n"
      "  b: y}\n"
      "  c: {}\n",
      Expect::restart);
}

TEST(YamlSplit, AnchorsAndAliasesAreReadWhole) {
  // Across pieces, from the head into a piece, and within one entry.
  same_both_ways(
      "nodes:\n"
      "  a: &n {role: x}\n"
      "  b: *n\n",
      Expect::restart);
  same_both_ways(
      "x-base: &b {role: v}\n"
      "nodes:\n"
      "  a: *b\n"
      "  c: {}\n",
      Expect::restart);
  same_both_ways(
      "nodes:\n"
      "  a: {role: &r x, host: *r}\n"
      "  c: {}\n",
      Expect::restart);
}

TEST(YamlSplit, MergeKeys) {
  // Inside an entry a merge is local to the piece; at the streamed level it is not an entry.
  same_both_ways(
      "nodes:\n"
      "  a:\n"
      "    <<: {role: x}\n"
      "    host: h\n"
      "  b: {<<: [{role: y}, {host: z}]}\n",
      Expect::split);
  same_both_ways(
      "nodes:\n"
      "  a: {}\n"
      "  <<: {m: {}}\n"
      "  b: {}\n",
      Expect::restart);
}

TEST(YamlSplit, DuplicateKeys) {
  // Across pieces: reported where it is written, the entry dropped, no restart.
  same_both_ways(
      "nodes:\n"
      "  a: {role: x}\n"
      "  b: {role: y}\n"
      "  a: {role: z}\n",
      Expect::split);
  // Inside an entry: the builder's own diagnostic, read whole.
  same_both_ways(
      "nodes:\n"
      "  a: {role: x, role: y}\n"
      "  b: {}\n",
      Expect::restart);
  // A top-level key twice: not cut at all.
  same_both_ways(
      "nodes:\n"
      "  a: {}\n"
      "  b: {}\n"
      "nodes:\n"
      "  c: {}\n",
      Expect::whole);
  // A top-level key twice that the plan cannot see (quoted): read whole after the cut.
  same_both_ways(
      "nodes:\n"
      "  a: {}\n"
      "  b: {}\n"
      "\"nodes\":\n"
      "  c: {}\n",
      Expect::restart);
}

TEST(YamlSplit, LeftOutValues) {
  // Inside a piece, at a piece's end (the next token decides), before a key named null.
  same_both_ways(
      "nodes:\n"
      "  a:\n"
      "    role:\n"
      "    host: h\n"
      "  b:\n"
      "  c: {}\n"
      "links:\n"
      "  -\n"
      "  - x\n"
      "  -\n"
      "tail:\n",
      Expect::restart);
  same_both_ways(
      "nodes:\n"
      "  a:\n"
      "  null: x\n"
      "  b: {}\n",
      Expect::split);
  same_both_ways(
      "nodes:\n"
      "  a:\n"
      "    role:\n"
      "    host: h\n"
      "  c: {}\n",
      Expect::split);
}

TEST(YamlSplit, DocumentMarkersDirectivesAndByteOrderMarks) {
  same_both_ways("---\nnodes:\n  a: {}\n  b: {}\n...\n", Expect::whole);
  same_both_ways("nodes:\n  a: {}\n  b: {}\n---\nnodes:\n  c: {}\n", Expect::whole);
  same_both_ways("%YAML 1.2\n---\nnodes:\n  a: {}\n  b: {}\n", Expect::whole);
  same_both_ways("\xEF\xBB\xBFnodes:\n  a: {}\n  b: {}\n", Expect::whole);
  same_both_ways("nodes:\r\n  a: {}\r\n  b: {}\r\n", Expect::whole);
  same_both_ways("nodes:\n  a: {role:\tx}\n  b: {}\n", Expect::whole);
  // `--- ` with a node on the marker line at the start.
  same_both_ways("--- # the document\nnodes:\n  a: {}\n  b: {}\n", Expect::split);
}

TEST(YamlSplit, TagsAndErrors) {
  same_both_ways("nodes:\n  a: {role: !!str 1}\n  b: {}\n", Expect::split);
  same_both_ways("nodes:\n  a: {role: !custom x}\n  b: {}\n", Expect::restart);
  // A syntax error in a piece, in the head, after the sections.
  same_both_ways("nodes:\n  a: {role: x\n  b: {}\n", Expect::restart);
  same_both_ways("head: [\nnodes:\n  a: {}\n  b: {}\n", Expect::restart);
  same_both_ways("nodes:\n  a: {}\n  b: {}\ntail: ]\n", Expect::restart);
  // A stray line indented less than the entries.
  same_both_ways("nodes:\n    a: 1\n    a2: 1\n  b: 2\n    c: 3\n", Expect::restart);
  // The root is not a map.
  same_both_ways("- x\nnodes:\n  a: {}\n  b: {}\n", Expect::restart);
  // "nodes:" inside a multi-line quoted top-level scalar.
  same_both_ways("head: \"x\nnodes:\n  a: {}\n  b: {}\"\n", Expect::restart);
}

TEST(YamlSplit, NestingAndAliasBudgetsStillHold) {
  std::string deep = "nodes:\n  a:\n";
  for (int i = 0; i < 600; ++i) deep += std::string(4 + 2 * i, ' ') + "k:\n";
  deep += "  b: {}\n";
  same_both_ways(deep, Expect::restart);
  std::string flow = "nodes:\n  a: " + std::string(600, '[') + std::string(600, ']') + "\n  b: {}\n";
  same_both_ways(flow, Expect::whole);  // refused before any parse
  std::string laughs = "nodes:\n  a: {l0: &l0 [x, x, x, x, x, x, x, x, x, x]";
  for (int i = 1; i < 9; ++i)
    laughs += ", l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + std::string("*l") +
              std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
              std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
              std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
              std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
              std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]";
  laughs += "}\n  b: {}\n";
  same_both_ways(laughs, Expect::restart);
  EXPECT_NE(parse(laughs, true).diags.find("aliases expand the document past"), std::string::npos);
}

TEST(YamlSplit, PlanCutsBeforeEntryLines) {
  const std::string text =
      "a: 1\n"
      "nodes:\n"
      "  x: {}\n"
      "  y:\n"
      "    k: v\n"
      "  \"q\": {}\n"
      "  z: {}\n"
      "b: 2\n";
  const auto sections = plan_yaml_split(text, 1, [](std::string_view key, YamlKind kind) {
    return key == "nodes" && kind == YamlKind::map;
  });
  ASSERT_EQ(sections.size(), 1u);
  const YamlSection& s = sections[0];
  EXPECT_EQ(s.key, "nodes");
  EXPECT_EQ(s.key_line, 2u);
  EXPECT_EQ(s.indent, 2u);
  EXPECT_EQ(s.entry_line, 2u);
  EXPECT_EQ(s.entries, 3u);  // the quoted key is not a place to cut
  ASSERT_EQ(s.chunks.size(), 3u);
  std::string pieces;
  for (const YamlChunk& c : s.chunks)
    pieces += std::to_string(c.first_line) + "|" + text.substr(c.begin, c.end - c.begin);
  EXPECT_EQ(pieces, "2|  x: {}\n3|  y:\n    k: v\n  \"q\": {}\n6|  z: {}\n");
}

// --- the loaders, whole and in pieces ---

std::string describe(const Topology& t) {
  std::string s;
  const auto at = [](const Location& l) {
    return "@" + std::to_string(l.line) + ":" + std::to_string(l.column);
  };
  for (const Node& n : t.nodes) {
    s += "node " + n.name.value + at(n.name.loc) + " " + role_name(n.role.value) + at(n.role.loc) +
         " " + n.host.value + at(n.host.loc);
    if (n.signer) s += " signer " + n.signer->value + at(n.signer->loc);
    if (n.p2p_port) s += " p2p " + std::to_string(n.p2p_port->value) + at(n.p2p_port->loc);
    if (n.home) s += " home " + n.home->value;
    s += " config " + std::to_string(n.config.size()) + "\n";
  }
  for (const Link& l : t.links)
    s += "link " + l.a.value + at(l.a.loc) + " " + l.b.value + at(l.b.loc) + " " +
         link_kind_name(l.over.value) + at(l.loc) + "\n";
  for (const Partner& p : t.partners)
    s += "partner " + p.name.value + at(p.name.loc) + " peers " + std::to_string(p.peers.size()) +
         " with " + std::to_string(p.with.size()) + "\n";
  return s;
}

std::string describe(const Inventory& inv) {
  std::string s;
  for (const Host& h : inv.hosts) {
    s += "host " + h.name.value + "@" + std::to_string(h.name.loc.line) + " " + h.address.value +
         " " + std::to_string(h.port.value);
    for (const auto* v : {&h.user, &h.datacenter, &h.region, &h.provider})
      s += " " + (*v ? (*v)->value : std::string("-"));
    s += "\n";
  }
  return s;
}

// A generated network with mistakes spread over the file.
std::string topology_text(int nodes) {
  std::string t =
      "version: 1\nchain:\n  id: t-1\n  cometbft: \"0.38\"\ninventory: inventory.yaml\n"
      "nodes:\n  validator:\n    role: validator\n    host: h-0\n    signer: kms\n"
      "  kms:\n    role: signer\n    host: h-1\n";
  for (int i = 2; i < nodes; ++i) {
    const std::string n = std::to_string(i);
    t += "  s-" + n + ":\n    role: " + (i % 37 == 0 ? "publik-sentry" : "public-sentry") +
         "\n    host: h-" + n + "\n";
    if (i % 41 == 0) t += "    p2p_prot: 26656\n";
    if (i % 43 == 0) t += "    p2p_port: 70000\n";
  }
  t += "  s-5:\n    role: public-sentry\n    host: h-5\n";  // a duplicate in a later piece
  t += "links:\n";
  for (int i = 2; i < nodes; ++i) {
    t += "  - between: [validator, s-" + std::to_string(i) + "]\n";
    if (i % 3 == 0) t += "    over: private\n";
  }
  t += "  - between: [validator, s-9999]\n  - between: [s-2, s-2]\n";
  t += "partners:\n  p:\n    peers: [{id: \"" + std::string(40, 'a') +
       "\", address: \"1.2.3.4:26656\"}]\n    with: [s-2]\n";
  return t;
}

std::string inventory_text(int hosts) {
  std::string t = "defaults: {user: cosmos}\nhosts:\n";
  for (int i = 0; i < hosts; ++i) {
    const std::string n = std::to_string(i);
    t += "  h-" + n + ":\n    address: 10.0." + std::to_string(i / 250) + "." +
         std::to_string(i % 250 + 1) + "\n    datacenter: dc-" + std::to_string(i % 7) + "\n";
    if (i % 29 == 0) t += "    regoin: r-1\n";
    if (i % 31 == 0) t += "    port: 0\n";
  }
  return t;
}

TEST(YamlSplit, TopologyLoadsTheSameInPieces) {
  const SourceText source{"topology.yaml", topology_text(300)};
  YamlParseStats stats;
  YamlParseOptions split;
  split.split_min_bytes = 0;
  split.chunk_bytes = 512;
  split.stats = &stats;
  YamlParseOptions whole;
  whole.split_min_bytes = std::numeric_limits<std::size_t>::max();
  Diagnostics d_split, d_whole;
  const Topology t_split = load_topology(source, d_split, split);
  const Topology t_whole = load_topology(source, d_whole, whole);
  EXPECT_GT(stats.chunks, 10u);
  EXPECT_FALSE(stats.restarted);
  EXPECT_EQ(describe(t_split), describe(t_whole));
  EXPECT_EQ(render(d_split), render(d_whole));
  EXPECT_EQ(t_whole.nodes.size(), 292u);  // 300, less the 8 with a mistaken role
  EXPECT_NE(render(d_whole).find("duplicate key \"s-5\""), std::string::npos);
  EXPECT_NE(render(d_whole).find("did you mean \"public-sentry\"?"), std::string::npos);
}

TEST(YamlSplit, InventoryLoadsTheSameInPieces) {
  const SourceText source{"inventory.yaml", inventory_text(300)};
  YamlParseStats stats;
  YamlParseOptions split;
  split.split_min_bytes = 0;
  split.chunk_bytes = 256;
  split.stats = &stats;
  YamlParseOptions whole;
  whole.split_min_bytes = std::numeric_limits<std::size_t>::max();
  Diagnostics d_split, d_whole;
  const Inventory i_split = load_inventory(source, d_split, split);
  const Inventory i_whole = load_inventory(source, d_whole, whole);
  EXPECT_GT(stats.chunks, 10u);
  EXPECT_FALSE(stats.restarted);
  EXPECT_EQ(describe(i_split), describe(i_whole));
  EXPECT_EQ(render(d_split), render(d_whole));
  EXPECT_NE(render(d_whole).find("regoin"), std::string::npos);
}

TEST(YamlSplit, TopologyRestartForgetsTheFirstTry) {
  // An alias in the last piece makes the parse start over: nothing may be counted twice.
  SourceText source{"topology.yaml", topology_text(120)};
  source.text += "x-tail: &t {}\nx-more: *t\n";
  source.text.insert(source.text.find("links:\n"),
                     "  s-late: {role: public-sentry, host: h-1}\n"
                     "  s-anchor: {role: public-sentry, host: &h h-2}\n"
                     "  s-alias: {role: public-sentry, host: *h}\n");
  YamlParseStats stats;
  YamlParseOptions split;
  split.split_min_bytes = 0;
  split.chunk_bytes = 256;
  split.stats = &stats;
  YamlParseOptions whole;
  whole.split_min_bytes = std::numeric_limits<std::size_t>::max();
  Diagnostics d_split, d_whole;
  const Topology t_split = load_topology(source, d_split, split);
  const Topology t_whole = load_topology(source, d_whole, whole);
  EXPECT_TRUE(stats.restarted);
  EXPECT_EQ(describe(t_split), describe(t_whole));
  EXPECT_EQ(render(d_split), render(d_whole));
}

}  // namespace
}  // namespace picket
