// SshConnector against real sshd: host keys (known_hosts, pinned, accept-new, changed),
// authentication, jump hosts, connection errors, several threads at once.

#include "deploy/ssh/ssh_connector.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
using test_support::run_shell;
using Kind = TransportError::Kind;

std::string label(const Fleet& f, const std::string& host) {
  return host + " (127.0.0.1:" + std::to_string(f.port(host)) + ")";
}

// The SHA256 fingerprint OpenSSH prints for a host's key.
std::string openssh_fingerprint(const Fleet& f, const std::string& host, const std::string& type) {
  std::string out;
  run_shell("ssh-keygen -l -E sha256 -f " + f.dir() + "/" + host + "/ssh_host_" + type + "_key.pub", &out);
  const auto b = out.find("SHA256:");
  return out.substr(b, out.find(' ', b) - b);
}

using test_support::write_text;

std::string kh_line(const Fleet& f, const std::string& host, const std::string& key) {
  return "[127.0.0.1]:" + std::to_string(f.port(host)) + " " + key + "\n";
}

Result<std::unique_ptr<Transport>> connect(const Fleet& f, const Host& h, const ConnectOptions& o) {
  return SshConnector().connect(h, f.inventory(), o);
}

TEST(SshConnector, ConnectsWithTheFleetKnownHostsAndRunsACommand) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect(fleet, fleet.host("a"), fleet.options());
  ASSERT_TRUE(t) << t.error().message;
  auto r = (*t)->exec("echo hello from $(whoami)", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "hello from root\n");
}

TEST(SshConnector, UnknownHostKeyIsRefusedWithItsFingerprint) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/empty_known_hosts";
  write_text(o.known_hosts, "# nothing yet\n");
  auto t = connect(fleet, fleet.host("a"), o);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, Kind::host_key_unknown);
  EXPECT_EQ(t.error().message,
            "host key of " + label(fleet, "a") + " is unknown: ssh-ed25519 " +
                openssh_fingerprint(fleet, "a", "ed25519") + " is not in " + o.known_hosts +
                ": refusing; check the fingerprint, then re-run with --accept-new to record it");
  EXPECT_EQ(read_text(o.known_hosts), "# nothing yet\n");  // not recorded
}

TEST(SshConnector, AcceptNewRecordsTheKeyAndTrustsItNextTime) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/sub/known_hosts";  // the directory does not exist yet
  o.accept_new = true;
  auto t = connect(fleet, fleet.host("a"), o);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(read_text(o.known_hosts), kh_line(fleet, "a", fleet.host_key("a", "ed25519")));
  // OpenSSH reads what we wrote.
  std::string out;
  EXPECT_EQ(run_shell("ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" +
                          o.known_hosts + " -i " + fleet.identity() + " -p " +
                          std::to_string(fleet.port("a")) + " root@127.0.0.1 true",
                      &out),
            0)
      << out;
  o.accept_new = false;
  auto again = connect(fleet, fleet.host("a"), o);
  ASSERT_TRUE(again) << again.error().message;
}

