// PostgreSQL only, past the client: plain SQL as the people themselves meets the rules the client
// follows, because the database checks them on the rows (grants, policies and triggers).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "postgres_security_fixture.hpp"

#ifdef PCANNO_STORE_POSTGRES
#include <pqxx/pqxx>

namespace pcanno::test {
namespace {

using store::TaskState;

// Plain SQL as the people themselves, past the client: what the client checks, the database
// checks again on the rows (schema_labels_v2.cpp, schema_workflow_v2.cpp), so psql cannot skip
// the lease, the version, the workflow or the audit.
class PostgresRawSql : public PostgresSecurity {
 protected:
  // Runs `sql` as `user` in its own transaction, after `setting` (a set_config call) when given;
  // the SQLSTATE it fails with, or "" when it succeeded.
  std::string run_as(const std::string& user, const std::string& sql,
                     const std::string& setting = "") {
    auto* postgres = dynamic_cast<PostgresBackend*>(backend_.get());
    if (postgres == nullptr) return "no backend";
    pqxx::connection connection(pg_user_url(user, postgres->database()));
    pqxx::work work(connection);
    try {
      if (!setting.empty()) work.exec(setting);
      work.exec(sql);
      work.commit();
      return "";
    } catch (const pqxx::sql_error& error) {
      // libpqxx 6 leaves sqlstate() empty on the exceptions it gives a class of their own.
      if (dynamic_cast<const pqxx::insufficient_privilege*>(&error)) return "42501";
      return error.sqlstate().empty() ? std::string("no SQLSTATE: ") + error.what()
                                      : error.sqlstate();
    }
  }
  std::string commit_sql(std::int64_t version, const std::string& edits) const {
    return "INSERT INTO pcanno.label_commits (task_id, version, client_id, client_seq, edits,"
           " author, at) VALUES (" +
           std::to_string(alice_task_) + ", " + std::to_string(version) + ", 'psql', " +
           std::to_string(version) + ", '" + edits + "', 'bob', '2001-01-01')";
  }
  const std::string valid_edits_ = R"({"edits": []})";
};

TEST_F(PostgresRawSql, AnAssigneeCannotSkipTheLeaseTheVersionOrTheWorkflow) {
  const std::string task = std::to_string(alice_task_);
  // Snapshots are an admin's: an annotator may not write one, even for her own task.
  EXPECT_EQ(run_as("alice",
                   "INSERT INTO pcanno.label_snapshots (task_id, version, document)"
                   " VALUES (" +
                       task + ", 1, 'forged')"),
            "42501");
  EXPECT_EQ(run_as("alice",
                   "UPDATE pcanno.label_snapshots SET document = 'forged'"
                   " WHERE task_id = " +
                       task),
            "42501");
  auto alice_store = open("alice");
  ASSERT_TRUE(alice_store);
  auto compacted = alice_store->put_snapshot(alice_task_, 0, formats::Annotations{});
  ASSERT_FALSE(compacted);
  EXPECT_EQ(compacted.error().code, formats::ErrorCode::kPermission) << compacted.error().message;
  // The version counts commits; it does not move by hand, up or down.
  EXPECT_EQ(run_as("alice", "UPDATE pcanno.tasks SET version = 7 WHERE id = " + task), "42501");
  // No commit without the lease.
  EXPECT_EQ(run_as("alice", commit_sql(1, valid_edits_)), "42501");

  auto alice = open("alice");
  ASSERT_TRUE(alice);
  auto lease = alice->acquire_lease(alice_task_, std::chrono::minutes(5));
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_EQ(run_as("alice", commit_sql(5, valid_edits_)), "23514");          // not the next version
  EXPECT_EQ(run_as("alice", commit_sql(1, "not json")), "22P02");            // not JSON at all
  EXPECT_EQ(run_as("alice", commit_sql(1, R"({"x": 1})")), "23514");         // not an edit list
  EXPECT_EQ(run_as("alice", commit_sql(1, R"({"edits": [42]})")), "23514");  // not edits
  EXPECT_EQ(run_as("bob", commit_sql(1, valid_edits_)), "42501");            // not bob's task

  // The next version with a well-formed edit list lands, under her name and the server's clock,
  // and moves the version as a client commit would.
  EXPECT_EQ(run_as("alice", commit_sql(1, valid_edits_)), "");
  auto history = alice->history(alice_task_, 0);
  ASSERT_TRUE(history) << history.error().message;
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().author, "alice");
  EXPECT_GT(history->front().at_us, 1600000000LL * 1000000);  // not 2001
  auto after = alice->task(alice_task_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->version, 1);
  // A client commit goes on from there.
  store::CommitRequest next = commit_to(alice_task_, lease->token);
  next.base_version = 1;
  auto version = alice->commit(next);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, 2);

