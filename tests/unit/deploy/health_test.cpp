#include "deploy/health.hpp"

#include <gtest/gtest.h>

#include "tests/support/memory_transport.hpp"
#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

TEST(Health, StatusBodies) {
  EXPECT_EQ(judge_status(status_body(false)), "");
  EXPECT_EQ(judge_status(status_body(true)), "/status: catching up");
  EXPECT_EQ(judge_status("<html>"), "/status: not JSON");
  EXPECT_EQ(judge_status(R"({"error":{"code":-32603}})"), "/status: no result");
  EXPECT_EQ(judge_status(R"({"result":{"node_info":{}}})"), "/status: no sync_info");
  EXPECT_EQ(judge_status(R"({"result":{"sync_info":{"catching_up":"false"}}})"),
            "/status: no sync_info.catching_up");
}

TEST(Health, NetInfoBodies) {
  EXPECT_EQ(judge_net_info(net_info_body(3)), "");
  EXPECT_EQ(judge_net_info(net_info_body(0)), "/net_info: no peers");
  EXPECT_EQ(judge_net_info(R"({"result":{"n_peers":2}})"), "");
  EXPECT_EQ(judge_net_info(R"({"result":{"n_peers":"-1"}}})"), "/net_info: not JSON");
  EXPECT_EQ(judge_net_info(R"({"result":{"n_peers":"-1"}})"), "/net_info: n_peers is not a count");
  EXPECT_EQ(judge_net_info(R"({"result":{}})"), "/net_info: no n_peers");
}

TEST(Health, NetInfoNamesTheGraphNeighboursNotBackYet) {
  const std::string a(40, 'a'), b(40, 'b'), c(40, 'c');
  const std::vector<OwnPeer> expected{{"priv-ams", a}, {"priv-fra", std::string(40, 'B')}};
  EXPECT_EQ(judge_net_info(net_info_body({c, b, a}), expected), "");
  EXPECT_EQ(judge_net_info(net_info_body({c, a}), expected),
            "/net_info: not yet connected again to priv-fra");
  EXPECT_EQ(judge_net_info(net_info_body({c}), expected),
            "/net_info: not yet connected again to priv-ams, priv-fra");
  EXPECT_EQ(judge_net_info(net_info_body(std::vector<std::string>{}), expected),
            "/net_info: no peers");
  EXPECT_EQ(connected_peer_ids(net_info_body({c, std::string(40, 'A')})),
            (std::vector<std::string>{a, c}));
  EXPECT_EQ(connected_peer_ids(R"({"result":{"n_peers":"0"}})"), std::vector<std::string>{});
  EXPECT_EQ(connected_peer_ids("<html>"), std::nullopt);
}

struct HealthFixture : ::testing::Test {
  MemoryFleet fleet;
  Inventory inventory = test::sentry_inventory();
  MemoryConnector connector{fleet};
  std::unique_ptr<Transport> transport = *connector.connect(inventory.hosts[0], inventory, {});
  HealthTarget target{"priv-ams", "systemctl is-active --quiet 'cosmovisor.service'", false, 26657, {}};
  HealthOptions fast{std::chrono::milliseconds(200), std::chrono::milliseconds(0),
                     [](std::chrono::milliseconds) {}};
};

TEST_F(HealthFixture, HealthyNodePassesAtFirstAttempt) {
  const HealthResult r = check_once(*transport, target);
  EXPECT_TRUE(r.healthy);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(fleet.host("ams-2").log,
            (std::vector<std::string>{"connect",
                                      "exec systemctl is-active --quiet 'cosmovisor.service'",
                                      "http 26657 /status", "http 26657 /net_info"}));
}

TEST_F(HealthFixture, FailingCheckCommandStopsBeforeRpc) {
  fleet.script_exec("ams-2", "is-active", ExecResult{3, "", "", ""});
  const HealthResult r = check_once(*transport, target);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.reason, "check command exited 3");
  EXPECT_EQ(fleet.host("ams-2").log.back(),
            "exec systemctl is-active --quiet 'cosmovisor.service'");
}

TEST_F(HealthFixture, KilledCheckCommandIsAFailure) {
  fleet.script_exec("ams-2", "is-active", ExecResult{-1, "KILL", "", ""});
  EXPECT_EQ(check_once(*transport, target).reason, "check command killed by KILL");
}

TEST_F(HealthFixture, PollsUntilCaughtUp) {
  fleet.script_http("ams-2", 26657, "/status",
                    {status_body(true), status_body(true), status_body(false)});
  fleet.script_http("ams-2", 26657, "/net_info", {net_info_body(0), net_info_body(2)});
  const HealthResult r = wait_healthy(*transport, target, fast);
  EXPECT_TRUE(r.healthy);
  // catching up, catching up, no peers, healthy.
  EXPECT_EQ(r.attempts, 4);
}

TEST_F(HealthFixture, RpcErrorsAreRetriedThenReported) {
  fleet.script_http("ams-2", 26657, "/status",
                    {tl::make_unexpected(TransportError{TransportError::Kind::refused,
                                                        "connection refused"})});
  HealthOptions once = fast;
  once.timeout = std::chrono::milliseconds(0);
  const HealthResult r = wait_healthy(*transport, target, once);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.reason, "/status: connection refused");
}

TEST_F(HealthFixture, GivesUpAtTheDeadline) {
  fleet.script_http("ams-2", 26657, "/status", {status_body(true)});
  HealthOptions slow{std::chrono::milliseconds(30), std::chrono::milliseconds(5), {}};
  const auto start = std::chrono::steady_clock::now();
  const HealthResult r = wait_healthy(*transport, target, slow);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.reason, "/status: catching up");
  EXPECT_GE(r.attempts, 2);
  EXPECT_GE(took, std::chrono::milliseconds(30));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(HealthFixture, PollsFastFirstThenBacksOffToTheInterval) {
  fleet.script_http("ams-2", 26657, "/status",
                    {status_body(true), status_body(true), status_body(true), status_body(true),
                     status_body(true), status_body(false)});
  std::vector<long long> waits;
  HealthOptions opts{std::chrono::seconds(60), std::chrono::milliseconds(300),
                     [&](std::chrono::milliseconds ms) { waits.push_back(ms.count()); }};
  const HealthResult r = wait_healthy(*transport, target, opts);
  EXPECT_TRUE(r.healthy);
  EXPECT_EQ(r.attempts, 6);
  EXPECT_EQ(waits, (std::vector<long long>{100, 200, 300, 300, 300}));
}

TEST_F(HealthFixture, DefaultBackOffDoublesFrom100msTo2s) {
  std::vector<long long> waits;
  HealthOptions opts{std::chrono::seconds(60), std::chrono::milliseconds(300),
                     [&](std::chrono::milliseconds ms) { waits.push_back(ms.count()); }};
  fleet.script_http("ams-2", 26657, "/status",
                    {status_body(true), status_body(true), status_body(true), status_body(true),
                     status_body(true), status_body(true), status_body(false)});
  opts.interval = HealthOptions{}.interval;
  EXPECT_TRUE(wait_healthy(*transport, target, opts).healthy);
  EXPECT_EQ(waits, (std::vector<long long>{100, 200, 400, 800, 1600, 2000}));
}

TEST_F(HealthFixture, SignerHasOnlyItsCheck) {
  HealthTarget signer{"kms", "systemctl is-active --quiet 'tmkms.service'", false, std::nullopt, {}};
  EXPECT_TRUE(check_once(*transport, signer).healthy);
  EXPECT_EQ(fleet.host("ams-2").log.back(), "exec systemctl is-active --quiet 'tmkms.service'");
}

}  // namespace
}  // namespace picket
