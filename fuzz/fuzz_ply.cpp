#include <cstddef>
#include <cstdint>

#include "pcanno/formats/clouds/ply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)pcanno::formats::parse_ply(data, size, {}, "fuzz.ply");
  return 0;
}
