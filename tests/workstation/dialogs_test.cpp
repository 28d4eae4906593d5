// The real open, save-as and export dialogs, answered as a person would: choose the file type,
// select the file, press Save or Open. Then the files on disk are read back.
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QPushButton>
#include <QStatusBar>
#include <QTimer>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/formats/labels/kitti/codecs.hpp"
#include "workstation_fixture.hpp"

namespace pcanno::test {
namespace {

namespace fs = std::filesystem;

/// What happened to the next file dialog.
struct DialogAnswer {
  bool seen = false;
  QStringList filters;  ///< the file types it offered
};

/// Answers the next file dialog once it is up: picks the file type starting with `type` (when
/// not empty), selects `path` and presses Save or Open.
std::shared_ptr<DialogAnswer> answer_next_file_dialog(const QString& path,
                                                      const QString& type = {}) {
  auto answer = std::make_shared<DialogAnswer>();
  when_modal<QFileDialog>([answer, path, type](QFileDialog* dialog) {
    answer->seen = true;
    answer->filters = dialog->nameFilters();
    for (const QString& f : answer->filters) {
      if (!type.isEmpty() && f.startsWith(type)) dialog->selectNameFilter(f);
    }
    // The folder and name as the file list and the name field take them (typing into the field
    // leaves Save disabled until the dialog's asynchronous file model has caught up).
    dialog->selectFile(path);
    // The name field's completer may hold Return for itself: press the Save / Open button.
    auto* buttons = dialog->findChild<QDialogButtonBox*>("buttonBox");
    QPushButton* ok = nullptr;
    if (buttons) ok = buttons->button(QDialogButtonBox::Save);
    if (buttons && !ok) ok = buttons->button(QDialogButtonBox::Open);
    if (!ok) return dialog->reject();
    // The dialog enables it once its file system model has looked at the typed folder.
    if (!QTest::qWaitFor([ok] { return ok->isEnabled(); }, 3000)) return dialog->reject();
    QTest::mouseClick(ok, Qt::LeftButton);
  });
  return answer;
}

class DialogTest : public WorkstationTest {
 protected:
  static void SetUpTestSuite() {
    // Qt's own dialogs (the ones a desktop without a platform theme shows), which the test can
    // drive through their widgets.
    QApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
  }
};

TEST_F(DialogTest, SaveAsAddsTheDocumentSuffixToATypedName) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});  // the sample's labels, unsaved
  ASSERT_TRUE(w.session().document_path().empty());
  const auto answer = answer_next_file_dialog(QString::fromStdString((dir_ / "mine").string()));
  w.save_as_dialog();
  ASSERT_TRUE(answer->seen);
  const fs::path expected = dir_ / "mine.pcanno.json";
  ASSERT_TRUE(fs::exists(expected)) << "saved elsewhere";
  EXPECT_FALSE(fs::exists(dir_ / "mine"));
  EXPECT_EQ(w.session().document_path(), expected);
  EXPECT_FALSE(w.session().dirty());
  auto saved = formats::read_pcanno_document(expected);
  ASSERT_TRUE(saved) << saved.error().describe();
  EXPECT_EQ(saved->box_count(), w.session().document().box_count());

  // A name that already ends in .json is kept as typed.
  const auto again = answer_next_file_dialog(QString::fromStdString((dir_ / "b.json").string()));
  w.save_as_dialog();
  ASSERT_TRUE(again->seen);
  EXPECT_TRUE(fs::exists(dir_ / "b.json"));
}

TEST_F(DialogTest, ExportDialogOffersEveryWriterAndWritesTheChosenOne) {
  ws::WorkstationWindow& w = open(ws::WorkstationOptions{});
  const fs::path out = dir_ / "tracks.txt";
  const auto answer =
      answer_next_file_dialog(QString::fromStdString(out.string()), "kitti-tracking:");
  w.export_dialog();
  ASSERT_TRUE(answer->seen);
  ASSERT_TRUE(wait_for_job());  // the export runs as a job, with progress and Cancel
  for (const formats::LabelCodec& c : w.session().registry().codecs().codecs()) {
    if (!c.write) continue;
    EXPECT_GE(answer->filters.filter(QString::fromStdString(c.id + ":")).size(), 1) << c.id;
  }
  ASSERT_TRUE(fs::exists(out)) << w.statusBar()->currentMessage().toStdString();
  formats::LabelContext context;
  context.sequence = w.session().sequence();  // KITTI labels are in the camera frame
  auto back = formats::read_kitti_tracking_annotations(out, context);
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->box_count(), w.session().document().box_count());
}

TEST_F(DialogTest, OpenDialogDetectsTheFormat) {
  ws::WorkstationOptions options;
  options.document = dir_ / "empty.pcanno.json";  // a new, empty document
  ws::WorkstationWindow& w = open(options);
  ASSERT_EQ(w.session().document().box_count(), 0u);
  const fs::path labels = sample_ / "training/label_02/0000.txt";
  const auto answer = answer_next_file_dialog(QString::fromStdString(labels.string()));
  w.open_labels_dialog();
  ASSERT_TRUE(answer->seen);
  EXPECT_EQ(answer->filters.front(), "any format, detected (*)");
  EXPECT_EQ(w.session().document().tracks.size(), 3u);
  EXPECT_EQ(w.session().document().box_count(), 15u);
}

}  // namespace
}  // namespace pcanno::test
