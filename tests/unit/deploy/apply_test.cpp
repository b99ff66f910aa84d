#include "deploy/apply.hpp"

#include <gtest/gtest.h>

#include "deploy/host_commands.hpp"
#include "tests/support/memory_transport.hpp"
#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

using test::find_file;

// The last `n` operations (all of them when there are fewer, so a comparison shows them).
std::vector<std::string> last(const std::vector<std::string>& ops, std::size_t n) {
  return {ops.end() - static_cast<std::ptrdiff_t>(std::min(n, ops.size())), ops.end()};
}

const char* const k_config = "/home/cosmos/.gaia/config/config.toml";
const char* const k_node_key = "/home/cosmos/.gaia/config/node_key.json";
const char* const k_nft = "/etc/nftables.d/picket.nft";
const char* const k_wg = "/etc/wireguard/picket.conf";

struct ApplyFixture : ::testing::Test {
  Topology topology = test::sentry_topology();
  Inventory inventory = test::sentry_inventory();
  FileSet files = test::sentry_files();
  MemoryFleet fleet;
  MemoryConnector connector{fleet};
  std::vector<LogRecord> records;
  ApplyOptions options;

  ApplyFixture() {
    options.parallel = 4;
    options.lock = LockInfo{"alice@laptop (pid 7)", "2026-01-02T03:04:05Z", "a11ce"};
    options.health = HealthOptions{std::chrono::milliseconds(0), std::chrono::milliseconds(0),
                                   [](std::chrono::milliseconds) {}};
    options.now = [] { return std::string("T"); };
    options.on_record = [this](const LogRecord& r) { records.push_back(r); };
    fleet.script_exec("fra-1", "nohup sh -c", ExecResult{0, "", "4242\n", ""});
  }

  // The files as they were before this deploy: every file present in an older version.
  void install_old() {
    FileSet old = files;
    for (RenderedFile& f : old) f.content = "old " + f.content;
    test::install(fleet, old);
  }

  Plan plan() {
    Connections connections(connector, inventory, ConnectOptions{});
    return make_plan(files, topology, inventory, connections, PlanOptions{4});
  }

  ApplyReport deploy() {
    Connections connections(connector, inventory, ConnectOptions{});
    const Plan p = make_plan(files, topology, inventory, connections, PlanOptions{4});
    fleet_logs_after_plan = logs();
    return apply_plan(p, files, topology, inventory, connections, options);
  }

  std::map<std::string, std::vector<std::string>> logs() {
    std::map<std::string, std::vector<std::string>> out;
    for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"})
      out[h] = fleet.host(h).log;
    return out;
  }

  // What a host saw after the plan: the deploy's own operations.
  std::vector<std::string> deploy_ops(const std::string& host) {
    const auto& all = fleet.host(host).log;
    const auto& before = fleet_logs_after_plan[host];
    return {all.begin() + static_cast<std::ptrdiff_t>(before.size()), all.end()};
  }

  std::string content(const std::string& host, const std::string& path) {
    auto it = fleet.host(host).files.find(path);
    return it == fleet.host(host).files.end() ? "<missing>" : it->second.content;
  }

  std::string log_text() {
    std::string out;
    for (const LogRecord& r : records) out += format_log_record(r);
    return out;
  }

  std::map<std::string, std::vector<std::string>> fleet_logs_after_plan;
};

TEST_F(ApplyFixture, FirstDeployThenPlanIsUnchanged) {
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(format_rollout(r.rollout),
            "Rollout: 6 steps\n"
            "  1. public-sentry: pub-nyc (files go live on nyc-1)\n"
            "  2. public-sentry: pub-sgp (files go live on sgp-1)\n"
            "  3. private-sentry: priv-ams (files go live on ams-2)\n"
            "  4. private-sentry: priv-fra (files go live on fra-1)\n"
            "  5. signer: kms (files go live on hsm-ams)\n"
            "  6. validator: validator (files go live on val-ams)\n");
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: deployed: 2 files written, restarted priv-ams\n"
            "  fra-1: deployed: 4 files written, restarted priv-fra\n"
            "  hsm-ams: deployed: 1 file written, restarted kms\n"
            "  nyc-1: deployed: 2 files written, restarted pub-nyc\n"
            "  sgp-1: deployed: 2 files written, restarted pub-sgp\n"
            "  val-ams: deployed: 2 files written, restarted validator\n"
            "Deploy complete: 6 hosts changed, 6 nodes restarted in 6 steps.\n");
  EXPECT_EQ(deploy_ops("nyc-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage /home/cosmos/.gaia/config/config.toml 0644",
                "stage /home/cosmos/.gaia/config/node_key.json 0600",
                // What the host owes from here until the restart is healthy (issue 11).
                "stage /var/lib/picket/pending.json 0644",
                "commit /var/lib/picket/pending.json",
                "commit /home/cosmos/.gaia/config/config.toml",
                "commit /home/cosmos/.gaia/config/node_key.json",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  const Plan again = plan();
  EXPECT_FALSE(again.has_changes());
  EXPECT_EQ(again.counts().unchanged, 13);
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"})
    EXPECT_TRUE(fleet.host(h).locks.empty()) << h;
}

TEST_F(ApplyFixture, FirewallGuardArmsReloadsConnectsFreshAndDisarms) {
  test::install(fleet, files);
  fleet.host("fra-1").files[k_nft].content = "table inet picket {}\n";
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(deploy_ops("fra-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read[root] /etc/nftables.d/picket.nft",
                "read[root] /etc/wireguard/picket.conf",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage[root] /etc/nftables.d/picket.nft 0644",
                "commit[root] /etc/nftables.d/picket.nft",
                // The guard steps aside once another deploy holds the lock (issue 11).
                "exec[root] nohup sh -c 'sleep 60; IFS= read -r l 2>/dev/null "
                "<'\\''/var/lib/picket/deploy.lock'\\''; case $l in '\\'''\\''|*'\\''\"token\":\"a11ce\"'\\''*) "
                ";; *) exit 0;; esac; rm -f -- '\\''/etc/nftables.d/picket.nft.picket-guard'\\'' && "
                "cp -p -- '\\''/etc/nftables.d/picket.nft.picket-bak'\\'' "
                "'\\''/etc/nftables.d/picket.nft.picket-guard'\\'' && mv -f -T -- "
                "'\\''/etc/nftables.d/picket.nft.picket-guard'\\'' '\\''/etc/nftables.d/picket.nft'\\''; "
                "nft -f '\\''/etc/nftables.d/picket.nft'\\''' 'picket-deploy=a11ce' </dev/null >/dev/null 2>&1 & echo $!",
                "exec[root] nft -f '/etc/nftables.d/picket.nft'",
                "connect",
                "exec[root] kill 4242",
                // The node on the host is health-checked (a reload can cut it off), not restarted.
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "unlock /var/lib/picket/deploy.lock",
            }));
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: unchanged\n"
            "  fra-1: deployed: 1 file written\n"
            "  hsm-ams: unchanged\n"
            "  nyc-1: unchanged\n"
            "  sgp-1: unchanged\n"
            "  val-ams: unchanged\n"
            "Deploy complete: 1 host changed, 0 nodes restarted in 1 step.\n");
}

