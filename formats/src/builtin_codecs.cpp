// The registry of built-in codecs sits above every codec folder: labels/ defines the codec
// interface and cannot include the codecs themselves without a back-edge.
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/label_codec.hpp"
#include "pcanno/formats/labels/nuscenes/codec.hpp"
#include "pcanno/formats/labels/openlabel/codec.hpp"

namespace pcanno::formats {

LabelCodecRegistry LabelCodecRegistry::with_builtin_codecs() {
  LabelCodecRegistry registry;
  registry.add(make_kitti_object_codec());
  registry.add(make_kitti_tracking_codec());
  registry.add(make_nuscenes_codec());
  registry.add(make_openlabel_codec());
  registry.add(make_pcanno_codec());
  return registry;
}

const LabelCodecRegistry& default_label_codecs() {
  static const LabelCodecRegistry registry = LabelCodecRegistry::with_builtin_codecs();
  return registry;
}

}  // namespace pcanno::formats
