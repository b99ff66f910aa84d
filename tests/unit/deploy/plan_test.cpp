#include "deploy/plan.hpp"

#include <gtest/gtest.h>

#include "tests/support/memory_transport.hpp"
#include "render/manifest.hpp"
#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

using test::find_file;

struct PlanFixture : ::testing::Test {
  Topology topology = test::sentry_topology();
  Inventory inventory = test::sentry_inventory();
  FileSet files = test::sentry_files();
  MemoryFleet fleet;
  MemoryConnector connector{fleet};

  Plan plan(int parallel = 4) {
    Connections connections(connector, inventory, ConnectOptions{});
    return make_plan(files, topology, inventory, connections, PlanOptions{parallel});
  }
};

TEST(PlanRpcPort, ReadFromTheRpcSectionOnly) {
  EXPECT_EQ(rpc_port_in_config("[p2p]\nladdr = \"tcp://0.0.0.0:26656\"\n\n[rpc]\n"
                               "# where\n  laddr   =  \"tcp://127.0.0.1:36657\"  # local\n"),
            36657);
  EXPECT_EQ(rpc_port_in_config("[rpc]\nladdr = \"tcp://[::1]:26657\"\n"), 26657);
  EXPECT_EQ(rpc_port_in_config("[rpc.x]\nladdr = \"tcp://127.0.0.1:1\"\n"), std::nullopt);
  EXPECT_EQ(rpc_port_in_config("[rpc]\nladdr = \"unix:///run/rpc.sock\"\n"), std::nullopt);
  EXPECT_EQ(rpc_port_in_config("[rpc]\nladdr = \"tcp://127.0.0.1:99999\"\n"), std::nullopt);
  EXPECT_EQ(rpc_port_in_config("[rpc]\nladdr = tcp\n"), std::nullopt);
  EXPECT_EQ(rpc_port_in_config(""), std::nullopt);
}

TEST_F(PlanFixture, FirstPlanCreatesEverything) {
  const Plan p = plan();
  EXPECT_EQ(format_plan_text(p),
            "ams-2 (198.51.100.21): 2 to create, 0 to change, 0 unchanged\n"
            "  + /home/cosmos/.gaia/config/config.toml (create, mode 0644)\n"
            "  + /home/cosmos/.gaia/config/node_key.json (create, mode 0600) (secret, content hidden)\n"
            "  restart: priv-ams\n"
            "\n"
            "fra-1 (198.51.100.20): 4 to create, 0 to change, 0 unchanged\n"
            "  + /etc/nftables.d/picket.nft (create, mode 0644)\n"
            "  + /etc/wireguard/picket.conf (create, mode 0600) (secret, content hidden)\n"
            "  + /home/cosmos/.gaia/config/config.toml (create, mode 0644)\n"
            "  + /home/cosmos/.gaia/config/node_key.json (create, mode 0600) (secret, content hidden)\n"
            "  reload: firewall, vpn\n"
            "  restart: priv-fra\n"
            "\n"
            "hsm-ams (198.51.100.11): 1 to create, 0 to change, 0 unchanged\n"
            "  + /home/cosmos/.tmkms/tmkms.toml (create, mode 0644)\n"
            "  restart: kms\n"
            "\n"
            "nyc-1 (198.51.100.30): 2 to create, 0 to change, 0 unchanged\n"
            "  + /home/cosmos/.gaia/config/config.toml (create, mode 0644)\n"
            "  + /home/cosmos/.gaia/config/node_key.json (create, mode 0600) (secret, content hidden)\n"
            "  restart: pub-nyc\n"
            "\n"
            "sgp-1 (198.51.100.31): 2 to create, 0 to change, 0 unchanged\n"
            "  + /home/cosmos/.gaia/config/config.toml (create, mode 0644)\n"
            "  + /home/cosmos/.gaia/config/node_key.json (create, mode 0600) (secret, content hidden)\n"
            "  restart: pub-sgp\n"
            "\n"
            "val-ams (198.51.100.10): 2 to create, 0 to change, 0 unchanged\n"
            "  + /home/cosmos/.gaia/config/config.toml (create, mode 0644)\n"
            "  + /home/cosmos/.gaia/config/node_key.json (create, mode 0600) (secret, content hidden)\n"
            "  restart: validator\n"
            "\n"
            "Plan: 13 to create, 0 to change, 0 unchanged; 6 nodes to restart.\n");
  EXPECT_TRUE(p.has_changes());
  EXPECT_FALSE(p.has_errors());
}

