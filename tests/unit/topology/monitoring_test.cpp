#include <gtest/gtest.h>

#include "tests/unit/topology/load_test_util.hpp"
#include "topology/lint.hpp"
#include "topology/load.hpp"
#include "topology/monitoring.hpp"

namespace picket {
namespace {

const std::string k_head =
    "version: 1\nchain: {id: test-1, cometbft: \"0.38\"}\n"
    "nodes:\n  validator: {role: validator, host: h1}\n"
    "vpn: {subnet: 10.44.0.0/24}\n";

struct Loaded {
  Topology topology;
  std::string diags;
};

Loaded load(const std::string& monitoring) {
  Diagnostics diags;
  Loaded l;
  l.topology = load_topology({"topology.yaml", k_head + monitoring}, diags);
  l.diags = test::render_in(diags, "topology.yaml");
  return l;
}

TEST(MonitoringSection, EveryReceiverKindLoads) {
  const Loaded l = load(R"(monitoring:
  host: mon-1
  scrape_interval: 5s
  receivers:
    oncall: {pagerduty: {routing_key_file: /etc/picket/pd.key}, severity: critical}
    chat: {slack: {api_url_file: /etc/picket/slack.url, channel: "#validators"}}
    mail: {email: {to: ops@example.org, from: p@example.org, smarthost: "smtp.example.org:587", auth_username: p, auth_password_file: /etc/picket/smtp}}
    hooks: {webhook: {url: "https://hooks.example.org/x", credentials_file: /etc/picket/token}}
    genie: {opsgenie: {api_key_file: /etc/picket/genie}}
    deadman: {webhook: {url: "https://hc.example.org/ping"}, watchdog: true}
)");
  EXPECT_EQ(l.diags, "");
  ASSERT_TRUE(l.topology.monitoring);
  const Monitoring& m = *l.topology.monitoring;
  EXPECT_EQ(m.host.value, "mon-1");
  EXPECT_EQ(m.scrape_interval.value, "5s");
  ASSERT_EQ(m.receivers.size(), 6u);
  EXPECT_EQ(m.receivers[0].name.value, "oncall");
  EXPECT_EQ(m.receivers[0].kind.value, ReceiverKind::pagerduty);
  EXPECT_EQ(m.receivers[0].severity.value, "critical");
  EXPECT_EQ(m.receivers[0].settings.at("routing_key_file").value, "/etc/picket/pd.key");
  EXPECT_EQ(m.receivers[1].severity.value, "warning");
  EXPECT_EQ(m.receivers[2].settings.size(), 5u);
  EXPECT_FALSE(m.receivers[4].watchdog);
  EXPECT_TRUE(m.receivers[5].watchdog);
}

TEST(MonitoringSection, InlineSecretsAndBadValuesAreRefused) {
  const Loaded l = load(R"(monitoring:
  host: mon-1
  scrape_interval: 15
  receivers:
    a: {pagerduty: {routing_key: abc123}}
    b: {slack: {api_url: "https://hooks.slack.com/services/T/B/X"}}
    c: {email: {to: o@example.org, from: p@example.org, smarthost: "smtp.example.org", auth_password: hunter2}}
    d: {webhook: {url: "ftp://x", credentials: secret}}
    e: {opsgenie: {api_key_file: relative/path}}
    f: {severity: critical}
    g: {webhook: {url: "https://x/"}, slack: {api_url_file: /x}}
    picket-drop: {webhook: {url: "https://x/"}}
    h: {pagerduty: {routing_key_file: /x}, severity: page}
)");
  EXPECT_EQ(l.diags,
            "8:20: error: \"scrape_interval\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"15\" [schema] {monitoring}\n"
            "10:21: error: \"routing_key\" is a secret and is never written in the topology: name the file on the monitor host that holds it with \"routing_key_file\" [schema] {monitoring}\n"
            "11:17: error: \"api_url\" is a secret and is never written in the topology: name the file on the monitor host that holds it with \"api_url_file\" [schema] {monitoring}\n"
            "12:68: error: \"smarthost\" must be host:port, found \"smtp.example.org\" [address] {monitoring}\n"
            "12:88: error: \"auth_password\" is a secret and is never written in the topology: name the file on the monitor host that holds it with \"auth_password_file\" [schema] {monitoring}\n"
            "13:24: error: \"url\" must start with http:// or https://, found \"ftp://x\" [schema] {monitoring}\n"
            "13:35: error: \"credentials\" is a secret and is never written in the topology: name the file on the monitor host that holds it with \"credentials_file\" [schema] {monitoring}\n"
            "14:34: error: \"api_key_file\" must be an absolute path of a file on the monitor host, found \"relative/path\" [schema] {monitoring}\n"
            "15:5: error: receiver \"f\" names no kind; give one of \"webhook\", \"email\", \"slack\", \"pagerduty\", \"opsgenie\" [schema] {monitoring}\n"
            "16:39: error: receiver \"g\" has two kinds (\"webhook\" and \"slack\"); give each its own receiver [schema] {monitoring}\n"
            "17:5: error: receiver name \"picket-drop\" must be 1 to 63 characters of [a-z0-9-] and not start with \"picket-\" (picket's own routes use it) [schema] {monitoring}\n"
            "18:54: error: \"severity\" must be one of \"warning\", \"critical\", found \"page\" [schema] {monitoring}\n");
  // Nothing with an error is kept: a receiver renders whole or not at all.
  ASSERT_TRUE(l.topology.monitoring);
  EXPECT_TRUE(l.topology.monitoring->receivers.empty());
}

// Alertmanager's route timings: read as written, with their locations.
TEST(MonitoringSection, AlertmanagerTimingsLoad) {
  const Loaded l = load(R"(monitoring:
  host: mon-1
  group_wait: 10s
  group_interval: 30s
  repeat_interval: 90m
)");
  EXPECT_EQ(l.diags, "");
  ASSERT_TRUE(l.topology.monitoring);
  const Monitoring& m = *l.topology.monitoring;
  EXPECT_EQ(m.group_wait.value, "10s");
  EXPECT_EQ(m.group_interval.value, "30s");
  EXPECT_EQ(m.repeat_interval.value, "90m");
  EXPECT_EQ(std::make_pair(m.group_wait.loc.line, m.group_wait.loc.column), std::make_pair(8u, 15u));
  EXPECT_EQ(std::make_pair(m.group_interval.loc.line, m.group_interval.loc.column), std::make_pair(9u, 19u));
  EXPECT_EQ(std::make_pair(m.repeat_interval.loc.line, m.repeat_interval.loc.column), std::make_pair(10u, 20u));
  EXPECT_EQ(m.scrape_interval.value, "15s");
}

// Left out, each duration is Alertmanager's (Prometheus's) default, located at the section.
TEST(MonitoringSection, DurationsDefault) {
  const Loaded l = load("monitoring: {host: mon-1}\n");
  EXPECT_EQ(l.diags, "");
  ASSERT_TRUE(l.topology.monitoring);
  const Monitoring& m = *l.topology.monitoring;
  const std::vector<std::pair<std::string, const Located<std::string>*>> durations{
      {"15s", &m.scrape_interval}, {"30s", &m.group_wait}, {"5m", &m.group_interval}, {"4h", &m.repeat_interval}};
  for (const auto& [value, d] : durations) {
    EXPECT_EQ(d->value, value);
    EXPECT_EQ(std::make_pair(d->loc.line, d->loc.column), std::make_pair(6u, 1u)) << value;
  }
}

// A bad timing is a schema error at its value, and the default stays.
TEST(MonitoringSection, BadAlertmanagerTimingsAreRefused) {
  const Loaded l = load(R"(monitoring:
  host: mon-1
  group_wait: 30
  group_interval: 1h30m
  repeat_interval: 0h
)");
  EXPECT_EQ(l.diags,
            "8:15: error: \"group_wait\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"30\" [schema] {monitoring}\n"
            "9:19: error: \"group_interval\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"1h30m\" [schema] {monitoring}\n"
            "10:20: error: \"repeat_interval\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"0h\" [schema] {monitoring}\n");
  ASSERT_TRUE(l.topology.monitoring);
  EXPECT_EQ(l.topology.monitoring->group_wait.value, "30s");
  EXPECT_EQ(l.topology.monitoring->group_interval.value, "5m");
  EXPECT_EQ(l.topology.monitoring->repeat_interval.value, "4h");
  const Loaded m = load(R"(monitoring:
  host: mon-1
  group_wait: "10 s"
  group_interval: 1d
  repeat_interval: 1234567s
  scrape_interval: [15s]
)");
  EXPECT_EQ(m.diags,
            "8:15: error: \"group_wait\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"10 s\" [schema] {monitoring}\n"
            "9:19: error: \"group_interval\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"1d\" [schema] {monitoring}\n"
            "10:20: error: \"repeat_interval\" must be a duration like \"15s\" or \"1m\" (digits and one of ms, s, m, h), found \"1234567s\" [schema] {monitoring}\n"
            "11:20: error: \"scrape_interval\" must be a string, found a list [schema] {monitoring}\n");
}

TEST(MonitoringSection, HostIsRequiredAndUnknownKeysSuggest) {
  const Loaded l = load("monitoring: {hots: mon-1}\n");
  EXPECT_EQ(l.diags,
            "6:14: error: unknown key \"hots\" in \"monitoring\"; did you mean \"host\"? [schema] {monitoring}\n");
  EXPECT_FALSE(l.topology.monitoring);
  // The misspelling above is one mistake; without any spelling of it, the key is missing.
  const Loaded m = load("monitoring: {scrape_interval: 15s}\n");
  EXPECT_EQ(m.diags, "6:1: error: missing required key \"host\" in \"monitoring\" [schema] {monitoring}\n");
  EXPECT_FALSE(m.topology.monitoring);
}

// A host written but not read (empty) is reported as missing as well; a secret's inline
// spelling where the kind takes no such file is an unknown key like any other.
TEST(MonitoringSection, EmptyHostIsMissingAndForeignSecretsAreUnknown) {
  const Loaded l = load("monitoring: {host: \"\"}\n");
  EXPECT_EQ(l.diags,
            "6:1: error: missing required key \"host\" in \"monitoring\" [schema] {monitoring}\n"
            "6:20: error: \"host\" must not be empty [schema] {monitoring}\n");
  EXPECT_FALSE(l.topology.monitoring);
  const Loaded m = load(R"(monitoring:
  host: mon-1
  receivers:
    a: {webhook: {url: "https://x/", api_key: abc}}
    b: {pagerduty: {credentials: x}}
    c: {email: {to: o@example.org, form: p@example.org, smarthost: "smtp.example.org:25"}}
)");
  EXPECT_EQ(m.diags,
            "9:38: error: unknown key \"api_key\" in \"webhook\" of receiver \"a\"; expected one of \"url\", \"credentials_file\" [schema] {monitoring}\n"
            "10:9: error: missing required key \"routing_key_file\" in \"pagerduty\" of receiver \"b\" [schema] {monitoring}\n"
            "10:21: error: unknown key \"credentials\" in \"pagerduty\" of receiver \"b\"; expected one of \"routing_key_file\" [schema] {monitoring}\n"
            "11:36: error: unknown key \"form\" in \"email\" of receiver \"c\"; did you mean \"from\"? [schema] {monitoring}\n");
  ASSERT_TRUE(m.topology.monitoring);
  EXPECT_TRUE(m.topology.monitoring->receivers.empty());
}

LintResult lint_with(const std::string& topology, const std::string& inventory) {
  return lint({"topology.yaml", topology}, {"inventory.yaml", inventory});
}

TEST(MonitoringLint, NoMonitorWarnsAndNamesTheNodes) {
  const LintResult r = lint_with(
      "version: 1\nchain: {id: test-1, cometbft: \"0.38\"}\n"
      "nodes:\n  validator: {role: validator, host: h1}\n  kms: {role: signer, host: h1}\n",
      "hosts:\n  h1: {address: 192.0.2.1}\n");
  std::string found;
  for (const auto& d : r.diagnostics)
    if (d.rule == "no-monitor") found += test::render({d});
  EXPECT_EQ(found,
            "3:1: warning: no \"monitoring:\" host: the metrics of node \"validator\" are scraped from "
            "nowhere picket sets up, and nothing alerts when the validator stops signing; name a "
            "monitoring host [no-monitor] {validator}\n");
}

TEST(MonitoringLint, UnknownHostAndNoVpnAreErrors) {
  const LintResult r = lint_with(
      "version: 1\nchain: {id: test-1, cometbft: \"0.38\"}\n"
      "nodes:\n  validator: {role: validator, host: h1}\nmonitoring: {host: mon-9}\n",
      "hosts:\n  h1: {address: 192.0.2.1}\n  mon-1: {address: 192.0.2.2}\n");
  std::string found;
  for (const auto& d : r.diagnostics)
    if (d.location.line == 5) found += test::render({d});
  EXPECT_EQ(found,
            "5:1: error: \"monitoring\" scrapes every host over the WireGuard mesh and needs a \"vpn:\" "
            "section with a subnet to allocate tunnel addresses from [schema]\n"
            "5:20: error: unknown host \"mon-9\" for \"monitoring\"; expected a host of the inventory "
            "[reference] {host=mon-9}\n");
  for (const auto& d : r.diagnostics) EXPECT_NE(d.rule, "no-monitor");
}

}  // namespace
}  // namespace picket
