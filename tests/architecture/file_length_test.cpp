// A file past about 600 lines holds more than one concept; split it before it grows further.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace pcanno::test {
namespace {

constexpr std::size_t kMaxLines = 600;

std::size_t line_count(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

bool is_source(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  return ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".c" || ext == ".py" ||
         ext == ".pyi";
}

TEST(FileLength, NoSourceFileIsOverSixHundredLines) {
  const std::filesystem::path root = PCANNO_SOURCE_DIR;
  std::string report;
  std::size_t files = 0;
  for (const char* folder : {"geometry", "formats", "plugin", "viewer", "app", "tests", "bench",
                             "fuzz", "examples", "python"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      if (!entry.is_regular_file() || !is_source(entry.path())) continue;
      ++files;
      if (const std::size_t n = line_count(entry.path()); n > kMaxLines) {
        report += entry.path().lexically_relative(root).generic_string() + ": " +
                  std::to_string(n) + " lines\n";
      }
    }
  }
  EXPECT_GT(files, 300u) << "the scan found too few files under " << root;
  EXPECT_TRUE(report.empty()) << "files over " << kMaxLines << " lines:\n" << report;
}

TEST(FileLength, LinesAreCountedWithOrWithoutAFinalNewline) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir());
  std::ofstream(dir / "three.txt") << "a\nb\nc\n";
  std::ofstream(dir / "two.txt") << "a\nb";
  EXPECT_EQ(line_count(dir / "three.txt"), 3u);
  EXPECT_EQ(line_count(dir / "two.txt"), 2u);
}

}  // namespace
}  // namespace pcanno::test
