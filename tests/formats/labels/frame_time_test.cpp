#include "pcanno/formats/labels/frame_time.hpp"

#include <gtest/gtest.h>

namespace pcanno::formats {
namespace {

Sequence sequence_with_times(std::initializer_list<std::int64_t> timestamps_us) {
  Sequence s;
  for (std::int64_t t : timestamps_us) {
    FrameRef f;
    f.timestamp_us = t;
    s.frames.push_back(f);
  }
  return s;
}

TEST(FrameTime, TheSequenceClockComesFirstThenTheDocumentsThenTenHertz) {
  const Sequence sequence = sequence_with_times({1'500'000, -1, -1});
  Annotations doc;
  doc.frames.push_back(FrameInfo{"0", 9'000'000, {}, ""});
  doc.frames.push_back(FrameInfo{"1", 2'250'000, {}, ""});
  doc.frames.push_back(FrameInfo{"2", -1, {}, ""});

  EXPECT_DOUBLE_EQ(frame_time_s(&sequence, doc, 0), 1.5);   // sequence wins over the document
  EXPECT_DOUBLE_EQ(frame_time_s(&sequence, doc, 1), 2.25);  // the document fills a gap
  EXPECT_DOUBLE_EQ(frame_time_s(&sequence, doc, 2), 0.2);   // neither: 10 Hz
  EXPECT_DOUBLE_EQ(frame_time_s(nullptr, doc, 0), 9.0);
  EXPECT_DOUBLE_EQ(frame_time_s(nullptr, Annotations{}, 37), 3.7);
  EXPECT_DOUBLE_EQ(frame_time_s(&sequence, doc, 5), 0.5);  // past both
}

TEST(FrameTime, RecordedTimeIsEmptyWhereNoClockSaysAnything) {
  const Sequence sequence = sequence_with_times({-1, 4'000'000});
  Annotations doc;
  doc.frames.push_back(FrameInfo{"0", -1, {}, ""});
  EXPECT_FALSE(recorded_time_s(&sequence, doc, 0).has_value());
  EXPECT_FALSE(recorded_time_s(nullptr, doc, -3).has_value());
  ASSERT_TRUE(recorded_time_s(&sequence, doc, 1).has_value());
  EXPECT_DOUBLE_EQ(*recorded_time_s(&sequence, doc, 1), 4.0);
}

}  // namespace
}  // namespace pcanno::formats
