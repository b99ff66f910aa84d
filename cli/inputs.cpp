#include "cli/inputs.hpp"

#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "render/checks.hpp"
#include "topology/base_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>

#include <CLI/CLI.hpp>

namespace picket::cli {

namespace fs = std::filesystem;

namespace {
// Larger inputs are refused rather than read: no honest topology comes near it.
constexpr std::uintmax_t k_max_file_size = 512ull * 1024 * 1024;

// A quick look for a top-level `inventory: PATH` line, so the inventory can be parsed on the
// other core while the topology is. Only a guess: the parsed value is checked afterwards.
std::optional<std::string> guess_inventory(const std::string& text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    if (text.compare(pos, 10, "inventory:") == 0) {
      std::string value = text.substr(pos + 10, end - pos - 10);
      if (auto hash = value.find(" #"); hash != std::string::npos) value.resize(hash);
      const auto first = value.find_first_not_of(" \t");
      const auto last = value.find_last_not_of(" \t\r");
      if (first == std::string::npos) return std::nullopt;
      value = value.substr(first, last - first + 1);
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front())
        value = value.substr(1, value.size() - 2);
      return value;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

// Paths in the topology (`inventory:`, chain.base_config, chain.base_app) are relative to it.
std::string resolve_inventory(const std::string& topology_path, const std::string& written) {
  fs::path p(written);
  if (p.is_relative()) p = fs::path(topology_path).parent_path() / p;
  return p.lexically_normal().string();
}
}  // namespace

std::optional<std::string> load_base_files(const std::string& topology_path, Topology& topology,
                                           SourceMap& sources, Diagnostics& out) {
  struct Named {
    const char* key;
    std::optional<BaseFile>* base;
  };
  for (const Named& n : {Named{"base_config", &topology.chain.base_config},
                         Named{"base_app", &topology.chain.base_app}}) {
    if (!*n.base) continue;
    auto text = read_source(resolve_inventory(topology_path, (*n.base)->path.value));
    if (!text)
      return text.error() + " (named by `chain." + n.key + "` in " + topology_path + ")";
    parse_base_file(*text, n.key, **n.base, out);
    sources.emplace(text->path, std::move(text->text));
  }
  return std::nullopt;
}

void add_inventory_option(CLI::App& cmd, std::optional<std::string>& inventory,
                          const std::string& help) {
  cmd.add_option_function<std::string>(
      "--inventory,-i",
      [&inventory](const std::string& path) {
        if (!path.empty()) inventory = path;
      },
      help);
}

void add_input_options(CLI::App& cmd, InputPaths& paths) {
  cmd.add_option("topology", paths.topology, "Topology file")->required();
  add_inventory_option(cmd, paths.inventory,
                       "Inventory file (default: the topology's `inventory:` key)");
}

tl::expected<SourceText, std::string> read_source(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return tl::make_unexpected(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::make_unexpected(path + ": cannot read: " + std::strerror(errno));
  const auto size = fs::file_size(path, ec);
  if (!ec && size > k_max_file_size)
    return tl::make_unexpected(path + ": file too large (" + std::to_string(size) + " bytes)");
  SourceText source{path, {}};
  // One read into a buffer of the file's size (a stringstream would copy it twice); a file
  // that grows meanwhile is read on to its end.
  std::size_t got = 0;
  source.text.resize(ec ? 0 : static_cast<std::size_t>(size));
  for (;;) {
    if (got == source.text.size()) source.text.resize(got + 65536);
    in.read(source.text.data() + got, static_cast<std::streamsize>(source.text.size() - got));
    got += static_cast<std::size_t>(in.gcount());
    if (in.bad()) return tl::make_unexpected(path + ": read error");
    if (!in) break;
  }
  source.text.resize(got);
  return source;
}

tl::expected<CheckedInputs, std::string> load_and_check(const InputPaths& paths) {
  auto topology_text = read_source(paths.topology);
  if (!topology_text) return tl::make_unexpected(topology_text.error());

  // The two files are independent: parse them on both cores at once. Without --inventory
  // the path comes from a first look at the topology text, confirmed after parsing.
  std::optional<std::future<std::pair<Inventory, Diagnostics>>> inventory_job;
  std::optional<SourceText> inventory_text;
  std::optional<std::string> guessed;
  if (paths.inventory) {
    auto text = read_source(*paths.inventory);
    if (!text) return tl::make_unexpected(text.error());
    inventory_text = std::move(*text);
  } else if (auto written = guess_inventory(topology_text->text)) {
    guessed = *written;
    if (auto text = read_source(resolve_inventory(paths.topology, *written)))
      inventory_text = std::move(*text);
  }
  if (inventory_text) {
    inventory_job = std::async(std::launch::async, [&inventory_text] {
      Diagnostics d;
      Inventory inv = load_inventory(*inventory_text, d);
      return std::pair{std::move(inv), std::move(d)};
    });
  }

  Diagnostics diags;
  Topology topology = load_topology(*topology_text, diags);
  CheckedInputs out;
  out.sources.emplace(topology_text->path, std::move(topology_text->text));
  if (auto failed = load_base_files(paths.topology, topology, out.sources, diags))
    return tl::make_unexpected(*failed);

  Inventory inventory;
  const bool guess_confirmed =
      !paths.inventory && guessed && topology.inventory && topology.inventory->value == *guessed;
  if (inventory_job && !paths.inventory && !guess_confirmed) {
    // The guess was wrong (or the key is not what it looked like): drop it.
    inventory_job->wait();
    inventory_job.reset();
    inventory_text.reset();
  }
  if (inventory_job) {
    auto [inv, inv_diags] = inventory_job->get();
    inventory = std::move(inv);
    diags.insert(diags.end(), std::make_move_iterator(inv_diags.begin()),
                 std::make_move_iterator(inv_diags.end()));
    out.inventory_loaded = true;
  } else if (topology.inventory) {
    auto text = read_source(resolve_inventory(paths.topology, topology.inventory->value));
    if (!text)
      return tl::make_unexpected(text.error() + " (named by `inventory:` in " + paths.topology +
                                 ")");
    inventory_text = std::move(*text);
    inventory = load_inventory(*inventory_text, diags);
    out.inventory_loaded = true;
  } else if (has_errors(diags)) {
    // The topology is too broken to name its inventory: report what it has.
    out.result.diagnostics = std::move(diags);
    sort_diagnostics(out.result.diagnostics);
    out.result.topology = std::move(topology);
    return out;
  } else {
    return tl::make_unexpected("no inventory: pass --inventory FILE or set `inventory:` in " +
                               paths.topology);
  }
  if (inventory_text) out.sources.emplace(inventory_text->path, std::move(inventory_text->text));
  // What render would refuse (config: overrides against what it derives, the tunnel plan,
  // homes, …) is lint's to report first (render depends on topology, not the other way
  // round, so this check joins the pipeline here, on lint's peering index).
  const auto renderable = [](const PeeringIndex& peering, const Inventory& inv, Diagnostics& d) {
    check_renderable(peering, inv, d);
  };
  out.result = check(std::move(topology), std::move(inventory), std::move(diags), renderable);
  return out;
}

tl::expected<CheckedInputs, int> load_or_usage_error(const InputPaths& paths) {
  auto inputs = load_and_check(paths);
  if (!inputs) {
    std::fprintf(stderr, "picket: error: %s\n", inputs.error().c_str());
    return tl::make_unexpected(k_exit_usage);
  }
  return std::move(*inputs);
}

void print_warnings(const CheckedInputs& inputs) {
  Diagnostics warnings;
  for (const auto& d : inputs.result.diagnostics)
    if (d.severity == Severity::warning) warnings.push_back(d);
  if (warnings.empty()) return;
  write_out(stderr, format_text_findings(warnings, inputs.sources, use_color("auto", stderr)));
}

tl::expected<CheckedInputs, int> load_graph_or_explain(const InputPaths& paths) {
  auto inputs = load_or_usage_error(paths);
  if (!inputs) return inputs;
  const LintResult& r = inputs->result;
  if (!r.analysis) {
    write_out(stderr, format_text(r.diagnostics, summarize(r.diagnostics, r.analysis),
                                  inputs->sources, use_color("auto", stderr)));
    return tl::make_unexpected(k_exit_findings);
  }
  print_warnings(*inputs);
  return std::move(*inputs);
}

}  // namespace picket::cli
