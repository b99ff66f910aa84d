#pragma once
// Golden files for the unit tests, in tests/unit/topology/golden/ of the source tree (found
// through PICKET_SOURCE_DIR, so the test binary works from any directory, not only ctest's).
// PICKET_UPDATE_GOLDEN=1 rewrites them from the current output; review the diff before
// committing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace picket::testing {

inline std::filesystem::path golden_path(const std::string& name) {
  return std::filesystem::path(PICKET_SOURCE_DIR) / "tests" / "unit" / "topology" / "golden" / name;
}

/// The golden file's text, or "" with a test failure when it cannot be read.
inline std::string read_golden(const std::string& name) {
  std::ifstream in(golden_path(name), std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read golden file " << golden_path(name);
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Compares `actual` with the golden file; with PICKET_UPDATE_GOLDEN set, rewrites it instead.
inline void expect_golden(const std::string& name, const std::string& actual) {
  if (std::getenv("PICKET_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, read_golden(name)) << "golden file " << golden_path(name);
}

}  // namespace picket::testing
