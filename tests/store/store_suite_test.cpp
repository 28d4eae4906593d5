// The store's behaviour, the same on every backend: each case runs on SQLite and on PostgreSQL.
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/store/open_store.hpp"
#include "store_suite.hpp"

namespace pcanno::test {
namespace {

using formats::ErrorCode;
using store::TaskState;
using namespace std::chrono_literals;

std::vector<formats::DocumentEdit> add_box(std::int64_t frame, double x) {
  return {formats::BoxEdit{1, frame, box_at(frame, x)}};
}

TEST_P(StoreSuite, OpensWithTheCurrentSchemaAsThePersonNamed) {
  formats::Expected<int> version = alice_->schema_version();
  ASSERT_TRUE(version) << version.error().describe();
  EXPECT_EQ(*version, store::kStoreSchemaVersion);
  EXPECT_EQ(alice_->user(), "alice");
  EXPECT_EQ(alice_->backend(), GetParam());
  EXPECT_EQ(alice_->access_control(), GetParam() == "postgresql");
  formats::Expected<std::vector<store::User>> users = ada_->users();
  ASSERT_TRUE(users) << users.error().describe();
  std::map<std::string, store::Role> roles;
  for (const store::User& user : *users) {
    ASSERT_EQ(user.roles.size(), 1u) << user.name;
    roles[user.name] = user.roles[0];
  }
  EXPECT_EQ(roles.at("ada"), store::Role::kAdmin);
  EXPECT_EQ(roles.at("alice"), store::Role::kAnnotator);
  EXPECT_EQ(roles.at("rita"), store::Role::kReviewer);
  EXPECT_EQ(ada_->add_user("alice", store::Role::kReviewer, password_for("alice")).error().code,
            ErrorCode::kConflict);
}

TEST_P(StoreSuite, ProjectsAndSequencesAreNamedOnce) {
  EXPECT_EQ(ada_->create_project("city").error().code, ErrorCode::kConflict);
  formats::Expected<store::Project> found = ada_->project("city");
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_EQ(found->id, project_.id);
  EXPECT_EQ(found->created_by, "ada");
  EXPECT_EQ(ada_->project("nowhere").error().code, ErrorCode::kNotFound);

  store::SequenceRecord again = sequence_;
  again.uri = "/elsewhere";
  EXPECT_EQ(ada_->add_sequence(again).error().code, ErrorCode::kConflict);
  store::SequenceRecord second = sequence_;
  second.name = "0001";
  second.labels_uri = "kitti-tracking:/labels/0001.txt";
  ASSERT_TRUE(ada_->add_sequence(second));
  formats::Expected<std::vector<store::SequenceRecord>> listed = ada_->sequences(project_.id);
  ASSERT_TRUE(listed) << listed.error().describe();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "0000");
  EXPECT_EQ((*listed)[0].uri, "/data/kitti/tracking/training");
  EXPECT_EQ((*listed)[0].frame_count, 10);
  EXPECT_EQ((*listed)[1].labels_uri, "kitti-tracking:/labels/0001.txt");
}

TEST_P(StoreSuite, WorkflowRecordsWhoWhenAndWhy) {
  ASSERT_TRUE(alice_->transition(task_.id, TaskState::kInProgress, ""));
  ASSERT_TRUE(alice_->transition(task_.id, TaskState::kSubmitted, "done"));
  ASSERT_TRUE(rita_->transition(task_.id, TaskState::kInReview, ""));
  formats::Expected<store::Task> no_reason = rita_->transition(task_.id, TaskState::kRejected, "");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);
  formats::Expected<store::Task> rejected =
      rita_->transition(task_.id, TaskState::kRejected, "car 3 is missing at frames 4-6");
  ASSERT_TRUE(rejected) << rejected.error().describe();
  EXPECT_EQ(rejected->state, TaskState::kRejected);

  formats::Expected<store::Task> skip = alice_->transition(task_.id, TaskState::kAccepted, "");
  ASSERT_FALSE(skip);
  EXPECT_NE(skip.error().code, ErrorCode::kIo);
  ASSERT_TRUE(alice_->transition(task_.id, TaskState::kInProgress, "fixing"));

