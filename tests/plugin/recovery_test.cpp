// Sessions without a document journal to a recovery file keyed by the dataset and the labels
// they started from; reopening offers, recovers or discards what they left; saving moves the
// journal beside the document; two sessions never share a journal.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/command.hpp"
#include "pcanno/plugin/recovery.hpp"
#include "pcanno/plugin/session.hpp"
#include "session_text.hpp"
#include "temp_dir.hpp"

namespace pcanno::plugin {
namespace {

namespace fs = std::filesystem;
using formats::serialize_pcanno_document;
using test_support::mentions;
using test_support::text;

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "dataset");
    recovery_ = dir_ / "recovery";
  }

  /// A session without a document over labels holding one Car track (id 7) at frame 0.
  SessionOptions no_document(RecoveryPolicy policy = RecoveryPolicy::kRecover) const {
    SessionOptions o;
    o.sequence_options.name = "0001";
    o.labels = starting_labels();
    o.labels_source = "kitti-tracking:" + (dir_ / "dataset" / "0001.txt").string();
    o.journal_sync = JournalSync::kNone;
    o.recovery_folder = recovery_;
    o.recovery = policy;
    o.load_plugins = false;
    return o;
  }

  static formats::Annotations starting_labels() {
    formats::Annotations doc;
    formats::Track t;
    t.id = 7;
    t.label = "Car";
    formats::BoxState b;
    b.box = geometry::Cuboid::from_yaw({10.0, 2.0, -0.8}, {4.2, 1.8, 1.6}, 0.3);
    t.boxes.push_back(b);
    doc.tracks.push_back(t);
    return doc;
  }

  static std::unique_ptr<Session> open(const SessionOptions& o) {
    Expected<std::unique_ptr<Session>> s = Session::open(o);
    EXPECT_TRUE(s) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }

  static NewBox van(double x) {
    NewBox b;
    b.label = "Van";
    b.box = geometry::Cuboid::from_yaw({x, -3.0, -0.7}, {5.0, 2.0, 2.1}, -0.2);
    return b;
  }

  test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  fs::path recovery_;
};

TEST_F(RecoveryTest, ASessionWithoutADocumentJournalsInTheRecoveryFolder) {
  auto s = open(no_document());
  ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
  EXPECT_EQ(s->journal_path().parent_path(), recovery_);
  ASSERT_TRUE(fs::exists(s->journal_path()));
  Expected<JournalContents> contents = Journal::read(s->journal_path());
  ASSERT_TRUE(contents) << contents.error().describe();
  EXPECT_EQ(contents->entries.size(), 1u);
  // Pinned to the starting labels' bytes, not "none": other labels must not take these edits.
  formats::Annotations start = starting_labels();
  start.normalize();
  EXPECT_EQ(contents->base, content_hash(serialize_pcanno_document(start)));
}

TEST_F(RecoveryTest, ReopeningTheSameDatasetAndLabelsRecoversTheEdits) {
  std::string expected;
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
    ASSERT_TRUE(s->apply(set_class(s->document(), 7, "Truck")));
    expected = text(*s);
  }  // gone without saving, as in a crash
  auto s = open(no_document());
  EXPECT_EQ(text(*s), expected);
  EXPECT_TRUE(s->dirty());
  EXPECT_TRUE(mentions(s->warnings(), "recovered 2 unsaved edit(s)"));
  // The recovered session keeps journaling to the same file.
  ASSERT_TRUE(s->apply(create_track(s->document(), van(30.0))));
  expected = text(*s);
  s.reset();
  EXPECT_EQ(text(*open(no_document())), expected);
}

TEST_F(RecoveryTest, OfferWaitsForTheHostsDecisionAndRefusesEditsMeanwhile) {
  std::string edited;
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
    edited = text(*s);
  }
  auto s = open(no_document(RecoveryPolicy::kOffer));
  ASSERT_TRUE(s->pending_recovery());
  EXPECT_EQ(s->pending_recovery()->edits, 1u);
  EXPECT_EQ(s->pending_recovery()->journal, s->journal_path());
  EXPECT_GT(s->pending_recovery()->modified_unix_s, 1700000000);  // a real time, after 2023
  EXPECT_EQ(s->document().tracks.size(), 1u);                     // the starting labels only
  EXPECT_FALSE(s->dirty());
  // An edit or a save now would overwrite the pending journal.
  EXPECT_FALSE(s->apply(create_track(s->document(), van(40.0))));
  EXPECT_FALSE(s->save(dir_ / "doc.json"));
  EXPECT_FALSE(fs::exists(dir_ / "doc.json"));
  ASSERT_TRUE(s->recover());
  EXPECT_FALSE(s->pending_recovery());
  EXPECT_EQ(text(*s), edited);
  EXPECT_TRUE(s->dirty());
  EXPECT_TRUE(s->apply(create_track(s->document(), van(40.0))));
}

