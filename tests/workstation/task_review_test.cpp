// Store tasks in the window: an annotator's box reaches the project store through the task's
// outbox, Task > Submit hands the task in, a reviewer comments and rejects through the Review
// menu on read-only labels, and the annotator sees the comment when the task comes back.
#include <chrono>
#include <string>

#include <QAction>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QTableWidget>
#include <QTimer>

#include <sqlite3.h>

#include "pcanno/store/open_store.hpp"
#include "pcanno/viewer/workstation/comments_panel.hpp"
#include "pcanno/viewer/workstation/task_dialog.hpp"
#include "pcanno/viewer/workstation/task_mode.hpp"
#include "pcanno/viewer/workstation/timeline_widget.hpp"
#include "task_fixture.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

class WorkstationTask : public WorkstationTest {
 protected:
  void SetUp() override {
    WorkstationTest::SetUp();
    url_ = "sqlite:" + (dir_ / "project.db").string();
    store::StoreOptions options;
    options.user = "admin";
    options.create = true;
    auto opened = store::open_store(url_, options);
    ASSERT_TRUE(opened) << opened.error().describe();
    admin_ = std::move(*opened);
    ASSERT_TRUE(admin_->add_user("alice", store::Role::kAnnotator, ""));
    ASSERT_TRUE(admin_->add_user("rita", store::Role::kReviewer, ""));
    task_id_ = add_sample_task(*admin_, sample_, "alice");
    ASSERT_NE(task_id_, 0);
  }

  /// The window on the task as `user` (`review`: for review).
  ws::WorkstationWindow& open_task(const std::string& user, bool review) {
    ws::TaskOpenOptions options;
    options.url = url_;
    options.user = user;
    options.task_id = task_id_;
    options.review = review;
    options.outbox = dir_ / ("outbox-" + user);
    auto opened = ws::TaskMode::open(options);
    EXPECT_TRUE(opened) << (opened ? "" : opened.error().describe());
    ws::WorkstationWindow& w = open(std::move(opened->session));
    w.enter_task(std::move(opened->mode));
    return w;
  }

  store::TaskState state() {
    auto t = admin_->task(task_id_);
    EXPECT_TRUE(t) << t.error().describe();
    return t ? t->state : store::TaskState::kNew;
  }

  std::size_t stored_tracks() {
    auto labels = admin_->labels(task_id_);
    EXPECT_TRUE(labels) << labels.error().describe();
    return labels ? labels->document.tracks.size() : 0;
  }

  /// A shortcut, once the window is active again (a dialog that just closed handed it back).
  void press(ws::WorkstationWindow& w, Qt::Key key, Qt::KeyboardModifiers mods) {
    w.activateWindow();
    EXPECT_TRUE(QTest::qWaitForWindowActive(&w));
    w.main_view()->setFocus();
    QTest::keyClick(w.main_view(), key, mods);
    QApplication::processEvents();
  }

  /// Lets the outbox drain into the store (the sync's worker) and the title catch up.
  void settle(std::size_t tracks) {
    for (int waited = 0; stored_tracks() != tracks && waited < 10000; waited += 50)
      QTest::qWait(50);
    QTest::qWait(300);
  }

  QString title() const { return window_->windowTitle(); }

  std::string url_;
  std::int64_t task_id_ = 0;
  std::unique_ptr<store::ProjectStore> admin_;
};

const Qt::KeyboardModifiers kCtrlShift = Qt::ControlModifier | Qt::ShiftModifier;

