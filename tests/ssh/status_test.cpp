// `picket status` as a user runs it, against a fleet of real sshd (tests/ssh/fleet.sh) standing
// in for the five hosts of examples/minimal, each node with an RPC of its own (python3's
// http.server serving /status, /net_info and /commit from files the test writes), reached
// through each host's SSH connection as the deploy health check reaches it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "deploy/ssh/shell_quote.hpp"
#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::free_port;
using test_support::read_text;
using test_support::run_shell;
namespace fs = std::filesystem;

const std::vector<std::string> k_hosts = {"node-a", "node-b", "node-c", "node-d", "node-e"};
const std::map<std::string, std::string> k_node_host = {{"validator", "node-a"}, {"sentry-a", "node-b"},
                                                        {"sentry-b", "node-c"}, {"public-a", "node-d"},
                                                        {"public-b", "node-e"}};
const std::map<std::string, std::vector<std::string>> k_graph = {
    {"validator", {"sentry-a", "sentry-b"}}, {"sentry-a", {"validator", "public-a"}},
    {"sentry-b", {"validator", "public-b"}}, {"public-a", {"sentry-a"}}, {"public-b", {"sentry-b"}}};
const std::string k_validator_address = "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567";
const std::string k_stranger = "ffffffffffffffffffffffffffffffffffffffff";

struct CliRun {
  int rc = -1;
  std::string out;  // stdout: the table or the JSON document
  std::string err;  // stderr: lint's warnings, with the fleet's folder as NET
};

struct StatusOverSsh : ::testing::Test {
  Fleet fleet{k_hosts};
  std::string net = fleet.dir() + "/net";
  std::map<std::string, int> ports;  // node -> its RPC port
  std::map<std::string, std::string> ids;  // node -> node ID (from `picket keys`)
  std::vector<std::unique_ptr<test_support::HttpServer>> servers;

  void SetUp() override {
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    fs::create_directories(net);
    // examples/minimal, each node with its own RPC port (all hosts are 127.0.0.1 here).
    std::string topology = read_text(std::string(PICKET_SOURCE_DIR) + "/examples/minimal/topology.yaml");
    topology = std::regex_replace(topology, std::regex("inventory: .*\n"), "");
    for (const auto& [node, host] : k_node_host) {
      ports[node] = free_port();
      topology = std::regex_replace(topology, std::regex("(" + node + ":\\s*\\{role: [a-z-]+, host: " + host + ")\\}"),
                                    "$1, rpc_port: " + std::to_string(ports[node]) + "}");
    }
    std::ofstream(net + "/topology.yaml") << topology;
    std::string inventory =
        "defaults: {home: /home/cosmos/.simd, check: \"true\", restart: \"true\",\n"
        "           reload_firewall: \"true\", reload_vpn: \"true\"}\nhosts:\n";
    for (const std::string& h : k_hosts) {
      const Host host = fleet.host(h);
      inventory += "  " + h + ": {address: 127.0.0.1, port: " + std::to_string(host.port.value) +
                   ", user: " + host.user->value + ", identity: " + host.identity->value +
                   ", root: " + host.root->value + "}\n";
    }
    std::ofstream(net + "/inventory.yaml") << inventory;
    const CliRun keys = picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                               shell_quote(net + "/inventory.yaml"));
    ASSERT_EQ(keys.rc, 0) << keys.out;
    const std::regex id_line("node +([a-z-]+) +([0-9a-f]{40}) ");
    for (auto m = std::sregex_iterator(keys.out.begin(), keys.out.end(), id_line); m != std::sregex_iterator(); ++m)
      ids[(*m)[1]] = (*m)[2];
    ASSERT_EQ(ids.size(), 5u) << keys.out;
    for (const auto& [node, neighbours] : k_graph) write_rpc(node, 1000, neighbours, true);
    for (const auto& [node, port] : ports) {
      servers.push_back(std::make_unique<test_support::HttpServer>(net + "/rpc-" + node, port));
      ASSERT_TRUE(servers.back()->up()) << node;
    }
    const CliRun deployed = picket("deploy " + common() + " --yes --health-timeout 10");
    ASSERT_EQ(deployed.rc, 0) << deployed.out;
  }

  // The answers of one node's RPC: its height, its peers (by node name, or raw IDs), and for
  // the validator whether its signature is in the commits.
  void write_rpc(const std::string& node, int height, const std::vector<std::string>& peers, bool signs,
                 const std::vector<std::string>& raw_peers = {}) {
    const std::string dir = net + "/rpc-" + node;
    fs::create_directories(dir);
    using Json = nlohmann::json;
    Json status = {{"jsonrpc", "2.0"}, {"id", -1},
                   {"result", {{"node_info", {{"id", ids[node]}, {"moniker", node}}},
                               {"sync_info", {{"latest_block_height", std::to_string(height)}, {"catching_up", false}}},
                               {"validator_info", {{"address", node == "validator" ? k_validator_address : "00"},
                                                   {"voting_power", node == "validator" ? "10" : "0"}}}}}};
    Json list = Json::array();
    for (const auto& p : peers) list.push_back({{"node_info", {{"id", ids[p]}, {"moniker", p}}}, {"remote_ip", "127.0.0.1"}});
    for (const auto& id : raw_peers) list.push_back({{"node_info", {{"id", id}, {"moniker", "stranger"}}}, {"remote_ip", "203.0.113.99"}});
    Json net_info = {{"jsonrpc", "2.0"}, {"id", -1}, {"result", {{"n_peers", std::to_string(list.size())}, {"peers", list}}}};
    Json sigs = Json::array({{{"block_id_flag", 2}, {"validator_address", "99AA"}}});
    if (signs) sigs.push_back({{"block_id_flag", 2}, {"validator_address", k_validator_address}});
    else sigs.push_back({{"block_id_flag", 1}, {"validator_address", ""}});
    Json commit = {{"jsonrpc", "2.0"}, {"id", -1},
                   {"result", {{"signed_header", {{"header", {{"height", std::to_string(height)}}}, {"commit", {{"signatures", sigs}}}}}}}};
    std::ofstream(dir + "/status") << status.dump();
    std::ofstream(dir + "/net_info") << net_info.dump();
    std::ofstream(dir + "/commit") << commit.dump();
  }

  CliRun picket(const std::string& args) const {
    CliRun r;
    const std::string err = net + "/stderr";
    r.rc = run_shell("{ " + shell_quote(PICKET_BINARY) + " " + args + " </dev/null 2>" + shell_quote(err) + "; }", &r.out);
    r.err = std::regex_replace(read_text(err), std::regex(net), "NET");
    return r;
  }
  std::string common(int timeout = 30) const {
    return shell_quote(net + "/topology.yaml") + " --inventory " + shell_quote(net + "/inventory.yaml") +
           " --known-hosts " + shell_quote(fleet.known_hosts()) + " --timeout " + std::to_string(timeout);
  }
};

