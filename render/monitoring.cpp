// Monitoring: Prometheus (scrape config and alert rules derived from the graph), Alertmanager
// (routes and receivers from the topology) and node_exporter. With a `monitoring:` host, its
// files go there (/etc/prometheus/, as Debian's prometheus and prometheus-alertmanager read
// them) and every host gets node_exporter on its tunnel address; without one, the scrape
// config and rules stay on the operator's machine (host ""), and lint's no-monitor says so.
// The rules name only series the chain's CometBFT line exports, under the namespace the
// validator's config.toml sets (tests/unit/render/cometbft-metrics/ holds each line's list).
#include "render/host_common.hpp"
#include "render/template_engine.hpp"
#include "topology/effective.hpp"
#include "topology/monitoring.hpp"
#include "util/toml_string.hpp"

namespace picket {

namespace {
constexpr const char* k_local_prometheus_path = "/monitoring/prometheus.yml";
constexpr const char* k_local_alerts_path = "/monitoring/picket-alerts.yml";
constexpr const char* k_prometheus_path = "/etc/prometheus/prometheus.yml";
constexpr const char* k_alerts_path = "/etc/prometheus/picket-alerts.yml";
constexpr const char* k_alertmanager_path = "/etc/prometheus/alertmanager.yml";
constexpr const char* k_node_exporter_path = "/etc/default/prometheus-node-exporter";

// The "is block syncing" gauge moved twice: fast_syncing on 0.34, consensus_block_syncing
// when fast sync became block sync (0.37), blocksync_syncing from 0.38 on (CometBFT #9682).
struct SyncingMetric {
  const char* name;  // without the namespace
  const char* why;
};
SyncingMetric syncing_metric(const std::string& cometbft) {
  if (cometbft == "0.34")
    return {"consensus_fast_syncing",
            "CometBFT 0.34 names the block-sync gauge consensus_fast_syncing (fast sync)."};
  if (cometbft == "0.37")
    return {"consensus_block_syncing",
            "CometBFT 0.37 renamed fast sync to block sync: consensus_block_syncing."};
  return {"blocksync_syncing",
          "CometBFT 0.38 and later export the block-sync gauge from the blocksync package."};
}

// instrumentation.namespace as the node's config.toml will have it.
std::string metrics_namespace(const Node& node) {
  const auto section = node.config.find("instrumentation");
  if (section != node.config.end()) {
    const auto value = section->second.find("namespace");
    if (value != section->second.end() && value->second.kind == ConfigValue::Kind::string)
      return value->second.text;
  }
  return "cometbft";
}

RenderedFile make_file(std::string host, const char* path, std::string content) {
  RenderedFile file;
  file.host = std::move(host);
  file.path = path;
  file.mode = 0644;
  file.content = std::move(content);
  // Deployed files ask the host's reload_monitoring; local ones are the operator's to load.
  file.action = file.host.empty() ? ApplyAction::none : ApplyAction::reload_monitoring;
  return file;
}

// The failure-domain labels of a host; absent domains get no label rather than an empty one.
void domain_labels(const RenderContext& ctx, const std::string& host, TemplateValue& target) {
  if (const Host* h = ctx.inventory.find_host(host)) {
    if (h->datacenter) target["datacenter"] = toml_string(h->datacenter->value);
    if (h->region) target["region"] = toml_string(h->region->value);
    if (h->provider) target["provider"] = toml_string(h->provider->value);
  }
}

// Alertmanager: one route per receiver by severity, the watchdog to watchdog receivers.
std::optional<std::string> render_alertmanager(const RenderContext& ctx, const Monitoring& m,
                                               Diagnostics& out) {
  TemplateValue data;
  data["chain_id"] = ctx.topology.chain.id.value;
  data["group_wait"] = m.group_wait.value;
  data["group_interval"] = m.group_interval.value;
  data["repeat_interval"] = m.repeat_interval.value;
  TemplateValue watchdog = TemplateValue::list();
  TemplateValue routes = TemplateValue::list();
  TemplateValue receivers = TemplateValue::list();
  for (const Receiver& r : m.receivers) {
    TemplateValue route;
    route["name"] = r.name.value;
    if (r.watchdog) {
      watchdog.push_back(std::move(route));
    } else {
      route["severities"] = r.severity.value == "critical" ? "critical" : "critical|warning";
      routes.push_back(std::move(route));
    }
    TemplateValue settings;
    for (const auto& [key, value] : r.settings) settings[key] = toml_string(value.value);
    TemplateValue receiver;
    receiver["name"] = r.name.value;
    receiver[receiver_kind_name(r.kind.value)] = std::move(settings);
    receivers.push_back(std::move(receiver));
  }
  data["has_watchdog"] = !watchdog.items().empty();
  data["watchdog"] = std::move(watchdog);
  data["routes"] = std::move(routes);
  data["receivers"] = std::move(receivers);
  return fill_template(ctx.templates, "alertmanager.yml", data, out);
}
}  // namespace

void render_monitoring(const RenderContext& ctx, FileSet& files, Diagnostics& out) {
  const Monitoring* monitoring = ctx.topology.monitoring ? &*ctx.topology.monitoring : nullptr;
  TemplateValue targets = TemplateValue::list();
  TemplateValue peer_rules = TemplateValue::list();
  TemplateValue unscraped = TemplateValue::list();
  const Node* validator = nullptr;
  for (const auto& node : ctx.topology.nodes) {
    if (!is_scraped(node)) continue;
    if (node.role.value == Role::validator && validator == nullptr) validator = &node;
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
    domain_labels(ctx, node.host.value, target);
    targets.push_back(std::move(target));

    // A standby validator is stopped on purpose: a link to it is not a peer to expect.
    std::size_t expected = 0;
    for (const auto& n : neighbours_of(ctx, node)) {
      const Node* peer = n.partner.empty() ? ctx.topology.find_node(n.name) : nullptr;
      if (peer == nullptr || is_scraped(*peer)) ++expected;
    }
    if (expected == 0) continue;  // "fewer than 0" never fires; isolated-node is lint's
    TemplateValue rule;
    rule["node"] = node.name.value;
    rule["node_quoted"] = toml_string(node.name.value);
    rule["expected"] = std::to_string(expected);
    peer_rules.push_back(std::move(rule));
  }

  // node_exporter on every host with a tunnel address (with a monitor: every host).
  TemplateValue host_targets = TemplateValue::list();
  if (monitoring != nullptr) {
    std::vector<TemplateValue> defaults;
    std::vector<std::string> hosts;
    for (const auto& [host, address] : ctx.tunnels.addresses) {
      const std::string listen = join_host_port(address, k_node_exporter_port);
      TemplateValue target;
      target["target"] = toml_string(listen);
      target["host"] = toml_string(host);
      domain_labels(ctx, host, target);
      host_targets.push_back(std::move(target));
      TemplateValue file;
      file["host"] = host;
      file["monitor"] = monitoring->host.value;
      file["listen"] = listen;
      defaults.push_back(std::move(file));
      hosts.push_back(host);
    }
    if (auto texts = fill_each(ctx.templates, "node-exporter.default", std::move(defaults), out))
      for (std::size_t i = 0; i < hosts.size(); ++i)
        files.push_back(make_file(hosts[i], k_node_exporter_path, std::move((*texts)[i])));
  }

  // horcrux's metrics (debugAddr) on every cosigner, with a monitoring host only: debugAddr
  // is bound to the cosigner's tunnel address then (loopback on the monitor's own host).
  TemplateValue horcrux_targets = TemplateValue::list();
  TemplateValue horcrux_signers = TemplateValue::list();
  if (monitoring != nullptr)
    for (const auto& signer : ctx.topology.nodes) {
      if (!signer.horcrux) continue;
      TemplateValue s;
      s["signer"] = signer.name.value;
      s["signer_quoted"] = toml_string(signer.name.value);
      s["threshold"] = std::to_string(signer.horcrux->threshold.value);
      s["cosigners"] = std::to_string(signer.horcrux->cosigners.size());
      horcrux_signers.push_back(std::move(s));
      for (const Node* cosigner : signer_processes(ctx.topology, signer)) {
        const auto tunnel = ctx.tunnels.addresses.find(cosigner->host.value);
        if (tunnel == ctx.tunnels.addresses.end()) continue;
        const bool local = cosigner->host.value == monitoring->host.value;
        TemplateValue target;
        target["target"] = toml_string(
            join_host_port(local ? "127.0.0.1" : tunnel->second, signer.horcrux->debug_port.value));
        target["cosigner"] = toml_string(cosigner->name.value);
        target["signer"] = toml_string(signer.name.value);
        target["host"] = toml_string(cosigner->host.value);
        domain_labels(ctx, cosigner->host.value, target);
        horcrux_targets.push_back(std::move(target));
      }
    }

  const std::string ns = metrics_namespace(validator != nullptr ? *validator : Node{});
  TemplateValue config;
  config["chain_id"] = ctx.topology.chain.id.value;
  config["chain_id_quoted"] = toml_string(ctx.topology.chain.id.value);
  config["scrape_interval"] = monitoring != nullptr ? monitoring->scrape_interval.value : "15s";
  config["rules_file"] = monitoring != nullptr ? k_alerts_path : "picket-alerts.yml";
  config["targets"] = std::move(targets);
  config["unscraped"] = std::move(unscraped);
  if (monitoring != nullptr) {
    config["monitor"] = monitoring->host.value;
    config["monitor_quoted"] = toml_string(monitoring->host.value);
    config["host_targets"] = std::move(host_targets);
    config["has_horcrux"] = !horcrux_targets.items().empty();
    config["horcrux_targets"] = std::move(horcrux_targets);
    config["prometheus_port"] = std::to_string(k_prometheus_port);
    config["alertmanager_port"] = std::to_string(k_alertmanager_port);
  }
  auto prometheus = fill_template(ctx.templates, "prometheus.yml", config, out);

  const SyncingMetric syncing = syncing_metric(ctx.topology.chain.cometbft.value);
  TemplateValue alerts;
  alerts["chain_id"] = ctx.topology.chain.id.value;
  alerts["cometbft"] = ctx.topology.chain.cometbft.value;
  alerts["ns"] = ns;
  alerts["syncing_metric"] = ns + "_" + syncing.name;
  alerts["syncing_why"] = syncing.why;
  alerts["peer_rules"] = std::move(peer_rules);
  alerts["node_exporter"] = monitoring != nullptr;
  alerts["horcrux_signers"] = std::move(horcrux_signers);
  if (validator != nullptr) {
    TemplateValue v;
    v["validator"] = validator->name.value;
    v["validator_quoted"] = toml_string(validator->name.value);
    alerts["validator"] = std::move(v);
  }
  auto rules = fill_template(ctx.templates, "alerts.yml", alerts, out);

  const std::string host = monitoring != nullptr ? monitoring->host.value : "";
  if (prometheus)
    files.push_back(make_file(host, monitoring != nullptr ? k_prometheus_path : k_local_prometheus_path,
                              std::move(*prometheus)));
  if (rules)
    files.push_back(make_file(host, monitoring != nullptr ? k_alerts_path : k_local_alerts_path,
                              std::move(*rules)));
  if (monitoring != nullptr)
    if (auto am = render_alertmanager(ctx, *monitoring, out))
      files.push_back(make_file(host, k_alertmanager_path, std::move(*am)));
}

}  // namespace picket