// A host the deploy log names that gets no file now (fra-2: its sentry left the topology) is
// reported with what picket left there; a host still in the plan is not; neither is a change.
TEST_F(PlanFixture, RemovedHostIsReportedAndLeftAlone) {
  test::install(fleet, files);
  Plan p = plan();
  const std::string log =
      format_log_record({"2026-01-02T03:04:05.000Z", "fra-2", LogAction::write,
                         "/home/cosmos/.gaia/config/config.toml", "ok", "ab", ""}) +
      format_log_record({"2026-01-02T03:04:06.000Z", "fra-2", LogAction::write,
                         "/etc/nftables.d/picket.nft", "ok", "cd", ""}) +
      format_log_record({"2026-01-02T03:04:07.000Z", "fra-1", LogAction::write,
                         "/etc/nftables.d/picket.nft", "ok", "cd", ""});
  p.removed = removed_hosts(deployed_hosts(log), p);
  const std::string text = format_plan_text(p);
  EXPECT_NE(text.find("val-ams (198.51.100.10): no changes, 2 unchanged\n\n"
                      "host fra-2 is no longer in the topology: picket last deployed to it at "
                      "2026-01-02T03:04:06.000Z; the 2 files it wrote there are left alone (not removed, "
                      "nothing stopped):\n"
                      "  /etc/nftables.d/picket.nft\n"
                      "  /home/cosmos/.gaia/config/config.toml\n"
                      "\n"
                      "Plan: 0 to create, 0 to change, 13 unchanged; 0 nodes to restart.\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("host fra-1"), std::string::npos);
  EXPECT_FALSE(p.has_changes());
  EXPECT_NE(format_plan_json(p).find(R"("removed_hosts": [
    {
      "host": "fra-2",
      "last_deployed": "2026-01-02T03:04:06.000Z",
      "files": [
        "/etc/nftables.d/picket.nft",
        "/home/cosmos/.gaia/config/config.toml"
      ]
    }
  ],)"),
            std::string::npos)
      << format_plan_json(p);
}

TEST_F(PlanFixture, InstalledFilesAreUnchanged) {
  test::install(fleet, files);
  const Plan p = plan();
  EXPECT_EQ(format_plan_text(p),
            "ams-2 (198.51.100.21): no changes, 2 unchanged\n\n"
            "fra-1 (198.51.100.20): no changes, 4 unchanged\n\n"
            "hsm-ams (198.51.100.11): no changes, 1 unchanged\n\n"
            "nyc-1 (198.51.100.30): no changes, 2 unchanged\n\n"
            "sgp-1 (198.51.100.31): no changes, 2 unchanged\n\n"
            "val-ams (198.51.100.10): no changes, 2 unchanged\n\n"
            "Plan: 0 to create, 0 to change, 13 unchanged; 0 nodes to restart.\n");
  EXPECT_FALSE(p.has_changes());
}

TEST_F(PlanFixture, OneChangedFileChangesOneHostWithItsDiff) {
  test::install(fleet, files);
  find_file(files, "nyc-1", "/home/cosmos/.gaia/config/config.toml").content =
      "moniker = \"pub-nyc\"\n\n[p2p]\npex = true\nseeds = \"abc@1.2.3.4:26656\"\n";
  const Plan p = plan();
  EXPECT_EQ(format_plan_text(p),
            "ams-2 (198.51.100.21): no changes, 2 unchanged\n\n"
            "fra-1 (198.51.100.20): no changes, 4 unchanged\n\n"
            "hsm-ams (198.51.100.11): no changes, 1 unchanged\n\n"
            "nyc-1 (198.51.100.30): 0 to create, 1 to change, 1 unchanged\n"
            "  ~ /home/cosmos/.gaia/config/config.toml (change)\n"
            "      --- a/home/cosmos/.gaia/config/config.toml\n"
            "      +++ b/home/cosmos/.gaia/config/config.toml\n"
            "      @@ -2,4 +2,4 @@\n"
            "       \n"
            "       [p2p]\n"
            "       pex = true\n"
            "      -seeds = \"\"\n"
            "      +seeds = \"abc@1.2.3.4:26656\"\n"
            "  restart: pub-nyc\n\n"
            "sgp-1 (198.51.100.31): no changes, 2 unchanged\n\n"
            "val-ams (198.51.100.10): no changes, 2 unchanged\n\n"
            "Plan: 0 to create, 1 to change, 12 unchanged; 1 node to restart.\n");
}

// A changed drop-in asks systemd to re-read its units, named first: a deploy runs it first.
TEST_F(PlanFixture, AChangedDropInReloadsTheSystemdUnitsFirst) {
  const char* const dropin = "/etc/systemd/system/cosmovisor.service.d/picket.conf";
  files.push_back(test::file("fra-1", dropin, 0644, "[Unit]\nAfter=nftables.service\n", "", false,
                             ApplyAction::reload_units));
  sort_files(files);
  test::install(fleet, files);
  find_file(files, "fra-1", dropin).content = "[Unit]\nAfter=nftables.service wg-quick@picket.service\n";
  find_file(files, "fra-1", "/etc/nftables.d/picket.nft").content += "# changed\n";
  const Plan p = plan();
  EXPECT_EQ(format_plan_text(p),
            "ams-2 (198.51.100.21): no changes, 2 unchanged\n\n"
            "fra-1 (198.51.100.20): 0 to create, 2 to change, 3 unchanged\n"
            "  ~ /etc/nftables.d/picket.nft (change)\n"
            "      --- a/etc/nftables.d/picket.nft\n"
            "      +++ b/etc/nftables.d/picket.nft\n"
            "      @@ -3,3 +3,4 @@\n"
            "           tcp dport 26656 accept\n"
            "         }\n"
            "       }\n"
            "      +# changed\n"
            "  ~ /etc/systemd/system/cosmovisor.service.d/picket.conf (change)\n"
            "      --- a/etc/systemd/system/cosmovisor.service.d/picket.conf\n"
            "      +++ b/etc/systemd/system/cosmovisor.service.d/picket.conf\n"
            "      @@ -1,2 +1,2 @@\n"
            "       [Unit]\n"
            "      -After=nftables.service\n"
            "      +After=nftables.service wg-quick@picket.service\n"
            "  reload: systemd units, firewall\n\n"
            "hsm-ams (198.51.100.11): no changes, 1 unchanged\n\n"
            "nyc-1 (198.51.100.30): no changes, 2 unchanged\n\n"
            "sgp-1 (198.51.100.31): no changes, 2 unchanged\n\n"
            "val-ams (198.51.100.10): no changes, 2 unchanged\n\n"
            "Plan: 0 to create, 2 to change, 12 unchanged; 0 nodes to restart.\n");
  EXPECT_NE(format_plan_json(p).find("\"action\": \"reload-units\""), std::string::npos);
}

TEST_F(PlanFixture, SecretChangesShowNoContentAnywhere) {
  test::install(fleet, files);
  fleet.host("fra-1").files["/etc/wireguard/picket.conf"] =
      RemoteFile{"[Interface]\nPrivateKey = SECRET-old-wg\n", 0644};
  find_file(files, "val-ams", "/home/cosmos/.gaia/config/node_key.json").content =
      "{\"priv_key\":\"SECRET-new-validator\"}";
  const Plan p = plan();
  const std::string text = format_plan_text(p);
  EXPECT_EQ(text,
            "ams-2 (198.51.100.21): no changes, 2 unchanged\n\n"
            "fra-1 (198.51.100.20): 0 to create, 1 to change, 3 unchanged\n"
            "  ~ /etc/wireguard/picket.conf (change, mode 0644 -> 0600) (secret, content hidden)\n"
            "  reload: vpn\n\n"
            "hsm-ams (198.51.100.11): no changes, 1 unchanged\n\n"
            "nyc-1 (198.51.100.30): no changes, 2 unchanged\n\n"
            "sgp-1 (198.51.100.31): no changes, 2 unchanged\n\n"
            "val-ams (198.51.100.10): 0 to create, 1 to change, 1 unchanged\n"
            "  ~ /home/cosmos/.gaia/config/node_key.json (change) (secret, content hidden)\n"
            "  restart: validator\n\n"
            "Plan: 0 to create, 2 to change, 11 unchanged; 1 node to restart.\n");
  const std::string json = format_plan_json(p);
  for (const std::string& out : {text, json}) {
    EXPECT_EQ(out.find("SECRET"), std::string::npos) << out;
    EXPECT_EQ(out.find("PrivateKey"), std::string::npos) << out;
  }
  // The JSON names the secret files by hash only.
  EXPECT_NE(json.find(sha256_hex("{\"priv_key\":\"SECRET-new-validator\"}")), std::string::npos);
}

TEST_F(PlanFixture, ModeOnlyChangeHasNoDiff) {
  test::install(fleet, files);
  fleet.host("ams-2").files["/home/cosmos/.gaia/config/config.toml"].mode = 0666;
  const Plan p = plan();
  const HostPlan* h = p.find("ams-2");
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->files.size(), 2u);
  EXPECT_EQ(h->files[0].change, FileChange::change);
  EXPECT_EQ(h->files[0].diff, "");
  EXPECT_EQ(h->restart, std::vector<std::string>{"priv-ams"});
  EXPECT_NE(format_plan_text(p).find(
                "  ~ /home/cosmos/.gaia/config/config.toml (change, mode 0666 -> 0644)\n"
                "  restart: priv-ams\n"),
            std::string::npos);
}

