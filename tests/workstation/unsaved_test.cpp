// No edit is lost in the workstation: closing or opening other labels with unsaved edits asks
// (Save, Discard, Cancel), and unsaved edits a session left behind are offered back.
#include <QMessageBox>
#include <QPushButton>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/journal.hpp"
#include "pcanno/viewer/workstation/unsaved_edits.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

/// What the next message box showed, once answered.
struct BoxSeen {
  bool seen = false;
  QString title;
};

/// Presses the button with `text` (or the standard `button`) in the next modal message box.
std::shared_ptr<BoxSeen> answer_next_message_box(QMessageBox::StandardButton button,
                                                 const QString& text = {}) {
  auto seen = std::make_shared<BoxSeen>();
  when_modal<QMessageBox>([seen, button, text](QMessageBox* box) {
    seen->seen = true;
    seen->title = box->windowTitle();
    QAbstractButton* b = box->button(button);
    for (QAbstractButton* candidate : box->buttons()) {
      if (!text.isEmpty() && candidate->text().remove('&') == text) b = candidate;
    }
    if (b) QTest::mouseClick(b, Qt::LeftButton);
  });
  return seen;
}

class UnsavedTest : public WorkstationTest {
 protected:
  /// The sample dataset, its own labels, no document (what `pcanno view` opens).
  ws::WorkstationOptions sample_options() const {
    ws::WorkstationOptions options;
    options.sequence = sample_;
    return options;
  }

  /// The sample with its own labels (no document), the van (track 0) nudged: one unsaved edit.
  ws::WorkstationWindow& open_and_edit() {
    ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
    w.select_track(0);
    QTest::keyClick(w.main_view(), Qt::Key_Right, Qt::AltModifier);
    EXPECT_TRUE(w.session().dirty());
    EXPECT_TRUE(fs::exists(w.session().journal_path()));
    return w;
  }
};

TEST_F(UnsavedTest, CancelKeepsTheWindowAndItsEdits) {
  ws::WorkstationWindow& w = open_and_edit();
  auto seen = answer_next_message_box(QMessageBox::Cancel);
  EXPECT_FALSE(w.close());
  EXPECT_TRUE(seen->seen);
  EXPECT_EQ(seen->title, "Unsaved edits");
  EXPECT_TRUE(w.isVisible());
  EXPECT_TRUE(w.session().dirty());
  EXPECT_TRUE(fs::exists(w.session().journal_path()));
}

TEST_F(UnsavedTest, DiscardClosesAndNothingIsOfferedNextTime) {
  ws::WorkstationWindow& w = open_and_edit();
  const fs::path journal = w.session().journal_path();
  auto seen = answer_next_message_box(QMessageBox::Discard);
  EXPECT_TRUE(w.close());
  EXPECT_TRUE(seen->seen);
  EXPECT_FALSE(fs::exists(journal));
  window_.reset();
  auto reopened = ws::open_workstation_session(sample_options());
  ASSERT_TRUE(reopened) << reopened.error().describe();
  EXPECT_FALSE((*reopened)->pending_recovery());
  EXPECT_FALSE((*reopened)->dirty());
}

TEST_F(UnsavedTest, SaveAfterSaveAsWritesTheLaterEditToTheSameFile) {
  ws::WorkstationWindow& w = open_and_edit();
  const fs::path doc = dir_ / "saved.pcanno.json";
  ASSERT_TRUE(w.save(doc));
  ASSERT_FALSE(w.session().dirty());
  // A second nudge after Save As is unsaved again, and the window knows it.
  QTest::keyClick(w.main_view(), Qt::Key_Right, Qt::AltModifier);
  ASSERT_TRUE(w.session().dirty());
  const formats::Annotations expected = w.session().document();
  auto seen = answer_next_message_box(QMessageBox::Save);
  EXPECT_TRUE(w.close());
  EXPECT_TRUE(seen->seen);
  const auto saved = formats::read_pcanno_document(doc);
  ASSERT_TRUE(saved) << saved.error().describe();
  EXPECT_EQ(formats::serialize_pcanno_document(*saved),
            formats::serialize_pcanno_document(expected));
  EXPECT_FALSE(fs::exists(plugin::journal_path_for(doc)));
}

TEST_F(UnsavedTest, ClosingWithoutEditsDoesNotAsk) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  auto seen = answer_next_message_box(QMessageBox::Cancel);
  EXPECT_TRUE(w.close());
  QTest::qWait(100);
  EXPECT_FALSE(seen->seen);
}

TEST_F(UnsavedTest, EditsLeftByAnEndedSessionAreOfferedAndRecovered) {
  std::string edited;
  {
    ws::WorkstationWindow& w = open_and_edit();
    edited = formats::serialize_pcanno_document(w.session().document());
    window_.reset();  // gone without asking, as in a crash
  }
  auto session = ws::open_workstation_session(sample_options());
  ASSERT_TRUE(session) << session.error().describe();
  ASSERT_TRUE((*session)->pending_recovery());
  EXPECT_EQ((*session)->pending_recovery()->edits, 1u);
  auto seen = answer_next_message_box(QMessageBox::NoButton, "Recover");
  const QString said = ws::resolve_pending_recovery(nullptr, **session);
  EXPECT_TRUE(seen->seen);
  EXPECT_EQ(seen->title, "Recover unsaved edits");
  EXPECT_EQ(said, "recovered 1 unsaved edit(s)");
  EXPECT_EQ(formats::serialize_pcanno_document((*session)->document()), edited);
  EXPECT_TRUE((*session)->dirty());
}

TEST_F(UnsavedTest, DiscardingTheOfferOpensTheDatasetsLabels) {
  std::string original;
  {
    ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
    original = formats::serialize_pcanno_document(w.session().document());
    w.select_track(0);
    QTest::keyClick(w.main_view(), Qt::Key_Right, Qt::AltModifier);
    window_.reset();
  }
  auto session = ws::open_workstation_session(sample_options());
  ASSERT_TRUE(session) << session.error().describe();
  auto seen = answer_next_message_box(QMessageBox::NoButton, "Discard");
  EXPECT_EQ(ws::resolve_pending_recovery(nullptr, **session), "discarded 1 unsaved edit(s)");
  EXPECT_EQ(formats::serialize_pcanno_document((*session)->document()), original);
  EXPECT_FALSE((*session)->dirty());
}

}  // namespace
}  // namespace pcanno::test
