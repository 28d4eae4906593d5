#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/formats/support/error.hpp"
#include "pcanno/formats/support/expected.hpp"
#include "test_data.hpp"

namespace pcanno::formats {
namespace {

TEST(ErrorCode, NamesAreStableSnakeCase) {
  EXPECT_STREQ(to_string(ErrorCode::kNotFound), "not_found");
  EXPECT_STREQ(to_string(ErrorCode::kPermission), "permission");
  EXPECT_STREQ(to_string(ErrorCode::kUnknownFormat), "unknown_format");
  EXPECT_STREQ(to_string(ErrorCode::kMalformed), "malformed");
  EXPECT_STREQ(to_string(ErrorCode::kTruncated), "truncated");
  EXPECT_STREQ(to_string(ErrorCode::kUnsupported), "unsupported");
  EXPECT_STREQ(to_string(ErrorCode::kIo), "io");
  EXPECT_STREQ(to_string(ErrorCode::kCancelled), "cancelled");
  EXPECT_STREQ(to_string(ErrorCode::kOutOfMemory), "out_of_memory");
}

TEST(Error, DescribeReadsLikeACompiler) {
  Error with_line{ErrorCode::kMalformed, "expected 12 numbers after 'P2:', found 11",
                  "calib/0000.txt"};
  with_line.line = 3;
  EXPECT_EQ(with_line.describe(), "calib/0000.txt:3: expected 12 numbers after 'P2:', found 11");

  Error with_offset{ErrorCode::kIo, "read failed", "velodyne/000042.bin"};
  with_offset.offset = 1974370;
  EXPECT_EQ(with_offset.describe(), "velodyne/000042.bin: byte 1974370: read failed");

  const Error path_only{ErrorCode::kNotFound, "no such file", "a.bin"};
  EXPECT_EQ(path_only.describe(), "a.bin: no such file");

  const Error bare{ErrorCode::kCancelled, "cancelled by the caller", ""};
  EXPECT_EQ(bare.describe(), "cancelled by the caller");
  EXPECT_EQ(bare.line, -1);
  EXPECT_EQ(bare.offset, -1);
}

Expected<int> half(int v) {
  if (v % 2 != 0) return Error{ErrorCode::kMalformed, "odd", ""};
  return v / 2;
}

TEST(Expected, HoldsValueOrError) {
  const Expected<int> ok = half(8);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(ok.value(), 4);
  EXPECT_EQ(*ok, 4);
  EXPECT_EQ(ok.value_or(-1), 4);

  const Expected<int> bad = half(7);
  ASSERT_FALSE(bad.has_value());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().message, "odd");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Expected, MoveOnlyValuesAndArrow) {
  Expected<std::unique_ptr<std::string>> e = std::make_unique<std::string>("abc");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)->size(), 3u);
  std::unique_ptr<std::string> taken = std::move(e).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, "abc");

  Expected<std::string> s = std::string("hello");
  EXPECT_EQ(s->size(), 5u);
  s->append("!");
  EXPECT_EQ(*s, "hello!");
}

TEST(Expected, ErrorCanBeMovedOut) {
  Expected<std::string> e = Error{ErrorCode::kIo, "disk", "f"};
  const Error moved = std::move(e).error();
  EXPECT_EQ(moved.code, ErrorCode::kIo);
  EXPECT_EQ(moved.path, "f");
}

TEST(Status, DefaultIsSuccessAndErrorIsFailure) {
  const Status ok;
  EXPECT_TRUE(ok.has_value());
  EXPECT_TRUE(static_cast<bool>(ok));
  ok.value();

  const Status failed = Error{ErrorCode::kPermission, "denied", "x"};
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kPermission);
}

TEST(ExpectedDeathTest, ReadingValueOfErrorAbortsWithTheError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Expected<int> bad = Error{ErrorCode::kTruncated, "cut short", "f.bin"};
  EXPECT_DEATH((void)bad.value(), "f.bin: cut short");
  const Expected<int> good = 1;
  EXPECT_DEATH((void)good.error(), "error\\(\\) read on a value");
}

}  // namespace
}  // namespace pcanno::formats