// Issue 13: on a host with ssh_allow, the address the host sees picket at is checked against the
// list before the ruleset is loaded: admitted, the guard runs as before.
TEST_F(ApplyFixture, FirewallAllowlistAdmittingPicketThenTheGuard) {
  test::install(fleet, files);
  fleet.host("fra-1").files[k_nft].content = "table inet picket {}\n";
  for (Host& h : inventory.hosts)
    if (h.name.value == "fra-1")
      h.ssh_allow = std::vector<Located<std::string>>{{"192.0.2.0/28", {}}, {"2001:db8::/32", {}}};
  fleet.script_exec("fra-1", "SSH_CONNECTION", ExecResult{0, "", "192.0.2.9\n", ""});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  const std::vector<std::string> ops = deploy_ops("fra-1");
  ASSERT_GE(ops.size(), 10u);
  EXPECT_EQ(ops[7], "exec printf '%s\\n' \"${SSH_CONNECTION%% *}\"");
  EXPECT_EQ(ops[8].rfind("exec[root] nohup sh -c 'sleep 60; ", 0), 0u) << ops[8];
  EXPECT_EQ(ops[9], "exec[root] nft -f '/etc/nftables.d/picket.nft'");
  EXPECT_NE(log_text().find("firewall-allowlist"), std::string::npos) << log_text();
}

// Not admitted: the host fails before the guard is armed or the ruleset loaded, and its file
// is put back; the guard would only have found the lock-out after the reload.
TEST_F(ApplyFixture, FirewallAllowlistShuttingPicketOutIsRefusedBeforeTheReload) {
  test::install(fleet, files);
  fleet.host("fra-1").files[k_nft].content = "table inet picket {}\n";
  for (Host& h : inventory.hosts)
    if (h.name.value == "fra-1") h.ssh_allow = std::vector<Located<std::string>>{{"192.0.2.0/28", {}}};
  fleet.script_exec("fra-1", "SSH_CONNECTION", ExecResult{0, "", "203.0.113.9\n", ""});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  for (const std::string& op : deploy_ops("fra-1")) {
    EXPECT_EQ(op.find("nohup"), std::string::npos) << op;
    EXPECT_EQ(op.find("nft -f"), std::string::npos) << op;
  }
  EXPECT_EQ(content("fra-1", k_nft), "table inet picket {}\n");
  EXPECT_NE(format_apply_report(r).find(
                "the host sees picket's SSH connection come from 203.0.113.9, which its ssh_allow "
                "does not admit: loading /etc/nftables.d/picket.nft would lock picket out (add that "
                "address to ssh_allow, and to controller: in the inventory)"),
            std::string::npos)
      << format_apply_report(r);
}

TEST_F(ApplyFixture, FirewallGuardIsDisarmedThroughTheFreshConnectionWhenTheOldOneDropped) {
  test::install(fleet, files);
  fleet.host("fra-1").files[k_nft].content = "table inet picket {}\n";
  // The new ruleset drops established sessions: the connection that reloaded it is gone,
  // a new one gets in, disarms the guard and carries on.
  fleet.script_exec("fra-1", "nft -f", ExecResult{}, -1,
                    [](MemoryHost& h) { h.cut_connections_upto = h.connects; });
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  const auto ops = deploy_ops("fra-1");
  EXPECT_EQ(last(ops, 8), (std::vector<std::string>{
                      "exec[root] nft -f '/etc/nftables.d/picket.nft'",
                      "connect",
                      "exec[root] kill 4242",  // on the old connection: lost
                      "exec[root] kill 4242",  // on the fresh one
                      "exec systemctl is-active --quiet 'cosmovisor.service'",
                      "http 26657 /status",
                      "http 26657 /net_info",
                      "unlock /var/lib/picket/deploy.lock",
                  }));
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: unchanged\n"
            "  fra-1: deployed: 1 file written\n"
            "  hsm-ams: unchanged\n"
            "  nyc-1: unchanged\n"
            "  sgp-1: unchanged\n"
            "  val-ams: unchanged\n"
            "Deploy complete: 1 host changed, 0 nodes restarted in 1 step.\n");
}

// The ops of `host` without the fresh connection's "connect", which runs on its own thread
// (alongside the restart) and so lands anywhere between the reload and the disarm.
std::vector<std::string> without_connect(const std::vector<std::string>& ops) {
  std::vector<std::string> out;
  for (const std::string& op : ops)
    if (op != "connect") out.push_back(op);
  return out;
}

std::ptrdiff_t index_of(const std::vector<std::string>& ops, const std::string& op) {
  return std::find(ops.begin(), ops.end(), op) - ops.begin();
}

TEST_F(ApplyFixture, FirewallGuardProofRunsAlongsideTheRestartAndGatesTheHealthCheck) {
  test::install(fleet, files);
  fleet.host("fra-1").files[k_nft].content = "table inet picket {}\n";
  fleet.host("fra-1").files[k_config].content = "old config\n";
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok) << format_apply_report(r);
  const auto ops = deploy_ops("fra-1");
  const std::vector<std::string> expected{
      "lock /var/lib/picket/deploy.lock",
      "read[root] /etc/nftables.d/picket.nft",
      "read[root] /etc/wireguard/picket.conf",
      "read /home/cosmos/.gaia/config/config.toml",
      "read /home/cosmos/.gaia/config/node_key.json",
      "stage[root] /etc/nftables.d/picket.nft 0644",
      "stage /home/cosmos/.gaia/config/config.toml 0644",
      "stage /var/lib/picket/pending.json 0644",
      "commit /var/lib/picket/pending.json",
      "commit[root] /etc/nftables.d/picket.nft",
      "commit /home/cosmos/.gaia/config/config.toml",
      ops[11],  // the guard's arm command (spelled out in the test above)
      "exec[root] nft -f '/etc/nftables.d/picket.nft'",
      "exec[root] systemctl restart 'cosmovisor.service'",
      "exec[root] kill 4242",
      "exec systemctl is-active --quiet 'cosmovisor.service'",
      "http 26657 /status",
      "http 26657 /net_info",
      "restore /var/lib/picket/pending.json",
      "unlock /var/lib/picket/deploy.lock",
  };
  EXPECT_EQ(without_connect(ops), expected);
  EXPECT_EQ(ops[11].rfind("exec[root] nohup sh -c 'sleep 60; ", 0), 0u) << ops[11];
  // Exactly one fresh connection, after the reload and before the disarm.
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "connect"), 1);
  EXPECT_GT(index_of(ops, "connect"), index_of(ops, "exec[root] nft -f '/etc/nftables.d/picket.nft'"));
  EXPECT_LT(index_of(ops, "connect"), index_of(ops, "exec[root] kill 4242"));
}

