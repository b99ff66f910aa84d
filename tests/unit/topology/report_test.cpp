#include "topology/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/topology/golden.hpp"
#include "topology/rule_catalog.hpp"

namespace picket {
namespace {

// Lines:                     1           2        3                   4
const std::string k_topology = "version: 1\nchain:\n  id: cosmoshub-4\n  cometbft: \"0.38\"\n"
                               // 5
                               "nodes:\n"
                               // 6
                               "  validator: {role: validator, host: val-ams}\n"
                               // 7
                               "  priv-fra: {role: private-sentry, host: fra-1}\n"
                               // 8, 9
                               "links:\n  - {between: [priv-fra, pub-nyc], over: public}\n";

Location at(const std::shared_ptr<const std::string>& file, std::uint32_t line,
            std::uint32_t column) {
  return {file, line, column};
}

struct Fixture {
  std::shared_ptr<const std::string> file = std::make_shared<const std::string>("t.yaml");
  Diagnostics diags;
  SourceMap sources{{"t.yaml", k_topology}};
  LintSummary summary;

  Fixture() {
    add_error(diags, "spof-node", at(file, 7, 3),
              "node \"priv-fra\" is a single point of failure: losing it disconnects the "
              "validator",
              {"priv-fra"});
    add_warning(diags, "insecure-link", at(file, 9, 5),
                "link priv-fra--pub-nyc runs over the public internet", {"priv-fra--pub-nyc"});
    GraphAnalysis analysis;
    analysis.reach.validator = "validator";
    analysis.reach.paths = 1;
    analysis.reach.cut = {"priv-fra"};
    summary = summarize(diags, analysis);
  }
};

// The fixture's diagnostics and summary in JSON, after `"diagnostics":[`.
const std::string k_fixture_json =
    R"({"rule":"spof-node","severity":"error","message":"node \"priv-fra\" is a single )"
    R"(point of failure: losing it disconnects the validator","file":"t.yaml","line":7,)"
    R"("column":3,"subjects":["priv-fra"]},)"
    R"({"rule":"insecure-link","severity":"warning","message":"link priv-fra--pub-nyc )"
    R"(runs over the public internet","file":"t.yaml","line":9,"column":5,)"
    R"("subjects":["priv-fra--pub-nyc"]}],)"
    R"("summary":{"errors":1,"warnings":1,"paths":1,"cut":["priv-fra"],)"
    R"("validator":"validator"})";

TEST(Report, SummarizeTakesCountsAndTheAnalysis) {
  Fixture f;
  EXPECT_EQ(f.summary.errors, 1u);
  EXPECT_EQ(f.summary.warnings, 1u);
  EXPECT_EQ(f.summary.validator, std::optional<std::string>("validator"));
  EXPECT_EQ(f.summary.paths, std::optional<int>(1));
  EXPECT_EQ(f.summary.cut, std::vector<std::string>{"priv-fra"});
}

TEST(Report, SummarizeWithoutAnalysisHasNoPaths) {
  Fixture f;
  const LintSummary s = summarize(f.diags, std::nullopt);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.warnings, 1u);
  EXPECT_FALSE(s.validator.has_value());
  EXPECT_FALSE(s.paths.has_value());
  EXPECT_TRUE(s.cut.empty());
}

TEST(Report, TextShowsSourceLineCaretAndSummary) {
  Fixture f;
  EXPECT_EQ(format_text(f.diags, f.summary, f.sources, false),
            "t.yaml:7:3: error: node \"priv-fra\" is a single point of failure: losing it "
            "disconnects the validator [spof-node]\n"
            "  priv-fra: {role: private-sentry, host: fra-1}\n"
            "  ^\n"
            "t.yaml:9:5: warning: link priv-fra--pub-nyc runs over the public internet "
            "[insecure-link]\n"
            "  - {between: [priv-fra, pub-nyc], over: public}\n"
            "    ^\n"
            "1 error, 1 warning; validator \"validator\": 1 node-disjoint path to the network, "
            "cut: \"priv-fra\"\n");
}

