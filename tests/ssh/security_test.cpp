// The security review of the SSH path (docs/security.md), proven against real sshd
// (tests/ssh/fleet.sh): host keys cannot be bypassed, nothing is written through a symlink,
// remote paths are clean, every value reaching a remote shell is quoted, secrets stay 0600.

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "deploy/firewall_guard.hpp"
#include "deploy/host_commands.hpp"
#include "tests/support/memory_transport.hpp"
#include "deploy/ssh/shell_quote.hpp"
#include "deploy/ssh/ssh_connector.hpp"
#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
using test_support::run_shell;
using Kind = TransportError::Kind;
namespace fs = std::filesystem;

using test_support::write_text;

std::string kh_line(const Fleet& f, const std::string& host, const std::string& key) {
  return "[127.0.0.1]:" + std::to_string(f.port(host)) + " " + key + "\n";
}

std::string fingerprint(const Fleet& f, const std::string& host) {
  std::string out;
  run_shell("ssh-keygen -l -E sha256 -f " + f.dir() + "/" + host + "/ssh_host_ed25519_key.pub", &out);
  const auto b = out.find("SHA256:");
  return out.substr(b, out.find(' ', b) - b);
}

std::uint32_t lmode(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Every entry below `dir` (relative names), for "nothing was written" checks.
std::set<std::string> tree(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec))
    out.insert(fs::relative(it->path(), dir).string());
  return out;
}

// ---------------------------------------------------------------------------------------
// Host keys

struct SecurityHostKeys : ::testing::Test {
  Fleet fleet{{"a", "b"}};
  void SetUp() override { ASSERT_TRUE(fleet.ok()) << fleet.error(); }
  static Result<std::unique_ptr<Transport>> connect(const Host& h, const Inventory& inv,
                                                    const ConnectOptions& o) {
    return SshConnector().connect(h, inv, o);
  }
};

// Whatever known_hosts holds (missing, empty, garbage, the key under another name), an
// unknown host is refused without --accept-new; unparsable files and a changed or revoked key
// are refused with it too. Nothing is recorded then, and a refusal names the SHA256.
TEST_F(SecurityHostKeys, KnownHostsEdgesNeverLetAKeyIn) {
  const std::string a_key = fleet.host_key("a");
  const std::string b_key = fleet.host_key("b");
  const std::string fp = fingerprint(fleet, "a");
  struct Case {
    std::string name;
    std::optional<std::string> file;  // nullopt: no file
    Kind without, with;               // refusal kind without / with accept_new (failed = parse)
    bool accepted_with_new;           // accept_new records the key and connects
  };
  const std::vector<Case> cases = {
      {"missing", std::nullopt, Kind::host_key_unknown, Kind::host_key_unknown, true},
      {"empty", "", Kind::host_key_unknown, Kind::host_key_unknown, true},
      {"comment only", "# nothing\n\n", Kind::host_key_unknown, Kind::host_key_unknown, true},
      {"garbage", std::string("\x01\x02 not a line\xff\n"), Kind::failed, Kind::failed, false},
      {"bare address, no port (OpenSSH would not use it for this port)", "127.0.0.1 " + a_key + "\n",
       Kind::host_key_unknown, Kind::host_key_unknown, true},
      {"another port", "[127.0.0.1]:1 " + a_key + "\n", Kind::host_key_unknown,
       Kind::host_key_unknown, true},
      {"changed", kh_line(fleet, "a", b_key), Kind::host_key_changed, Kind::host_key_changed, false},
      {"changed, the right key listed under another name too",
       "127.0.0.1 " + a_key + "\n" + kh_line(fleet, "a", b_key), Kind::host_key_changed,
       Kind::host_key_changed, false},
      {"revoked", "@revoked * " + a_key + "\n" + kh_line(fleet, "a", a_key), Kind::host_key_changed,
       Kind::host_key_changed, false},
  };
  for (const Case& c : cases) {
    for (const bool accept_new : {false, true}) {
      SCOPED_TRACE(c.name + (accept_new ? " (--accept-new)" : ""));
      auto o = fleet.options();
      o.known_hosts = fleet.dir() + "/kh-test";
      fs::remove(o.known_hosts);
      if (c.file) write_text(o.known_hosts, *c.file);
      o.accept_new = accept_new;
      auto t = connect(fleet.host("a"), fleet.inventory(), o);
      if (accept_new && c.accepted_with_new) {
        ASSERT_TRUE(t) << t.error().message;
        EXPECT_EQ(read_text(o.known_hosts), c.file.value_or("") + kh_line(fleet, "a", a_key));
        continue;
      }
      ASSERT_FALSE(t);
      EXPECT_EQ(t.error().kind, accept_new ? c.with : c.without) << t.error().message;
      if (t.error().kind != Kind::failed)
        EXPECT_NE(t.error().message.find(fp), std::string::npos) << t.error().message;
      else
        EXPECT_NE(t.error().message.find("cannot parse known_hosts"), std::string::npos)
            << t.error().message;
      EXPECT_EQ(fs::exists(o.known_hosts), c.file.has_value());
      if (c.file) {
        EXPECT_EQ(read_text(o.known_hosts), *c.file);  // nothing recorded
      }
    }
  }
}

