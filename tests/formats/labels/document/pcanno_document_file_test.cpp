#include "pcanno/formats/labels/document/document.hpp"

#include <functional>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "document_fixtures.hpp"

namespace pcanno::formats {
namespace {

using namespace document_test;

TEST(PcannoDocument, WriteAndReadFile) {
  test::TempDir dir;
  const fs::path file = dir.path() / "labels.pcanno.json";
  const Annotations a = rich_annotations(11);
  ASSERT_TRUE(write_pcanno_document(a, file, false));
  const Expected<Annotations> back = read_pcanno_document(file);
  ASSERT_TRUE(back) << back.error().describe();
  expect_same(a, *back);

  const std::string before = test::slurp(file);
  Annotations changed = a;
  changed.tracks[0].label = "Fußgänger";
  const Status refused = write_pcanno_document(changed, file, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_EQ(test::slurp(file), before);
  ASSERT_TRUE(write_pcanno_document(changed, file, true));
  EXPECT_EQ(read_pcanno_document(file)->tracks[0].label, "Fußgänger");
  EXPECT_EQ(test::entry_count(dir.path()), 1u);  // no temporary left behind

  EXPECT_EQ(read_pcanno_document(dir.path() / "missing.json").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(read_pcanno_document(dir.path()));
  const Expected<Annotations> bad = read_pcanno_document(dir.write("bad.json", "{\"format\": 1}"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().path, (dir.path() / "bad.json").string());
}

TEST(PcannoDocument, WriterRefusesContentThatWouldNotLoad) {
  test::TempDir dir;
  const fs::path file = dir.path() / "doc.json";
  struct Case {
    const char* what;
    std::function<void(Annotations&)> damage;
    const char* pointer;
  };
  const Case cases[] = {
      {"NaN centre", [](Annotations& a) { a.tracks[0].boxes[0].box.center.y() = std::nan(""); },
       "/tracks/0/boxes/0/center/1"},
      {"zero size", [](Annotations& a) { a.tracks[1].boxes[0].box.size.z() = 0.0; },
       "/tracks/1/boxes/0/size/2"},
      {"infinite score",
       [](Annotations& a) { a.tracks[0].boxes[0].score = std::numeric_limits<double>::infinity(); },
       "/tracks/0/boxes/0/score"},
      {"zero quaternion",
       [](Annotations& a) { a.tracks[0].boxes[0].box.rotation.coeffs().setZero(); },
       "/tracks/0/boxes/0/rotation_wxyz"},
      {"two boxes in one frame",
       [](Annotations& a) { a.tracks[0].boxes.push_back(a.tracks[0].boxes[0]); },
       "/tracks/0/boxes/" /* the repeated one */},
      {"frame out of range", [](Annotations& a) { a.tracks[0].boxes.back().frame = 99; },
       "/frame: frame 99 is out of range"},
      {"invalid UTF-8", [](Annotations& a) { a.tracks[2].attributes["bad\xff"] = "x"; },
       "/tracks/2/attributes/bad\\xff"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Annotations a = rich_annotations(4);
    c.damage(a);
    const Status status = write_pcanno_document(a, file, true);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::kMalformed);
    EXPECT_NE(status.error().message.find(c.pointer), std::string::npos)
        << status.error().describe();
    EXPECT_NE(status.error().message.find("not written"), std::string::npos);
    EXPECT_FALSE(fs::exists(file));
    EXPECT_EQ(test::entry_count(dir.path()), 0u);
  }
  // serialize_pcanno_document cannot fail: invalid text is replaced rather than thrown.
  Annotations a = rich_annotations(4);
  a.sequence.name = "scene\xc3";
  const std::string text = serialize_pcanno_document(a);
  const Expected<Annotations> parsed = parse_pcanno_document(text, "replaced.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->sequence.name, "scene\xef\xbf\xbd");
}

TEST(PcannoDocument, CodecDetectsReadsAndWrites) {
  test::TempDir dir;
  const LabelCodec codec = make_pcanno_codec();
  EXPECT_EQ(codec.id, "pcanno");
  ASSERT_TRUE(codec.detect && codec.read && codec.write);
  const Annotations a = rich_annotations(8);

  const fs::path out = dir.path() / "scene.pcanno.json";
  const Expected<WriteReport> report = codec.write(a, out, LabelContext{});
  ASSERT_TRUE(report) << report.error().describe();
  ASSERT_EQ(report->written.size(), 1u);
  EXPECT_EQ(report->written[0], out);
  EXPECT_EQ(report->boxes_written, a.box_count());
  EXPECT_GT(report->boxes_written, 10u);
  EXPECT_TRUE(codec.detect(out));
  const Expected<Annotations> back = codec.read(out, LabelContext{});
  ASSERT_TRUE(back) << back.error().describe();
  expect_same(a, *back);

  EXPECT_EQ(codec.write(a, out, LabelContext{}).error().code, ErrorCode::kPermission);
  LabelContext overwrite;
  overwrite.overwrite = true;
  EXPECT_TRUE(codec.write(a, out, overwrite));

  LabelContext cancel;
  cancel.progress = [](double) { return false; };
  const fs::path cancelled = dir.path() / "cancelled.json";
  EXPECT_EQ(codec.write(a, cancelled, cancel).error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(fs::exists(cancelled));

  EXPECT_TRUE(codec.detect(dir.write("spaced.json", "{\n\t\"format\" :\n \"pcanno\" }")));
  EXPECT_FALSE(codec.detect(dir.write("openlabel.json",
                                      "{\"openlabel\": {\"metadata\": "
                                      "{\"format\": \"openlabel\", "
                                      "\"tool\": \"pcanno\"}}}")));
  EXPECT_FALSE(codec.detect(dir.write("labels.txt", "{\"format\": \"pcanno\"}")));
  EXPECT_FALSE(codec.detect(dir.path() / "absent.json"));
  fs::create_directory(dir.path() / "folder.json");
  EXPECT_FALSE(codec.detect(dir.path() / "folder.json"));
}

}  // namespace
}  // namespace pcanno::formats
