#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pcanno/formats/labels/kitti/label.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pcanno::formats::parse_kitti_object_labels(text, "fuzz_label_2.txt");
  (void)pcanno::formats::parse_kitti_tracking_labels(text, "fuzz_label_02.txt");
  return 0;
}
