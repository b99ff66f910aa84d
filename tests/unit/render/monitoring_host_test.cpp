// The monitoring host: Prometheus, Alertmanager and node_exporter rendered for it, the mesh
// and the firewall around it, and the rules checked three ways: by promtool (syntax), by
// promtool's rule unit tests (the validator stops signing: the alert fires within its `for:`
// and resolves), and against the series each CometBFT line really exports.
#include <gtest/gtest.h>

#include <algorithm>

#include <regex>
#include <set>

#include "render/render.hpp"
#include "tests/unit/render/host_fixture.hpp"
#include "topology/monitoring.hpp"

namespace picket {
namespace {

using namespace test;

constexpr const char* k_prometheus = "/etc/prometheus/prometheus.yml";
constexpr const char* k_rules = "/etc/prometheus/picket-alerts.yml";
constexpr const char* k_alertmanager = "/etc/prometheus/alertmanager.yml";
constexpr const char* k_node_exporter = "/etc/default/prometheus-node-exporter";

Receiver receiver(const std::string& name, ReceiverKind kind,
                  std::vector<std::pair<std::string, std::string>> settings, std::uint32_t line) {
  Receiver r;
  r.name = at(name, line);
  r.kind = at(kind, line);
  for (auto& [k, v] : settings) r.settings.emplace(k, at(v, line));
  return r;
}

// The small network with a monitoring host of its own and one receiver of each kind.
Network monitored_network() {
  Network net = small_network();
  Monitoring m;
  m.host = at(std::string("mon-1"), 40);
  m.loc = {topology_file(), 39, 1};
  Receiver pager = receiver("oncall", ReceiverKind::pagerduty, {{"routing_key_file", "/etc/picket/pagerduty.key"}}, 42);
  pager.severity = at(std::string("critical"), 42);
  m.receivers.push_back(pager);
  m.receivers.push_back(receiver("chat", ReceiverKind::slack,
                                 {{"api_url_file", "/etc/picket/slack.url"}, {"channel", "#validators"}}, 43));
  m.receivers.push_back(receiver("mail", ReceiverKind::email,
                                 {{"to", "ops@example.org"}, {"from", "picket@example.org"},
                                  {"smarthost", "smtp.example.org:587"}, {"auth_username", "picket"},
                                  {"auth_password_file", "/etc/picket/smtp.pass"}},
                                 44));
  m.receivers.push_back(receiver("hooks", ReceiverKind::webhook,
                                 {{"url", "https://hooks.example.org/picket"},
                                  {"credentials_file", "/etc/picket/hook.token"}},
                                 45));
  m.receivers.push_back(receiver("genie", ReceiverKind::opsgenie, {{"api_key_file", "/etc/picket/opsgenie.key"}}, 46));
  Receiver deadman = receiver("deadman", ReceiverKind::webhook, {{"url", "https://hc.example.org/ping"}}, 47);
  deadman.watchdog = true;
  m.receivers.push_back(deadman);
  net.topology.monitoring = m;
  net.inventory.hosts.push_back(make_host("mon-1", "198.51.100.40", 8));
  // Deploy needs a way to restart every node; render_all refuses a host without one.
  for (Host& h : net.inventory.hosts) h.service = at(std::string("cosmovisor.service"), 1, true);
  net.inventory.index_hosts();
  net.secrets.wireguard["mon-1"] = wireguard_key_from_private(fixed_key(9));
  std::uint8_t seed = 20;
  for (const Node& n : net.topology.nodes)
    if (n.role.value != Role::signer) net.secrets.node_keys[n.name.value] = node_key_from_seed(fixed_key(seed++));
  return net;
}

// The same with Alertmanager's route timings written in the topology (not the defaults).
Network timed_network() {
  Network net = monitored_network();
  Monitoring& m = *net.topology.monitoring;
  m.group_wait = at(std::string("10s"), 41);
  m.group_interval = at(std::string("30s"), 41);
  m.repeat_interval = at(std::string("2h"), 41);
  return net;
}

// Drops the signers and every validator's `signer:` (a CometBFT 1.0 chain cannot have one).
void without_signers(Network& net) {
  auto& nodes = net.topology.nodes;
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                             [](const Node& n) { return n.role.value == Role::signer; }),
              nodes.end());
  for (Node& n : nodes) n.signer.reset();
  net.topology.index_nodes();
}

