#include "pcanno/plugin/journal.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/session.hpp"
#include "session_text.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::serialize_pcanno_document;
using test_support::mentions;
using test_support::text;

/// A fresh folder per test, removed afterwards.
class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = dir_ / "doc.json";
    journal_ = journal_path_for(doc_);
  }

  std::unique_ptr<Session> open() {
    SessionOptions options;
    options.document = doc_;
    options.journal_sync = JournalSync::kNone;  // process-level tests; fsync adds nothing
    options.load_plugins = false;
    Expected<std::unique_ptr<Session>> s = Session::open(options);
    EXPECT_TRUE(s) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }

  static NewBox car(std::int64_t frame, double x) {
    NewBox b;
    b.frame = frame;
    b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(x, 1.0, -0.5),
                                       Eigen::Vector3d(4.0, 1.8, 1.5), 0.1 * x);
    return b;
  }

  /// Applies three edits: create track 0, move it, create track 1. Returns the text after each.
  static std::vector<std::string> three_edits(Session& s) {
    std::vector<std::string> texts;
    EXPECT_TRUE(s.apply(create_track(s.document(), car(0, 1.0))));
    texts.push_back(serialize_pcanno_document(s.document()));
    geometry::Cuboid moved = s.document().tracks[0].boxes[0].box;
    moved.center.x() += 2.5;
    EXPECT_TRUE(s.apply(modify_box(s.document(), 0, 0, moved)));
    texts.push_back(serialize_pcanno_document(s.document()));
    EXPECT_TRUE(s.apply(create_track(s.document(), car(3, 7.0))));
    texts.push_back(serialize_pcanno_document(s.document()));
    return texts;
  }

  static std::string read(const fs::path& p) { return test::slurp(p); }
  static void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }

  test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  fs::path doc_;
  fs::path journal_;
};

TEST_F(JournalTest, ReopenReplaysUnsavedEditsAfterASave) {
  std::string expected;
  {
    auto s = open();
    ASSERT_TRUE(s->apply(create_track(s->document(), car(0, 1.0))));
    ASSERT_TRUE(s->save());
    expected = three_edits(*s).back();
  }  // closed without saving, as a crash would
  auto s = open();
  EXPECT_EQ(text(*s), expected);
  EXPECT_TRUE(s->dirty());
  EXPECT_TRUE(mentions(s->warnings(), "recovered 3 unsaved edit(s)"));
  EXPECT_FALSE(s->can_undo());  // the undo history is not part of the journal
}

TEST_F(JournalTest, AJournalOfANeverSavedDocumentIsReplayed) {
  std::string expected;
  {
    auto s = open();
    expected = three_edits(*s).back();
  }
  ASSERT_FALSE(fs::exists(doc_));
  Expected<JournalContents> contents = Journal::read(journal_);
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->base, "none");
  EXPECT_EQ(contents->entries.size(), 3u);
  auto s = open();
  EXPECT_EQ(text(*s), expected);
  EXPECT_TRUE(mentions(s->warnings(), "recovered 3"));
}

TEST_F(JournalTest, SaveClearsTheJournal) {
  auto s = open();
  three_edits(*s);
  ASSERT_TRUE(fs::exists(journal_));
  ASSERT_TRUE(s->save());
  EXPECT_FALSE(fs::exists(journal_));
  // The next edit starts a journal for the saved bytes.
  ASSERT_TRUE(s->apply(set_class(s->document(), 0, "Van")));
  Expected<JournalContents> contents = Journal::read(journal_);
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->base, content_hash(read(doc_)));
  EXPECT_EQ(contents->entries.size(), 1u);
  ASSERT_TRUE(s->save());
  s.reset();
  auto reopened = open();
  EXPECT_TRUE(reopened->warnings().empty());
  EXPECT_FALSE(reopened->dirty());
  EXPECT_EQ(reopened->document().track(0)->label, "Van");
}

TEST_F(JournalTest, ATornLastLineIsDroppedAndTheJournalContinuesAfterIt) {
  std::vector<std::string> texts;
  {
    auto s = open();
    texts = three_edits(*s);
  }
  // A crash in the middle of the third append: its line lacks the end.
  const std::string bytes = read(journal_);
  ASSERT_EQ(bytes.back(), '\n');
  const std::size_t third = bytes.rfind('\n', bytes.size() - 2) + 1;
  write(journal_, bytes.substr(0, third + (bytes.size() - third) / 2));
  {
    auto s = open();
    EXPECT_EQ(text(*s), texts[1]);
    EXPECT_TRUE(mentions(s->warnings(), "recovered 2"));
    EXPECT_TRUE(mentions(s->warnings(), "cut off by a crash"));
    EXPECT_EQ(read(journal_), bytes.substr(0, third));  // the torn tail is gone
    ASSERT_TRUE(s->apply(set_class(s->document(), 0, "Truck")));
    texts.push_back(text(*s));
  }
  auto s = open();
  EXPECT_EQ(text(*s), texts.back());
  EXPECT_TRUE(mentions(s->warnings(), "recovered 3"));
  EXPECT_FALSE(mentions(s->warnings(), "cut off"));
}