TEST_F(PlanFixture, RootPrefixAndBecomeApply) {
  inventory.hosts[1].root = test::located("/sandbox/fra-1/");  // fra-1
  inventory.index_hosts();
  const Plan p = plan();
  const HostPlan* h = p.find("fra-1");
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->files.size(), 4u);
  EXPECT_EQ(h->files[0].remote_path, "/sandbox/fra-1/etc/nftables.d/picket.nft");
  // Outside the node's home: through become. Inside it: as the login user.
  EXPECT_EQ(fleet.host("fra-1").log,
            (std::vector<std::string>{
                "connect",
                "read[root] /sandbox/fra-1/etc/nftables.d/picket.nft",
                "read[root] /sandbox/fra-1/etc/wireguard/picket.conf",
                "read /sandbox/fra-1/home/cosmos/.gaia/config/config.toml",
                "read /sandbox/fra-1/home/cosmos/.gaia/config/node_key.json",
                "read /sandbox/fra-1/var/lib/picket/pending.json",
            }));
}

TEST_F(PlanFixture, UnreachableHostIsAnErrorAndNotCounted) {
  test::install(fleet, files);
  fleet.host("sgp-1").unreachable = true;
  const Plan p = plan();
  EXPECT_TRUE(p.has_errors());
  EXPECT_EQ(format_plan_text(p),
            "ams-2 (198.51.100.21): no changes, 2 unchanged\n\n"
            "fra-1 (198.51.100.20): no changes, 4 unchanged\n\n"
            "hsm-ams (198.51.100.11): no changes, 1 unchanged\n\n"
            "nyc-1 (198.51.100.30): no changes, 2 unchanged\n\n"
            "sgp-1 (198.51.100.31): error: unreachable: sgp-1: no route to host\n\n"
            "val-ams (198.51.100.10): no changes, 2 unchanged\n\n"
            "Plan: 0 to create, 0 to change, 11 unchanged; 0 nodes to restart.\n");
}

