#pragma once
// Running independent per-host jobs on a bounded number of threads.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace picket {

/// Calls job(i) for every i in [0, count) on at most `parallel` threads (≥ 1) and waits for
/// all. Jobs must not throw; each writes only its own result slot.
inline void parallel_for(std::size_t count, int parallel, const std::function<void(std::size_t)>& job) {
  const std::size_t workers =
      std::min(count, static_cast<std::size_t>(std::max(1, parallel)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < count; ++i) job(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) job(i);
    });
  for (auto& t : threads) t.join();
}

}  // namespace picket
