// SshTransport's deploy lock, HTTP through the connection, and shell quoting, against real sshd.

#include "deploy/ssh/ssh_connector.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "deploy/ssh/shell_quote.hpp"
#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
using test_support::run_shell;
using Kind = TransportError::Kind;
namespace fs = std::filesystem;

using test_support::connect_to;

using test_support::free_port;
using test_support::port_answers;

using test_support::HttpServer;

TEST(SshTransportLock, SecondLockerSeesWhoHoldsIt) {
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto first = connect_to(fleet, "a");
  auto second = connect_to(fleet, "a");
  ASSERT_TRUE(first && second);
  const std::string lock = fleet.root("a") + "/var/lib/picket/deploy.lock";

  auto none = first->read_lock(lock);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());

  auto taken = first->lock(lock, {"alice@laptop (pid 42)", "2024-05-01T12:00:00Z"});
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(read_text(lock), "{\"owner\":\"alice@laptop (pid 42)\",\"since\":\"2024-05-01T12:00:00Z\"}\n");

  auto refused = second->lock(lock, {"bob@ci (pid 7)", "2024-05-01T12:01:00Z"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Kind::locked);
  EXPECT_EQ(refused.error().message,
            "a (127.0.0.1:" + std::to_string(fleet.port("a")) +
                "): locked by alice@laptop (pid 42) since 2024-05-01T12:00:00Z (lock file " + lock +
                "); wait for that deploy to finish, or take the lock over with --force-unlock if it is "
                "dead");

  auto holder = second->read_lock(lock);
  ASSERT_TRUE(holder && holder->has_value());
  EXPECT_EQ((*holder)->owner, "alice@laptop (pid 42)");
  EXPECT_EQ((*holder)->since, "2024-05-01T12:00:00Z");

  ASSERT_TRUE(first->unlock(lock));
  EXPECT_FALSE(fs::exists(lock));
  EXPECT_TRUE(first->unlock(lock));  // already gone: fine
  auto now_second = second->lock(lock, {"bob@ci (pid 7)", "2024-05-01T12:01:00Z"});
  EXPECT_TRUE(now_second) << now_second.error().message;

  // A lock written by hand in key=value form is understood.
  std::ofstream(lock) << "owner=carol@ops\nsince=2024-05-02T08:00:00Z\n";
  auto carol = first->read_lock(lock);
  ASSERT_TRUE(carol && carol->has_value());
  EXPECT_EQ((*carol)->owner, "carol@ops");
  EXPECT_EQ((*carol)->since, "2024-05-02T08:00:00Z");
}

TEST(SshTransportHttp, GetThroughTheConnection) {
  Fleet fleet({"a", "b"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  const std::string www = fleet.dir() + "/www";
  fs::create_directories(www);
  std::ofstream(www + "/status") << "{\"result\":{\"sync_info\":{\"catching_up\":false}}}";
  const int port = free_port();
  HttpServer server(www, port);
  ASSERT_TRUE(server.up()) << "python3 -m http.server did not start";

  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  auto body = t->http_get(port, "/status");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(*body, "{\"result\":{\"sync_info\":{\"catching_up\":false}}}");

  auto missing = t->http_get(port, "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, Kind::failed);
  EXPECT_NE(missing.error().message.find("HTTP/1.0 404 File not found"), std::string::npos)
      << missing.error().message;

  auto bad = t->http_get(port, "/a b");
  ASSERT_FALSE(bad);

  const int closed = free_port();
  auto refused = t->http_get(closed, "/status");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Kind::refused);
  EXPECT_EQ(refused.error().message,
            "a (127.0.0.1:" + std::to_string(fleet.port("a")) + "): GET http://127.0.0.1:" +
                std::to_string(closed) + "/status: connection refused (nothing listens on port " +
                std::to_string(closed) + " of the host?)");

  // A server that keeps the connection open: the answer ends at its Content-Length.
  {
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    ::listen(lfd, 1);
    socklen_t len = sizeof sa;
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&sa), &len);
    std::promise<void> done;
    std::thread sticky([lfd, finished = done.get_future()] {
      const int c = ::accept(lfd, nullptr, nullptr);
      char req[4096];
      [[maybe_unused]] auto n = ::read(c, req, sizeof req);
      const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
      n = ::write(c, answer.data(), answer.size());
      finished.wait_for(std::chrono::seconds(3));  // open until the client is done
      ::close(c);
    });
    const auto start = std::chrono::steady_clock::now();
    auto hello = t->http_get(ntohs(sa.sin_port), "/");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    done.set_value();
    sticky.join();
    ::close(lfd);
    ASSERT_TRUE(hello) << hello.error().message;
    EXPECT_EQ(*hello, "hello");
  }

  // The session still works after the failed forward, and through a jump host too.
  auto r = t->exec("true", false);
  EXPECT_TRUE(r && r->ok());
  Inventory inv = fleet.inventory();
  inv.hosts[1].jump = Located<std::string>{"a", {}};
  inv.index_hosts();
  auto via = SshConnector().connect(*inv.find_host("b"), inv, fleet.options());
  ASSERT_TRUE(via) << via.error().message;
  auto body2 = (*via)->http_get(port, "/status");
  ASSERT_TRUE(body2) << body2.error().message;
  EXPECT_EQ(*body2, *body);
}

TEST(ShellQuote, QuotesEverythingLiterally) {
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("plain"), "'plain'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
}

TEST(ShellQuote, SurvivesLocalAndRemoteShells) {
  const std::vector<std::string> nasty = {
      "",          "with space",   "it's",         "\"double\"",    "$(touch /tmp/pwned)",
      "`id`",      "a\nb\n",       "back\\slash",  "semi; colon",   "glob * ? [a]",
      "'",         "''",           "-n",           "tab\there",     "$HOME ${x:-y} $1 $@",
      "~root",     "a|b&c>d<e",    "é ü 日本",     "!history",      "#comment",
  };
  for (const auto& s : nasty) {
    std::string out;
    EXPECT_EQ(run_shell("printf %s " + shell_quote(s), &out), 0);
    EXPECT_EQ(out, s) << "local sh: " << shell_quote(s);
  }
  Fleet fleet({"a"});
  ASSERT_TRUE(fleet.ok()) << fleet.error();
  auto t = connect_to(fleet, "a");
  ASSERT_TRUE(t);
  for (const auto& s : nasty) {
    auto r = t->exec("printf %s " + shell_quote(s), false);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->out, s) << "remote sh: " << shell_quote(s);
  }
  EXPECT_FALSE(fs::exists("/tmp/pwned"));
  // Paths with the same characters work for files too (control characters such as newline
  // are refused in paths: tests/ssh/security_test.cpp).
  const std::string odd = fleet.root("a") + "/dir with 'quotes' $(x) `y`/file name.conf";
  auto w = t->write_file(odd, "ok\n", 0644, odd + ".bak", false);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(t->write_file(odd, "ok2\n", 0644, odd + ".bak", false));
  EXPECT_EQ(read_text(odd), "ok2\n");
  EXPECT_EQ(read_text(odd + ".bak"), "ok\n");
}

}  // namespace
}  // namespace picket
