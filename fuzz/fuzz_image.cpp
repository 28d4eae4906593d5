#include <cstddef>
#include <cstdint>

#include "pcanno/formats/datasets/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)pcanno::formats::decode_image(data, size, "fuzz.img");
  return 0;
}
