#include "topology/picture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/topology/golden.hpp"
#include "tests/unit/topology/sample.hpp"

namespace picket {
namespace {

using testing::sample_analysis;
using testing::sample_inventory;
using testing::sample_topology;

struct DotRun {
  int status = -1;
  std::string errors;  // what dot printed on stderr: syntax errors, unknown colours, …
};

// Runs `dot -Tsvg` on the text; the library never runs dot, the CLI does.
DotRun run_dot(const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("picket-picture-test-" + std::to_string(::testing::UnitTest::GetInstance()
                                                                ->random_seed()) +
                    "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  const auto input = dir / "in.dot";
  const auto errors = dir / "err.txt";
  std::ofstream(input, std::ios::binary) << text;
  DotRun run;
  const std::string command = "dot -Tsvg -o /dev/null '" + input.string() + "' 2> '" +
                              errors.string() + "'";
  run.status = std::system(command.c_str());
  std::ifstream err(errors);
  std::ostringstream s;
  s << err.rdbuf();
  run.errors = s.str();
  std::filesystem::remove_all(dir);
  return run;
}

bool have_dot() { return std::system("command -v dot > /dev/null 2>&1") == 0; }

TEST(Picture, DotGolden) {
  testing::expect_golden("sample.dot",
                         picture_dot(sample_topology(), sample_inventory(), sample_analysis()));
}

TEST(Picture, MermaidGolden) {
  testing::expect_golden("sample.mmd",
                         picture_mermaid(sample_topology(), sample_inventory(), sample_analysis()));
}

TEST(Picture, DotIsAcceptedByGraphviz) {
  if (!have_dot()) GTEST_SKIP() << "graphviz `dot` is not installed";
  const DotRun run = run_dot(picture_dot(sample_topology(), sample_inventory(), sample_analysis()));
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.errors, "");
}

// Names a loader might let through from a broken file, and free-text inventory values.
struct OddFixture {
  Topology topology;
  Inventory inventory;
  GraphAnalysis analysis;