// A pinned host_key wins over known_hosts (which may even be garbage); any other form than
// the host's own key is refused, with accept_new too.
TEST_F(SecurityHostKeys, PinnedKeyWinsAndEveryWrongFormIsRefused) {
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/kh-garbage";
  write_text(o.known_hosts, "garbage\n");
  o.accept_new = true;
  Host a = fleet.host("a");
  a.host_key = Located<std::string>{fleet.host_key("a") + " a comment", {}};
  auto ok = connect(a, fleet.inventory(), o);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(read_text(o.known_hosts), "garbage\n");

  // known_hosts lists the right key, the pin is wrong: the pin decides.
  o.known_hosts = fleet.known_hosts();
  const std::string b_blob = fleet.host_key("b").substr(fleet.host_key("b").find(' ') + 1);
  const std::string a_blob = fleet.host_key("a").substr(fleet.host_key("a").find(' ') + 1);
  const std::vector<std::string> wrong = {
      fleet.host_key("b"),                  // another host's key
      "ssh-rsa " + a_blob,                  // the right blob under another type
      "ecdsa-sha2-nistp256 " + a_blob,      // the same
      "ssh-ed25519 " + a_blob.substr(0, 20),  // truncated
      "ssh-ed25519",                        // no key
      "ssh-ed25519 !!!not-base64!!!",       // not base64
      "",                                   // empty
      "ssh-ed25519  " + b_blob,             // double space
  };
  for (const std::string& pin : wrong) {
    SCOPED_TRACE(pin);
    a.host_key->value = pin;
    auto t = connect(a, fleet.inventory(), o);
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().kind, Kind::refused);
    EXPECT_NE(t.error().message.find("host_key"), std::string::npos) << t.error().message;
  }
  // The mismatch message shows the host's SHA256 fingerprint.
  a.host_key->value = fleet.host_key("b");
  auto t = connect(a, fleet.inventory(), o);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, Kind::host_key_changed);
  EXPECT_NE(t.error().message.find("ssh-ed25519 " + fingerprint(fleet, "a")), std::string::npos)
      << t.error().message;
  // And the pinned key's, as `ssh-keygen -l` prints it.
  EXPECT_NE(t.error().message.find("pins ssh-ed25519 " + fingerprint(fleet, "b")), std::string::npos)
      << t.error().message;
}

// One sshd listed twice in the inventory under two names with different pinned keys: the
// name with the wrong key is refused, the other connects.
TEST_F(SecurityHostKeys, SameHostUnderTwoNamesIsCheckedPerName) {
  Inventory inv = fleet.inventory();
  Host twin = fleet.host("a");
  twin.name.value = "a-twin";
  twin.host_key = Located<std::string>{fleet.host_key("b"), {}};
  inv.hosts[0].host_key = Located<std::string>{fleet.host_key("a"), {}};
  inv.hosts.push_back(twin);
  inv.index_hosts();
  auto o = fleet.options();
  o.accept_new = true;
  auto good = connect(*inv.find_host("a"), inv, o);
  ASSERT_TRUE(good) << good.error().message;
  auto bad = connect(*inv.find_host("a-twin"), inv, o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, Kind::host_key_changed);
  EXPECT_EQ(bad.error().message.rfind("host key of a-twin (127.0.0.1:" + std::to_string(fleet.port("a")) +
                                          ") does not match its pinned host_key",
                                      0),
            0u)
      << bad.error().message;
}