  // Handed in, the labels are frozen for psql too.
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kInProgress, ""));
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kSubmitted, ""));
  EXPECT_EQ(run_as("alice", commit_sql(3, valid_edits_)), "23514");
  auto frozen = ada_->task(alice_task_);
  ASSERT_TRUE(frozen);
  EXPECT_EQ(frozen->version, 2);
}

TEST_F(PostgresRawSql, TheAuditTrailIsWrittenByTheDatabaseOnly) {
  const std::string task = std::to_string(alice_task_);
  const std::string forged =
      "INSERT INTO pcanno.task_events (task_id, from_state, to_state, who,"
      " reason) VALUES (" +
      task + ", 'in_review', 'accepted', 'rita', 'ok')";
  for (const char* user : {"alice", "rita", "ada"}) {
    EXPECT_EQ(run_as(user, forged), "42501") << user;
  }
  // A move made in plain SQL is recorded all the same, with the person and the reason set for
  // the transaction; a rejection without a reason is refused.
  EXPECT_EQ(run_as("alice", "UPDATE pcanno.tasks SET state = 'in_progress' WHERE id = " + task,
                   "SELECT set_config('pcanno.reason', 'on it', true)"),
            "");
  auto alice = open("alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kSubmitted, "done"));
  auto rita = open("rita");
  ASSERT_TRUE(rita);
  ASSERT_TRUE(rita->transition(alice_task_, TaskState::kInReview, ""));
  const std::string reject = "UPDATE pcanno.tasks SET state = 'rejected' WHERE id = " + task;
  EXPECT_EQ(run_as("rita", reject), "23514");
  EXPECT_EQ(run_as("rita", reject, "SELECT set_config('pcanno.reason', 'box 7', true)"), "");

  auto events = ada_->task_events(alice_task_);
  ASSERT_TRUE(events) << events.error().message;
  std::vector<std::string> trail;
  for (const store::TaskEvent& event : *events) {
    trail.push_back(event.who + ":" + store::to_string(event.to) + ":" + event.reason);
  }
  EXPECT_EQ(trail, (std::vector<std::string>{"ada:new:created", "ada:new:assigned to alice",
                                             "alice:in_progress:on it", "alice:submitted:done",
                                             "rita:in_review:", "rita:rejected:box 7"}));
}

TEST_F(PostgresRawSql, IdsAndTimesOfCommentsAndTheFeedAreTheServers) {
  const std::string task = std::to_string(alice_task_);
  // A planted id would jam the change feed (every later change collides, or the mark stops).
  EXPECT_EQ(
      run_as("rita", "INSERT INTO pcanno.changes (id, kind) VALUES (9223372036854775807, 'x')"),
      "42501");
  EXPECT_EQ(run_as("rita",
                   "INSERT INTO pcanno.comments (id, task_id, frame, x, y, z, text)"
                   " VALUES (1000000, " +
                       task + ", 0, 0, 0, 0, 'hi')"),
            "42501");
  EXPECT_EQ(run_as("rita",
                   "INSERT INTO pcanno.comments (task_id, frame, x, y, z, text, author, at)"
                   " VALUES (" +
                       task + ", 0, 0, 0, 0, 'hi', 'ada', '2001-01-01')"),
            "42501");
  auto mark = ada_->change_mark();
  ASSERT_TRUE(mark);
  EXPECT_EQ(run_as("rita",
                   "INSERT INTO pcanno.comments (task_id, frame, x, y, z, text)"
                   " VALUES (" +
                       task + ", 0, 0, 0, 0, 'hi')"),
            "");
  auto comments = ada_->comments(alice_task_);
  ASSERT_TRUE(comments) << comments.error().message;
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_EQ(comments->front().author, "rita");
  EXPECT_GT(comments->front().at_us, 1600000000LL * 1000000);
  // The feed goes on: a comment through the store marks it.
  store::Comment remark;
  remark.task_id = alice_task_;
  remark.text = "and another";
  auto rita = open("rita");
  ASSERT_TRUE(rita && rita->add_comment(remark));
  auto later = ada_->change_mark();
  ASSERT_TRUE(later);
  EXPECT_GT(*later, *mark);
}

TEST_F(PostgresRawSql, ALeaseIsItsHoldersUntilItLapses) {
  const std::string task = std::to_string(alice_task_);
  const std::string where = " WHERE id = " + task;
  auto held = ada_->acquire_lease(alice_task_, std::chrono::minutes(5));  // an admin holds it
  ASSERT_TRUE(held) << held.error().message;
  const std::string take =
      "UPDATE pcanno.tasks SET lease_holder = 'alice', lease_token = 'psql',"
      " lease_expires_at = now() + interval '1 minute'" +
      where;
  EXPECT_EQ(run_as("alice", take), "42501");
  EXPECT_EQ(run_as("alice",
                   "UPDATE pcanno.tasks SET lease_holder = NULL, lease_token = NULL,"
                   " lease_expires_at = NULL" +
                       where),
            "42501");
  EXPECT_EQ(run_as("alice", "UPDATE pcanno.tasks SET lease_expires_at = now()" + where), "42501");
  ASSERT_TRUE(ada_->release_lease(*held));
  // Free now, but for a finite term of at most a day.
  EXPECT_EQ(run_as("alice",
                   "UPDATE pcanno.tasks SET lease_holder = 'alice', lease_token = 'psql',"
                   " lease_expires_at = 'infinity'" +
                       where),
            "23514");
  EXPECT_EQ(run_as("alice",
                   "UPDATE pcanno.tasks SET lease_holder = 'alice', lease_token = 'psql',"
                   " lease_expires_at = now() + interval '2 days'" +
                       where),
            "23514");
  EXPECT_EQ(run_as("alice", take), "");
  // Handed in, nobody takes it anew.
  auto alice = open("alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kInProgress, ""));
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kSubmitted, ""));
  EXPECT_EQ(run_as("alice",
                   "UPDATE pcanno.tasks SET lease_holder = NULL, lease_token = NULL,"
                   " lease_expires_at = NULL" +
                       where),
            "");
  EXPECT_EQ(run_as("alice", take), "23514");
  auto listed = ada_->tasks({});  // every lease readable: no infinite one got in
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), 2u);
}

