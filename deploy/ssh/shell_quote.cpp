#include "deploy/ssh/shell_quote.hpp"

namespace picket {

std::string shell_quote(std::string_view s) {
  // Inside single quotes sh treats every byte literally; only ' itself needs closing the
  // quote, an escaped quote, and reopening.
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (const char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += '\'';
  return out;
}

}  // namespace picket
