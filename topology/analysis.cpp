#include "topology/analysis.hpp"
// STUB: replaced by the graph work.
namespace picket {
GraphAnalysis analyse_graph(const Topology&, const Inventory&) { return {}; }
Reachability what_if(const Topology&, const Inventory&, const FailureSet&) { return {}; }
}  // namespace picket