// The jump host's key is checked like any host's: changed (even with accept_new), unknown
// (without accept_new) or wrongly pinned, the connection stops there.
TEST_F(SecurityHostKeys, JumpHostKeyIsCheckedToo) {
  Inventory inv = fleet.inventory();
  inv.hosts[1].jump = Located<std::string>{"a", {}};  // b via a
  inv.index_hosts();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/kh-jump";
  const std::string b_line = kh_line(fleet, "b", fleet.host_key("b"));

  write_text(o.known_hosts, kh_line(fleet, "a", fleet.host_key("b")) + b_line);  // a changed
  for (const bool accept_new : {false, true}) {
    o.accept_new = accept_new;
    auto t = connect(*inv.find_host("b"), inv, o);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().kind, Kind::host_key_changed);
    EXPECT_NE(t.error().message.find(fingerprint(fleet, "a")), std::string::npos);
    EXPECT_EQ(t.error().message.substr(t.error().message.size() - 18), " (jump host for b)");
  }
  write_text(o.known_hosts, b_line);  // a unknown
  o.accept_new = false;
  auto unknown = connect(*inv.find_host("b"), inv, o);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, Kind::host_key_unknown);
  EXPECT_EQ(read_text(o.known_hosts), b_line);

  write_text(o.known_hosts, kh_line(fleet, "a", fleet.host_key("a")) + b_line);
  inv.hosts[0].host_key = Located<std::string>{fleet.host_key("b"), {}};  // a pinned wrong
  inv.index_hosts();
  o.accept_new = true;
  auto pinned = connect(*inv.find_host("b"), inv, o);
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error().kind, Kind::host_key_changed);
  EXPECT_NE(pinned.error().message.find("pinned host_key"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Remote paths and symlinks

struct SecurityRemoteFiles : ::testing::Test {
  Fleet fleet{{"a"}};
  std::unique_ptr<Transport> t;
  std::string root, outside, victim;
  void SetUp() override {
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    auto c = SshConnector().connect(fleet.host("a"), fleet.inventory(), fleet.options());
    ASSERT_TRUE(c) << c.error().message;
    t = std::move(*c);
    root = fleet.root("a");
    outside = fleet.dir() + "/outside";
    fs::create_directories(outside);
    victim = outside + "/passwd";
    write_text(victim, "root:x:0:0\n");
    ::chmod(victim.c_str(), 0644);
  }
  std::string prefix() const { return "a (127.0.0.1:" + std::to_string(fleet.port("a")) + "): "; }
};

TEST_F(SecurityRemoteFiles, UncleanPathsAreRefusedBeforeAnythingHappens) {
  const std::string bad_suffix =
      ": not an absolute, normalised path (no \".\", \"..\" or empty segments, no control "
      "characters)";
  const std::vector<std::string> bad = {
      root + "/../outside/passwd", root + "//x", root + "/./x", root + "/x/.", root + "/x/..",
      "relative/x", "", "/", root + "/x/", root + "/a\nb", root + std::string("/a\0b", 4),
      root + "/a\tb", root + "/a\x7f" "b"};
  for (const std::string& p : bad) {
    SCOPED_TRACE(p);
    auto w = t->write_file(p, "x", 0600, "", false);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().message, prefix() + "write " + p + bad_suffix);
    auto r = t->read_file(p, false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, prefix() + "read " + p + bad_suffix);
    auto l = t->lock(p, {"me", "now"});
    ASSERT_FALSE(l);
    if (p.empty()) continue;  // "" as a backup path means "no backup"
    auto b = t->write_file(root + "/ok", "x", 0600, p, false);  // a bad backup path
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().message, prefix() + "write " + root + "/ok" + bad_suffix);
  }
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");
  EXPECT_TRUE(tree(root).empty());
}

