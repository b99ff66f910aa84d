// The rollout's order and the deploy's report as text (see rollout.hpp).
// Approach: the waves come from plan_waves (the graph's path counts); a host is touched first
// in the step of its earliest node, and hosts whose changes restart and reload nothing go
// with the first step.

#include "deploy/rollout.hpp"

#include <algorithm>
#include <set>

#include "util/text.hpp"

namespace picket {

const char* host_outcome_name(HostOutcome o) {
  switch (o) {
    case HostOutcome::untouched: return "untouched";
    case HostOutcome::deployed: return "deployed";
    case HostOutcome::rolled_back: return "rolled back";
  }
  return "untouched";
}

namespace {

bool is_standby_validator(const Node& n) {
  return n.role.value == Role::validator && n.standby.value;
}

}  // namespace

Rollout plan_rollout(const Plan& plan, const Topology& topology, const PathCounter& paths,
                     int max_wave) {
  std::set<std::string> affected;
  std::set<std::string> changed_hosts;
  for (const HostPlan& hp : plan.hosts) {
    if (!hp.changed()) continue;
    changed_hosts.insert(hp.host);
    affected.insert(hp.restart.begin(), hp.restart.end());
    if (hp.reload_firewall || hp.reload_vpn)
      for (const Node& n : topology.nodes)
        if (n.host.value == hp.host && !is_standby_validator(n)) affected.insert(n.name.value);
  }
  Rollout rollout;
  std::set<std::string> touched;
  for (Wave& wave : plan_waves(topology, {affected.begin(), affected.end()}, paths, max_wave)) {
    RolloutStep step{std::move(wave), {}};
    std::set<std::string> first;
    for (const std::string& name : step.wave.nodes) {
      const Node* n = topology.find_node(name);
      if (n != nullptr && changed_hosts.count(n->host.value) && !touched.count(n->host.value))
        first.insert(n->host.value);
    }
    touched.insert(first.begin(), first.end());
    step.first_touch.assign(first.begin(), first.end());
    rollout.push_back(std::move(step));
  }
  // Hosts whose changes restart and reload nothing: uploaded in the first step.
  std::vector<std::string> rest;
  for (const std::string& h : changed_hosts)
    if (!touched.count(h)) rest.push_back(h);
  if (!rest.empty()) {
    if (rollout.empty()) rollout.push_back(RolloutStep{});
    auto& first = rollout.front().first_touch;
    first.insert(first.end(), rest.begin(), rest.end());
    std::sort(first.begin(), first.end());
  }
  return rollout;
}

std::string format_rollout(const Rollout& rollout) {
  std::string out = "Rollout: " + plural(rollout.size(), "step", "steps") + "\n";
  for (std::size_t i = 0; i < rollout.size(); ++i) {
    const RolloutStep& s = rollout[i];
    out += "  " + std::to_string(i + 1) + ". ";
    if (s.wave.nodes.empty())
      out += "files only, no restart";
    else
      out += std::string(role_name(s.wave.role)) + ": " + join(s.wave.nodes);
    if (!s.first_touch.empty()) out += " (files go live on " + join(s.first_touch) + ")";
    out += "\n";
  }
  return out;
}

std::string format_apply_report(const ApplyReport& report) {
  std::string out;
  int changed = 0, restarted = 0;
  for (const HostReport& h : report.hosts) {
    out += "  " + h.host + ": ";
    switch (h.outcome) {
      case HostOutcome::untouched:
        out += h.planned_change ? "untouched (its changes were not applied)" : "unchanged";
        break;
      case HostOutcome::deployed:
        ++changed;
        restarted += static_cast<int>(h.restarted.size());
        out += "deployed: " + plural(h.written.size(), "file", "files") + " written";
        if (!h.restarted.empty()) out += ", restarted " + join(h.restarted);
        if (!h.completed.empty())
          out += " (" + join(h.completed) + ": the restart an earlier deploy left pending)";
        if (h.swept > 0)
          out += ", removed " + plural(h.swept, "temp file", "temp files") +
                 " a deploy that died left";
        if (!h.not_restarted.empty())
          out += "; not restarted: " + join(h.not_restarted) +
                 " (the new files take effect at its next restart)";
        break;
      case HostOutcome::rolled_back:
        out += "rolled back: " + plural(h.written.size(), "file", "files") + " written, " +
               std::to_string(h.restored.size()) + " restored";
        break;
    }
    if (!h.error.empty()) out += "; error: " + h.error;
    out += "\n";
    for (const std::string& note : h.notes) out += "    note: " + note + "\n";
  }
  switch (report.status) {
    case ApplyStatus::ok:
      if (changed == 0) {
        out += "Deploy complete: no changes.\n";
      } else {
        out += "Deploy complete: " + plural(static_cast<std::size_t>(changed), "host", "hosts") +
               " changed, " + plural(static_cast<std::size_t>(restarted), "node", "nodes") +
               " restarted in " + plural(report.rollout.size(), "step", "steps") + ".\n";
      }
      break;
    case ApplyStatus::refused: out += "Deploy refused: " + report.message + ".\n"; break;
    case ApplyStatus::failed:
      out += "Deploy failed after " + std::to_string(report.steps_done) + " of " +
             plural(report.rollout.size(), "step", "steps") + ": " + report.message + ".\n";
      break;
  }
  return out;
}

}  // namespace picket
