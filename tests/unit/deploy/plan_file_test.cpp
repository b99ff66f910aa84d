#include "deploy/plan_file.hpp"

#include <gtest/gtest.h>

#include "tests/support/memory_transport.hpp"
#include "tests/unit/deploy/fixture.hpp"

namespace picket {
namespace {

struct PlanFileFixture : ::testing::Test {
  Topology topology = test::sentry_topology();
  Inventory inventory = test::sentry_inventory();
  FileSet files = test::sentry_files();
  MemoryFleet fleet;
  MemoryConnector connector{fleet};

  Plan plan() {
    Connections connections(connector, inventory, ConnectOptions{});
    return make_plan(files, topology, inventory, connections, PlanOptions{2});
  }
};

TEST_F(PlanFileFixture, RoundTripHasNoDifferences) {
  test::install(fleet, files);
  test::find_file(files, "nyc-1", "/home/cosmos/.gaia/config/config.toml").content = "new\n";
  const Plan p = plan();
  auto back = read_plan(save_plan(p));
  ASSERT_TRUE(back) << back.error();
  EXPECT_TRUE(plan_differences(*back, p).empty());
  EXPECT_TRUE(plan_differences(*back, plan()).empty());
  EXPECT_EQ(save_plan(*back), save_plan(p));
}

TEST_F(PlanFileFixture, SavedPlanHoldsHashesNotContent) {
  test::find_file(files, "fra-1", "/etc/nftables.d/picket.nft").content = "table inet x {}\n";
  const std::string saved = save_plan(plan());
  EXPECT_EQ(saved.find("SECRET"), std::string::npos);
  EXPECT_EQ(saved.find("table inet"), std::string::npos);  // no diffs either
  EXPECT_EQ(saved.find("moniker"), std::string::npos);
}

TEST_F(PlanFileFixture, HostChangesAndRenderChangesAreReported) {
  test::install(fleet, files);
  const std::string saved = save_plan(plan());
  // Since the plan: someone edited a file on a host, and the topology renders differently.
  fleet.host("ams-2").files["/home/cosmos/.gaia/config/config.toml"].content = "by hand\n";
  test::find_file(files, "sgp-1", "/home/cosmos/.gaia/config/node_key.json").content = "k";
  files.erase(files.begin() + 1);  // no longer rendered: ams-2 config.toml
  files.push_back(test::file("sgp-1", "/etc/extra.conf", 0644, "x\n", "", false,
                             ApplyAction::none));
  sort_files(files);
  auto back = read_plan(saved);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(plan_differences(*back, plan()),
            (std::vector<std::string>{
                "ams-2: /home/cosmos/.gaia/config/config.toml: no longer rendered",
                "sgp-1: /etc/extra.conf: rendered now, not in the saved plan",
                "sgp-1: /home/cosmos/.gaia/config/node_key.json: rendered differently than in "
                "the saved plan",
            }));
  // The hand edit shows when the file is still rendered.
  files = test::sentry_files();
  EXPECT_EQ(plan_differences(*back, plan()),
            (std::vector<std::string>{
                "ams-2: /home/cosmos/.gaia/config/config.toml: changed on the host since the plan",
            }));
}

TEST(PlanFile, MalformedFilesAreRejected) {
  EXPECT_EQ(read_plan("not json").error(), "not a JSON object");
  EXPECT_EQ(read_plan(R"({"kind":"other"})").error(), "not a picket plan file");
  EXPECT_EQ(read_plan(R"({"kind":"picket-plan","format_version":2,"hosts":[]})").error(),
            "unsupported format_version (this picket reads 1)");
  EXPECT_EQ(read_plan(R"({"kind":"picket-plan","format_version":1,"hosts":[{"host":"a","files":[{"path":"/x"}]}]})")
                .error(),
            "a: a file entry lacks path, sha256, action, change or mode");
  EXPECT_TRUE(read_plan(R"({"kind":"picket-plan","format_version":1,"hosts":[]})"));
}

// Found by tests/fuzz (inputs under tests/fuzz/regressions/plan/): members of the wrong type
// threw nlohmann::json::type_error out of read_plan, and a mode above 07777 was accepted but
// came back different after a save.
TEST(PlanFile, MembersOfTheWrongTypeAreRejectedNotThrown) {
  EXPECT_EQ(read_plan(R"({"kind":5,"format_version":1,"hosts":[]})").error(),
            "not a picket plan file");
  const std::string file =
      R"({"path":"/x","sha256":"ab","action":"none","change":"create","mode":"0600")";
  EXPECT_EQ(read_plan(R"({"kind":"picket-plan","format_version":1,"hosts":[{"host":"a","files":[)" +
                      file + R"(,"secret":"no"}]}]})")
                .error(),
            "a: /x: `secret` is not true or false");
  EXPECT_EQ(read_plan(R"({"kind":"picket-plan","format_version":1,"hosts":[{"host":"a","files":[)" +
                      file + R"(,"mode":"777777"}]}]})")
                .error(),
            "a: a file entry lacks path, sha256, action, change or mode");
  auto ok = read_plan(R"({"kind":"picket-plan","format_version":1,"hosts":[{"host":"a","files":[)" +
                      file + R"(,"mode":"7777","secret":true}]}]})");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->hosts.at(0).files.at(0).mode, 07777u);
  EXPECT_TRUE(ok->hosts.at(0).files.at(0).secret);
}

}  // namespace
}  // namespace picket
