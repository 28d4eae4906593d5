#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pcanno/formats/datasets/kitti_calib.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)pcanno::formats::parse_kitti_calib(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz_calib.txt");
  return 0;
}