TEST_F(PostgresRawSql, TheEventTriggerCannotBeHungOnAnotherTable) {
  auto before = ada_->task_events(alice_task_);
  ASSERT_TRUE(before);
  EXPECT_EQ(run_as("alice",
                   "CREATE TEMP TABLE f (id bigint, state text, assignee text);"
                   " CREATE TRIGGER x AFTER UPDATE ON f FOR EACH ROW"
                   " EXECUTE FUNCTION pcanno.record_task_event()"),
            "42501");
  auto after = ada_->task_events(alice_task_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), before->size());
}

TEST_F(PostgresRawSql, EvenAnAdminStartsATaskNewAndCompactsOnlyWhatTheLogReached) {
  const std::string task = std::to_string(alice_task_);
  EXPECT_EQ(run_as("ada",
                   "INSERT INTO pcanno.tasks (project_id, sequence_id, first_frame,"
                   " last_frame, label_kinds, state, version) SELECT project_id,"
                   " sequence_id, 0, 1, 1, 'accepted', 50 FROM pcanno.tasks WHERE id = " +
                       task),
            "23514");
  EXPECT_EQ(run_as("ada",
                   "INSERT INTO pcanno.label_snapshots (task_id, version, document)"
                   " VALUES (" +
                       task + ", 3, '{}')"),
            "23514");
  EXPECT_EQ(
      run_as("ada", "UPDATE pcanno.label_snapshots SET document = '{}' WHERE task_id = " + task),
      "42501");
}

}  // namespace
}  // namespace pcanno::test
#endif
