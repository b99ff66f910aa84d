// Fuzz target: the inventory loader and every lint rule after it. The input is an inventory
// file; the topology is the sentry-network example's, so references and the graph phase run
// whenever the fuzzed inventory names its hosts. Diagnostics are fine; a crash, a sanitizer
// report, an uncaught exception or a hang is a bug.

#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/lint_pipeline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string topology = picket::fuzz::source_file("examples/sentry-network/topology.yaml");
  picket::fuzz::lint_like_the_cli(
      {"topology.yaml", topology},
      {"inventory.yaml", std::string(reinterpret_cast<const char*>(data), size)});
  return 0;
}