// A symlink at the target is replaced by the regular file; its target is never opened; the
// link itself is the backup and a restore puts the link back.
TEST_F(SecurityRemoteFiles, SymlinkAtTheTargetIsReplacedNeverWrittenThrough) {
  const std::string dst = root + "/node_key.json";
  fs::create_symlink(victim, dst);
  auto r = t->read_file(dst, false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->has_value());  // no file of ours there

  auto w = t->write_file(dst, "{\"secret\":1}\n", 0600, dst + ".picket-bak", false);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_FALSE(fs::is_symlink(dst));
  EXPECT_EQ(read_text(dst), "{\"secret\":1}\n");
  EXPECT_EQ(lmode(dst), 0600u);
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");
  EXPECT_EQ(lmode(victim), 0644u);
  ASSERT_TRUE(fs::is_symlink(dst + ".picket-bak"));
  EXPECT_EQ(fs::read_symlink(dst + ".picket-bak"), victim);

  auto back = t->restore_file(dst, dst + ".picket-bak", false);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(fs::is_symlink(dst));
  EXPECT_EQ(fs::read_symlink(dst), victim);
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");

  // A dangling link is replaced the same way.
  const std::string dangling = root + "/config.toml";
  fs::create_symlink(outside + "/does-not-exist", dangling);
  ASSERT_TRUE(t->write_file(dangling, "a = 1\n", 0644, dangling + ".picket-bak", false));
  EXPECT_FALSE(fs::is_symlink(dangling));
  EXPECT_FALSE(fs::exists(outside + "/does-not-exist"));
  // A link to a directory: not moved into it.
  const std::string dirlink = root + "/wg.conf";
  fs::create_symlink(outside, dirlink);
  ASSERT_TRUE(t->write_file(dirlink, "k\n", 0600, dirlink + ".picket-bak", false));
  EXPECT_FALSE(fs::is_symlink(dirlink));
  EXPECT_EQ(tree(outside), std::set<std::string>{"passwd"});
}

// A symlinked directory holding the target is refused before anything is uploaded into it.
TEST_F(SecurityRemoteFiles, SymlinkedParentDirectoryIsRefused) {
  fs::create_symlink(outside, root + "/config");
  const std::string dst = root + "/config/passwd";
  auto w = t->write_file(dst, "evil\n", 0600, dst + ".picket-bak", false);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message,
            prefix() + "write " + dst + ": the directory " + root +
                "/config is a symlink; picket never writes through a symlinked directory (make "
                "it a real directory or point the inventory at the target)");
  EXPECT_EQ(tree(outside), std::set<std::string>{"passwd"});
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");
  auto restore = t->restore_file(dst, dst + ".picket-bak", false);
  ASSERT_FALSE(restore);
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");
}

// Links planted at the backup name and at temp-file names are replaced or removed; their
// targets stay as they were. The secret's backup keeps mode 0600.
TEST_F(SecurityRemoteFiles, LinksAtBackupAndTempNamesAreNeverFollowed) {
  const std::string dst = root + "/node_key.json";
  ASSERT_TRUE(t->write_file(dst, "old secret\n", 0600, "", false));
  fs::create_symlink(victim, dst + ".picket-bak");
  const std::string planted_tmp = root + "/.node_key.json.picket-tmp-000000000000";
  fs::create_symlink(victim, planted_tmp);
  auto w = t->write_file(dst, "new secret\n", 0600, dst + ".picket-bak", false);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(read_text(dst), "new secret\n");
  EXPECT_FALSE(fs::is_symlink(dst + ".picket-bak"));
  EXPECT_EQ(read_text(dst + ".picket-bak"), "old secret\n");
  EXPECT_EQ(lmode(dst + ".picket-bak"), 0600u);
  EXPECT_FALSE(fs::exists(fs::symlink_status(planted_tmp)));
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");

  // A link at the lock's name: refused, not followed, not taken for a free lock.
  fs::create_directories(root + "/var/lib/picket");
  fs::create_symlink(victim, root + "/var/lib/picket/deploy.lock");
  auto l = t->lock(root + "/var/lib/picket/deploy.lock", {"me", "now"});
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().message, prefix() + "take the deploy lock " + root + "/var/lib/picket/deploy.lock: " +
                                   root + "/var/lib/picket/deploy.lock is a symlink; remove it (picket "
                                   "never follows one)");
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");

  // The firewall guard's temp name: a link planted there is replaced, not written through.
  const std::string nft = root + "/picket.nft";
  ASSERT_TRUE(t->write_file(nft, "new rules\n", 0644, "", false));
  write_text(nft + ".picket-bak", "old rules\n");
  fs::create_symlink(victim, nft + ".picket-guard");
  auto armed = t->exec(guard_arm_command(nft, nft + ".picket-bak", "true", 0), false);
  ASSERT_TRUE(armed && armed->ok());
  for (int i = 0; i < 200 && read_text(nft) != "old rules\n"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_EQ(read_text(nft), "old rules\n");
  EXPECT_FALSE(fs::is_symlink(nft));
  EXPECT_EQ(read_text(victim), "root:x:0:0\n");
}

