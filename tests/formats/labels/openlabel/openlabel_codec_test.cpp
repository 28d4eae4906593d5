#include "pcanno/formats/labels/openlabel/codec.hpp"

#include <string>

#include <gtest/gtest.h>

#include "openlabel_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace openlabel_test;

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
