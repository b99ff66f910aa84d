#include <gtest/gtest.h>

#include <chrono>

#include "render/render.hpp"
#include "tests/unit/render/host_fixture.hpp"

namespace picket {
namespace {

using namespace test;

constexpr const char* k_config = "/monitoring/prometheus.yml";
constexpr const char* k_rules = "/monitoring/picket-alerts.yml";

TEST(Monitoring, SmallNetworkMatchesGolden) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  EXPECT_EQ(dump(diags), "");
  expect_golden("monitoring.txt", dump(files));
}

TEST(Monitoring, LocalFilesOnly) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, k_rules);
  EXPECT_EQ(files[1].path, k_config);
  for (const auto& f : files) {
    EXPECT_EQ(f.host, "");
    EXPECT_EQ(f.mode, 0644u);
    EXPECT_EQ(f.action, ApplyAction::none);
    EXPECT_FALSE(f.secret);
  }
}

TEST(Monitoring, TargetsAreRunningNodesAtTheirTunnelOrHostAddress) {
  Network net = small_network();
  Node standby = make_node("standby", Role::validator, "sen-b", 12);
  standby.standby.value = true;
  net.topology.nodes.push_back(standby);
  net.topology.index_nodes();
  Diagnostics diags;
  RenderContext ctx{net.topology, net.inventory, net.secrets, builtin_templates(), plan_tunnels(net.topology, net.inventory, diags)};
  FileSet files;
  render_monitoring(ctx, files, diags);
  const RenderedFile* config = find_file(files, "", k_config);
  ASSERT_NE(config, nullptr);
  const std::string& c = config->content;
  EXPECT_EQ(occurrences(c, "- targets: "), 3u) << c;  // not kms (signer), the standby, sentry-b
  EXPECT_EQ(c.find("\"kms\""), std::string::npos);
  EXPECT_EQ(c.find("\"standby\""), std::string::npos);
  EXPECT_NE(c.find("- targets: [\"" + ctx.tunnels.addresses.at("val-1") + ":26660\"]\n"
                   "        labels:\n"
                   "          node: \"validator\"\n"
                   "          role: \"validator\"\n"
                   "          host: \"val-1\"\n"
                   "          datacenter: \"dc-val-1\"\n"
                   "          region: \"eu-west\"\n"
                   "          provider: \"acme\"\n"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("# Not scraped: sentry-b (no tunnel on its host"), std::string::npos) << c;
}

TEST(Monitoring, NodesWithoutATunnelAreNamedNotScraped) {
  // Their metrics bind 127.0.0.1: a target at the host address would only ever be down.
  Network net = small_network();
  net.topology.links[2].over.value = LinkKind::private_net;  // public-a leaves the tunnel
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  const std::string& c = find_file(files, "", k_config)->content;
  EXPECT_EQ(occurrences(c, "- targets: "), 2u) << c;
  EXPECT_EQ(c.find("203.0.113"), std::string::npos) << c;
  EXPECT_EQ(c.find("2001:db8"), std::string::npos) << c;
  EXPECT_NE(c.find("# Not scraped: sentry-b (no tunnel on its host, so its metrics listen on "
                   "127.0.0.1 only).\n"
                   "# Not scraped: public-a (no tunnel on its host, so its metrics listen on "
                   "127.0.0.1 only).\n"),
            std::string::npos)
      << c;
}

TEST(Monitoring, TargetsUseEachNodesMetricsPort) {
  Network net = small_network();
  net.topology.chain.metrics_port = Located<int>{9100, {}};
  for (Node& n : net.topology.nodes)
    if (n.name.value == "sentry-a") n.metrics_port = Located<int>{9101, {}};
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  const std::string& c = find_file(files, "", k_config)->content;
  EXPECT_EQ(occurrences(c, ":26660\""), 0u) << c;
  EXPECT_NE(c.find("- targets: [\"10.44.0.32:9101\"]"), std::string::npos) << c;
  EXPECT_EQ(occurrences(c, ":9100\"]"), 2u) << c;  // the two other scraped nodes
}

TEST(Monitoring, OnePeerRulePerNodeWithItsExpectedCount) {
  const Network net = small_network();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  const std::string& r = find_file(files, "", k_rules)->content;
  // validator: 2 sentries; sentry-a: validator, public-a, certus; public-a: both sentries.
  // sentry-b (no tunnel on its host) is not scraped, so no rule could ever fire for it.
  for (const auto& [node, expected] : std::vector<std::pair<std::string, int>>{
           {"validator", 2}, {"sentry-a", 3}, {"public-a", 2}})
    EXPECT_NE(r.find("expr: cometbft_p2p_peers{job=\"cometbft\", node=\"" + node + "\"} < " +
                     std::to_string(expected) + "\n"),
              std::string::npos)
        << node << "\n" << r;
  EXPECT_EQ(occurrences(r, "alert: CometbftPeersBelowGraph"), 3u);
  EXPECT_EQ(r.find("node=\"kms\""), std::string::npos);
  EXPECT_EQ(r.find("node=\"sentry-b\""), std::string::npos);
}

TEST(Monitoring, LinksToAStandbyAreNotExpectedPeers) {
  Network net = small_network();
  Node standby = make_node("standby", Role::validator, "sen-b", 12);
  standby.standby.value = true;
  net.topology.nodes.push_back(standby);
  net.topology.links.push_back(make_link("standby", "sentry-a", LinkKind::private_net, 17));
  net.topology.index_nodes();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  const std::string& r = find_file(files, "", k_rules)->content;
  EXPECT_NE(r.find("node=\"sentry-a\"} < 3\n"), std::string::npos) << r;  // not 4
  EXPECT_EQ(r.find("node=\"standby\""), std::string::npos) << r;
}

TEST(Monitoring, CatchingUpMetricFollowsTheCometbftLine) {
  for (const auto& [line, metric] : std::vector<std::pair<std::string, std::string>>{
           {"0.34", "cometbft_consensus_fast_syncing"},
           {"0.37", "cometbft_consensus_block_syncing"},
           {"0.38", "cometbft_blocksync_syncing"},
           {"1.0", "cometbft_blocksync_syncing"}}) {
    Network net = small_network();
    net.topology.chain.cometbft.value = line;
    Diagnostics diags;
    const FileSet files = render_part(net, render_monitoring, diags);
    const std::string& r = find_file(files, "", k_rules)->content;
    EXPECT_NE(r.find("expr: " + metric + "{job=\"cometbft\"} == 1\n"), std::string::npos) << line << "\n" << r;
    EXPECT_EQ(occurrences(r, "syncing{"), 1u) << line;
  }
}

// Both files through promtool: the config with the rules file beside it (promtool loads and
// checks it too), and the rules on their own.
TEST(Monitoring, PassesPromtool) {
  if (!have_tool("promtool")) GTEST_SKIP() << "promtool not installed";
  TempDir bad;
  write_text(bad.path() / "r.yml", "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: up ==\n");
  ASSERT_NE(run("promtool check rules " + (bad.path() / "r.yml").string()).status, 0);  // the checker is real

  for (const std::string line : {"0.34", "0.38"}) {
    Network net = small_network();
    net.topology.chain.cometbft.value = line;
    Diagnostics diags;
    const FileSet files = render_part(net, render_monitoring, diags);
    TempDir dir;
    for (const auto& f : files) write_text(dir.path() / std::filesystem::path(f.path).filename(), f.content);
    const CommandResult config = run("promtool check config " + (dir.path() / "prometheus.yml").string());
    EXPECT_EQ(config.status, 0) << config.output;
    EXPECT_NE(config.output.find("SUCCESS: 11 rules found"), std::string::npos) << config.output;
    const CommandResult rules = run("promtool check rules " + (dir.path() / "picket-alerts.yml").string());
    EXPECT_EQ(rules.status, 0) << rules.output;
  }
}

TEST(Monitoring, NoNodesStillAValidConfig) {
  Network net = small_network();
  net.topology.nodes.resize(2);  // validator, kms
  net.topology.nodes[0].standby.value = true;
  net.topology.links.clear();
  net.topology.partners.clear();
  net.topology.index_nodes();
  Diagnostics diags;
  const FileSet files = render_part(net, render_monitoring, diags);
  const std::string& c = find_file(files, "", k_config)->content;
  EXPECT_NE(c.find("    static_configs: []\n"), std::string::npos) << c;
  if (!have_tool("promtool")) GTEST_SKIP() << "promtool not installed";
  TempDir dir;
  for (const auto& f : files) write_text(dir.path() / std::filesystem::path(f.path).filename(), f.content);
  const CommandResult config = run("promtool check config " + (dir.path() / "prometheus.yml").string());
  EXPECT_EQ(config.status, 0) << config.output;
}

}  // namespace
}  // namespace picket
