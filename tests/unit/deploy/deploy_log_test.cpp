#include "deploy/deploy_log.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(DeployLog, OneCompactLinePerRecord) {
  EXPECT_EQ(format_log_record(LogRecord{"2026-01-02T03:04:05Z", "fra-1", "write",
                                        "/etc/nftables.d/picket.nft", "ok", "ab12", ""}),
            R"({"time":"2026-01-02T03:04:05Z","host":"fra-1","action":"write",)"
            R"("path":"/etc/nftables.d/picket.nft","result":"ok","sha256":"ab12"})"
            "\n");
  EXPECT_EQ(format_log_record(LogRecord{"T", "", "deploy", "", "failed", "", "a \"quoted\"\nline"}),
            R"({"time":"T","action":"deploy","result":"failed","detail":"a \"quoted\"\nline"})"
            "\n");
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
