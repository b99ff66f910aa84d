#pragma once
// Golden files of the render tests under tests/unit/render/golden/: compared whole, rewritten
// with UPDATE_GOLDEN=1. (The host-file goldens under golden/hostfiles/ are host_fixture.hpp's.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace picket::golden
