// PostgreSQL only: the schema check at connect, LISTEN/NOTIFY between two connections, leases
// and commits between two people, and a store that survives a server restart.
#include <gtest/gtest.h>

#include <cstdlib>
#include <chrono>
#include <future>
#include <thread>

#include "pcanno/store/open_store.hpp"
#include "postgres_support.hpp"

#ifdef PCANNO_STORE_POSTGRES
#include <pqxx/pqxx>
#endif

namespace pcanno::test {
namespace {

using formats::ErrorCode;
using store::ProjectStore;
using store::Role;

class PostgresLive : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why_not;
    backend_ = make_postgres_backend(&why_not);
    if (!backend_) {
      if (std::getenv("CI")) FAIL() << "no PostgreSQL server: " << why_not;
      GTEST_SKIP() << "no PostgreSQL server: " << why_not;
    }
    const formats::Status created = backend_->create();
    ASSERT_TRUE(created) << created.error().message;
    auto ada = backend_->open_as("ada");
    ASSERT_TRUE(ada) << ada.error().message;
    ada_ = std::move(*ada);
    for (const char* name : {"alice", "bob"}) {
      ASSERT_TRUE(ada_->add_user(name, Role::kAnnotator, password_for(name)));
    }
    auto project = ada_->create_project("p");
    ASSERT_TRUE(project);
    store::SequenceRecord sequence;
    sequence.project_id = project->id;
    sequence.name = "0000";
    sequence.uri = "/data/0000";
    auto added = ada_->add_sequence(sequence);
    ASSERT_TRUE(added);
    store::NewTask task;
    task.sequence_id = added->id;
    task.last_frame = 9;
    auto created_task = ada_->create_task(task);
    ASSERT_TRUE(created_task);
    task_ = created_task->id;
  }
  void TearDown() override {
    if (backend_) backend_->destroy();
  }

  store::CommitRequest request(const std::string& token, std::int64_t base, std::int64_t seq) {
    store::CommitRequest commit;
    commit.task_id = task_;
    commit.base_version = base;
    commit.lease_token = token;
    commit.client_id = "client-a";
    commit.client_seq = seq;
    commit.edits.push_back(formats::TagEdit{-1, "weather", "rain " + std::to_string(seq)});
    return commit;
  }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<ProjectStore> ada_;
  std::int64_t task_ = 0;
};

TEST_F(PostgresLive, WaitForChangeWakesOnAnotherConnectionsCommit) {
  auto watcher = backend_->open_as("ada");
  ASSERT_TRUE(watcher);
  auto mark = (*watcher)->change_mark();
  ASSERT_TRUE(mark) << mark.error().message;
  // Nothing changes: the wait ends without a change.
  auto idle = (*watcher)->wait_for_change(*mark, std::chrono::milliseconds(50));
  ASSERT_TRUE(idle) << idle.error().message;
  EXPECT_FALSE(*idle);

  auto waiting = std::async(std::launch::async, [&] {
    return (*watcher)->wait_for_change(*mark, std::chrono::seconds(60));
  });
  auto lease = ada_->acquire_lease(task_, std::chrono::minutes(1));
  ASSERT_TRUE(lease) << lease.error().message;
  ASSERT_TRUE(ada_->commit(request(lease->token, 0, 1)));
  auto woke = waiting.get();
  ASSERT_TRUE(woke) << woke.error().message;
  EXPECT_TRUE(*woke);
  auto after = (*watcher)->change_mark();
  ASSERT_TRUE(after);
  EXPECT_GT(*after, *mark);
}

