#pragma once
// The topology's `firewall:` section (topology-format.md §1): the per-address limits on
// public sentries' p2p ports and the ICMP echo rate every host's ruleset applies.

#include "topology/model.hpp"
#include "topology/yaml_read.hpp"

namespace picket {

/// Reads `firewall:` into topology.firewall (keys left out keep their defaults); every
/// problem is a diagnostic of `reader`.
void read_firewall(YamlReader& reader, const YamlField& field, Topology& topology);

}  // namespace picket
