// The fixed inputs the fuzz targets pair with the fuzzed one, read from the source tree.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/fuzz/lint_pipeline.hpp"

namespace picket::fuzz {

std::string source_file(const char* relative) {
  const std::string path = std::string(PICKET_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz: cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace picket::fuzz
