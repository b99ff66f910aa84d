#include "topology/whatif.hpp"
// STUB: replaced by the output work.
namespace picket {
bool parse_failures(const std::vector<std::string>&, const Topology&, const Inventory&, FailureSet&, Diagnostics&) { return true; }
std::string format_whatif(const FailureSet&, const Reachability&, const Reachability&) { return {}; }
}  // namespace picket