  OddFixture() {
    inventory.hosts.push_back(
        testing::make_host("h1", "dc \"one\" \\ two", "eu\nwest", "a#b<c>&d`"));
    inventory.hosts.push_back(testing::make_host("h2", std::nullopt, "eu\nwest", std::nullopt));
    inventory.index_hosts();
    Node validator = testing::make_node("val\"x", Role::validator, "h1");
    validator.standby.value = true;
    topology.nodes.push_back(std::move(validator));
    topology.nodes.push_back(testing::make_node("pub\\1", Role::public_sentry, "h2"));
    topology.nodes.push_back(testing::make_node("lost", Role::private_sentry, "no-such-host"));
    topology.links.push_back(testing::make_link("val\"x", "pub\\1", LinkKind::public_net));
    topology.links.push_back(testing::make_link("val\"x", "ghost", LinkKind::vpn));
    topology.index_nodes();
    analysis.spof_domains = {{DomainKind::region, "eu\nwest"}};
  }
};

TEST(Picture, DotEscapesQuotesBackslashesAndNewlines) {
  OddFixture f;
  const std::string dot = picture_dot(f.topology, f.inventory, f.analysis);
  // Lines the picture must hold, each whole.
  for (const std::string line : {
           "  subgraph \"cluster_dc_dc \\\"one\\\" \\\\ two\" {\n",
           "    label=\"dc \\\"one\\\" \\\\ two\\neu\\nwest, a#b<c>&amp;d`\"; style=rounded; "
           "fontsize=10; color=gray50;\n",
           "    \"val\\\"x\" [label=\"val\\\"x (standby)\\nh1\\nSPOF region=eu\\nwest\", "
           "shape=doubleoctagon, fillcolor=gold, style=\"filled,dashed\", color=red];\n",
           "  \"pub\\\\1\" [label=\"pub\\\\1\\nh2\\nSPOF region=eu\\nwest\", shape=ellipse, "
           "fillcolor=palegreen, color=red];\n",
           "  \"lost\" [label=\"lost\\nno-such-host\", shape=box, fillcolor=lightblue];\n",
           "  \"val\\\"x\" -- \"pub\\\\1\" [style=dotted, color=darkorange, penwidth=2];\n",
           "  \"pub\\\\1\" -- \"p2p network\" [color=gray60, penwidth=0.6];\n",
       })
    EXPECT_NE(dot.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << dot;
  // The link to an undefined node is left out, and with no chain id there is no title.
  EXPECT_EQ(dot.find("ghost"), std::string::npos);
  EXPECT_EQ(dot.find("labelloc"), std::string::npos);
  if (!have_dot()) GTEST_SKIP() << "graphviz `dot` is not installed";
  const DotRun run = run_dot(dot);
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.errors, "");
}

TEST(Picture, MermaidEscapesLabels) {
  OddFixture f;
  EXPECT_EQ(picture_mermaid(f.topology, f.inventory, f.analysis),
            "flowchart LR\n"
            "  subgraph g0[\"dc #quot;one#quot; \\ two<br/>eu<br/>west, "
            "a#35;b#lt;c#gt;#amp;d#96;\"]\n"
            "    n0[[\"val#quot;x (standby)<br/>h1<br/>SPOF region=eu<br/>west\"]]\n"
            "  end\n"
            "  n1([\"pub\\1<br/>h2<br/>SPOF region=eu<br/>west\"])\n"
            "  n2[\"lost<br/>no-such-host\"]\n"
            "  n3((\"p2p network\"))\n"
            "  n0 -. public .- n1\n"
            "  n1 --- n3\n"
            "  classDef validator fill:#ffd700,stroke:#8b7500,color:#000\n"
            "  classDef privateSentry fill:#add8e6,stroke:#4682b4,color:#000\n"
            "  classDef publicSentry fill:#98fb98,stroke:#2e8b57,color:#000\n"
            "  classDef signer fill:#d3d3d3,stroke:#696969,color:#000\n"
            "  classDef partner fill:#d8bfd8,stroke:#800080,color:#000\n"
            "  classDef network fill:#f5f5f5,stroke:#808080,color:#000\n"
            "  classDef spofDomain stroke:#ff0000\n"
            "  classDef spof stroke:#ff0000,stroke-width:3px\n"
            "  class n0 validator\n"
            "  class n2 privateSentry\n"
            "  class n1 publicSentry\n"
            "  class n3 network\n"
            "  class n0,n1 spofDomain\n"
            "  linkStyle 0 stroke:#ff8c00,stroke-width:2px\n"
            "  linkStyle 1 stroke:#999999,stroke-width:1px\n");
}

TEST(Picture, ChainIdWithLineBreakStaysOneTitle) {
  Topology t;
  t.chain.id.value = "hub\n\"4\"";
  EXPECT_EQ(picture_mermaid(t, Inventory{}, GraphAnalysis{}),
            "flowchart LR\n"
            "  %% hub \"4\"\n"
            "  n0((\"p2p network\"))\n"
            "  classDef validator fill:#ffd700,stroke:#8b7500,color:#000\n"
            "  classDef privateSentry fill:#add8e6,stroke:#4682b4,color:#000\n"
            "  classDef publicSentry fill:#98fb98,stroke:#2e8b57,color:#000\n"
            "  classDef signer fill:#d3d3d3,stroke:#696969,color:#000\n"
            "  classDef partner fill:#d8bfd8,stroke:#800080,color:#000\n"
            "  classDef network fill:#f5f5f5,stroke:#808080,color:#000\n"
            "  classDef spofDomain stroke:#ff0000\n"
            "  classDef spof stroke:#ff0000,stroke-width:3px\n"
            "  class n0 network\n");
  const std::string dot = picture_dot(t, Inventory{}, GraphAnalysis{});
  EXPECT_NE(dot.find(", label=\"hub\\n\\\"4\\\"\", labelloc=t];\n"), std::string::npos) << dot;
}

TEST(Picture, NoSpofMeansNoRed) {
  GraphAnalysis healthy = sample_analysis();
  healthy.spof_nodes.clear();
  healthy.spof_links.clear();
  healthy.spof_domains.clear();
  const std::string dot = picture_dot(sample_topology(), sample_inventory(), healthy);
  const std::string legend = dot.substr(dot.find("subgraph \"cluster_legend\""));
  const std::string body = dot.substr(0, dot.size() - legend.size());
  EXPECT_EQ(body.find("red"), std::string::npos) << body;
  EXPECT_EQ(body.find("SPOF"), std::string::npos) << body;
  EXPECT_NE(legend.find("red"), std::string::npos);  // the legend always explains red
  const std::string mermaid = picture_mermaid(sample_topology(), sample_inventory(), healthy);
  EXPECT_EQ(mermaid.find("class n3 spof"), std::string::npos);
  EXPECT_EQ(mermaid.find("#ff0000,stroke-width:4px"), std::string::npos);
  EXPECT_EQ(mermaid.find("style g"), std::string::npos);
}

}  // namespace
}  // namespace picket
