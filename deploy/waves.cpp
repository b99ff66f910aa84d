// Restart waves. Approach: order the nodes by role (public sentries, private sentries,
// signers, validator), then fill waves first-fit in that order: a node joins the current
// wave if the validator keeps enough node-disjoint paths with the wave plus that node down
// (one what_if max-flow per candidate), else the wave closes and the node opens the next.
// Earlier waves are not counted as down: a wave starts only after the previous one passed
// its health checks.

#include "deploy/waves.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "topology/peering.hpp"

namespace picket {

PathCounter graph_path_counter(const Topology& topology, const Inventory& inventory) {
  // Indexed once: every candidate wave is a what_if on the same graph.
  auto peering = std::make_shared<const PeeringIndex>(topology);
  return [peering, &inventory](const std::vector<std::string>& down) {
    FailureSet failures;
    failures.nodes = down;
    return what_if(*peering, inventory, failures).paths;
  };
}

int required_paths(const Topology& topology, int designed) {
  const int policy = topology.policy.min_paths.value;
  return std::max(1, designed >= policy ? policy : 1);
}

std::vector<Wave> plan_waves(const Topology& topology, const std::vector<std::string>& nodes,
                             const PathCounter& paths, int max_wave) {
  const std::set<std::string> wanted(nodes.begin(), nodes.end());
  auto of_role = [&](Role role) {
    std::vector<std::string> out;
    for (const Node& n : topology.nodes)
      if (n.role.value == role && wanted.count(n.name.value)) out.push_back(n.name.value);
    std::sort(out.begin(), out.end());
    return out;
  };

  std::vector<Wave> waves;
  const int needed = required_paths(topology, paths({}));
  for (Role role : {Role::public_sentry, Role::private_sentry}) {
    Wave current{role, {}};
    for (const std::string& name : of_role(role)) {
      std::vector<std::string> trial = current.nodes;
      trial.push_back(name);
      const bool fits = max_wave <= 0 || static_cast<int>(trial.size()) <= max_wave;
      if (current.nodes.empty() || (fits && paths(trial) >= needed)) {
        current.nodes = std::move(trial);
        continue;
      }
      waves.push_back(std::move(current));
      current = Wave{role, {name}};
    }
    if (!current.nodes.empty()) waves.push_back(std::move(current));
  }
  // The signer has no vertex of its own: its restart pauses signing, not the paths. A
  // horcrux signer keeps signing while `threshold` cosigners run, so its cosigners restart
  // at most N - T at a time (at least one: a T = N cluster, which lint refuses, one by one).
  std::vector<std::string> signers;
  std::map<std::string, std::vector<std::string>> cosigners;  // horcrux signer -> cosigners
  for (const std::string& name : of_role(Role::signer)) {
    const Node* n = topology.find_node(name);
    if (n != nullptr && n->cosigner_of)
      cosigners[*n->cosigner_of].push_back(name);
    else
      signers.push_back(name);
  }
  if (!signers.empty()) {
    const std::size_t size = max_wave > 0 ? static_cast<std::size_t>(max_wave) : signers.size();
    for (std::size_t i = 0; i < signers.size(); i += size)
      waves.push_back(Wave{Role::signer, {signers.begin() + static_cast<std::ptrdiff_t>(i),
                                          signers.begin() + static_cast<std::ptrdiff_t>(std::min(i + size, signers.size()))}});
  }
  for (const auto& [cluster, names] : cosigners) {
    const Node* signer = topology.find_node(cluster);
    std::size_t size = 1;
    if (signer != nullptr && signer->horcrux) {
      const int spare = static_cast<int>(signer->horcrux->cosigners.size()) - signer->horcrux->threshold.value;
      size = static_cast<std::size_t>(std::max(1, spare));
    }
    if (max_wave > 0) size = std::min(size, static_cast<std::size_t>(max_wave));
    for (std::size_t i = 0; i < names.size(); i += size)
      waves.push_back(Wave{Role::signer, {names.begin() + static_cast<std::ptrdiff_t>(i),
                                          names.begin() + static_cast<std::ptrdiff_t>(std::min(i + size, names.size()))}});
  }
  // The validator last and alone (standbys are held back by the plan, never listed here).
  for (const std::string& name : of_role(Role::validator))
    waves.push_back(Wave{Role::validator, {name}});
  return waves;
}

}  // namespace picket
