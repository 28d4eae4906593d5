// The one edit gate: while a job holds the session, edits from anywhere but the job's worker are
// refused with kBusy and change nothing; engine states have codes of their own.
#include <thread>

#include <gtest/gtest.h>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::plugin {
namespace {

using formats::ErrorCode;

std::unique_ptr<Session> session_with_frames(int n) {
  formats::Annotations doc;
  for (int i = 0; i < n; ++i)
    doc.frames.push_back(formats::FrameInfo{std::to_string(i), -1, {}, ""});
  return Session::create(std::move(doc));
}

NewBox box_at(std::int64_t frame, double x) {
  NewBox b;
  b.label = "Thing";
  b.frame = frame;
  b.box = geometry::Cuboid::from_yaw(Eigen::Vector3d(x, 0.0, 0.0), Eigen::Vector3d(2, 1, 1), 0);
  return b;
}

ErrorCode code_of(const formats::Status& status) {
  EXPECT_FALSE(status);
  return status ? ErrorCode::kIo : status.error().code;
}

TEST(EditGate, ABusySessionRefusesEveryEditAndChangesNothing) {
  auto s = session_with_frames(4);
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, 1.0))));
  const std::string before = formats::serialize_pcanno_document(s->document());

  ASSERT_TRUE(s->begin_job("propagate"));
  EXPECT_TRUE(s->busy());
  EXPECT_EQ(s->busy_job(), "propagate");

  const formats::Status add = s->apply(create_track(s->document(), box_at(1, 5.0)));
  EXPECT_EQ(code_of(add), ErrorCode::kBusy);
  EXPECT_NE(add.error().message.find("'propagate' is running"), std::string::npos)
      << add.error().message;
  EXPECT_EQ(code_of(s->undo()), ErrorCode::kBusy);
  EXPECT_EQ(code_of(s->set_frame(2)), ErrorCode::kBusy);
  EXPECT_EQ(s->frame(), 0);
  EXPECT_EQ(code_of(s->save(::testing::TempDir() + "edit_gate.pcanno.json")), ErrorCode::kBusy);
  EXPECT_EQ(code_of(s->begin_job("check")), ErrorCode::kBusy);
  EXPECT_EQ(s->busy_job(), "propagate");  // the second claim did not take over
  EXPECT_EQ(formats::serialize_pcanno_document(s->document()), before);
  EXPECT_TRUE(s->can_undo());  // the refused undo did not consume the step

  s->end_job();
  EXPECT_FALSE(s->busy());
  EXPECT_EQ(s->busy_job(), "");
  EXPECT_TRUE(s->apply(create_track(s->document(), box_at(1, 5.0))));
  EXPECT_EQ(s->document().tracks.size(), 2u);
}

TEST(EditGate, TheJobsOwnThreadMayEditWhileOthersWait) {
  auto s = session_with_frames(4);
  ASSERT_TRUE(s->begin_job("interpolate"));
  formats::Status from_worker = formats::Error{ErrorCode::kIo, "not run", ""};
  formats::Status from_other_thread;
  std::thread worker([&] {
    const Session::JobScope scope(*s);
    from_worker = s->apply(create_track(s->document(), box_at(0, 1.0)));
  });
  worker.join();
  std::thread other(
      [&] { from_other_thread = s->apply(create_track(s->document(), box_at(1, 2.0))); });
  other.join();
  EXPECT_TRUE(from_worker) << from_worker.error().describe();
  EXPECT_EQ(code_of(from_other_thread), ErrorCode::kBusy);
  EXPECT_EQ(s->document().tracks.size(), 1u);
  s->end_job();
  // The job's step is an ordinary undo step afterwards.
  EXPECT_TRUE(s->undo());
  EXPECT_TRUE(s->document().tracks.empty());
}

TEST(EngineErrorCodes, StatesAndArgumentsNoLongerBorrowFileCodes) {
  auto s = session_with_frames(4);
  EXPECT_EQ(code_of(s->undo()), ErrorCode::kConflict);
  EXPECT_EQ(code_of(s->redo()), ErrorCode::kConflict);
  EXPECT_EQ(code_of(s->commit_transaction()), ErrorCode::kConflict);
  ASSERT_TRUE(s->apply(create_track(s->document(), box_at(0, 1.0), 7)));

  const Expected<Command> in_use = create_track(s->document(), box_at(1, 1.0), 7);
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().code, ErrorCode::kConflict);
  NewBox flat = box_at(1, 1.0);
  flat.box.size.z() = 0.0;
  const Expected<Command> zero = create_track(s->document(), flat);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  const Expected<Command> unnamed = set_class(s->document(), 7, "");
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().code, ErrorCode::kInvalidArgument);
  const Expected<Command> missing = delete_track(s->document(), 42);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(code_of(s->save()), ErrorCode::kInvalidArgument);  // no document path yet

  EXPECT_STREQ(formats::to_string(ErrorCode::kBusy), "busy");
  EXPECT_STREQ(formats::to_string(ErrorCode::kConflict), "conflict");
  EXPECT_STREQ(formats::to_string(ErrorCode::kInvalidArgument), "invalid_argument");
}

}  // namespace
}  // namespace pcanno::plugin
