#include "deploy/diff.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

// Expected outputs are those of GNU `diff -u` on the same texts (headers aside).

TEST(Diff, EqualTextsGiveNothing) { EXPECT_EQ(unified_diff("/x", "a\nb\n", "a\nb\n"), ""); }

TEST(Diff, OneChangedLineWithThreeLinesOfContext) {
  EXPECT_EQ(unified_diff("/etc/x.conf", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
                         "1\n2\n3\n4\nX\n6\n7\n8\n9\n10\n"),
            "--- a/etc/x.conf\n"
            "+++ b/etc/x.conf\n"
            "@@ -2,7 +2,7 @@\n"
            " 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
}

TEST(Diff, NearbyChangesShareAHunkDistantOnesDoNot) {
  std::string before, near, far;
  for (int i = 1; i <= 20; ++i) before += std::to_string(i) + "\n";
  // Lines 3 and 9 differ: 5 unchanged lines between them (≤ 6) make one hunk.
  near = before;
  near.replace(near.find("3\n"), 2, "c\n");
  near.replace(near.find("\n9\n") + 1, 2, "i\n");
  EXPECT_EQ(unified_diff("f", before, near),
            "--- a/f\n+++ b/f\n"
            "@@ -1,12 +1,12 @@\n"
            " 1\n 2\n-3\n+c\n 4\n 5\n 6\n 7\n 8\n-9\n+i\n 10\n 11\n 12\n");
  // Lines 3 and 11 differ: 7 unchanged lines between them make two hunks.
  far = before;
  far.replace(far.find("3\n"), 2, "c\n");
  far.replace(far.find("\n11\n") + 1, 3, "k\n");
  EXPECT_EQ(unified_diff("f", before, far),
            "--- a/f\n+++ b/f\n"
            "@@ -1,6 +1,6 @@\n"
            " 1\n 2\n-3\n+c\n 4\n 5\n 6\n"
            "@@ -8,7 +8,7 @@\n"
            " 8\n 9\n 10\n-11\n+k\n 12\n 13\n 14\n");
}

TEST(Diff, CreatedAndEmptiedFiles) {
  EXPECT_EQ(unified_diff("f", "", "a\nb\n"), "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  EXPECT_EQ(unified_diff("f", "a\nb\n", ""), "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n");
}

TEST(Diff, MissingNewlineAtEndIsMarked) {
  EXPECT_EQ(unified_diff("f", "a\nb", "a\nb\n"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(Diff, BinaryDetection) {
  EXPECT_TRUE(is_binary(std::string("a\0b", 3)));
  EXPECT_FALSE(is_binary("plain text\n"));
}

}  // namespace
}  // namespace picket
