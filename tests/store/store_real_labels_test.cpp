// Real labels through the store on every backend: KITTI tracking sequence 0000's official ground
// truth is a task's starting snapshot, a person's edits go through the log, and the document the
// store gives back, and the KITTI file written from it, equal the ones built from the same edits.
#include <fstream>
#include <sstream>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "store_suite.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

namespace pcanno::test {
namespace {

using namespace std::chrono_literals;

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_P(StoreSuite, RealKittiLabelsRoundTripThroughSnapshotAndLog) {
  const std::filesystem::path labels =
      shared_data_dir() / "kitti_tracking" / "training" / "label_02" / "0000.txt";
  PCANNO_REQUIRE_DATA(labels);
  formats::Expected<formats::Annotations> truth = formats::read_kitti_tracking_annotations(labels);
  ASSERT_TRUE(truth) << truth.error().describe();
  ASSERT_FALSE(truth->tracks.empty());

  formats::Expected<store::Task> task =
      ada_->create_task({sequence_.id, 0, 9, store::kBoxes, *truth});
  ASSERT_TRUE(task) << task.error().describe();
  ASSERT_TRUE(ada_->assign(task->id, "alice"));
  formats::Expected<store::Lease> lease = alice_->acquire_lease(task->id, 60s);
  ASSERT_TRUE(lease) << lease.error().describe();

  // Nudge the first box of the first three tracks, as an annotator would: one commit each.
  formats::Annotations expected = *truth;
  for (std::size_t i = 0; i < 3 && i < truth->tracks.size(); ++i) {
    formats::BoxState moved = truth->tracks[i].boxes.front();
    moved.box.center.x() += 0.125;
    moved.box.size.y() *= 1.01;
    const std::vector<formats::DocumentEdit> edits = {
        formats::BoxEdit{truth->tracks[i].id, moved.frame, moved}};
    ASSERT_TRUE(formats::apply_edits(expected, edits));
    formats::Expected<std::int64_t> version =
        alice_->commit({task->id, static_cast<std::int64_t>(i), lease->token, "real",
                        static_cast<std::int64_t>(i) + 1, edits});
    ASSERT_TRUE(version) << version.error().describe();
  }

  formats::Expected<store::TaskLabels> stored = rita_->labels(task->id);
  ASSERT_TRUE(stored) << stored.error().describe();
  EXPECT_EQ(stored->version, 3);
  EXPECT_EQ(formats::serialize_pcanno_document(stored->document),
            formats::serialize_pcanno_document(expected));

  TempDir dir("pcanno_store_kitti_");
  ASSERT_TRUE(formats::write_kitti_tracking_annotations(stored->document, dir.path() / "a.txt"));
  ASSERT_TRUE(formats::write_kitti_tracking_annotations(expected, dir.path() / "b.txt"));
  EXPECT_EQ(file_text(dir.path() / "a.txt"), file_text(dir.path() / "b.txt"));
}

}  // namespace
}  // namespace pcanno::test