TEST_F(ApplyFixture, RestartCutOffByTheReloadGoesThroughTheFreshConnection) {
  test::install(fleet, files);
  fleet.host("fra-1").files[k_nft].content = "table inet picket {}\n";
  fleet.host("fra-1").files[k_config].content = "old config\n";
  // The new ruleset drops established sessions: the restart sent on the old connection is
  // lost; once the fresh connection got in, the guard is disarmed and the restart sent
  // again through it, and the health check runs there too.
  fleet.script_exec("fra-1", "nft -f", ExecResult{}, -1,
                    [](MemoryHost& h) { h.cut_connections_upto = h.connects; });
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok) << format_apply_report(r);
  const auto ops = without_connect(deploy_ops("fra-1"));
  EXPECT_EQ(last(ops, 10), (std::vector<std::string>{
                      "exec[root] nft -f '/etc/nftables.d/picket.nft'",
                      "exec[root] systemctl restart 'cosmovisor.service'",  // lost
                      "exec[root] kill 4242",  // on the old connection: lost
                      "exec[root] kill 4242",  // on the fresh one
                      "exec[root] systemctl restart 'cosmovisor.service'",
                      "exec systemctl is-active --quiet 'cosmovisor.service'",
                      "http 26657 /status",
                      "http 26657 /net_info",
                      "restore /var/lib/picket/pending.json",
                      "unlock /var/lib/picket/deploy.lock",
                  }));
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: unchanged\n"
            "  fra-1: deployed: 2 files written, restarted priv-fra\n"
            "  hsm-ams: unchanged\n"
            "  nyc-1: unchanged\n"
            "  sgp-1: unchanged\n"
            "  val-ams: unchanged\n"
            "Deploy complete: 1 host changed, 1 node restarted in 1 step.\n");
}

TEST_F(ApplyFixture, FirewallGuardStaysArmedWhenNoFreshConnectionGetsIn) {
  install_old();
  // The new ruleset locks us out: the connection that reloaded it survives (established),
  // but no new connection gets in.
  fleet.script_exec("fra-1", "nft -f", ExecResult{}, -1,
                    [](MemoryHost& h) { h.refuse_connects_after = h.connects; });
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  const auto ops = deploy_ops("fra-1");
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "exec[root] kill 4242"), 0);
  // Everything but the ruleset is put back by picket; the ruleset is the timer's to restore.
  EXPECT_EQ(content("fra-1", k_config), "old " + find_file(files, "fra-1", k_config).content);
  EXPECT_EQ(content("fra-1", k_nft), find_file(files, "fra-1", k_nft).content);
  EXPECT_EQ(content("fra-1", std::string(k_nft) + ".picket-bak"),
            "old " + find_file(files, "fra-1", k_nft).content);
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: deployed: 2 files written, restarted priv-ams\n"
            "  fra-1: rolled back: 4 files written, 3 restored; error: no new connection after "
            "reloading the firewall: fra-1: connection timed out\n"
            "    note: firewall guard left armed (pid 4242): fra-1 puts its previous ruleset back "
            "and reloads it within 60 s\n"
            "  hsm-ams: untouched (its changes were not applied)\n"
            "  nyc-1: deployed: 2 files written, restarted pub-nyc\n"
            "  sgp-1: deployed: 2 files written, restarted pub-sgp\n"
            "  val-ams: untouched (its changes were not applied)\n"
            "Deploy failed after 3 of 6 steps: fra-1: no new connection after reloading the "
            "firewall: fra-1: connection timed out.\n");
}

TEST_F(ApplyFixture, HealthFailureRollsBackExactlyThatHost) {
  install_old();
  fleet.script_http("sgp-1", 26657, "/status", {status_body(true)});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_EQ(r.steps_done, 1);
  // Step 1 (nyc-1) keeps its new files; sgp-1 is back to the old ones; the rest untouched.
  for (const char* path : {k_config, k_node_key}) {
    EXPECT_EQ(content("nyc-1", path), find_file(files, "nyc-1", path).content);
    EXPECT_EQ(content("sgp-1", path), "old " + find_file(files, "sgp-1", path).content);
  }
  // Later steps' hosts: locked, verified and staged; their staged files removed again,
  // nothing put in place, reloaded or restarted.
  EXPECT_EQ(deploy_ops("val-ams"), (std::vector<std::string>{
                                       "lock /var/lib/picket/deploy.lock",
                                       "read /home/cosmos/.gaia/config/config.toml",
                                       "read /home/cosmos/.gaia/config/node_key.json",
                                       "stage /home/cosmos/.gaia/config/config.toml 0644",
                                       "stage /home/cosmos/.gaia/config/node_key.json 0600",
                                       "discard /home/cosmos/.gaia/config/config.toml",
                                       "discard /home/cosmos/.gaia/config/node_key.json",
                                       "unlock /var/lib/picket/deploy.lock",
                                   }));
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "val-ams"}) {
    EXPECT_EQ(fleet.host(h).commits, 0) << h;
    for (const std::string& op : deploy_ops(h))
      EXPECT_TRUE(op.rfind("lock", 0) == 0 || op.rfind("unlock", 0) == 0 ||
                  op.rfind("read", 0) == 0 || op.rfind("stage", 0) == 0 ||
                  op.rfind("discard", 0) == 0)
          << h << ": " << op;
    for (const auto& [path, file] : fleet.host(h).files)
      EXPECT_EQ(path.find(".picket-tmp"), std::string::npos) << h << ": " << path;
  }
  EXPECT_EQ(deploy_ops("sgp-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage /home/cosmos/.gaia/config/config.toml 0644",
                "stage /home/cosmos/.gaia/config/node_key.json 0600",
                "stage /var/lib/picket/pending.json 0644",
                "commit /var/lib/picket/pending.json",
                "commit /home/cosmos/.gaia/config/config.toml",
                "commit /home/cosmos/.gaia/config/node_key.json",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "restore /home/cosmos/.gaia/config/node_key.json",
                "restore /home/cosmos/.gaia/config/config.toml",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                // The old files are back and running: nothing is owed.
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: untouched (its changes were not applied)\n"
            "  fra-1: untouched (its changes were not applied)\n"
            "  hsm-ams: untouched (its changes were not applied)\n"
            "  nyc-1: deployed: 2 files written, restarted pub-nyc\n"
            "  sgp-1: rolled back: 2 files written, 2 restored; error: health check of pub-sgp "
            "failed after 1 attempt: /status: catching up\n"
            "    note: pub-sgp is not healthy after the rollback: /status: catching up\n"
            "  val-ams: untouched (its changes were not applied)\n"
            "Deploy failed after 1 of 6 steps: sgp-1: health check of pub-sgp failed after 1 "
            "attempt: /status: catching up.\n");
}

