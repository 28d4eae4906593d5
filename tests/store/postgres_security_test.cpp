// PostgreSQL only: who may read and write what is decided by real roles, grants, row-level
// security policies and the workflow trigger, checked here with people logged in by password.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "postgres_support.hpp"

#ifdef PCANNO_STORE_POSTGRES
#include <pqxx/pqxx>
#endif

namespace pcanno::test {
namespace {

using formats::ErrorCode;
using store::ProjectStore;
using store::Role;
using store::TaskState;

#define PCANNO_REQUIRE_POSTGRES(backend)                                    \
  do {                                                                      \
    std::string why_not;                                                    \
    backend = make_postgres_backend(&why_not);                              \
    if (!backend) {                                                         \
      if (std::getenv("CI")) FAIL() << "no PostgreSQL server: " << why_not; \
      GTEST_SKIP() << "no PostgreSQL server: " << why_not;                  \
    }                                                                       \
  } while (false)

// A project "p" with one sequence and two tasks: `alice_task` assigned to alice and `bob_task` to
// bob (both annotators). rita reviews; alice, bob and rita are members; carl is an annotator who
// is not a member.
class PostgresSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    PCANNO_REQUIRE_POSTGRES(backend_);
    const formats::Status created = backend_->create();
    ASSERT_TRUE(created) << created.error().message;
    ada_ = open("ada");
    ASSERT_TRUE(ada_);
    for (const auto& [name, role] :
         {std::pair{"alice", Role::kAnnotator}, std::pair{"bob", Role::kAnnotator},
          std::pair{"rita", Role::kReviewer}, std::pair{"carl", Role::kAnnotator}}) {
      const formats::Status added = ada_->add_user(name, role, password_for(name));
      ASSERT_TRUE(added) << added.error().message;
    }
    auto project = ada_->create_project("p");
    ASSERT_TRUE(project) << project.error().message;
    project_id_ = project->id;
    for (const char* member : {"alice", "bob", "rita"}) {
      ASSERT_TRUE(ada_->add_member(project_id_, member));
    }
    store::SequenceRecord sequence;
    sequence.project_id = project_id_;
    sequence.name = "0000";
    sequence.uri = "/data/kitti/0000";
    sequence.frame_count = 100;
    auto added = ada_->add_sequence(sequence);
    ASSERT_TRUE(added) << added.error().message;
    store::NewTask task;
    task.sequence_id = added->id;
    task.last_frame = 49;
    auto first = ada_->create_task(task);
    auto second = ada_->create_task(task);
    ASSERT_TRUE(first && second);
    alice_task_ = first->id;
    bob_task_ = second->id;
    ASSERT_TRUE(ada_->assign(alice_task_, "alice"));
    ASSERT_TRUE(ada_->assign(bob_task_, "bob"));
  }
  void TearDown() override {
    if (backend_) backend_->destroy();
  }

  std::unique_ptr<ProjectStore> open(const std::string& user) {
    auto store = backend_->open_as(user);
    EXPECT_TRUE(store) << user << ": " << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  store::CommitRequest commit_to(std::int64_t task, const std::string& token) {
    store::CommitRequest request;
    request.task_id = task;
    request.lease_token = token;
    request.client_id = "client";
    request.client_seq = 1;
    request.edits.push_back(formats::TagEdit{-1, "weather", std::string("rain")});
    return request;
  }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<ProjectStore> ada_;
  std::int64_t project_id_ = 0, alice_task_ = 0, bob_task_ = 0;
};

TEST_F(PostgresSecurity, AnnotatorSeesAndWritesOnlyTheirOwnTask) {
  auto alice = open("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->user(), "alice");

  auto hidden = alice->task(bob_task_);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
  auto listed = alice->tasks({});
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, alice_task_);

  auto lease = alice->acquire_lease(bob_task_, std::chrono::minutes(5));
  ASSERT_FALSE(lease);
  EXPECT_EQ(lease.error().code, ErrorCode::kNotFound);
  auto commit = alice->commit(commit_to(bob_task_, "any-token"));
  ASSERT_FALSE(commit);
  EXPECT_EQ(commit.error().code, ErrorCode::kNotFound);
  auto moved = alice->transition(bob_task_, TaskState::kInProgress, "");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kNotFound);
  auto history = alice->history(bob_task_, 0);
  EXPECT_FALSE(history);

  // Her own task: she leases it and commits.
  auto own = alice->acquire_lease(alice_task_, std::chrono::minutes(5));
  ASSERT_TRUE(own) << own.error().message;
  auto version = alice->commit(commit_to(alice_task_, own->token));
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, 1);

  // Bob's task is untouched: still at version 0, unleased.
  auto bob_task = ada_->task(bob_task_);
  ASSERT_TRUE(bob_task);
  EXPECT_EQ(bob_task->version, 0);
  EXPECT_EQ(bob_task->lease_holder, "");
}