TEST(Report, TextColourIsClangLike) {
  Fixture f;
  EXPECT_EQ(format_text(f.diags, f.summary, f.sources, true),
            "\x1b[1mt.yaml:7:3:\x1b[0m \x1b[1m\x1b[31merror:\x1b[0m \x1b[1mnode \"priv-fra\" is a "
            "single point of failure: losing it disconnects the validator [spof-node]\x1b[0m\n"
            "  priv-fra: {role: private-sentry, host: fra-1}\n"
            "  \x1b[1m\x1b[32m^\x1b[0m\n"
            "\x1b[1mt.yaml:9:5:\x1b[0m \x1b[1m\x1b[35mwarning:\x1b[0m \x1b[1mlink "
            "priv-fra--pub-nyc runs over the public internet [insecure-link]\x1b[0m\n"
            "  - {between: [priv-fra, pub-nyc], over: public}\n"
            "    \x1b[1m\x1b[32m^\x1b[0m\n"
            "1 error, 1 warning; validator \"validator\": 1 node-disjoint path to the network, "
            "cut: \"priv-fra\"\n");
}

TEST(Report, TextExpandsTabsStripsCrAndIgnoresBom) {
  auto file = std::make_shared<const std::string>("w.yaml");
  // Line 1: BOM, then "key:" TAB "value" with CRLF; line 2 has a two-byte UTF-8 letter.
  const SourceMap sources{{"w.yaml", "\xEF\xBB\xBFkey:\tvalue\r\nn\xC3\xA4me: x\r\n"}};
  Diagnostics diags;
  add_error(diags, "schema", at(file, 1, 6), "unknown key \"key\"");
  add_error(diags, "schema", at(file, 2, 8), "expected a mapping");
  add_error(diags, "schema", at(file, 2, 10), "just past the end");
  add_error(diags, "schema", at(file, 1, 4000000000u), "far past the end");
  const LintSummary summary{4, 0, std::nullopt, std::nullopt, {}};
  EXPECT_EQ(format_text(diags, summary, sources, false),
            "w.yaml:1:6: error: unknown key \"key\" [schema]\n"
            "key:    value\n"
            "        ^\n"
            "w.yaml:2:8: error: expected a mapping [schema]\n"
            "n\xC3\xA4me: x\n"
            "      ^\n"
            "w.yaml:2:10: error: just past the end [schema]\n"
            "n\xC3\xA4me: x\n"
            "       ^\n"
            "w.yaml:1:4000000000: error: far past the end [schema]\n"
            "key:    value\n"
            "             ^\n"
            "4 errors, 0 warnings; graph checks skipped until the errors above are fixed\n");
}

TEST(Report, TextShowsBinaryLinesSafely) {
  auto file = std::make_shared<const std::string>("b.yaml");
  // NUL, ESC and a stray 0xff: each shown as one "?", so the caret still lines up.
  const SourceMap sources{{"b.yaml", std::string("a: \0\x1b[2J\xff caf\xc3\xa9 x\n", 18)}};
  Diagnostics diags;
  add_error(diags, "syntax", at(file, 1, 17), "here");
  EXPECT_EQ(format_text(diags, summarize(diags, std::nullopt), sources, false),
            "b.yaml:1:17: error: here [syntax]\n"
            "a: ??[2J? caf\xc3\xa9 x\n"
            "               ^\n"
            "1 error, 0 warnings; graph checks skipped until the errors above are fixed\n");
}