TEST_F(WorkstationTask, AnEditReachesTheStoreAndSubmitHandsTheTaskIn) {
  ws::WorkstationWindow& w = open_task("alice", false);
  EXPECT_EQ(state(), store::TaskState::kInProgress) << "opening a new task starts it";
  EXPECT_TRUE(w.session().journal_path().empty()) << "the outbox is the journal";
  EXPECT_EQ(stored_tracks(), 0u);
  draw_van_box(w);
  ASSERT_EQ(w.session().document().tracks.size(), 1u);
  settle(1);
  ASSERT_EQ(stored_tracks(), 1u) << "the box reached the store";
  const std::string t = title().toStdString();
  EXPECT_NE(t.find("task " + std::to_string(task_id_) + " \u00b7 0000 frames 0-4"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("in_progress"), std::string::npos) << t;
  EXPECT_NE(t.find("lease alice until"), std::string::npos) << t;
  EXPECT_NE(t.find("synced"), std::string::npos) << t;

  press(w, Qt::Key_Return, kCtrlShift);  // Task > Submit
  EXPECT_EQ(state(), store::TaskState::kSubmitted);
  EXPECT_NE(title().toStdString().find("submitted"), std::string::npos) << title().toStdString();
  // Handed in, the labels take no more edits: the store would refuse them.
  EXPECT_TRUE(w.read_only());
  draw_van_box(w);
  EXPECT_EQ(w.session().document().tracks.size(), 1u) << "no box drawn on a submitted task";
  EXPECT_FALSE(w.start_tool("cuboid-create"));
  window_->close();
  window_.reset();
  auto after = admin_->task(task_id_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->lease_holder, "") << "closing lets go of the lease";
}

TEST_F(WorkstationTask, AReviewerCommentsAndRejectsAndTheAnnotatorSeesIt) {
  {
    ws::WorkstationWindow& w = open_task("alice", false);
    draw_van_box(w);
    settle(1);
    press(w, Qt::Key_Return, kCtrlShift);
    ASSERT_EQ(state(), store::TaskState::kSubmitted);
    window_->close();
    window_.reset();
  }
  ws::WorkstationWindow& r = open_task("rita", true);
  EXPECT_EQ(state(), store::TaskState::kInReview);
  ASSERT_EQ(r.session().document().tracks.size(), 1u) << "the store's labels";
  const std::int64_t track = r.session().document().tracks.front().id;
  // Read-only: the create tool is refused, by key and by id.
  QTest::keyClick(r.main_view(), Qt::Key_N);
  EXPECT_NE(r.tools().active_id(), "cuboid-create");
  EXPECT_FALSE(r.start_tool("cuboid-create"));
  r.select_track(track);
  QTest::keyClick(r.main_view(), Qt::Key_Delete);
  ASSERT_EQ(r.session().document().tracks.size(), 1u) << "Delete refused in review";
  ASSERT_TRUE(r.session().document().tracks.front().at(0)) << "Delete refused in review";
  r.select_track(track);

  when_modal<QInputDialog>([](QInputDialog* d) {
    d->setTextValue("the van's rear is cut off");
    d->accept();
  });
  press(r, Qt::Key_C, kCtrlShift);  // Review > Comment
  // An empty reason is refused; then a real one.
  when_modal<QInputDialog>([](QInputDialog* d) {
    d->setTextValue("  ");
    d->accept();
  });
  press(r, Qt::Key_R, kCtrlShift);
  EXPECT_EQ(state(), store::TaskState::kInReview);
  when_modal<QInputDialog>([](QInputDialog* d) {
    d->setTextValue("box too short");
    d->accept();
  });
  press(r, Qt::Key_R, kCtrlShift);  // Review > Reject
  EXPECT_EQ(state(), store::TaskState::kRejected);
  auto events = admin_->task_events(task_id_);
  ASSERT_TRUE(events && !events->empty());
  EXPECT_EQ(events->back().reason, "box too short");
  EXPECT_EQ(events->back().who, "rita");
  auto comments = admin_->comments(task_id_);
  ASSERT_TRUE(comments);
  ASSERT_EQ(comments->size(), 1u);
  const store::Comment& c = comments->front();
  EXPECT_EQ(c.text, "the van's rear is cut off");
  EXPECT_EQ(c.author, "rita");
  EXPECT_EQ(c.frame, 0);
  ASSERT_TRUE(c.track_id);
  EXPECT_EQ(*c.track_id, track);
  auto box = r.session().box_in_world(track, 0);
  ASSERT_TRUE(box);
  EXPECT_NEAR(c.x, box->center.x(), 1e-6);
  EXPECT_NEAR(c.y, box->center.y(), 1e-6);
  window_->close();
  window_.reset();

  ws::WorkstationWindow& a = open_task("alice", false);
  EXPECT_EQ(state(), store::TaskState::kInProgress) << "a rejected task goes back to work";
  ASSERT_EQ(a.comments_panel()->table()->rowCount(), 1);
  EXPECT_EQ(a.comments_panel()->table()->item(0, 3)->text(), "the van's rear is cut off");
  EXPECT_EQ(a.comments_panel()->table()->item(0, 0)->text(), "rita");
  EXPECT_TRUE(title().contains("1 open comment")) << title().toStdString();
  EXPECT_EQ(a.timeline()->comment_frames(), std::vector<std::int64_t>{0});
  EXPECT_EQ(a.comment_markers_shown(), 1u) << "the comment's marker in the views at its frame";
  ASSERT_TRUE(a.set_frame(1));
  EXPECT_EQ(a.comment_markers_shown(), 0u);
  // A double-click on the comment goes to its frame and selects its track.
  a.select_track(std::nullopt);
  emit a.comments_panel()->table()->cellDoubleClicked(0, 0);
  EXPECT_EQ(a.session().selection().track, track);
}

TEST_F(WorkstationTask, OpenTaskListsTheAnnotatorsTasksAndOpensTheChosenOne) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});  // the sample with its own labels
  w.set_store(url_, "alice");
  int listed = -1;
  when_modal<ws::TaskDialog>([&listed](ws::TaskDialog* d) {
    listed = d->table()->rowCount();
    d->table()->selectRow(0);
    d->accept();
  });
  QAction* open_task = w.menuBar()->findChild<QAction*>("open-task");
  ASSERT_NE(open_task, nullptr);
  open_task->trigger();
  EXPECT_EQ(listed, 1) << "alice's one new task";
  ASSERT_NE(w.task_mode(), nullptr);
  EXPECT_EQ(w.task_mode()->task().id, task_id_);
  EXPECT_EQ(state(), store::TaskState::kInProgress);
  EXPECT_TRUE(w.session().document().tracks.empty()) << "the task's labels, not the sample's";
  EXPECT_TRUE(title().contains(QString("task %1").arg(task_id_))) << title().toStdString();
}

