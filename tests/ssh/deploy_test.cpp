// plan and deploy end to end over real sshd (tests/ssh/fleet.sh): three hosts on 127.0.0.1,
// each with its own sandbox root, a fake CometBFT RPC (python3 http.server serving /status
// and /net_info files), restart and reload commands that leave traces in the fleet directory.
//
//   validator(val) ── priv-1(priv) ── pub-1(pub) ── network

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "deploy/apply.hpp"
#include "tests/support/memory_transport.hpp"
#include "deploy/plan.hpp"
#include "deploy/ssh/shell_quote.hpp"
#include "deploy/ssh/ssh_connector.hpp"
#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
namespace fs = std::filesystem;

Located<std::string> located(std::string s) { return {std::move(s), {}}; }

using test_support::free_port;
using test_support::port_answers;

// A fake CometBFT RPC: /status and /net_info answered from files, while in scope.
class FakeRpc {
 public:
  FakeRpc(const std::string& dir, bool catching_up) : m_dir(prepare(dir, catching_up)), m_server(m_dir, free_port()) {}
  bool up() const { return m_server.up(); }
  int port() const { return m_server.port(); }

 private:
  static std::string prepare(const std::string& dir, bool catching_up) {
    fs::create_directories(dir);
    std::ofstream(dir + "/status") << status_body(catching_up);
    std::ofstream(dir + "/net_info") << net_info_body(2);
    return dir;
  }
  std::string m_dir;
  test_support::HttpServer m_server;
};