// The temp file of an upload is 0600 from its creation: watched during a large upload, it
// never shows another mode, whatever the final mode is; the local umask plays no part.
TEST_F(SecurityRemoteFiles, TempFileIsCreated0600BeforeAnyByte) {
  const mode_t old_umask = ::umask(0);
  const std::string dst = root + "/big.conf";
  const std::string content(48u * 1024u * 1024u, 's');
  std::atomic<bool> done{false};
  std::set<std::uint32_t> seen;
  std::size_t seen_with_bytes = 0;
  std::thread watcher([&] {
    while (!done) {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(root, ec)) {
        if (e.path().filename().string().find(".picket-tmp-") == std::string::npos) continue;
        struct stat st {};
        if (::lstat(e.path().c_str(), &st) != 0) continue;
        seen.insert(st.st_mode & 07777);
        if (st.st_size > 0) ++seen_with_bytes;
      }
    }
  });
  auto w = t->write_file(dst, content, 0644, "", false);
  done = true;
  watcher.join();
  ::umask(old_umask);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(lmode(dst), 0644u);
  // The final chmod happens on the open handle right before close: a look may catch 0644
  // only after every byte is written and synced.
  EXPECT_TRUE(seen.count(0600u)) << "the watcher never saw the temp file";
  for (const std::uint32_t m : seen) EXPECT_TRUE(m == 0600u || m == 0644u) << std::oct << m;
  EXPECT_GT(seen_with_bytes, 0u);
}

// ---------------------------------------------------------------------------------------
// Quoting: hostile values reach the real remote shell as data

const std::string k_hostile =
    " sp 'sq' \"dq\" back\\slash $(touch CANARY) `touch CANARY` ; touch CANARY & | > < * ? ~ "
    "$HOME ${IFS} !! # -rf ünï ☃";

struct SecurityQuoting : SecurityRemoteFiles {
  std::string canary() const { return fleet.dir() + "/pwned"; }
  // The hostile text with the canary's path (a file no command of ours would create).
  std::string hostile() const { return std::regex_replace(k_hostile, std::regex("CANARY"), canary()); }
  void TearDown() override {
    EXPECT_FALSE(fs::exists(canary())) << "an injected command ran";
    EXPECT_FALSE(fs::exists(root + "/pwned"));
  }
};

TEST_F(SecurityQuoting, HostileDirectoryAndFileNamesRoundTrip) {
  // Leading dashes, every shell metacharacter, unicode: as directory and file names.
  const std::string dir = root + "/-n" + "/" + hostile();
  const std::string dst = dir + "/-rf 'x' \"y\" $(touch " + canary() + ").toml";
  auto w = t->write_file(dst, "v1\n", 0640, dst + ".picket-bak", false);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(read_text(dst), "v1\n");
  EXPECT_EQ(lmode(dst), 0640u);
  ASSERT_TRUE(t->write_file(dst, "v2\n", 0640, dst + ".picket-bak", false));
  EXPECT_EQ(read_text(dst + ".picket-bak"), "v1\n");
  auto r = t->read_file(dst, false);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->content, "v2\n");
  ASSERT_TRUE(t->restore_file(dst, dst + ".picket-bak", false));
  EXPECT_EQ(read_text(dst), "v1\n");
  const std::string lock = dir + "/deploy.lock";
  ASSERT_TRUE(t->lock(lock, {hostile(), hostile()}));
  auto held = t->read_lock(lock);
  ASSERT_TRUE(held && held->has_value());
  EXPECT_EQ((*held)->owner, hostile());
  ASSERT_TRUE(t->unlock(lock));
  EXPECT_FALSE(fs::exists(lock));
}