TEST_F(PostgresSecurity, ReviewerCommentsAndRejectsButCannotEditLabels) {
  auto alice = open("alice");
  auto rita = open("rita");
  ASSERT_TRUE(alice && rita);
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kInProgress, ""));
  // While the labels are editable, a reviewer still may not lease them: the grants refuse it.
  auto lease = rita->acquire_lease(alice_task_, std::chrono::minutes(1));
  ASSERT_FALSE(lease);
  EXPECT_EQ(lease.error().code, ErrorCode::kPermission) << lease.error().message;
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kSubmitted, ""));

  auto visible = rita->tasks({});
  ASSERT_TRUE(visible);
  EXPECT_EQ(visible->size(), 2u);  // a member reviewer reads every task of the project

  auto commit = rita->commit(commit_to(alice_task_, "no-lease"));
  ASSERT_FALSE(commit);
  EXPECT_EQ(commit.error().code, ErrorCode::kPermission) << commit.error().message;
  formats::Annotations empty;
  auto snapshot = rita->put_snapshot(alice_task_, 0, empty);
  ASSERT_FALSE(snapshot);
  EXPECT_EQ(snapshot.error().code, ErrorCode::kPermission) << snapshot.error().message;

  store::Comment remark;
  remark.task_id = alice_task_;
  remark.frame = 3;
  remark.x = 1.5;
  remark.text = "box 7 is too long";
  auto stored = rita->add_comment(remark);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->author, "rita");
  ASSERT_TRUE(rita->resolve_comment(stored->id, true));
  auto comments = alice->comments(alice_task_);
  ASSERT_TRUE(comments);
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_TRUE(comments->front().resolved);

  ASSERT_TRUE(rita->transition(alice_task_, TaskState::kInReview, ""));
  auto no_reason = rita->transition(alice_task_, TaskState::kRejected, " ");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);
  auto rejected = rita->transition(alice_task_, TaskState::kRejected, "box 7");
  ASSERT_TRUE(rejected) << rejected.error().message;
  EXPECT_EQ(rejected->state, TaskState::kRejected);
}

TEST_F(PostgresSecurity, TheDatabaseRefusesMovesOutsideTheRole) {
  auto alice = open("alice");
  auto rita = open("rita");
  ASSERT_TRUE(alice && rita);
  // A reviewer may not start an annotator's work.
  auto started = rita->transition(alice_task_, TaskState::kInProgress, "");
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kPermission) << started.error().message;
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kInProgress, ""));
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kSubmitted, ""));
  // The annotator may not review her own work.
  auto reviewed = alice->transition(alice_task_, TaskState::kInReview, "");
  ASSERT_FALSE(reviewed);
  EXPECT_EQ(reviewed.error().code, ErrorCode::kPermission) << reviewed.error().message;
  ASSERT_TRUE(rita->transition(alice_task_, TaskState::kInReview, ""));
  auto accepted = alice->transition(alice_task_, TaskState::kAccepted, "");
  ASSERT_FALSE(accepted);
  EXPECT_EQ(accepted.error().code, ErrorCode::kPermission) << accepted.error().message;
  auto task = ada_->task(alice_task_);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->state, TaskState::kInReview);
}

TEST_F(PostgresSecurity, NonMemberSeesNoProjectAndOnlyAdminsAddPeople) {
  auto carl = open("carl");
  ASSERT_TRUE(carl);
  auto projects = carl->projects();
  ASSERT_TRUE(projects) << projects.error().message;
  EXPECT_TRUE(projects->empty());
  auto project = carl->project("p");
  ASSERT_FALSE(project);
  EXPECT_EQ(project.error().code, ErrorCode::kNotFound);
  auto tasks = carl->tasks({});
  ASSERT_TRUE(tasks);
  EXPECT_TRUE(tasks->empty());

  auto added = carl->add_user("mallory", Role::kAdmin, "x");
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kPermission) << added.error().message;
  auto made = carl->create_project("q");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, ErrorCode::kPermission) << made.error().message;

  auto users = ada_->users();
  ASSERT_TRUE(users);
  std::vector<std::string> names;
  for (const store::User& user : *users) names.push_back(user.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ada", "alice", "bob", "carl", "rita"}));
  EXPECT_EQ(users->front().roles, std::vector<Role>{Role::kAdmin});
}

TEST_F(PostgresSecurity, NamesAndPasswordsReachTheDdlQuoted) {
  // A name and a password that would break DDL built by concatenation.
  const std::string name = "o'hara\"; DROP ROLE ada; --";
  const formats::Status added = ada_->add_user(name, Role::kAnnotator, password_for(name));
  ASSERT_TRUE(added) << added.error().message;
  auto users = ada_->users();
  ASSERT_TRUE(users);
  const bool listed = std::any_of(users->begin(), users->end(),
                                  [&](const store::User& user) { return user.name == name; });
  EXPECT_TRUE(listed);
  auto odd = open(name);
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->user(), name);
  auto still_admin = open("ada");  // ada's role survived
  EXPECT_TRUE(still_admin);
}

TEST_F(PostgresSecurity, EventsNameTheRealRole) {
  auto alice = open("alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(alice->transition(alice_task_, TaskState::kInProgress, "starting"));
  auto events = ada_->task_events(alice_task_);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].who, "ada");
  EXPECT_EQ((*events)[0].reason, "created");
  EXPECT_EQ((*events)[1].who, "ada");
  EXPECT_EQ((*events)[1].reason, "assigned to alice");
  EXPECT_EQ((*events)[2].who, "alice");
  EXPECT_EQ((*events)[2].to, TaskState::kInProgress);
}

