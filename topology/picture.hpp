#pragma once
// The topology as a picture: Graphviz DOT and Mermaid text. Nodes grouped by data centre,
// roles as shapes and colours, link kinds as line styles, partners and the network vertex,
// single points of failure highlighted. Pure: returns text (the CLI runs `dot` for SVG).

#include <string>

#include "topology/analysis.hpp"
#include "topology/model.hpp"

namespace picket {

std::string picture_dot(const Topology& topology, const Inventory& inventory,
                        const GraphAnalysis& analysis);
std::string picture_mermaid(const Topology& topology, const Inventory& inventory,
                            const GraphAnalysis& analysis);

}  // namespace picket
