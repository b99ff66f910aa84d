#include "util/text.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(Text, Join) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"a"}), "a");
  EXPECT_EQ(join({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(join({"a", "b"}, "<br/>"), "a<br/>b");
}

TEST(Text, QuotedAndQuotedList) {
  EXPECT_EQ(quoted("pub-1"), "\"pub-1\"");
  EXPECT_EQ(quoted_list({}), "");
  EXPECT_EQ(quoted_list({"a", "b"}), "\"a\", \"b\"");
  EXPECT_EQ(quoted_list({"a", "b", "c", "d"}, 2), "\"a\", \"b\" and 2 more");
  EXPECT_EQ(quoted_list({"a", "b"}, 2), "\"a\", \"b\"");
}

TEST(Text, PluralTrimLower) {
  EXPECT_EQ(plural(0, "step", "steps"), "0 steps");
  EXPECT_EQ(plural(1, "step", "steps"), "1 step");
  EXPECT_EQ(plural(2, "step", "steps"), "2 steps");
  EXPECT_EQ(trim(" \t a b \r"), "a b");
  EXPECT_EQ(trim("  "), "");
  EXPECT_EQ(lower("AbC-9"), "abc-9");
}

}  // namespace
}  // namespace picket