TEST_F(RecoveryTest, DiscardingKeepsTheJournalAsideAndOpensTheSavedState) {
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
  }
  {
    auto s = open(no_document(RecoveryPolicy::kOffer));
    ASSERT_TRUE(s->pending_recovery());
    const fs::path journal = s->journal_path();
    ASSERT_TRUE(s->discard_recovery());
    EXPECT_EQ(s->document().tracks.size(), 1u);
    EXPECT_TRUE(fs::exists(fs::path(journal.string() + ".discarded")));
    // In its place, a fresh journal of the saved state that this session holds.
    Expected<JournalContents> fresh = Journal::read(journal);
    ASSERT_TRUE(fresh) << fresh.error().describe();
    EXPECT_TRUE(fresh->entries.empty());
    EXPECT_TRUE(s->apply(create_track(s->document(), van(30.0))));
  }
  // The policy on open does the same; the second set-aside does not overwrite the first.
  auto s = open(no_document(RecoveryPolicy::kDiscard));
  EXPECT_EQ(s->document().tracks.size(), 1u);
  EXPECT_TRUE(mentions(s->warnings(), "discarded 1 unsaved edit(s)"));
  EXPECT_TRUE(fs::exists(fs::path(s->journal_path().string() + ".discarded-2")));
  s.reset();
  EXPECT_FALSE(open(no_document(RecoveryPolicy::kOffer))->pending_recovery());
}

TEST_F(RecoveryTest, OtherLabelsOrAnotherSequenceDoNotSeeTheEdits) {
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
  }
  SessionOptions other_labels = no_document();
  other_labels.labels_source = "openlabel:" + (dir_ / "dataset" / "0001.json").string();
  EXPECT_EQ(open(other_labels)->document().tracks.size(), 1u);
  SessionOptions other_sequence = no_document();
  other_sequence.sequence_options.name = "0002";
  EXPECT_EQ(open(other_sequence)->document().tracks.size(), 1u);
  // The original key still has them.
  EXPECT_EQ(open(no_document())->document().tracks.size(), 2u);
}

TEST_F(RecoveryTest, EditsMadeOnLabelsThatHaveChangedSinceAreSetAsideAsStale) {
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
  }
  SessionOptions changed = no_document();
  changed.labels->tracks.front().label = "Van";  // the labels file was edited meanwhile
  auto s = open(changed);
  EXPECT_EQ(s->document().tracks.size(), 1u);
  EXPECT_FALSE(s->dirty());
  EXPECT_TRUE(mentions(s->warnings(), "does not belong to this version of the labels"));
  EXPECT_TRUE(fs::exists(fs::path(s->journal_path().string() + ".stale")));
}

TEST_F(RecoveryTest, SaveAsMovesTheJournalBesideTheDocument) {
  const fs::path doc = dir_ / "labels.pcanno.json";
  fs::path recovery_journal;
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
    recovery_journal = s->journal_path();
    ASSERT_TRUE(s->save(doc));
    EXPECT_FALSE(fs::exists(recovery_journal));
    EXPECT_FALSE(s->dirty());
    // An edit after Save As is unsaved again, and journaled beside the new document.
    ASSERT_TRUE(s->apply(create_track(s->document(), van(30.0))));
    EXPECT_TRUE(s->dirty());
    EXPECT_EQ(s->journal_path(), journal_path_for(doc));
    EXPECT_TRUE(fs::exists(journal_path_for(doc)));
  }  // abandoned without saving
  EXPECT_FALSE(fs::exists(recovery_journal));
  SessionOptions reopen;
  reopen.document = doc;
  reopen.load_plugins = false;
  auto s = open(reopen);
  ASSERT_EQ(s->document().tracks.size(), 3u);
  EXPECT_TRUE(s->dirty());
  EXPECT_TRUE(mentions(s->warnings(), "recovered 1 unsaved edit(s)"));
}

