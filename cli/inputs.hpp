#pragma once
// Reading the topology and inventory files named on the command line and running the lint
// pipeline on them. The only place that turns paths into texts for topology/.

#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "topology/lint.hpp"
#include "topology/report.hpp"

namespace CLI {
class App;
}

namespace picket::cli {

/// Where the input files are.
struct InputPaths {
  std::string topology;
  std::optional<std::string> inventory;  // --inventory; else the topology's `inventory:` key
};

/// The checked model, with the file texts for printing source lines.
struct CheckedInputs {
  LintResult result;
  SourceMap sources;
  bool inventory_loaded = false;  // false when the topology was too broken to find it
};

/// Registers `--inventory,-i` on `cmd`, writing into `inventory` (an empty value counts as
/// not given). Every command binds it through here, most through add_input_options.
void add_inventory_option(CLI::App& cmd, std::optional<std::string>& inventory,
                          const std::string& help);

/// Registers the positional topology file and `--inventory` of every command on `cmd`,
/// writing into `paths` (an empty --inventory counts as not given).
void add_input_options(CLI::App& cmd, InputPaths& paths);

/// Reads a whole file. Error: a message naming the path and the reason.
tl::expected<SourceText, std::string> read_source(const std::string& path);

/// Reads the base files the chain names (chain.base_config, chain.base_app; paths relative to
/// the topology file) into `topology`, their texts into `sources`; TOML problems are
/// diagnostics in `out`. Returns why a file could not be read (a usage error), else nullopt.
std::optional<std::string> load_base_files(const std::string& topology_path, Topology& topology,
                                           SourceMap& sources, Diagnostics& out);

/// Reads both files and runs every lint check. Error (usage, exit 64): a file cannot be
/// read, or no inventory is given. Problems inside the files are diagnostics, not errors.
tl::expected<CheckedInputs, std::string> load_and_check(const InputPaths& paths);

/// load_and_check that prints a usage error ("picket: error: …") to stderr and returns
/// k_exit_usage instead.
tl::expected<CheckedInputs, int> load_or_usage_error(const InputPaths& paths);

/// Prints the warnings among the findings to stderr, as lint shows them (no summary line):
/// commands other than lint that go on despite warnings must not keep them to themselves.
void print_warnings(const CheckedInputs& inputs);

/// load_and_check for the commands that need a sound graph (graph, whatif): on a usage error,
/// or when the files do not describe a graph yet, prints why to stderr (the diagnostics, as
/// lint shows them) and returns the exit code instead.
tl::expected<CheckedInputs, int> load_graph_or_explain(const InputPaths& paths);

}  // namespace picket::cli
