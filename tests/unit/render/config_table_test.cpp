#include "render/config_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace picket {
namespace {

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(PICKET_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConfigTable, BuiltinListsAreTheShippedFilesForEveryLine) {
  const auto& tables = builtin_config_tables();
  ASSERT_EQ(tables.size(), 4u);
  for (const auto& line : cometbft_lines()) {
    SCOPED_TRACE(line);
    const std::string text = read_source("templates/cometbft/keys-" + line + ".txt");
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(builtin_templates().at(key_list_name(line)), text);
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    ASSERT_TRUE(tables.count(line));
    EXPECT_EQ(tables.at(line).keys().size(), lines);
  }
  EXPECT_EQ(tables.at("0.34").keys().size(), 99u);
  EXPECT_EQ(tables.at("1.0").keys().size(), 109u);
}

TEST(ConfigTable, KeepsDefaultsVerbatimAndClassifiesTypes) {
  const ConfigTable& t = builtin_config_tables().at("1.0");
  const ConfigKey* laddr = t.find("p2p.laddr");
  ASSERT_NE(laddr, nullptr);
  EXPECT_EQ(laddr->section, "p2p");
  EXPECT_EQ(laddr->name, "laddr");
  EXPECT_EQ(laddr->default_literal, "\"tcp://0.0.0.0:26656\"");
  EXPECT_EQ(laddr->type, KeyType::string);

  const ConfigKey* commit = t.find("consensus.timeout_commit");
  ASSERT_NE(commit, nullptr);
  EXPECT_EQ(commit->type, KeyType::duration);
  EXPECT_EQ(commit->default_literal, "\"1s\"");

  // The list writes this int32 default as a string, as CometBFT's own template does.
  const ConfigKey* fetchers = t.find("statesync.chunk_fetchers");
  ASSERT_NE(fetchers, nullptr);
  EXPECT_EQ(fetchers->type, KeyType::integer);
  EXPECT_EQ(fetchers->go_type, "int32");
  EXPECT_EQ(fetchers->default_literal, "\"4\"");

  const ConfigKey* nested = t.find("storage.pruning.data_companion.enabled");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->section, "storage.pruning.data_companion");
  EXPECT_EQ(nested->name, "enabled");
  EXPECT_EQ(nested->type, KeyType::boolean);

  const ConfigKey* version = t.find("version");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->section, "");
  EXPECT_EQ(version->default_literal, "\"1.0.1\"");

  const ConfigKey* origins = t.find("rpc.cors_allowed_methods");
  ASSERT_NE(origins, nullptr);
  EXPECT_EQ(origins->type, KeyType::string_list);
  EXPECT_EQ(origins->default_literal, "[\"HEAD\", \"GET\", \"POST\"]");

  EXPECT_EQ(t.find("p2p.upnp"), nullptr);
  EXPECT_NE(builtin_config_tables().at("0.34").find("p2p.upnp"), nullptr);
}

TEST(ConfigTable, SectionsAndNamesFollowTheListOrder) {
  const ConfigTable& t = builtin_config_tables().at("1.0");
  const std::vector<std::string> expected{"",
                                          "rpc",
                                          "grpc",
                                          "grpc.version_service",
                                          "grpc.block_service",
                                          "grpc.block_results_service",
                                          "grpc.privileged",
                                          "grpc.privileged.pruning_service",
                                          "p2p",
                                          "mempool",
                                          "statesync",
                                          "blocksync",
                                          "consensus",
                                          "storage",
                                          "storage.pruning",
                                          "storage.pruning.data_companion",
                                          "tx_index",
                                          "instrumentation"};
  EXPECT_EQ(t.sections(), expected);
  EXPECT_EQ(t.names_in("tx_index"), (std::vector<std::string>{"indexer", "psql-conn"}));
  EXPECT_TRUE(t.has_section("storage"));
  EXPECT_TRUE(t.has_section("storage.pruning"));
  EXPECT_FALSE(t.has_section("stor"));
  EXPECT_FALSE(t.has_section("fastsync"));
}

TEST(ConfigTable, ParsesCommentsAndBlankLines) {
  std::string error;
  auto t = parse_config_table("# a comment\n\na = 1  # int\nb.c = \"x # y\"  # string\n", error);
  ASSERT_TRUE(t) << error;
  ASSERT_EQ(t->keys().size(), 2u);
  EXPECT_EQ(t->keys()[1].default_literal, "\"x # y\"");
  EXPECT_EQ(t->keys()[1].section, "b");
}

TEST(ConfigTable, RejectsMalformedLists) {
  std::string error;
  EXPECT_FALSE(parse_config_table("a = 1  # int\nb 2  # int\n", error));
  EXPECT_EQ(error, "line 2: expected `key = default  # go-type`");
  EXPECT_FALSE(parse_config_table("a = 1  # complex128\n", error));
  EXPECT_EQ(error, "line 1: unknown Go type \"complex128\"");
  EXPECT_FALSE(parse_config_table("a = 1  # int\na = 2  # int\n", error));
  EXPECT_EQ(error, "line 2: key \"a\" listed twice");
  EXPECT_FALSE(parse_config_table("a b = 1  # int\n", error));
  EXPECT_EQ(error, "line 1: bad character in key \"a b\"");
  EXPECT_FALSE(parse_config_table("\n# only comments\n", error));
  EXPECT_EQ(error, "no keys");
}

TEST(ConfigTable, MissingOrBrokenListIsATemplateError) {
  TemplateSet set = builtin_templates();
  set.erase("cometbft/keys-0.37.txt");
  set["cometbft/keys-1.0.txt"] = "nonsense\n";
  Diagnostics out;
  const auto tables = load_config_tables(set, out);
  EXPECT_EQ(tables.size(), 2u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule, "template");
  EXPECT_EQ(out[0].message, "key list \"cometbft/keys-0.37.txt\" is missing");
  EXPECT_EQ(out[1].message,
            "key list \"cometbft/keys-1.0.txt\": line 1: expected `key = default  # go-type`");
}

TEST(ConfigTable, TomlStringsAreEscaped) {
  EXPECT_EQ(toml_string("plain"), "\"plain\"");
  EXPECT_EQ(toml_string("a\"b\\c\nd\te\x01\x7f"), "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007F\"");
  EXPECT_EQ(toml_string("gr\xC3\xBC\xC3\x9F"), "\"gr\xC3\xBC\xC3\x9F\"");
  EXPECT_EQ(toml_string_array({}), "[]");
  EXPECT_EQ(toml_string_array({"a", "b\"c"}), "[\"a\", \"b\\\"c\"]");
}

TEST(ConfigTable, NamesOfListAndTemplate) {
  EXPECT_EQ(key_list_name("0.38"), "cometbft/keys-0.38.txt");
  EXPECT_EQ(config_template_name("1.0"), "config-1.0.toml");
  for (const auto& line : cometbft_lines()) {
    EXPECT_TRUE(builtin_templates().count(config_template_name(line))) << line;
  }
}

}  // namespace
}  // namespace picket