FileSet render_monitored(const Network& net, Diagnostics& diags) {
  return render_all(net.topology, net.inventory, net.secrets, builtin_templates(), diags);
}

// Writes the monitor host's three files into `dir` as promtool and amtool read them: the
// rules file beside prometheus.yml, under the name prometheus.yml gives it.
void write_monitor_files(const FileSet& files, const std::filesystem::path& dir) {
  std::string config = find_file(files, "mon-1", k_prometheus)->content;
  const std::string abs = std::string("  - ") + k_rules;
  config.replace(config.find(abs), abs.size(), "  - picket-alerts.yml");
  write_text(dir / "prometheus.yml", config);
  write_text(dir / "picket-alerts.yml", find_file(files, "mon-1", k_rules)->content);
  write_text(dir / "alertmanager.yml", find_file(files, "mon-1", k_alertmanager)->content);
}

TEST(MonitoringHost, MatchesGolden) {
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("monitoring-host.txt", dump(files));
}

// The topology's timings in alertmanager.yml's route (the defaults are in the golden above);
// the watchdog's route keeps a 5 min group_interval of its own.
TEST(MonitoringHost, AlertmanagerTimingsMatchGolden) {
  const Network net = timed_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  EXPECT_EQ(dump(diags), "");
  const RenderedFile* am = find_file(files, "mon-1", k_alertmanager);
  ASSERT_NE(am, nullptr);
  expect_golden("alertmanager-timings.txt", am->content);
}

TEST(MonitoringHost, FilesGoToTheMonitorAndNodeExporterToEveryHost) {
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_monitored(net, diags);
  EXPECT_EQ(dump(diags), "");
  for (const char* path : {k_prometheus, k_rules, k_alertmanager}) {
    const auto found = with_path(files, path);
    ASSERT_EQ(found.size(), 1u) << path;
    EXPECT_EQ(found[0]->host, "mon-1");
    EXPECT_FALSE(found[0]->secret);
  }
  EXPECT_TRUE(with_path(files, "/monitoring/prometheus.yml").empty());
  // Every host, the signer's, the one without a vpn link before (sen-b) and the monitor's own.
  std::set<std::string> hosts;
  for (const RenderedFile* f : with_path(files, k_node_exporter)) hosts.insert(f->host);
  EXPECT_EQ(hosts, (std::set<std::string>{"kms-1", "mon-1", "pub-a", "sen-a", "sen-b", "val-1"}));
  const RenderedFile* sen_b = find_file(files, "sen-b", k_node_exporter);
  ASSERT_NE(sen_b, nullptr);
  const std::string addr = plan_tunnels(net.topology, net.inventory, diags).addresses.at("sen-b");
  EXPECT_NE(sen_b->content.find("ARGS=\"--web.listen-address=" + addr + ":9100 --collector.systemd\"\n"),
            std::string::npos)
      << sen_b->content;
  // sen-b had no tunnel: with the monitor it gets one, so its node is scraped, not skipped.
  const std::string& config = find_file(files, "mon-1", k_prometheus)->content;
  EXPECT_EQ(config.find("Not scraped"), std::string::npos) << config;
  EXPECT_EQ(occurrences(config, ":26660\"]"), 4u) << config;
  EXPECT_EQ(occurrences(config, ":9100\"]"), 6u) << config;
}

TEST(MonitoringHost, SecretsAreFilesNeverValues) {
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_monitored(net, diags);
  const std::string& am = find_file(files, "mon-1", k_alertmanager)->content;
  for (const char* key : {"routing_key_file: \"/etc/picket/pagerduty.key\"", "api_url_file: \"/etc/picket/slack.url\"",
                          "auth_password_file: \"/etc/picket/smtp.pass\"", "credentials_file: \"/etc/picket/hook.token\"",
                          "api_key_file: \"/etc/picket/opsgenie.key\""})
    EXPECT_NE(am.find(key), std::string::npos) << key << "\n" << am;
  for (const char* inline_key : {"routing_key:", "api_url:", "auth_password:", "credentials:", "api_key:"})
    EXPECT_EQ(am.find(inline_key), std::string::npos) << inline_key;
}

