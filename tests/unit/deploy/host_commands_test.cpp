#include "deploy/host_commands.hpp"

#include <gtest/gtest.h>

#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

TEST(HostCommands, FilePlaceholderIsQuoted) {
  EXPECT_EQ(substitute_file("nft -f {file}", "/srv/a b/x.nft"), "nft -f '/srv/a b/x.nft'");
  EXPECT_EQ(substitute_file("cp {file} {file}.1", "/x"), "cp '/x' '/x'.1");
  EXPECT_EQ(substitute_file("true", "/x"), "true");
  EXPECT_EQ(substitute_file("nft -f {file}", "/it's"), "nft -f '/it'\\''s'");
}

TEST(HostCommands, RootPrefixesPathsOnly) {
  Inventory inv = test::sentry_inventory();
  Host& h = inv.hosts[0];
  EXPECT_EQ(remote_path(h, "/etc/x"), "/etc/x");
  h.root = test::located("/");
  EXPECT_EQ(remote_path(h, "/etc/x"), "/etc/x");
  h.root = test::located("/sandbox/h/");
  EXPECT_EQ(remote_path(h, "/etc/x"), "/sandbox/h/etc/x");
  EXPECT_EQ(lock_path(h), "/sandbox/h/var/lib/picket/deploy.lock");
  EXPECT_EQ(backup_path("/sandbox/h/etc/x"), "/sandbox/h/etc/x.picket-bak");
  // Commands name remote paths with the prefix applied, and never get it themselves.
  EXPECT_EQ(reload_firewall_command(h, remote_path(h, "/etc/p.nft")),
            "nft -f '/sandbox/h/etc/p.nft'");
}

TEST(HostCommands, RestartAndCheckFallBackToTheService) {
  Inventory inv = test::sentry_inventory();
  Host& h = inv.hosts[0];
  EXPECT_EQ(restart_command(h), "systemctl restart 'cosmovisor.service'");
  EXPECT_EQ(check_command(h), "systemctl is-active --quiet 'cosmovisor.service'");
  h.restart = test::located("sudo systemctl restart gaiad");
  h.check = test::located("pgrep gaiad");
  EXPECT_EQ(restart_command(h), "sudo systemctl restart gaiad");
  EXPECT_EQ(check_command(h), "pgrep gaiad");
  h.restart.reset();
  h.check.reset();
  h.service.reset();
  EXPECT_EQ(restart_command(h), std::nullopt);
  EXPECT_EQ(check_command(h), std::nullopt);
}

// A horcrux cosigner's unit is horcrux.service unless the host names one.
TEST(HostCommands, ACosignerRestartsHorcrux) {
  Host h;
  h.name = test::located("cos-1");
  h.service = test::located("cosmovisor.service");
  Node cosigner;
  cosigner.name = test::located("hx-1");
  cosigner.role = {Role::signer, {}};
  cosigner.cosigner_of = "hx";
  EXPECT_EQ(restart_command(h, cosigner), "systemctl restart 'horcrux.service'");
  EXPECT_EQ(check_command(h, cosigner), "systemctl is-active --quiet 'horcrux.service'");
  h.signer_service = test::located("horcrux@hub.service");
  EXPECT_EQ(restart_command(h, cosigner), "systemctl restart 'horcrux@hub.service'");
  h.signer_restart = test::located("my-restart");
  h.signer_check = test::located("pgrep horcrux");
  EXPECT_EQ(restart_command(h, cosigner), "my-restart");
  EXPECT_EQ(check_command(h, cosigner), "pgrep horcrux");
}

// A signer has its own unit: never the host's `service` or `restart`, which are its nodes'.
TEST(HostCommands, ASignerRestartsItsOwnService) {
  const Topology t = test::sentry_topology();
  Inventory inv = test::sentry_inventory();
  Host& h = *const_cast<Host*>(inv.find_host("hsm-ams"));
  const Node& kms = *t.find_node("kms");
  const Node& validator = *t.find_node("validator");
  EXPECT_EQ(restart_command(h, kms), "systemctl restart 'tmkms.service'");
  EXPECT_EQ(check_command(h, kms), "systemctl is-active --quiet 'tmkms.service'");
  EXPECT_EQ(restart_command(h, validator), "systemctl restart 'cosmovisor.service'");
  h.restart = test::located("sudo systemctl restart gaiad");
  h.check = test::located("pgrep gaiad");
  h.signer_service = test::located("tmkms@cosmoshub.service");
  EXPECT_EQ(restart_command(h, kms), "systemctl restart 'tmkms@cosmoshub.service'");
  EXPECT_EQ(check_command(h, kms), "systemctl is-active --quiet 'tmkms@cosmoshub.service'");
  EXPECT_EQ(restart_command(h, validator), "sudo systemctl restart gaiad");
  EXPECT_EQ(check_command(h, validator), "pgrep gaiad");
  // Without `service` or `restart` a signer still has its unit.
  h.restart.reset();
  h.service.reset();
  EXPECT_EQ(restart_command(h, validator), std::nullopt);
  EXPECT_EQ(restart_command(h, kms), "systemctl restart 'tmkms@cosmoshub.service'");
}