TEST_F(StatusOverSsh, DesignedNetworkIsHealthy) {
  const CliRun r = picket("status " + common());
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out,
            "NODE       ROLE            HOST    HEIGHT  LAG  PEERS  SIGNED  SIGNER\n"
            "validator  validator       node-a  1000    0    2/2    4/4     -\n"
            "sentry-a   private-sentry  node-b  1000    0    2/2    -       -\n"
            "sentry-b   private-sentry  node-c  1000    0    2/2    -       -\n"
            "public-a   public-sentry   node-d  1000    0    1/1    -       -\n"
            "public-b   public-sentry   node-e  1000    0    1/1    -       -\n"
            "as designed: 5 nodes, 5 hosts at height 1000\n");
  // The fleet's topology has no monitoring host: lint's warning goes to stderr, never into the
  // table (nor into --format json).
  EXPECT_EQ(r.err,
            "NET/topology.yaml:7:1: warning: no \"monitoring:\" host: the metrics of nodes \"validator\", "
            "\"sentry-a\", \"sentry-b\", \"public-a\", \"public-b\" are scraped from nowhere picket sets up, "
            "and nothing alerts when the validator stops signing; name a monitoring host [no-monitor]\n"
            "nodes:\n"
            "^\n");
}

TEST_F(StatusOverSsh, ExtraAndMissingPeersNotSigningAndLagComeFirst) {
  // The validator peered by hand with a stranger; sentry-b lost public-b and lags; the
  // validator's signature is missing from the commits.
  write_rpc("validator", 1000, {"sentry-a", "sentry-b"}, false, {k_stranger});
  write_rpc("sentry-b", 990, {"validator"}, false);
  write_rpc("public-b", 1000, {}, false);
  const CliRun r = picket("status " + common());
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(r.out,
            "NODE       ROLE            HOST    HEIGHT  LAG  PEERS  SIGNED  SIGNER\n"
            "validator  validator       node-a  1000    0    3/2    0/4     -\n"
            "  error: not signing: its signature is in none of the last 4 commits\n"
            "  error: unexpected peer " + k_stranger + " (203.0.113.99, \"stranger\"): the validator must peer with its sentries only (exposure)\n"
            "sentry-b   private-sentry  node-c  990     10   1/2    -       -\n"
            "  warning: 10 blocks behind the best height 1000\n"
            "  warning: missing peer \"public-b\"\n"
            "public-b   public-sentry   node-e  1000    0    0/1    -       -\n"
            "  warning: missing peer \"sentry-b\"\n"
            "sentry-a   private-sentry  node-b  1000    0    2/2    -       -\n"
            "public-a   public-sentry   node-d  1000    0    1/1    -       -\n"
            "5 nodes, 5 hosts: 2 errors, 3 warnings\n");

  const CliRun json = picket("status " + common() + " --format json");
  EXPECT_EQ(json.rc, 1);
  const auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["summary"], nlohmann::json({{"errors", 2}, {"warnings", 3}}));
  EXPECT_EQ(doc["nodes"][0]["node"], "validator");
  EXPECT_EQ(doc["nodes"][0]["unexpected_peers"][0]["id"], k_stranger);
  EXPECT_EQ(doc["nodes"][0]["signed_commits"], 0);
  EXPECT_EQ(doc["nodes"][0]["pending_restart"], false);
  EXPECT_EQ(doc["nodes"][1]["missing_peers"], nlohmann::json::array({"public-b"}));
}