TEST(MonitoringHost, MeshJoinsTheMonitorToEveryHost) {
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_monitored(net, diags);
  const auto tunnels = plan_tunnels(net.topology, net.inventory, diags);
  const std::string& mon = find_file(files, "mon-1", "/etc/wireguard/picket.conf")->content;
  EXPECT_EQ(occurrences(mon, "[Peer]"), 5u) << mon;  // every other host, no partner
  for (const char* host : {"val-1", "kms-1", "sen-a", "sen-b", "pub-a"})
    EXPECT_NE(mon.find("AllowedIPs = " + tunnels.addresses.at(host) + "/32"), std::string::npos) << host;
  const std::string& val = find_file(files, "val-1", "/etc/wireguard/picket.conf")->content;
  EXPECT_NE(val.find("# host mon-1 (monitoring)\n"), std::string::npos) << val;
}

TEST(MonitoringHost, MetricsPortsOpenToTheMonitorsTunnelAddressOnly) {
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_monitored(net, diags);
  const auto tunnels = plan_tunnels(net.topology, net.inventory, diags);
  const std::string& mon = tunnels.addresses.at("mon-1");
  for (const char* host : {"val-1", "sen-a", "sen-b", "pub-a", "kms-1"}) {
    const std::string& nft = find_file(files, host, "/etc/nftables.d/picket.nft")->content;
    const std::string ports = std::string(host) == "kms-1" ? "9100" : "{ 9100, 26660 }";
    EXPECT_NE(nft.find("  # the monitoring host mon-1, through the tunnel\n"
                       "  set metrics_vpn_v4 {\n"
                       "    type ipv4_addr\n"
                       "    elements = {\n"
                       "      " + mon + "\n"
                       "    }\n"
                       "  }\n"),
              std::string::npos)
        << host << "\n" << nft;
    EXPECT_NE(nft.find("iifname \"picket\" ip saddr @metrics_vpn_v4 tcp dport " + ports +
                       " accept comment \"metrics and node_exporter: the monitoring host only\""),
              std::string::npos)
        << host << "\n" << nft;
  }
  // The monitor's own ruleset admits no scrape from anywhere: its scrapes of itself are local.
  const std::string& own = find_file(files, "mon-1", "/etc/nftables.d/picket.nft")->content;
  EXPECT_EQ(own.find("metrics"), std::string::npos) << own;
  EXPECT_NE(own.find("udp dport 51820"), std::string::npos) << own;
  if (!have_tool("nft")) GTEST_SKIP() << "nft not installed (scripts/deps.sh installs it)";
  for (const RenderedFile* f : with_path(files, "/etc/nftables.d/picket.nft")) {
    TempDir dir;
    write_text(dir.path() / "picket.nft", f->content);
    const CommandResult r = run("nft -c -f " + (dir.path() / "picket.nft").string());
    if (r.output.find("Operation not permitted") != std::string::npos) GTEST_SKIP() << "nft -c needs CAP_NET_ADMIN";
    EXPECT_EQ(r.status, 0) << f->host << "\n" << r.output;
  }
}

TEST(MonitoringHost, PassesPromtoolAndAmtool) {
  if (!have_tool("promtool") || !have_tool("amtool"))
    GTEST_SKIP() << "promtool or amtool not installed (scripts/deps.sh installs prometheus and prometheus-alertmanager)";
  TempDir bad;
  write_text(bad.path() / "am.yml", "route: {receiver: x}\nreceivers: [{name: y}]\n");
  ASSERT_NE(run("amtool check-config " + (bad.path() / "am.yml").string()).status, 0);  // the checker is real
  for (const std::string line : {"0.34", "0.37", "0.38", "1.0"}) {
    Network net = monitored_network();
    net.topology.chain.cometbft.value = line;
    if (line == "1.0") without_signers(net);  // tmkms has no 1.0 protocol: lint refuses a signer
    Diagnostics diags;
    const FileSet files = render_monitored(net, diags);
    ASSERT_EQ(dump(diags), "") << line;
    TempDir dir;
    write_monitor_files(files, dir.path());
    const CommandResult config = run("promtool check config " + (dir.path() / "prometheus.yml").string());
    EXPECT_EQ(config.status, 0) << config.output;
    EXPECT_NE(config.output.find("SUCCESS: 16 rules found"), std::string::npos) << config.output;
    const CommandResult am = run("amtool check-config " + (dir.path() / "alertmanager.yml").string());
    EXPECT_EQ(am.status, 0) << am.output;
    EXPECT_NE(am.output.find(" - 7 receivers\n"), std::string::npos) << am.output;
  }
  // The route timings as the topology writes them.
  Diagnostics diags;
  const FileSet files = render_monitored(timed_network(), diags);
  ASSERT_EQ(dump(diags), "");
  TempDir dir;
  write_monitor_files(files, dir.path());
  const CommandResult am = run("amtool check-config " + (dir.path() / "alertmanager.yml").string());
  EXPECT_EQ(am.status, 0) << am.output;
  EXPECT_NE(am.output.find(" - 7 receivers\n"), std::string::npos) << am.output;
}

