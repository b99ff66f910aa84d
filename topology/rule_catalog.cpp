#include "topology/rule_catalog.hpp"

#include <array>

namespace picket {

namespace {
// Kept in the order and wording of topology-format.md §4: CI and SARIF viewers match on the
// IDs, so an ID here must never change once released.
constexpr std::array<RuleInfo, 26> k_rules{{
    {"syntax", Severity::error, "A file is not valid YAML."},
    {"schema", Severity::error, "Unknown key, wrong type, missing required key or bad enum value."},
    {"duplicate", Severity::error, "A name or YAML key appears twice, or the same link twice."},
    {"reference", Severity::error,
     "A node, host, signer or partner node is named but not defined."},
    {"address", Severity::error, "A malformed address, port, node ID, key or subnet."},
    {"port-clash", Severity::error, "Two nodes on one host share a port or a home."},
    {"no-validator", Severity::error, "There is no active validator."},
    {"double-sign", Severity::error,
     "More than one active validator, or one signer used by two validators."},
    {"validator-exposed", Severity::error,
     "The validator has a public link, peers with a partner, or shares a host with a public "
     "sentry."},
    {"signer-exposed", Severity::error,
     "A signer appears in links or a partner's peering, or shares a host with a sentry."},
    {"insecure-link", Severity::warning,
     "A link over the public internet between two of our nodes."},
    {"no-path", Severity::error, "The validator cannot reach the p2p network at all."},
    {"spof-node", Severity::error, "Losing this one node disconnects the validator."},
    {"spof-link", Severity::error, "Losing this one link disconnects the validator."},
    {"spof-domain", Severity::error,
     "Losing this one failure-domain value (host, datacenter, region, provider) disconnects the "
     "validator."},
    {"min-paths", Severity::error,
     "The validator has fewer node-disjoint paths to the network than policy.min_paths."},
    {"direct-public", Severity::warning, "The validator links directly to a public sentry."},
    {"isolated-node", Severity::warning, "A validator or sentry has no link at all."},
    {"deep-path", Severity::warning,
     "The shortest validator-to-network path is longer than 3 hops."},
    // Additions after §4's first table (render stage).
    {"override-conflict", Severity::error,
     "A config: override contradicts a p2p setting picket derives from the graph."},
    {"missing-key", Severity::error,
     "A managed node or tunnel host has no key yet: run picket keys."},
    {"template", Severity::error, "A template is missing or is not valid mustache."},
    {"no-monitor", Severity::warning,
     "No monitoring host: the nodes' metrics are scraped from nowhere picket sets up."},
    {"lockout", Severity::error,
     "A host's ssh_allow does not admit where picket's SSH connection comes from (the "
     "inventory's controller, or the host's jump host)."},
    {"signer-host", Severity::error,
     "A signer with a YubiHSM or a Ledger shares its host with another node, or two cosigners "
     "of one horcrux signer share a host."},
    {"threshold", Severity::error,
     "A horcrux signer's threshold is not more than half of its cosigners, or exceeds them."},
}};
}  // namespace

std::span<const RuleInfo> rule_catalog() { return k_rules; }

std::optional<std::size_t> rule_index(std::string_view id) {
  for (std::size_t i = 0; i < k_rules.size(); ++i)
    if (k_rules[i].id == id) return i;
  return std::nullopt;
}

}  // namespace picket
