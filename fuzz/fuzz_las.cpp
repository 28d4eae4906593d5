#include <cstddef>
#include <cstdint>

#include "pcanno/formats/clouds/las.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)pcanno::formats::parse_las(data, size, {}, "fuzz.las");
  return 0;
}