// True while the process runs. A zombie (its parent, often init in a container, has not
// reaped it yet) has stopped running.
bool running(int pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::uint32_t local_mode(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

const char* const k_config = "/home/cosmos/.gaia/config/config.toml";
const char* const k_node_key = "/home/cosmos/.gaia/config/node_key.json";
const char* const k_nft = "/etc/nftables.d/picket.nft";

struct SshDeploy : ::testing::Test {
  Fleet fleet{{"pub", "priv", "val"}};
  FakeRpc healthy{fleet.dir() + "/rpc-ok", false};
  Topology topology;
  Inventory inventory;
  FileSet files;
  SshConnector connector;
  std::vector<LogRecord> records;
  ApplyOptions options;

  void SetUp() override {
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    ASSERT_TRUE(healthy.up()) << "python3 -m http.server did not start";
    auto add = [&](const std::string& name, Role role, const std::string& host) {
      Node n;
      n.name = located(name);
      n.role = {role, {}};
      n.host = located(host);
      n.rpc_port = Located<int>{healthy.port(), {}};
      topology.nodes.push_back(std::move(n));
    };
    add("validator", Role::validator, "val");
    add("priv-1", Role::private_sentry, "priv");
    add("pub-1", Role::public_sentry, "pub");
    for (auto [a, b] : {std::pair{"validator", "priv-1"}, std::pair{"priv-1", "pub-1"}}) {
      Link l;
      l.a = located(a);
      l.b = located(b);
      topology.links.push_back(std::move(l));
    }
    topology.index_nodes();

    inventory = fleet.inventory();
    for (Host& h : inventory.hosts) {
      h.home = located("/home/cosmos/.gaia");
      // Runs on the "host", which is this machine: the trace lands in the fleet directory.
      h.restart = located("echo " + h.name.value + " >> " + shell_quote(trace()));
      h.check = located("true");
      h.reload_firewall = located("cp {file} {file}.loaded");
    }
    inventory.index_hosts();

    for (const auto& [host, node] :
         {std::pair{"pub", "pub-1"}, std::pair{"priv", "priv-1"}, std::pair{"val", "validator"}}) {
      files.push_back(RenderedFile{host, k_config, 0644, "moniker = \"" + std::string(node) + "\"\n",
                                   node, false, ApplyAction::restart_node});
      files.push_back(RenderedFile{host, k_node_key, 0600,
                                   "{\"priv_key\":\"SECRET-" + std::string(node) + "\"}", node, true,
                                   ApplyAction::restart_node});
    }
    files.push_back(RenderedFile{"priv", k_nft, 0644, "table inet picket { }\n", "", false,
                                 ApplyAction::reload_firewall});
    sort_files(files);

    options.parallel = 3;
    options.lock = LockInfo{"test@here (pid 1)", "2026-01-01T00:00:00Z"};
    options.health = HealthOptions{std::chrono::seconds(3), std::chrono::milliseconds(100), {}};
    options.on_record = [this](const LogRecord& r) { records.push_back(r); };
  }

  std::string trace() const { return fleet.dir() + "/restarts.log"; }
  // The fleet's options with room for a machine busy running other suites.
  ConnectOptions connect_options() const {
    ConnectOptions o = fleet.options();
    o.timeout = std::chrono::seconds(30);
    return o;
  }
  std::string on_host(const std::string& host, const std::string& path) const {
    return fleet.root(host) + path;
  }

  // Every rendered file already on its host, in an older version.
  void install_old() {
    for (const RenderedFile& f : files) {
      const std::string p = on_host(f.host, f.path);
      fs::create_directories(fs::path(p).parent_path());
      std::ofstream(p) << "old " << f.content;
      fs::permissions(p, static_cast<fs::perms>(f.mode));
    }
  }

  Plan plan(Connections& connections) {
    return make_plan(files, topology, inventory, connections, PlanOptions{3});
  }

  ApplyReport deploy() {
    Connections connections(connector, inventory, connect_options());
    const Plan p = plan(connections);
    EXPECT_FALSE(p.has_errors()) << format_plan_text(p);
    return apply_plan(p, files, topology, inventory, connections, options);
  }

  std::optional<int> guard_pid() const {
    for (const LogRecord& r : records)
      if (r.action == LogAction::firewall_guard_arm && r.result == "ok")
        return std::stoi(r.detail.substr(r.detail.find(' ') + 1));
    return std::nullopt;
  }
};

TEST_F(SshDeploy, DeployThenPlanIsUnchanged) {
  const ApplyReport r = deploy();
  ASSERT_EQ(r.status, ApplyStatus::ok) << format_apply_report(r);
  EXPECT_EQ(format_rollout(r.rollout),
            "Rollout: 3 steps\n"
            "  1. public-sentry: pub-1 (files go live on pub)\n"
            "  2. private-sentry: priv-1 (files go live on priv)\n"
            "  3. validator: validator (files go live on val)\n");
  for (const RenderedFile& f : files) {
    EXPECT_EQ(read_text(on_host(f.host, f.path)), f.content) << f.host << f.path;
    EXPECT_EQ(local_mode(on_host(f.host, f.path)), f.mode) << f.host << f.path;
  }
  // Restarted in waves, one host at a time here (a single path), the validator last.
  EXPECT_EQ(read_text(trace()), "pub\npriv\nval\n");
  // The new ruleset was loaded behind the guard, and the guard is gone.
  EXPECT_EQ(read_text(on_host("priv", k_nft) + ".loaded"), "table inet picket { }\n");
  const auto pid = guard_pid();
  ASSERT_TRUE(pid);
  for (int i = 0; i < 20 && running(*pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(running(*pid)) << "the guard timer still runs";
  for (const char* h : {"pub", "priv", "val"})
    EXPECT_FALSE(fs::exists(fleet.root(h) + "/var/lib/picket/deploy.lock")) << h;

  Connections connections(connector, inventory, connect_options());
  const Plan again = plan(connections);
  EXPECT_FALSE(again.has_changes()) << format_plan_text(again);
  EXPECT_EQ(format_plan_text(again),
            "priv (127.0.0.1): no changes, 3 unchanged\n\n"
            "pub (127.0.0.1): no changes, 2 unchanged\n\n"
            "val (127.0.0.1): no changes, 2 unchanged\n\n"
            "Plan: 0 to create, 0 to change, 7 unchanged; 0 nodes to restart.\n");
}

TEST_F(SshDeploy, HealthFailureRollsBackThatHostOverSsh) {
  install_old();
  FakeRpc catching_up(fleet.dir() + "/rpc-syncing", true);
  ASSERT_TRUE(catching_up.up());
  topology.nodes[1].rpc_port = Located<int>{catching_up.port(), {}};  // priv-1
  options.health.timeout = std::chrono::milliseconds(500);
  const ApplyReport r = deploy();
  ASSERT_EQ(r.status, ApplyStatus::failed) << format_apply_report(r);
  EXPECT_EQ(r.message.rfind("priv: health check of priv-1 failed after ", 0), 0u) << r.message;
  EXPECT_NE(r.message.find(": /status: catching up"), std::string::npos) << r.message;
  EXPECT_EQ(r.steps_done, 1);
  for (const RenderedFile& f : files) {
    const std::string now = read_text(on_host(f.host, f.path));
    if (f.host == "pub")
      EXPECT_EQ(now, f.content) << f.path;  // step 1 passed: it keeps the new files
    else
      EXPECT_EQ(now, "old " + f.content) << f.host << f.path;  // rolled back, or untouched
    EXPECT_EQ(local_mode(on_host(f.host, f.path)), f.mode) << f.host << f.path;
  }
  // The old ruleset was loaded again after the restore; the validator's host saw nothing.
  EXPECT_EQ(read_text(on_host("priv", k_nft) + ".loaded"), "old table inet picket { }\n");
  EXPECT_EQ(read_text(trace()), "pub\npriv\npriv\n");
  EXPECT_FALSE(fs::exists(on_host("val", k_config) + ".picket-bak"));
  // Every file was staged before step 1; the host the rollout never reached (val) and the
  // rolled-back one keep no temp file, and val's files never changed.
  for (const char* h : {"pub", "priv", "val"}) {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(fleet.root(h)))
      if (e.path().filename().string().find(".picket-tmp-") != std::string::npos)
        names.push_back(e.path().string());
    EXPECT_EQ(names, std::vector<std::string>{}) << h;
  }
  std::vector<std::string> val_ops;
  for (const LogRecord& rec : records)
    if (rec.host == "val" && rec.action != LogAction::lock && rec.action != LogAction::unlock)
      val_ops.push_back(log_action_name(rec.action) + std::string(" ") +
                        (rec.path.empty() ? "" : rec.path.substr(fleet.root("val").size())) + " " +
                        rec.result);
  EXPECT_EQ(val_ops, (std::vector<std::string>{
                         "verify  ok",
                         "stage /home/cosmos/.gaia/config/config.toml ok",
                         "stage /home/cosmos/.gaia/config/node_key.json ok",
                         "discard /home/cosmos/.gaia/config/config.toml ok",
                         "discard /home/cosmos/.gaia/config/node_key.json ok",
                     }));
  for (const char* h : {"pub", "priv", "val"})
    EXPECT_FALSE(fs::exists(fleet.root(h) + "/var/lib/picket/deploy.lock")) << h;
}

TEST_F(SshDeploy, FirewallGuardRestoresTheOldRulesetWhenWeAreLockedOut) {
  install_old();
  // The "new ruleset" stops the host's sshd from taking new connections (the established
  // session survives, as it would under a stateful firewall).
  for (Host& h : inventory.hosts)
    if (h.name.value == "priv")
      h.reload_firewall = located("cp {file} {file}.loaded; kill $(cat " +
                                  shell_quote(fleet.dir() + "/priv/sshd.pid") + ") 2>/dev/null; true");
  options.firewall_guard_seconds = 2;
  const ApplyReport r = deploy();
  ASSERT_EQ(r.status, ApplyStatus::failed) << format_apply_report(r);
  EXPECT_EQ(r.message.rfind("priv: no new connection after reloading the firewall: ", 0), 0u)
      << r.message;
  const auto pid = guard_pid();
  ASSERT_TRUE(pid);
  // Right after the deploy: the new ruleset is loaded and the timer still waits.
  EXPECT_EQ(read_text(on_host("priv", k_nft)), "table inet picket { }\n");
  EXPECT_TRUE(running(*pid)) << "the guard timer must be left armed";
  // The host heals itself: the previous ruleset comes back and is loaded again.
  for (int i = 0; i < 100 && running(*pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(read_text(on_host("priv", k_nft)), "old table inet picket { }\n");
  EXPECT_EQ(read_text(on_host("priv", k_nft) + ".loaded"), "old table inet picket { }\n");
  // Everything else on the host was put back by picket through the surviving session. The
  // node's restart ran while the fresh connection was tried (nothing waits on it but the
  // health check), so the rollback restarted it again on its old files; the validator's
  // host, in the next step, was never touched.
  EXPECT_EQ(read_text(on_host("priv", k_config)), "old moniker = \"priv-1\"\n");
  EXPECT_EQ(read_text(trace()), "pub\npriv\npriv\n");
  EXPECT_EQ(read_text(on_host("val", k_config)), "old moniker = \"validator\"\n");
}

TEST_F(SshDeploy, HeldLockRefusesBeforeAnythingIsWritten) {
  auto holder = connector.connect(*inventory.find_host("val"), inventory, connect_options());
  ASSERT_TRUE(holder) << holder.error().message;
  const std::string lock = fleet.root("val") + "/var/lib/picket/deploy.lock";
  ASSERT_TRUE((*holder)->lock(lock, LockInfo{"bob@ci (pid 9)", "2026-01-01T00:00:00Z"}));
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::refused);
  EXPECT_EQ(r.message,
            "val: locked by bob@ci (pid 9) since 2026-01-01T00:00:00Z (another deploy is "
            "running; if it is dead, deploy with --force-unlock)");
  for (const RenderedFile& f : files) EXPECT_FALSE(fs::exists(on_host(f.host, f.path)));
  EXPECT_FALSE(fs::exists(fleet.root("pub") + "/var/lib/picket/deploy.lock"));
  EXPECT_TRUE(fs::exists(lock));

  options.force_unlock = true;
  const ApplyReport forced = deploy();
  EXPECT_EQ(forced.status, ApplyStatus::ok) << format_apply_report(forced);
  EXPECT_FALSE(fs::exists(lock));
}

}  // namespace
}  // namespace picket
