// Plan: group the rendered files by host, read each host's current files on a bounded pool
// of threads (one connection per host), classify each file by comparing content and mode,
// and derive the host's actions from the changed files. Secret files are compared by hash
// only: their content is never kept, diffed or printed.

#include "deploy/plan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "deploy/diff.hpp"
#include "deploy/host_commands.hpp"
#include "deploy/parallel.hpp"
#include "deploy/plan_file.hpp"
#include "render/manifest.hpp"
#include "util/text.hpp"

namespace picket {

const char* file_change_name(FileChange c) {
  switch (c) {
    case FileChange::create: return "create";
    case FileChange::change: return "change";
    case FileChange::unchanged: return "unchanged";
  }
  return "unchanged";
}

std::string octal_mode(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

std::vector<std::string> target_dirs(const HostPlan& host) {
  std::set<std::string> dirs;
  for (const PlannedFile& f : host.files) {
    const auto slash = f.remote_path.rfind('/');
    if (slash != std::string::npos) dirs.insert(slash == 0 ? "/" : f.remote_path.substr(0, slash));
  }
  return {dirs.begin(), dirs.end()};
}

bool HostPlan::files_changed() const {
  return std::any_of(files.begin(), files.end(),
                     [](const PlannedFile& f) { return f.change != FileChange::unchanged; });
}

bool HostPlan::changed() const {
  return files_changed() || !pending.empty() || !stale_temps.empty();
}

PlanCounts Plan::counts() const {
  PlanCounts c;
  for (const HostPlan& h : hosts) {
    for (const PlannedFile& f : h.files) {
      if (f.change == FileChange::create) ++c.create;
      if (f.change == FileChange::change) ++c.change;
      if (f.change == FileChange::unchanged) ++c.unchanged;
    }
    c.restart += static_cast<int>(h.restart.size());
  }
  return c;
}

bool Plan::has_changes() const {
  return std::any_of(hosts.begin(), hosts.end(), [](const HostPlan& h) { return h.changed(); });
}

bool Plan::has_errors() const {
  return std::any_of(hosts.begin(), hosts.end(),
                     [](const HostPlan& h) { return h.error || !h.problems.empty(); });
}

const HostPlan* Plan::find(const std::string& host) const {
  for (const HostPlan& h : hosts)
    if (h.host == host) return &h;
  return nullptr;
}

std::optional<int> rpc_port_in_config(const std::string& config_toml) {
  const std::string_view text(config_toml);
  std::string_view section;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      const auto close = line.find(']');
      section = close == std::string_view::npos ? "" : trim(line.substr(1, close - 1));
      continue;
    }
    const auto eq = line.find('=');
    if (section != "rpc" || eq == std::string_view::npos || trim(line.substr(0, eq)) != "laddr")
      continue;
    const std::string_view value = trim(line.substr(eq + 1));
    if (value.size() < 2 || value.front() != '"') return std::nullopt;
    const auto quote = value.find('"', 1);
    if (quote == std::string_view::npos) return std::nullopt;
    const std::string_view laddr = value.substr(1, quote - 1);
    if (laddr.rfind("tcp://", 0) != 0) return std::nullopt;
    const std::string_view port = laddr.substr(laddr.rfind(':') + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

namespace {

PlannedFile classify(const RenderedFile& file, std::size_t index, const Host& host,
                     const Topology& topology, const std::optional<RemoteFile>& current) {
  PlannedFile p;
  p.index = index;
  p.path = file.path;
  p.remote_path = remote_path(host, file.path);
  p.node = file.node;
  p.action = file.action;
  p.secret = file.secret;
  p.as_root = needs_root(file, topology, host);
  p.mode = file.mode;
  p.sha256 = sha256_hex(file.content);
  if (!current) {
    p.change = FileChange::create;
    return p;
  }
  p.old_mode = current->mode;
  p.old_sha256 = sha256_hex(current->content);
  const bool same_content = current->content == file.content;
  p.change = same_content && current->mode == file.mode ? FileChange::unchanged
                                                        : FileChange::change;
  if (!same_content && !file.secret) {
    p.binary = is_binary(current->content) || is_binary(file.content);
    if (!p.binary) p.diff = unified_diff(p.path, current->content, file.content);
    if (!p.binary && !file.node.empty() && file.path.ends_with("/config.toml"))
      p.old_rpc_port = rpc_port_in_config(current->content);
  }
  return p;
}

// What the changed files ask of the host. Standby validators are never started by picket
// (a second active validator double-signs), so their restarts are held back.
void derive_actions(HostPlan& hp, const Host& host, const Topology& topology) {
  std::set<std::string> restart, held;
  for (const PlannedFile& f : hp.files) {
    if (f.change == FileChange::unchanged) continue;
    switch (f.action) {
      case ApplyAction::reload_firewall: hp.reload_firewall = true; break;
      case ApplyAction::reload_vpn: hp.reload_vpn = true; break;
      case ApplyAction::reload_monitoring: hp.reload_monitoring = true; break;
      case ApplyAction::reload_units: hp.reload_units = true; break;
      case ApplyAction::restart_node:
      case ApplyAction::restart_signer: {
        if (f.node.empty()) break;
        const Node* node = topology.find_node(f.node);
        if (node != nullptr && node->role.value == Role::validator && node->standby.value)
          held.insert(f.node);
        else
          restart.insert(f.node);
        break;
      }
      case ApplyAction::none: break;
    }
  }
  // Restarts an earlier deploy left pending: the node runs older files than its disk holds.
  for (const auto& [name, p] : hp.pending) {
    const Node* node = topology.find_node(name);
    if (node != nullptr && node->host.value == hp.host &&
        !(node->role.value == Role::validator && node->standby.value))
      restart.insert(name);
  }
  hp.restart.assign(restart.begin(), restart.end());
  hp.held_back.assign(held.begin(), held.end());
  for (const std::string& name : hp.restart) {
    const Node* node = topology.find_node(name);
    if (node != nullptr && restart_command(host, *node)) continue;
    hp.problems.push_back(hp.host + ": cannot restart " + name +
                          ": the inventory sets neither `restart` nor `service` for this host");
    break;
  }
}

HostPlan plan_host(const std::string& name, const std::vector<std::size_t>& indices,
                   const FileSet& files, const Topology& topology, const Inventory& inventory,
                   Connections& connections) {
  HostPlan hp;
  hp.host = name;
  const Host* host = inventory.find_host(name);
  if (host == nullptr) {
    hp.error = TransportError{TransportError::Kind::not_found, name + ": not in the inventory"};
    return hp;
  }
  hp.address = host->address.value;
  auto transport = connections.get(name);
  if (!transport) {
    hp.error = transport.error();
    return hp;
  }
  for (std::size_t i : indices) {
    const RenderedFile& file = files[i];
    const std::string remote = remote_path(*host, file.path);
    auto current = (*transport)->read_file(remote, needs_root(file, topology, *host));
    if (!current) {
      hp.error = current.error();
      hp.files.clear();  // an incomplete host is not counted at all
      return hp;
    }
    hp.files.push_back(classify(file, i, *host, topology, *current));
  }
  // What a deploy that died left here: restarts not done, temp files beside the targets.
  const std::string pending = pending_path(*host);
  auto recorded = (*transport)->read_file(pending, false);
  if (!recorded) {
    hp.error = recorded.error();
    hp.files.clear();
    return hp;
  }
  if (*recorded) {
    if (auto parsed = parse_pending((*recorded)->content))
      hp.pending = std::move(*parsed);
    else
      hp.problems.push_back(hp.host + ": " + pending +
                            " is not a list of pending restarts; remove it or fix it");
  }
  auto temps = (*transport)->list_temps(target_dirs(hp));
  if (!temps) {
    hp.error = temps.error();
    hp.files.clear();
    return hp;
  }
  hp.stale_temps = std::move(*temps);
  derive_actions(hp, *host, topology);
  return hp;
}

void append_indented(std::string& out, const std::string& text, const char* indent) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += indent;
    out.append(text, start, end - start);
    out += '\n';
    start = end + 1;
  }
}

std::string file_line(const PlannedFile& f) {
  std::string line = f.change == FileChange::create ? "  + " : "  ~ ";
  line += f.remote_path;
  if (f.change == FileChange::create) {
    line += " (create, mode " + octal_mode(f.mode) + ")";
  } else {
    line += " (change";
    if (f.old_mode && *f.old_mode != f.mode)
      line += ", mode " + octal_mode(*f.old_mode) + " -> " + octal_mode(f.mode);
    line += ")";
  }
  if (f.secret) line += " (secret, content hidden)";
  return line + "\n";
}

// What a dead deploy left on the host, and what the next deploy does about it.
void pending_lines(std::string& out, const HostPlan& h) {
  const bool files = h.files_changed();
  for (const auto& [node, p] : h.pending)
    out += "  restart pending since " + p.since + ": " + node + " (its files went live in a " +
           "deploy by " + p.by + " that did not finish; " +
           (files ? "restarted with the changes above" : "the next deploy restarts it") + ")\n";
  if (!h.pending.empty() && !files) out += "  restart: " + join(h.restart, ", ") + "\n";
  if (!h.stale_temps.empty())
    out += "  " + plural(h.stale_temps.size(), "temp file", "temp files") +
           " left by a deploy that died (the next deploy removes them): " +
           join(h.stale_temps) + "\n";
}

std::vector<std::string> reloads(const HostPlan& h) {
  std::vector<std::string> out;  // in the order a deploy runs them
  if (h.reload_units) out.push_back("systemd units");
  if (h.reload_firewall) out.push_back("firewall");
  if (h.reload_vpn) out.push_back("vpn");
  if (h.reload_monitoring) out.push_back("monitoring");
  return out;
}

}  // namespace

Plan make_plan(const FileSet& files, const Topology& topology, const Inventory& inventory,
               Connections& connections, const PlanOptions& options) {
  std::map<std::string, std::vector<std::size_t>> by_host;
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!files[i].host.empty()) by_host[files[i].host].push_back(i);

