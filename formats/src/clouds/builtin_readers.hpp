#pragma once
#include <vector>

#include "pcanno/formats/clouds/reader.hpp"

namespace pcanno::formats::detail {

/// Every reader compiled into pcanno_formats, in registration order.
std::vector<CloudReader> builtin_cloud_readers();

}  // namespace pcanno::formats::detail
