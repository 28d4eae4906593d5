#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "files.hpp"
#include "json_schema.hpp"
#include "kitti_fixtures.hpp"
#include "openlabel_fixtures.hpp"
#include "pcanno/formats/datasets/kitti_calib.hpp"
#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "pcanno/formats/labels/kitti/label.hpp"
#include "pcanno/geometry/pose.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace openlabel_test;
using test::calibration_only_sequence;
using test::kitti_sequence_name;
using test::kitti_tracking_labels;
using test::label_frame_count;
using test::open_tracking_0000;
using test::shared_data_dir;
using test::slurp;

TEST(OpenlabelCodec, DetectsOnlyOpenlabelFilesAndIsRegistered) {
  const LabelCodec codec = make_openlabel_codec();
  EXPECT_EQ(codec.id, "openlabel");
  test::TempDir dir;
  const fs::path ours =
      dir.write("a.json", must_serialize(synthetic_annotations(posed_sequence())));
  EXPECT_TRUE(codec.detect(ours));
  EXPECT_TRUE(
      codec.detect(dir.write("b.JSON", std::string("\xEF\xBB\xBF  {\n \"openlabel\" : {}}"))));
  EXPECT_FALSE(codec.detect(dir.write("c.txt", "{\"openlabel\": {}}")));
  EXPECT_FALSE(codec.detect(dir.write("d.json", "{\"format\": \"pcanno\", \"openlabel\": {}}")));
  EXPECT_FALSE(codec.detect(dir.write("e.json", serialize_pcanno_document(Annotations{}))));
  EXPECT_FALSE(codec.detect(dir.path()));
  EXPECT_FALSE(codec.detect(dir.path() / "missing.json"));
  EXPECT_FALSE(make_pcanno_codec().detect(ours));

  const LabelCodecRegistry& registry = default_label_codecs();
  ASSERT_NE(registry.find("openlabel"), nullptr);
  Expected<const LabelCodec*> selected = registry.select(ours);
  ASSERT_TRUE(selected) << selected.error().describe();
  EXPECT_EQ((*selected)->id, "openlabel");
  Expected<Annotations> read = (*selected)->read(ours, LabelContext{});
  ASSERT_TRUE(read) << read.error().describe();
  EXPECT_EQ(read->box_count(), 5u);
  const Expected<Annotations> folder = read_openlabel(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().code, ErrorCode::kUnknownFormat);
  const Expected<Annotations> missing = read_openlabel(dir.path() / "missing.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pcanno::formats