  std::vector<std::pair<std::string, std::vector<std::size_t>>> jobs(by_host.begin(),
                                                                     by_host.end());
  Plan plan;
  plan.hosts.resize(jobs.size());
  parallel_for(jobs.size(), options.parallel, [&](std::size_t j) {
    plan.hosts[j] =
        plan_host(jobs[j].first, jobs[j].second, files, topology, inventory, connections);
  });
  return plan;
}

std::vector<RemovedHost> removed_hosts(const std::map<std::string, DeployedHost>& deployed,
                                       const Plan& plan) {
  std::vector<RemovedHost> out;
  for (const auto& [host, d] : deployed)
    if (plan.find(host) == nullptr)
      out.push_back({host, d.last, std::vector<std::string>(d.paths.begin(), d.paths.end())});
  return out;
}

std::string format_plan_text(const Plan& plan) {
  std::string out;
  for (const HostPlan& h : plan.hosts) {
    std::string header = h.host + (h.address.empty() ? "" : " (" + h.address + ")") + ": ";
    if (h.error) {
      out += header + "error: " + transport_error_kind_name(h.error->kind) + ": " +
             h.error->message + "\n\n";
      continue;
    }
    int create = 0, change = 0, unchanged = 0;
    for (const PlannedFile& f : h.files) {
      create += f.change == FileChange::create;
      change += f.change == FileChange::change;
      unchanged += f.change == FileChange::unchanged;
    }
    if (create + change == 0 && !h.changed()) {
      out += header + "no changes, " + std::to_string(unchanged) + " unchanged\n";
    } else if (create + change == 0) {
      out += header + "no file changes, " + std::to_string(unchanged) + " unchanged\n";
      pending_lines(out, h);
    } else {
      out += header + std::to_string(create) + " to create, " + std::to_string(change) +
             " to change, " + std::to_string(unchanged) + " unchanged\n";
      for (const PlannedFile& f : h.files) {
        if (f.change == FileChange::unchanged) continue;
        out += file_line(f);
        if (f.binary) out += "      (binary content, not shown)\n";
        append_indented(out, f.diff, "      ");
      }
      if (!reloads(h).empty()) out += "  reload: " + join(reloads(h), ", ") + "\n";
      if (!h.restart.empty()) out += "  restart: " + join(h.restart, ", ") + "\n";
      if (!h.held_back.empty())
        out += "  not restarted: " + join(h.held_back, ", ") +
               " (standby validator: picket never starts it)\n";
      pending_lines(out, h);
    }
    for (const std::string& p : h.problems) out += "  problem: " + p + "\n";
    out += "\n";
  }
  // Files on a host picket no longer manages are the operator's to clean up: picket cannot
  // tell whether its node still runs there, and removing them would stop it.
  for (const RemovedHost& r : plan.removed) {
    out += "host " + r.host + " is no longer in the topology: picket last deployed to it at " +
           r.last + "; the " + plural(r.paths.size(), "file", "files") + " it wrote there " +
           (r.paths.size() == 1 ? "is" : "are") + " left alone (not removed, nothing stopped):\n";
    for (const std::string& p : r.paths) out += "  " + p + "\n";
    out += "\n";
  }
  const PlanCounts c = plan.counts();
  out += "Plan: " + std::to_string(c.create) + " to create, " + std::to_string(c.change) +
         " to change, " + std::to_string(c.unchanged) + " unchanged; " +
         std::to_string(c.restart) + (c.restart == 1 ? " node" : " nodes") + " to restart.\n";
  return out;
}