TEST(Report, TextShowsAWindowOfLongLines) {
  auto file = std::make_shared<const std::string>("l.yaml");
  std::string line = std::string(1000, 'a') + "HERE" + std::string(1000, 'b');
  const SourceMap sources{{"l.yaml", "short: 1\n" + line + "\nend: " + std::string(300, 'c')}};
  Diagnostics diags;
  add_error(diags, "schema", at(file, 1, 1), "first");
  add_error(diags, "schema", at(file, 2, 1001), "middle");
  add_error(diags, "schema", at(file, 2, 3), "start");
  add_error(diags, "schema", at(file, 3, 300), "end");
  EXPECT_EQ(format_text(diags, summarize(diags, std::nullopt), sources, false),
            "l.yaml:1:1: error: first [schema]\n"
            "short: 1\n"
            "^\n"
            "l.yaml:2:1001: error: middle [schema]\n"
            "..." + std::string(80, 'a') + "HERE" + std::string(76, 'b') + "...\n" +
            std::string(83, ' ') + "^\n"
            "l.yaml:2:3: error: start [schema]\n" + std::string(160, 'a') + "...\n"
            "  ^\n"
            "l.yaml:3:300: error: end [schema]\n"
            "..." + std::string(86, 'c') + "\n" +
            std::string(83, ' ') + "^\n"
            "4 errors, 0 warnings; graph checks skipped until the errors above are fixed\n");
}

TEST(Report, TextWithoutKnownLocationHasNoSourceLines) {
  auto file = std::make_shared<const std::string>("t.yaml");
  auto other = std::make_shared<const std::string>("inventory.yaml");
  Diagnostics diags;
  add_error(diags, "no-validator", Location{}, "no active validator");
  add_error(diags, "syntax", at(other, 0, 0), "the file is empty");
  add_error(diags, "schema", at(file, 3, 0), "bad chain id");
  add_error(diags, "schema", at(other, 4, 2), "not in the source map");
  add_error(diags, "schema", at(file, 40, 1), "past the end of the file");
  const LintSummary summary = summarize(diags, std::nullopt);
  EXPECT_EQ(format_text(diags, summary, SourceMap{{"t.yaml", k_topology}}, false),
            "picket: error: no active validator [no-validator]\n"
            "inventory.yaml: error: the file is empty [syntax]\n"
            "t.yaml:3: error: bad chain id [schema]\n"
            "  id: cosmoshub-4\n"
            "inventory.yaml:4:2: error: not in the source map [schema]\n"
            "t.yaml:40:1: error: past the end of the file [schema]\n"
            "5 errors, 0 warnings; graph checks skipped until the errors above are fixed\n");
}

TEST(Report, SummaryLineCountsAndPlurals) {
  const SourceMap none;
  auto text = [&](LintSummary s) { return format_text({}, s, none, false); };
  EXPECT_EQ(text({0, 0, "validator", 2, {"priv-ams", "priv-fra"}}),
            "no problems; validator \"validator\": 2 node-disjoint paths to the network, cut: "
            "\"priv-ams\", \"priv-fra\"\n");
  EXPECT_EQ(text({2, 1, "validator", 1, {"priv-fra"}}),
            "2 errors, 1 warning; validator \"validator\": 1 node-disjoint path to the network, "
            "cut: \"priv-fra\"\n");
  EXPECT_EQ(text({0, 2, "val", 0, {}}),
            "0 errors, 2 warnings; validator \"val\": no path to the network\n");
  EXPECT_EQ(text({1, 0, std::nullopt, 0, {}}), "1 error, 0 warnings; no active validator\n");
  EXPECT_EQ(text({2, 0, std::nullopt, std::nullopt, {}}),
            "2 errors, 0 warnings; graph checks skipped until the errors above are fixed\n");
  EXPECT_EQ(text({0, 0, std::nullopt, std::nullopt, {}}), "no problems; graph checks not run\n");
}

TEST(Report, JsonIsTheDocumentedShapeOnOneLine) {
  Fixture f;
  EXPECT_EQ(format_json(f.diags, f.summary),
            R"({"format_version":1,"ok":false,"diagnostics":[)" + k_fixture_json + "}\n");
}