// Routing: what reaches whom, read back through amtool's own router.
TEST(MonitoringHost, AlertmanagerRoutesBySeverityAndTheWatchdogApart) {
  if (!have_tool("amtool")) GTEST_SKIP() << "amtool not installed (scripts/deps.sh installs prometheus-alertmanager)";
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_monitored(net, diags);
  TempDir dir;
  write_monitor_files(files, dir.path());
  const std::string am = (dir.path() / "alertmanager.yml").string();
  const auto routed = [&](const std::string& labels) {
    // amtool notes on stderr that the file overrides its default URL: only stdout is the route.
    CommandResult r = run("{ amtool config routes test --config.file=" + am + " " + labels + " 2>/dev/null; }");
    return r.output;
  };
  EXPECT_EQ(routed("severity=critical alertname=CometbftValidatorMissedBlocks"), "oncall,chat,mail,hooks,genie\n");
  EXPECT_EQ(routed("severity=warning alertname=CometbftPeersBelowGraph"), "chat,mail,hooks,genie\n");
  EXPECT_EQ(routed("severity=watchdog alertname=PicketWatchdog"), "deadman\n");
}

// The rules' metric names, per line, against the series that line's source declares
// (scripts/cometbft_metrics.py made the lists from the CometBFT releases the lab runs).
std::set<std::string> line_metrics(const std::string& line) {
  const std::string text = read_text(std::filesystem::path(PICKET_SOURCE_DIR) /
                                     "tests/unit/render/cometbft-metrics" / (line + ".txt"));
  std::set<std::string> names;
  std::istringstream in(text);
  std::string name, type;
  while (in >> name >> type) names.insert(name);
  return names;
}

// node_exporter 1.5 (Debian 12) series the host rules use, and Prometheus's own `up`.
const std::set<std::string> k_other_series = {"up", "node_filesystem_avail_bytes", "node_filesystem_size_bytes",
                                              "node_filesystem_files_free", "node_filesystem_files",
                                              "node_systemd_unit_state"};

