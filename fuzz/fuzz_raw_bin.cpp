#include <cstddef>
#include <cstdint>

#include "pcanno/formats/clouds/raw_bin.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pcanno::formats;
  (void)parse_raw_bin(data, size, RawBinLayout::kKitti, "fuzz.bin");
  (void)parse_raw_bin(data, size, RawBinLayout::kNuscenes, "fuzz.pcd.bin");
  return 0;
}
