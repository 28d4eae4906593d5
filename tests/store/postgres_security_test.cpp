// PostgreSQL only: who may read and write what is decided by real roles, grants, row-level
// security policies and the workflow trigger, checked here with people logged in by password.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "postgres_security_fixture.hpp"

#ifdef PCANNO_STORE_POSTGRES
#include <pqxx/pqxx>
#endif

namespace pcanno::test {
namespace {

using formats::ErrorCode;
using store::ProjectStore;
using store::Role;
using store::TaskState;

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
#endif

}  // namespace
}  // namespace pcanno::test
