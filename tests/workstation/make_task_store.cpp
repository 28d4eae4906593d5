// Test tool: a SQLite project store with one task to annotate, for the xdotool test of task and
// review mode (until `pcanno project` can make one). Users alice (annotator) and rita
// (reviewer), project "drive" with the sample KITTI tracking sequence 0000, one task over
// frames 0-4 assigned to alice; prints the task's id.
//
// usage: make_task_store STORE_FILE KITTI_TRACKING_DIR
#include <iostream>

#include "pcanno/store/open_store.hpp"

namespace {

int fail(const char* what, const pcanno::formats::Error& e) {
  std::cerr << "make_task_store: " << what << ": " << e.describe() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace store = pcanno::store;
  if (argc != 3) {
    std::cerr << "usage: make_task_store STORE_FILE KITTI_TRACKING_DIR\n";
    return 2;
  }
  store::StoreOptions options;
  options.user = "admin";
  options.create = true;
  auto opened = store::open_store(std::string("sqlite:") + argv[1], options);
  if (!opened) return fail("open", opened.error());
  store::ProjectStore& s = **opened;
  if (auto added = s.add_user("alice", store::Role::kAnnotator, ""); !added) {
    return fail("alice", added.error());
  }
  if (auto added = s.add_user("rita", store::Role::kReviewer, ""); !added) {
    return fail("rita", added.error());
  }
  auto project = s.create_project("drive");
  if (!project) return fail("project", project.error());
  store::SequenceRecord seq;
  seq.project_id = project->id;
  seq.name = "0000";
  seq.uri = argv[2];
  seq.frame_count = 5;
  auto sequence = s.add_sequence(seq);
  if (!sequence) return fail("sequence", sequence.error());
  store::NewTask task;
  task.sequence_id = sequence->id;
  task.first_frame = 0;
  task.last_frame = 4;
  auto created = s.create_task(task);
  if (!created) return fail("task", created.error());
  if (auto assigned = s.assign(created->id, "alice"); !assigned) {
    return fail("assign", assigned.error());
  }
  std::cout << created->id << "\n";
  return 0;
}