// {file} in the host's reload commands and `service` in the default restart/check commands
// arrive as exactly one argument each.
TEST_F(SecurityQuoting, FilePlaceholderAndServiceNamesAreOneArgument) {
  const std::string out = fleet.dir() + "/argv";
  const std::string capture = "printf '[%s]\\n' \"$@\" > " + shell_quote(out);
  Host h = fleet.host("a");
  const std::string path = root + "/" + hostile() + "\nline two";
  h.reload_firewall = Located<std::string>{"set -- {file}; " + capture, {}};
  auto r = t->exec(reload_firewall_command(h, path), false);
  ASSERT_TRUE(r && r->ok()) << (r ? r->err : r.error().message);
  EXPECT_EQ(read_text(out), "[" + path + "]\n");

  for (const std::string& service : {hostile(), std::string("-a\nb"), std::string("")}) {
    h.service = Located<std::string>{service, {}};
    // A stand-in for systemctl records its arguments.
    const std::string fake = "systemctl() { " + capture + "; }; ";
    ASSERT_TRUE(t->exec(fake + *restart_command(h), false));
    EXPECT_EQ(read_text(out), "[restart]\n[" + service + "]\n");
    ASSERT_TRUE(t->exec(fake + *check_command(h), false));
    EXPECT_EQ(read_text(out), "[is-active]\n[--quiet]\n[" + service + "]\n");
  }
}

// shell_quote is the single quoting point: hostile bytes survive `sh -c` over SSH exactly.
TEST_F(SecurityQuoting, ShellQuoteSurvivesTheRemoteShell) {
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  for (const std::string& v : {hostile(), all, std::string("'"), std::string("''\\'"),
                               std::string("-"), std::string("--help")}) {
    auto r = t->exec("printf '%s' " + shell_quote(v), false);
    ASSERT_TRUE(r && r->ok());
    EXPECT_EQ(r->out, v);
  }
}

// ---------------------------------------------------------------------------------------
// The CLI end to end: examples/minimal on five real sshd, as a user runs it.

std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const std::vector<std::string> k_hosts = {"node-a", "node-b", "node-c", "node-d", "node-e"};

struct SecurityCli : ::testing::Test {
  Fleet fleet{k_hosts};
  std::string net = fleet.dir() + "/net";
  std::string rpc_dir = fleet.dir() + "/rpc";
  std::unique_ptr<test_support::HttpServer> rpc;
  std::string canary() const { return fleet.dir() + "/pwned"; }
  // A root: below each host's sandbox and a node home, both full of shell syntax.
  std::string sub() const {
    return "/-n 'q' \"dq\" \\ $(touch " + canary() + ") `touch " + canary() + "` ; touch " + canary() +
           " ünï";
  }
  std::string home() const { return "/home/co smos/$(touch " + canary() + ")/'.g\"a;ia"; }
  std::string root(const std::string& h) const { return fleet.root(h) + sub(); }

  void SetUp() override {
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    fs::create_directories(net);
    fs::create_directories(rpc_dir);
    write_text(rpc_dir + "/status", status_body(false));
    write_text(rpc_dir + "/net_info", net_info_body(2));
    rpc = std::make_unique<test_support::HttpServer>(rpc_dir, test_support::free_port());
    ASSERT_TRUE(rpc->up());
    write_text(net + "/topology.yaml", test_support::minimal_topology_with_rpc(rpc->port()));
    std::string inventory = "defaults: {home: " + yaml_quote(home()) +
                            ", check: \"true\", reload_firewall: \"cp {file} {file}.loaded\", "
                            "reload_vpn: \"true\"}\nhosts:\n";
    for (const std::string& h : k_hosts) {
      const Host host = fleet.host(h);
      inventory += "  " + h + ": {address: 127.0.0.1, port: " + std::to_string(host.port.value) +
                   ", user: " + host.user->value + ", identity: " + host.identity->value +
                   ", root: " + yaml_quote(root(h)) + ", restart: \"echo " + h + " >> " +
                   shell_quote(fleet.dir() + "/restarts") + "\"}\n";
    }
    write_text(net + "/inventory.yaml", inventory);
  }
  void TearDown() override { EXPECT_FALSE(fs::exists(canary())) << "an injected command ran"; }

