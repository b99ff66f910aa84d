#include "util/toml_string.hpp"

#include <gtest/gtest.h>

#include <toml++/toml.h>

namespace picket {
namespace {

TEST(TomlString, EscapesLikeTheTomlSpec) {
  EXPECT_EQ(toml_string("plain"), "\"plain\"");
  EXPECT_EQ(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(toml_string("\b\t\n\f\r"), "\"\\b\\t\\n\\f\\r\"");
  EXPECT_EQ(toml_string(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001F\\u007F\"");
  EXPECT_EQ(toml_string("gr\xC3\xBC\xC3\x9F"), "\"gr\xC3\xBC\xC3\x9F\"");
}

// Whatever the bytes (every ASCII character and some UTF-8), a TOML parser reads back the text.
TEST(TomlString, RoundTripsThroughTomlplusplus) {
  std::string text;
  for (int c = 0; c < 128; ++c) text += static_cast<char>(c);
  text += "gr\xC3\xBC\xC3\x9F";
  const auto table = toml::parse("v = " + toml_string(text) + "\nw = " +
                                 toml_string_array({"a", "b\tc"}) + "\n");
  EXPECT_EQ(table["v"].value<std::string>(), text);
  EXPECT_EQ(table["w"][1].value<std::string>(), "b\tc");
}

}  // namespace
}  // namespace picket
