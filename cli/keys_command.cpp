// `picket keys`: creates the node keys and WireGuard keys the topology needs and lists their
// public halves (node IDs, WireGuard public keys). Private keys stay in the secrets directory;
// nothing here prints them.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/inputs.hpp"
#include "cli/secrets_store.hpp"
#include "cli/terminal.hpp"
#include "render/key_plan.hpp"
#include "topology/report.hpp"

namespace picket::cli {

namespace {
struct KeysOptions {
  InputPaths paths;
  std::string secrets;
};

// One output line: kind, name, public identity, status.
struct KeyLine {
  std::string kind;
  std::string name;
  std::string identity;
  std::string status;
};

// The store reports one problem per line; each gets the usual prefix.
void print_error_lines(const std::string& message) {
  std::size_t start = 0;
  while (start <= message.size()) {
    const auto end = std::min(message.find('\n', start), message.size());
    std::fprintf(stderr, "picket: error: %s\n", message.substr(start, end - start).c_str());
    start = end + 1;
  }
}

// Columns aligned so IDs and keys line up whatever the name lengths.
std::string table(const std::vector<KeyLine>& lines) {
  std::size_t kind_width = 0, name_width = 0, identity_width = 0;
  for (const auto& l : lines) {
    kind_width = std::max(kind_width, l.kind.size());
    name_width = std::max(name_width, l.name.size());
    identity_width = std::max(identity_width, l.identity.size());
  }
  std::string out;
  for (const auto& l : lines)
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", l.kind, kind_width, l.name, name_width,
                       l.identity, identity_width, l.status);
  return out;
}

int run_keys(const KeysOptions& opt) {
  const InputPaths& paths = opt.paths;
  auto inputs = load_or_usage_error(paths);
  if (!inputs) return inputs.error();
  // Keys are named after nodes and hosts: a model with load or reference errors could name
  // the wrong ones. Graph findings (SPOFs and the like) do not change which keys exist.
  const Diagnostics& diags = inputs->result.diagnostics;
  if (!inputs->result.analysis) {
    write_out(stderr, format_text(diags, summarize(diags, inputs->result.analysis),
                                  inputs->sources, use_color("auto", stderr)));
    return k_exit_findings;
  }
  print_warnings(*inputs);
  const Topology& topology = inputs->result.topology;
  const std::string dir = opt.secrets.empty() ? default_secrets_dir(paths.topology) : opt.secrets;

  if (auto usable = check_secrets_dir(dir); !usable) {
    print_error_lines(usable.error());
    return k_exit_usage;
  }

  // A pinned ID that contradicts its key file would render peers that reject the node.
  Diagnostics pinned;
  check_pinned_ids(topology, dir, pinned);
  if (has_errors(pinned)) {
    write_out(stderr, format_text(pinned, summarize(pinned, inputs->result.analysis),
                                  inputs->sources, use_color("auto", stderr)));
    return k_exit_findings;
  }

  // Validate what exists before adding to it: a broken key file is the operator's to fix.
  const KeyPlan plan = plan_keys(topology);
  if (auto existing = load_secrets(dir, plan); !existing) {
    print_error_lines(existing.error());
    return k_exit_findings;
  }
  auto created = ensure_keys(dir, plan);
  if (!created) {
    print_error_lines(created.error());
    return k_exit_usage;
  }
  // Read back what is on disk: the listing shows the keys as the deploy will find them.
  auto secrets = load_secrets(dir, plan);
  if (!secrets) {
    print_error_lines(secrets.error());
    return k_exit_usage;
  }
  if (auto missing = missing_keys(plan, *secrets); !missing.empty()) {
    std::string list;
    for (const auto& item : missing) list += (list.empty() ? "" : ", ") + item;
    std::fprintf(stderr, "picket: error: %s: still missing after creating: %s\n", dir.c_str(),
                 list.c_str());
    return k_exit_usage;
  }

  const std::set<std::string> new_nodes(created->node_keys.begin(), created->node_keys.end());
  const std::set<std::string> new_hosts(created->wireguard_hosts.begin(),
                                        created->wireguard_hosts.end());
  auto status = [](bool is_new) { return is_new ? "created" : "exists"; };
  std::vector<KeyLine> lines;
  for (const Node& node : topology.nodes) {
    if (node.node_id)
      lines.push_back({"node", node.name.value, node.node_id->value, "pinned"});
    else if (auto it = secrets->node_keys.find(node.name.value); it != secrets->node_keys.end())
      lines.push_back({"node", node.name.value, node_id(it->second),
                       status(new_nodes.contains(node.name.value))});
  }
  for (const auto& host : plan.wireguard_hosts)
    lines.push_back({"wireguard", host, base64_key(secrets->wireguard.at(host).public_key),
                     status(new_hosts.contains(host))});
  write_out(stdout, table(lines));

  const std::size_t total = plan.node_keys.size() + plan.wireguard_hosts.size();
  const std::size_t made = new_nodes.size() + new_hosts.size();
  write_out(stdout, fmt::format("{} {} created, {} already present in {}\n", made,
                                made == 1 ? "key" : "keys", total - made, dir));
  return k_exit_ok;
}
}  // namespace

Command add_keys_command(CLI::App& app) {
  auto opt = std::make_shared<KeysOptions>();
  auto* cmd = app.add_subcommand(
      "keys", "Create the missing node and WireGuard keys; list node IDs and public keys");
  add_input_options(*cmd, opt->paths);
  cmd->add_option("--secrets", opt->secrets,
                  "Secrets directory (default: .picket/secrets beside the topology file)");
  return [opt] { return run_keys(*opt); };
}

}  // namespace picket::cli