TEST_F(PlanFixture, UnreadableFileIsAnError) {
  fleet.host("ams-2").unreadable.push_back("/home/cosmos/.gaia/config/node_key.json");
  const Plan p = plan();
  const HostPlan* h = p.find("ams-2");
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->error);
  EXPECT_EQ(h->error->kind, TransportError::Kind::permission_denied);
  EXPECT_TRUE(h->files.empty());
}

TEST_F(PlanFixture, StandbyValidatorIsNeverRestarted) {
  topology.nodes[0].standby = {true, {}};
  const Plan p = plan();
  const HostPlan* h = p.find("val-ams");
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->restart.empty());
  EXPECT_EQ(h->held_back, std::vector<std::string>{"validator"});
  EXPECT_NE(format_plan_text(p).find(
                "  not restarted: validator (standby validator: picket never starts it)\n"),
            std::string::npos);
  EXPECT_EQ(p.counts().restart, 5);
}

TEST_F(PlanFixture, MissingRestartCommandIsAProblem) {
  inventory.hosts[0].service.reset();  // ams-2
  const Plan p = plan();
  EXPECT_TRUE(p.has_errors());
  EXPECT_NE(format_plan_text(p).find(
                "  problem: ams-2: cannot restart priv-ams: the inventory sets neither "
                "`restart` nor `service` for this host\n"),
            std::string::npos);
}

