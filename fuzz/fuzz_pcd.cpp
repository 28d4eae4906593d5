#include <cstddef>
#include <cstdint>

#include "pcanno/formats/clouds/pcd.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)pcanno::formats::parse_pcd(data, size, {}, "fuzz.pcd");
  return 0;
}
