#include "topology/yaml_tree.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/unit/topology/load_test_util.hpp"
#include "tests/unit/topology/yaml_dump.hpp"

namespace picket {
namespace {

using test::render;

using test::dump;

struct Parsed {
  YamlDocument doc;
  std::string tree;        // dump of the root, "" when there is none
  std::string diags;       // rendered diagnostics
  std::size_t values = 0;  // values left in the tree
};

Parsed parse(const std::string& text, YamlEntrySink* sink = nullptr) {
  auto file = std::make_shared<const std::string>("t.yaml");
  YamlTree tree;
  Diagnostics diags;
  Parsed p;
  p.doc = parse_yaml(text, file, tree, sink, diags);
  if (p.doc.status == YamlStatus::ok) p.tree = dump(tree, p.doc.root);
  p.diags = render(diags);
  p.values = tree.size();
  for (const auto& d : diags) EXPECT_EQ(d.location.path(), "t.yaml");
  return p;
}

TEST(YamlTree, ScalarsKeepLocationsAndQuoting) {
  const Parsed p = parse("a: 1\nb: \"q\"\nc: 'x y'\nd: |\n  text\ne: !!str 5\nf: plain text\n");
  EXPECT_EQ(p.doc.status, YamlStatus::ok);
  EXPECT_EQ(
      p.tree,
      "{\"a\"@1:1: \"1\"@1:4, \"b\"@2:1: \"q\"'@2:4, \"c\"@3:1: \"x y\"'@3:4, "
      "\"d\"@4:1: \"text\n\"'@4:4, \"e\"@6:1: \"5\"'@6:4, \"f\"@7:1: \"plain text\"@7:4}@1:1");
  EXPECT_EQ(p.diags, "");
}

TEST(YamlTree, EmptyValuesPointAtTheirKeyOrDash) {
  const Parsed p = parse("a:\nb: ~\nc:\n  -\n  - x\n  -\nd: null\ne: {f: }\n");
  EXPECT_EQ(p.tree,
            "{\"a\"@1:1: (empty)@1:1, \"b\"@2:1: ~@2:4, \"c\"@3:1: [(empty)@4:3, \"x\"@5:5, "
            "(empty)@6:3]@4:3, \"d\"@7:1: ~@7:4, \"e\"@8:1: {\"f\"@8:5: (empty)@8:5}@8:4}@1:1");
  EXPECT_EQ(p.diags, "");
}

TEST(YamlTree, AliasesShareTheAnchoredValue) {
  auto file = std::make_shared<const std::string>("t.yaml");
  YamlTree tree;
  Diagnostics diags;
  const YamlDocument doc =
      parse_yaml("a: &x {k: v}\nb: *x\nc: [*x, *x]\n", file, tree, nullptr, diags);
  ASSERT_EQ(doc.status, YamlStatus::ok);
  const auto& root = tree[doc.root].children;
  ASSERT_EQ(root.size(), 6u);
  EXPECT_EQ(root[1], root[3]);  // the same value, not a copy
  EXPECT_EQ(tree[root[5]].children, (std::vector<YamlId>{root[1], root[1]}));
  EXPECT_EQ(tree.size(), 8u);  // root, 3 keys, the map and its 2 scalars, c's list
  EXPECT_EQ(dump(tree, root[3]), "{\"k\"@1:8: \"v\"@1:11}@1:4");  // a value starts at its anchor
  EXPECT_EQ(render(diags), "");
}

TEST(YamlTree, DuplicateKeysAtEveryLevel) {
  std::string big = "big:\n";
  for (int i = 0; i < 20; ++i) big += "  k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  big += "  k3: again\n";
  const Parsed p = parse(
      "host: a\n"
      "nested:\n"
      "  x: 1\n"
      "  y: {p: 1, q: 2, p: 3}\n"
      "  x: 2\n"
      "list:\n"
      "  - {k: 1, k: 2}\n"
      "host: b\n" +
      big);
  EXPECT_EQ(p.diags,
            "4:19: error: duplicate key \"p\" (first at line 4) [duplicate] {nested.y.p}\n"
            "5:3: error: duplicate key \"x\" (first at line 3) [duplicate] {nested.x}\n"
            "7:12: error: duplicate key \"k\" (first at line 7) [duplicate] {list[0].k}\n"
            "8:1: error: duplicate key \"host\" (first at line 1) [duplicate] {host}\n"
            "30:3: error: duplicate key \"k3\" (first at line 13) [duplicate] {big.k3}\n");
  // The first value wins; the duplicate is dropped.
  const std::string head =
      "{\"host\"@1:1: \"a\"@1:7, \"nested\"@2:1: {\"x\"@3:3: \"1\"@3:6, \"y\"@4:3: {\"p\"@4:7: "
      "\"1\"@4:10, \"q\"@4:13: \"2\"@4:16}@4:6}@3:3, \"list\"@6:1: [{\"k\"@7:6: "
      "\"1\"@7:9}@7:5]@7:3, "
      "\"big\"@9:1: {\"k0\"@10:3: \"0\"@10:7, ";
  EXPECT_EQ(p.tree.substr(0, head.size()), head);
  EXPECT_EQ(p.tree.find("again"), std::string::npos);
}

TEST(YamlTree, EmptyDocuments) {
  for (const char* text : {"", "# only a comment\n", "~\n", "---\n", "---\n...\n", "\n\n"}) {
    const Parsed p = parse(text);
    EXPECT_EQ(p.doc.status, YamlStatus::empty) << text;
    EXPECT_EQ(p.diags, "") << text;
  }
}

TEST(YamlTree, SecondDocumentIsAnError) {
  const Parsed p = parse("a: 1\n---\nb: 2\n");
  EXPECT_EQ(p.doc.status, YamlStatus::failed);
  EXPECT_EQ(p.diags,
            "2:1: error: a second YAML document starts here; expected one document per file "
            "[schema]\n");
  const Parsed q = parse("---\na: 1\n...\n---\nb: 2\n");
  EXPECT_EQ(q.diags,
            "4:1: error: a second YAML document starts here; expected one document per file "
            "[schema]\n");
}

TEST(YamlTree, SyntaxErrorsCarryTheMark) {
  EXPECT_EQ(parse("a: [1, 2\nb: 3\n").diags,
            "2:2: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
            "sequence at line 1, column 4) [syntax]\n");
  EXPECT_EQ(parse("a: b: c\n").diags,
            "1:5: error: invalid YAML: mapping values are not allowed in this context [syntax]\n");
  EXPECT_EQ(parse("a: *nowhere\n").diags,
            "1:4: error: invalid YAML: alias \"*nowhere\" refers to no anchor defined before it "
            "[syntax]\n");
  EXPECT_EQ(parse("a: \"\\q\"\n").diags,
            "1:5: error: invalid YAML: found unknown escape character (while parsing a quoted "
            "scalar at line 1, column 4) [syntax]\n");
  // libyaml counts characters; columns are bytes.
  EXPECT_EQ(parse("\"\xC3\xA9\xC3\xA9\": [1, 2\n\"\xC3\xA9\": 3\n").diags,
            "2:5: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
            "sequence at line 1, column 9) [syntax]\n");
}

TEST(YamlTree, BinaryAndNonUtf8InputIsRejectedCleanly) {
  EXPECT_EQ(parse("a: ok\nb: caf\xe9\n").diags,
            "2:7: error: invalid UTF-8 (byte 0xe9); expected a UTF-8 text file [syntax]\n");
  EXPECT_EQ(parse("a: \xed\xa0\x80\n").diags,  // an encoded UTF-16 surrogate
            "1:4: error: invalid UTF-8 (byte 0xed); expected a UTF-8 text file [syntax]\n");
  EXPECT_EQ(parse(std::string("a: b\0c\n", 7)).diags,
            "1:5: error: control character 0x00 is not allowed; expected a YAML text file "
            "[syntax]\n");
  EXPECT_EQ(parse("\x7f"
                  "ELF\x02\x01")
                .diags,
            "1:1: error: control character 0x7f is not allowed; expected a YAML text file "
            "[syntax]\n");
  // Valid multi-byte UTF-8 passes; columns count bytes.
  EXPECT_EQ(parse("a: caf\xc3\xa9 \xe2\x82\xac\nb: x\n").tree,
            "{\"a\"@1:1: \"caf\xc3\xa9 \xe2\x82\xac\"@1:4, \"b\"@2:1: \"x\"@2:4}@1:1");
}

TEST(YamlTree, Utf16IsNamed) {
  const std::string expected =
      "1:1: error: the file is UTF-16 or UTF-32 text; expected UTF-8 (convert it, e.g. with "
      "iconv -f UTF-16 -t UTF-8) [syntax]\n";
  EXPECT_EQ(parse(std::string("\xff\xfe" "a\0:\0", 6)).diags, expected);  // UTF-16LE, BOM
  EXPECT_EQ(parse(std::string("\xfe\xff\0a\0:", 6)).diags, expected);     // UTF-16BE, BOM
  EXPECT_EQ(parse(std::string("\0a\0:\0 \0x", 8)).diags, expected);       // UTF-16BE
  EXPECT_EQ(parse(std::string("a\0:\0 \0x\0", 8)).diags, expected);       // UTF-16LE
}

TEST(YamlTree, QuotedStringCutOffByTheEndOfTheFile) {
  const std::string expected =
      "3:12: error: invalid YAML: the quoted string that starts here is not closed before the "
      "end of the file [syntax]\n";
  EXPECT_EQ(parse("a: 1\nb:\n  restart: \"systemctl restart\n").diags, expected);
  EXPECT_EQ(parse("a: 1\nb:\n  restart: 'it''s\n").diags, expected);
  EXPECT_EQ(parse("a: 1\nb:\n  restart: \"ends in \\\"").diags, expected);
  // Closed strings, escapes and doubled quotes are fine.
  EXPECT_EQ(parse("a: \"x\\\"y\"\nb: 'it''s'\nc: |\n  \"not a quote\n").diags, "");
}

TEST(YamlTree, RandomBytesNeverThrow) {
  std::uint32_t seed = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int i = 0; i < 300; ++i) {
      seed = seed * 1103515245 + 12345;
      // Mostly YAML punctuation and letters, so the parser gets deep into its states.
      static const char k_alphabet[] = "ab:- \n\t[]{},&*!|>'\"#?%@`~\\x1.";
      text += k_alphabet[(seed >> 16) % (sizeof k_alphabet - 1)];
    }
    const Parsed p = parse(text);
    if (p.doc.status == YamlStatus::failed) {
      EXPECT_NE(p.diags, "") << text;
    }
  }
}