TEST_F(PlanFixture, PlanIsReadOnly) {
  test::install(fleet, files);
  find_file(files, "fra-1", "/etc/nftables.d/picket.nft").content = "table inet picket {}\n";
  (void)plan();
  for (const char* host : {"ams-2", "fra-1", "hsm-ams", "nyc-1", "sgp-1", "val-ams"})
    for (const std::string& op : fleet.host(host).log)
      EXPECT_TRUE(op == "connect" || op.rfind("read", 0) == 0) << host << ": " << op;
}

TEST_F(PlanFixture, SerialAndParallelPlansAgree) {
  test::install(fleet, files);
  find_file(files, "sgp-1", "/home/cosmos/.gaia/config/config.toml").content = "x\n";
  EXPECT_EQ(format_plan_json(plan(1)), format_plan_json(plan(8)));
}

TEST_F(PlanFixture, JsonIsTheWholePlan) {
  // One host only, so the whole document can be read here.
  files = FileSet{files[1], files[2]};  // ams-2: config.toml, node_key.json (0: local file)
  fleet.host("ams-2").files["/home/cosmos/.gaia/config/config.toml"] =
      RemoteFile{"moniker = \"priv-ams\"\n", 0644};
  const Plan p = plan();
  const std::string config_sha = sha256_hex(files[0].content);
  const std::string old_sha = sha256_hex("moniker = \"priv-ams\"\n");
  const std::string key_sha = sha256_hex(files[1].content);
  EXPECT_EQ(format_plan_json(p),
            "{\n"
            "  \"format_version\": 1,\n"
            "  \"hosts\": [\n"
            "    {\n"
            "      \"host\": \"ams-2\",\n"
            "      \"address\": \"198.51.100.21\",\n"
            "      \"error\": null,\n"
            "      \"problems\": [],\n"
            "      \"files\": [\n"
            "        {\n"
            "          \"path\": \"/home/cosmos/.gaia/config/config.toml\",\n"
            "          \"remote_path\": \"/home/cosmos/.gaia/config/config.toml\",\n"
            "          \"node\": \"priv-ams\",\n"
            "          \"action\": \"restart-node\",\n"
            "          \"secret\": false,\n"
            "          \"change\": \"change\",\n"
            "          \"mode\": \"0644\",\n"
            "          \"old_mode\": \"0644\",\n"
            "          \"sha256\": \"" + config_sha + "\",\n"
            "          \"old_sha256\": \"" + old_sha + "\",\n"
            "          \"diff\": \"--- a/home/cosmos/.gaia/config/config.toml\\n"
            "+++ b/home/cosmos/.gaia/config/config.toml\\n"
            "@@ -1 +1,5 @@\\n"
            " moniker = \\\"priv-ams\\\"\\n"
            "+\\n"
            "+[p2p]\\n"
            "+pex = true\\n"
            "+seeds = \\\"\\\"\\n\"\n"
            "        },\n"
            "        {\n"
            "          \"path\": \"/home/cosmos/.gaia/config/node_key.json\",\n"
            "          \"remote_path\": \"/home/cosmos/.gaia/config/node_key.json\",\n"
            "          \"node\": \"priv-ams\",\n"
            "          \"action\": \"restart-node\",\n"
            "          \"secret\": true,\n"
            "          \"change\": \"create\",\n"
            "          \"mode\": \"0600\",\n"
            "          \"old_mode\": null,\n"
            "          \"sha256\": \"" + key_sha + "\",\n"
            "          \"old_sha256\": null,\n"
            "          \"diff\": null\n"
            "        }\n"
            "      ],\n"
            "      \"reload\": [],\n"
            "      \"restart\": [\n"
            "        \"priv-ams\"\n"
            "      ],\n"
            "      \"held_back\": [],\n"
            "      \"pending_restarts\": [],\n"
            "      \"stale_temp_files\": []\n"
            "    }\n"
            "  ],\n"
            "  \"removed_hosts\": [],\n"
            "  \"summary\": {\n"
            "    \"create\": 1,\n"
            "    \"change\": 1,\n"
            "    \"unchanged\": 0,\n"
            "    \"restart\": 1,\n"
            "    \"errors\": 0,\n"
            "    \"changes\": true\n"
            "  }\n"
            "}\n");
}

}  // namespace
}  // namespace picket