// The health gate waits for the graph neighbours a node had before its restart: pub-sgp was
// connected to priv-ams (not to priv-fra, down for reasons of its own) and passes only once
// priv-ams is back.
TEST_F(ApplyFixture, HealthWaitsForTheGraphNeighboursTheNodeHadBefore) {
  install_old();
  const std::string ams(40, 'a'), fra(40, 'f'), stranger(40, '9');
  options.own_peers["pub-sgp"] = {{"priv-ams", ams}, {"priv-fra", fra}};
  options.health.timeout = std::chrono::seconds(5);  // attempts follow at once (no sleep)
  fleet.script_http("sgp-1", 26657, "/net_info",
                    {net_info_body({ams, stranger}),  // before the restart
                     net_info_body({stranger}), net_info_body({ams, stranger})});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  std::vector<std::string> health;
  for (const LogRecord& rec : records)
    if (rec.host == "sgp-1" && (rec.action == LogAction::health || rec.action == LogAction::restart))
      health.push_back(log_action_name(rec.action) + std::string(": ") + rec.detail);
  EXPECT_EQ(health, (std::vector<std::string>{"restart: pub-sgp", "health: pub-sgp, 2 attempts"}));
  const auto ops = deploy_ops("sgp-1");
  // (after the two stages, the pending record and the two commits)
  EXPECT_EQ(std::vector<std::string>(ops.begin() + 9, ops.end()),
            (std::vector<std::string>{
                "http 26657 /net_info",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
}

TEST_F(ApplyFixture, AGraphNeighbourThatNeverComesBackFailsTheHealthCheck) {
  install_old();
  const std::string ams(40, 'a');
  options.own_peers["pub-sgp"] = {{"priv-ams", ams}};
  fleet.script_http("sgp-1", 26657, "/net_info",
                    {net_info_body({ams}), net_info_body({std::string(40, '9')})});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_NE(format_apply_report(r).find(
                "sgp-1: rolled back: 2 files written, 2 restored; error: health check of pub-sgp "
                "failed after 1 attempt: /net_info: not yet connected again to priv-ams\n"),
            std::string::npos)
      << format_apply_report(r);
}

// After a rollback the node runs on its old config.toml: its health is asked at the RPC port
// that file names, not at the one the failed render gave it.
TEST_F(ApplyFixture, HealthAfterARollbackAsksTheRestoredRpcPort) {
  install_old();
  MemoryHost& sgp = fleet.host("sgp-1");
  sgp.files.at(k_config).content = "[rpc]\nladdr = \"tcp://127.0.0.1:36657\"\n";
  fleet.script_http("sgp-1", 26657, "/status", {status_body(true)});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  const auto ops = deploy_ops("sgp-1");
  EXPECT_EQ(std::vector<std::string>(ops.end() - 7, ops.end()),
            (std::vector<std::string>{
                "restore /home/cosmos/.gaia/config/config.toml",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 36657 /status",
                "http 36657 /net_info",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  EXPECT_NE(format_apply_report(r).find("sgp-1: rolled back"), std::string::npos);
  EXPECT_EQ(format_apply_report(r).find("not healthy after the rollback"), std::string::npos)
      << format_apply_report(r);
}

TEST_F(ApplyFixture, HeldLockRefusesAndTouchesNothing) {
  install_old();
  fleet.host("val-ams").locks["/var/lib/picket/deploy.lock"] =
      LockInfo{"bob@ci (pid 99)", "2026-01-01T00:00:00Z"};
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::refused);
  EXPECT_EQ(r.message,
            "val-ams: locked by bob@ci (pid 99) since 2026-01-01T00:00:00Z (another deploy is "
            "running; if it is dead, deploy with --force-unlock)");
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"}) {
    EXPECT_EQ(fleet.host(h).writes, 0) << h;
    for (const std::string& op : deploy_ops(h))
      EXPECT_EQ(op.rfind("exec", 0), std::string::npos) << h << ": " << op;
  }
  // Our own locks are released; bob's stays.
  EXPECT_TRUE(fleet.host("nyc-1").locks.empty());
  EXPECT_EQ(fleet.host("val-ams").locks.at("/var/lib/picket/deploy.lock").owner,
            "bob@ci (pid 99)");
}

TEST_F(ApplyFixture, ForceUnlockClearsAStaleLock) {
  install_old();
  fleet.host("val-ams").locks["/var/lib/picket/deploy.lock"] =
      LockInfo{"bob@ci (pid 99)", "2026-01-01T00:00:00Z"};
  options.force_unlock = true;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(deploy_ops("val-ams")[0], "read-lock /var/lib/picket/deploy.lock");
  EXPECT_EQ(deploy_ops("val-ams")[1], "break-lock /var/lib/picket/deploy.lock");
  EXPECT_EQ(deploy_ops("val-ams")[2], "lock /var/lib/picket/deploy.lock");
  EXPECT_NE(format_apply_report(r).find(
                "  val-ams: deployed: 2 files written, restarted validator\n"
                "    note: removed a lock held by bob@ci (pid 99) since 2026-01-01T00:00:00Z "
                "(--force-unlock; no process of that deploy was left on the host)\n"),
            std::string::npos);
  EXPECT_TRUE(fleet.host("val-ams").locks.empty());
}

// An upload fails before any step: nothing is put in place anywhere, every staged file is
// removed again, and the rollout never starts.
TEST_F(ApplyFixture, UploadFailureStopsBeforeAnyStepAndLeavesNoTempFile) {
  install_old();
  fleet.host("nyc-1").fail_write_number = 2;  // node_key.json, after config.toml was staged
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_EQ(r.steps_done, 0);
  EXPECT_EQ(deploy_ops("nyc-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage /home/cosmos/.gaia/config/config.toml 0644",
                "stage /home/cosmos/.gaia/config/node_key.json 0600",
                "discard /home/cosmos/.gaia/config/config.toml",
                "unlock /var/lib/picket/deploy.lock",
            }));
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"}) {
    EXPECT_EQ(fleet.host(h).commits, 0) << h;
    for (const std::string& op : deploy_ops(h))
      EXPECT_EQ(op.rfind("exec", 0), std::string::npos) << h << ": " << op;
    for (const auto& [path, file] : fleet.host(h).files) {
      EXPECT_EQ(path.find(".picket-tmp"), std::string::npos) << h << ": " << path;
      if (path.find(".picket-bak") == std::string::npos) {
        EXPECT_EQ(file.content.rfind("old ", 0), 0u) << h << ": " << path;
      }
    }
    EXPECT_TRUE(fleet.host(h).locks.empty()) << h;
  }
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: untouched (its changes were not applied)\n"
            "  fra-1: untouched (its changes were not applied)\n"
            "  hsm-ams: untouched (its changes were not applied)\n"
            "  nyc-1: untouched (its changes were not applied); error: write "
            "/home/cosmos/.gaia/config/node_key.json: /home/cosmos/.gaia/config/node_key.json: "
            "injected write failure\n"
            "  sgp-1: untouched (its changes were not applied)\n"
            "  val-ams: untouched (its changes were not applied)\n"
            "Deploy failed after 0 of 6 steps: nyc-1: write /home/cosmos/.gaia/config/node_key.json: "
            "/home/cosmos/.gaia/config/node_key.json: injected write failure.\n");
}

// Putting a staged file in place fails in the host's step: the files already in place are
// restored, the rest of its staged files removed, and the rollout stops there.
TEST_F(ApplyFixture, CommitFailureReplacesNothingOnThatHostAndStops) {
  install_old();
  // node_key.json, after config.toml was renamed (the first commit is the pending record).
  fleet.host("nyc-1").fail_commit_number = 3;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_EQ(r.steps_done, 0);
  EXPECT_EQ(content("nyc-1", k_config), "old " + find_file(files, "nyc-1", k_config).content);
  EXPECT_EQ(content("nyc-1", k_node_key), "old " + find_file(files, "nyc-1", k_node_key).content);
  EXPECT_EQ(deploy_ops("nyc-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage /home/cosmos/.gaia/config/config.toml 0644",
                "stage /home/cosmos/.gaia/config/node_key.json 0600",
                "stage /var/lib/picket/pending.json 0644",
                "commit /var/lib/picket/pending.json",
                "commit /home/cosmos/.gaia/config/config.toml",
                "commit /home/cosmos/.gaia/config/node_key.json",
                "restore /home/cosmos/.gaia/config/config.toml",
                "discard /home/cosmos/.gaia/config/node_key.json",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "sgp-1", "val-ams"})
    EXPECT_EQ(fleet.host(h).commits, 0) << h;
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"})
    for (const auto& [path, file] : fleet.host(h).files)
      EXPECT_EQ(path.find(".picket-tmp"), std::string::npos) << h << ": " << path;
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: untouched (its changes were not applied)\n"
            "  fra-1: untouched (its changes were not applied)\n"
            "  hsm-ams: untouched (its changes were not applied)\n"
            "  nyc-1: rolled back: 1 file written, 1 restored; error: write "
            "/home/cosmos/.gaia/config/node_key.json: /home/cosmos/.gaia/config/node_key.json: "
            "injected commit failure\n"
            "  sgp-1: untouched (its changes were not applied)\n"
            "  val-ams: untouched (its changes were not applied)\n"
            "Deploy failed after 0 of 6 steps: nyc-1: write /home/cosmos/.gaia/config/node_key.json: "
            "/home/cosmos/.gaia/config/node_key.json: injected commit failure.\n");
}