  int picket(const std::string& args, std::string* out, const std::string& env = "") const {
    return run_shell(env + " " + shell_quote(PICKET_BINARY) + " " + args + " </dev/null", out);
  }
  std::string inputs(const std::string& known_hosts) const {
    return shell_quote(net + "/topology.yaml") + " --inventory " + shell_quote(net + "/inventory.yaml") +
           " --known-hosts " + shell_quote(known_hosts) + " --timeout 30";
  }
};

// A changed host key stops plan and deploy whatever the flags; nothing is written on any
// host (no lock, no file, no temp file) and the refusal shows the SHA256 fingerprint.
TEST_F(SecurityCli, ChangedOrUnknownKeyStopsEveryFlagCombination) {
  std::string out;
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                       shell_quote(net + "/inventory.yaml"),
                   &out),
            0)
      << out;
  const std::string kh = net + "/known_hosts";
  std::string lines = read_text(fleet.known_hosts());
  // node-a's lines carry node-b's key.
  const std::string a_name = "[127.0.0.1]:" + std::to_string(fleet.port("node-a")) + " ";
  lines = std::regex_replace(lines, std::regex(std::regex_replace(a_name, std::regex("[\\[\\].]"), "\\$&") + ".*\n"), "");
  lines += a_name + fleet.host_key("node-b") + "\n";
  write_text(kh, lines);
  // A HOME whose own known_hosts trusts node-a does not matter: --known-hosts is the file.
  const std::string home_dir = fleet.dir() + "/home";
  fs::create_directories(home_dir + "/.ssh");
  write_text(home_dir + "/.ssh/known_hosts", read_text(fleet.known_hosts()));
  const std::string env = "HOME=" + shell_quote(home_dir) + " SSH_AUTH_SOCK= ";
  const std::string fp = fingerprint(fleet, "node-a");
  const std::vector<std::string> runs = {
      "plan " + inputs(kh),
      "plan " + inputs(kh) + " --accept-new --detailed-exitcode --format json --out " +
          shell_quote(net + "/plan.json") + " --parallel 1",
      "deploy " + inputs(kh) + " --yes",
      "deploy " + inputs(kh) + " --yes --accept-new --force-unlock --no-restart --parallel 1 "
                               "--health-timeout 1",
  };
  for (const std::string& args : runs) {
    SCOPED_TRACE(args);
    const int rc = picket(args, &out, env);
    EXPECT_NE(rc, 0) << out;
    EXPECT_NE(rc, 2) << out;
    EXPECT_NE(out.find("host key of node-a (127.0.0.1:" + std::to_string(fleet.port("node-a")) +
                       ") CHANGED: it now offers ssh-ed25519 " + fp),
              std::string::npos)
        << out;
    EXPECT_EQ(read_text(kh), lines);
    for (const std::string& h : k_hosts) EXPECT_EQ(tree(fleet.root(h)), std::set<std::string>{}) << h;
  }
  EXPECT_FALSE(fs::exists(net + "/plan.json"));

  // Unknown (an empty known_hosts): refused without --accept-new, nothing written.
  write_text(kh, "");
  EXPECT_EQ(picket("deploy " + inputs(kh) + " --yes --force-unlock", &out, env), 1) << out;
  EXPECT_NE(out.find("is unknown: ssh-ed25519 " + fp + " is not in " + kh), std::string::npos) << out;
  EXPECT_EQ(read_text(kh), "");
  for (const std::string& h : k_hosts) EXPECT_EQ(tree(fleet.root(h)), std::set<std::string>{}) << h;

  // --accept-new records them and says which keys it trusted, with their fingerprints
  // (issue 10, item 14).
  EXPECT_EQ(picket("plan " + inputs(kh) + " --accept-new", &out, env), 0) << out;
  for (const std::string& h : k_hosts)
    EXPECT_NE(out.find("picket: recorded the host key of " + h + " (127.0.0.1:" +
                       std::to_string(fleet.port(h)) + "): ssh-ed25519 " + fingerprint(fleet, h) +
                       " in " + kh + "\n"),
              std::string::npos)
        << h << "\n" << out;
}