TEST(Report, JsonUnknownLocationAndSkippedGraph) {
  Diagnostics diags;
  add_error(diags, "no-validator", Location{}, "no \"validator\"\nat\tall");
  EXPECT_EQ(format_json(diags, summarize(diags, std::nullopt)),
            R"({"format_version":1,"ok":false,"diagnostics":[)"
            R"({"rule":"no-validator","severity":"error","message":"no \"validator\"\nat\tall",)"
            R"("file":"","line":0,"column":0,"subjects":[]}],)"
            R"("summary":{"errors":1,"warnings":0,"paths":null,"cut":[],"validator":null}})"
            "\n");
}

TEST(Report, JsonOkWhenOnlyWarningsAndSurvivesInvalidUtf8) {
  auto file = std::make_shared<const std::string>("t.yaml");
  Diagnostics diags;
  add_warning(diags, "deep-path", at(file, 1, 1), "bad byte \xFF here", {"validator"});
  EXPECT_EQ(format_json(diags, {0, 1, "validator", 2, {"a", "b"}}),
            R"({"format_version":1,"ok":true,"diagnostics":[)"
            R"({"rule":"deep-path","severity":"warning","message":"bad byte )"
            "\xEF\xBF\xBD"
            R"( here","file":"t.yaml","line":1,"column":1,"subjects":["validator"]}],)"
            R"("summary":{"errors":0,"warnings":1,"paths":2,"cut":["a","b"],)"
            R"("validator":"validator"}})"
            "\n");
}

TEST(Report, GithubAnnotations) {
  Fixture f;
  EXPECT_EQ(format_github(f.diags),
            "::error file=t.yaml,line=7,col=3,title=spof-node::node \"priv-fra\" is a single "
            "point of failure: losing it disconnects the validator\n"
            "::warning file=t.yaml,line=9,col=5,title=insecure-link::link priv-fra--pub-nyc runs "
            "over the public internet\n");
}

TEST(Report, GithubEscapesDataAndProperties) {
  auto odd = std::make_shared<const std::string>("dir,a/b:c%.yaml");
  Diagnostics diags;
  add_warning(diags, "deep-path", at(odd, 2, 1), "50% done\r\nnext, line: two");
  add_error(diags, "no-validator", Location{}, "no active validator");
  add_error(diags, "syntax", at(odd, 0, 0), "empty");
  EXPECT_EQ(format_github(diags),
            "::warning file=dir%2Ca/b%3Ac%25.yaml,line=2,col=1,title=deep-path::50%25 "
            "done%0D%0Anext, line: two\n"
            "::error title=no-validator::no active validator\n"
            "::error file=dir%2Ca/b%3Ac%25.yaml,title=syntax::empty\n");
}

TEST(Report, CatalogHoldsTheRulesInTableOrder) {
  const std::vector<std::string> ids{
      "syntax",        "schema",      "duplicate",    "reference",     "address",
      "port-clash",    "no-validator", "double-sign", "validator-exposed", "signer-exposed",
      "insecure-link", "no-path",     "spof-node",    "spof-link",     "spof-domain",
      "min-paths",     "direct-public", "isolated-node", "deep-path",
      // render-stage additions, after the first table
      "override-conflict", "missing-key", "template",
      // monitoring (issue 12)
      "no-monitor",
      // firewall (issue 13)
      "lockout",
      // signers (issue 13)
      "signer-host",
      // horcrux (issue 13)
      "threshold"};
  const std::vector<std::string> warnings{"insecure-link", "direct-public", "isolated-node",
                                          "deep-path", "no-monitor"};
  ASSERT_EQ(rule_catalog().size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const RuleInfo& rule = rule_catalog()[i];
    EXPECT_EQ(rule.id, ids[i]);
    const bool is_warning = std::find(warnings.begin(), warnings.end(), ids[i]) != warnings.end();
    EXPECT_EQ(rule.severity, is_warning ? Severity::warning : Severity::error) << ids[i];
    EXPECT_FALSE(rule.description.empty()) << ids[i];
    EXPECT_EQ(rule_index(ids[i]), std::optional<std::size_t>(i));
  }
  EXPECT_EQ(rule_index("no-such-rule"), std::nullopt);
}

