// pcanno_synth_sequence: help, argument errors, writing, and refusing to overwrite.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "run_command.hpp"
#include "temp_dir.hpp"

namespace pcanno::test {
namespace {

CommandResult synth(const std::string& args) {
  return run_command(std::string(PCANNO_SYNTH_BINARY) + " " + args + " 2>&1");
}

TEST(SynthSequenceCli, HelpNamesTheOptions) {
  const CommandResult r = synth("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--frames", "--seed", "--out", "--name", "--vehicles", "--cyclists",
                             "--pedestrians", "--force"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

TEST(SynthSequenceCli, RejectsBadArgumentsClearly) {
  TempDir dir("pcanno_synth_cli_");
  const std::string out = " --out " + dir.path().string();
  CommandResult r = synth("--frames 0" + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--frames: expected 1..100000, got 0"), std::string::npos) << r.out;
  r = synth("--frames 2 --name abc" + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--name: expected four digits"), std::string::npos) << r.out;
  r = synth("--frames 2 --pedestrians=-1" + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("must not be negative"), std::string::npos) << r.out;
  r = synth("--frames 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--out"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "velodyne"));
}

TEST(SynthSequenceCli, WritesASequenceAndKeepsIt) {
  TempDir dir("pcanno_synth_cli_");
  const std::string args = "--frames 2 --seed 4 --name 0007 -q --out " + dir.path().string();
  CommandResult r = synth(args);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 frames"), std::string::npos) << r.out;
  for (const char* file : {"velodyne/0007/000000.bin", "velodyne/0007/000001.bin",
                           "label_02/0007.txt", "calib/0007.txt", "oxts/0007.txt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / file)) << file;
  }
  r = synth(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("exists already; pass --force"), std::string::npos) << r.out;
  r = synth(args + " --force");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

}  // namespace
}  // namespace pcanno::test
