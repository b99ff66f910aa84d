#pragma once
// Where a value came from: a file and a 1-based line and column (0 = unknown).

#include <cstdint>
#include <memory>
#include <string>

namespace picket {

/// A position in an input file. `file` is shared by every location of one file.
struct Location {
  std::shared_ptr<const std::string> file;
  std::uint32_t line = 0;    // 1-based; 0 when unknown
  std::uint32_t column = 0;  // 1-based; 0 when unknown

  /// The file's path, or "" when the location is unknown.
  const std::string& path() const;
  /// True when the location points into a file.
  bool known() const { return file != nullptr && line > 0; }
};

/// A value together with the location it was read from.
template <class T>
struct Located {
  T value{};
  Location loc;
};

}  // namespace picket
