#include "builtin_codecs.hpp"

#include "pcanno/formats/kitti_codecs.hpp"
#include "pcanno/formats/nuscenes_codec.hpp"
#include "pcanno/formats/openlabel_codec.hpp"
#include "pcanno/formats/pcanno_document.hpp"

namespace pcanno::formats::detail {

std::vector<LabelCodec> builtin_label_codecs() {
  std::vector<LabelCodec> codecs;
  codecs.push_back(make_kitti_object_codec());
  codecs.push_back(make_kitti_tracking_codec());
  codecs.push_back(make_nuscenes_codec());
  codecs.push_back(make_openlabel_codec());
  codecs.push_back(make_pcanno_codec());
  return codecs;
}

}  // namespace pcanno::formats::detail
