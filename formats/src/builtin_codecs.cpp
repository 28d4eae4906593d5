#include "builtin_codecs.hpp"

namespace pcanno::formats::detail {

std::vector<LabelCodec> builtin_label_codecs() {
  std::vector<LabelCodec> codecs;
  return codecs;
}

}  // namespace pcanno::formats::detail
