#include "store_suite.hpp"

namespace pcanno::test {

formats::Annotations one_box_document(std::int64_t frames) {
  formats::Annotations doc;
  for (std::int64_t i = 0; i < frames; ++i) {
    doc.frames.push_back({std::to_string(i), 100000 * i, {}, {}});
  }
  formats::Track track;
  track.id = 1;
  track.label = doc.default_class();
  doc.ensure_class(track.label);
  track.boxes.push_back(box_at(0, 10.125));
  doc.tracks.push_back(track);
  return doc;
}

formats::BoxState box_at(std::int64_t frame, double x) {
  formats::BoxState state;
  state.frame = frame;
  state.box.center = Eigen::Vector3d(x, -3.0 + 0.1 * static_cast<double>(frame), 0.7);
  state.box.size = Eigen::Vector3d(4.2, 1.8, 1.5);
  state.box.rotation = Eigen::Quaterniond(Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ()));
  return state;
}

std::unique_ptr<StoreBackend> make_backend(const std::string& name) {
  if (name == "sqlite") return make_sqlite_backend();
  std::string why_not = "built without libpqxx";
#ifdef PCANNO_STORE_POSTGRES
  if (std::unique_ptr<StoreBackend> backend = make_postgres_backend(&why_not)) return backend;
#endif
  return nullptr;
}

void StoreSuite::SetUp() {
  backend_ = make_backend(GetParam());
  if (!backend_) {
    const std::string message = GetParam() + " backend cannot run here";
    if (std::getenv("CI")) FAIL() << message;
    GTEST_SKIP() << message;
  }
  formats::Status created = backend_->create();
  ASSERT_TRUE(created) << created.error().describe();
  ada_ = open_as("ada");
  ASSERT_TRUE(ada_);
  for (const auto& [name, role] :
       {std::pair{"alice", store::Role::kAnnotator}, std::pair{"bob", store::Role::kAnnotator},
        std::pair{"rita", store::Role::kReviewer}}) {
    formats::Status added = ada_->add_user(name, role, password_for(name));
    ASSERT_TRUE(added) << added.error().describe();
  }
  formats::Expected<store::Project> project = ada_->create_project("city");
  ASSERT_TRUE(project) << project.error().describe();
  project_ = *project;
  for (const char* member : {"alice", "bob", "rita"}) {
    ASSERT_TRUE(ada_->add_member(project_.id, member));
  }
  store::SequenceRecord sequence;
  sequence.project_id = project_.id;
  sequence.name = "0000";
  sequence.uri = "/data/kitti/tracking/training";
  sequence.frame_count = 10;
  formats::Expected<store::SequenceRecord> added = ada_->add_sequence(sequence);
  ASSERT_TRUE(added) << added.error().describe();
  sequence_ = *added;
  formats::Expected<store::Task> task =
      ada_->create_task({sequence_.id, 0, 9, store::kBoxes, one_box_document(10)});
  ASSERT_TRUE(task) << task.error().describe();
  ASSERT_TRUE(ada_->assign(task->id, "alice"));
  task_ = *task;
  alice_ = open_as("alice");
  bob_ = open_as("bob");
  rita_ = open_as("rita");
}

void StoreSuite::TearDown() {
  ada_.reset();
  alice_.reset();
  bob_.reset();
  rita_.reset();
  if (backend_) backend_->destroy();
}

std::unique_ptr<store::ProjectStore> StoreSuite::open_as(const std::string& user) {
  formats::Expected<std::unique_ptr<store::ProjectStore>> opened = backend_->open_as(user);
  EXPECT_TRUE(opened) << user << ": " << opened.error().describe();
  return opened ? std::move(*opened) : nullptr;
}

}  // namespace pcanno::test
