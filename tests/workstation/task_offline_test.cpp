// The window over a PostgreSQL task while the server goes away and comes back (the store's
// throw-away cluster, tests/store/pg_cluster.sh): the annotator keeps drawing, the title says the
// edits wait offline, Submit refuses and keeps them, and once the server is back they land, each
// once, and Submit hands the task in.
#include <chrono>
#include <cstdlib>
#include <string>

#include <QMessageBox>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/store/open_store.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"
#include "postgres_support.hpp"
#include "task_fixture.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

class WorkstationOfflineTask : public WorkstationTest {
 protected:
  void SetUp() override {
    WorkstationTest::SetUp();
    std::string why_not;
    backend_ = make_postgres_backend(&why_not);
    if (!backend_) {
      if (std::getenv("CI")) FAIL() << "no PostgreSQL server: " << why_not;
      GTEST_SKIP() << "no PostgreSQL server: " << why_not;
    }
    ASSERT_TRUE(backend_->create());
    auto ada = backend_->open_as("ada");
    ASSERT_TRUE(ada) << ada.error().describe();
    admin_ = std::move(*ada);
    ASSERT_TRUE(admin_->add_user("alice", store::Role::kAnnotator, password_for("alice")));
    task_id_ = add_sample_task(*admin_, sample_, "alice");
    ASSERT_NE(task_id_, 0);
  }
  void TearDown() override {
    window_.reset();
    admin_.reset();
    if (backend_) backend_->destroy();
    WorkstationTest::TearDown();
  }

  /// Waits up to `ms` for `done`, letting the window's event loop run.
  template <typename Done>
  bool wait_until(Done done, int ms) {
    for (int waited = 0; !done() && waited < ms; waited += 50) QTest::qWait(50);
    return done();
  }

  /// The tracks the store holds for the task, or -1 while it cannot be read.
  long stored_tracks() {
    auto labels = admin_->labels(task_id_);
    return labels ? static_cast<long>(labels->document.tracks.size()) : -1;
  }

  void submit(ws::WorkstationWindow& w) {
    w.activateWindow();
    EXPECT_TRUE(QTest::qWaitForWindowActive(&w));
    w.main_view()->setFocus();
    QTest::keyClick(w.main_view(), Qt::Key_Return, Qt::ControlModifier | Qt::ShiftModifier);
    QApplication::processEvents();
  }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<store::ProjectStore> admin_;
  std::int64_t task_id_ = 0;
};

TEST_F(WorkstationOfflineTask, TheServerGoesAwayTheWorkGoesOnAndLandsOnceWhenItIsBack) {
  auto* postgres = dynamic_cast<PostgresBackend*>(backend_.get());
  ASSERT_NE(postgres, nullptr);
  ws::TaskOpenOptions options;
  options.url = pg_user_url("alice", postgres->database());
  options.task_id = task_id_;
  options.outbox = dir_ / "outbox";
  auto opened = ws::TaskMode::open(options);
  ASSERT_TRUE(opened) << opened.error().describe();
  ws::WorkstationWindow& w = open(std::move(opened->session));
  w.enter_task(std::move(opened->mode));

  draw_van_box(w);
  ASSERT_TRUE(wait_until([&] { return stored_tracks() == 1; }, 10000));

  ASSERT_TRUE(pg_cluster_control("stop"));
  draw_van_box(w);
  ASSERT_EQ(w.session().document().tracks.size(), 2u) << "drawing goes on without the server";
  ASSERT_TRUE(wait_until([&] { return w.windowTitle().contains("offline"); }, 15000))
      << w.windowTitle().toStdString();
  EXPECT_TRUE(w.windowTitle().contains("pending")) << w.windowTitle().toStdString();
  QString said;
  when_modal<QMessageBox>([&said](QMessageBox* box) {
    said = box->text();
    box->accept();
  });
  submit(w);
  EXPECT_TRUE(said.contains("cannot be reached") && said.contains("outbox")) << said.toStdString();

  ASSERT_TRUE(pg_cluster_control("start"));
  ASSERT_TRUE(wait_until([&] { return stored_tracks() == 2; }, 30000)) << stored_tracks();
  ASSERT_TRUE(wait_until([&] { return w.windowTitle().contains("synced"); }, 10000))
      << w.windowTitle().toStdString();
  // Each edit once: the store holds the window's boxes, bit for bit.
  auto labels = admin_->labels(task_id_);
  ASSERT_TRUE(labels) << labels.error().describe();
  const formats::Annotations& here = w.session().document();
  ASSERT_EQ(labels->document.tracks.size(), here.tracks.size());
  for (std::size_t i = 0; i < here.tracks.size(); ++i) {
    const formats::Track& stored = labels->document.tracks[i];
    ASSERT_EQ(stored.id, here.tracks[i].id);
    ASSERT_EQ(stored.boxes.size(), here.tracks[i].boxes.size());
    for (std::size_t b = 0; b < stored.boxes.size(); ++b) {
      EXPECT_EQ(stored.boxes[b].box.center, here.tracks[i].boxes[b].box.center);
      EXPECT_EQ(stored.boxes[b].box.size, here.tracks[i].boxes[b].box.size);
    }
  }
  // The log holds each of the window's edit lists once, in order: its sequence numbers run
  // 1, 2, 3... without a gap or a repeat.
  auto log = admin_->history(task_id_, 0);
  ASSERT_TRUE(log) << log.error().describe();
  ASSERT_FALSE(log->empty());
  for (std::size_t i = 0; i < log->size(); ++i) {
    EXPECT_EQ((*log)[i].client_seq, static_cast<std::int64_t>(i + 1)) << "commit " << i;
    EXPECT_EQ((*log)[i].client_id, log->front().client_id);
  }
  auto state = admin_->task(task_id_);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->state, store::TaskState::kInProgress) << "the refused submit left it at work";

  QString refused;
  when_modal<QMessageBox>([&refused](QMessageBox* box) {
    refused = box->text();
    box->accept();
  });
  submit(w);
  EXPECT_TRUE(refused.isEmpty()) << refused.toStdString();
  state = admin_->task(task_id_);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->state, store::TaskState::kSubmitted);
}

}  // namespace
}  // namespace pcanno::test
