// `picket keys`, `plan` and `deploy` as a user runs them, against a fleet of real sshd
// (tests/ssh/fleet.sh) standing in for the five hosts of examples/minimal. Restart commands
// leave a trace in the fleet directory; a fake CometBFT RPC answers the health checks.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deploy/backup_archive.hpp"
#include "deploy/deploy_log.hpp"
#include "tests/support/memory_transport.hpp"
#include "deploy/ssh/shell_quote.hpp"
#include "tests/ssh/fleet.hpp"

namespace picket {
namespace {

using test_support::Fleet;
using test_support::read_text;
using test_support::run_shell;
namespace fs = std::filesystem;

using test_support::free_port;
using test_support::port_answers;

// python3 http.server answering /status (caught up) and /net_info (2 peers).
class Rpc {
 public:
  explicit Rpc(const std::string& dir) : m_dir(prepare(dir)), m_server(m_dir, free_port()) {}
  int port() const { return m_server.port(); }

 private:
  static std::string prepare(const std::string& dir) {
    fs::create_directories(dir);
    std::ofstream(dir + "/status") << status_body(false);
    std::ofstream(dir + "/net_info") << net_info_body(2);
    return dir;
  }
  std::string m_dir;
  test_support::HttpServer m_server;
};

struct CliRun {
  int rc = -1;
  std::string out;  // stdout and stderr together
};

const std::vector<std::string> k_hosts = {"node-a", "node-b", "node-c", "node-d", "node-e"};
// examples/minimal's hosts and one for a signer of its own.
const std::vector<std::string> k_hosts_with_signer = {"node-a", "node-b", "node-c", "node-d", "node-e", "node-f"};

template <const std::vector<std::string>* Hosts>
struct FleetCli : ::testing::Test {
  Fleet fleet{*Hosts};
  std::string net = fleet.dir() + "/net";
  Rpc rpc{fleet.dir() + "/rpc"};

  void SetUp() override {
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    ASSERT_TRUE(port_answers(rpc.port()));
    fs::create_directories(net);
    // examples/minimal with the fake RPC's port.
    std::ofstream(net + "/topology.yaml") << test_support::minimal_topology_with_rpc(rpc.port());
    std::string inventory =
        "defaults: {home: /home/cosmos/.simd, check: \"true\",\n"
        "           reload_firewall: \"cp {file} {file}.loaded\", reload_vpn: \"true\"}\n"
        "hosts:\n";
    for (const std::string& h : *Hosts) {
      const Host host = fleet.host(h);
      inventory += "  " + h + ": {address: 127.0.0.1, port: " + std::to_string(host.port.value) +
                   ", user: " + host.user->value + ", identity: " + host.identity->value +
                   ", root: " + host.root->value + ",\n           restart: \"echo " + h +
                   " >> " + shell_quote(trace()) + "\"}\n";
    }
    std::ofstream(net + "/inventory.yaml") << inventory;
  }

  std::string trace() const { return fleet.dir() + "/restarts"; }

  CliRun picket(const std::string& args) const {
    CliRun r;
    r.rc = run_shell(shell_quote(PICKET_BINARY) + " " + args + " </dev/null", &r.out);
    return r;
  }
  std::string common() const {
    return shell_quote(net + "/topology.yaml") + " --inventory " + shell_quote(net + "/inventory.yaml") +
           " --known-hosts " + shell_quote(fleet.known_hosts()) + " --timeout 30";
  }
};
using PicketOverSsh = FleetCli<&k_hosts>;
using PicketOverSshWithSigner = FleetCli<&k_hosts_with_signer>;

TEST_F(PicketOverSsh, KeysPlanDeployPlan) {
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                   shell_quote(net + "/inventory.yaml")).rc,
            0);

  const CliRun first = picket("plan " + common() + " --detailed-exitcode --out " +
                           shell_quote(net + "/plan.json"));
  ASSERT_EQ(first.rc, 2) << first.out;
  EXPECT_NE(first.out.find("node-a (127.0.0.1): "), std::string::npos) << first.out;
  // Paths are shown as written: with the host's `root:` (here its sandbox) applied.
  EXPECT_NE(first.out.find("  + " + fleet.root("node-a") +
                           "/home/cosmos/.simd/config/node_key.json (create, mode 0600) "
                           "(secret, content hidden)\n"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("; 5 nodes to restart.\n"), std::string::npos) << first.out;

  // Without a terminal and without --yes, nothing happens.
  const CliRun unconfirmed = picket("deploy " + common());
  EXPECT_EQ(unconfirmed.rc, 64) << unconfirmed.out;
  EXPECT_FALSE(fs::exists(trace()));

  const CliRun deployed = picket("deploy " + common() + " --yes --health-timeout 10 --plan " +
                              shell_quote(net + "/plan.json"));
  ASSERT_EQ(deployed.rc, 0) << deployed.out;
  EXPECT_NE(deployed.out.find("Deploy complete: 5 hosts changed, 5 nodes restarted in 5 steps.\n"),
            std::string::npos)
      << deployed.out;
  // Public sentries one at a time (both are the validator's only exits), then the private
  // sentries, then the validator.
  EXPECT_EQ(read_text(trace()), "node-d\nnode-e\nnode-b\nnode-c\nnode-a\n");

  // No key material in anything picket printed or logged.
  const std::string log = read_text(net + "/.picket/deploy.log");
  EXPECT_FALSE(log.empty());
  for (const auto& entry : fs::recursive_directory_iterator(net + "/.picket/secrets")) {
    if (!entry.is_regular_file() || entry.path().filename() == ".gitignore") continue;
    const std::string key = read_text(entry.path().string());
    const auto value = key.find("\"value\":\"");
    const std::string secret =
        value == std::string::npos ? key.substr(0, 40) : key.substr(value + 9, 40);
    for (const std::string* text : {&first.out, &deployed.out, &log})
      EXPECT_EQ(text->find(secret), std::string::npos) << entry.path();
  }

  const CliRun again = picket("plan " + common() + " --detailed-exitcode");
  EXPECT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find("Plan: 0 to create, 0 to change, "), std::string::npos) << again.out;

