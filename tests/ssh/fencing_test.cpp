// Fencing against real sshd (issue 11): what a controller that died leaves running on a host,
// how --force-unlock ends it, and why the dead deploy's work cannot interleave with the next.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "deploy/firewall_guard.hpp"
#include "deploy/ssh/ssh_connector.hpp"
#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::connect_to;
using test_support::Fleet;
using test_support::read_text;
using test_support::write_text;
using Kind = TransportError::Kind;
namespace fs = std::filesystem;

bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

// The real cause, reproduced: a controller killed (SIGKILL) while a command of its own runs
// on the host leaves that command running there: the host goes on with the dead deploy's
// work (here: a restart that ends by touching a file, as `systemctl restart` or a commit
// would change the host) while the next deploy starts. read_lock says the holder still runs
// on the host; break_lock ends it before the lock changes hands, so its last step never
// happens, and its remote processes are gone.
TEST(SshFencing, ForceUnlockEndsWhatADeadControllerLeftRunning) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string lock = fleet.root("a") + "/var/lib/picket/deploy.lock";
  const std::string done = fleet.dir() + "/dead-deploy-step-done";
  const std::string started = fleet.dir() + "/dead-deploy-step-started";

  const pid_t controller = ::fork();
  ASSERT_GE(controller, 0);
  if (controller == 0) {
    // The controller that will die: lock with a token, start a 3 s step, wait for ever.
    auto t = SshConnector().connect(fleet.host("a"), fleet.inventory(), fleet.options());
    if (!t) ::_exit(2);
    if (!(*t)->lock(lock, {"dead@laptop (pid 1)", "2026-01-01T00:00:00Z", "deadbeef00112233deadbeef00112233", std::nullopt})) ::_exit(3);
    (void)(*t)->exec("touch '" + started + "'; sleep 3; touch '" + done + "'", false);
    ::_exit(0);
  }
  ASSERT_TRUE(wait_for([&] { return fs::exists(started); }, std::chrono::seconds(20)));
  ::kill(controller, SIGKILL);
  ::waitpid(controller, nullptr, 0);

  auto next = connect_to(fleet, "a");
  ASSERT_TRUE(next);
  auto holder = next->read_lock(lock);
  ASSERT_TRUE(holder && holder->has_value()) << (holder ? "no lock" : holder.error().message);
  EXPECT_EQ((*holder)->token, "deadbeef00112233deadbeef00112233");
  ASSERT_TRUE((*holder)->alive.has_value());
  EXPECT_TRUE(*(*holder)->alive) << "the dead controller's command should still run on the host";
  EXPECT_EQ((*holder)->describe(),
            "dead@laptop (pid 1) since 2026-01-01T00:00:00Z, still running on the host");

  auto broken = next->break_lock(lock, **holder);
  ASSERT_TRUE(broken) << broken.error().message;
  EXPECT_NE(broken->find("ended "), std::string::npos) << *broken;
  EXPECT_FALSE(fs::exists(lock));
  // Its step would have ended 3 s after it started: it never does.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  EXPECT_FALSE(fs::exists(done));
  auto after = next->read_lock(lock);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_value());
}

