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
  std::string rotate;  // --rotate NODE: "" for none
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

// Why `node` cannot have its node key rotated, or "" when it can. Names the file position of
// the node where there is one.
std::string rotation_refusal(const Topology& topology, const std::string& node) {
  const Node* n = topology.find_node(node);
  if (n == nullptr) {
    std::string names;
    for (const Node& other : topology.nodes)
      if (other.role.value != Role::signer && !other.node_id)
        names += (names.empty() ? "" : ", ") + other.name.value;
    return "--rotate: no node \"" + node + "\" in " + *topology.path +
           " (nodes with a node key: " + (names.empty() ? "none" : names) + ")";
  }
  const std::string where = n->name.loc.path() + ":" + std::to_string(n->name.loc.line) + ":" +
                            std::to_string(n->name.loc.column);
  if (n->role.value == Role::signer)
    return "--rotate: \"" + node + "\" (" + where +
           ") is a signer: it holds the validator's consensus key, which picket never "
           "touches, and has no node key";
  if (n->node_id)
    return "--rotate: \"" + node + "\" (" + where + ") has a pinned node_id: its node key is "
           "kept outside picket; rotate it there and pin the new ID";
  return "";
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
  // A rotation names a node that has a node key picket manages, and one that exists already
  // (a key created by this run is new anyway).
  if (!opt.rotate.empty()) {
    if (const std::string why = rotation_refusal(topology, opt.rotate); !why.empty()) {
      std::fprintf(stderr, "picket: error: %s\n", why.c_str());
      return k_exit_usage;
    }
  }
  auto created = ensure_keys(dir, plan);
  if (!created) {
    print_error_lines(created.error());
    return k_exit_usage;
  }
  std::string rotated_backup;
  if (!opt.rotate.empty() && std::find(created->node_keys.begin(), created->node_keys.end(),
                                       opt.rotate) == created->node_keys.end()) {
    auto backup = rotate_node_key(dir, opt.rotate);
    if (!backup) {
      print_error_lines(backup.error());
      return k_exit_usage;
    }
    rotated_backup = *backup;
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
                       !rotated_backup.empty() && node.name.value == opt.rotate
                           ? "rotated"
                           : status(new_nodes.contains(node.name.value))});
  }
  for (const auto& host : plan.wireguard_hosts)
    lines.push_back({"wireguard", host, base64_key(secrets->wireguard.at(host).public_key),
                     status(new_hosts.contains(host))});
  write_out(stdout, table(lines));

  const std::size_t total = plan.node_keys.size() + plan.wireguard_hosts.size();
  const std::size_t made = new_nodes.size() + new_hosts.size();
  if (rotated_backup.empty()) {
    write_out(stdout, fmt::format("{} {} created, {} already present in {}\n", made,
                                  made == 1 ? "key" : "keys", total - made, dir));
    return k_exit_ok;
  }
  write_out(stdout, fmt::format("{} {} created, 1 rotated, {} already present in {}\n", made,
                                made == 1 ? "key" : "keys", total - made - 1, dir));
  // What to do next: the new ID reaches every peer list in one deploy.
  write_out(stdout,
            fmt::format("node key of \"{}\" rotated; the old key is kept in {} (0600). Next: "
                        "`picket plan` shows its node_key.json and every config.toml naming its "
                        "ID as changed, and `picket deploy` puts them out in one rollout\n",
                        opt.rotate, rotated_backup));
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
  cmd->add_option("--rotate", opt->rotate,
                  "Replace the node key of NODE with a fresh one (the old one is kept as a "
                  "backup in the secrets directory); the next deploy updates every peer list")
      ->type_name("NODE");
  return [opt] { return run_keys(*opt); };
}

}  // namespace picket::cli