  // The saved plan no longer holds: deploy refuses it.
  const CliRun stale = picket("deploy " + common() + " --yes --plan " + shell_quote(net + "/plan.json"));
  EXPECT_EQ(stale.rc, 1) << stale.out;
  EXPECT_NE(stale.out.find("no longer matches; plan again:"), std::string::npos) << stale.out;
}

// `picket keys --rotate sentry-a`, then one plan and one deploy: exactly sentry-a's node key
// and the config.toml of its two graph neighbours change, those three nodes restart, and the
// next plan is clean. A host the deploy log names that gets no file any more is reported by
// plan and deploy and never touched; it is not a change.
TEST_F(PicketOverSsh, RotatedNodeKeyReachesItsPeersInOneDeployAndARemovedHostIsOnlyReported) {
  const std::string keys = "keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                           shell_quote(net + "/inventory.yaml");
  ASSERT_EQ(picket(keys).rc, 0);
  const CliRun first = picket("deploy " + common() + " --yes --health-timeout 10");
  ASSERT_EQ(first.rc, 0) << first.out;
  fs::remove(trace());

  const CliRun rotated = picket(keys + " --rotate sentry-a");
  ASSERT_EQ(rotated.rc, 0) << rotated.out;
  EXPECT_NE(rotated.out.find("node key of \"sentry-a\" rotated"), std::string::npos) << rotated.out;
  // A host picket deployed to in an earlier life of this topology.
  std::ofstream(net + "/.picket/deploy.log", std::ios::app)
      << format_log_record({"2026-01-02T03:04:05.000Z", "node-gone", LogAction::write,
                            "/home/cosmos/.simd/config/config.toml", "ok", "ab", ""});

  const CliRun planned = picket("plan " + common() + " --detailed-exitcode");
  EXPECT_EQ(planned.rc, 2) << planned.out;
  std::string changes;
  std::istringstream lines(planned.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("  ~ ", 0) == 0 || line.rfind("  + ", 0) == 0) changes += line + "\n";
  EXPECT_EQ(changes,
            "  ~ " + fleet.root("node-a") + "/home/cosmos/.simd/config/config.toml (change)\n"
            "  ~ " + fleet.root("node-b") + "/home/cosmos/.simd/config/node_key.json (change) (secret, content hidden)\n"
            "  ~ " + fleet.root("node-d") + "/home/cosmos/.simd/config/config.toml (change)\n")
      << planned.out;
  const std::string gone =
      "host node-gone is no longer in the topology: picket last deployed to it at "
      "2026-01-02T03:04:05.000Z; the 1 file it wrote there is left alone (not removed, nothing stopped):\n"
      "  /home/cosmos/.simd/config/config.toml\n";
  EXPECT_NE(planned.out.find(gone), std::string::npos) << planned.out;

  const CliRun deployed = picket("deploy " + common() + " --yes --health-timeout 10");
  ASSERT_EQ(deployed.rc, 0) << deployed.out;
  EXPECT_NE(deployed.out.find(gone), std::string::npos) << deployed.out;
  std::vector<std::string> restarted;
  std::istringstream trace_lines(read_text(trace()));
  for (std::string line; std::getline(trace_lines, line);) restarted.push_back(line);
  std::sort(restarted.begin(), restarted.end());
  EXPECT_EQ(restarted, (std::vector<std::string>{"node-a", "node-b", "node-d"}));

  const CliRun again = picket("plan " + common() + " --detailed-exitcode");
  EXPECT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find(gone), std::string::npos) << again.out;
}

// Plan and deploy render with the operator's --templates, as render does: what was deployed
// with a site template plans clean with it, and only without it would picket change files.
TEST_F(PicketOverSsh, TemplatesReachTheHosts) {
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                   shell_quote(net + "/inventory.yaml")).rc,
            0);
  const std::string templates = fleet.dir() + "/templates";
  fs::create_directories(templates);
  std::ofstream(templates + "/nftables.nft.mustache")
      << "# site template\n"
      << read_text(std::string(PICKET_SOURCE_DIR) + "/templates/nftables.nft.mustache");
  const std::string with = common() + " --templates " + shell_quote(templates);

  const CliRun deployed = picket("deploy " + with + " --yes --health-timeout 10");
  ASSERT_EQ(deployed.rc, 0) << deployed.out;
  for (const std::string& h : k_hosts)
    EXPECT_EQ(read_text(fleet.root(h) + "/etc/nftables.d/picket.nft").rfind("# site template\n", 0),
              0u)
        << h;

  const CliRun same = picket("plan " + with + " --detailed-exitcode");
  EXPECT_EQ(same.rc, 0) << same.out;
  const CliRun builtin = picket("plan " + common() + " --detailed-exitcode");
  EXPECT_EQ(builtin.rc, 2) << builtin.out;
  EXPECT_NE(builtin.out.find("Plan: 0 to create, 5 to change, "), std::string::npos) << builtin.out;
  EXPECT_NE(builtin.out.find("-# site template\n"), std::string::npos) << builtin.out;
}

