// Track repair in the real workstation window: the time from the merge key (Ctrl+M) to the four
// redrawn 3D views, the track panel and the timeline, when the merged track holds 1000 boxes.
// Run under `xvfb-run -a`.
//
// The sequence is the sample KITTI tracking excerpt (frames 0-4 of 0000, ~120k points a frame)
// repeated to 1000 frames, with the sample's three tracks and two more: A with a box at frames
// 0-499 and B at 500-999, the ID switch to repair. Each iteration selects A then B, presses
// Ctrl+M (B merges into A: 1000 boxes) and runs the event loop until the views have rendered; the
// undo that restores the pair is not timed. For comparison:
// - BM_MergeCommand: the engine alone (merge_tracks + Session::apply), no window;
// - BM_RebuildAfterMerge: the naive way to show an edit, the whole window rebuilt (a new
//   session over the merged document, as opening it again does: scene, panels, cloud reload).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <QVTKOpenGLNativeWidget.h>
#include <QApplication>
#include <QSurfaceFormat>
#include <QTest>

#include <benchmark/benchmark.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/session.hpp"
#include "pcanno/viewer/display_connection.hpp"
#include "pcanno/viewer/workstation/scene_view.hpp"
#include "pcanno/viewer/workstation/workstation_session.hpp"
#include "pcanno/viewer/workstation/workstation_window.hpp"