  formats::Expected<std::vector<store::TaskEvent>> events = ada_->task_events(task_.id);
  ASSERT_TRUE(events) << events.error().describe();
  struct Expect {
    std::optional<TaskState> from;
    TaskState to;
    const char* who;
    const char* reason;
  };
  const std::vector<Expect> expected = {
      {std::nullopt, TaskState::kNew, "ada", "created"},
      {TaskState::kNew, TaskState::kNew, "ada", "assigned to alice"},
      {TaskState::kNew, TaskState::kInProgress, "alice", ""},
      {TaskState::kInProgress, TaskState::kSubmitted, "alice", "done"},
      {TaskState::kSubmitted, TaskState::kInReview, "rita", ""},
      {TaskState::kInReview, TaskState::kRejected, "rita", "car 3 is missing at frames 4-6"},
      {TaskState::kRejected, TaskState::kInProgress, "alice", "fixing"},
  };
  ASSERT_EQ(events->size(), expected.size());
  std::int64_t previous_at = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const store::TaskEvent& event = (*events)[i];
    EXPECT_EQ(event.from, expected[i].from) << i;
    EXPECT_EQ(event.to, expected[i].to) << i;
    EXPECT_EQ(event.who, expected[i].who) << i;
    EXPECT_EQ(event.reason, expected[i].reason) << i;
    EXPECT_GE(event.at_us, previous_at) << i;
    previous_at = event.at_us;
  }
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_LT(std::abs(now - previous_at), 60 * 1000000) << "event times are the server's clock";
}

TEST_P(StoreSuite, AMoveTheWorkflowForbidsIsAConflictNamingTheStates) {
  formats::Expected<store::Task> early = ada_->transition(task_.id, TaskState::kAccepted, "");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kConflict);
  EXPECT_NE(early.error().message.find("new"), std::string::npos) << early.error().message;
  EXPECT_NE(early.error().message.find("accepted"), std::string::npos) << early.error().message;
  EXPECT_EQ(ada_->transition(424242, TaskState::kInProgress, "").error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreSuite, AHeldLeaseIsRefusedNamingItsHolderAndGrantedAfterExpiry) {
  formats::Expected<store::Lease> held = alice_->acquire_lease(task_.id, 1500ms);
  ASSERT_TRUE(held) << held.error().describe();
  EXPECT_EQ(held->holder, "alice");
  formats::Expected<store::Lease> refused = ada_->acquire_lease(task_.id, 1500ms);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("alice"), std::string::npos) << refused.error().message;
  formats::Expected<store::Task> shown = ada_->task(task_.id);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->lease_holder, "alice");

  std::this_thread::sleep_for(1700ms);
  formats::Expected<store::Lease> taken = ada_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(taken) << taken.error().describe();
  EXPECT_NE(taken->token, held->token);
  // The lapsed holder learns who has the task now, and its writes are refused.
  formats::Expected<store::Lease> beat = alice_->heartbeat(*held, 60s);
  ASSERT_FALSE(beat);
  EXPECT_EQ(beat.error().code, ErrorCode::kConflict);
  EXPECT_NE(beat.error().message.find("ada"), std::string::npos) << beat.error().message;
  formats::Expected<std::int64_t> write =
      alice_->commit({task_.id, 0, held->token, "client-a", 1, add_box(1, 11.0)});
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kConflict);

  ASSERT_TRUE(ada_->release_lease(*taken));
  formats::Expected<store::Lease> again = alice_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(again) << again.error().describe();
  formats::Expected<store::Lease> renewed = alice_->heartbeat(*again, 120s);
  ASSERT_TRUE(renewed) << renewed.error().describe();
  EXPECT_GT(renewed->expires_at_us, again->expires_at_us);
}

TEST_P(StoreSuite, AStaleWriteIsAConflictNamingTheVersion) {
  formats::Expected<store::Lease> lease = alice_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(lease) << lease.error().describe();
  formats::Expected<std::int64_t> first =
      alice_->commit({task_.id, 0, lease->token, "client-a", 1, add_box(1, 11.0)});
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(*first, 1);
  formats::Expected<std::int64_t> stale =
      alice_->commit({task_.id, 0, lease->token, "client-a", 2, add_box(2, 12.0)});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_NE(stale.error().message.find("version 1"), std::string::npos) << stale.error().message;
  formats::Expected<std::vector<store::LabelCommit>> log = ada_->history(task_.id, 0);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 1u);
}

