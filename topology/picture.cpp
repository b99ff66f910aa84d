#include "topology/picture.hpp"
// STUB: replaced by the output work.
namespace picket {
std::string picture_dot(const Topology&, const Inventory&, const GraphAnalysis&) { return {}; }
std::string picture_mermaid(const Topology&, const Inventory&, const GraphAnalysis&) { return {}; }
}  // namespace picket