TEST_F(StatusOverSsh, APendingRestartIsAWarning) {
  // The record a deploy leaves when its new files went live but sentry-a was not restarted.
  fs::create_directories(fleet.root("node-b") + "/var/lib/picket");
  std::ofstream(fleet.root("node-b") + "/var/lib/picket/pending.json")
      << "{\"restart\": {\"sentry-a\": {\"since\": \"2026-12-04T05:00:00Z\", \"by\": \"op@laptop (pid 7)\"}}}\n";
  const CliRun r = picket("status " + common());
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(r.out,
            "NODE       ROLE            HOST    HEIGHT  LAG  PEERS  SIGNED  SIGNER\n"
            "sentry-a   private-sentry  node-b  1000    0    2/2    -       -\n"
            "  warning: restart pending since 2026-12-04T05:00:00Z (new files of op@laptop (pid 7) are in "
            "place; the next deploy restarts it)\n"
            "validator  validator       node-a  1000    0    2/2    4/4     -\n"
            "sentry-b   private-sentry  node-c  1000    0    2/2    -       -\n"
            "public-a   public-sentry   node-d  1000    0    1/1    -       -\n"
            "public-b   public-sentry   node-e  1000    0    1/1    -       -\n"
            "5 nodes, 5 hosts: 0 errors, 1 warning\n");
  const CliRun json = picket("status " + common() + " --format json");
  const auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  EXPECT_EQ(doc["nodes"][0]["node"], "sentry-a");
  EXPECT_EQ(doc["nodes"][0]["pending_restart"], true);
  EXPECT_EQ(doc["nodes"][1]["pending_restart"], false);
}

TEST_F(StatusOverSsh, DriftAndAnUnreachableHostAreProblems) {
  // A file changed by hand on node-b; node-e's sshd gone.
  const std::string config = fleet.root("node-b") + "/home/cosmos/.simd/config/config.toml";
  std::ofstream(config, std::ios::app) << "# edited by hand\n";
  fleet.kill("node-e");
  const CliRun r = picket("status " + common(5));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("\npublic-b   public-sentry   node-e  -       -    -      -       -\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  error: not asked: its host is unreachable\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host node-b: warning: 1 file differs from the render (deploy would change "
                       "\"/home/cosmos/.simd/config/config.toml\")\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("host node-e: error: unreachable: "), std::string::npos) << r.out;
  // Read-only: the hand edit is still there.
  EXPECT_NE(read_text(config).find("# edited by hand\n"), std::string::npos);
}

TEST_F(StatusOverSsh, WatchAsksAgainUntilInterrupted) {
  // Each round reconnects and prints a whole report; a signal ends it (SIGTERM: a background
  // job of a non-interactive shell ignores SIGINT).
  const CliRun r = picket("status " + common() + " --watch --interval 0.5 & p=$!; sleep 4; kill $p; wait $p");
  std::size_t rounds = 0;
  for (auto at = r.out.find("as designed: 5 nodes, 5 hosts at height 1000\n"); at != std::string::npos;
       at = r.out.find("as designed: 5 nodes, 5 hosts at height 1000\n", at + 1))
    ++rounds;
  EXPECT_GE(rounds, 2u) << r.out;
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no screen clearing without a terminal";
}

TEST_F(StatusOverSsh, UsageErrorsExit64) {
  EXPECT_EQ(picket("status " + common() + " --format yaml").rc, 64);
  EXPECT_EQ(picket("status " + shell_quote(net + "/missing.yaml")).rc, 64);
}

}  // namespace
}  // namespace picket