TEST_F(ApplyFixture, UnchangedHostsAreNotEvenLocked) {
  test::install(fleet, files);
  find_file(files, "hsm-ams", "/home/cosmos/.tmkms/tmkms.toml").content = "[[validator]]\n";
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  // They are only asked whether an unfinished deploy left its lock there (to report it).
  for (const char* h : {"ams-2", "fra-1", "nyc-1", "sgp-1", "val-ams"})
    EXPECT_EQ(deploy_ops(h), std::vector<std::string>{"read-lock /var/lib/picket/deploy.lock"}) << h;
  // The signer has no RPC: its service check is the whole health gate.
  EXPECT_EQ(deploy_ops("hsm-ams"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.tmkms/tmkms.toml",
                "stage /home/cosmos/.tmkms/tmkms.toml 0644",
                "stage /var/lib/picket/pending.json 0644",
                "commit /var/lib/picket/pending.json",
                "commit /home/cosmos/.tmkms/tmkms.toml",
                "exec[root] systemctl restart 'tmkms.service'",
                "exec systemctl is-active --quiet 'tmkms.service'",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
}

// A host that runs the validator and its signer restarts each with its own command: the
// validator's cosmovisor.service, the signer's tmkms.service; a rollback restarts both again.
TEST_F(ApplyFixture, ANodeAndASignerOnOneHostRestartTheirOwnServices) {
  for (Node& n : topology.nodes)
    if (n.name.value == "kms") n.host = test::located("val-ams");
  topology.index_nodes();
  for (RenderedFile& f : files)
    if (f.node == "kms") f.host = "val-ams";
  install_old();
  // The validator's health check fails: both are restarted again on their old files.
  fleet.script_exec("val-ams", "systemctl is-active --quiet 'cosmovisor.service'",
                    ExecResult{3, "", "", ""});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  std::vector<std::string> execs;
  for (const std::string& op : deploy_ops("val-ams"))
    if (op.rfind("exec", 0) == 0) execs.push_back(op);
  // The signer's wave, then the validator's (last and alone), whose check fails; the rollback
  // restarts both on their old files, one command per service, nodes first.
  EXPECT_EQ(execs, (std::vector<std::string>{
                       "exec[root] systemctl restart 'tmkms.service'",
                       "exec systemctl is-active --quiet 'tmkms.service'",
                       "exec[root] systemctl restart 'cosmovisor.service'",
                       "exec systemctl is-active --quiet 'cosmovisor.service'",
                       "exec[root] systemctl restart 'cosmovisor.service'",
                       "exec[root] systemctl restart 'tmkms.service'",
                       "exec systemctl is-active --quiet 'tmkms.service'",
                       "exec systemctl is-active --quiet 'cosmovisor.service'",
                   }));
}

TEST_F(ApplyFixture, StalePlanIsRefusedUnderTheLock) {
  install_old();
  Connections connections(connector, inventory, ConnectOptions{});
  const Plan p = make_plan(files, topology, inventory, connections, PlanOptions{4});
  fleet.host("ams-2").files[k_config].content = "edited by hand\n";
  const ApplyReport r = apply_plan(p, files, topology, inventory, connections, options);
  EXPECT_EQ(r.status, ApplyStatus::refused);
  EXPECT_EQ(r.message,
            "ams-2: /home/cosmos/.gaia/config/config.toml changed since the plan; plan again");
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"}) {
    EXPECT_EQ(fleet.host(h).writes, 0) << h;
    EXPECT_TRUE(fleet.host(h).locks.empty()) << h;
  }
}

TEST_F(ApplyFixture, NoRestartUploadsOnly) {
  install_old();
  options.no_restart = true;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"})
    for (const std::string& op : deploy_ops(h)) {
      EXPECT_EQ(op.rfind("exec", 0), std::string::npos) << h << ": " << op;
      EXPECT_EQ(op.rfind("http", 0), std::string::npos) << h << ": " << op;
    }
  EXPECT_EQ(content("val-ams", k_config), find_file(files, "val-ams", k_config).content);
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: deployed: 2 files written; not restarted: priv-ams (the new files take "
            "effect at its next restart)\n"
            "  fra-1: deployed: 4 files written; not restarted: priv-fra (the new files take "
            "effect at its next restart)\n"
            "    note: the new firewall ruleset is not loaded (--no-restart)\n"
            "    note: the new WireGuard configuration is not loaded (--no-restart)\n"
            "  hsm-ams: deployed: 1 file written; not restarted: kms (the new files take effect "
            "at its next restart)\n"
            "  nyc-1: deployed: 2 files written; not restarted: pub-nyc (the new files take "
            "effect at its next restart)\n"
            "  sgp-1: deployed: 2 files written; not restarted: pub-sgp (the new files take "
            "effect at its next restart)\n"
            "  val-ams: deployed: 2 files written; not restarted: validator (the new files take "
            "effect at its next restart)\n"
            "Deploy complete: 6 hosts changed, 0 nodes restarted in 1 step.\n");
}

TEST_F(ApplyFixture, StandbyValidatorGetsFilesButIsNeverStarted) {
  install_old();
  topology.nodes[0].standby = {true, {}};
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(content("val-ams", k_config), find_file(files, "val-ams", k_config).content);
  for (const std::string& op : deploy_ops("val-ams"))
    EXPECT_EQ(op.rfind("exec", 0), std::string::npos) << op;
}

TEST_F(ApplyFixture, FailedRestartRollsBackAndRestartsAgain) {
  install_old();
  fleet.script_exec("nyc-1", "systemctl restart", ExecResult{1, "", "", "Job failed.\n"}, 1);
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_EQ(r.message, "nyc-1: restart of pub-nyc failed: exit 1: Job failed.");
  EXPECT_EQ(content("nyc-1", k_config), "old " + find_file(files, "nyc-1", k_config).content);
  const auto ops = deploy_ops("nyc-1");
  EXPECT_EQ(std::count(ops.begin(), ops.end(),
                       std::string("exec[root] systemctl restart 'cosmovisor.service'")),
            2);
}

TEST_F(ApplyFixture, VpnReloadRunsWithTheFileAndIsUndoneOnRollback) {
  install_old();
  fleet.script_http("fra-1", 26657, "/net_info", {net_info_body(0)});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  const auto ops = deploy_ops("fra-1");
  const std::string reload =
      "exec[root] " + substitute_file(k_default_reload_vpn, "/etc/wireguard/picket.conf");
  EXPECT_EQ(std::count(ops.begin(), ops.end(), reload), 2);  // the deploy and the rollback
  EXPECT_EQ(std::count(ops.begin(), ops.end(),
                       std::string("exec[root] nft -f '/etc/nftables.d/picket.nft'")),
            2);
  EXPECT_EQ(content("fra-1", k_wg), "old " + find_file(files, "fra-1", k_wg).content);
}

// A changed systemd drop-in: systemd re-reads its units once per host, after the files are
// in place and before the host's service restarts; a rollback that takes the drop-ins back
// has systemd read the old ones again.
TEST_F(ApplyFixture, ChangedDropInsAreReadBySystemdOnceBeforeTheRestartAndAgainOnRollback) {
  const char* const dropin = "/etc/systemd/system/cosmovisor.service.d/picket.conf";
  const char* const signer_dropin = "/etc/systemd/system/tmkms.service.d/picket.conf";
  files.push_back(test::file("val-ams", dropin, 0644, "[Unit]\nAfter=nftables.service\n", "", false,
                             ApplyAction::reload_units));
  files.push_back(test::file("val-ams", signer_dropin, 0644, "[Unit]\nAfter=nftables.service\n", "",
                             false, ApplyAction::reload_units));
  sort_files(files);
  install_old();
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(deploy_ops("val-ams"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read[root] /etc/systemd/system/cosmovisor.service.d/picket.conf",
                "read[root] /etc/systemd/system/tmkms.service.d/picket.conf",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage[root] /etc/systemd/system/cosmovisor.service.d/picket.conf 0644",
                "stage[root] /etc/systemd/system/tmkms.service.d/picket.conf 0644",
                "stage /home/cosmos/.gaia/config/config.toml 0644",
                "stage /home/cosmos/.gaia/config/node_key.json 0600",
                "stage /var/lib/picket/pending.json 0644",
                "commit /var/lib/picket/pending.json",
                "commit[root] /etc/systemd/system/cosmovisor.service.d/picket.conf",
                "commit[root] /etc/systemd/system/tmkms.service.d/picket.conf",
                "commit /home/cosmos/.gaia/config/config.toml",
                "commit /home/cosmos/.gaia/config/node_key.json",
                "exec[root] systemctl daemon-reload",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  const auto units_log = [this] {
    std::string out;
    for (const LogRecord& rec : records)
      if (rec.action == LogAction::reload_units) out += format_log_record(rec);
    return out;
  };
  EXPECT_EQ(units_log(), "{\"time\":\"T\",\"host\":\"val-ams\",\"action\":\"reload-units\",\"result\":\"ok\","
                       "\"detail\":\"" + std::string(dropin) + ", " + signer_dropin + "\"}\n");
  const Plan again = plan();
  EXPECT_FALSE(again.has_changes());

  // The same change again, and the validator fails its health check: the drop-ins go back,
  // and systemd reads them again.
  records.clear();
  install_old();
  fleet.script_http("val-ams", 26657, "/status", {status_body(true)});
  const ApplyReport failed = deploy();
  EXPECT_EQ(failed.status, ApplyStatus::failed);
  const auto ops = deploy_ops("val-ams");
  // From the commits on: the old drop-ins are back before systemd reads them again.
  const auto committed = std::find(ops.begin(), ops.end(), std::string("commit /var/lib/picket/pending.json"));
  ASSERT_NE(committed, ops.end());
  EXPECT_EQ(std::vector<std::string>(committed, ops.end()),
            (std::vector<std::string>{
                "commit /var/lib/picket/pending.json",
                "commit[root] /etc/systemd/system/cosmovisor.service.d/picket.conf",
                "commit[root] /etc/systemd/system/tmkms.service.d/picket.conf",
                "commit /home/cosmos/.gaia/config/config.toml",
                "commit /home/cosmos/.gaia/config/node_key.json",
                "exec[root] systemctl daemon-reload",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "restore /home/cosmos/.gaia/config/node_key.json",
                "restore /home/cosmos/.gaia/config/config.toml",
                "restore[root] /etc/systemd/system/tmkms.service.d/picket.conf",
                "restore[root] /etc/systemd/system/cosmovisor.service.d/picket.conf",
                "exec[root] systemctl daemon-reload",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  EXPECT_EQ(content("val-ams", dropin), "old " + find_file(files, "val-ams", dropin).content);
  EXPECT_EQ(units_log(), "{\"time\":\"T\",\"host\":\"val-ams\",\"action\":\"reload-units\",\"result\":\"ok\","
                       "\"detail\":\"" + std::string(dropin) + ", " + signer_dropin + "\"}\n"
                       "{\"time\":\"T\",\"host\":\"val-ams\",\"action\":\"reload-units\",\"result\":\"ok\","
                       "\"detail\":\"rollback\"}\n");
}

// systemd cannot re-read its units (no systemd, or the command fails): the host's files go
// back before anything restarts there, and the deploy stops.
TEST_F(ApplyFixture, AFailedUnitReloadRollsTheHostBackBeforeItsRestart) {
  files.push_back(test::file("val-ams", "/etc/systemd/system/cosmovisor.service.d/picket.conf", 0644,
                             "[Unit]\n", "", false, ApplyAction::reload_units));
  sort_files(files);
  install_old();
  fleet.script_exec("val-ams", "systemctl daemon-reload",
                    ExecResult{1, "", "", "System has not been booted with systemd.\n"});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_EQ(r.message, "val-ams: reload_units failed: exit 1: System has not been booted with systemd.");
  for (const std::string& op : deploy_ops("val-ams"))
    EXPECT_EQ(op.find("systemctl restart"), std::string::npos) << op;
  EXPECT_EQ(content("val-ams", k_config), "old " + find_file(files, "val-ams", k_config).content);
}

// Where systemd runs nothing (--no-restart), the report says it has not read the drop-ins.
TEST_F(ApplyFixture, NoRestartLeavesTheDropInsUnreadAndSaysSo) {
  files.push_back(test::file("val-ams", "/etc/systemd/system/cosmovisor.service.d/picket.conf", 0644,
                             "[Unit]\n", "", false, ApplyAction::reload_units));
  sort_files(files);
  install_old();
  options.no_restart = true;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  for (const std::string& op : deploy_ops("val-ams")) EXPECT_EQ(op.rfind("exec", 0), std::string::npos) << op;
  const std::string report = format_apply_report(r);
  const auto at = report.find("  val-ams: ");
  ASSERT_NE(at, std::string::npos) << report;
  EXPECT_EQ(report.substr(at),
            "  val-ams: deployed: 3 files written; not restarted: validator (the new files take "
            "effect at its next restart)\n"
            "    note: systemd has not re-read the changed unit drop-ins (--no-restart)\n"
            "Deploy complete: 6 hosts changed, 0 nodes restarted in 1 step.\n");
}

TEST_F(ApplyFixture, LogRecordsNeverCarrySecrets) {
  install_old();
  fleet.host("val-ams").fail_write_number = 2;
  (void)deploy();
  const std::string log = log_text();
  EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
  EXPECT_NE(log.find(R"({"time":"T","host":"val-ams","action":"stage","path":"/home/cosmos/.gaia/config/node_key.json","result":"failed",)"),
            std::string::npos)
      << log;
}

TEST_F(ApplyFixture, NothingToDo) {
  test::install(fleet, files);
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(format_apply_report(r),
            "  ams-2: unchanged\n  fra-1: unchanged\n  hsm-ams: unchanged\n  nyc-1: unchanged\n"
            "  sgp-1: unchanged\n  val-ams: unchanged\nDeploy complete: no changes.\n");
  EXPECT_TRUE(records.empty());
}

TEST_F(ApplyFixture, PlanWithErrorsIsRefused) {
  fleet.host("sgp-1").unreachable = true;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::refused);
  EXPECT_EQ(r.message, "the plan has errors");
  for (const char* h : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "val-ams"})
    EXPECT_TRUE(deploy_ops(h).empty()) << h;
}

// A deploy that put files in place but never restarted (here --no-restart; a controller that
// died after the commit leaves the same record): the host says so, plan shows it, and the
// next deploy restarts the node in its wave although no file changes, then nothing is owed.
TEST_F(ApplyFixture, PendingRestartIsRecordedShownAndCompletedByTheNextDeploy) {
  test::install(fleet, files);
  fleet.host("nyc-1").files[k_config].content = "old config\n";
  options.no_restart = true;
  ASSERT_EQ(deploy().status, ApplyStatus::ok);
  EXPECT_EQ(content("nyc-1", "/var/lib/picket/pending.json"),
            "{\"restart\":{\"pub-nyc\":{\"since\":\"T\",\"by\":\"alice@laptop (pid 7)\"}}}\n");

  const Plan pending = plan();
  EXPECT_TRUE(pending.has_changes());
  const std::string text = format_plan_text(pending);
  EXPECT_NE(text.find("nyc-1 (198.51.100.30): no file changes, 2 unchanged\n"
                      "  restart pending since T: pub-nyc (its files went live in a deploy by "
                      "alice@laptop (pid 7) that did not finish; the next deploy restarts it)\n"
                      "  restart: pub-nyc\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Plan: 0 to create, 0 to change, 13 unchanged; 1 node to restart.\n"),
            std::string::npos)
      << text;

  options.no_restart = false;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_EQ(format_rollout(r.rollout), "Rollout: 1 step\n  1. public-sentry: pub-nyc (files go live on nyc-1)\n");
  EXPECT_EQ(deploy_ops("nyc-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  EXPECT_NE(format_apply_report(r).find(
                "  nyc-1: deployed: 0 files written, restarted pub-nyc (pub-nyc: the restart an "
                "earlier deploy left pending)\n"),
            std::string::npos)
      << format_apply_report(r);
  EXPECT_EQ(content("nyc-1", "/var/lib/picket/pending.json"), "<missing>");
  EXPECT_FALSE(plan().has_changes());
}

// The record is written before the first file goes live, so a deploy that dies at any point
// after it leaves it behind; one that completes leaves nothing.
TEST_F(ApplyFixture, PendingRecordPrecedesTheCommitAndIsClearedAfterTheHealthCheck) {
  test::install(fleet, files);
  fleet.host("nyc-1").files[k_config].content = "old config\n";
  ASSERT_EQ(deploy().status, ApplyStatus::ok);
  EXPECT_EQ(deploy_ops("nyc-1"),
            (std::vector<std::string>{
                "lock /var/lib/picket/deploy.lock",
                "read /home/cosmos/.gaia/config/config.toml",
                "read /home/cosmos/.gaia/config/node_key.json",
                "stage /home/cosmos/.gaia/config/config.toml 0644",
                "stage /var/lib/picket/pending.json 0644",
                "commit /var/lib/picket/pending.json",
                "commit /home/cosmos/.gaia/config/config.toml",
                "exec[root] systemctl restart 'cosmovisor.service'",
                "exec systemctl is-active --quiet 'cosmovisor.service'",
                "http 26657 /status",
                "http 26657 /net_info",
                "restore /var/lib/picket/pending.json",
                "unlock /var/lib/picket/deploy.lock",
            }));
  EXPECT_EQ(content("nyc-1", "/var/lib/picket/pending.json"), "<missing>");
}

// A failed health check rolls the files back: the node runs the old files again, so nothing
// is owed for it (the record written before the commit is taken back).
TEST_F(ApplyFixture, RollbackTakesThePendingRecordBack) {
  test::install(fleet, files);
  fleet.host("nyc-1").files[k_config].content = "old config\n";
  fleet.script_http("nyc-1", 26657, "/status", {status_body(true)});
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  EXPECT_EQ(content("nyc-1", k_config), "old config\n");
  EXPECT_EQ(content("nyc-1", "/var/lib/picket/pending.json"), "<missing>");
}

// Another deploy took the lock over (--force-unlock) while this one ran: from then on every
// change this one tries on that host is refused on the host itself, and its lock release
// leaves the new holder's lock in place.
TEST_F(ApplyFixture, ADeployWhoseLockWasTakenOverIsFencedOut) {
  install_old();
  fleet.script_exec("nyc-1", "systemctl restart", ExecResult{}, 1, [](MemoryHost& h) {
    h.locks["/var/lib/picket/deploy.lock"] =
        LockInfo{"bob@ci (pid 9)", "2026-01-03T00:00:00Z", "b0b0b0b0b0b0b0b0", std::nullopt};
  });
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::failed);
  const auto ops = deploy_ops("nyc-1");
  // Refused from the health check on: no restore, no restart, no second connection.
  const std::vector<std::string> tail(ops.begin() + 10, ops.end());
  EXPECT_EQ(tail, (std::vector<std::string>{
                      "exec systemctl is-active --quiet 'cosmovisor.service'",
                      "fenced exec systemctl is-active --quiet 'cosmovisor.service'",
                      "restore /home/cosmos/.gaia/config/node_key.json",
                      "fenced restore /home/cosmos/.gaia/config/node_key.json",
                      "restore /home/cosmos/.gaia/config/config.toml",
                      "fenced restore /home/cosmos/.gaia/config/config.toml",
                      "exec[root] systemctl restart 'cosmovisor.service'",
                      "fenced exec systemctl restart 'cosmovisor.service'",
                      "unlock /var/lib/picket/deploy.lock",
                  }))
      << ::testing::PrintToString(ops);
  EXPECT_EQ(fleet.host("nyc-1").locks.at("/var/lib/picket/deploy.lock").owner, "bob@ci (pid 9)");
}

// --force-unlock ends what the dead holder still runs on the host before taking its lock,
// and says so; a holder that is gone is reported as gone.
TEST_F(ApplyFixture, ForceUnlockEndsTheHolderAndSaysWhetherItWasStillRunning) {
  install_old();
  fleet.host("val-ams").locks["/var/lib/picket/deploy.lock"] =
      LockInfo{"bob@ci (pid 99)", "2026-01-01T00:00:00Z", "b0b0b0b0b0b0b0b0", std::nullopt};
  fleet.host("val-ams").running = {"b0b0b0b0b0b0b0b0"};
  fleet.host("nyc-1").locks["/var/lib/picket/deploy.lock"] =
      LockInfo{"bob@ci (pid 99)", "2026-01-01T00:00:00Z", "b0b0b0b0b0b0b0b0", std::nullopt};

  const ApplyReport refused = deploy();
  EXPECT_EQ(refused.status, ApplyStatus::refused);
  EXPECT_EQ(refused.message,
            "nyc-1: locked by bob@ci (pid 99) since 2026-01-01T00:00:00Z, no longer running on "
            "the host (that deploy died; deploy with --force-unlock to end what it left running "
            "and take the lock over)");

  options.force_unlock = true;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  const std::string report = format_apply_report(r);
  EXPECT_NE(report.find("  nyc-1: deployed: 2 files written, restarted pub-nyc\n"
                        "    note: removed a lock held by bob@ci (pid 99) since "
                        "2026-01-01T00:00:00Z, no longer running on the host (--force-unlock; no "
                        "process of that deploy was left on the host)\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("  val-ams: deployed: 2 files written, restarted validator\n"
                        "    note: removed a lock held by bob@ci (pid 99) since "
                        "2026-01-01T00:00:00Z, still running on the host (--force-unlock; ended 1 "
                        "process(es) of that deploy on the host)\n"),
            std::string::npos)
      << report;
  EXPECT_TRUE(fleet.host("val-ams").running.empty());
  EXPECT_TRUE(fleet.host("val-ams").locks.empty());
}

// Temp files a dead deploy left beside files that are already current: plan shows them, the
// next deploy removes them (and only them), and then nothing is left to do.
TEST_F(ApplyFixture, TempFilesOfADeadDeployAreShownAndSwept) {
  test::install(fleet, files);
  const std::string stale = "/home/cosmos/.gaia/config/.config.toml.picket-tmp-deadbeef0000";
  fleet.host("nyc-1").files[stale] = RemoteFile{"half", 0600};
  fleet.host("nyc-1").files["/home/cosmos/.gaia/config/unrelated"] = RemoteFile{"x", 0644};
  const std::string text = format_plan_text(plan());
  EXPECT_NE(text.find("nyc-1 (198.51.100.30): no file changes, 2 unchanged\n"
                      "  1 temp file left by a deploy that died (the next deploy removes them): " +
                      stale + "\n"),
            std::string::npos)
      << text;
  const ApplyReport r = deploy();
  EXPECT_EQ(r.status, ApplyStatus::ok);
  EXPECT_NE(format_apply_report(r).find(
                "  nyc-1: deployed: 0 files written, removed 1 temp file a deploy that died left\n"),
            std::string::npos)
      << format_apply_report(r);
  EXPECT_EQ(content("nyc-1", stale), "<missing>");
  EXPECT_EQ(content("nyc-1", "/home/cosmos/.gaia/config/unrelated"), "x");
  EXPECT_FALSE(plan().has_changes());
}
}  // namespace
}  // namespace picket
