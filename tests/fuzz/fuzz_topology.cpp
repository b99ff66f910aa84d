// Fuzz target: the topology loader and every lint rule after it. The input is a topology
// file; the inventory is the sentry-network example's, so references and the graph phase run
// whenever the fuzzed topology gets far enough. Diagnostics are fine; a crash, a sanitizer
// report, an uncaught exception or a hang is a bug.

#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/lint_pipeline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string inventory = picket::fuzz::source_file("inventories/sentry-network.yaml");
  picket::fuzz::lint_like_the_cli(
      {"topology.yaml", std::string(reinterpret_cast<const char*>(data), size)},
      {"inventory.yaml", inventory});
  return 0;
}