TEST(SshConnector, ChangedHostKeyIsAlwaysRefused) {
  Fleet fleet({"a", "b"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/wrong_known_hosts";
  write_text(o.known_hosts, kh_line(fleet, "a", fleet.host_key("b", "ed25519")));  // b's key for a
  for (bool accept_new : {false, true}) {
    o.accept_new = accept_new;
    auto t = connect(fleet, fleet.host("a"), o);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().kind, Kind::host_key_changed);
    const std::string name = "[127.0.0.1]:" + std::to_string(fleet.port("a"));
    EXPECT_EQ(t.error().message,
              "host key of " + label(fleet, "a") + " CHANGED: it now offers ssh-ed25519 " +
                  openssh_fingerprint(fleet, "a", "ed25519") + ", which differs from " + name +
                  " in " + o.known_hosts +
                  ": refusing; if the host was reinstalled, remove its line from " + o.known_hosts +
                  " (ssh-keygen -R '" + name + "' -f " + o.known_hosts + ")");
  }
  EXPECT_EQ(read_text(o.known_hosts), kh_line(fleet, "a", fleet.host_key("b", "ed25519")));
}

TEST(SshConnector, KnownWithOnlyOneKeyTypeOrHashedWorks) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/one_type";
  // libssh2 1.10 alone would pick ECDSA and call an ed25519-only host unknown.
  write_text(o.known_hosts, kh_line(fleet, "a", fleet.host_key("a", "ed25519")));
  auto ed = connect(fleet, fleet.host("a"), o);
  EXPECT_TRUE(ed) << ed.error().message;
  write_text(o.known_hosts, kh_line(fleet, "a", fleet.host_key("a", "ecdsa")));
  auto ec = connect(fleet, fleet.host("a"), o);
  EXPECT_TRUE(ec) << ec.error().message;
  // Hashed names (HashKnownHosts yes).
  write_text(o.known_hosts, kh_line(fleet, "a", fleet.host_key("a", "ed25519")));
  ASSERT_EQ(run_shell("ssh-keygen -H -f " + o.known_hosts), 0);
  ASSERT_EQ(read_text(o.known_hosts).rfind("|1|", 0), 0u);
  auto hashed = connect(fleet, fleet.host("a"), o);
  EXPECT_TRUE(hashed) << hashed.error().message;
  // A bare "127.0.0.1" entry does not vouch for port != 22 (OpenSSH agrees).
  write_text(o.known_hosts, "127.0.0.1 " + fleet.host_key("a", "ed25519") + "\n");
  auto bare = connect(fleet, fleet.host("a"), o);
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().kind, Kind::host_key_unknown);
}

TEST(SshConnector, HostWithoutAnyKnownKeyTypeIsAChangedKey) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/other_type";
  std::string key;
  ASSERT_EQ(run_shell("ssh-keygen -q -t ecdsa -b 521 -N '' -f " + fleet.dir() + "/k521"), 0);
  key = read_text(fleet.dir() + "/k521.pub");
  key = key.substr(0, key.rfind(' '));
  write_text(o.known_hosts, kh_line(fleet, "a", key));
  auto t = connect(fleet, fleet.host("a"), o);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, Kind::host_key_changed) << t.error().message;
  EXPECT_NE(t.error().message.find("CHANGED"), std::string::npos);
}

TEST(SshConnector, UnparsableKnownHostsIsAnError) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/broken";
  write_text(o.known_hosts, "a-host-without-a-key\n" +
                                kh_line(fleet, "a", fleet.host_key("a", "ed25519")));
  auto t = connect(fleet, fleet.host("a"), o);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, Kind::failed);
  EXPECT_NE(t.error().message.find("cannot parse known_hosts " + o.known_hosts), std::string::npos)
      << t.error().message;
}