TEST_F(WorkstationTask, AReviewerResolvesACommentInThePanel) {
  {
    ws::WorkstationWindow& w = open_task("alice", false);
    press(w, Qt::Key_Return, kCtrlShift);
    ASSERT_EQ(state(), store::TaskState::kSubmitted);
    window_->close();
    window_.reset();
  }
  ws::WorkstationWindow& r = open_task("rita", true);
  ASSERT_TRUE(r.comment_task("look at frame 0 again"));
  EXPECT_TRUE(title().contains("1 open comment")) << title().toStdString();
  QTableWidget* table = r.comments_panel()->table();
  ASSERT_EQ(table->rowCount(), 1);
  table->item(0, 4)->setCheckState(Qt::Checked);
  auto comments = admin_->comments(task_id_);
  ASSERT_TRUE(comments && comments->size() == 1u);
  EXPECT_TRUE(comments->front().resolved);
  EXPECT_FALSE(title().contains("open comment")) << title().toStdString();
}

TEST_F(WorkstationTask, SubmitIsRefusedWhileTheStoreRefusesTheEditsAndTheyStayInTheOutbox) {
  ws::WorkstationWindow& w = open_task("alice", false);
  // Another client of alice's writes the task behind the window's back: the window's next
  // commit is stale, and the store refuses it.
  store::StoreOptions as_alice;
  as_alice.user = "alice";
  auto other = store::open_store(url_, as_alice);
  ASSERT_TRUE(other);
  auto lease = (*other)->acquire_lease(task_id_, std::chrono::seconds(30));
  ASSERT_TRUE(lease) << lease.error().describe();
  store::CommitRequest request;
  request.task_id = task_id_;
  request.base_version = 0;
  request.lease_token = lease->token;
  request.client_id = "another-client";
  request.client_seq = 1;
  request.edits = {formats::TagEdit{-1, "weather", std::string("rain")}};
  ASSERT_TRUE((*other)->commit(request));
  draw_van_box(w);
  for (int waited = 0; !title().contains("refused") && waited < 10000; waited += 50)
    QTest::qWait(50);
  ASSERT_TRUE(title().contains("refused")) << title().toStdString();
  QString said;
  when_modal<QMessageBox>([&said](QMessageBox* box) {
    said = box->text();
    box->accept();
  });
  press(w, Qt::Key_Return, kCtrlShift);
  EXPECT_EQ(state(), store::TaskState::kInProgress) << "not submitted";
  EXPECT_TRUE(said.contains("refused") && said.contains("outbox")) << said.toStdString();
  EXPECT_EQ(stored_tracks(), 0u);
  // Closing says where the edits are.
  QString kept;
  when_modal<QMessageBox>([&kept](QMessageBox* box) {
    kept = box->text();
    box->accept();
  });
  window_->close();
  EXPECT_TRUE(kept.contains("outbox")) << kept.toStdString();
  window_.reset();
  EXPECT_GT(std::filesystem::file_size(dir_ / "outbox-alice"), 0u) << "the box is kept";
}

