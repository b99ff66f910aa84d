#include "topology/location.hpp"

namespace picket {

const std::string& Location::path() const {
  static const std::string k_empty;
  return file ? *file : k_empty;
}

}  // namespace picket
