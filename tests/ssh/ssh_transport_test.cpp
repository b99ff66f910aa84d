// SshTransport against real sshd processes (tests/ssh/fleet.sh): exec, files, backups.

#include "deploy/ssh/ssh_connector.hpp"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
namespace fs = std::filesystem;

using test_support::connect_to;

std::uint32_t local_mode(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st.st_mode & 07777;
}

std::vector<std::string> temp_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".picket-tmp-") != std::string::npos) out.push_back(e.path());
  return out;
}

TEST(SshTransport, ExecCapturesOutputAndExitStatus) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);

  auto r = t->exec("echo out; echo err >&2; exit 3", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());

  // No trailing newline, output that looks like our marker, a comment at the end.
  r = t->exec("printf 'a__picket_rc=7'  # trailing comment", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "a__picket_rc=7");
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(r->ok());

  // Killed by a signal is a failure, never success.
  r = t->exec("kill -9 $$", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->ok());

  // Large output on both streams at once does not stall.
  r = t->exec("head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out.size(), 3000000u);
  EXPECT_EQ(r->err.size(), 3000000u);
  EXPECT_TRUE(r->ok());
}

TEST(SshTransport, CommandsShareOneShellPerConnection) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  // Every command's parent is the same long-lived shell: the login shell (and its rc files)
  // ran once for the connection.
  auto first = t->exec("echo $PPID", false);
  ASSERT_TRUE(first) << first.error().message;
  auto home = t->exec("pwd", false);
  ASSERT_TRUE(home) << home.error().message;
  for (int i = 0; i < 3; ++i) {
    auto again = t->exec("echo $PPID; cd /; export X=1", false);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->out, first->out);
  }
  // No state leaks from one command into the next, and stdin is never the protocol's.
  auto r = t->exec("printf '%s|' \"$X\"; pwd; cat", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "|" + home->out);
  EXPECT_EQ(r->err, "");

  // A command that kills the shell itself is a failure; the next command gets a new shell.
  r = t->exec("kill -9 $PPID", false);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("the remote shell ended without reporting an exit status"),
            std::string::npos)
      << r.error().message;
  r = t->exec("echo $PPID", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->out, first->out);
  EXPECT_TRUE(r->ok());
}

TEST(SshTransport, WriteAndReadRoundTripWithModes) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  const std::string dir = fleet.root("a") + "/home/cosmos/.gaia/config";  // missing parents
  const std::string path = dir + "/node_key.json";
  std::string content = "{\"priv_key\": \"secret\"}\n";
  content += std::string(200000, 'x');  // several SFTP writes
  content += std::string("\0\x01\xff", 3);

  auto w = t->write_file(path, content, 0600, path + ".picket-backup", false);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(read_text(path), content);
  EXPECT_EQ(local_mode(path), 0600u);
  EXPECT_TRUE(temp_files(dir).empty());
  EXPECT_FALSE(fs::exists(path + ".picket-backup"));  // nothing to back up

  auto r = t->read_file(path, false);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->content, content);
  EXPECT_EQ((*r)->mode, 0600u);

  // as_root on a root login (no become needed) takes the same path.
  auto w2 = t->write_file(dir + "/config.toml", "moniker = \"a\"\n", 0644, "", true);
  ASSERT_TRUE(w2) << w2.error().message;
  EXPECT_EQ(local_mode(dir + "/config.toml"), 0644u);
  auto r2 = t->read_file(dir + "/config.toml", true);
  ASSERT_TRUE(r2 && r2->has_value());
  EXPECT_EQ((*r2)->content, "moniker = \"a\"\n");
}

TEST(SshTransport, ReplaceKeepsTheBackupAndRestorePutsItBack) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  const std::string path = fleet.root("a") + "/etc/picket/app.conf";
  const std::string backup = fleet.root("a") + "/var/backups/picket/app.conf.1";
  ASSERT_TRUE(t->write_file(path, "v1\n", 0640, backup, false));
  struct stat before {};
  ::stat(path.c_str(), &before);

  // A temp file left by an earlier run that lost its connection mid-upload is cleaned up.
  const std::string stale = fs::path(path).parent_path() / ".app.conf.picket-tmp-0123456789ab";
  std::ofstream(stale) << "half";
  auto w = t->write_file(path, "v2\n", 0644, backup, false);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(read_text(path), "v2\n");
  EXPECT_EQ(local_mode(path), 0644u);
  EXPECT_EQ(read_text(backup), "v1\n");
  EXPECT_EQ(local_mode(backup), 0640u);
  struct stat after {};
  ::stat(path.c_str(), &after);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file renamed in, not rewritten in place
  EXPECT_TRUE(temp_files(fs::path(path).parent_path()).empty());

  auto r = t->restore_file(path, backup, false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(read_text(path), "v1\n");
  EXPECT_EQ(local_mode(path), 0640u);

  // Writing again after a restore (target and backup share an inode) still works.
  ASSERT_TRUE(t->write_file(path, "v3\n", 0644, backup, false));
  EXPECT_EQ(read_text(path), "v3\n");
  EXPECT_EQ(read_text(backup), "v1\n");
}

TEST(SshTransport, RestoreWithoutBackupRemovesANewFile) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  const std::string path = fleet.root("a") + "/etc/new.conf";
  const std::string backup = path + ".bak";
  // A stale backup from an earlier deploy must not come back for a file that is new now.
  fs::create_directories(fleet.root("a") + "/etc");
  std::ofstream(backup) << "stale\n";
  ASSERT_TRUE(t->write_file(path, "new\n", 0644, backup, false));
  EXPECT_FALSE(fs::exists(backup));
  auto r = t->restore_file(path, backup, false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(fs::exists(path));
}

TEST(SshTransport, MissingFileIsNullopt) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  auto r = t->read_file(fleet.root("a") + "/no/such/file", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->has_value());
}

// Symlinks at targets are replaced, never written through: tests/ssh/security_test.cpp.
TEST(SshTransport, DirectoryAtTheTargetIsNotAFile) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  fs::create_directories(fleet.root("a") + "/adir");
  auto d = t->read_file(fleet.root("a") + "/adir", false);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("not a regular file"), std::string::npos);
  auto w = t->write_file(fleet.root("a") + "/adir", "x\n", 0644, fleet.root("a") + "/adir.bak", false);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("exists and is not a regular file"), std::string::npos)
      << w.error().message;
  EXPECT_TRUE(fs::is_directory(fleet.root("a") + "/adir"));
  EXPECT_TRUE(temp_files(fleet.root("a")).empty());
}

TEST(SshTransport, PermissionErrorsAreTold) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  // Root ignores permission bits, so use a path no one can create: under a regular file.
  const std::string file = fleet.root("a") + "/plain";
  std::ofstream(file) << "x";
  auto w = t->write_file(file + "/sub/x.conf", "x", 0644, "", false);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("is not a directory"), std::string::npos) << w.error().message;
}

}  // namespace
}  // namespace picket
