#include "tests/support/memory_transport.hpp"

#include <gtest/gtest.h>

#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

struct MemoryTwin : ::testing::Test {
  MemoryFleet fleet;
  MemoryConnector connector{fleet};
  Inventory inventory = test::sentry_inventory();

  std::unique_ptr<Transport> open(const std::string& host) {
    auto t = connector.connect(*inventory.find_host(host), inventory, {});
    EXPECT_TRUE(t) << t.error().message;
    return t ? std::move(*t) : nullptr;
  }
};

TEST_F(MemoryTwin, WriteKeepsABackupAndRestorePutsItBack) {
  auto t = open("fra-1");
  fleet.host("fra-1").files["/a"] = RemoteFile{"v1", 0644};
  ASSERT_TRUE(t->write_file("/a", "v2", 0600, "/a.bak", false));
  EXPECT_EQ(fleet.host("fra-1").files["/a"].content, "v2");
  EXPECT_EQ(fleet.host("fra-1").files["/a"].mode, 0600u);
  EXPECT_EQ(fleet.host("fra-1").files["/a.bak"].content, "v1");
  ASSERT_TRUE(t->restore_file("/a", "/a.bak", false));
  EXPECT_EQ(fleet.host("fra-1").files["/a"].content, "v1");
  EXPECT_EQ(fleet.host("fra-1").files["/a.bak"].content, "v1");  // kept for another restore
}

TEST_F(MemoryTwin, RestoringANewFileRemovesIt) {
  auto t = open("fra-1");
  fleet.host("fra-1").files["/n.bak"] = RemoteFile{"stale backup", 0644};
  ASSERT_TRUE(t->write_file("/n", "new", 0644, "/n.bak", false));
  // A stale backup from an older deploy must not come back as the "previous" version.
  EXPECT_EQ(fleet.host("fra-1").files.count("/n.bak"), 0u);
  ASSERT_TRUE(t->restore_file("/n", "/n.bak", false));
  EXPECT_EQ(fleet.host("fra-1").files.count("/n"), 0u);
}

TEST_F(MemoryTwin, TheNthWriteFailsAndChangesNothing) {
  auto t = open("fra-1");
  fleet.host("fra-1").fail_write_number = 2;
  fleet.host("fra-1").files["/b"] = RemoteFile{"old", 0644};
  ASSERT_TRUE(t->write_file("/a", "1", 0644, "/a.bak", false));
  auto second = t->write_file("/b", "2", 0644, "/b.bak", false);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, TransportError::Kind::disk_full);
  EXPECT_EQ(fleet.host("fra-1").files["/b"].content, "old");
  EXPECT_EQ(fleet.host("fra-1").files.count("/b.bak"), 0u);
  EXPECT_TRUE(t->write_file("/c", "3", 0644, "/c.bak", false));
}

TEST_F(MemoryTwin, LocksAreExclusive) {
  auto a = open("nyc-1");
  auto b = open("nyc-1");
  ASSERT_TRUE(a->lock("/l", LockInfo{"a@x (pid 1)", "T1"}));
  auto taken = b->lock("/l", LockInfo{"b@y (pid 2)", "T2"});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, TransportError::Kind::locked);
  EXPECT_EQ(taken.error().message, "locked by a@x (pid 1) since T1");
  EXPECT_EQ((*b->read_lock("/l"))->owner, "a@x (pid 1)");
  ASSERT_TRUE(a->unlock("/l"));
  ASSERT_TRUE(a->unlock("/l"));  // already gone: fine
  EXPECT_TRUE(b->lock("/l", LockInfo{"b@y (pid 2)", "T2"}));
}

TEST_F(MemoryTwin, UnreachableAndRefusedConnections) {
  fleet.host("sgp-1").unreachable = true;
  auto r = connector.connect(*inventory.find_host("sgp-1"), inventory, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportError::Kind::unreachable);
  fleet.host("ams-2").refuse_connects_after = 1;
  EXPECT_TRUE(connector.connect(*inventory.find_host("ams-2"), inventory, {}));
  EXPECT_FALSE(connector.connect(*inventory.find_host("ams-2"), inventory, {}));
}

TEST_F(MemoryTwin, ScriptedCommandsAndRootWithoutBecome) {
  auto t = open("val-ams");
  fleet.script_exec("val-ams", "restart", ExecResult{1, "", "", "failed"}, 1);
  EXPECT_EQ((*t->exec("systemctl restart x", true)).exit_code, 1);
  EXPECT_EQ((*t->exec("systemctl restart x", true)).exit_code, 0);  // the rule was used up
  inventory.hosts.back().become.reset();
  auto plain = open("val-ams");
  auto refused = plain->exec("id", true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, TransportError::Kind::permission_denied);
}

TEST_F(MemoryTwin, HttpAnswersInOrderThenTheLastRepeats) {
  auto t = open("nyc-1");
  EXPECT_EQ(*t->http_get(26657, "/status"), status_body(false));
  fleet.script_http("nyc-1", 26657, "/status", {status_body(true), status_body(false)});
  EXPECT_EQ(*t->http_get(26657, "/status"), status_body(true));
  EXPECT_EQ(*t->http_get(26657, "/status"), status_body(false));
  EXPECT_EQ(*t->http_get(26657, "/status"), status_body(false));
  EXPECT_FALSE(t->http_get(26657, "/nothing"));
}

}  // namespace
}  // namespace picket