TEST(SshConnector, PinnedHostKeyIsHonoured) {
  Fleet fleet({"a", "b"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto o = fleet.options();
  o.known_hosts = fleet.dir() + "/none";  // pinned keys need no known_hosts
  Host a = fleet.host("a");
  a.host_key = Located<std::string>{fleet.host_key("a", "ed25519") + " root@a", {}};
  auto t = connect(fleet, a, o);
  ASSERT_TRUE(t) << t.error().message;
  a.host_key->value = fleet.host_key("a", "ecdsa");
  auto ec = connect(fleet, a, o);
  ASSERT_TRUE(ec) << ec.error().message;

  a.host_key->value = fleet.host_key("b", "ed25519");
  auto wrong = connect(fleet, a, o);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, Kind::host_key_changed);
  EXPECT_EQ(wrong.error().message.rfind("host key of " + label(fleet, "a") +
                                            " does not match its pinned host_key: the host offers "
                                            "ssh-ed25519 " + openssh_fingerprint(fleet, "a", "ed25519"),
                                        0),
            0u)
      << wrong.error().message;
  // A pinned key wins over known_hosts, even with accept-new.
  o.known_hosts = fleet.known_hosts();
  o.accept_new = true;
  auto still = connect(fleet, a, o);
  ASSERT_FALSE(still);
  EXPECT_EQ(still.error().kind, Kind::host_key_changed);
}

TEST(SshConnector, RefusedAndTimedOutConnectionsNameTheHost) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  fleet.kill("a");
  auto refused = connect(fleet, fleet.host("a"), fleet.options());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Kind::refused);
  EXPECT_EQ(refused.error().message, label(fleet, "a") + ": connection refused");

  // A listener that accepts TCP but never says a word.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  Host mute = fleet.host("a");
  mute.name.value = "mute";
  mute.port.value = ntohs(sa.sin_port);
  auto o = fleet.options();
  o.timeout = std::chrono::milliseconds(700);
  const auto start = std::chrono::steady_clock::now();
  auto hung = connect(fleet, mute, o);
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(hung);
  EXPECT_EQ(hung.error().kind, Kind::timeout);
  EXPECT_EQ(hung.error().message, "mute (127.0.0.1:" + std::to_string(mute.port.value) +
                                      "): SSH handshake: no answer within 0.7 s");
  EXPECT_LT(took, std::chrono::seconds(3));

  Host nowhere = fleet.host("a");
  nowhere.name.value = "nowhere";
  nowhere.address.value = "no-such-host.invalid";
  auto unresolved = connect(fleet, nowhere, o);
  ASSERT_FALSE(unresolved);
  EXPECT_EQ(unresolved.error().kind, Kind::unreachable);
}

TEST(SshConnector, AuthenticationErrorsSayWhatToDo) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string d = fleet.dir();
  ASSERT_EQ(run_shell("ssh-keygen -q -t ed25519 -N '' -f " + d + "/stranger"), 0);
  ASSERT_EQ(run_shell("ssh-keygen -q -t rsa -b 2048 -N '' -f " + d + "/rsa"), 0);
  ASSERT_EQ(run_shell("ssh-keygen -q -t ed25519 -N 'sesame' -f " + d + "/locked"), 0);
  ASSERT_EQ(run_shell("cat " + d + "/locked.pub " + d + "/rsa.pub >> " + d + "/authorized_keys"), 0);

  Host h = fleet.host("a");
  h.identity->value = d + "/stranger";
  auto stranger = connect(fleet, h, fleet.options());
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().kind, Kind::auth);
  EXPECT_EQ(stranger.error().message, label(fleet, "a") +
                                          ": the host accepted none of our keys for user root: tried " +
                                          d + "/stranger (rejected)");

  h.identity->value = d + "/rsa";
  auto rsa = connect(fleet, h, fleet.options());
  ASSERT_FALSE(rsa);
  EXPECT_EQ(rsa.error().kind, Kind::auth);
  EXPECT_NE(rsa.error().message.find("is an RSA key"), std::string::npos);
  EXPECT_NE(rsa.error().message.find("ssh-keygen -t ed25519"), std::string::npos);

  h.identity->value = d + "/locked";
  auto no_pass = connect(fleet, h, fleet.options());
  ASSERT_FALSE(no_pass);
  EXPECT_EQ(no_pass.error().message,
            label(fleet, "a") + ": identity " + d + "/locked is encrypted and the passphrase is missing");
  auto o = fleet.options();
  o.passphrase = "sesame";
  auto with_pass = connect(fleet, h, o);
  EXPECT_TRUE(with_pass) << with_pass.error().message;

  h.identity->value = d + "/missing";
  auto missing = connect(fleet, h, fleet.options());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, Kind::auth);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
}

