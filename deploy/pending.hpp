#pragma once
// Pending restarts: the nodes of a host whose new files went live but whose restart and
// health check have not completed (the deploy died, was stopped, or ran with --no-restart).
// Recorded on the host itself (`<root>/var/lib/picket/pending.json`) before the first file
// goes live, cleared node by node once a node is restarted and healthy, so any later plan
// from any machine sees them and the next deploy restarts them in their wave.

#include <map>
#include <optional>
#include <string>

namespace picket {

/// One node waiting for its restart.
struct PendingRestart {
  std::string since;  // ISO-8601 UTC: when its new files went live
  std::string by;     // the deploy that wrote them (user@machine (pid N))
  bool operator==(const PendingRestart&) const = default;
};

/// node -> pending restart
using PendingRestarts = std::map<std::string, PendingRestart>;

/// The file's text (`{"restart": {"<node>": {"since": …, "by": …}}}` and a newline).
std::string format_pending(const PendingRestarts& pending);

/// Reads format_pending's text; nullopt when it is not that (the plan reports it).
std::optional<PendingRestarts> parse_pending(const std::string& text);

}  // namespace picket
