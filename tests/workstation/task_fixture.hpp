#pragma once
// A project store task over the repo's sample sequence, for the workstation's task tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "pcanno/store/project_store.hpp"

namespace pcanno::test {

/// Project "drive" with the sample KITTI tracking sequence 0000 (5 frames) and one task over all
/// of it, assigned to `assignee`; `admin` must be an admin's store. The task's id, or 0 after a
/// test failure.
inline std::int64_t add_sample_task(store::ProjectStore& admin, const std::filesystem::path& sample,
                                    const std::string& assignee) {
  auto project = admin.create_project("drive");
  EXPECT_TRUE(project) << project.error().describe();
  if (!project) return 0;
  EXPECT_TRUE(admin.add_member(project->id, assignee));
  store::SequenceRecord sequence;
  sequence.project_id = project->id;
  sequence.name = "0000";
  sequence.uri = sample.string();
  sequence.frame_count = 5;
  auto added = admin.add_sequence(sequence);
  EXPECT_TRUE(added) << added.error().describe();
  if (!added) return 0;
  store::NewTask task;
  task.sequence_id = added->id;
  task.last_frame = 4;
  auto created = admin.create_task(task);
  EXPECT_TRUE(created) << created.error().describe();
  if (!created) return 0;
  EXPECT_TRUE(admin.assign(created->id, assignee));
  return created->id;
}

}  // namespace pcanno::test
