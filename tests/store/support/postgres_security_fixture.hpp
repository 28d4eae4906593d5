#pragma once
// The PostgreSQL security tests' fixture: a project "p" with people in every group, each logged in
// by password as themselves (postgres_security_test.cpp, postgres_raw_sql_test.cpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "pcanno/formats/labels/document/edit.hpp"
#include "postgres_support.hpp"

namespace pcanno::test {

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
         {std::pair{"alice", store::Role::kAnnotator}, std::pair{"bob", store::Role::kAnnotator},
          std::pair{"rita", store::Role::kReviewer}, std::pair{"carl", store::Role::kAnnotator}}) {
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

  std::unique_ptr<store::ProjectStore> open(const std::string& user) {
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
  std::unique_ptr<store::ProjectStore> ada_;
  std::int64_t project_id_ = 0, alice_task_ = 0, bob_task_ = 0;
};

}  // namespace pcanno::test
