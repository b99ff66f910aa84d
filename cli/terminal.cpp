#include "cli/terminal.hpp"

#include <cstdlib>
#include <unistd.h>

namespace picket::cli {

bool use_color(const std::string& mode, std::FILE* stream) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return isatty(fileno(stream)) == 1;
}

void write_out(std::FILE* stream, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

}  // namespace picket::cli
