#pragma once
// Who peers with whom, indexed once per topology: for each node its peers over links, the
// partners whose `with` names it; for each host its nodes; for each signer its validators;
// and the topology graph (topology/graph.hpp) of the same model, which the analysis and the
// rules ask their path questions of. One pass over nodes, links and partners; the renderers
// (config.toml, WireGuard, nftables, tmkms, Prometheus) read it, so a question about one node
// costs that node's degree, not a scan of the file. Nodes are numbered by their place in Topology::nodes; a name defined
// twice is the first definition (the one find_node returns), as everywhere after lint.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "topology/graph.hpp"
#include "topology/model.hpp"

namespace picket {

/// A peer over links: the other node and how the pair is linked (a pair linked more than
/// once is one peer, over vpn when any of its links is).
struct LinkPeer {
  std::size_t node = 0;  // index into Topology::nodes
  LinkKind over = LinkKind::vpn;
};

/// The peering index of one topology, with its graph. Keeps a reference to the topology.
class PeeringIndex {
 public:
  explicit PeeringIndex(const Topology& topology);

  /// The topology indexed.
  const Topology& topology() const { return *m_topology; }
  /// Points the index at `moved`, the topology it indexed after a move: a moved Topology keeps
  /// its nodes, links and partners where they were (std::vector moves its buffer), which is
  /// all the index points into.
  void rebind(const Topology& moved) { m_topology = &moved; }
  /// The topology's graph (build_graph), built with the index.
  const TopologyGraph& graph() const { return *m_graph; }
  /// The same, shared: an analysis keeps it (GraphAnalysis::graph) after the index is gone.
  const std::shared_ptr<const TopologyGraph>& shared_graph() const { return m_graph; }
  /// The index of the node named like `node` in Topology::nodes, or nullopt.
  std::optional<std::size_t> index_of(const Node& node) const;
  /// Peers of node `i` over links, in the file order of their first link (a self-link makes
  /// the node its own peer, as the loader reports it).
  const std::vector<LinkPeer>& link_peers(std::size_t i) const { return m_link_peers[i]; }
  /// Partners (indexes into Topology::partners) whose `with` names node `i`: file order, once.
  const std::vector<std::size_t>& partners_of(std::size_t i) const { return m_partners_of[i]; }
  /// Nodes placed on `host`, in file order.
  const std::vector<const Node*>& nodes_on(const std::string& host) const;
  /// Validators naming `signer` as their signer, file order; standby ones only when asked.
  std::vector<const Node*> validators_of(const std::string& signer, bool with_standby) const;
  /// Hosts that run at least one node, sorted.
  std::vector<std::string> node_hosts() const;

 private:
  const Topology* m_topology;
  std::shared_ptr<const TopologyGraph> m_graph;
  std::vector<std::vector<LinkPeer>> m_link_peers;
  std::vector<std::vector<std::size_t>> m_partners_of;
  std::map<std::string, std::vector<const Node*>> m_nodes_on;
  std::map<std::string, std::vector<const Node*>> m_validators_of;  // signer -> every validator
};

}  // namespace picket
