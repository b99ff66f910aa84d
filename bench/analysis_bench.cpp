// Throwaway benchmark for analyse_graph (not wired into CMake). Generates a large network:
// one validator, 10 private sentries, N public sentries in a random mesh (2 links each),
// one host per node spread over 1000 datacenters, 20 regions and 10 providers, and the
// default policy (all four domain kinds). Build after the library, then run:
//   g++ -std=c++20 -O2 -I. bench/analysis_bench.cpp build/libpicket_topology.a -lfmt
//       -o build/analysis_bench
//   build/analysis_bench 100000 [private-sentries]
// Times are wall clock and process CPU time (the latter is steadier on a shared machine).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "topology/analysis.hpp"

using namespace picket;

// Peak resident memory so far in MB (Linux), to tell the model's share from the analysis'.
static double peak_mb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double kb = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
  std::fclose(f);
  return kb / 1024;
}

int main(int argc, char** argv) {
  const int publics = argc > 1 ? std::atoi(argv[1]) : 100000;
  // A second argument changes the private sentry count (1 exercises the single-path spofs).
  const int privates = argc > 2 ? std::atoi(argv[2]) : 10;
  std::mt19937 rng(42);
  Topology t;
  Inventory inv;
  auto add = [&](const std::string& name, Role role, int i) {
    Node n;
    n.name.value = name;
    n.role.value = role;
    n.host.value = "h-" + name;
    t.nodes.push_back(n);
    Host h;
    h.name.value = n.host.value;
    const int dc = i % 1000;
    h.datacenter = Located<std::string>{"dc-" + std::to_string(dc), {}};
    h.region = Located<std::string>{"region-" + std::to_string(dc % 20), {}};
    h.provider = Located<std::string>{"provider-" + std::to_string(dc % 10), {}};
    inv.hosts.push_back(h);
  };
  auto link = [&](const std::string& a, const std::string& b) {
    Link l;
    l.a.value = a;
    l.b.value = b;
    t.links.push_back(l);
  };
  add("validator", Role::validator, 0);
  for (int i = 0; i < privates; ++i) {
    add("priv-" + std::to_string(i), Role::private_sentry, 1 + i);
    link("validator", "priv-" + std::to_string(i));
  }
  std::uniform_int_distribution<int> pick(0, publics - 1);
  for (int i = 0; i < publics; ++i) add("pub-" + std::to_string(i), Role::public_sentry, 11 + i);
  for (int i = 0; i < privates; ++i)
    for (int k = 0; k < 10; ++k) link("priv-" + std::to_string(i), "pub-" + std::to_string(pick(rng)));
  for (int i = 0; i < publics; ++i)
    for (int k = 0; k < 2; ++k) link("pub-" + std::to_string(i), "pub-" + std::to_string(pick(rng)));
  t.index_nodes();
  inv.index_hosts();
  std::printf("nodes %zu links %zu, peak memory with the model %.0f MB\n", t.nodes.size(),
              t.links.size(), peak_mb());

  // The machine is shared: report the best and the median of several runs.
  std::vector<double> times, cpu_times;
  for (int run = 0; run < 7; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    const GraphAnalysis a = analyse_graph(t, inv);
    cpu_times.push_back(1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (run == 0)
      std::printf("paths %d, spof nodes %zu links %zu domains %zu\n", a.reach.paths,
                  a.spof_nodes.size(), a.spof_links.size(), a.spof_domains.size());
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu_times.begin(), cpu_times.end());
  std::printf("analyse_graph: wall best %.1f ms, median %.1f ms; cpu best %.1f ms, median %.1f ms\n",
              times.front(), times[times.size() / 2], cpu_times.front(),
              cpu_times[cpu_times.size() / 2]);
  std::printf("peak memory after analysis %.0f MB\n", peak_mb());
  const auto start = std::chrono::steady_clock::now();
  FailureSet f;
  f.nodes = {"priv-0", "priv-1"};
  const Reachability r = what_if(t, inv, f);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("what_if: %.1f ms, paths %d\n", ms, r.paths);
  return 0;
}