TEST(Report, SarifIsStructurallyValid) {
  Fixture f;
  add_error(f.diags, "no-validator", Location{}, "no active validator");
  add_error(f.diags, "syntax", at(std::make_shared<const std::string>("my dir/inv#1.yaml"), 0, 0),
            "empty");
  const auto log = nlohmann::json::parse(format_sarif(f.diags, "0.1.0"));

  EXPECT_EQ(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "picket");
  EXPECT_EQ(run["tool"]["driver"]["version"], "0.1.0");
  const auto& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), rule_catalog().size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(rules[i]["id"], std::string(rule_catalog()[i].id));
    EXPECT_EQ(rules[i]["shortDescription"]["text"], std::string(rule_catalog()[i].description));
    EXPECT_EQ(rules[i]["defaultConfiguration"]["level"],
              severity_name(rule_catalog()[i].severity));
  }

  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0]["ruleId"], "spof-node");
  EXPECT_EQ(results[0]["ruleIndex"], 12);
  EXPECT_EQ(results[0]["level"], "error");
  EXPECT_EQ(results[0]["message"]["text"], f.diags[0].message);
  const auto& physical = results[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(physical["artifactLocation"]["uri"], "t.yaml");
  EXPECT_EQ(physical["region"]["startLine"], 7);
  EXPECT_EQ(physical["region"]["startColumn"], 3);
  EXPECT_EQ(results[0]["properties"]["subjects"], nlohmann::json::array({"priv-fra"}));

  EXPECT_EQ(results[1]["ruleId"], "insecure-link");
  EXPECT_EQ(results[1]["ruleIndex"], 10);
  EXPECT_EQ(results[1]["level"], "warning");

  // Unknown location: no locations at all; a file without a line: no region.
  EXPECT_FALSE(results[2].contains("locations"));
  EXPECT_EQ(results[2]["ruleIndex"], 6);
  const auto& file_only = results[3]["locations"][0]["physicalLocation"];
  EXPECT_EQ(file_only["artifactLocation"]["uri"], "my%20dir/inv%231.yaml");
  EXPECT_FALSE(file_only.contains("region"));
}

TEST(Report, CodeClimateIssueList) {
  Fixture f;
  // The same finding twice (two files sharing one inventory would not, merge_diagnostics
  // drops that): the occurrence number keeps the fingerprints apart.
  f.diags.push_back(f.diags.back());
  add_error(f.diags, "no-validator", Location{}, "no active validator");
  EXPECT_EQ(format_codeclimate(f.diags), R"([
  {
    "type": "issue",
    "check_name": "spof-node",
    "description": "node \"priv-fra\" is a single point of failure: losing it disconnects the validator",
    "categories": [
      "Bug Risk"
    ],
    "severity": "major",
    "fingerprint": "73d066c3e0e831ef47311198aa09fc0a",
    "location": {
      "path": "t.yaml",
      "lines": {
        "begin": 7
      }
    }
  },
  {
    "type": "issue",
    "check_name": "insecure-link",
    "description": "link priv-fra--pub-nyc runs over the public internet",
    "categories": [
      "Bug Risk"
    ],
    "severity": "minor",
    "fingerprint": "13f4fbe4c35e51172a46fe58892cee34",
    "location": {
      "path": "t.yaml",
      "lines": {
        "begin": 9
      }
    }
  },
  {
    "type": "issue",
    "check_name": "insecure-link",
    "description": "link priv-fra--pub-nyc runs over the public internet",
    "categories": [
      "Bug Risk"
    ],
    "severity": "minor",
    "fingerprint": "13f4fae4c35e4f642a46ff58892cefe7",
    "location": {
      "path": "t.yaml",
      "lines": {
        "begin": 9
      }
    }
  },
  {
    "type": "issue",
    "check_name": "no-validator",
    "description": "no active validator",
    "categories": [
      "Bug Risk"
    ],
    "severity": "major",
    "fingerprint": "b841a3ff2ad6c252f70f17c75e29af89",
    "location": {
      "path": ".",
      "lines": {
        "begin": 1
      }
    }
  }
]
)");
}