TEST(HostCommands, BecomeOnlyOutsideTheNodesHome) {
  const Topology t = test::sentry_topology();
  Inventory inv = test::sentry_inventory();
  const Host& h = *inv.find_host("fra-1");
  auto f = [](std::string path, std::string node) {
    return test::file("fra-1", std::move(path), 0644, "", std::move(node), false,
                      ApplyAction::none);
  };
  EXPECT_FALSE(needs_root(f("/home/cosmos/.gaia/config/config.toml", "priv-fra"), t, h));
  EXPECT_TRUE(needs_root(f("/home/cosmos/.gaia-other/x", "priv-fra"), t, h));
  EXPECT_TRUE(needs_root(f("/etc/wireguard/picket.conf", ""), t, h));
  Host plain = h;
  plain.become.reset();
  EXPECT_FALSE(needs_root(f("/etc/wireguard/picket.conf", ""), t, plain));
}

// The default brings a missing tunnel up (first deploy), re-ups it when its own address
// changed, else syncs the peers; a failing `wg-quick strip` stops it before the interface is
// touched (set -e on the assignment). The lab runs it against wireguard-go.
TEST(HostCommands, DefaultVpnReloadPassesTheFileAsAnArgument) {
  Inventory inv = test::sentry_inventory();
  EXPECT_EQ(reload_vpn_command(inv.hosts[0], "/etc/wireguard/picket.conf"),
            "bash -c 'set -euo pipefail; f=$1; stripped=$(wg-quick strip \"$f\"); "
            "if ! ip link show dev picket >/dev/null 2>&1; then exec wg-quick up \"$f\"; fi; "
            "want=$(sed -n \"s/^Address *= *//p\" \"$f\" | tr -d \" \" | tr , \"\\n\" | sort); "
            "have=$(ip -o addr show dev picket scope global | awk \"{print \\$4}\" | sort); "
            "if [ \"$want\" != \"$have\" ]; then wg-quick down \"$f\"; exec wg-quick up \"$f\"; fi; "
            "wg syncconf picket <(printf \"%s\\n\" \"$stripped\")' picket "
            "'/etc/wireguard/picket.conf'");
}

}  // namespace
}  // namespace picket

namespace picket {
namespace {

// The default picks the service by the file: node_exporter restarts for new flags, Prometheus
// and Alertmanager reload; run through a real sh with systemctl replaced by echo.
TEST(HostCommands, DefaultMonitoringReloadPicksTheServiceByFile) {
  Host h;
  h.name.value = "mon";
  for (const auto& [file, want] : std::vector<std::pair<std::string, std::string>>{
           {"/etc/default/prometheus-node-exporter", "restart prometheus-node-exporter\n"},
           {"/etc/prometheus/alertmanager.yml", "reload prometheus-alertmanager\n"},
           {"/etc/prometheus/prometheus.yml", "reload prometheus\n"},
           {"/etc/prometheus/picket-alerts.yml", "reload prometheus\n"}}) {
    const std::string command = reload_monitoring_command(h, file);
    FILE* p = popen(("systemctl() { echo \"$@\"; }; " + command).c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[256] = {};
    const std::size_t n = fread(buf, 1, sizeof buf - 1, p);
    EXPECT_EQ(pclose(p), 0) << command;
    EXPECT_EQ(std::string(buf, n), want) << command;
  }
  h.reload_monitoring = Located<std::string>{"my-reload {file}", {}};
  EXPECT_EQ(reload_monitoring_command(h, "/etc/prometheus/prometheus.yml"), "my-reload '/etc/prometheus/prometheus.yml'");
}

}  // namespace
}  // namespace picket
