#pragma once
// A fleet of real sshd processes for C++ tests (RAII over tests/ssh/fleet.sh): starts one
// sshd per host name in a fresh temporary directory, stops them and removes the directory
// when it goes out of scope. Header-only because the build globs only tests/ssh/*_test.cpp.
//
//   picket::test_support::Fleet fleet({"a", "b"});
//   ASSERT_TRUE(fleet.ok()) << fleet.error();
//   auto t = picket::SshConnector().connect(fleet.host("a"), fleet.inventory(), fleet.options());

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "deploy/connector.hpp"
#include "deploy/ssh/ssh_connector.hpp"
#include "deploy/ssh/shell_quote.hpp"
#include "topology/model.hpp"

namespace picket::test_support {

/// A TCP port on 127.0.0.1 that was free a moment ago (for a test's own servers).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

/// True when something accepts connections on 127.0.0.1:port.
inline bool port_answers(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

/// `python3 -m http.server` serving `dir` on 127.0.0.1:port while in scope (fake node RPCs
/// and HTTP tests). Waits until the port answers.
class HttpServer {
 public:
  HttpServer(const std::string& dir, int port) : m_port(port) {
    m_pid = ::fork();
    if (m_pid == 0) {
      ::setpgid(0, 0);
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      const std::string p = std::to_string(port);
      ::execlp("python3", "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
               dir.c_str(), p.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !port_answers(port); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ~HttpServer() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGTERM);
      ::waitpid(m_pid, nullptr, 0);
    }
  }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  bool up() const { return port_answers(m_port); }
  int port() const { return m_port; }

 private:
  int m_port;
  pid_t m_pid = -1;
};


/// How to start a fleet.
struct FleetOptions {
  bool shared_host_keys = false;  // one host key pair for all hosts (faster for big fleets)
};

/// Runs a shell command line; returns its exit status and captures stdout+stderr.
inline int run_shell(const std::string& command, std::string* output = nullptr) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Writes a whole local file.
inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Reads a whole local file ("" when missing).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Fleet {
 public:
  /// Starts one sshd per name; check ok() before use.
  explicit Fleet(std::vector<std::string> hosts, FleetOptions options = {}) : m_hosts(std::move(hosts)) {
    char tmpl[] = "/tmp/picket-fleet-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      m_error = "mkdtemp failed";
      return;
    }
    m_dir = tmpl;
    std::string cmd = shell_quote(script()) + " start --watch " + std::to_string(::getpid());
    if (options.shared_host_keys) cmd += " --shared-host-keys";
    cmd += " " + shell_quote(m_dir);
    for (const auto& h : m_hosts) cmd += " " + shell_quote(h);
    std::string out;
    if (run_shell(cmd, &out) != 0) {
      m_error = "fleet.sh start failed: " + out;
      return;
    }
    for (const auto& h : m_hosts) {
      m_ports[h] = std::atoi(read_text(m_dir + "/" + h + "/port").c_str());
      if (m_ports[h] <= 0) m_error = "no port for " + h;
    }
  }
  /// Stops every sshd and removes the directory.
  ~Fleet() {
    if (m_dir.empty()) return;
    run_shell(shell_quote(script()) + " stop " + shell_quote(m_dir));
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  /// True when every sshd is up.
  bool ok() const { return m_error.empty() && !m_dir.empty(); }
  /// Why the start failed.
  const std::string& error() const { return m_error; }
  /// The fleet directory.
  const std::string& dir() const { return m_dir; }
  /// The port of a host's sshd.
  int port(const std::string& host) const { return m_ports.at(host); }
  /// The host's sandbox root directory (DIR/<host>/root).
  std::string root(const std::string& host) const { return m_dir + "/" + host + "/root"; }
  /// DIR/known_hosts: every host's keys as [127.0.0.1]:PORT lines.
  std::string known_hosts() const { return m_dir + "/known_hosts"; }
  /// DIR/id_ed25519: the client key every host accepts.
  std::string identity() const { return m_dir + "/id_ed25519"; }
  /// "TYPE BASE64" of a host's key; `type` "ed25519" or "ecdsa".
  std::string host_key(const std::string& host, const std::string& type = "ed25519") const {
    std::string line = read_text(m_dir + "/" + host + "/ssh_host_" + type + "_key.pub");
    const auto first = line.find(' ');
    const auto second = line.find_first_of(" \n", first + 1);
    return line.substr(0, second);
  }

  /// An inventory host for `name` (address, port, user, identity, root; no pinned key).
  Host host(const std::string& name) const {
    Host h;
    h.name.value = name;
    h.address.value = "127.0.0.1";
    h.port.value = m_ports.count(name) ? m_ports.at(name) : 22;
    h.user = Located<std::string>{::geteuid() == 0 ? "root" : std::string(::getenv("USER") ? ::getenv("USER") : "root"), {}};
    h.identity = Located<std::string>{identity(), {}};
    h.root = Located<std::string>{root(name), {}};
    return h;
  }
  /// An inventory of all the fleet's hosts (as host() builds them).
  Inventory inventory() const {
    Inventory inv;
    for (const auto& n : m_hosts) inv.hosts.push_back(host(n));
    inv.index_hosts();
    return inv;
  }
  /// Options for the fleet: its known_hosts, a short timeout.
  ConnectOptions options() const {
    ConnectOptions o;
    o.known_hosts = known_hosts();
    o.timeout = std::chrono::seconds(5);
    return o;
  }
  /// Kills one host's sshd and its live sessions (fleet.sh kill).
  void kill(const std::string& host) const {
    run_shell(shell_quote(script()) + " kill " + shell_quote(m_dir) + " " + shell_quote(host));
  }

 private:
  static std::string script() { return std::string(PICKET_SOURCE_DIR) + "/tests/ssh/fleet.sh"; }

  std::vector<std::string> m_hosts;
  std::string m_dir;
  std::string m_error;
  std::map<std::string, int> m_ports;
};

/// examples/minimal/topology.yaml without its `inventory:` key, its nodes' RPC on `rpc_port`
/// (a test's stand-in RPC server).
inline std::string minimal_topology_with_rpc(int rpc_port) {
  std::string topology =
      read_text(std::string(PICKET_SOURCE_DIR) + "/examples/minimal/topology.yaml");
  topology = std::regex_replace(topology, std::regex("inventory: .*\n"), "");
  return std::regex_replace(topology, std::regex("cometbft: \"0.38\"\\}"),
                            "cometbft: \"0.38\", rpc_port: " + std::to_string(rpc_port) + "}");
}

/// A transport to fleet host `name` (a test failure and nullptr when it cannot connect).
inline std::unique_ptr<Transport> connect_to(const Fleet& fleet, const std::string& name) {
  auto t = SshConnector().connect(fleet.host(name), fleet.inventory(), fleet.options());
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
  return t ? std::move(*t) : nullptr;
}

}  // namespace picket::test_support
