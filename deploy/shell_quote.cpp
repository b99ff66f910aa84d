#include "deploy/shell_quote.hpp"

namespace picket {

std::string shell_quote(const std::string& value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '\'';
  for (char c : value) {
    // Inside single quotes nothing is special except the quote itself: close, escape, reopen.
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string substitute_file(const std::string& command_template, const std::string& path) {
  static const std::string k_placeholder = "{file}";
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t hit = command_template.find(k_placeholder, pos);
    if (hit == std::string::npos) break;
    out.append(command_template, pos, hit - pos);
    out += shell_quote(path);
    pos = hit + k_placeholder.size();
  }
  out.append(command_template, pos, std::string::npos);
  return out;
}

}  // namespace picket
