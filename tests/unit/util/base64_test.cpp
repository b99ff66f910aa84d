#include "util/base64.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(Base64, DecodesCanonicalPaddedBase64Only) {
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8h"), "hello!");
  EXPECT_EQ(base64_decode("aGVsbA=="), "hell");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("aGVsbG8"));   // length not a multiple of 4
  EXPECT_FALSE(base64_decode("aGVsbG9="));  // non-zero bits after the data
  EXPECT_FALSE(base64_decode("aGV*bG8="));
  EXPECT_FALSE(base64_decode("a==="));
  EXPECT_FALSE(base64_decode("aG=sbG8="));
  EXPECT_FALSE(base64_decode("aGVsbG8=\n"));
  EXPECT_FALSE(base64_decode("aGVs bG8="));
}

TEST(Base64, EncodesWithAndWithoutPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("hell"), "aGVsbA==");
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_encode("hello!"), "aGVsbG8h");
  EXPECT_EQ(base64_encode("hell", false), "aGVsbA");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\x00", 3)), "+/8A");
  EXPECT_EQ(base64_decode(base64_encode(std::string("\x00\x01\xfe", 3))), std::string("\x00\x01\xfe", 3));
}

// The form `ssh-keygen -l -E sha256` prints: SHA-256 of the blob, base64 without padding.
TEST(Base64, Sha256FingerprintIsOpenSshs) {
  EXPECT_EQ(sha256_fingerprint(""), "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  EXPECT_EQ(sha256_fingerprint("abc"), "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
}

}  // namespace
}  // namespace picket
