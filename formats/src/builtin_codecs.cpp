#include "builtin_codecs.hpp"

#include "pcanno/formats/nuscenes_codec.hpp"

namespace pcanno::formats::detail {

std::vector<LabelCodec> builtin_label_codecs() {
  std::vector<LabelCodec> codecs;
  codecs.push_back(make_nuscenes_codec());
  return codecs;
}

}  // namespace pcanno::formats::detail
