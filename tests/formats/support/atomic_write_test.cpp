#include "pcanno/formats/support/atomic_write.hpp"

#include <gtest/gtest.h>

#include "files.hpp"
#include "temp_dir.hpp"

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

using test::slurp;

TEST(AtomicWrite, WritesAndRefusesToOverwriteWithoutPermission) {
  test::TempDir dir;
  const fs::path file = dir.path() / "labels.txt";
  ASSERT_TRUE(write_file_atomic(file, "first\n", false));
  EXPECT_EQ(slurp(file), "first\n");
  const auto refused = write_file_atomic(file, "second\n", false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission);
  EXPECT_EQ(slurp(file), "first\n");
  ASSERT_TRUE(write_file_atomic(file, "second\n", true));
  EXPECT_EQ(slurp(file), "second\n");
  EXPECT_EQ(test::entry_count(dir.path()), 1u);  // no temporary left behind
  EXPECT_EQ(write_file_atomic(dir.path() / "missing/x.txt", "x", false).error().code,
            ErrorCode::kNotFound);
}

TEST(StagedDirectory, NothingAppearsUntilCommit) {
  test::TempDir dir;
  const fs::path out = dir.path() / "export";
  {
    auto staged = StagedDirectory::begin(out, false);
    ASSERT_TRUE(staged);
    ASSERT_TRUE(write_file_atomic(staged->path() / "a.json", "[]", false));
    EXPECT_FALSE(fs::exists(out));
    // Destroyed without commit: an export that failed halfway leaves nothing.
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(test::entry_count(dir.path()), 0u);

  auto staged = StagedDirectory::begin(out, false);
  ASSERT_TRUE(staged);
  ASSERT_TRUE(write_file_atomic(staged->path() / "a.json", "[1]", false));
  ASSERT_TRUE(staged->commit());
  EXPECT_EQ(slurp(out / "a.json"), "[1]");
  EXPECT_FALSE(StagedDirectory::begin(out, false));

  auto again = StagedDirectory::begin(out, true);
  ASSERT_TRUE(again);
  ASSERT_TRUE(write_file_atomic(again->path() / "b.json", "[2]", false));
  ASSERT_TRUE(again->commit());
  EXPECT_FALSE(fs::exists(out / "a.json"));  // replaced as a whole
  EXPECT_EQ(slurp(out / "b.json"), "[2]");
  EXPECT_EQ(test::entry_count(dir.path()), 1u);
}

}  // namespace
}  // namespace pcanno::formats
