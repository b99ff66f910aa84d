#pragma once
// Restart waves: the order in which deploy takes nodes down so that the validator never
// loses its way to the network (architecture.md, "Deploy semantics").

#include <functional>
#include <string>
#include <vector>

#include "topology/analysis.hpp"
#include "topology/model.hpp"

namespace picket {

/// One wave: nodes restarted (or whose host reloads) together, then health-checked.
struct Wave {
  Role role = Role::public_sentry;  // every node of a wave has the same role
  std::vector<std::string> nodes;   // in the order they were added
};

/// The validator's node-disjoint paths to the network when `down` are all down at once.
using PathCounter = std::function<int(const std::vector<std::string>& down)>;

/// The PathCounter of the topology's graph (topology/analysis.hpp what_if).
PathCounter graph_path_counter(const Topology& topology, const Inventory& inventory);

/// The fewest paths a wave must leave the validator: policy.min_paths, or 1 where the design
/// itself has fewer (`designed`: the paths with nothing down). A deploy never takes the
/// validator below the operator's own policy; a node whose restart alone would (the design
/// has exactly min_paths) restarts alone.
int required_paths(const Topology& topology, int designed);

/// Waves for `nodes` (the nodes whose service restarts or whose host reloads): public
/// sentries, then private sentries, then signers, then the active validator alone; each role
/// in name order. Within a role, nodes are added greedily to the current wave while the
/// validator keeps `required_paths` with the whole wave down (earlier waves are back up and
/// healthy by then); a node that does not fit starts the next wave. A node whose loss alone
/// breaks the rule still gets a wave of its own (nothing better exists; lint reports it).
/// Signers are not graph vertices: tmkms signers share one wave; the cosigners of a horcrux
/// signer restart at most N - T at a time (T of them keep signing), one wave per group. Unknown names are ignored.
/// `max_wave` > 0 bounds the number of nodes in any wave (deploy --max-wave).
std::vector<Wave> plan_waves(const Topology& topology, const std::vector<std::string>& nodes,
                             const PathCounter& paths, int max_wave = 0);

}  // namespace picket
