#include "deploy/deploy_log.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(DeployLog, OneCompactLinePerRecord) {
  EXPECT_EQ(format_log_record(LogRecord{"2026-01-02T03:04:05Z", "fra-1", LogAction::write,
                                        "/etc/nftables.d/picket.nft", "ok", "ab12", ""}),
            R"({"time":"2026-01-02T03:04:05Z","host":"fra-1","action":"write",)"
            R"("path":"/etc/nftables.d/picket.nft","result":"ok","sha256":"ab12"})"
            "\n");
  EXPECT_EQ(format_log_record(LogRecord{"T", "", LogAction::deploy, "", "failed", "", "a \"quoted\"\nline"}),
            R"({"time":"T","action":"deploy","result":"failed","detail":"a \"quoted\"\nline"})"
            "\n");
}

// Every action's name in the log reads back as that action; other text names none.
TEST(DeployLog, ActionNamesReadBack) {
  for (LogAction a : {LogAction::deploy, LogAction::force_unlock, LogAction::write,
                      LogAction::firewall_guard_disarm, LogAction::restart_rollback,
                      LogAction::restore})
    EXPECT_EQ(parse_log_action(log_action_name(a)), a) << log_action_name(a);
  EXPECT_EQ(std::string(log_action_name(LogAction::restart_rollback)), "restart-rollback");
  EXPECT_EQ(parse_log_action("restart_rollback"), std::nullopt);
}

// Which hosts picket wrote to, and what: only successful writes count; other records, other
// results and lines that are not records (a torn last line) are skipped.
TEST(DeployLog, DeployedHostsAreThoseWithAFileWritten) {
  const std::string log =
      format_log_record({"2026-01-02T03:04:05.000Z", "", LogAction::deploy, "", "started", "", ""}) +
      format_log_record({"2026-01-02T03:04:06.000Z", "fra-1", LogAction::lock, "", "ok", "", ""}) +
      format_log_record({"2026-01-02T03:04:07.000Z", "fra-1", LogAction::write, "/etc/a", "ok", "ab", ""}) +
      format_log_record({"2026-01-02T03:04:08.000Z", "nyc-1", LogAction::write, "/etc/b", "failed", "", "x"}) +
      format_log_record({"2026-01-02T03:04:09.000Z", "ams-2", LogAction::stage, "/etc/c", "ok", "", ""}) +
      "not json\n" +
      format_log_record({"2026-01-03T00:00:00.000Z", "fra-1", LogAction::write, "/etc/b", "ok", "cd", ""}) +
      format_log_record({"2026-01-02T23:00:00.000Z", "fra-1", LogAction::write, "/etc/a", "ok", "ab", ""}) +
      R"({"time":"2026-01-04T00:00:00.000Z","host":"nyc-1","action":"wri)";
  const auto hosts = deployed_hosts(log);
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts.at("fra-1").last, "2026-01-03T00:00:00.000Z");
  EXPECT_EQ(hosts.at("fra-1").paths, (std::set<std::string>{"/etc/a", "/etc/b"}));
  EXPECT_TRUE(deployed_hosts("").empty());
}

TEST(DeployLog, TimeIsIsoUtc) {
  const std::string now = iso8601_utc_now();
  ASSERT_EQ(now.size(), 20u);
  EXPECT_EQ(now[4], '-');
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], 'Z');
}

TEST(DeployLog, LogTimeHasMilliseconds) {
  const std::string now = iso8601_utc_now_ms();
  ASSERT_EQ(now.size(), 24u);
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], '.');
  EXPECT_EQ(now.find_first_not_of("0123456789", 20), 23u);
  EXPECT_EQ(now[23], 'Z');
  // The same second as the seconds-only clock (unless a second boundary fell in between).
  const std::string secs = iso8601_utc_now();
  EXPECT_LE(now.substr(0, 19), secs.substr(0, 19));
}

}  // namespace
}  // namespace picket
