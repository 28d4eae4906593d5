#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pcanno/formats/datasets/oxts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto records = pcanno::formats::parse_oxts(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz_oxts.txt");
  if (records) (void)pcanno::formats::oxts_to_poses(*records);
  return 0;
}