TEST_F(PostgresLive, LeasesAndCommitsBetweenTwoPeople) {
  ASSERT_TRUE(ada_->assign(task_, "alice"));
  auto alice = backend_->open_as("alice");
  ASSERT_TRUE(alice);
  auto lease = (*alice)->acquire_lease(task_, std::chrono::minutes(5));
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_EQ(lease->holder, "alice");

  // The admin cannot take a live lease: the message names the holder.
  auto taken = ada_->acquire_lease(task_, std::chrono::minutes(5));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_NE(taken.error().message.find("alice"), std::string::npos) << taken.error().message;

  auto first = (*alice)->commit(request(lease->token, 0, 1));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 1);
  auto replay = (*alice)->commit(request(lease->token, 0, 1));
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_EQ(*replay, 1);
  auto stale = (*alice)->commit(request(lease->token, 0, 2));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto wrong_token = (*alice)->commit(request("not-the-token", 1, 3));
  ASSERT_FALSE(wrong_token);
  EXPECT_EQ(wrong_token.error().code, ErrorCode::kConflict);

  auto history = ada_->history(task_, 0);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().author, "alice");
  ASSERT_EQ(history->front().edits.size(), 1u);
  const auto* tag = std::get_if<formats::TagEdit>(&history->front().edits.front());
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->value, std::optional<std::string>("rain 1"));

  auto labels = ada_->labels(task_);
  ASSERT_TRUE(labels) << labels.error().message;
  EXPECT_EQ(labels->version, 1);
  EXPECT_EQ(labels->document.attributes.at("weather"), "rain 1");

  ASSERT_TRUE((*alice)->release_lease(*lease));
  auto released = ada_->task(task_);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->lease_holder, "");
  auto again = (*alice)->release_lease(*lease);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(PostgresLive, AStoreReconnectsAfterTheServerRestarts) {
  auto before = ada_->projects();
  ASSERT_TRUE(before) << before.error().message;
  // Listening too, so that the reconnect also replaces the LISTEN registration.
  auto mark = ada_->change_mark();
  ASSERT_TRUE(mark);
  ASSERT_TRUE(ada_->wait_for_change(*mark, std::chrono::milliseconds(10)));
  ASSERT_TRUE(pg_cluster_control("stop"));
  auto down = ada_->projects();
  const bool restarted = pg_cluster_control("start");
  ASSERT_TRUE(restarted) << "the cluster did not start again";
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kIo) << down.error().message;
  auto after = ada_->projects();
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->size(), before->size());
  auto woke = std::async(std::launch::async,
                         [&] { return ada_->wait_for_change(*mark, std::chrono::seconds(60)); });
  store::Comment comment;
  comment.task_id = task_;
  comment.text = "after the restart";
  auto writer = backend_->open_as("ada");
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->add_comment(comment));
  auto result = woke.get();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(*result);
}

// A store that sat idle through a restart (a workstation between two clicks) answers the next call
// at once: it checks an idle connection before use instead of failing on the dead one.
TEST_F(PostgresLive, AnIdleStoreMeetsARestartedServerWithoutAnError) {
  ASSERT_TRUE(ada_->projects());
  ASSERT_TRUE(pg_cluster_control("stop"));
  ASSERT_TRUE(pg_cluster_control("start")) << "the cluster did not start again";
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // idle past the check
  auto moved = ada_->assign(task_, "bob");
  EXPECT_TRUE(moved) << moved.error().message;
  auto task = ada_->task(task_);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task->assignee, "bob");
}

TEST_F(PostgresLive, ARefusedLoginIsAPermissionErrorAndAMissingDatabaseNotFound) {
  auto* postgres = dynamic_cast<PostgresBackend*>(backend_.get());
  ASSERT_NE(postgres, nullptr);
  std::string url = pg_user_url("alice", postgres->database());
  const std::size_t at = url.find('@');
  ASSERT_NE(at, std::string::npos);
  const std::string wrong = "postgresql://alice:wrong-password" + url.substr(at);
  auto refused = store::open_store(wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermission) << refused.error().message;
  auto missing = store::open_store(pg_user_url("alice", "no_such_database"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;
}

#ifdef PCANNO_STORE_POSTGRES
TEST_F(PostgresLive, TheSchemaVersionIsCheckedAtConnect) {
  auto* postgres = dynamic_cast<PostgresBackend*>(backend_.get());
  ASSERT_NE(postgres, nullptr);
  auto version = ada_->schema_version();
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, store::kStoreSchemaVersion);

  {
    pqxx::connection superuser(pg_superuser_conninfo(postgres->database()));
    pqxx::work work(superuser);
    work.exec_params("UPDATE pcanno.schema_version SET version = $1",
                     store::kStoreSchemaVersion + 1);
    work.commit();
  }
  auto newer = backend_->open_as("ada");
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, ErrorCode::kUnsupported) << newer.error().message;

  {
    pqxx::connection superuser(pg_superuser_conninfo(postgres->database()));
    pqxx::work work(superuser);
    work.exec("DROP SCHEMA pcanno CASCADE");
    work.commit();
  }
  auto missing = store::open_store("postgresql:" + pg_superuser_conninfo(postgres->database()));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kConflict);
  EXPECT_NE(missing.error().message.find("pcanno project init"), std::string::npos)
      << missing.error().message;
}
#endif

}  // namespace
}  // namespace pcanno::test