namespace {

namespace fs = std::filesystem;
namespace ws = pcanno::viewer::workstation;
namespace formats = pcanno::formats;
namespace plugin = pcanno::plugin;
using Clock = std::chrono::steady_clock;

constexpr int kFrames = 1000;
constexpr std::int64_t kA = 100;  ///< the track kept
constexpr std::int64_t kB = 101;  ///< the track merged into it

/// The sample sequence and labels, repeated to kFrames frames, with tracks A and B added.
std::unique_ptr<plugin::Session> long_session(std::string& error) {
  ws::WorkstationOptions options;
  options.sequence = fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking";
  auto opened = ws::open_workstation_session(options);
  if (!opened) {
    error = opened.error().describe();
    return nullptr;
  }
  const formats::Sequence& source = *(*opened)->sequence();
  formats::Annotations doc = (*opened)->document();
  formats::Sequence seq = source;
  seq.frames.clear();
  doc.frames.clear();
  for (int i = 0; i < kFrames; ++i) {
    const std::size_t k = static_cast<std::size_t>(i) % source.frames.size();
    seq.frames.push_back(source.frames[k]);
    seq.frames.back().name += "_" + std::to_string(i);
    doc.frames.push_back((*opened)->document().frames[k]);
  }
  const formats::Track& van = *(*opened)->document().track(0);
  for (const std::int64_t id : {kA, kB}) {
    formats::Track t;
    t.id = id;
    t.label = van.label;
    for (int f = id == kA ? 0 : kFrames / 2; f < (id == kA ? kFrames / 2 : kFrames); ++f) {
      formats::BoxState b = van.boxes[static_cast<std::size_t>(f) % van.boxes.size()];
      b.frame = f;
      t.boxes.push_back(b);
    }
    doc.tracks.push_back(t);
  }
  return plugin::Session::create(std::move(doc), std::move(seq));
}

/// The window over a long session, shown and drawn; nullptr (and a skip) on failure.
std::unique_ptr<ws::WorkstationWindow> shown_window(benchmark::State& state) {
  std::string error;
  auto session = long_session(error);
  if (!session) {
    state.SkipWithError(error.c_str());
    return nullptr;
  }
  auto window = std::make_unique<ws::WorkstationWindow>(std::move(session));
  window->resize(1600, 1000);
  window->show();
  const bool exposed = QTest::qWaitForWindowExposed(window.get());
  window->activateWindow();  // shortcuts need the active window (Xvfb gives it without a WM)
  if (!exposed || !QTest::qWaitForWindowActive(window.get())) {
    state.SkipWithError("the window was not exposed");
    return nullptr;
  }
  // At the switch, where the annotator sees it.
  window->set_frame(kFrames / 2);
  QTest::qWait(300);
  return window;
}

/// Runs the event loop until the views' pending renders and the panels' paints are done.
void drain_events() {
  QCoreApplication::processEvents(QEventLoop::AllEvents);
  QCoreApplication::sendPostedEvents();
  QCoreApplication::processEvents(QEventLoop::AllEvents);
}

void BM_MergeKeyToRedrawnViews(benchmark::State& state) {
  auto window = shown_window(state);
  if (!window) return;
  plugin::Session& session = window->session();
  double before_render = 0.0;  ///< [ms] summed: key to scenes updated, renders queued
  for (auto _ : state) {
    window->select_track(kA);
    window->select_track(kB);
    drain_events();
    window->main_view()->setFocus();
    const auto start = Clock::now();
    // The shortcut runs synchronously: the merge, the panels, the timeline and the views' scenes
    // are updated when keyClick returns; the views' GL renders (software here) are queued.
    QTest::keyClick(window->main_view(), Qt::Key_M, Qt::ControlModifier);
    const auto updated = Clock::now();
    drain_events();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
    before_render += std::chrono::duration<double, std::milli>(updated - start).count();
    const formats::Track* merged = session.document().track(kA);
    if (merged == nullptr || merged->boxes.size() != static_cast<std::size_t>(kFrames) ||
        session.document().track(kB) != nullptr) {
      state.SkipWithError("Ctrl+M did not merge the two tracks");
      return;
    }
    window->undo();
    drain_events();
  }
  state.counters["boxes"] = kFrames;
  state.counters["until_render_ms"] =
      before_render / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

void BM_MergeCommand(benchmark::State& state) {
  std::string error;
  auto session = long_session(error);
  if (!session) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    const auto start = Clock::now();
    const formats::Status merged =
        session->apply(plugin::merge_tracks(session->document(), kA, kB));
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
    if (!merged || !session->undo()) {
      state.SkipWithError("merge or undo failed");
      return;
    }
  }
}

void BM_RebuildAfterMerge(benchmark::State& state) {
  std::string error;
  auto source = long_session(error);
  if (!source) {
    state.SkipWithError(error.c_str());
    return;
  }
  if (!source->apply(plugin::merge_tracks(source->document(), kA, kB))) {
    state.SkipWithError("merge failed");
    return;
  }
  auto window = shown_window(state);
  if (!window) return;
  for (auto _ : state) {
    auto session = plugin::Session::create(source->document(), *source->sequence());
    const auto start = Clock::now();
    // What showing the edit costs without incremental updates: a window rebuilt around it.
    auto rebuilt = std::make_unique<ws::WorkstationWindow>(std::move(session));
    rebuilt->resize(1600, 1000);
    rebuilt->show();
    rebuilt->set_frame(kFrames / 2);
    drain_events();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
  }
}

}  // namespace

BENCHMARK(BM_MergeKeyToRedrawnViews)
    ->UseManualTime()
    ->Iterations(30)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MergeCommand)->UseManualTime()->Iterations(200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RebuildAfterMerge)->UseManualTime()->Iterations(10)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  QSurfaceFormat::setDefaultFormat(QVTKOpenGLNativeWidget::defaultFormat());
  std::optional<pcanno::viewer::DisplayConnection> display;  // waits out an Xvfb reset for Qt
  if (pcanno::viewer::qt_uses_x11()) display.emplace();
  QApplication app(argc, argv);
  // Sessions without a document journal nothing here (Session::create); keep state out of $HOME.
  const fs::path state_dir =
      fs::temp_directory_path() / ("pcanno_repair_bench_" + std::to_string(::getpid()));
  ::setenv("XDG_STATE_HOME", state_dir.c_str(), 1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fs::remove_all(state_dir);
  return 0;
}
