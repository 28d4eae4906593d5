#pragma once
#include <atomic>
#include <memory>

#include "pcanno/store/project_store.hpp"

// A ProjectStore in front of a real one that can lose the server on demand: with `down` set every
// call fails with kIo without reaching the store; with `lose_acks` > 0 the next commits reach the
// store and are stored, but their answer is lost (kIo), as when a connection drops after COMMIT.

namespace pcanno::test {

class FlakyStore final : public store::ProjectStore {
 public:
  explicit FlakyStore(std::unique_ptr<store::ProjectStore> inner) : inner_(std::move(inner)) {}

  std::atomic<bool> down{false};
  std::atomic<int> lose_acks{0};
  std::atomic<int> commits_reached{0};

  std::string backend() const override { return inner_->backend(); }
  std::string user() const override { return inner_->user(); }
  bool access_control() const override { return inner_->access_control(); }
  formats::Expected<int> schema_version() override {
    return guard([&] { return inner_->schema_version(); });
  }
  formats::Status add_user(const std::string& n, store::Role r, const std::string& p) override {
    return guard([&] { return inner_->add_user(n, r, p); });
  }
  formats::Expected<std::vector<store::User>> users() override {
    return guard([&] { return inner_->users(); });
  }
  formats::Expected<store::Project> create_project(const std::string& n) override {
    return guard([&] { return inner_->create_project(n); });
  }
  formats::Expected<std::vector<store::Project>> projects() override {
    return guard([&] { return inner_->projects(); });
  }
  formats::Expected<store::Project> project(const std::string& n) override {
    return guard([&] { return inner_->project(n); });
  }
  formats::Status add_member(std::int64_t p, const std::string& u) override {
    return guard([&] { return inner_->add_member(p, u); });
  }
  formats::Expected<store::SequenceRecord> add_sequence(const store::SequenceRecord& s) override {
    return guard([&] { return inner_->add_sequence(s); });
  }
  formats::Expected<std::vector<store::SequenceRecord>> sequences(std::int64_t p) override {
    return guard([&] { return inner_->sequences(p); });
  }
  formats::Expected<store::SequenceRecord> sequence(std::int64_t s) override {
    return guard([&] { return inner_->sequence(s); });
  }
  formats::Expected<store::Task> create_task(const store::NewTask& t) override {
    return guard([&] { return inner_->create_task(t); });
  }
  formats::Expected<std::vector<store::Task>> tasks(const store::TaskFilter& f) override {
    return guard([&] { return inner_->tasks(f); });
  }
  formats::Expected<store::Task> task(std::int64_t t) override {
    return guard([&] { return inner_->task(t); });
  }
  formats::Status assign(std::int64_t t, const std::string& u) override {
    return guard([&] { return inner_->assign(t, u); });
  }
  formats::Expected<store::Task> transition(std::int64_t t, store::TaskState s,
                                            const std::string& r) override {
    return guard([&] { return inner_->transition(t, s, r); });
  }
  formats::Expected<std::vector<store::TaskEvent>> task_events(std::int64_t t) override {
    return guard([&] { return inner_->task_events(t); });
  }
  formats::Expected<store::Lease> acquire_lease(std::int64_t t,
                                                std::chrono::milliseconds d) override {
    return guard([&] { return inner_->acquire_lease(t, d); });
  }
  formats::Expected<store::Lease> heartbeat(const store::Lease& l,
                                            std::chrono::milliseconds d) override {
    return guard([&] { return inner_->heartbeat(l, d); });
  }
  formats::Status release_lease(const store::Lease& l) override {
    return guard([&] { return inner_->release_lease(l); });
  }
  formats::Expected<std::int64_t> commit(const store::CommitRequest& r) override {
    if (down) return unreachable();
    ++commits_reached;
    formats::Expected<std::int64_t> stored = inner_->commit(r);
    if (stored && lose_acks.load() > 0) {
      --lose_acks;
      return unreachable();
    }
    return stored;
  }
  formats::Expected<std::vector<store::LabelCommit>> history(std::int64_t t,
                                                             std::int64_t a) override {
    return guard([&] { return inner_->history(t, a); });
  }
  formats::Expected<store::Snapshot> snapshot(std::int64_t t, std::int64_t v) override {
    return guard([&] { return inner_->snapshot(t, v); });
  }
  formats::Status put_snapshot(std::int64_t t, std::int64_t v,
                               const formats::Annotations& d) override {
    return guard([&] { return inner_->put_snapshot(t, v, d); });
  }
  formats::Expected<store::Comment> add_comment(const store::Comment& c) override {
    return guard([&] { return inner_->add_comment(c); });
  }
  formats::Expected<std::vector<store::Comment>> comments(std::int64_t t) override {
    return guard([&] { return inner_->comments(t); });
  }
  formats::Status resolve_comment(std::int64_t c, bool r) override {
    return guard([&] { return inner_->resolve_comment(c, r); });
  }
  formats::Expected<std::int64_t> change_mark() override {
    return guard([&] { return inner_->change_mark(); });
  }
  formats::Expected<bool> wait_for_change(std::int64_t m, std::chrono::milliseconds t) override {
    return guard([&] { return inner_->wait_for_change(m, t); });
  }

 private:
  static formats::Error unreachable() {
    return formats::Error{formats::ErrorCode::kIo, "test: the server is unreachable", "", -1, -1};
  }
  template <typename Call>
  auto guard(Call call) -> decltype(call()) {
    if (down) return unreachable();
    return call();
  }

  std::unique_ptr<store::ProjectStore> inner_;
};

}  // namespace pcanno::test