// Found by bench/fault_campaign.py: sshd killed after a host's files were in place but before
// its lock was released leaves the lock behind; a later deploy that has nothing to change on
// that host never took the lock, so it never said it was there.
TEST_F(PicketOverSsh, ALockLeftOnAnUnchangedHostIsReportedAndForceUnlocked) {
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                   shell_quote(net + "/inventory.yaml")).rc,
            0);
  const CliRun first = picket("deploy " + common() + " --yes --health-timeout 10");
  ASSERT_EQ(first.rc, 0) << first.out;

  // An interrupted deploy's lock on node-c; node-a has one file to put back.
  const std::string lock = fleet.root("node-c") + "/var/lib/picket/deploy.lock";
  std::ofstream(lock) << R"x({"owner": "alice@laptop (pid 7)", "since": "2026-01-02T03:04:05Z"})x";
  fs::remove(fleet.root("node-a") + "/home/cosmos/.simd/config/config.toml");
  const std::string held =
      "locked by alice@laptop (pid 7) since 2026-01-02T03:04:05Z (a deploy that did not finish? "
      "this one changes nothing here; deploy with --force-unlock to remove it)";

  const CliRun partial = picket("deploy " + common() + " --yes --health-timeout 10");
  EXPECT_EQ(partial.rc, 0) << partial.out;
  EXPECT_NE(partial.out.find("  node-c: unchanged\n    note: " + held + "\n"), std::string::npos)
      << partial.out;
  EXPECT_TRUE(fs::exists(lock));

  // Nothing to change anywhere: still said.
  const CliRun idle = picket("deploy " + common() + " --yes");
  EXPECT_EQ(idle.rc, 0) << idle.out;
  EXPECT_NE(idle.out.find("  node-c: note: " + held + "\nNothing to deploy.\n"), std::string::npos)
      << idle.out;
  EXPECT_TRUE(fs::exists(lock));

  const CliRun cleared = picket("deploy " + common() + " --yes --force-unlock");
  EXPECT_EQ(cleared.rc, 0) << cleared.out;
  EXPECT_NE(cleared.out.find("  node-c: note: removed a lock held by alice@laptop (pid 7) since "
                             "2026-01-02T03:04:05Z (--force-unlock; no process of that deploy was "
                             "left on the host)\nNothing to deploy.\n"),
            std::string::npos)
      << cleared.out;
  EXPECT_FALSE(fs::exists(lock));
}

// Ctrl-C (SIGINT) in the middle of a rollout: node-e's restart (step 2) interrupts picket,
// which lets that step finish, then stops: the hosts of steps 3-5 keep nothing of this
// deploy (every file was staged before step 1; those temp files are removed), every lock
// is released, and the report says where it stopped.
TEST_F(PicketOverSsh, AnInterruptStopsAfterTheStepUnderWayAndCleansUp) {
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                   shell_quote(net + "/inventory.yaml")).rc,
            0);
  // The lock holds picket's pid: "user@machine (pid N)".
  const std::string script = fleet.dir() + "/interrupt.sh";
  std::ofstream(script) << "pid=$(sed -n 's/.*(pid \\([0-9]*\\)).*/\\1/p' "
                        << shell_quote(fleet.root("node-e") + "/var/lib/picket/deploy.lock")
                        << ")\nkill -INT \"$pid\"\necho node-e >> " << shell_quote(trace()) << "\n";
  std::string inventory = read_text(net + "/inventory.yaml");
  const std::string restart_e = "restart: \"echo node-e >> " + shell_quote(trace()) + "\"";
  const auto at = inventory.find(restart_e);
  ASSERT_NE(at, std::string::npos) << inventory;
  inventory.replace(at, restart_e.size(), "restart: \"sh " + script + "\"");
  std::ofstream(net + "/inventory.yaml") << inventory;

  const CliRun stopped = picket("deploy " + common() + " --yes --health-timeout 10");
  EXPECT_EQ(stopped.rc, 3) << stopped.out;
  EXPECT_EQ(read_text(trace()), "node-d\nnode-e\n");
  const auto report = stopped.out.find("  node-a: ");
  ASSERT_NE(report, std::string::npos) << stopped.out;
  // config.toml, node_key.json, picket.nft and /etc/nftables.conf (the fleet's hosts name no
  // service, so no unit drop-in).
  EXPECT_EQ(stopped.out.substr(report),
            "  node-a: untouched (its changes were not applied)\n"
            "  node-b: untouched (its changes were not applied)\n"
            "  node-c: untouched (its changes were not applied)\n"
            "  node-d: deployed: 4 files written, restarted public-a\n"
            "  node-e: deployed: 4 files written, restarted public-b\n"
            "Deploy failed after 2 of 5 steps: interrupted before step 3.\n")
      << stopped.out;
  EXPECT_NE(stopped.out.find("picket: interrupted: finishing the current step, then stopping"),
            std::string::npos)
      << stopped.out;
  for (const std::string& h : k_hosts) {
    std::vector<std::string> left;
    for (const auto& e : fs::recursive_directory_iterator(fleet.root(h)))
      if (e.is_regular_file() || e.is_symlink()) left.push_back(e.path().string().substr(fleet.root(h).size()));
    std::sort(left.begin(), left.end());
    if (h == "node-a" || h == "node-b" || h == "node-c")
      EXPECT_EQ(left, std::vector<std::string>{}) << h;  // nothing staged is left, no lock
    else
      EXPECT_EQ(std::count_if(left.begin(), left.end(),
                              [](const std::string& p) { return p.find("picket-tmp") != std::string::npos ||
                                                                p.find("deploy.lock") != std::string::npos; }),
                0)
          << h;
  }
}


