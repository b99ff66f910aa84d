#pragma once
// Golden files of the render tests under tests/unit/render/golden/: compared whole, rewritten
// with UPDATE_GOLDEN=1. (The host-file goldens under golden/hostfiles/ are host_fixture.hpp's.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <fstream>
#include <sstream>
#include <string>

#include <toml++/toml.h>

namespace picket::golden {

inline std::string source_path(const std::string& relative) {
  return std::string(PICKET_SOURCE_DIR) + "/" + relative;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `actual` with the golden file; UPDATE_GOLDEN=1 rewrites it instead.
inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = source_path("tests/unit/render/golden/" + name);
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  const std::string expected = read_file(path);
  ASSERT_FALSE(expected.empty()) << "missing golden " << path << " (UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(actual, expected) << "golden " << path << " differs (UPDATE_GOLDEN=1 rewrites it)";
}

// Every value of a TOML document by its dotted path, as toml++ prints it (a parse error is a
// test failure naming `what`).
inline void flatten(const toml::table& table, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (auto&& [key, node] : table) {
    const std::string path = prefix + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      flatten(*sub, path + ".", out);
      continue;
    }
    std::ostringstream text;
    node.visit([&](auto&& v) { text << v; });
    out[path] = text.str();
  }
}

inline std::map<std::string, std::string> parse_flat(const std::string& text, const std::string& what) {
  std::map<std::string, std::string> out;
  try {
    flatten(toml::parse(text), "", out);
  } catch (const toml::parse_error& e) {
    ADD_FAILURE() << what << " is not valid TOML: " << e.description() << " at line " << e.source().begin.line;
  }
  return out;
}

}  // namespace picket::golden
