#include "topology/whatif.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/unit/topology/sample.hpp"
#include "topology/report.hpp"

namespace picket {
namespace {

using testing::sample_inventory;
using testing::sample_topology;

// The diagnostics as the CLI would print them (no location: "picket: error: …").
std::string text_of(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags) {
    out += fmt::format("{}: {} [{}] {{", severity_name(d.severity), d.message, d.rule);
    for (const auto& s : d.subjects) out += s + ";";
    out += "}";
    out += d.location.known() || !d.location.path().empty() ? " HAS-LOCATION\n" : "\n";
  }
  return out;
}

struct Parsed {
  bool ok = false;
  FailureSet failures;
  Diagnostics diags;
};

Parsed parse(const std::vector<std::string>& specs) {
  Parsed p;
  p.ok = parse_failures(specs, sample_topology(), sample_inventory(), p.failures, p.diags);
  return p;
}

TEST(WhatIf, ParsesEveryKind) {
  const Parsed p = parse({"node=pub-nyc", "node=certus/1", "link=pub-sgp--priv-fra",
                          "link=certus/1--priv-ams", "host=fra-1", "datacenter=equinix-am5",
                          "region=us-east", "provider=vps-co", "node=pub-nyc",
                          "link=priv-fra--pub-sgp"});
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(text_of(p.diags), "");
  EXPECT_EQ(p.failures.nodes, (std::vector<std::string>{"pub-nyc", "certus/1"}));
  EXPECT_EQ(p.failures.links, (std::vector<std::pair<std::string, std::string>>{
                                  {"pub-sgp", "priv-fra"}, {"certus/1", "priv-ams"}}));
  EXPECT_EQ(p.failures.domains, (std::vector<std::pair<DomainKind, std::string>>{
                                    {DomainKind::host, "fra-1"},
                                    {DomainKind::datacenter, "equinix-am5"},
                                    {DomainKind::region, "us-east"},
                                    {DomainKind::provider, "vps-co"}}));
}

TEST(WhatIf, BadKindsAreSchemaErrorsListingTheKinds) {
  const Parsed p = parse({"nod=pub-nyc", "pub-nyc", "rack=r1", "node="});
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(text_of(p.diags),
            "error: unknown failure kind \"nod\" in \"nod=pub-nyc\" (did you mean \"node\"?); "
            "kinds: node, link, host, datacenter, region, provider [schema] {}\n"
            "error: failure \"pub-nyc\" is not KIND=VALUE; kinds: node, link, host, datacenter, "
            "region, provider [schema] {}\n"
            "error: unknown failure kind \"rack\" in \"rack=r1\"; kinds: node, link, host, "
            "datacenter, region, provider [schema] {}\n"
            "error: failure \"node=\" names no node [schema] {}\n");
  EXPECT_TRUE(p.failures.nodes.empty());
}

TEST(WhatIf, UnknownNamesAreReferenceErrorsWithHints) {
  const Parsed p = parse({"node=priv-fr", "node=fra-1", "node=certus/2", "host=fra-2",
                          "datacenter=equinix-fr4", "region=mars", "provider=priv-ams",
                          "node=pub-sgp"});
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(text_of(p.diags),
            "error: unknown node \"priv-fr\" in \"node=priv-fr\" (did you mean \"priv-fra\"?) "
            "[reference] {priv-fr;}\n"
            "error: unknown node \"fra-1\" in \"node=fra-1\" (\"fra-1\" is a host: host=fra-1) "
            "[reference] {fra-1;}\n"
            "error: unknown node \"certus/2\" in \"node=certus/2\" (did you mean \"certus/1\"?) "
            "[reference] {certus/2;}\n"
            "error: unknown host \"fra-2\" in \"host=fra-2\" (did you mean \"fra-1\"?) "
            "[reference] {host=fra-2;}\n"
            "error: unknown datacenter \"equinix-fr4\" in \"datacenter=equinix-fr4\" (did you "
            "mean \"equinix-fr5\"?) [reference] {datacenter=equinix-fr4;}\n"
            "error: unknown region \"mars\" in \"region=mars\" [reference] {region=mars;}\n"
            "error: unknown provider \"priv-ams\" in \"provider=priv-ams\" (\"priv-ams\" is a "
            "node: node=priv-ams) [reference] {provider=priv-ams;}\n");
  // The good spec among the bad ones is still taken.
  EXPECT_EQ(p.failures.nodes, std::vector<std::string>{"pub-sgp"});
}

TEST(WhatIf, BadLinks) {
  const Parsed p = parse({"link=validator-priv-fra", "link=validator--priv-fr",
                          "link=pub-nyc--pub-sgp", "link=x--", "link=validator--validator",
                          "link=nobody--none"});
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(text_of(p.diags),
            "error: link \"validator-priv-fra\" in \"link=validator-priv-fra\" is not written "
            "A--B [schema] {}\n"
            "error: unknown node \"priv-fr\" in \"link=validator--priv-fr\" (did you mean "
            "\"priv-fra\"?) [reference] {priv-fr;}\n"
            "error: no link or peering between \"pub-nyc\" and \"pub-sgp\" in "
            "\"link=pub-nyc--pub-sgp\" [reference] {pub-nyc--pub-sgp;}\n"
            "error: link \"x--\" in \"link=x--\" is not written A--B [schema] {}\n"
            "error: no link or peering between \"validator\" and \"validator\" in "
            "\"link=validator--validator\" [reference] {validator--validator;}\n"
            "error: unknown node \"nobody\" in \"link=nobody--none\" [reference] {nobody;}\n"
            "error: unknown node \"none\" in \"link=nobody--none\" [reference] {none;}\n");
  EXPECT_TRUE(p.failures.links.empty());
}

TEST(WhatIf, LinkEndsMayHoldDoubleDashes) {
  Topology t = sample_topology();
  t.nodes.push_back(testing::make_node("edge--1", Role::public_sentry, "nyc-1"));
  t.links.push_back(testing::make_link("priv-ams", "edge--1", LinkKind::vpn));
  t.index_nodes();
  FailureSet failures;
  Diagnostics diags;
  EXPECT_TRUE(parse_failures({"link=edge--1--priv-ams"}, t, sample_inventory(), failures, diags));
  EXPECT_EQ(text_of(diags), "");
  EXPECT_EQ(failures.links,
            (std::vector<std::pair<std::string, std::string>>{{"edge--1", "priv-ams"}}));
}

TEST(WhatIf, ParseErrorsPrintWithoutLocation) {
  const Parsed p = parse({"node=priv-fr"});
  EXPECT_EQ(format_text(p.diags, summarize(p.diags, std::nullopt), {}, false),
            "picket: error: unknown node \"priv-fr\" in \"node=priv-fr\" (did you mean "
            "\"priv-fra\"?) [reference]\n"
            "1 error, 0 warnings; graph checks skipped until the errors above are fixed\n");
}

Reachability designed() {
  Reachability r;
  r.validator = "validator";
  r.paths = 2;
  r.cut = {"priv-ams", "priv-fra"};
  r.shortest_path = {"validator", "priv-fra", "pub-nyc", "network"};
  r.public_sentries = {"pub-nyc", "pub-sgp"};
  r.partners = {"certus"};
  return r;
}

TEST(WhatIf, ReportWithFewerPaths) {
  FailureSet failures;
  failures.domains = {{DomainKind::datacenter, "equinix-fr5"}};
  failures.nodes = {"pub-nyc"};
  Reachability after;
  after.validator = "validator";
  after.paths = 1;
  after.cut = {"priv-ams"};
  after.shortest_path = {"validator", "priv-ams", "pub-sgp", "network"};
  after.public_sentries = {"pub-sgp"};
  after.partners = {"certus"};
  EXPECT_EQ(format_whatif(failures, designed(), after),
            "failing: datacenter=equinix-fr5, node \"pub-nyc\"\n"
            "validator \"validator\": 1 node-disjoint path to the network (designed: 2)\n"
            "smallest cut: \"priv-ams\"\n"
            "public sentries still reached: \"pub-sgp\" (lost: \"pub-nyc\")\n"
            "partners still reached: \"certus\" (lost: none)\n"
            "shortest path: validator -> priv-ams -> pub-sgp -> network\n");
}

TEST(WhatIf, ReportAsDesignedWhenNothingFails) {
  EXPECT_EQ(format_whatif({}, designed(), designed()),
            "failing: nothing\n"
            "validator \"validator\": 2 node-disjoint paths to the network (designed: 2)\n"
            "smallest cut: \"priv-ams\", \"priv-fra\"\n"
            "public sentries still reached: \"pub-nyc\", \"pub-sgp\" (lost: none)\n"
            "partners still reached: \"certus\" (lost: none)\n"
            "shortest path: validator -> priv-fra -> pub-nyc -> network\n");
}

TEST(WhatIf, ReportCutOff) {
  FailureSet failures;
  failures.links = {{"validator", "priv-fra"}, {"priv-ams", "validator"}};
  Reachability after;
  after.validator = "validator";
  EXPECT_EQ(format_whatif(failures, designed(), after),
            "failing: link \"priv-fra--validator\", link \"priv-ams--validator\"\n"
            "validator \"validator\" is CUT OFF from the network (designed: 2 paths)\n"
            "public sentries still reached: none (lost: \"pub-nyc\", \"pub-sgp\")\n"
            "partners still reached: none (lost: \"certus\")\n");

  Reachability one = designed();
  one.paths = 1;
  EXPECT_EQ(format_whatif(failures, one, after),
            "failing: link \"priv-fra--validator\", link \"priv-ams--validator\"\n"
            "validator \"validator\" is CUT OFF from the network (designed: 1 path)\n"
            "public sentries still reached: none (lost: \"pub-nyc\", \"pub-sgp\")\n"
            "partners still reached: none (lost: \"certus\")\n");
}

TEST(WhatIf, ReportValidatorItselfFails) {
  FailureSet failures;
  failures.domains = {{DomainKind::host, "val-ams"}, {DomainKind::region, "eu-west"}};
  EXPECT_EQ(format_whatif(failures, designed(), Reachability{}),
            "failing: host=val-ams, region=eu-west\n"
            "validator \"validator\" itself fails (designed: 2 paths to the network)\n");
}

TEST(WhatIf, ReportWithoutValidator) {
  FailureSet failures;
  failures.nodes = {"priv-fra"};
  EXPECT_EQ(format_whatif(failures, Reachability{}, Reachability{}),
            "failing: node \"priv-fra\"\n"
            "no active validator to analyse\n");
}

}  // namespace
}  // namespace picket
