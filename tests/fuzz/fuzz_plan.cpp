// Fuzz target: the plan-file reader of `picket deploy --plan FILE`. The input is a plan file;
// whatever read_plan accepts must survive what deploy does with it (plan_differences against
// itself and a save/read round trip, which must give back the same plan).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "deploy/plan_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto plan = picket::read_plan(text);
  if (!plan) return 0;  // one line saying what is wrong: fine
  if (!picket::plan_differences(*plan, *plan).empty()) {
    std::fprintf(stderr, "fuzz: a plan differs from itself\n");
    std::abort();
  }
  auto again = picket::read_plan(picket::save_plan(*plan));
  if (!again) {
    std::fprintf(stderr, "fuzz: a saved plan cannot be read back: %s\n", again.error().c_str());
    std::abort();
  }
  if (!picket::plan_differences(*plan, *again).empty() ||
      !picket::plan_differences(*again, *plan).empty()) {
    std::fprintf(stderr, "fuzz: a plan changed in a save/read round trip\n");
    std::abort();
  }
  return 0;
}