TEST(SshConnector, SshAgentIsTriedFirst) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  std::string out;
  const std::string sock = fleet.dir() + "/agent.sock";
  ASSERT_EQ(run_shell("ssh-agent -a " + sock + " > " + fleet.dir() + "/agent.env"), 0);
  const std::string env = read_text(fleet.dir() + "/agent.env");
  const auto p = env.find("SSH_AGENT_PID=");
  const int agent_pid = std::atoi(env.c_str() + p + 14);
  ASSERT_EQ(run_shell("SSH_AUTH_SOCK=" + sock + " ssh-add " + fleet.identity(), &out), 0) << out;
  ::setenv("SSH_AUTH_SOCK", sock.c_str(), 1);
  Host h = fleet.host("a");
  h.identity->value = fleet.dir() + "/not-there";  // the agent's key is enough
  auto t = connect(fleet, h, fleet.options());
  ::unsetenv("SSH_AUTH_SOCK");
  ::kill(agent_pid, SIGTERM);
  ASSERT_TRUE(t) << t.error().message;
}

TEST(SshConnector, JumpHostsChainAndTheirFailuresAreNamed) {
  Fleet fleet({"a", "b", "c"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  Inventory inv = fleet.inventory();
  inv.hosts[1].jump = Located<std::string>{"a", {}};  // b via a
  inv.hosts[2].jump = Located<std::string>{"b", {}};  // c via b via a
  inv.index_hosts();
  SshConnector connector;

  auto c = connector.connect(*inv.find_host("c"), inv, fleet.options());
  ASSERT_TRUE(c) << c.error().message;
  auto r = (*c)->exec("echo through", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "through\n");
  // Files and big transfers run over the tunnel too.
  const std::string big(3 * 1024 * 1024 + 7, 'z');
  const std::string path = fleet.root("c") + "/big.bin";
  auto w = (*c)->write_file(path, big, 0644, "", false);
  ASSERT_TRUE(w) << w.error().message;
  auto back = (*c)->read_file(path, false);
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ((*back)->content, big);

  // The connection really runs through a: without a, c is gone.
  fleet.kill("a");
  auto after = (*c)->exec("echo still", false);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message.rfind("c (127.0.0.1:" + std::to_string(fleet.port("c")) + " via b): ", 0), 0u)
      << after.error().message;
  c->reset();

  auto down = connector.connect(*inv.find_host("b"), inv, fleet.options());
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().kind, Kind::refused);
  EXPECT_EQ(down.error().message, label(fleet, "a") + ": connection refused (jump host for b)");

  // A jump to a port where nothing listens: the jump host says it cannot forward.
  Inventory inv2 = fleet.inventory();
  inv2.hosts[0].jump = Located<std::string>{"b", {}};
  inv2.index_hosts();
  auto no_fwd = connector.connect(*inv2.find_host("a"), inv2, fleet.options());
  ASSERT_FALSE(no_fwd);
  EXPECT_EQ(no_fwd.error().kind, Kind::unreachable);
  EXPECT_NE(no_fwd.error().message.find("cannot forward"), std::string::npos) << no_fwd.error().message;

  // Loops are refused before any connection.
  inv2.hosts[1].jump = Located<std::string>{"a", {}};
  inv2.index_hosts();
  auto loop = connector.connect(*inv2.find_host("a"), inv2, fleet.options());
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().message, "a: jump hosts form a loop: a -> b -> a");
}

TEST(SshConnector, ManyThreadsConnectAtOnce) {
  std::vector<std::string> names;
  for (int i = 0; i < 12; ++i) names.push_back("h" + std::to_string(i));
  Fleet fleet(names, {.shared_host_keys = true});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const Inventory inv = fleet.inventory();
  SshConnector connector;
  std::atomic<int> good{0};
  std::vector<std::string> errors(names.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < names.size(); ++i) {
    threads.emplace_back([&, i] {
      auto t = connector.connect(*inv.find_host(names[i]), inv, fleet.options());
      if (!t) {
        errors[i] = t.error().message;
        return;
      }
      auto r = (*t)->exec("echo " + names[i], false);
      if (r && r->out == names[i] + "\n") ++good;
      else errors[i] = r ? r->out : r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), static_cast<int>(names.size()));
  for (const auto& e : errors) EXPECT_EQ(e, "");
}

}  // namespace
}  // namespace picket
