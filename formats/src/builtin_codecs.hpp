#pragma once
#include <vector>

#include "pcanno/formats/label_codec.hpp"

namespace pcanno::formats::detail {

/// Every label codec compiled into pcanno_formats, in registration order.
std::vector<LabelCodec> builtin_label_codecs();

}  // namespace pcanno::formats::detail