// With umask 000 and a root:/home full of shell syntax: keys, render, plan and deploy work;
// every secret stays 0600 (secrets store, render output, host, backup on the host); the plan
// file, the deploy log and the output hold no secret byte; no injected command runs.
TEST_F(SecurityCli, HostileNamesAndUmask000) {
  std::string out;
  const std::string env = "umask 000;";
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                       shell_quote(net + "/inventory.yaml"),
                   &out, env),
            0)
      << out;
  std::vector<std::string> secrets;
  for (const auto& e : fs::recursive_directory_iterator(net + "/.picket/secrets")) {
    if (e.is_directory()) {
      EXPECT_EQ(lmode(e.path()), 0700u) << e.path();
    } else if (e.path().filename() != ".gitignore") {
      EXPECT_EQ(lmode(e.path()), 0600u) << e.path();
      const std::string key = read_text(e.path());
      const auto value = key.find("\"value\":\"");
      secrets.push_back(value == std::string::npos ? key.substr(0, 40) : key.substr(value + 9, 40));
    }
  }
  EXPECT_EQ(lmode(net + "/.picket/secrets"), 0700u);
  ASSERT_FALSE(secrets.empty());

  ASSERT_EQ(picket("render " + shell_quote(net + "/topology.yaml") + " --inventory " +
                       shell_quote(net + "/inventory.yaml") + " --out " + shell_quote(net + "/out"),
                   &out, env),
            0)
      << out;
  int rendered_secrets = 0;
  for (const auto& e : fs::recursive_directory_iterator(net + "/out")) {
    if (e.path().filename() == "node_key.json") {
      ++rendered_secrets;
      EXPECT_EQ(lmode(e.path()), 0600u) << e.path();
    }
  }
  EXPECT_EQ(rendered_secrets, 5);

  std::string plan_out;
  ASSERT_EQ(picket("plan " + inputs(fleet.known_hosts()) + " --out " + shell_quote(net + "/plan.json"),
                   &plan_out, env),
            0)
      << plan_out;
  std::string deploy_out;
  ASSERT_EQ(picket("deploy " + inputs(fleet.known_hosts()) + " --yes --health-timeout 10 --plan " +
                       shell_quote(net + "/plan.json"),
                   &deploy_out, env),
            0)
      << deploy_out;
  EXPECT_EQ(read_text(fleet.dir() + "/restarts"), "node-d\nnode-e\nnode-b\nnode-c\nnode-a\n");
  for (const std::string& h : k_hosts) {
    SCOPED_TRACE(h);
    const std::string key = root(h) + home() + "/config/node_key.json";
    ASSERT_TRUE(fs::is_regular_file(key));
    EXPECT_EQ(lmode(key), 0600u);
    EXPECT_TRUE(fs::is_regular_file(root(h) + home() + "/config/config.toml"));
    EXPECT_TRUE(fs::is_regular_file(root(h) + "/etc/nftables.d/picket.nft.loaded"));
    for (const auto& e : fs::recursive_directory_iterator(fleet.root(h)))
      EXPECT_EQ(e.path().filename().string().find(".picket-tmp-"), std::string::npos) << e.path();
  }
  const std::string log = read_text(net + "/.picket/deploy.log");
  const std::string plan_file = read_text(net + "/plan.json");
  const std::string& plan_shown = plan_out;
  const std::string& deploy_shown = deploy_out;
  ASSERT_FALSE(log.empty());
  ASSERT_FALSE(plan_file.empty());
  for (const std::string& secret : secrets)
    for (const std::string* text : {&plan_shown, &deploy_shown, &log, &plan_file})
      EXPECT_EQ(text->find(secret), std::string::npos);

  // A changed secret on the host: the next deploy keeps the previous one as a 0600 backup.
  const std::string key = root("node-b") + home() + "/config/node_key.json";
  write_text(key, "{\"tampered\": true}\n");
  ASSERT_EQ(picket("deploy " + inputs(fleet.known_hosts()) + " --yes --health-timeout 10", &deploy_out, env), 0)
      << deploy_out;
  EXPECT_EQ(read_text(key + ".picket-bak"), "{\"tampered\": true}\n");
  EXPECT_EQ(lmode(key + ".picket-bak"), 0600u);
  EXPECT_EQ(lmode(key), 0600u);
  EXPECT_EQ(deploy_out.find("tampered"), std::string::npos);
}

}  // namespace
}  // namespace picket
