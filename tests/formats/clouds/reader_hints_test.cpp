#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "las_writer.hpp"
#include "pcanno/formats/clouds/pcd.hpp"
#include "pcanno/formats/clouds/ply.hpp"
#include "pcanno/formats/clouds/reader.hpp"
#include "temp_dir.hpp"

// What a user meets first: an empty file, a file whose name lies about its format, a Lyft sweep
// named like a KITTI scan. Each error names the file and a byte offset and says what to do.

namespace pcanno::formats {
namespace {

namespace fs = std::filesystem;

std::string pcd_text() {
  return "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\n"
         "WIDTH 1\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 1\nDATA ascii\n1 2 3\n";
}

TEST(ReaderHints, AnEmptyFileSaysSoWhateverItsSuffix) {
  test::TempDir dir;
  for (const char* name : {"a.pcd", "a.ply", "a.las", "a.bin", "a.pcd.bin", "a.unknown"}) {
    const fs::path file = dir.write(name, "");
    const Expected<CloudFile> got = read_cloud(file);
    ASSERT_FALSE(got) << name;
    EXPECT_EQ(got.error().code, ErrorCode::kTruncated) << name;
    EXPECT_EQ(got.error().path, file.string());
    EXPECT_EQ(got.error().offset, 0) << name;
    EXPECT_NE(got.error().message.find("file is empty"), std::string::npos)
        << got.error().describe();
  }
  // The format readers called directly say it too.
  const fs::path pcd = dir.write("b.pcd", "");
  EXPECT_NE(read_pcd(pcd).error().message.find("file is empty"), std::string::npos);
  EXPECT_NE(read_ply(dir.write("b.ply", "")).error().message.find("file is empty"),
            std::string::npos);
}

TEST(ReaderHints, ContentOfAnotherFormatNamesItAndTheOptionThatForcesIt) {
  test::TempDir dir;
  const fs::path las_as_ply = dir.write("scan.ply", test::las_bytes({{1.0, 2.0, 3.0}}));
  const Expected<CloudFile> ply = read_cloud(las_as_ply);
  ASSERT_FALSE(ply);
  EXPECT_EQ(ply.error().path, las_as_ply.string());
  EXPECT_EQ(ply.error().offset, 0);
  EXPECT_NE(ply.error().message.find("this looks like las"), std::string::npos)
      << ply.error().describe();
  EXPECT_NE(ply.error().message.find("use --format las"), std::string::npos);
  // The advice works.
  const Expected<CloudFile> forced = read_cloud(las_as_ply, {}, "las");
  ASSERT_TRUE(forced) << forced.error().describe();
  EXPECT_EQ(forced->cloud.size(), 1u);

  // A PCD named .las, a PLY named .pcd.
  const Expected<CloudFile> pcd = read_cloud(dir.write("scan.las", pcd_text()));
  ASSERT_FALSE(pcd);
  EXPECT_NE(pcd.error().message.find("use --format pcd"), std::string::npos)
      << pcd.error().describe();
  const std::string ply_text =
      "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
      "property float z\nend_header\n1 2 3\n";
  const Expected<CloudFile> ply_as_pcd = read_cloud(dir.write("scan.pcd", ply_text));
  ASSERT_FALSE(ply_as_pcd);
  EXPECT_NE(ply_as_pcd.error().message.find("use --format ply"), std::string::npos)
      << ply_as_pcd.error().describe();

  // A damaged file of the right format gets no hint.
  const Expected<CloudFile> damaged = read_cloud(dir.write("bad.pcd", "# .PCD v0.7\nFIELDS x\n"));
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().message.find("looks like"), std::string::npos)
      << damaged.error().describe();
}

TEST(ReaderHints, ALyftSweepNamedBinPointsToNuscenesBin) {
  test::TempDir dir;
  // 3 records of 5 floats: 60 bytes, a multiple of 20 but not of 16.
  const fs::path lyft = dir.write("lyft.bin", std::string(60, '\0'));
  const Expected<CloudFile> got = read_cloud(lyft);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(got.error().offset, 48);  // where the incomplete 16-byte record starts
  EXPECT_NE(got.error().message.find("use --format nuscenes-bin"), std::string::npos)
      << got.error().describe();
  const Expected<CloudFile> forced = read_cloud(lyft, {}, "nuscenes-bin");
  ASSERT_TRUE(forced) << forced.error().describe();
  EXPECT_EQ(forced->cloud.size(), 3u);
  // And the other way round: 48 bytes named .pcd.bin are three KITTI records.
  const Expected<CloudFile> kitti = read_cloud(dir.write("k.pcd.bin", std::string(48, '\0')));
  ASSERT_FALSE(kitti);
  EXPECT_NE(kitti.error().message.find("use --format kitti-bin"), std::string::npos);
  // 33 bytes fit neither layout: no advice.
  const Expected<CloudFile> odd = read_cloud(dir.write("odd.bin", std::string(33, '\0')));
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().message.find("--format"), std::string::npos);
}

}  // namespace
}  // namespace pcanno::formats