TEST_P(StoreSuite, LabelsAreFrozenWhileHandedInAndAfterAcceptance) {
  formats::Expected<store::Lease> lease = alice_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(lease) << lease.error().describe();
  ASSERT_TRUE(alice_->commit({task_.id, 0, lease->token, "client-a", 1, add_box(1, 11.0)}));
  ASSERT_TRUE(alice_->transition(task_.id, TaskState::kInProgress, ""));
  ASSERT_TRUE(alice_->transition(task_.id, TaskState::kSubmitted, ""));
  // The reviewer judges version 1: neither a commit nor a new lease may change it now.
  formats::Expected<std::int64_t> late =
      alice_->commit({task_.id, 1, lease->token, "client-a", 2, add_box(2, 12.0)});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_NE(late.error().message.find("submitted"), std::string::npos) << late.error().message;
  EXPECT_EQ(alice_->acquire_lease(task_.id, 60s).error().code, ErrorCode::kConflict);
  // A replay of what was stored before the hand-in is still answered.
  formats::Expected<std::int64_t> replay =
      alice_->commit({task_.id, 0, lease->token, "client-a", 1, add_box(1, 11.0)});
  ASSERT_TRUE(replay) << replay.error().describe();
  EXPECT_EQ(*replay, 1);

  ASSERT_TRUE(rita_->transition(task_.id, TaskState::kInReview, ""));
  ASSERT_TRUE(rita_->transition(task_.id, TaskState::kRejected, "box 1 is short"));
  formats::Expected<store::Lease> again = alice_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(again) << "a rejected task is editable again: " << again.error().describe();
  formats::Expected<std::int64_t> fixed =
      alice_->commit({task_.id, 1, again->token, "client-a", 2, add_box(2, 12.0)});
  ASSERT_TRUE(fixed) << fixed.error().describe();
  EXPECT_EQ(*fixed, 2);
}

TEST_P(StoreSuite, AReplayedCommitLandsOnce) {
  formats::Expected<store::Lease> lease = alice_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(lease);
  const store::CommitRequest request{task_.id, 0, lease->token, "client-a", 7, add_box(1, 11.0)};
  formats::Expected<std::int64_t> first = alice_->commit(request);
  ASSERT_TRUE(first) << first.error().describe();
  formats::Expected<std::int64_t> replay = alice_->commit(request);
  ASSERT_TRUE(replay) << replay.error().describe();
  EXPECT_EQ(*replay, *first);
  formats::Expected<std::vector<store::LabelCommit>> log = ada_->history(task_.id, 0);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].client_seq, 7);
  EXPECT_EQ((*log)[0].author, "alice");
}

TEST_P(StoreSuite, LabelsAreTheSnapshotPlusTheLogBitForBit) {
  formats::Expected<store::Lease> lease = alice_->acquire_lease(task_.id, 60s);
  ASSERT_TRUE(lease);
  // The expected document is built here by the engine's own edit application, independently of
  // the store's snapshot and log.
  formats::Annotations expected = one_box_document(10);
  std::int64_t version = 0;
  const double xs[] = {11.000000000000002, -7.1e-17, 1e300, 3.14159265358979};
  for (std::int64_t frame = 1; frame <= 4; ++frame) {
    const std::vector<formats::DocumentEdit> edits = add_box(frame, xs[frame - 1]);
    ASSERT_TRUE(formats::apply_edits(expected, edits));
    formats::Expected<std::int64_t> next =
        alice_->commit({task_.id, version, lease->token, "client-a", frame, edits});
    ASSERT_TRUE(next) << next.error().describe();
    version = *next;
    if (frame == 2) {
      ASSERT_TRUE(ada_->put_snapshot(task_.id, version, expected));  // compaction: an admin's
    }
  }
  EXPECT_EQ(ada_->put_snapshot(task_.id, version + 5, expected).error().code,
            ErrorCode::kInvalidArgument);
  formats::Expected<store::Snapshot> snapshot = alice_->snapshot(task_.id, 3);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->version, 2);

  formats::Expected<store::TaskLabels> loaded = rita_->labels(task_.id);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(loaded->version, 4);
  EXPECT_EQ(formats::serialize_pcanno_document(loaded->document),
            formats::serialize_pcanno_document(expected));

  formats::Expected<std::vector<store::LabelCommit>> tail = ada_->history(task_.id, 2);
  ASSERT_TRUE(tail);
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[0].version, 3);
  EXPECT_EQ(formats::serialize_edits((*tail)[1].edits),
            formats::serialize_edits(add_box(4, xs[3])));
}

