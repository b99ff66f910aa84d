// Issue 10, item 2: whatever render refuses, lint refuses first, with the same diagnostic.
// Every refusal render can make (each add_error in render/*.cpp) is listed below with a case
// that triggers it; a new refusal without a case fails RefusalSitesAreAllCovered. Lint's side
// is check_renderable (what `picket lint` runs); render's is render_all.
#include "render/checks.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <regex>

#include "render/keys.hpp"
#include "tests/unit/render/host_fixture.hpp"

namespace picket {
namespace {

using test::Network;
using test::at;

// small_network with what a deployable inventory has (a service per host) and every key.
Network deployable() {
  Network net = test::small_network();
  for (auto& h : net.inventory.hosts) h.service = at(std::string("cosmovisor.service"), 1, true);
  std::uint8_t seed = 100;
  for (const auto& n : net.topology.nodes) {
    if (n.role.value == Role::signer) continue;
    Bytes32 s{};
    s.fill(seed++);
    net.secrets.node_keys[n.name.value] = node_key_from_seed(s);
  }
  return net;
}

std::string lint_text(const Network& net) {
  Diagnostics out;
  check_renderable(net.topology, net.inventory, out);
  sort_diagnostics(out);
  return test::dump(out);
}

std::string render_errors(const Network& net) {
  Diagnostics out;
  render_all(net.topology, net.inventory, net.secrets, builtin_templates(), out);
  sort_diagnostics(out);
  std::erase_if(out, [](const Diagnostic& d) { return d.severity != Severity::error; });
  return test::dump(out);
}

Node& node(Network& net, const std::string& name) {
  for (auto& n : net.topology.nodes)
    if (n.name.value == name) return n;
  throw std::runtime_error("no node " + name);
}

Host& host(Network& net, const std::string& name) {
  for (auto& h : net.inventory.hosts)
    if (h.name.value == name) return h;
  throw std::runtime_error("no host " + name);
}

void set_override(Network& net, const std::string& name, const std::string& section,
                  const std::string& key, ConfigValue::Kind kind, const std::string& text) {
  ConfigValue v;
  v.kind = kind;
  v.text = text;
  v.loc = {test::topology_file(), 40, 7};
  node(net, name).config[section][key] = v;
}

struct Refusal {
  std::string site;  // "file.cpp:rule": the add_error call it proves
  std::function<void(Network&)> make;
};

// One case per refusal site of render/*.cpp that lint can know of.
const std::vector<Refusal>& refusals() {
  using K = ConfigValue::Kind;
  static const std::vector<Refusal> k_cases = {
      {"tunnel.cpp:schema", [](Network& n) { n.topology.vpn.reset(); }},
      {"tunnel.cpp:address", [](Network& n) { n.topology.vpn->subnet.value = "10.44.0.0/30"; }},
      {"tunnel.cpp:address", [](Network& n) {
         // The partner's tunnel address on the one picket gives host sen-a.
         Diagnostics d;
         const std::string taken = plan_tunnels(n.topology, n.inventory, d).addresses.at("sen-a");
         n.topology.partners[0].peers[0].address.value = taken + ":26656";
       }},
      {"checks.cpp:schema", [](Network& n) {  // no home anywhere
         host(n, "sen-b").home.reset();
       }},
      {"checks.cpp:schema", [](Network& n) {  // no restart command
         host(n, "pub-a").service.reset();
       }},
      {"signer.cpp:schema", [](Network& n) {
         host(n, "kms-1").home.reset();
         host(n, "kms-1").user.reset();
       }},
      {"boot.cpp:schema", [](Network& n) { host(n, "sen-a").service->value = "../evil"; }},
      {"overrides.cpp:schema", [](Network& n) {  // a bad override value
         set_override(n, "sentry-a", "p2p", "max_num_inbound_peers", K::string, "many");
       }},
      {"overrides.cpp:schema", [](Network& n) {  // a signer's overrides
         set_override(n, "kms", "p2p", "pex", K::boolean, "true");
       }},
      {"overrides.cpp:override-conflict", [](Network& n) {
         set_override(n, "validator", "p2p", "pex", K::boolean, "true");
       }},
      {"app_config.cpp:schema", [](Network& n) {  // the SDK's empty minimum-gas-prices
         n.topology.chain.sdk = Located<std::string>{"0.50", {test::topology_file(), 3, 9}};
       }},
      {"app_config.cpp:override-conflict", [](Network& n) {  // the validator's gRPC exposed
         n.topology.chain.sdk = Located<std::string>{"0.50", {test::topology_file(), 3, 9}};
         ConfigValue v{ConfigValue::Kind::string, "0.0.0.0:9090", {}, {test::topology_file(), 41, 7}};
         node(n, "validator").app["grpc"]["address"] = v;
       }},
      {"startup.cpp:schema", [](Network& n) {
         set_override(n, "sentry-b", "statesync", "enable", K::boolean, "true");
       }},
      {"firewall.cpp:lockout", [](Network& n) {  // an ssh_allow without picket's controller
         n.inventory.controller = {{"203.0.113.9", {}}};
         host(n, "sen-a").ssh_allow = std::vector<Located<std::string>>{{"192.0.2.0/28", {}}};
       }},
  };
  return k_cases;
}

// Refusals lint cannot know of: they need the keys or the templates (documented in
// docs/topology-format.md §6).
const std::map<std::string, int> k_not_lints = {
    {"config_table.cpp:template", 2}, {"node_config.cpp:template", 3},
    {"template_engine.cpp:template", 3}, {"node_config.cpp:missing-key", 1},
    {"wireguard.cpp:missing-key", 1}};

TEST(Checks, DeployableNetworkIsCleanForBoth) {
  const Network net = deployable();
  EXPECT_EQ(lint_text(net), "");
  EXPECT_EQ(render_errors(net), "");
}

TEST(Checks, LintRefusesEveryRenderRefusalWithTheSameDiagnostic) {
  for (const auto& refusal : refusals()) {
    SCOPED_TRACE(refusal.site);
    Network net = deployable();
    refusal.make(net);
    const std::string rendered = render_errors(net);
    EXPECT_NE(rendered, "");  // render does refuse it
    // Lint says every one of render's errors, word for word (it may say more: warnings).
    const std::string linted = lint_text(net);
    std::size_t start = 0;
    while (start < rendered.size()) {
      const std::size_t end = rendered.find('\n', start);
      const std::string line = rendered.substr(start, end - start + 1);
      EXPECT_NE(linted.find(line), std::string::npos) << "lint lacks: " << line << "lint said:\n"
                                                        << linted;
      start = end + 1;
    }
    // And the file names the site this case is for.
    const std::string rule = refusal.site.substr(refusal.site.find(':') + 1);
    EXPECT_NE(rendered.find(rule + " error"), std::string::npos) << rendered;
  }
}

// Issue 10, item 6: a partner's tunnel address on one picket allocates to our host.
TEST(Checks, PartnerPeerOnAnAllocatedTunnelAddress) {
  Network net = deployable();
  Diagnostics d;
  const std::string taken = plan_tunnels(net.topology, net.inventory, d).addresses.at("sen-a");
  net.topology.partners[0].peers[0].address.value = taken + ":26656";
  EXPECT_EQ(lint_text(net),
            "address error topology.yaml:20 certus/1 host=sen-a: partner peer certus/1 at \"" +
                taken + ":26656\" has the tunnel address picket allocates from vpn.subnet to host "
                "\"sen-a\": two WireGuard peers would claim " + taken +
                "/32; give the partner an address outside vpn.subnet, or the subnet's first host "
                "address, which picket never allocates\n");
  // The subnet's first host address is never allocated: a partner may have it.
  net.topology.partners[0].peers[0].address.value = "10.44.0.1:26656";
  EXPECT_EQ(lint_text(net), "");
}

// Issue 10, item 4: CometBFT resolves names once, at start: a public sentry's external
// address that does not resolve stops it; a peer's is left out until a restart.
TEST(Checks, DnsNamesResolvedOnceAtStart) {
  Network net = deployable();
  host(net, "pub-a").address.value = "pub-a.example.net";
  host(net, "sen-b").address.value = "sen-b.example.net";
  EXPECT_EQ(lint_text(net),
            "address warning inventory.yaml:6 host=sen-b validator: peer address "
            "\"sen-b.example.net\" (host=sen-b) is a DNS name: CometBFT resolves persistent_peers "
            "once at start and never dials a peer whose name did not resolve then, until it "
            "restarts (first in persistent_peers of \"validator\"); and a firewall ruleset cannot "
            "list a name, so picket leaves it out of the nftables rules of \"validator\", whose "
            "connections from it are dropped; use an IP address\n"
            "address warning inventory.yaml:7 host=pub-a sentry-b: peer address "
            "\"pub-a.example.net\" (host=pub-a) is a DNS name: CometBFT resolves persistent_peers "
            "once at start and never dials a peer whose name did not resolve then, until it "
            "restarts (first in persistent_peers of \"sentry-b\"); and a firewall ruleset cannot "
            "list a name, so picket leaves it out of the nftables rules of \"sentry-b\", whose "
            "connections from it are dropped; use an IP address\n"
            "address warning inventory.yaml:7 public-a host=pub-a: public sentry \"public-a\" "
            "advertises its host's DNS name \"pub-a.example.net\" as p2p.external_address: "
            "CometBFT resolves it once at start and refuses to start when it does not resolve then "
            "(\"p2p.external_address is incorrect\"); use an IP address\n");
}

// The network's seeds and peers as DNS names: resolved once at start as well, and a node
// with no seed resolved and an empty address book refuses to start.
TEST(Checks, NetworkSeedsAndPeersAsDnsNamesResolvedOnceAtStart) {
  Network net = deployable();
  NetworkPeers network;
  network.seeds.push_back({at(std::string(40, 'a'), 40), at(std::string("seed.example.net:26656"), 40), {}});
  network.seeds.push_back({at(std::string(40, 'b'), 41), at(std::string("198.51.100.9:26656"), 41), {}});
  network.peers.push_back({at(std::string(40, 'c'), 43), at(std::string("peer.example.net:26656"), 43), {}});
  net.topology.network = network;
  EXPECT_EQ(lint_text(net),
            "address warning topology.yaml:40 network: seed 1 of the network (\"seed.example.net:26656\") "
            "is a DNS name: CometBFT resolves p2p.seeds once at start, skips a seed whose name did "
            "not resolve then until it restarts, and refuses to start when no seed resolves and its "
            "address book is empty; use an IP address\n"
            "address warning topology.yaml:43 network: peer 1 of the network (\"peer.example.net:26656\") "
            "is a DNS name: CometBFT resolves persistent_peers once at start and never dials a peer "
            "whose name did not resolve then, until it restarts; use an IP address\n");
  // IP addresses only: nothing to say.
  net.topology.network->seeds[0].address.value = "198.51.100.8:26656";
  net.topology.network->peers[0].address.value = "203.0.113.8:26656";
  EXPECT_EQ(lint_text(net), "");
}

// Every add_error of render/*.cpp is either a case above or a refusal lint cannot know of.
TEST(Checks, RefusalSitesAreAllCovered) {
  std::map<std::string, int> found;
  const std::regex call(R"re(add_error\(\s*\w+,\s*"([a-z-]+)")re");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(PICKET_SOURCE_DIR) / "render")) {
    if (entry.path().extension() != ".cpp") continue;
    const std::string text = test::read_text(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), call); it != std::sregex_iterator(); ++it)
      ++found[entry.path().filename().string() + ":" + (*it)[1].str()];
  }
  std::map<std::string, int> cases;
  for (const auto& r : refusals()) ++cases[r.site];
  std::vector<std::string> uncovered, stale;
  for (const auto& [site, n] : found)
    if (k_not_lints.count(site) == 0 && cases.count(site) == 0) uncovered.push_back(site);
  for (const auto& [site, n] : cases)
    if (found.count(site) == 0) stale.push_back(site);
  EXPECT_EQ(uncovered, std::vector<std::string>{});
  EXPECT_EQ(stale, std::vector<std::string>{});
  for (const auto& [site, n] : k_not_lints) EXPECT_EQ(found[site], n) << site;
}

}  // namespace
}  // namespace picket