TEST_F(JournalTest, ALastLineWithABadChecksumIsDroppedQuietly) {
  std::vector<std::string> texts;
  {
    auto s = open();
    texts = three_edits(*s);
  }
  std::string bytes = read(journal_);
  bytes[bytes.size() - 3] ^= 0x01;  // inside the last entry's JSON
  write(journal_, bytes);
  auto s = open();
  EXPECT_EQ(text(*s), texts[1]);
  EXPECT_TRUE(mentions(s->warnings(), "never acknowledged"));
  EXPECT_FALSE(fs::exists(fs::path(journal_.string() + ".damaged")));
}

TEST_F(JournalTest, ABadChecksumInTheMiddleKeepsTheEntriesBeforeItAndSetsTheJournalAside) {
  std::vector<std::string> texts;
  {
    auto s = open();
    texts = three_edits(*s);
  }
  std::string bytes = read(journal_);
  const std::size_t second = bytes.find('\n', bytes.find('\n') + 1) + 1;
  bytes[second + 20] = bytes[second + 20] == '7' ? '8' : '7';  // in the second entry's JSON
  write(journal_, bytes);
  const fs::path aside(journal_.string() + ".damaged");
  {
    auto s = open();
    EXPECT_EQ(text(*s), texts[0]);
    EXPECT_TRUE(mentions(s->warnings(), "recovered 1"));
    EXPECT_TRUE(mentions(s->warnings(), "checksum mismatch"));
    EXPECT_TRUE(mentions(s->warnings(), "is damaged; it was kept as " + aside.string()));
    EXPECT_EQ(read(aside), bytes);  // kept verbatim for inspection
    // A fresh journal holds what was recovered, so a second crash loses nothing either.
    Expected<JournalContents> fresh = Journal::read(journal_);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->entries.size(), 1u);
    EXPECT_FALSE(fresh->damaged);
  }
  auto s = open();
  EXPECT_EQ(text(*s), texts[0]);
  EXPECT_FALSE(mentions(s->warnings(), "damaged"));
  EXPECT_TRUE(fs::exists(aside));  // not overwritten by the second open
}

TEST_F(JournalTest, AJournalForAnotherVersionOfTheDocumentIsSetAsideAsStale) {
  std::string saved;
  {
    auto s = open();
    ASSERT_TRUE(s->apply(create_track(s->document(), car(0, 1.0))));
    ASSERT_TRUE(s->save());
    ASSERT_TRUE(s->apply(set_class(s->document(), 0, "Van")));
    // A crash between writing the document and clearing the journal: the document already holds
    // the journaled edit, so replaying it would be wrong (and could fail).
    const std::string old_journal = read(journal_);
    ASSERT_TRUE(s->save());
    saved = read(doc_);
    write(journal_, old_journal);
  }
  auto s = open();
  EXPECT_EQ(text(*s), saved);
  EXPECT_FALSE(s->dirty());
  EXPECT_TRUE(mentions(s->warnings(), "does not belong to this version of the document"));
  const fs::path aside(journal_.string() + ".stale");
  EXPECT_TRUE(fs::exists(aside));
  EXPECT_FALSE(fs::exists(journal_));
}

TEST_F(JournalTest, AJournalOfANeverSavedDocumentIsStaleOnceTheDocumentExists) {
  {
    auto s = open();
    three_edits(*s);
  }
  // Someone else wrote the document meanwhile.
  ASSERT_TRUE(formats::write_pcanno_document(formats::Annotations{}, doc_, false));
  auto s = open();
  EXPECT_TRUE(s->document().tracks.empty());
  EXPECT_TRUE(fs::exists(fs::path(journal_.string() + ".stale")));
}

TEST_F(JournalTest, AnEmptyJournalFromACrashWhileCreatingItIsSetAside) {
  {
    auto s = open();
    ASSERT_TRUE(s->apply(create_track(s->document(), car(0, 1.0))));
    ASSERT_TRUE(s->save());
  }
  const std::string saved = read(doc_);
  write(journal_, "");
  auto s = open();
  EXPECT_EQ(text(*s), saved);
  EXPECT_TRUE(fs::exists(fs::path(journal_.string() + ".unreadable")));
  ASSERT_TRUE(s->apply(set_class(s->document(), 0, "Van")));  // journaling works again
  Expected<JournalContents> contents = Journal::read(journal_);
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->entries.size(), 1u);
}

}  // namespace
}  // namespace pcanno::plugin