TEST_P(StoreSuite, CommentsArePinnedAndResolved) {
  store::Comment comment;
  comment.task_id = task_.id;
  comment.track_id = 1;
  comment.frame = 3;
  comment.x = 12.345678901234567;
  comment.y = -4.0;
  comment.z = 0.25;
  comment.text = "box too long";
  comment.author = "someone else";  // the store sets the author from the connection
  formats::Expected<store::Comment> stored = rita_->add_comment(comment);
  ASSERT_TRUE(stored) << stored.error().describe();
  EXPECT_EQ(stored->author, "rita");
  store::Comment free_comment = comment;
  free_comment.track_id.reset();
  free_comment.text = "curb missing here";
  ASSERT_TRUE(rita_->add_comment(free_comment));

  formats::Expected<std::vector<store::Comment>> seen = alice_->comments(task_.id);
  ASSERT_TRUE(seen) << seen.error().describe();
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ((*seen)[0].track_id, 1);
  EXPECT_EQ((*seen)[0].frame, 3);
  EXPECT_EQ((*seen)[0].x, 12.345678901234567);
  EXPECT_EQ((*seen)[0].text, "box too long");
  EXPECT_FALSE((*seen)[0].resolved);
  EXPECT_FALSE((*seen)[1].track_id.has_value());

  ASSERT_TRUE(rita_->resolve_comment(stored->id, true));
  seen = alice_->comments(task_.id);
  ASSERT_TRUE(seen);
  EXPECT_TRUE((*seen)[0].resolved);
  EXPECT_FALSE((*seen)[1].resolved);
}

TEST_P(StoreSuite, AChangeWakesAWaiter) {
  formats::Expected<std::int64_t> mark = ada_->change_mark();
  ASSERT_TRUE(mark) << mark.error().describe();
  formats::Expected<bool> quiet = ada_->wait_for_change(*mark, 100ms);
  ASSERT_TRUE(quiet);
  EXPECT_FALSE(*quiet);
  std::thread writer([&] {
    std::this_thread::sleep_for(200ms);
    (void)rita_->add_comment({0, task_.id, std::nullopt, 0, 0, 0, 0, "", 0, "look here", false});
  });
  formats::Expected<bool> woke = ada_->wait_for_change(*mark, 20s);
  writer.join();
  ASSERT_TRUE(woke) << woke.error().describe();
  EXPECT_TRUE(*woke);
  formats::Expected<std::int64_t> later = ada_->change_mark();
  ASSERT_TRUE(later);
  EXPECT_GT(*later, *mark);
}

TEST_P(StoreSuite, TasksFilterByAssigneeAndState) {
  formats::Expected<store::Task> second =
      ada_->create_task({sequence_.id, 10, 19, store::kBoxes | store::kPolylines, std::nullopt});
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->label_kinds, store::kBoxes | store::kPolylines);
  ASSERT_TRUE(ada_->assign(second->id, "bob"));
  formats::Expected<std::vector<store::Task>> bobs =
      ada_->tasks({std::nullopt, "bob", std::nullopt});
  ASSERT_TRUE(bobs);
  ASSERT_EQ(bobs->size(), 1u);
  EXPECT_EQ((*bobs)[0].id, second->id);
  EXPECT_EQ((*bobs)[0].first_frame, 10);
  formats::Expected<std::vector<store::Task>> fresh =
      ada_->tasks({project_.id, std::nullopt, TaskState::kNew});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->size(), 2u);
  formats::Expected<store::TaskLabels> empty = ada_->labels(second->id);
  ASSERT_TRUE(empty) << empty.error().describe();
  EXPECT_TRUE(empty->document.tracks.empty());
  EXPECT_EQ(ada_->create_task({sequence_.id, 5, 4, store::kBoxes, std::nullopt}).error().code,
            ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSuite, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace pcanno::test
