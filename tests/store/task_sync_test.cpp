// The client side of a task on every backend: edits reach the store in order, survive a lost
// server, a lost acknowledgement and a killed client, and none lands twice.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "flaky_store.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/store/task_sync.hpp"
#include "store_suite.hpp"
#include "temp_dir.hpp"

namespace pcanno::test {
namespace {

using namespace std::chrono_literals;
using formats::ErrorCode;

std::vector<formats::DocumentEdit> move_box(std::int64_t frame, double x) {
  return {formats::BoxEdit{1, frame, box_at(frame, x)}};
}

class TaskSyncTest : public StoreSuite {
 protected:
  store::TaskSyncOptions options(const std::filesystem::path& outbox) const {
    store::TaskSyncOptions o;
    o.outbox = outbox;
    o.retry_min = 20ms;
    o.retry_max = 200ms;
    o.sync = plugin::JournalSync::kNone;  // process-level faults only: fsync adds nothing here
    return o;
  }

  /// The store's log of the task, checked to hold each of `client`'s sequence numbers once.
  std::set<std::int64_t> stored_sequences(const std::string& client) {
    formats::Expected<std::vector<store::LabelCommit>> log = ada_->history(task_.id, 0);
    EXPECT_TRUE(log) << log.error().describe();
    std::set<std::int64_t> seqs;
    if (!log) return seqs;
    for (const store::LabelCommit& commit : *log) {
      EXPECT_EQ(commit.client_id, client);
      EXPECT_TRUE(seqs.insert(commit.client_seq).second)
          << "sequence " << commit.client_seq << " stored twice";
    }
    return seqs;
  }

  std::string stored_document() {
    formats::Expected<store::TaskLabels> labels = ada_->labels(task_.id);
    EXPECT_TRUE(labels) << labels.error().describe();
    return labels ? formats::serialize_pcanno_document(labels->document) : "";
  }