TEST(MonitoringHost, RulesUseOnlySeriesTheLineExports) {
  for (const std::string line : {"0.34", "0.37", "0.38", "1.0"}) {
    const std::set<std::string> exported = line_metrics(line);
    ASSERT_GT(exported.size(), 50u) << line;
    for (const std::string ns : {"cometbft", "tendermint"}) {
      Network net = monitored_network();
      net.topology.chain.cometbft.value = line;
      if (line == "1.0") without_signers(net);  // tmkms has no 1.0 protocol: lint refuses a signer
      if (ns != "cometbft") {
        for (Node& n : net.topology.nodes)
          if (n.role.value != Role::signer)  // a signer has no config.toml to override
            n.config["instrumentation"]["namespace"] = ConfigValue{ConfigValue::Kind::string, ns, {}, {}};
      }
      Diagnostics diags;
      const FileSet files = render_monitored(net, diags);
      const RenderedFile* rules_file = find_file(files, "mon-1", k_rules);
      ASSERT_NE(rules_file, nullptr) << line << " " << ns << ": " << dump(diags);
      const std::string& rules = rules_file->content;
      const std::regex expr_line("\\n        expr: ([^\\n]*)");
      const std::regex selector("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
      std::size_t exprs = 0, names = 0;
      for (auto e = std::sregex_iterator(rules.begin(), rules.end(), expr_line); e != std::sregex_iterator(); ++e) {
        ++exprs;
        const std::string expr = (*e)[1];
        for (auto s = std::sregex_iterator(expr.begin(), expr.end(), selector); s != std::sregex_iterator(); ++s) {
          const std::string name = (*s)[1];
          ++names;
          if (k_other_series.count(name)) continue;
          ASSERT_EQ(name.rfind(ns + "_", 0), 0u) << line << ": " << name << " is not in namespace " << ns;
          EXPECT_TRUE(exported.count(name.substr(ns.size() + 1)))
              << "CometBFT " << line << " exports no series " << name << " (in: " << expr << ")";
        }
        if (expr != "vector(1)") {
          EXPECT_NE(expr.find('{'), std::string::npos) << expr;
        }
      }
      EXPECT_EQ(exprs, 16u) << line;  // 7 CometBFT rules, 4 of peers, the watchdog, 4 of hosts
      EXPECT_EQ(names, 21u) << line;
    }
  }
}

// promtool's rule unit tests on the rendered rules: the validator is cut off (its height and
// its last signed height stop while the sentries' height goes on), the missed-blocks alert
// fires once five blocks are missed and its `for:` has passed, and resolves when it signs
// again; a validator that follows the chain without signing is a signer not connected.
TEST(MonitoringHost, PromtoolRuleTestsValidatorStopsSigning) {
  if (!have_tool("promtool")) GTEST_SKIP() << "promtool not installed (scripts/deps.sh installs prometheus)";
  const Network net = monitored_network();
  Diagnostics diags;
  const FileSet files = render_monitored(net, diags);
  TempDir dir;
  write_monitor_files(files, dir.path());
  // One sample every 15 s. Signing stops after sample 10 (last signed height 10) and
  // resumes at sample 31; the sentry's height is 1 + sample.
  write_text(dir.path() / "test.yml", R"yaml(rule_files: [picket-alerts.yml]
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'cometbft_consensus_height{job="cometbft", node="sentry-a"}'
        values: '1+1x60'
      - series: 'cometbft_consensus_height{job="cometbft", node="validator"}'
        values: '1+1x10 11x20 32+1x29'
      - series: 'cometbft_consensus_validator_last_signed_height{job="cometbft", node="validator", validator_address="AA"}'
        values: '0+1x10 10x20 31+1x29'
    alert_rule_test:
      - eval_time: 2m
        alertname: CometbftValidatorMissedBlocks
        exp_alerts: []
      - eval_time: 4m
        alertname: CometbftValidatorMissedBlocks
        exp_alerts: []
      - eval_time: 5m
        alertname: CometbftValidatorMissedBlocks
        exp_alerts:
          - exp_labels: {severity: critical, node: validator}
            exp_annotations:
              summary: "validator validator has missed the last 10 blocks in a row (its last signature is that many heights behind the network)"
              resolves: "when the validator's signature is in a commit again"
      - eval_time: 5m
        alertname: CometbftSignerNotConnected
        exp_alerts: []
      - eval_time: 8m
        alertname: CometbftValidatorMissedBlocks
        exp_alerts: []
  - interval: 15s
    input_series:
      - series: 'cometbft_consensus_height{job="cometbft", node="validator"}'
        values: '1+1x40'
      - series: 'cometbft_consensus_validator_last_signed_height{job="cometbft", node="validator", validator_address="AA"}'
        values: '0+1x10 10x30'
    alert_rule_test:
      - eval_time: 3m
        alertname: CometbftSignerNotConnected
        exp_alerts: []
      - eval_time: 5m
        alertname: CometbftSignerNotConnected
        exp_alerts:
          - exp_labels: {severity: critical, node: validator}
            exp_annotations:
              summary: "validator validator follows the chain but has missed the last 10 blocks: is its signer connected (or is it jailed)?"
              resolves: "when the validator signs again"
)yaml");
  const CommandResult r = run("cd " + dir.path().string() + " && promtool test rules test.yml");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("SUCCESS"), std::string::npos) << r.output;
  // The checker is real: the same test against rules without the missed-blocks alert fails.
  std::string rules = read_text(dir.path() / "picket-alerts.yml");
  const auto at_rule = rules.find("      - alert: CometbftValidatorMissedBlocks\n");
  ASSERT_NE(at_rule, std::string::npos);
  rules.replace(at_rule, 47, "      - alert: SomethingElse\n");
  write_text(dir.path() / "picket-alerts.yml", rules);
  EXPECT_NE(run("cd " + dir.path().string() + " && promtool test rules test.yml").status, 0);
}

}  // namespace
}  // namespace picket