// A reviewer sends the task back while the annotator's window is still open: the labels open
// again in that window, and the next submit resumes the work and hands it in again.
TEST_F(WorkstationTask, ATaskSentBackOpensAgainInTheOpenWindowAndIsHandedInAgain) {
  ws::WorkstationWindow& w = open_task("alice", false);
  draw_van_box(w);
  settle(1);
  press(w, Qt::Key_Return, kCtrlShift);
  ASSERT_EQ(state(), store::TaskState::kSubmitted);
  ASSERT_TRUE(w.read_only());

  store::StoreOptions as_rita;
  as_rita.user = "rita";
  auto rita = store::open_store(url_, as_rita);
  ASSERT_TRUE(rita) << rita.error().describe();
  ASSERT_TRUE((*rita)->transition(task_id_, store::TaskState::kInReview, ""));
  ASSERT_TRUE((*rita)->transition(task_id_, store::TaskState::kRejected, "one box is missing"));
  for (int waited = 0; w.read_only() && waited < 5000; waited += 50) QTest::qWait(50);
  ASSERT_FALSE(w.read_only()) << "the window saw the rejection";
  draw_van_box(w);
  ASSERT_EQ(w.session().document().tracks.size(), 2u);
  settle(2);
  ASSERT_EQ(stored_tracks(), 2u);
  press(w, Qt::Key_Return, kCtrlShift);
  EXPECT_EQ(state(), store::TaskState::kSubmitted);
  auto events = admin_->task_events(task_id_);
  ASSERT_TRUE(events && events->size() >= 3);
  const auto last = events->end();
  EXPECT_EQ((last - 3)->to, store::TaskState::kRejected);
  EXPECT_EQ((last - 2)->to, store::TaskState::kInProgress);
  EXPECT_EQ((last - 1)->to, store::TaskState::kSubmitted);
  EXPECT_EQ((last - 1)->who, "alice");
}

// Submit waits for the outbox while another writer holds the project file: meanwhile the labels
// refuse edits, a second submit and closing the window are refused, and when the writer lets go
// the edits land and the task is handed in with all of them.
TEST_F(WorkstationTask, WhileSubmitWaitsNoEditSecondSubmitOrCloseGetsIn) {
  ws::WorkstationWindow& w = open_task("alice", false);
  draw_van_box(w);
  settle(1);
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "project.db").c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  // An edit the worker cannot send while the file is held.
  draw_van_box(w);
  ASSERT_EQ(w.session().document().tracks.size(), 2u);

  bool second_submit = true, read_only = false, closed = true;
  std::size_t tracks_during = 0;
  QTimer::singleShot(600, [&] {
    read_only = w.read_only();
    second_submit = w.submit_task();
    w.close();
    closed = !w.isVisible();
    draw_van_box(w);
    tracks_during = w.session().document().tracks.size();
    sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr);
  });
  EXPECT_TRUE(w.submit_task());
  sqlite3_close(blocker);
  EXPECT_TRUE(read_only) << "the labels were read-only while submit waited";
  EXPECT_FALSE(second_submit) << "a second submit was refused";
  EXPECT_FALSE(closed) << "the window stayed open";
  EXPECT_NE(w.tools().active_id(), "cuboid-create");
  EXPECT_EQ(tracks_during, 2u) << "no box drawn while submit waited";
  EXPECT_EQ(state(), store::TaskState::kSubmitted);
  auto labels = admin_->labels(task_id_);
  ASSERT_TRUE(labels) << labels.error().describe();
  EXPECT_EQ(labels->document.tracks.size(), 2u) << "the held edit was sent before the hand-in";
}

// A job's edits reach the outbox only when it ends: Submit waits for it, and then hands in the
// labels with the job's work.
TEST_F(WorkstationTask, SubmitIsRefusedWhileAJobRuns) {
  ws::WorkstationWindow& w = open_task("alice", false);
  draw_van_box(w);
  settle(1);
  const std::int64_t track = w.session().document().tracks.front().id;
  w.select_track(track);
  QTest::keyClick(w.main_view(), Qt::Key_P);  // propagate the box over the task's frames
  ASSERT_TRUE(w.job_running());
  EXPECT_FALSE(w.submit_task());
  EXPECT_EQ(state(), store::TaskState::kInProgress);
  for (int waited = 0; w.job_running() && waited < 30000; waited += 50) QTest::qWait(50);
  ASSERT_FALSE(w.job_running());
  const std::size_t boxes = w.session().document().tracks.front().boxes.size();
  ASSERT_GT(boxes, 1u) << "the job added boxes";
  EXPECT_TRUE(w.submit_task());
  EXPECT_EQ(state(), store::TaskState::kSubmitted);
  auto labels = admin_->labels(task_id_);
  ASSERT_TRUE(labels) << labels.error().describe();
  ASSERT_EQ(labels->document.tracks.size(), 1u);
  EXPECT_EQ(labels->document.tracks.front().boxes.size(), boxes) << "handed in with the job's work";
}

}  // namespace
}  // namespace pcanno::test
