#include "pcanno/formats/labels/kitti/codecs.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "kitti_codec_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace kitti_codec_test;

TEST(KittiCodecRegistry, DetectsAndReadsThroughTheCodec) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  PCANNO_REQUIRE_DATA(kitti_object_root() / "label_2/000000.txt");
  const LabelCodec tracking = make_kitti_tracking_codec();
  const LabelCodec object = make_kitti_object_codec();
  EXPECT_EQ(tracking.id, "kitti-tracking");
  EXPECT_EQ(object.id, "kitti-object");
  EXPECT_TRUE(tracking.detect(kitti_tracking_labels(0)));
  EXPECT_TRUE(tracking.detect(kitti_tracking_root()));
  EXPECT_FALSE(tracking.detect(kitti_object_root()));
  EXPECT_FALSE(tracking.detect(kitti_object_root() / "label_2/000001.txt"));
  EXPECT_TRUE(object.detect(kitti_object_root() / "label_2"));
  EXPECT_TRUE(object.detect(kitti_object_root()));
  EXPECT_TRUE(object.detect(kitti_object_root() / "label_2/000001.txt"));
  EXPECT_FALSE(object.detect(kitti_tracking_labels(0)));
  EXPECT_FALSE(object.detect(kitti_tracking_root()));

  // Outside the usual folders, the first row's column count decides.
  test::TempDir dir;
  const fs::path t = dir.write("t.txt", slurp(kitti_tracking_labels(0)).substr(0, 400));
  const fs::path o = dir.write("o.txt", slurp(kitti_object_root() / "label_2/000001.txt"));
  const fs::path other = dir.write("x.txt", "hello world\n");
  EXPECT_TRUE(tracking.detect(t));
  EXPECT_FALSE(object.detect(t));
  EXPECT_TRUE(object.detect(o));
  EXPECT_FALSE(tracking.detect(o));
  EXPECT_FALSE(tracking.detect(other) || object.detect(other));

  Expected<Annotations> doc = tracking.read(kitti_tracking_root(), LabelContext{});
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->sequence.name, "0000");  // the first sequence of the root
  EXPECT_EQ(doc->box_count(), 61u);
}

TEST(KittiCodecClassMap, AppliedOnImportAndExportAndNuscenesEntriesIgnored) {
  PCANNO_REQUIRE_DATA(kitti_tracking_labels(0));
  // A map for a team whose classes are lower case, plus a nuScenes entry for Cyclist, which the
  // KITTI codecs must leave alone: one --class-map serves a KITTI <-> nuScenes conversion.
  ClassMap map;
  map.entries = {{"van", "Van", {}},
                 {"person", "Pedestrian", {}},
                 {"Cyclist", "vehicle.bicycle", {"cycle.with_rider"}}};
  LabelContext context;
  context.class_map = &map;
  Expected<Annotations> doc = read_kitti_tracking_annotations(kitti_tracking_labels(0), context);
  ASSERT_TRUE(doc) << doc.error().describe();
  std::map<std::string, int> tracks_of_class;
  for (const Track& t : doc->tracks) ++tracks_of_class[t.label];
  EXPECT_GT(tracks_of_class["van"], 0);
  EXPECT_GT(tracks_of_class["person"], 0);
  EXPECT_GT(tracks_of_class["Cyclist"], 0);
  EXPECT_EQ(tracks_of_class.count("Van") + tracks_of_class.count("Pedestrian"), 0u);
  EXPECT_NE(doc->class_spec("van"), nullptr);
  EXPECT_EQ(doc->class_spec("Van"), nullptr);

  // Written back through the same map, the file is the original, byte for byte.
  test::TempDir dir;
  const fs::path out = dir.path() / "0000.txt";
  Expected<WriteReport> written = write_kitti_tracking_annotations(*doc, out, context);
  ASSERT_TRUE(written) << written.error().describe();
  EXPECT_EQ(slurp(out), slurp(kitti_tracking_labels(0)));

  // Without the map the lower-case names are written as they are (KITTI types are free words),
  // and a class with no KITTI mapping that cannot be a type is refused, naming the class.
  const fs::path plain = dir.path() / "plain.txt";
  ASSERT_TRUE(write_kitti_tracking_annotations(*doc, plain));
  EXPECT_NE(slurp(plain).find(" van "), std::string::npos);
  Annotations bad = *doc;
  bad.tracks.front().label = "parked car";
  Expected<WriteReport> refused =
      write_kitti_tracking_annotations(bad, dir.path() / "bad.txt", context);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("'parked car'"), std::string::npos)
      << refused.error().describe();
  EXPECT_FALSE(fs::exists(dir.path() / "bad.txt"));
}

TEST(KittiCodecClassMap, ObjectLabelsMappedBothWays) {
  PCANNO_REQUIRE_DATA(kitti_object_root() / "label_2");
  ClassMap map;
  map.entries = {{"vehicle", "Car", {}}};
  LabelContext context;
  context.class_map = &map;
  Expected<Annotations> doc =
      read_kitti_object_annotations(kitti_object_root() / "label_2", context);
  ASSERT_TRUE(doc) << doc.error().describe();
  Expected<Annotations> raw = read_kitti_object_annotations(kitti_object_root() / "label_2");
  ASSERT_TRUE(raw);
  ASSERT_EQ(doc->tracks.size(), raw->tracks.size());
  std::size_t cars = 0;
  for (std::size_t i = 0; i < doc->tracks.size(); ++i) {
    const bool car = raw->tracks[i].label == "Car";
    cars += car;
    EXPECT_EQ(doc->tracks[i].label, car ? "vehicle" : raw->tracks[i].label);
  }
  EXPECT_GT(cars, 0u);
  test::TempDir dir;
  const fs::path mapped = dir.path() / "mapped";
  const fs::path original = dir.path() / "original";
  LabelContext write_context = context;
  write_context.include_outside_fov = true;
  ASSERT_TRUE(write_kitti_object_annotations(*doc, mapped, write_context));
  LabelContext plain;
  plain.include_outside_fov = true;
  ASSERT_TRUE(write_kitti_object_annotations(*raw, original, plain));
  for (const auto& entry : fs::directory_iterator(original)) {
    EXPECT_EQ(slurp(mapped / entry.path().filename()), slurp(entry.path()))
        << entry.path().filename();
  }
}

}  // namespace
}  // namespace pcanno::formats