TEST(Report, CodeClimateFingerprintIgnoresTheLine) {
  auto file = std::make_shared<const std::string>("t.yaml");
  Diagnostics before, after;
  add_error(before, "spof-node", at(file, 7, 3), "losing node \"a\"");
  add_error(after, "spof-node", at(file, 12, 5), "losing node \"a\"");
  const auto fp = [](const Diagnostics& d) {
    return nlohmann::json::parse(format_codeclimate(d))[0]["fingerprint"];
  };
  EXPECT_EQ(fp(before), fp(after));
  EXPECT_EQ(format_codeclimate({}), "[]\n");
}

// Two files' reports: t.yaml (the fixture's findings) and u.yaml, which could not be read.
std::vector<FileReport> two_files() {
  Fixture f;
  return {{"t.yaml", std::nullopt, f.diags, f.summary},
          {"u.yaml", "u.yaml: cannot read: No such file or directory", {}, {}}};
}

TEST(Report, JsonOfSeveralFiles) {
  EXPECT_EQ(format_json_files(two_files()),
            R"({"format_version":1,"ok":false,"files":[{"topology":"t.yaml","ok":false,)"
            R"("diagnostics":[)" + k_fixture_json +
                R"(},{"topology":"u.yaml","ok":false,)"
                R"("error":"u.yaml: cannot read: No such file or directory"}]})"
                "\n");
}

TEST(Report, TextTotalOfSeveralFiles) {
  auto files = two_files();
  EXPECT_EQ(format_text_total(files), "2 topology files (1 not linted): 1 error, 1 warning\n");
  files.pop_back();
  files.push_back({"v.yaml", std::nullopt, {}, {}});
  files.front().diagnostics.clear();
  files.front().summary = {};
  EXPECT_EQ(format_text_total(files), "2 topology files: no problems\n");
}

TEST(Report, TextSummaryLineWithTheFileLabel) {
  Fixture f;
  const std::string text = format_text({}, f.summary, f.sources, false, "chains/a.yaml");
  EXPECT_EQ(text, "chains/a.yaml: 1 error, 1 warning; validator \"validator\": 1 node-disjoint "
                  "path to the network, cut: \"priv-fra\"\n");
}

TEST(Report, MergeKeepsEachFindingOnceInFileOrder) {
  Fixture f;
  auto other = std::make_shared<const std::string>("a.yaml");
  Diagnostics second = f.diags;  // the same inventory's findings, seen from another topology
  add_warning(second, "deep-path", at(other, 3, 1), "deep");
  const auto merged = merge_diagnostics({{"t.yaml", std::nullopt, f.diags, f.summary},
                                         {"s.yaml", std::nullopt, second, f.summary}});
  EXPECT_EQ(format_github(merged),
            "::warning file=a.yaml,line=3,col=1,title=deep-path::deep\n"
            "::error file=t.yaml,line=7,col=3,title=spof-node::node \"priv-fra\" is a single "
            "point of failure: losing it disconnects the validator\n"
            "::warning file=t.yaml,line=9,col=5,title=insecure-link::link priv-fra--pub-nyc runs "
            "over the public internet\n");
}

TEST(Report, SarifGolden) {
  Fixture f;
  testing::expect_golden("lint.sarif", format_sarif(f.diags, "0.1.0"));
}

}  // namespace
}  // namespace picket
