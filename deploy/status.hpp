#pragma once
// `picket status`: the live network held against the graph. Read-only on every host: files
// are read as `plan` reads them (drift: what deploy would change), and every node's CometBFT
// RPC is asked through the host's SSH connection, as the deploy health check asks it:
// /status (height, catching up, the validator's address and power), /net_info (peers by node
// ID against the node's graph neighbours), /commit (the validator's signature in recent
// commits), and on the validator's host which connections its signer port holds.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "deploy/connections.hpp"
#include "render/file_set.hpp"
#include "topology/model.hpp"

namespace picket {

enum class StatusSeverity { warning, error };

/// One deviation from the design, one line.
struct StatusProblem {
  StatusSeverity severity = StatusSeverity::error;
  std::string message;
};

/// A peer a node has that the graph does not give it.
struct UnexpectedPeer {
  std::string id;
  std::string remote_ip;
  std::string moniker;
};

/// What one running node looks like now.
struct NodeStatus {
  std::string node;
  std::string host;
  Role role = Role::validator;
  bool reached = false;                 // its RPC answered /status
  std::optional<std::int64_t> height;   // latest block height
  std::int64_t lag = 0;                 // best height seen on any node minus this one's
  bool catching_up = false;
  std::size_t peers = 0;                // live peers (/net_info)
  std::size_t expected_peers = 0;       // running graph neighbours
  std::vector<std::string> missing;     // graph neighbours it is not connected to, by name
  std::vector<UnexpectedPeer> unexpected;  // peers the graph does not give it (not reported
                                           // for public sentries, which face the open network)
  std::optional<int> signed_commits;    // validator: how many of the commits looked at carry
  int commits_looked_at = 0;            //   its signature
  std::optional<bool> signer_connected; // validator with a signer: a connection on its port
  /// Whether the host's pending.json (deploy/pending.hpp) holds a restart of this node that a
  /// deploy held back (--no-restart) or did not live to do; nullopt when not asked.
  std::optional<bool> pending_restart;
  std::vector<StatusProblem> problems;
};

/// What one host looks like now: reachable, and which rendered files differ from its own.
struct HostStatus {
  std::string host;
  bool reached = false;
  std::vector<std::string> drift;  // rendered paths deploy would create or change
  std::vector<StatusProblem> problems;
};

struct StatusReport {
  std::vector<NodeStatus> nodes;  // problems first (errors, then warnings), then file order
  std::vector<HostStatus> hosts;  // by name
  std::int64_t best_height = 0;

  /// Problems of every node and host, by severity.
  std::size_t count(StatusSeverity s) const;
  /// True when nothing deviates from the design.
  bool ok() const { return count(StatusSeverity::error) == 0 && count(StatusSeverity::warning) == 0; }
};

struct StatusOptions {
  int parallel = 16;          // hosts asked at once (one connection each)
  int commits = 4;            // recent commits searched for the validator's signature
  std::int64_t max_lag = 5;   // blocks behind the best height before a node is "behind"
};

/// Parsed answers of CometBFT's RPC (pure; exposed for tests). nullopt: not the expected JSON.
struct RpcStatus {
  std::string node_id;
  std::int64_t height = 0;
  bool catching_up = false;
  std::string validator_address;  // upper-case hex, as /commit spells it
  std::int64_t voting_power = 0;
};
std::optional<RpcStatus> parse_rpc_status(const std::string& body);
std::optional<std::vector<UnexpectedPeer>> parse_rpc_peers(const std::string& body);
/// The validator addresses whose signature for the block (flag 2, "commit") is in a /commit.
std::optional<std::vector<std::string>> parse_rpc_commit_signers(const std::string& body);

/// Reads every host and asks every running node (standby validators and signers have no RPC
/// to ask; their hosts are still read for drift). `files` is the render of `topology`,
/// `node_ids` every node's ID by index (node_ids_of).
StatusReport collect_status(const FileSet& files, const Topology& topology, const Inventory& inventory,
                            const std::vector<std::string>& node_ids, Connections& connections,
                            const StatusOptions& options);

/// A table for a terminal, problems first, each problem on its own line under its row.
std::string format_status_text(const StatusReport& report);
/// {"format_version": 1, "ok": …, "best_height": …, "nodes": […], "hosts": […], "summary": {…}}.
std::string format_status_json(const StatusReport& report);

}  // namespace picket
