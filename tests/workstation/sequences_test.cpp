// Sequences and sweeps through the real window: File > Open sequence... (Ctrl+Shift+O) on a
// dataset with two KITTI tracking sequences, `pcanno view --sequence-name / --sweeps`, and a
// nuScenes scene with sweeps: keyframes marked, keyframe labels on the keyframes, interpolation
// filling the sweeps, and a nuScenes export that keeps the keyframes' boxes only.
#include <algorithm>
#include <set>

#include <QCheckBox>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTableWidget>

#include "pcanno/formats/datasets/nuscenes_db.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/viewer/workstation/sequence_dialog.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "run_command.hpp"
#include "sequence_fixtures.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

class SequencesTest : public WorkstationTest {
 protected:
  static ws::WorkstationOptions dataset(const fs::path& root, bool sweeps = false) {
    ws::WorkstationOptions options;
    options.sequence = root;
    options.include_sweeps = sweeps;
    return options;
  }
  fs::path two_sequences() {
    const fs::path root = dir_ / "kitti2";
    write_two_sequence_kitti(root, sample_ / "training/calib/0000.txt");
    return root;
  }
  fs::path nuscenes_sweeps() {
    const fs::path root = dir_ / "nuscenes";
    const formats::Status written = write_nuscenes_sweeps(root, dir_ / "nuscenes_src");
    EXPECT_TRUE(written) << written.error().describe();
    return root;
  }
  const formats::Track* track_labelled(const std::string& label) {
    for (const formats::Track& t : window_->session().document().tracks) {
      if (t.label == label) return &t;
    }
    return nullptr;
  }
  static std::vector<std::int64_t> frames_of(const formats::Track& t) {
    std::vector<std::int64_t> frames;
    for (const formats::BoxState& b : t.boxes) frames.push_back(b.frame);
    return frames;
  }
};