TEST_F(RecoveryTest, TwoSessionsOnTheSameDatasetJournalApart) {
  auto first = open(no_document());
  auto second = open(no_document());
  ASSERT_NE(first->journal_path(), second->journal_path());
  ASSERT_TRUE(first->apply(create_track(first->document(), van(20.0))));
  ASSERT_TRUE(second->apply(create_track(second->document(), van(30.0))));
  ASSERT_TRUE(second->apply(create_track(second->document(), van(40.0))));
  const std::string first_text = text(*first);
  const std::string second_text = text(*second);
  first.reset();
  second.reset();
  // Each reopening takes the next journal nobody holds.
  auto a = open(no_document());
  auto b = open(no_document());
  EXPECT_EQ(text(*a), first_text);
  EXPECT_EQ(text(*b), second_text);
}

TEST_F(RecoveryTest, ADocumentOpenInAnotherSessionIsRefused) {
  SessionOptions o;
  o.document = dir_ / "doc.json";
  o.journal_sync = JournalSync::kNone;
  o.load_plugins = false;
  auto first = open(o);
  ASSERT_TRUE(first->apply(create_track(first->document(), van(20.0))));
  Expected<std::unique_ptr<Session>> second = Session::open(o);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, formats::ErrorCode::kPermission);
  EXPECT_NE(second.error().describe().find("open in another pcanno session"), std::string::npos)
      << second.error().describe();
  first.reset();
  EXPECT_TRUE(Session::open(o));  // the lock went with the first session
}

TEST_F(RecoveryTest, ClosingWithoutEditsLeavesNoJournal) {
  fs::path journal;
  {
    auto s = open(no_document());
    journal = s->journal_path();
    EXPECT_TRUE(fs::exists(journal));  // held from the start, so a second session takes slot 2
  }
  EXPECT_FALSE(fs::exists(journal));
  EXPECT_TRUE(fs::is_empty(recovery_));
}

TEST_F(RecoveryTest, AbandonDropsTheUnsavedEditsForGood) {
  {
    auto s = open(no_document());
    ASSERT_TRUE(s->apply(create_track(s->document(), van(20.0))));
    ASSERT_TRUE(s->abandon());
    EXPECT_FALSE(fs::exists(s->journal_path()));
    EXPECT_FALSE(s->apply(create_track(s->document(), van(30.0))));
  }
  auto s = open(no_document(RecoveryPolicy::kOffer));
  EXPECT_FALSE(s->pending_recovery());
  EXPECT_EQ(s->document().tracks.size(), 1u);
}

TEST_F(RecoveryTest, TheDefaultFolderFollowsXdgStateHome) {
  const char* old = std::getenv("XDG_STATE_HOME");
  const std::string saved = old ? old : "";
  ::setenv("XDG_STATE_HOME", (dir_ / "state").c_str(), 1);
  EXPECT_EQ(default_recovery_folder(), dir_ / "state" / "pcanno" / "recovery");
  // A relative value is invalid by the XDG spec and ignored.
  ::setenv("XDG_STATE_HOME", "relative/state", 1);
  EXPECT_NE(default_recovery_folder().string().find(".local/state/pcanno/recovery"),
            std::string::npos);
  if (old) {
    ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("XDG_STATE_HOME");
  }
}

TEST_F(RecoveryTest, TheJournalNameShowsTheDatasetAndDiffersByKey) {
  const fs::path a = recovery_journal_path(recovery_, dir_ / "dataset", "0001", "x:labels.txt");
  EXPECT_EQ(a.parent_path(), recovery_);
  EXPECT_EQ(a.filename().string().rfind("dataset_0001-", 0), 0u) << a;
  EXPECT_EQ(a.extension(), ".journal");
  EXPECT_NE(a, recovery_journal_path(recovery_, dir_ / "dataset", "0001", "x:other.txt"));
  EXPECT_NE(a, recovery_journal_path(recovery_, dir_ / "dataset", "0002", "x:labels.txt"));
  EXPECT_NE(a, recovery_journal_path(recovery_, dir_ / "dataset", "0001", "x:labels.txt", 2));
  // The same dataset spelled differently is the same key.
  EXPECT_EQ(a, recovery_journal_path(recovery_, dir_ / "dataset" / ".." / "dataset", "0001",
                                     "x:labels.txt"));
}

}  // namespace
}  // namespace pcanno::plugin