// Deploy output (issue 10, item 13). Without a terminal: one line per step and per host event
// that matters, no file path, no lock or upload chatter (the deploy log keeps it all; so does
// --verbose). On a terminal: each step's hosts on lines updated in place with their elapsed
// time and what they wait for, then the summary.
TEST_F(PicketOverSsh, DeployOutputIsConciseWithoutATerminalAndLiveOnOne) {
  ASSERT_EQ(picket("keys " + shell_quote(net + "/topology.yaml") + " --inventory " +
                   shell_quote(net + "/inventory.yaml")).rc,
            0);
  const CliRun deployed = picket("deploy " + common() + " --yes --health-timeout 10");
  ASSERT_EQ(deployed.rc, 0) << deployed.out;
  // The progress begins at the line of "deploy started" (lint's warnings and the plan come first).
  const auto started = deployed.out.find("] deploy started");
  ASSERT_NE(started, std::string::npos) << deployed.out;
  const auto from = deployed.out.rfind('\n', started) + 1;
  const auto to = deployed.out.find("  node-a: deployed");
  ASSERT_NE(to, std::string::npos);
  const std::string progress =
      std::regex_replace(deployed.out.substr(from, to - from), std::regex(R"(\[ *[0-9]+\.[0-9]s\])"), "[t]");
  EXPECT_EQ(progress,
            "[t] deploy started (5 hosts, 5 steps)\n"
            "[t] step started (1: public-sentry: public-a)\n"
            "[t] node-d: reload-firewall ok\n"
            "[t] node-d: restart ok (public-a)\n"
            "[t] node-d: health ok (public-a, 1 attempt)\n"
            "[t] step started (2: public-sentry: public-b)\n"
            "[t] node-e: reload-firewall ok\n"
            "[t] node-e: restart ok (public-b)\n"
            "[t] node-e: health ok (public-b, 1 attempt)\n"
            "[t] step started (3: private-sentry: sentry-a)\n"
            "[t] node-b: reload-firewall ok\n"
            "[t] node-b: restart ok (sentry-a)\n"
            "[t] node-b: health ok (sentry-a, 1 attempt)\n"
            "[t] step started (4: private-sentry: sentry-b)\n"
            "[t] node-c: reload-firewall ok\n"
            "[t] node-c: restart ok (sentry-b)\n"
            "[t] node-c: health ok (sentry-b, 1 attempt)\n"
            "[t] step started (5: validator: validator)\n"
            "[t] node-a: reload-firewall ok\n"
            "[t] node-a: restart ok (validator)\n"
            "[t] node-a: health ok (validator, 1 attempt)\n");
  const std::string log = read_text(net + "/.picket/deploy.log");
  EXPECT_NE(log.find("\"action\":\"stage\""), std::string::npos);

  // Changed again, on a terminal (script(1) gives picket a pty).
  std::string inventory = read_text(net + "/inventory.yaml");
  inventory.replace(inventory.find("check: \"true\""), 13, "check: \"sleep 1\"");
  std::ofstream(net + "/inventory.yaml") << inventory;
  for (const std::string& h : k_hosts)
    std::ofstream(fleet.root(h) + "/home/cosmos/.simd/config/config.toml") << "old\n";
  std::string live;
  const int rc = run_shell("TERM=xterm script -qfec " +
                               shell_quote(shell_quote(PICKET_BINARY) + " deploy " + common() +
                                           " --yes --health-timeout 10 --force-unlock") +
                               " /dev/null </dev/null",
                           &live);
  EXPECT_EQ(rc, 0) << live;
  // Lines were rewritten in place while a health check waited (the check takes 1 s)...
  EXPECT_NE(live.find("\x1b[1A\x1b[2K"), std::string::npos) << live;
  EXPECT_TRUE(std::regex_search(live, std::regex(R"(  +0\.[2-9]s  node-d: restarted public-a; waiting for the health check)")))
      << live;
  // ... and what the terminal shows at the end, the cursor movements applied:
  std::vector<std::string> screen;
  std::size_t cursor = 0;
  std::string text = std::regex_replace(live, std::regex("\r"), "");
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    std::string line = text.substr(start, end - start);
    std::smatch up;
    while (std::regex_search(line, up, std::regex(R"(^\x1b\[([0-9]+)A)"))) {
      cursor -= std::min<std::size_t>(cursor, std::stoul(up[1]));
      line = up.suffix();
    }
    line = std::regex_replace(line, std::regex(R"(\x1b\[2K)"), "");
    if (cursor < screen.size()) screen[cursor] = line; else screen.push_back(line);
    ++cursor;
    screen.resize(cursor);
    start = end + 1;
  }
  std::string shown;
  bool on = false;
  for (const std::string& l : screen) {
    if (l.rfind("Deploying:", 0) == 0) on = true;
    if (on && !l.empty()) shown += std::regex_replace(l, std::regex(R"( +[0-9]+\.[0-9]s  )"), "  <t>  ") + "\n";
  }
  EXPECT_EQ(shown,
            "Deploying: 5 hosts, 5 steps\n"
            "  <t>  locking, checking and uploading\n"
            "Step 1: public-sentry: public-a\n"
            "  <t>  node-d: healthy: public-a, 1 attempt\n"
            "Step 2: public-sentry: public-b\n"
            "  <t>  node-e: healthy: public-b, 1 attempt\n"
            "Step 3: private-sentry: sentry-a\n"
            "  <t>  node-b: healthy: sentry-a, 1 attempt\n"
            "Step 4: private-sentry: sentry-b\n"
            "  <t>  node-c: healthy: sentry-b, 1 attempt\n"
            "Step 5: validator: validator\n"
            "  <t>  node-a: healthy: validator, 1 attempt\n"
            "  node-a: deployed: 1 file written, restarted validator\n"
            "  node-b: deployed: 1 file written, restarted sentry-a\n"
            "  node-c: deployed: 1 file written, restarted sentry-b\n"
            "  node-d: deployed: 1 file written, restarted public-a\n"
            "  node-e: deployed: 1 file written, restarted public-b\n"
            "Deploy complete: 5 hosts changed, 5 nodes restarted in 5 steps.\n")
      << shown;
}
}  // namespace
}  // namespace picket