TEST_F(SequencesTest, OpensTheSecondSequenceThroughFileOpenSequence) {
  const fs::path root = two_sequences();
  ws::WorkstationWindow& w = open(dataset(root));
  ASSERT_NE(w.session().sequence(), nullptr);
  EXPECT_EQ(w.session().sequence()->name, "0000");  // the first, by default
  EXPECT_EQ(w.session().frame_count(), std::size_t{TwoSequenceKitti::kFrames0000});
  ASSERT_NE(track_labelled("Car"), nullptr);

  struct Seen {
    bool dialog = false;
    std::vector<std::string> names;
    std::vector<std::size_t> frames;
    bool sweeps_enabled = true;
    std::string selected;
  };
  auto seen = std::make_shared<Seen>();
  when_modal<ws::SequenceDialog>([seen](ws::SequenceDialog* d) {
    seen->dialog = true;
    for (const ws::SequenceRow& r : d->rows()) {
      seen->names.push_back(r.name);
      seen->frames.push_back(r.frames);
    }
    if (d->rows().size() < 2) return d->reject();
    // The second row clicked, then Open, as a person would.
    const QRect cell = d->table()->visualItemRect(d->table()->item(1, 1));
    QTest::mouseClick(d->table()->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
    seen->selected = d->choice().name;
    seen->sweeps_enabled = d->sweeps_box()->isEnabled();  // KITTI has no sweeps
    QTest::mouseClick(d->open_button(), Qt::LeftButton);
  });
  QTest::keyClick(&w, Qt::Key_O, Qt::ControlModifier | Qt::ShiftModifier);
  QTest::qWait(50);
  ASSERT_TRUE(seen->dialog) << "Ctrl+Shift+O showed no Open sequence dialog";
  EXPECT_EQ(seen->names, (std::vector<std::string>{"0000", "0001"}));
  EXPECT_EQ(seen->frames, (std::vector<std::size_t>{TwoSequenceKitti::kFrames0000,
                                                    TwoSequenceKitti::kFrames0001}));
  EXPECT_EQ(seen->selected, "0001");
  EXPECT_FALSE(seen->sweeps_enabled);

  // The second sequence with its own labels: its frames, its tracks, nothing of 0000.
  ASSERT_NE(w.session().sequence(), nullptr);
  EXPECT_EQ(w.session().sequence()->name, "0001");
  EXPECT_EQ(w.session().frame_count(), std::size_t{TwoSequenceKitti::kFrames0001});
  EXPECT_EQ(w.frame_slider()->maximum(), TwoSequenceKitti::kFrames0001 - 1);
  EXPECT_EQ(w.timeline()->cells().size(), std::size_t{TwoSequenceKitti::kFrames0001});
  EXPECT_EQ(track_labelled("Car"), nullptr);
  const formats::Track* pedestrian = track_labelled("Pedestrian");
  const formats::Track* cyclist = track_labelled("Cyclist");
  ASSERT_NE(pedestrian, nullptr);
  ASSERT_NE(cyclist, nullptr);
  EXPECT_EQ(frames_of(*pedestrian), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(frames_of(*cyclist), (std::vector<std::int64_t>{1}));
  // The views draw the new sequence's boxes: two at frame 1.
  ASSERT_TRUE(w.set_frame(1));
  EXPECT_EQ(w.main_view()->scene().boxes().size(), 2u);
}

TEST_F(SequencesTest, OpenSequenceAsksAboutUnsavedEditsFirst) {
  const fs::path root = two_sequences();
  ws::WorkstationWindow& w = open(dataset(root));
  const formats::Track* car = track_labelled("Car");
  ASSERT_NE(car, nullptr);
  ASSERT_TRUE(w.session().apply(plugin::set_class(w.session().document(), car->id, "Van")));
  ASSERT_TRUE(w.session().dirty());
  auto asked = std::make_shared<bool>(false);
  when_modal<QMessageBox>([asked](QMessageBox* box) {
    *asked = true;
    box->button(QMessageBox::Cancel)->click();  // the sequence stays
  });
  w.open_sequence_dialog();
  EXPECT_TRUE(*asked);
  EXPECT_EQ(w.session().sequence()->name, "0000");
  EXPECT_TRUE(w.session().dirty());
  EXPECT_NE(track_labelled("Van"), nullptr);
}

TEST_F(SequencesTest, SweepsMarkKeyframesAndKeepKeyframeLabelsOnThem) {
  const fs::path root = nuscenes_sweeps();
  ws::WorkstationWindow& w = open(dataset(root, true));
  ASSERT_EQ(w.session().frame_count(), std::size_t{NuscenesSweeps::kFrames});
  const formats::Track* car = track_labelled("Car");
  const formats::Track* pedestrian = track_labelled("Pedestrian");
  ASSERT_NE(car, nullptr);
  ASSERT_NE(pedestrian, nullptr);
  EXPECT_EQ(frames_of(*car), (std::vector<std::int64_t>{0, 3, 6}));
  EXPECT_EQ(frames_of(*pedestrian), (std::vector<std::int64_t>{3}));
  for (const formats::BoxState& b : car->boxes) {
    EXPECT_TRUE(b.keyframe);
    const auto world = w.session().box_in_world(car->id, b.frame);
    ASSERT_TRUE(world);
    EXPECT_LE((world->center - NuscenesSweeps::car_center(static_cast<double>(b.frame))).norm(),
              1e-6)
        << "frame " << b.frame;
  }

  // The timeline marks the keyframes among the sweeps, the status bar names each frame's kind.
  w.select_track(car->id);
  const std::vector<ws::TimelineCell>& cells = w.timeline()->cells();
  ASSERT_EQ(cells.size(), std::size_t{NuscenesSweeps::kFrames});
  for (std::size_t f = 0; f < cells.size(); ++f) {
    EXPECT_EQ(cells[f].sweep, !NuscenesSweeps::is_keyframe(static_cast<std::int64_t>(f))) << f;
  }
  ASSERT_TRUE(w.set_frame(1));
  EXPECT_NE(w.status_text().indexOf(" sweep"), -1) << w.status_text().toStdString();
  ASSERT_TRUE(w.set_frame(3));
  EXPECT_NE(w.status_text().indexOf(" keyframe"), -1) << w.status_text().toStdString();

  // Without the sweeps the same labels sit on frames 0, 1, 2 and nothing is called a sweep.
  window_.reset();
  ws::WorkstationWindow& keys = open(dataset(root));
  EXPECT_EQ(keys.session().frame_count(), 3u);
  ASSERT_NE(track_labelled("Car"), nullptr);
  EXPECT_EQ(frames_of(*track_labelled("Car")), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(keys.status_text().indexOf("sweep"), -1);
  for (const ws::TimelineCell& c : keys.timeline()->cells()) EXPECT_FALSE(c.sweep);
}

TEST_F(SequencesTest, InterpolationFillsTheSweepsAndNuscenesExportKeepsKeyframes) {
  const fs::path root = nuscenes_sweeps();
  ws::WorkstationWindow& w = open(dataset(root, true));
  const formats::Track* car = track_labelled("Car");
  ASSERT_NE(car, nullptr);
  const std::int64_t id = car->id;
  w.select_track(id);
  QTest::keyClick(w.main_view(), Qt::Key_I);  // Edit > Interpolate
  ASSERT_TRUE(wait_for_job());
  car = track_labelled("Car");
  ASSERT_NE(car, nullptr);
  EXPECT_EQ(frames_of(*car), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));
  for (const formats::BoxState& b : car->boxes) {
    const bool key = NuscenesSweeps::is_keyframe(b.frame);
    EXPECT_EQ(b.keyframe, key) << "frame " << b.frame;
    EXPECT_EQ(b.provenance,
              key ? formats::Provenance::kImported : formats::Provenance::kInterpolated)
        << "frame " << b.frame;
    // The car drives a straight line at constant speed: on a sweep it is on that line.
    const auto world = w.session().box_in_world(id, b.frame);
    ASSERT_TRUE(world);
    EXPECT_LE((world->center - NuscenesSweeps::car_center(static_cast<double>(b.frame))).norm(),
              0.01)
        << "frame " << b.frame;
  }
  // The timeline shows the filled sweeps as interpolated boxes.
  EXPECT_TRUE(w.timeline()->cells()[1].has_box);
  EXPECT_FALSE(w.timeline()->cells()[1].keyframe);

  // nuScenes annotates keyframes only: the export keeps the 3 + 1 keyframe boxes and says that
  // the 4 boxes on sweeps were dropped.
  const fs::path out = dir_ / "export";
  ASSERT_TRUE(w.export_labels(out, "nuscenes"));
  const QString summary = w.statusBar()->currentMessage();
  EXPECT_NE(summary.indexOf("4 boxes on sweeps"), -1) << summary.toStdString();
  const auto db = formats::load_nuscenes_db(out, "");
  ASSERT_TRUE(db) << db.error().describe();
  EXPECT_EQ(db->samples.size(), 3u);
  EXPECT_EQ(db->sample_annotations.size(), 4u);
}

#ifdef PCANNO_BINARY
TEST_F(SequencesTest, ViewCommandChoosesSequencesAndRefusesSweepsWithout) {
  const fs::path kitti = two_sequences();
  const std::string view = std::string(PCANNO_BINARY) + " view " + kitti.string();
  const CommandResult unknown = run_command(view + " --sequence-name 0005 2>&1");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_NE(unknown.out.find("no tracking sequence '0005'"), std::string::npos) << unknown.out;
  EXPECT_NE(unknown.out.find("0000, 0001"), std::string::npos)
      << "lists the names: " << unknown.out;
  const CommandResult sweeps = run_command(view + " --sweeps 2>&1");
  EXPECT_EQ(sweeps.exit_code, 1) << sweeps.out;
  EXPECT_NE(sweeps.out.find("has none"), std::string::npos) << sweeps.out;
  EXPECT_NE(sweeps.out.find("kitti-tracking"), std::string::npos) << sweeps.out;

  const fs::path nuscenes = nuscenes_sweeps();
  const std::string nu = std::string(PCANNO_BINARY) + " view " + nuscenes.string();
  const CommandResult scene = run_command(nu + " --sequence-name scene-9 2>&1");
  EXPECT_EQ(scene.exit_code, 1) << scene.out;
  EXPECT_NE(scene.out.find(NuscenesSweeps::kScene), std::string::npos) << scene.out;
  const fs::path png = dir_ / "sweeps.png";
  const CommandResult shown = run_command(nu + " --sequence-name " + NuscenesSweeps::kScene +
                                          " --sweeps --screenshot " + png.string() + " 2>&1");
  EXPECT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_TRUE(fs::exists(png));

  const CommandResult help = run_command(std::string(PCANNO_BINARY) + " view --help 2>&1");
  EXPECT_NE(help.out.find("--sequence-name"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--sweeps"), std::string::npos) << help.out;
}
#endif

}  // namespace
}  // namespace pcanno::test
