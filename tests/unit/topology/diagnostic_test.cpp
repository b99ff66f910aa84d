#include "topology/diagnostic.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(Diagnostic, LinkSubjectSortsNames) {
  EXPECT_EQ(link_subject("validator", "priv-ams"), "priv-ams--validator");
  EXPECT_EQ(link_subject("a", "b"), "a--b");
}

TEST(Diagnostic, ClosestMatchFindsNearMiss) {
  EXPECT_EQ(closest_match("hots", {"host", "role", "signer"}), "host");
  EXPECT_EQ(closest_match("privfra", {"priv-fra", "priv-ams"}), "priv-fra");
  EXPECT_EQ(closest_match("zzzzzz", {"host", "role"}), "");
}

TEST(Diagnostic, SortOrdersByFileLineColumn) {
  auto file = std::make_shared<const std::string>("t.yaml");
  Diagnostics d;
  add_error(d, "schema", {file, 5, 1}, "b");
  add_warning(d, "deep-path", {file, 2, 3}, "a");
  add_error(d, "address", {file, 2, 1}, "c");
  sort_diagnostics(d);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].message, "c");
  EXPECT_EQ(d[1].message, "a");
  EXPECT_EQ(d[2].message, "b");
  EXPECT_EQ(count(d, Severity::error), 2u);
  EXPECT_TRUE(has_errors(d));
}

}  // namespace
}  // namespace picket