namespace picket {
namespace {

// The partner handoff (issue 14, item 4): plan says a partner has been handed nothing yet; a
// deploy that leaves every host as rendered records what the partner was handed (exactly what
// `picket partner` prints); when our side changes, plan calls out the partner and the facts
// that changed, and says nothing of a partner whose handoff still holds.
TEST_F(PicketOverSsh, PlanCallsOutAPartnerWhoseHandoffChanged) {
  const std::string topology_path = net + "/topology.yaml";
  const std::string base = read_text(topology_path);
  auto with_partners = [&](const std::string& lyra_with) {
    std::ofstream(topology_path) << base
                                 << "partners:\n"
                                    "  lyra:\n"
                                    "    peers: [{id: 1111111111111111111111111111111111111111, address: \"203.0.113.50:26656\"}]\n"
                                    "    with: [" << lyra_with << "]\n"
                                    "  vega:\n"
                                    "    peers: [{id: 2222222222222222222222222222222222222222, address: \"203.0.113.60:26656\"}]\n"
                                    "    with: [sentry-b]\n";
  };
  with_partners("sentry-a");
  const CliRun keys = picket("keys " + shell_quote(topology_path) + " --inventory " + shell_quote(net + "/inventory.yaml"));
  ASSERT_EQ(keys.rc, 0) << keys.out;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(keys.out, id, std::regex("node +sentry-b +([0-9a-f]{40}) "))) << keys.out;
  const std::string sentry_b = id[1];
  const std::string send = "  (send them `picket partner " + topology_path + " lyra`)\n";
  // stdout alone (lint's no-monitor warning goes to stderr).
  auto stdout_of = [&](const std::string& args) {
    CliRun r;
    r.rc = run_shell("{ " + shell_quote(PICKET_BINARY) + " " + args + " </dev/null 2>/dev/null; }", &r.out);
    return r;
  };

