#include "topology/base_file.hpp"
#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(BaseFile, ValuesKeepTheirPlaceFormAndLiteral) {
  BaseFile base{{"base/config.toml", {}}, {}, {}, {}, false};
  Diagnostics d;
  parse_base_file(SourceText{"base/config.toml",
                             "moniker = \"a \\\"b\\\"\"\n"
                             "[consensus]\ntimeout_commit = \"5s\"\n"
                             "[storage.pruning]\ninterval = \"10s\"\n"
                             "[x]\nn = 7\nf = 1.5\nb = true\nl = [\"a\", \"b\"]\nt = [[\"c\", \"d\"]]\n"},
                  "base_config", base, d);
  ASSERT_TRUE(d.empty());
  ASSERT_TRUE(base.loaded);
  const ConfigValue& tc = base.values.at("consensus").at("timeout_commit");
  EXPECT_EQ(tc.kind, ConfigValue::Kind::string);
  EXPECT_EQ(tc.text, "5s");
  EXPECT_EQ(tc.loc.path(), "base/config.toml");
  EXPECT_EQ(tc.loc.line, 3u);
  EXPECT_EQ(tc.loc.column, 18u);
  EXPECT_EQ(base.values.at("").at("moniker").text, "a \"b\"");
  EXPECT_EQ(base.literals.at("moniker"), "\"a \\\"b\\\"\"");
  EXPECT_EQ(base.values.at("storage.pruning").at("interval").text, "10s");
  EXPECT_EQ(base.values.at("x").at("n").kind, ConfigValue::Kind::integer);
  EXPECT_EQ(base.values.at("x").at("f").kind, ConfigValue::Kind::floating);
  EXPECT_EQ(base.values.at("x").at("b").kind, ConfigValue::Kind::boolean);
  EXPECT_EQ(base.values.at("x").at("l").items.size(), 2u);
  EXPECT_EQ(base.literals.at("x.f"), "1.5");
  EXPECT_EQ(base.literals.at("x.l"), "[\"a\", \"b\"]");
  EXPECT_EQ(base.values.at("x").at("t").items.at(0).items.at(1).text, "d");
  // toml++ keeps a table's keys sorted: the order is table by table, keys sorted.
  EXPECT_EQ(base.order, (std::vector<std::string>{"consensus.timeout_commit", "moniker", "storage.pruning.interval",
                                                  "x.b", "x.f", "x.l", "x.n", "x.t"}));
}

TEST(BaseFile, NotTomlIsASyntaxErrorAtItsPlace) {
  BaseFile base{{"base.toml", {}}, {}, {}, {}, false};
  Diagnostics d;
  parse_base_file(SourceText{"dir/base.toml", "[p2p]\npex = \n"}, "base_config", base, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rule, "syntax");
  EXPECT_EQ(d[0].location.path(), "dir/base.toml");
  EXPECT_EQ(d[0].location.line, 2u);
  EXPECT_EQ(d[0].subjects, std::vector<std::string>{"chain"});
  EXPECT_EQ(d[0].message.rfind("chain.base_config \"base.toml\" is not valid TOML: ", 0), 0u) << d[0].message;
  EXPECT_FALSE(base.loaded);
}

}  // namespace
}  // namespace picket
