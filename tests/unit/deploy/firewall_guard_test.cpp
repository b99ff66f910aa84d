#include "deploy/firewall_guard.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(FirewallGuard, RestoresTheBackupThenReloads) {
  EXPECT_EQ(guard_arm_command("/etc/p.nft", std::string("/etc/p.nft.picket-bak"),
                              "nft -f '/etc/p.nft'", 60),
            "nohup sh -c 'sleep 60; rm -f -- '\\''/etc/p.nft.picket-guard'\\'' && "
            "cp -p -- '\\''/etc/p.nft.picket-bak'\\'' "
            "'\\''/etc/p.nft.picket-guard'\\'' && mv -f -T -- '\\''/etc/p.nft.picket-guard'\\'' "
            "'\\''/etc/p.nft'\\''; nft -f '\\''/etc/p.nft'\\''' </dev/null >/dev/null 2>&1 & "
            "echo $!");
}

TEST(FirewallGuard, ANewRulesetFallsBackToEmpty) {
  EXPECT_EQ(guard_arm_command("/etc/p.nft", std::nullopt, "nft -f '/etc/p.nft'", 30),
            "nohup sh -c 'sleep 30; rm -f -- '\\''/etc/p.nft.picket-guard'\\'' && "
            "printf '\\''flush ruleset\\n'\\'' > "
            "'\\''/etc/p.nft.picket-guard'\\'' && mv -f -T -- '\\''/etc/p.nft.picket-guard'\\'' "
            "'\\''/etc/p.nft'\\''; nft -f '\\''/etc/p.nft'\\''' </dev/null >/dev/null 2>&1 & "
            "echo $!");
}

TEST(FirewallGuard, Pid) {
  EXPECT_EQ(parse_pid("4242\n"), 4242);
  EXPECT_EQ(parse_pid(" 17\r\n"), std::nullopt);  // leading space: not what the command prints
  EXPECT_EQ(parse_pid(""), std::nullopt);
  EXPECT_EQ(parse_pid("1\n"), std::nullopt);
  EXPECT_EQ(parse_pid("12a\n"), std::nullopt);
  EXPECT_EQ(guard_disarm_command(4242), "kill 4242");
}

}  // namespace
}  // namespace picket
