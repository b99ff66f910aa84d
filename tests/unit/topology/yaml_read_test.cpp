#include "topology/yaml_read.hpp"

#include <gtest/gtest.h>

#include "tests/unit/topology/load_test_util.hpp"

namespace picket {
namespace {

using test::render;

// Parses `text` and reads the effective fields of the map under top-level key `key`.
struct Read {
  std::string fields;  // "key=value@line:col" per field, space separated
  std::string diags;
};

Read read_fields(const std::string& text, const std::string& key) {
  auto file = std::make_shared<const std::string>("t.yaml");
  YamlTree tree;
  Diagnostics diags;
  const YamlDocument doc = parse_yaml(text, file, tree, nullptr, diags);
  Read r;
  if (doc.status == YamlStatus::ok) {
    YamlReader reader(tree, file, diags);
    const auto& root = tree[doc.root].children;
    for (std::size_t i = 0; i + 1 < root.size(); i += 2) {
      if (tree[root[i]].text != key) continue;
      std::vector<YamlField> fields;
      reader.fields(root[i + 1], fields, {"in \"" + key + "\"", {}});
      for (const YamlField& f : fields) {
        const YamlNode& v = reader.node(f.value);
        r.fields += (r.fields.empty() ? "" : " ") + reader.key(f) + "=" + v.text + "@" +
                    std::to_string(v.line) + ":" + std::to_string(v.column);
      }
    }
  }
  r.diags = render(diags);
  return r;
}

TEST(YamlRead, MergeKeysWrittenKeysWin) {
  const Read r = read_fields(
      "base: &base {role: public-sentry, host: h1, p2p_port: 1}\n"
      "node:\n"
      "  host: h2\n"
      "  <<: *base\n"
      "  rpc_port: 2\n",
      "node");
  EXPECT_EQ(r.fields, "host=h2@3:9 rpc_port=2@5:13 role=public-sentry@1:20 p2p_port=1@1:55");
  EXPECT_EQ(r.diags, "");
}

TEST(YamlRead, MergeListEarlierMapsWin) {
  const Read r = read_fields(
      "a: &a {x: a1, y: a2}\n"
      "b: &b {y: b2, z: b3}\n"
      "c: &c {<<: *b, w: c4}\n"
      "node: {<<: [*a, *c], x: own}\n",
      "node");
  EXPECT_EQ(r.fields, "x=own@4:25 y=a2@1:18 w=c4@3:19 z=b3@2:18");
  EXPECT_EQ(r.diags, "");
}

TEST(YamlRead, BadMergeValuesAndKeysAreReported) {
  const Read r = read_fields(
      "node:\n"
      "  <<: [1, {a: 1}]\n"
      "  [x]: 2\n",
      "node");
  EXPECT_EQ(r.fields, "a=1@2:15");
  // In the order the reader meets them: written keys first, then merges.
  EXPECT_EQ(r.diags,
            "3:3: error: a key in \"node\" must be a name, found a list [schema]\n"
            "2:8: error: merge key \"<<\" in \"node\" must be followed by a map or a list of "
            "maps, found \"1\" [schema]\n");
}

TEST(YamlRead, DeepMergeChainsAreCut) {
  std::string text = "m0: &m0 {k0: v}\n";
  for (int i = 1; i <= 40; ++i)
    text += "m" + std::to_string(i) + ": &m" + std::to_string(i) + " {<<: *m" +
            std::to_string(i - 1) + ", k" + std::to_string(i) + ": v}\n";
  const Read r = read_fields(text, "m40");
  EXPECT_EQ(r.diags, "8:5: error: merge keys in \"m40\" nest deeper than 32 levels [schema]\n");
}

TEST(YamlRead, ParseDecimal) {
  EXPECT_EQ(parse_decimal("26656"), 26656);
  EXPECT_EQ(parse_decimal("-5"), -5);
  EXPECT_EQ(parse_decimal("+7"), 7);
  EXPECT_EQ(parse_decimal("007"), 7);
  EXPECT_EQ(parse_decimal("99999999999999999999999"), INT64_MAX);
  EXPECT_FALSE(parse_decimal("0x10"));
  EXPECT_FALSE(parse_decimal("1e3"));
  EXPECT_FALSE(parse_decimal("1_000"));
  EXPECT_FALSE(parse_decimal("-"));
  EXPECT_FALSE(parse_decimal(""));
}

// config: values are typed by the YAML 1.2 core schema, exactly (no saturation).
TEST(YamlRead, ParseIntegerAndBool) {
  EXPECT_EQ(parse_integer("26656"), 26656);
  EXPECT_EQ(parse_integer("-5"), -5);
  EXPECT_EQ(parse_integer("0x10"), 16);
  EXPECT_EQ(parse_integer("0o17"), 15);
  EXPECT_EQ(parse_integer("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(parse_integer("9223372036854775808"));
  EXPECT_FALSE(parse_integer("1e3"));
  EXPECT_FALSE(parse_integer("0x"));
  EXPECT_FALSE(parse_integer(""));
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("false"), false);
  EXPECT_FALSE(parse_bool("yes"));
  EXPECT_FALSE(parse_bool("True"));
}

TEST(YamlRead, QuotedEscapesAndShortens) {
  EXPECT_EQ(in_quotes("plain"), "\"plain\"");
  EXPECT_EQ(in_quotes("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\x01\"");
  EXPECT_EQ(in_quotes(std::string(100, 'x')), "\"" + std::string(80, 'x') + "...\"");
  // Look-alikes and invisible characters show their code points (Cyrillic a, zero-width
  // space, an emoji past U+FFFF, DEL).
  EXPECT_EQ(in_quotes("sentry-\xd0\xb0"), "\"sentry-\\u0430\"");
  EXPECT_EQ(in_quotes("node-b\xe2\x80\x8b"), "\"node-b\\u200B\"");
  EXPECT_EQ(in_quotes("x\xf0\x9f\x98\x80\x7f"), "\"x\\U0001F600\\x7f\"");
  EXPECT_EQ(in_quotes_list({"a", "b"}), "\"a\", \"b\"");
}

TEST(YamlRead, SuggesterMatchesClosestMatchWithinBudget) {
  std::vector<std::string> names;
  for (int i = 0; i < 2000; ++i) names.push_back("pub-" + std::to_string(100000 + i));
  names.push_back("priv-fra");
  Suggester s;
  // The prefilter never changes the answer.
  for (const std::string word : {"priv-fr", "privfra", "pub-10001", "pub-1000x1", "zzz"})
    EXPECT_EQ(s.name(word, names), closest_match(word, names)) << word;
  for (int i = 5; i < Suggester::k_max_names; ++i) s.name("priv-fr", names);
  EXPECT_EQ(s.name("priv-fr", names), "");       // budget spent
  EXPECT_EQ(s.small("hots", {"host"}), "host");  // a separate budget
  for (int i = 1; i < Suggester::k_max_small; ++i) s.small("hots", {"host"});
  EXPECT_EQ(s.small("hots", {"host"}), "");
}

}  // namespace
}  // namespace picket
