// Faults against real sshd: the host dies mid-operation, the disk is full.

#include "deploy/ssh/ssh_connector.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
using Kind = TransportError::Kind;
namespace fs = std::filesystem;

using test_support::connect_to;

std::vector<std::string> leftovers(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".picket-tmp-") != std::string::npos) out.push_back(e.path());
  return out;
}

// A small tmpfs in the sandbox, unmounted when done; GTEST_SKIP when mount is not allowed.
class SmallDisk {
 public:
  SmallDisk(const std::string& dir, const std::string& options) : m_dir(dir) {
    fs::create_directories(dir);
    m_mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0;
    m_errno = errno;
  }
  ~SmallDisk() {
    if (m_mounted) ::umount2(m_dir.c_str(), MNT_DETACH);
  }
  bool mounted() const { return m_mounted; }
  std::string why() const { return std::strerror(m_errno); }

 private:
  std::string m_dir;
  bool m_mounted = false;
  int m_errno = 0;
};

TEST(SshFaults, HostKilledDuringACommandIsACleanErrorNamingIt) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  // Kill the host once the command is surely running (a shell's start-up files can take a
  // while on a busy machine, so a fixed sleep raced it).
  const std::string marker = fleet.root("a") + "/command-started";
  auto pending = std::async(std::launch::async,
                            [&] { return t->exec("touch " + marker + "; sleep 30", false); });
  for (int i = 0; i < 20000 && !std::filesystem::exists(marker); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(std::filesystem::exists(marker)) << "the command never started";
  const auto start = std::chrono::steady_clock::now();
  fleet.kill("a");
  auto r = pending.get();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::unreachable) << r.error().message;
  const std::string label = "a (127.0.0.1:" + std::to_string(fleet.port("a")) + "): ";
  EXPECT_EQ(r.error().message.rfind(label + "run a command: connection lost", 0), 0u) << r.error().message;
  // Later calls fail at once with the same host named.
  auto again = t->read_file("/etc/hostname", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, label + "the connection was lost or timed out earlier");
}

// The kill races the upload (fleet.sh freezes the session tree first, which takes a moment on
// a busy machine), so each attempt checks the invariant that matters whatever the timing:
// the target is exactly the old or exactly the new content, never a part. At least one
// attempt must really cut the upload, and then the error names the host and the file.
TEST(SshFaults, HostKilledDuringAnUploadLeavesTheTargetUntouched) {
  const std::string big(128u * 1024u * 1024u, 'q');  // long enough to be cut in the middle
  int cut = 0;
  for (int attempt = 0; attempt < 5 && cut == 0; ++attempt) {
    Fleet fleet({"a"});
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    auto t = connect_to(fleet, "a");
    ASSERT_TRUE(t);
    const std::string path = fleet.root("a") + "/data.bin";
    ASSERT_TRUE(t->write_file(path, "previous\n", 0644, path + ".bak", false));
    auto pending = std::async(std::launch::async,
                              [&] { return t->write_file(path, big, 0644, path + ".bak", false); });
    // Kill the host once the upload's temp file is on disk and growing.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool mid_upload = false;
    while (!mid_upload && std::chrono::steady_clock::now() < deadline) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(fleet.root("a"), ec)) {
        const std::string name = e.path().filename().string();
        if (name.find("picket-tmp") != std::string::npos && e.file_size(ec) > 1024 * 1024) {
          mid_upload = true;
          break;
        }
      }
      if (!mid_upload) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(mid_upload) << "the upload never started";
    fleet.kill("a");
    auto w = pending.get();
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (w) {
      // The upload won the race: the new file is whole.
      EXPECT_EQ(size, big.size());
      continue;
    }
    ++cut;
    EXPECT_TRUE(w.error().kind == Kind::unreachable || w.error().kind == Kind::timeout)
        << w.error().message;
    EXPECT_EQ(w.error().message.rfind(
                  "a (127.0.0.1:" + std::to_string(fleet.port("a")) + "): write " + path, 0),
              0u)
        << w.error().message;
    EXPECT_EQ(read_text(path), "previous\n");
    EXPECT_EQ(w.error().message.find("qqqq"), std::string::npos);  // never content in messages
  }
  EXPECT_GE(cut, 1) << "no attempt cut the upload in the middle";
}

TEST(SshFaults, DiskFullLeavesThePreviousFileAndNoTempFile) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string mnt = fleet.root("a") + "/small";
  SmallDisk disk(mnt, "size=64k");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a 64k tmpfs here (" << disk.why() << ")";
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  const std::string path = mnt + "/config.toml";
  ASSERT_TRUE(t->write_file(path, "previous\n", 0644, path + ".bak", false));

  const std::string huge(200 * 1024, 'x');
  auto w = t->write_file(path, huge, 0644, path + ".bak", false);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, Kind::disk_full) << w.error().message;
  EXPECT_NE(w.error().message.find("no space left"), std::string::npos) << w.error().message;
  EXPECT_EQ(read_text(path), "previous\n");
  EXPECT_TRUE(leftovers(mnt).empty());
  EXPECT_FALSE(fs::exists(path + ".bak"));  // the backup step never ran

  // It still works once there is room.
  auto ok = t->write_file(path, "next\n", 0644, path + ".bak", false);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(read_text(path), "next\n");
  EXPECT_EQ(read_text(path + ".bak"), "previous\n");
}

TEST(SshFaults, NoInodesLeftIsDiskFullToo) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string mnt = fleet.root("a") + "/tiny";
  // Room for the root directory and one file: the temp file cannot be created.
  SmallDisk disk(mnt, "size=64k,nr_inodes=2");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.why() << ")";
  std::ofstream(mnt + "/config.toml") << "previous\n";
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  auto w = t->write_file(mnt + "/config.toml", "next\n", 0644, "", false);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, Kind::disk_full) << w.error().message;
  EXPECT_EQ(read_text(mnt + "/config.toml"), "previous\n");
  EXPECT_TRUE(leftovers(mnt).empty());
}

}  // namespace
}  // namespace picket