  TempDir dir_{"pcanno_sync_"};
};

TEST_P(TaskSyncTest, PushedEditsReachTheStoreInOrder) {
  auto sync = store::TaskSync::open(open_as("alice"), task_.id, options(dir_.path() / "outbox"));
  ASSERT_TRUE(sync) << sync.error().describe();
  formats::Annotations expected = (*sync)->document();
  EXPECT_EQ(formats::serialize_pcanno_document(expected),
            formats::serialize_pcanno_document(one_box_document(10)));
  for (int i = 0; i < 30; ++i) {
    const auto edits = move_box(1 + i % 9, 0.5 * i);
    ASSERT_TRUE(formats::apply_edits(expected, edits));
    ASSERT_TRUE((*sync)->push(edits));
  }
  ASSERT_TRUE((*sync)->wait_synced(30s)) << (*sync)->status().message;
  EXPECT_EQ((*sync)->status().version, 30);
  EXPECT_EQ(stored_sequences((*sync)->client_id()).size(), 30u);
  EXPECT_EQ(stored_document(), formats::serialize_pcanno_document(expected));
  ASSERT_TRUE((*sync)->close(5s));
  formats::Expected<store::Task> after = ada_->task(task_.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->lease_holder, "") << "close() releases the lease";
}

TEST_P(TaskSyncTest, EditsWaitOutAnOutageAndALostAcknowledgementLandsOnce) {
  auto flaky = std::make_unique<FlakyStore>(open_as("alice"));
  FlakyStore* server = flaky.get();
  auto sync = store::TaskSync::open(std::move(flaky), task_.id, options(dir_.path() / "outbox"));
  ASSERT_TRUE(sync) << sync.error().describe();
  formats::Annotations expected = (*sync)->document();

  server->lose_acks = 2;  // the first two commits are stored, but the client never hears so
  for (int i = 0; i < 4; ++i) {
    const auto edits = move_box(1 + i, 20.0 + i);
    ASSERT_TRUE(formats::apply_edits(expected, edits));
    ASSERT_TRUE((*sync)->push(edits));
  }
  ASSERT_TRUE((*sync)->wait_synced(30s)) << (*sync)->status().message;

  server->down = true;
  for (int i = 0; i < 6; ++i) {
    const auto edits = move_box(5 + i % 4, 30.0 + i);
    ASSERT_TRUE(formats::apply_edits(expected, edits));
    ASSERT_TRUE((*sync)->push(edits));
  }
  EXPECT_FALSE((*sync)->wait_synced(300ms));
  EXPECT_EQ((*sync)->status().state, store::SyncState::kOffline);
  EXPECT_EQ((*sync)->status().pending, 6u);
  server->down = false;
  ASSERT_TRUE((*sync)->wait_synced(30s)) << (*sync)->status().message;

  EXPECT_GE(server->commits_reached.load(), 12) << "the two lost answers were retried";
  EXPECT_EQ(stored_sequences((*sync)->client_id()),
            (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(stored_document(), formats::serialize_pcanno_document(expected));
}

TEST_P(TaskSyncTest, AClientThatDiedReplaysItsOutboxOnTheNextOpen) {
  const std::filesystem::path outbox = dir_.path() / "outbox";
  formats::Annotations expected = one_box_document(10);
  std::string client;
  {
    auto flaky = std::make_unique<FlakyStore>(open_as("alice"));
    FlakyStore* server = flaky.get();
    auto sync = store::TaskSync::open(std::move(flaky), task_.id, options(outbox));
    ASSERT_TRUE(sync) << sync.error().describe();
    client = (*sync)->client_id();
    for (int i = 0; i < 2; ++i) {
      const auto edits = move_box(1 + i, 40.0 + i);
      ASSERT_TRUE(formats::apply_edits(expected, edits));
      ASSERT_TRUE((*sync)->push(edits));
    }
    ASSERT_TRUE((*sync)->wait_synced(30s));
    server->down = true;
    for (int i = 0; i < 3; ++i) {
      const auto edits = move_box(3 + i, 50.0 + i);
      ASSERT_TRUE(formats::apply_edits(expected, edits));
      ASSERT_TRUE((*sync)->push(edits));
    }
    // Gone without close(): the three edits are only in the outbox.
  }
  EXPECT_EQ(stored_sequences(client), (std::set<std::int64_t>{1, 2}));

  auto reopened = store::TaskSync::open(open_as("alice"), task_.id, options(outbox));
  ASSERT_TRUE(reopened) << reopened.error().describe();
  EXPECT_EQ((*reopened)->client_id(), client);
  EXPECT_EQ(formats::serialize_pcanno_document((*reopened)->document()),
            formats::serialize_pcanno_document(expected))
      << "the session starts from the store's labels plus the unsent edits";
  ASSERT_TRUE((*reopened)->wait_synced(30s)) << (*reopened)->status().message;
  EXPECT_EQ(stored_sequences(client), (std::set<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(stored_document(), formats::serialize_pcanno_document(expected));
}

TEST_P(TaskSyncTest, KillingTheClientLosesNoAcknowledgedEditAndDoublesNone) {
  const std::filesystem::path outbox = dir_.path() / "outbox";
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    // A new connection of the child's own; the parent's are never touched here.
    formats::Expected<std::unique_ptr<store::ProjectStore>> own = backend_->open_as("alice");
    if (!own) _exit(10);
    auto sync = store::TaskSync::open(std::move(*own), task_.id, options(outbox));
    if (!sync) _exit(11);
    (*sync)->set_listener([fd = acks[1]](const store::SyncStatus& status) {
      const std::string line = std::to_string(status.acknowledged) + "\n";
      (void)!write(fd, line.data(), line.size());
    });
    for (int i = 0;; ++i) {
      if (!(*sync)->push(move_box(1 + i % 9, 0.25 * i))) _exit(12);
      std::this_thread::sleep_for(2ms);
    }
  }
  close(acks[1]);
  FILE* reader = fdopen(acks[0], "r");
  ASSERT_NE(reader, nullptr);
  long acknowledged = 0;
  while (acknowledged < 25 && fscanf(reader, "%ld", &acknowledged) == 1) {
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  long last = acknowledged;
  while (fscanf(reader, "%ld", &last) == 1) acknowledged = std::max(acknowledged, last);
  fclose(reader);
  ASSERT_GE(acknowledged, 25) << "the child stopped early, status " << status;

  formats::Expected<plugin::JournalContents> left = plugin::Journal::read(outbox);
  ASSERT_TRUE(left) << left.error().describe();
  const std::string client = left->base.substr(0, left->base.rfind(':'));
  const std::set<std::int64_t> before = stored_sequences(client);
  for (std::int64_t seq = 1; seq <= acknowledged; ++seq) {
    EXPECT_TRUE(before.count(seq)) << "acknowledged edit " << seq << " is not in the store";
  }

  // The next open sends what the store did not have; every edit written to the outbox lands once.
  auto reopened = store::TaskSync::open(open_as("alice"), task_.id, options(outbox));
  ASSERT_TRUE(reopened) << reopened.error().describe();
  ASSERT_TRUE((*reopened)->wait_synced(30s)) << (*reopened)->status().message;
  const std::set<std::int64_t> after = stored_sequences(client);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(*after.begin(), 1);
  EXPECT_EQ(static_cast<std::int64_t>(after.size()), *after.rbegin()) << "no gaps";
  EXPECT_GE(*after.rbegin(), acknowledged);
  EXPECT_EQ(stored_document(), formats::serialize_pcanno_document((*reopened)->document()));
}

TEST_P(TaskSyncTest, ALeaseTakenByAnotherStopsSendingAndKeepsTheEdits) {
  store::TaskSyncOptions o = options(dir_.path() / "outbox");
  o.lease = 600ms;
  o.heartbeat = 60s;
  auto flaky = std::make_unique<FlakyStore>(open_as("alice"));
  FlakyStore* server = flaky.get();
  auto sync = store::TaskSync::open(std::move(flaky), task_.id, o);
  ASSERT_TRUE(sync) << sync.error().describe();
  server->down = true;
  ASSERT_TRUE((*sync)->push(move_box(2, 1.5)));
  std::this_thread::sleep_for(900ms);  // alice's lease lapses while she is offline
  formats::Expected<store::Lease> taken = ada_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(taken) << taken.error().describe();
  server->down = false;
  EXPECT_FALSE((*sync)->wait_synced(10s));
  const store::SyncStatus status = (*sync)->status();
  EXPECT_EQ(status.state, store::SyncState::kRefused);
  EXPECT_NE(status.message.find("ada"), std::string::npos) << status.message;
  formats::Status closed = (*sync)->close(100ms);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
  EXPECT_NE(closed.error().message.find("1 edit"), std::string::npos) << closed.error().message;
  formats::Expected<plugin::JournalContents> kept = plugin::Journal::read(o.outbox);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->entries.size(), 1u);
}

TEST_P(TaskSyncTest, ASessionAttachedPushesEditsUndoAndRedo) {
  auto sync = store::TaskSync::open(open_as("alice"), task_.id, options(dir_.path() / "outbox"));
  ASSERT_TRUE(sync) << sync.error().describe();
  std::unique_ptr<plugin::Session> session = plugin::Session::create((*sync)->document());
  (*sync)->attach(*session);
  ASSERT_TRUE(session->apply(plugin::Command{"move", move_box(3, 7.75)}));
  ASSERT_TRUE(session->apply(plugin::Command{"move", move_box(4, 8.75)}));
  ASSERT_TRUE(session->undo());
  ASSERT_TRUE(session->redo());
  ASSERT_TRUE(session->undo());
  ASSERT_TRUE((*sync)->wait_synced(30s)) << (*sync)->status().message;
  EXPECT_EQ(stored_sequences((*sync)->client_id()).size(), 5u);
  EXPECT_EQ(stored_document(), formats::serialize_pcanno_document(session->document()));
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskSyncTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace pcanno::test