TEST(YamlTree, DeepNestingIsASyntaxError) {
  EXPECT_EQ(parse("a: " + std::string(5000, '[') + std::string(5000, ']') + "\n").diags,
            "1:503: error: values nest deeper than 499 levels; expected a flatter document "
            "[syntax]\n");
  std::string block = "a:\n";
  for (int i = 1; i < 1000; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  const Parsed p = parse(block);
  EXPECT_EQ(p.doc.status, YamlStatus::failed);
  EXPECT_NE(p.diags.find("values nest deeper than 499 levels"), std::string::npos) << p.diags;
}

TEST(YamlTree, FlowNestingIsMeasuredBeforeTheParserQueuesIt) {
  // A YAML scanner queues a token per "[" (each may start a key) before a parser can count.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(parse(std::string(10 * 1024 * 1024, '[')).diags,
            "1:500: error: values nest deeper than 499 levels; expected a flatter document "
            "[syntax]\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // Brackets in quoted scalars and comments are text; "#" inside a word starts no comment.
  const std::string many(600, '[');
  const Parsed p = parse("a: \"" + many + "\"\nb: '" + many + "''" + many + "'\n# " + many +
                         "\nc: x#" + "[]\nd: \"\\\"" + many + "\"\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.doc.status, YamlStatus::ok);
  EXPECT_EQ(parse("a: x#[" + many + "\n").diags,
            "1:505: error: values nest deeper than 499 levels; expected a flatter document "
            "[syntax]\n");
}

TEST(YamlTree, AliasBombStopsWithinBudget) {
  const std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
  const auto start = std::chrono::steady_clock::now();
  const Parsed p = parse(bomb);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(p.doc.status, YamlStatus::failed);
  // 1,000,000 + 2 per byte of text (342 bytes).
  EXPECT_EQ(p.diags,
            "7:8: error: aliases expand the document past 1000684 values; expected at most that "
            "many for a file of this size [schema]\n");
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  // Below the budget the same aliases are fine and cost no copies.
  const Parsed small = parse(bomb.substr(0, bomb.find("f:")));
  EXPECT_EQ(small.doc.status, YamlStatus::ok);
  EXPECT_EQ(small.diags, "");
  EXPECT_LT(small.values, 100u);
}

TEST(YamlTree, AliasInsideItsOwnAnchorIsRefused) {
  EXPECT_EQ(parse("a: &x [1, *x]\n").diags,
            "1:11: error: alias \"*x\" refers to a value that contains it; expected an alias to "
            "a complete value [schema]\n");
  EXPECT_EQ(parse("a: &x {b: {c: *x}}\n").diags,
            "1:15: error: alias \"*x\" refers to a value that contains it; expected an alias to "
            "a complete value [schema]\n");
}

TEST(YamlTree, TagsOtherThanCoreOnesAreReported) {
  const Parsed p = parse("a: !vault x\nb: !!str 1\nc: !!int 2\nd: !local {k: v}\n");
  EXPECT_EQ(p.doc.status, YamlStatus::ok);
  EXPECT_EQ(p.diags,
            "1:4: error: unsupported tag \"!vault\"; expected an untagged value [schema]\n"
            "4:4: error: unsupported tag \"!local\"; expected an untagged value [schema]\n");
  EXPECT_EQ(p.tree,
            "{\"a\"@1:1: \"x\"@1:4, \"b\"@2:1: \"1\"'@2:4, \"c\"@3:1: \"2\"@3:4, \"d\"@4:1: "
            "{\"k\"@4:12: \"v\"@4:15}@4:4}@1:1");
}

TEST(YamlTree, ColumnsCountBytesAfterNonAsciiText) {
  // libyaml counts characters; a caret needs bytes ("\xC3\xA9" is one character, two bytes).
  const Parsed p = parse(
      "\xC3\xA9t\xC3\xA9: \xE2\x82\xAC\n"
      "x: [\xC3\xA9, \"\xF0\x9F\x94\x91\", b]\n"
      "y: plain\n");
  EXPECT_EQ(p.tree,
            "{\"\xC3\xA9t\xC3\xA9\"@1:1: \"\xE2\x82\xAC\"@1:8, \"x\"@2:1: [\"\xC3\xA9\"@2:5, "
            "\"\xF0\x9F\x94\x91\"'@2:9, \"b\"@2:17]@2:4, \"y\"@3:1: \"plain\"@3:4}@1:1");
  EXPECT_EQ(p.diags, "");
}

TEST(YamlTree, ByteOrderMarkAndCrlfKeepLocations) {
  const Parsed p = parse(
      "\xEF\xBB\xBF"
      "a: 1\r\nb:\r\n  - x\r\n  -\r\nc: |\r\n  t\r\n");
  EXPECT_EQ(p.tree,
            "{\"a\"@1:1: \"1\"@1:4, \"b\"@2:1: [\"x\"@3:5, (empty)@4:3]@3:3, \"c\"@5:1: "
            "\"t\n\"'@5:4}@1:1");
  EXPECT_EQ(p.diags, "");
}

// Records what a streaming parse hands over.
class RecordingSink : public YamlEntrySink {
 public:
  bool accept_root(YamlKind kind) override { return kind != YamlKind::sequence; }
  bool stream_entries(std::string_view key, YamlKind kind) override {
    return (key == "nodes" && kind == YamlKind::map) ||
           (key == "links" && kind == YamlKind::sequence);
  }
  void on_collection(std::string_view key, std::size_t estimate) override {
    log += "begin " + std::string(key) + " ~" + std::to_string(estimate) + "\n";
  }
  void on_entry(const YamlTree& tree, std::string_view collection, YamlId key,
                YamlId value) override {
    log += std::string(collection) + ": " + (key == k_no_yaml ? "-" : dump(tree, key)) + " = " +
           dump(tree, value) + "\n";
    max_values = std::max(max_values, tree.size());
  }
  std::string log;
  std::size_t max_values = 0;
};

TEST(YamlTree, StreamedEntriesAreHandedOverAndDropped) {
  RecordingSink sink;
  const Parsed p = parse(
      "version: 1\n"
      "nodes:\n"
      "  a: {role: x}\n"
      "  b:\n"
      "    role: y\n"
      "  a: {role: dup}\n"
      "links:\n"
      "- {between: [a, b]}\n"
      "- x\n"
      "other:\n"
      "  nodes: {c: 1}\n",
      &sink);
  EXPECT_EQ(p.diags, "6:3: error: duplicate key \"a\" (first at line 3) [duplicate] {nodes.a}\n");
  EXPECT_EQ(sink.log,
            "begin nodes ~3\n"
            "nodes: \"a\"@3:3 = {\"role\"@3:7: \"x\"@3:13}@3:6\n"
            "nodes: \"b\"@4:3 = {\"role\"@5:5: \"y\"@5:11}@5:5\n"
            "begin links ~2\n"
            "links: - = {\"between\"@8:4: [\"a\"@8:14, \"b\"@8:17]@8:13}@8:3\n"
            "links: - = \"x\"@9:3\n");
  // The collections stay in the tree, emptied; a nested "nodes" is not streamed.
  EXPECT_EQ(p.tree,
            "{\"version\"@1:1: \"1\"@1:10, \"nodes\"@2:1: {}@3:3, \"links\"@7:1: []@8:1, "
            "\"other\"@10:1: {\"nodes\"@11:3: {\"c\"@11:11: \"1\"@11:14}@11:10}@11:3}@1:1");
  EXPECT_EQ(p.values, 13u);
}

TEST(YamlTree, StreamingKeepsAnchorsAndMergeKeysAlive) {
  RecordingSink sink;
  const Parsed p = parse(
      "nodes:\n"
      "  a: &base {role: x}\n"
      "  b: *base\n"
      "  <<: {c: {role: z}}\n"
      "links: &l [x]\n",
      &sink);
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(sink.log,
            "begin nodes ~3\n"
            "nodes: \"a\"@2:3 = {\"role\"@2:13: \"x\"@2:19}@2:6\n"
            "nodes: \"b\"@3:3 = {\"role\"@2:13: \"x\"@2:19}@2:6\n");
  // `<<` entries stay for the reader to merge; an anchored collection does not stream.
  EXPECT_EQ(p.tree,
            "{\"nodes\"@1:1: {\"<<\"@4:3: {\"c\"@4:8: {\"role\"@4:12: \"z\"@4:18}@4:11}@4:7}@2:3, "
            "\"links\"@5:1: [\"x\"@5:12]@5:8}@1:1");
}

TEST(YamlTree, StreamingPeakIsOneEntry) {
  RecordingSink sink;
  std::string text = "nodes:\n";
  for (int i = 0; i < 5000; ++i)
    text += "  n" + std::to_string(i) + ": {role: public-sentry, host: h" + std::to_string(i) +
            ", config: {p2p: {seeds: [a, b, c]}}}\n";
  const Parsed p = parse(text, &sink);
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(sink.log.substr(0, 17), "begin nodes ~5000");
  EXPECT_LE(sink.max_values, 20u);  // root, the `nodes` key and map, one entry
  EXPECT_EQ(p.values, 3u);
}

TEST(YamlTree, ARefusedRootStopsTheParse) {
  RecordingSink sink;
  // Nothing after the start is read: not the duplicate, not the syntax error.
  const Parsed p = parse("- a\n- {k: 1, k: 2}\n- [\n", &sink);
  EXPECT_EQ(p.doc.status, YamlStatus::ok);
  EXPECT_EQ(p.tree, "[]@1:1");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(sink.log, "");
}

TEST(YamlTree, FlowCollectionsHaveNoEstimate) {
  RecordingSink sink;
  parse("nodes: {a: 1}\nlinks:\n  # comment\n  - 1\n\n  - 2\n  -\n    3\n", &sink);
  EXPECT_EQ(sink.log,
            "begin nodes ~0\n"
            "nodes: \"a\"@1:9 = \"1\"@1:12\n"
            "begin links ~3\n"
            "links: - = \"1\"@4:5\n"
            "links: - = \"2\"@6:5\n"
            "links: - = \"3\"@8:5\n");
}

}  // namespace
}  // namespace picket