// A deploy whose lock another deploy took over: its connections are ended by the takeover,
// and on any connection it opens after that (as it does after a firewall reload) every change
// it still tries is refused on the host (commands, commits, restores), and releasing "its"
// lock leaves the new one.
TEST(SshFencing, OperationsOfAFormerHolderAreRefused) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string lock = fleet.root("a") + "/var/lib/picket/deploy.lock";
  const std::string target = fleet.root("a") + "/etc/app.conf";
  auto old_holder = connect_to(fleet, "a");
  auto new_holder = connect_to(fleet, "a");
  ASSERT_TRUE(old_holder && new_holder);
  const LockInfo old_info{"old@x (pid 1)", "T1", "a0000000000000000000000000000000", std::nullopt};
  ASSERT_TRUE(old_holder->lock(lock, old_info));
  auto staged = old_holder->stage_file(target, "old deploy\n", 0644, target + ".picket-bak", false);
  ASSERT_TRUE(staged) << staged.error().message;
  EXPECT_EQ(fs::path(staged->temp).filename().string().rfind(".app.conf.picket-tmp-a00000000000-", 0), 0u)
      << staged->temp;

  // Taken over (as --force-unlock does once the old holder is ended).
  auto holder = new_holder->read_lock(lock);
  ASSERT_TRUE(holder && holder->has_value());
  ASSERT_TRUE(new_holder->break_lock(lock, **holder));
  ASSERT_TRUE(new_holder->lock(lock, {"new@y (pid 2)", "T2", "b0000000000000000000000000000000", std::nullopt}));
  EXPECT_FALSE(old_holder->exec("true", false));  // its session was ended

  old_holder = connect_to(fleet, "a");
  ASSERT_TRUE(old_holder);
  old_holder->set_fence(lock, old_info.token);
  auto ran = old_holder->exec("touch '" + fleet.dir() + "/ran'", false);
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().kind, Kind::locked) << ran.error().message;
  EXPECT_FALSE(fs::exists(fleet.dir() + "/ran"));
  std::size_t done = 0;
  auto committed = old_holder->commit_staged({*staged}, done);
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().kind, Kind::locked);
  EXPECT_FALSE(fs::exists(target));
  auto restored = old_holder->restore_file(target, target + ".picket-bak", false);
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().kind, Kind::locked);
  ASSERT_TRUE(old_holder->unlock(lock));  // not ours any more: left alone, no error
  EXPECT_NE(read_text(lock).find("\"token\":\"b0000000000000000000000000000000\""), std::string::npos);

  // The new holder removes a dead deploy's temp file, never its own.
  const std::string dead = fleet.root("a") + "/etc/.app.conf.picket-tmp-deadbeef0000-0123456789ab";
  write_text(dead, "half a file");
  auto mine = new_holder->stage_file(target, "new deploy\n", 0644, target + ".picket-bak", false);
  ASSERT_TRUE(mine);
  auto listed = new_holder->list_temps({fleet.root("a") + "/etc"});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 3u);  // the former holder's, the dead one's, ours
  auto swept = new_holder->sweep_temps({fleet.root("a") + "/etc", fleet.root("a") + "/nowhere"});
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(*swept, (std::vector<std::string>{staged->temp, dead}));
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(mine->temp));
  EXPECT_TRUE(new_holder->commit_staged({*mine}, done));
  EXPECT_EQ(read_text(target), "new deploy\n");
  EXPECT_TRUE(new_holder->unlock(lock));
  EXPECT_FALSE(fs::exists(lock));
}

// The firewall guard of a deploy steps aside once another deploy holds the lock (that deploy
// reached the host after the reload), and still restores when the lock is gone or its own.
TEST(SshFencing, FirewallGuardStepsAsideForANewHolder) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string root = fleet.root("a");
  const std::string lock = root + "/var/lib/picket/deploy.lock";
  fs::create_directories(root + "/var/lib/picket");
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  for (const char* holder : {"other", "gone", "ours"}) {
    SCOPED_TRACE(holder);
    const std::string nft = root + "/" + holder + ".nft";
    write_text(nft, "new\n");
    write_text(nft + ".picket-bak", "old\n");
    if (std::string(holder) == "other") write_text(lock, "{\"owner\":\"b\",\"since\":\"T\",\"token\":\"0b\"}\n");
    if (std::string(holder) == "gone") fs::remove(lock);
    if (std::string(holder) == "ours") write_text(lock, "{\"owner\":\"a\",\"since\":\"T\",\"token\":\"0a\"}\n");
    auto armed = t->exec(guard_arm_command(nft, nft + ".picket-bak", "true", 0, lock, "0a"), false);
    ASSERT_TRUE(armed && armed->ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_EQ(read_text(nft), std::string(holder) == "other" ? "new\n" : "old\n");
  }
}

}  // namespace
}  // namespace picket