#ifdef PCANNO_STORE_POSTGRES
// The password never reaches the server, only its SCRAM verifier: even where the server would hash
// with md5, the role gets a SCRAM secret, and logs in over scram-sha-256.
TEST_F(PostgresSecurity, PasswordsReachTheServerAsScramVerifiers) {
  auto* postgres = dynamic_cast<PostgresBackend*>(backend_.get());
  ASSERT_NE(postgres, nullptr);
  {
    pqxx::connection superuser(pg_superuser_conninfo(postgres->database()));
    pqxx::nontransaction work(superuser);
    work.exec("ALTER ROLE ada SET password_encryption = 'md5'");
  }
  auto ada = open("ada");
  ASSERT_TRUE(ada);
  const formats::Status added = ada->add_user("dora", Role::kAnnotator, password_for("dora"));
  {
    pqxx::connection superuser(pg_superuser_conninfo(postgres->database()));
    pqxx::nontransaction work(superuser);
    work.exec("ALTER ROLE ada RESET password_encryption");
    ASSERT_TRUE(added) << added.error().message;
    const pqxx::row secret =
        work.exec1("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = 'dora'");
    EXPECT_EQ(secret[0].as<std::string>().rfind("SCRAM-SHA-256$4096:", 0), 0u)
        << secret[0].as<std::string>();
  }
  auto dora = open("dora");
  ASSERT_TRUE(dora);
  EXPECT_EQ(dora->user(), "dora");
}

// Not the store API: plain SQL as alice. The policy, not the client, hides bob's row.
TEST_F(PostgresSecurity, RawSqlSeesOnlyThePolicysRows) {
  auto* postgres = dynamic_cast<PostgresBackend*>(backend_.get());
  ASSERT_NE(postgres, nullptr);
  auto ids_as = [&](const std::string& user) {
    pqxx::connection connection(pg_user_url(user, postgres->database()));
    pqxx::work work(connection);
    std::vector<std::int64_t> ids;
    for (const pqxx::row& row : work.exec("SELECT id FROM pcanno.tasks ORDER BY id")) {
      ids.push_back(row[0].as<std::int64_t>());
    }
    return ids;
  };
  EXPECT_EQ(ids_as("alice"), std::vector<std::int64_t>{alice_task_});
  EXPECT_EQ(ids_as("bob"), std::vector<std::int64_t>{bob_task_});
  EXPECT_EQ(ids_as("ada"), (std::vector<std::int64_t>{alice_task_, bob_task_}));
  EXPECT_TRUE(ids_as("carl").empty());

  // Nor can alice hand herself bob's task: assignee is not hers to write.
  pqxx::connection connection(pg_user_url("alice", postgres->database()));
  pqxx::work work(connection);
  try {
    work.exec_params("UPDATE pcanno.tasks SET assignee = 'alice' WHERE id = $1", bob_task_);
    ADD_FAILURE() << "alice rewrote a task's assignee";
  } catch (const pqxx::insufficient_privilege& error) {
    EXPECT_NE(std::string(error.what()).find("permission denied"), std::string::npos)
        << error.what();
  }
}

// Plain SQL as the people themselves, past the client: what the client checks, the database
// checks again on the rows (schema_integrity.cpp), so psql cannot skip the lease, the version,
// the workflow or the audit.
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
  // The version counts commits; it does not move by hand, up or down.
  EXPECT_EQ(run_as("alice", "UPDATE pcanno.tasks SET version = 7 WHERE id = " + task), "42501");
  // No commit without the lease.
  EXPECT_EQ(run_as("alice", commit_sql(1, valid_edits_)), "42501");

  auto alice = open("alice");
  ASSERT_TRUE(alice);
  auto lease = alice->acquire_lease(alice_task_, std::chrono::minutes(5));
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_EQ(run_as("alice", commit_sql(5, valid_edits_)), "23514");   // not the next version
  EXPECT_EQ(run_as("alice", commit_sql(1, "not json")), "22P02");     // not JSON at all
  EXPECT_EQ(run_as("alice", commit_sql(1, R"({"x": 1})")), "23514");  // not an edit list
  EXPECT_EQ(run_as("bob", commit_sql(1, valid_edits_)), "42501");     // not bob's task

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

TEST_F(PostgresRawSql, CommentsCarryTheirRealAuthorAndTime) {
  EXPECT_EQ(run_as("rita",
                   "INSERT INTO pcanno.comments (task_id, frame, x, y, z, text, author, at)"
                   " VALUES (" +
                       std::to_string(alice_task_) + ", 0, 0, 0, 0, 'hi', 'ada', '2001-01-01')"),
            "");
  auto comments = ada_->comments(alice_task_);
  ASSERT_TRUE(comments) << comments.error().message;
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_EQ(comments->front().author, "rita");
  EXPECT_GT(comments->front().at_us, 1600000000LL * 1000000);
}
#endif

}  // namespace
}  // namespace pcanno::test