std::string format_plan_json(const Plan& plan) {
  using nlohmann::ordered_json;
  ordered_json doc;
  doc["format_version"] = 1;
  doc["hosts"] = ordered_json::array();
  int errors = 0;
  for (const HostPlan& h : plan.hosts) {
    ordered_json host;
    host["host"] = h.host;
    host["address"] = h.address;
    if (h.error) {
      ++errors;
      host["error"] = {{"kind", transport_error_kind_name(h.error->kind)},
                       {"message", h.error->message}};
    } else {
      host["error"] = nullptr;
    }
    host["problems"] = h.problems;
    errors += static_cast<int>(h.problems.size());
    host["files"] = ordered_json::array();
    for (const PlannedFile& f : h.files) {
      ordered_json file = planned_file_json(f);
      file["diff"] = f.diff.empty() ? ordered_json() : ordered_json(f.diff);
      host["files"].push_back(std::move(file));
    }
    host["reload"] = reloads(h);
    host["restart"] = h.restart;
    host["held_back"] = h.held_back;
    host["pending_restarts"] = ordered_json::array();
    for (const auto& [node, p] : h.pending)
      host["pending_restarts"].push_back({{"node", node}, {"since", p.since}, {"by", p.by}});
    host["stale_temp_files"] = h.stale_temps;
    doc["hosts"].push_back(std::move(host));
  }
  doc["removed_hosts"] = ordered_json::array();
  for (const RemovedHost& r : plan.removed)
    doc["removed_hosts"].push_back({{"host", r.host}, {"last_deployed", r.last}, {"files", r.paths}});
  const PlanCounts c = plan.counts();
  doc["summary"] = {{"create", c.create},       {"change", c.change}, {"unchanged", c.unchanged},
                    {"restart", c.restart},     {"errors", errors},
                    {"changes", plan.has_changes()}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace picket