  auto partner_lines = [](const std::string& out) {
    std::string lines;
    std::istringstream in(out);
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("partner ", 0) == 0) inside = true;
      else if (line.rfind("  ", 0) != 0) inside = false;
      if (inside) lines += line + "\n";
    }
    return lines;
  };

  const CliRun first = picket("plan " + common());
  ASSERT_EQ(first.rc, 0) << first.out;
  EXPECT_EQ(partner_lines(first.out),
            "partner lyra: no handoff recorded yet (deploy records it); send them `picket partner " + topology_path + " lyra`\n"
            "partner vega: no handoff recorded yet (deploy records it); send them `picket partner " + topology_path + " vega`\n");

  const CliRun deployed = picket("deploy " + common() + " --yes --health-timeout 10");
  ASSERT_EQ(deployed.rc, 0) << deployed.out;
  const CliRun handed = stdout_of("partner " + shell_quote(topology_path) + " --inventory " +
                                  shell_quote(net + "/inventory.yaml") + " lyra");
  ASSERT_EQ(handed.rc, 0) << handed.out;
  EXPECT_EQ(read_text(net + "/.picket/handoffs/lyra.txt"), handed.out);
  EXPECT_EQ(partner_lines(picket("plan " + common()).out), "");

  // sentry-b now peers with lyra too: lyra must add it; vega's handoff still holds.
  with_partners("sentry-a, sentry-b");
  const CliRun changed = picket("plan " + common());
  ASSERT_EQ(changed.rc, 0) << changed.out;
  EXPECT_EQ(partner_lines(changed.out),
            "partner lyra must update its side: what we hand it changed since the last deploy\n"
            "  + sentry-b: " + sentry_b + "@127.0.0.1:26656\n"
            "  + node-c: tcp 26656 (p2p of sentry-b) from 203.0.113.50\n" + send);
  const CliRun json = stdout_of("plan " + common() + " --format json");
  const auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  EXPECT_EQ(doc["partner_updates"].dump(),
            "[{\"changes\":[\"+ sentry-b: " + sentry_b + "@127.0.0.1:26656\",\"+ node-c: tcp 26656 (p2p of sentry-b) from "
            "203.0.113.50\"],\"first\":false,\"partner\":\"lyra\"}]");

  // The next deploy records the new handoff: nothing more to call out.
  ASSERT_EQ(picket("deploy " + common() + " --yes --health-timeout 10").rc, 0);
  EXPECT_EQ(partner_lines(picket("plan " + common()).out), "");
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// `picket backup` and `picket restore` (issue 14, item 5) against the fleet: every managed
// file of every host and the secrets folder in one encrypted archive, no secret in anything
// printed; one host's lost and damaged files put back as they were; an altered archive and
// an archive holding signing state refused, with the reason, and nothing written.
TEST_F(PicketOverSsh, BackupAndRestoreOneHost) {
  const std::string topology_path = net + "/topology.yaml";
  const std::string inventory = " --inventory " + shell_quote(net + "/inventory.yaml");
  ASSERT_EQ(picket("keys " + shell_quote(topology_path) + inventory).rc, 0);
  ASSERT_EQ(picket("deploy " + common() + " --yes --health-timeout 10").rc, 0);
  auto stdout_of = [&](const std::string& args) {
    CliRun r;
    r.rc = run_shell("{ " + shell_quote(PICKET_BINARY) + " " + args + " </dev/null 2>" + shell_quote(net + "/stderr") + "; }", &r.out);
    return r;
  };
  const std::string archive = net + "/backup.pkb";
  const CliRun backup = stdout_of("backup " + common() + " --out " + shell_quote(archive));
  ASSERT_EQ(backup.rc, 0) << backup.out << read_text(net + "/stderr");
  EXPECT_EQ(backup.out,
            "node-a: 4 files\nnode-b: 4 files\nnode-c: 4 files\nnode-d: 4 files\nnode-e: 4 files\n"
            "secrets folder " + net + "/.picket/secrets: 6 files\n"
            "backed up 26 files from 5 hosts into " + archive +
            " (0600, encrypted; signing state files are never read)\n");
  EXPECT_NE(read_text(net + "/stderr").find("picket: created the backup key " + net + "/.picket/backup.key (0600)"),
            std::string::npos);
  EXPECT_EQ(fs::status(archive).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(net + "/.picket/backup.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  // No key material in the clear: not in the archive, not in anything printed.
  const std::string sealed = read_text(archive);
  const std::string key_text = read_text(net + "/.picket/backup.key");
  for (const auto& entry : fs::recursive_directory_iterator(net + "/.picket/secrets")) {
    if (!entry.is_regular_file() || entry.path().filename() == ".gitignore") continue;
    const std::string key = read_text(entry.path().string());
    const auto value = key.find("\"value\":\"");
    const std::string secret = value == std::string::npos ? key.substr(0, 40) : key.substr(value + 9, 40);
    EXPECT_EQ(sealed.find(secret), std::string::npos) << entry.path();
    EXPECT_EQ(backup.out.find(secret), std::string::npos) << entry.path();
  }
  EXPECT_EQ(backup.out.find(key_text.substr(0, 40)), std::string::npos);
  EXPECT_EQ(read_text(net + "/stderr").find(key_text.substr(0, 40)), std::string::npos);

  // node-b loses its node key and gets a damaged config.toml.
  const std::string config_dir = fleet.root("node-b") + "/home/cosmos/.simd/config";
  const std::string node_key = read_text(config_dir + "/node_key.json");
  const std::string config = read_text(config_dir + "/config.toml");
  ASSERT_FALSE(node_key.empty());
  fs::remove(config_dir + "/node_key.json");
  std::ofstream(config_dir + "/config.toml") << "garbage\n";

  // Without --yes nothing is written; an altered archive is refused whole.
  EXPECT_EQ(picket("restore " + common() + " " + shell_quote(archive) + " --host node-b").rc, 64);
  EXPECT_FALSE(fs::exists(config_dir + "/node_key.json"));
  std::string altered = sealed;
  altered[altered.size() / 2] = static_cast<char>(altered[altered.size() / 2] ^ 0x20);
  std::ofstream(net + "/altered.pkb", std::ios::binary) << altered;
  const CliRun refused = picket("restore " + common() + " " + shell_quote(net + "/altered.pkb") + " --host node-b --yes");
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_NE(refused.out.find("fails authentication: the archive was altered, or the key is not the one it was made with; nothing restored"),
            std::string::npos) << refused.out;
  EXPECT_FALSE(fs::exists(config_dir + "/node_key.json"));

  const CliRun restored = stdout_of("restore " + common() + " " + shell_quote(archive) + " --host node-b --yes");
  ASSERT_EQ(restored.rc, 0) << restored.out << read_text(net + "/stderr");
  EXPECT_EQ(read_text(config_dir + "/node_key.json"), node_key);
  EXPECT_EQ(fs::status(config_dir + "/node_key.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_text(config_dir + "/config.toml"), config);
  EXPECT_EQ(read_text(config_dir + "/config.toml.picket-bak"), "garbage\n");
  EXPECT_EQ(picket("plan " + common() + " --detailed-exitcode").rc, 0);  // as deployed again

  // An archive that holds node-a's signing state (not one picket makes: by hand) is refused;
  // the key material alone may be restored from it.
  const auto key = parse_backup_key(key_text);
  ASSERT_TRUE(key);
  Archive with_state;
  with_state.created = "2026-12-04T16:00:00Z";
  with_state.entries.push_back({"node-a", "/home/cosmos/.simd/data/priv_validator_state.json", 0600, "{\"height\":\"1\"}"});
  with_state.entries.push_back({"node-a", "/home/cosmos/.simd/config/node_key.json", 0600, "{\"k\":1}"});
  with_state.entries.push_back({"node-a", "/home/cosmos/.simd/config/config.toml", 0644, "x = 1\n"});
  std::ofstream(net + "/state.pkb", std::ios::binary) << seal_archive(with_state, *key);
  const CliRun state = picket("restore " + common() + " " + shell_quote(net + "/state.pkb") + " --host node-a --yes");
  EXPECT_EQ(state.rc, 1) << state.out;
  EXPECT_NE(state.out.find("picket: error: the archive holds signing state for node-a "
                           "(/home/cosmos/.simd/data/priv_validator_state.json): restoring an older one lets the "
                           "validator sign a height twice (a double-sign: slashed and jailed for good); picket never "
                           "restores one. Restore the key material alone with --keys-only; nothing restored\n"),
            std::string::npos) << state.out;
  const std::string a_root = fleet.root("node-a") + "/home/cosmos/.simd";
  const std::string a_config = read_text(a_root + "/config/config.toml");
  const CliRun keys_only = stdout_of("restore " + common() + " " + shell_quote(net + "/state.pkb") + " --host node-a --keys-only --yes");
  ASSERT_EQ(keys_only.rc, 0) << keys_only.out << read_text(net + "/stderr");
  EXPECT_EQ(keys_only.out,
            "restoring 1 file of node-a from the archive of 2026-12-04T16:00:00Z:\n"
            "  /home/cosmos/.simd/config/node_key.json (mode 0600)\n"
            "restored 1 file on node-a; previous versions kept as <file>.picket-bak; restart its services (or run "
            "picket deploy) to use them\n");
  EXPECT_EQ(read_text(a_root + "/config/node_key.json"), "{\"k\":1}");
  EXPECT_EQ(read_text(a_root + "/config/config.toml"), a_config);
  EXPECT_FALSE(fs::exists(a_root + "/data/priv_validator_state.json"));

  // horcrux's sign state is refused the same way; its shard and ECIES keys are key material.
  Archive horcrux;
  horcrux.created = "2026-12-04T16:00:00Z";
  horcrux.entries.push_back({"node-a", "/home/cosmos/.horcrux/state/hub_share_sign_state.json", 0600, "{\"height\":\"1\"}"});
  horcrux.entries.push_back({"node-a", "/home/cosmos/.horcrux/hub_shard.json", 0600, "{\"shard\":1}"});
  horcrux.entries.push_back({"node-a", "/home/cosmos/.horcrux/ecies_keys.json", 0600, "{\"ecies\":1}"});
  std::ofstream(net + "/horcrux.pkb", std::ios::binary) << seal_archive(horcrux, *key);
  const CliRun hx_state = picket("restore " + common() + " " + shell_quote(net + "/horcrux.pkb") + " --host node-a --yes");
  EXPECT_EQ(hx_state.rc, 1) << hx_state.out;
  EXPECT_NE(hx_state.out.find("picket: error: the archive holds signing state for node-a "
                              "(/home/cosmos/.horcrux/state/hub_share_sign_state.json): restoring an older one"),
            std::string::npos) << hx_state.out;
  const CliRun hx_keys = stdout_of("restore " + common() + " " + shell_quote(net + "/horcrux.pkb") + " --host node-a --keys-only --yes");
  ASSERT_EQ(hx_keys.rc, 0) << hx_keys.out << read_text(net + "/stderr");
  const std::string hx_root = fleet.root("node-a") + "/home/cosmos/.horcrux";
  EXPECT_EQ(read_text(hx_root + "/hub_shard.json"), "{\"shard\":1}");
  EXPECT_EQ(read_text(hx_root + "/ecies_keys.json"), "{\"ecies\":1}");
  EXPECT_FALSE(fs::exists(hx_root + "/state/hub_share_sign_state.json"));
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// A YubiHSM signer's wrapped key exports, where the topology names them, are backed up and
// count as key material; `picket restore --controller` puts a lost or damaged secrets folder
// back (0600, the damaged file kept), and refuses an archive naming a path outside it.
TEST_F(PicketOverSshWithSigner, BackupReadsWrappedExportsAndRestoreControllerPutsTheSecretsBack) {
  const std::string topology_path = net + "/topology.yaml";
  const std::string export_path = "/home/cosmos/.tmkms/consensus-key.wrap";
  std::string topology = read_text(topology_path);
  topology = std::regex_replace(topology, std::regex("validator: \\{role: validator, host: node-a\\}"),
                                "validator: {role: validator, host: node-a, signer: hsm}");
  topology = std::regex_replace(topology, std::regex("\nlinks:\n"),
                                "\n  hsm: {role: signer, host: node-f, tmkms: {provider: yubihsm, wrapped_exports: [" +
                                    export_path + "]}}\nlinks:\n");
  std::ofstream(topology_path) << topology;
  std::string inventory = read_text(net + "/inventory.yaml");
  inventory = std::regex_replace(inventory, std::regex("node-f: \\{"),
                                 "node-f: {signer_restart: \"echo node-f-signer >> " + trace() +
                                     "\", signer_check: \"true\", reload_units: \"echo node-f-units >> " +
                                     trace() + "\", ");
  std::ofstream(net + "/inventory.yaml") << inventory;
  const std::string keys = "keys " + shell_quote(topology_path) + " --inventory " + shell_quote(net + "/inventory.yaml");
  ASSERT_EQ(picket(keys).rc, 0);
  const CliRun deployed = picket("deploy " + common() + " --yes --health-timeout 10");
  ASSERT_EQ(deployed.rc, 0) << deployed.out;
  // The signer's host got tmkms.service's drop-in: systemd re-read its units (reload_units)
  // before tmkms restarted there.
  EXPECT_EQ(read_text(trace()), "node-d\nnode-e\nnode-b\nnode-c\nnode-f-units\nnode-f-signer\nnode-a\n");
  const std::string wrapped = fleet.root("node-f") + export_path;
  fs::create_directories(fs::path(wrapped).parent_path());
  const std::string sealed_key = std::string("wrapped\0key\xff bytes\n", 18);
  std::ofstream(wrapped, std::ios::binary) << sealed_key;
  fs::permissions(wrapped, fs::perms::owner_read | fs::perms::owner_write);
  // stdout alone, the archive's creation time as TIME.
  auto stdout_of = [&](const std::string& args) {
    CliRun r;
    r.rc = run_shell("{ " + shell_quote(PICKET_BINARY) + " " + args + " </dev/null 2>" + shell_quote(net + "/stderr") + "; }", &r.out);
    r.out = std::regex_replace(r.out, std::regex("the archive of [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z:"), "the archive of TIME:");
    return r;
  };

  const std::string archive = net + "/backup.pkb";
  const CliRun backup = stdout_of("backup " + common() + " --out " + shell_quote(archive));
  ASSERT_EQ(backup.rc, 0) << backup.out << read_text(net + "/stderr");
  EXPECT_EQ(backup.out,
            "node-a: 4 files\nnode-b: 4 files\nnode-c: 4 files\nnode-d: 4 files\nnode-e: 4 files\n"
            "node-f: 5 files, not on the host yet: /home/cosmos/.simd/secrets/kms-identity.key\n"
            "secrets folder " + net + "/.picket/secrets: 6 files\n"
            "backed up 31 files from 6 hosts into " + archive +
            " (0600, encrypted; signing state files are never read)\n");
  EXPECT_EQ(read_text(archive).find("key\xff bytes"), std::string::npos);

  // The export is key material: --keys-only puts it back.
  fs::remove(wrapped);
  const CliRun keys_only = stdout_of("restore " + common() + " " + shell_quote(archive) + " --host node-f --keys-only --yes");
  ASSERT_EQ(keys_only.rc, 0) << keys_only.out << read_text(net + "/stderr");
  EXPECT_EQ(keys_only.out,
            "restoring 1 file of node-f from the archive of TIME:\n"
            "  " + export_path + " (mode 0600)\n"
            "restored 1 file on node-f; previous versions kept as <file>.picket-bak; restart its services (or run "
            "picket deploy) to use them\n");
  EXPECT_EQ(read_text(wrapped), sealed_key);
  EXPECT_EQ(fs::status(wrapped).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  // The controller loses one key and another is damaged.
  const std::string secrets = net + "/.picket/secrets";
  std::map<std::string, std::string> before;
  for (const auto& entry : fs::recursive_directory_iterator(secrets))
    if (entry.is_regular_file()) before[fs::relative(entry.path(), secrets).string()] = read_text(entry.path().string());
  ASSERT_GE(before.size(), 3u);
  auto it = before.begin();
  if (it->first == ".gitignore") ++it;
  const std::string lost = it->first;
  const std::string damaged = std::next(it)->first;
  fs::remove(secrets + "/" + lost);
  std::ofstream(secrets + "/" + damaged) << "damaged\n";
  EXPECT_EQ(picket("restore " + common() + " " + shell_quote(archive) + " --controller --host node-a --yes").rc, 64);
  EXPECT_EQ(picket("restore " + common() + " " + shell_quote(archive) + " --controller --keys-only --yes").rc, 64);
  EXPECT_EQ(picket("restore " + common() + " " + shell_quote(archive) + " --yes").rc, 64);
  const CliRun unconfirmed = picket("restore " + common() + " " + shell_quote(archive) + " --controller");
  EXPECT_EQ(unconfirmed.rc, 64) << unconfirmed.out;
  EXPECT_FALSE(fs::exists(secrets + "/" + lost));
  const CliRun restored = stdout_of("restore " + common() + " " + shell_quote(archive) + " --controller --yes");
  ASSERT_EQ(restored.rc, 0) << restored.out << read_text(net + "/stderr");
  std::string listed;
  for (const auto& entry : before) listed += "  " + entry.first + "\n";
  EXPECT_EQ(restored.out, "restoring 6 files of the secrets folder " + secrets + " from the archive of TIME:\n" +
                              listed + "restored 2 files into " + secrets +
                              " (0600), 4 files already the same; a file that differed is kept as <file>.picket-bak\n");
  for (const auto& [rel, content] : before) {
    EXPECT_EQ(read_text(secrets + "/" + rel), content) << rel;
    EXPECT_EQ(fs::status(secrets + "/" + rel).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write) << rel;
  }
  EXPECT_EQ(read_text(secrets + "/" + damaged + ".picket-bak"), "damaged\n");
  EXPECT_FALSE(fs::exists(secrets + "/" + lost + ".picket-bak"));
  EXPECT_EQ(picket("plan " + common() + " --detailed-exitcode").rc, 0);  // the keys deployed are back

  // An archive naming a file outside the secrets folder is refused whole.
  const auto key = parse_backup_key(read_text(net + "/.picket/backup.key"));
  ASSERT_TRUE(key);
  Archive escaping;
  escaping.created = "2026-12-05T08:00:00Z";
  escaping.entries.push_back({"", "node-a/node_key.json", 0600, "{}"});
  escaping.entries.push_back({"", "../outside", 0600, "x"});
  std::ofstream(net + "/escaping.pkb", std::ios::binary) << seal_archive(escaping, *key);
  const CliRun refused = picket("restore " + common() + " " + shell_quote(net + "/escaping.pkb") + " --controller --yes");
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_EQ(refused.out,
            "picket: error: the archive names \"../outside\" in the secrets folder, outside it; nothing restored\n");
  EXPECT_FALSE(fs::exists(net + "/.picket/outside"));
  for (const auto& [rel, content] : before) EXPECT_EQ(read_text(secrets + "/" + rel), content) << rel;
}

}  // namespace
}  // namespace picket
