// Prometheus: a scrape config with one target per running node, and alert rules derived from
// the graph (each node's expected peer count is its number of links and partner peerings).
// Both files stay on the operator's machine (host ""): picket does not deploy Prometheus.
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "util/toml_string.hpp"
#include "topology/effective.hpp"

namespace picket {

namespace {
constexpr const char* k_prometheus_path = "/monitoring/prometheus.yml";
constexpr const char* k_alerts_path = "/monitoring/picket-alerts.yml";

// Nodes Prometheus should see: signers export no CometBFT metrics, a standby is stopped.
bool scraped(const Node& node) {
  return node.role.value != Role::signer && !node.standby.value;
}

// The "is block syncing" gauge moved twice: fast_syncing on 0.34, consensus_block_syncing
// when fast sync became block sync (0.37), blocksync_syncing from 0.38 on (CometBFT #9682).
// Chains still on Tendermint (not CometBFT) 0.34 export the namespace "tendermint" instead.
struct SyncingMetric {
  const char* name;
  const char* why;
};
SyncingMetric syncing_metric(const std::string& cometbft) {
  if (cometbft == "0.34")
    return {"cometbft_consensus_fast_syncing",
            "CometBFT 0.34 names the block-sync gauge consensus_fast_syncing (fast sync)."};
  if (cometbft == "0.37")
    return {"cometbft_consensus_block_syncing",
            "CometBFT 0.37 renamed fast sync to block sync: consensus_block_syncing."};
  return {"cometbft_blocksync_syncing",
          "CometBFT 0.38 and later export the block-sync gauge from the blocksync package."};
}

RenderedFile local_file(const char* path, std::string content) {
  RenderedFile file;
  file.host = "";
  file.path = path;
  file.mode = 0644;
  file.content = std::move(content);
  file.action = ApplyAction::none;
  return file;
}
}  // namespace

void render_monitoring(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  TemplateValue targets = TemplateValue::list();
  TemplateValue peer_rules = TemplateValue::list();
  TemplateValue unscraped = TemplateValue::list();
  for (const auto& node : ctx.topology.nodes) {
    if (!scraped(node)) continue;
    // A node listens for scrapes on its host's tunnel address; without a tunnel it binds
    // 127.0.0.1 (see settings), which no Prometheus elsewhere can reach: name it, not a
    // target that would only ever be down.
    const auto tunnel = ctx.tunnels.addresses.find(node.host.value);
    if (tunnel == ctx.tunnels.addresses.end()) {
      TemplateValue left_out;
      left_out["node"] = node.name.value;
      unscraped.push_back(std::move(left_out));
      continue;
    }
    TemplateValue target;
    target["target"] =
        toml_string(join_host_port(tunnel->second, effective_metrics_port(ctx.topology, node)));
    target["node"] = toml_string(node.name.value);
    target["role"] = toml_string(role_name(node.role.value));
    target["host"] = toml_string(node.host.value);
    if (const Host* h = ctx.inventory.find_host(node.host.value)) {
      // Absent domains get no label rather than an empty one: Prometheus treats both alike.
      if (h->datacenter) target["datacenter"] = toml_string(h->datacenter->value);
      if (h->region) target["region"] = toml_string(h->region->value);
      if (h->provider) target["provider"] = toml_string(h->provider->value);
    }
    targets.push_back(std::move(target));

    // A standby validator is stopped on purpose: a link to it is not a peer to expect.
    std::size_t expected = 0;
    for (const auto& n : neighbours_of(ctx, node)) {
      const Node* peer = n.partner.empty() ? ctx.topology.find_node(n.name) : nullptr;
      if (peer == nullptr || scraped(*peer)) ++expected;
    }
    if (expected == 0) continue;  // "fewer than 0" never fires; isolated-node is lint's
    TemplateValue rule;
    rule["node"] = node.name.value;
    rule["node_quoted"] = toml_string(node.name.value);
    rule["expected"] = std::to_string(expected);
    peer_rules.push_back(std::move(rule));
  }

  TemplateValue config;
  config["chain_id"] = ctx.topology.chain.id.value;
  config["targets"] = std::move(targets);
  config["unscraped"] = std::move(unscraped);
  auto prometheus = fill_template(ctx.templates, "prometheus.yml", config, out);

  const SyncingMetric syncing = syncing_metric(ctx.topology.chain.cometbft.value);
  TemplateValue alerts;
  alerts["chain_id"] = ctx.topology.chain.id.value;
  alerts["syncing_metric"] = syncing.name;
  alerts["syncing_why"] = syncing.why;
  alerts["peer_rules"] = std::move(peer_rules);
  auto rules = fill_template(ctx.templates, "alerts.yml", alerts, out);

  if (prometheus) files.push_back(local_file(k_prometheus_path, std::move(*prometheus)));
  if (rules) files.push_back(local_file(k_alerts_path, std::move(*rules)));
}

}  // namespace picket
