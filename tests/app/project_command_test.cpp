// `pcanno project` end to end on a SQLite store in a temporary folder: the real binary makes the
// changes, the store library reads them back (and makes the label commits an editing client
// would), and the exported labels are compared with what the test committed.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_test_support.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/store/open_store.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pcanno::test::CommandResult;
using pcanno::test::pcanno;
using pcanno::test::run_command;
using namespace pcanno;

class ProjectCommandTest : public ::testing::Test {
 protected:
  /// `pcanno project ARGS --db <the test's store> --user USER`.
  CommandResult project(const std::string& args, const std::string& user = "ada",
                        bool with_stderr = true) {
    return pcanno("project " + args + " --db " + db_ + " --user " + user, with_stderr);
  }
  /// The same with --json: stdout parsed.
  json project_json(const std::string& args, const std::string& user = "ada") {
    const CommandResult r = project(args + " --json", user, false);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
  std::unique_ptr<store::ProjectStore> open_as(const std::string& user) {
    store::StoreOptions options;
    options.user = user;
    auto opened = store::open_store(db_, options);
    if (!opened) {
      ADD_FAILURE() << opened.error().describe();
      return nullptr;
    }
    return std::move(*opened);
  }
  /// A store with project "city", people ada (admin), alice and bob (annotators), rita (reviewer).
  void init_team() {
    ASSERT_EQ(project("init --project city").exit_code, 0);
    for (const auto& [name, role] : std::map<std::string, std::string>{
             {"alice", "annotator"}, {"bob", "annotator"}, {"rita", "reviewer"}}) {
      const CommandResult r = project("users add " + name + " --role " + role);
      ASSERT_EQ(r.exit_code, 0) << r.out;
    }
  }
  /// A KITTI tracking root holding the sample sequence under each of `names` (clouds linked).
  fs::path kitti_root(const std::vector<std::string>& names) {
    const fs::path root = dir_ / "kitti/training";
    for (const char* sub : {"velodyne", "calib", "label_02"}) fs::create_directories(root / sub);
    for (const std::string& name : names) {
      fs::create_directory_symlink(training_ / "velodyne/0000", root / "velodyne" / name);
      fs::copy_file(training_ / "calib/0000.txt", root / "calib" / (name + ".txt"));
      fs::copy_file(training_ / "label_02/0000.txt", root / "label_02" / (name + ".txt"));
    }
    return root;
  }
  void move(const std::string& verb, const std::string& user, const std::string& expect_state) {
    const CommandResult r = project(verb, user);
    ASSERT_EQ(r.exit_code, 0) << verb << ": " << r.out;
    EXPECT_NE(r.out.find(": " + expect_state), std::string::npos) << verb << ": " << r.out;
  }
  /// The sample sequence 0000 in project "city", with its labels (`extra`: more options).
  void add_sample_sequence(const std::string& extra = "") {
    const CommandResult r =
        project("add-sequences --project city " + training_.string() +
                " --labels kitti-tracking:" + (training_ / "label_02/0000.txt").string() + extra);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  /// Moves `task` from new to accepted, `annotator` working and rita reviewing.
  void accept(std::int64_t task, const std::string& annotator) {
    const std::string id = std::to_string(task);
    move("assign " + id + " " + annotator, "ada", "new");
    move("start " + id, annotator, "in_progress");
    move("submit " + id, annotator, "submitted");
    move("review " + id + " --begin", "rita", "in_review");
    move("review " + id + " --accept", "rita", "accepted");
  }

  pcanno::test::TempDir temp_;
  const fs::path dir_ = temp_.path();
  const std::string db_ = "sqlite:" + (dir_ / "team.db").string();
  const fs::path training_ = fs::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
};

TEST_F(ProjectCommandTest, InitSaysSqliteIsSingleUserAndCreatesTheProjectOnce) {
  const CommandResult r = project("init --project city");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("single-user with no access control"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("you act as ada"), std::string::npos) << r.out;
  auto store = open_as("ada");
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->schema_version(), store::kStoreSchemaVersion);
  auto city = store->project("city");
  ASSERT_TRUE(city) << city.error().describe();
  EXPECT_EQ(city->created_by, "ada");

  const CommandResult again = project("init --project city");
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("project city exists already"), std::string::npos) << again.out;
  EXPECT_EQ(store->projects()->size(), 1u);
}

TEST_F(ProjectCommandTest, UsageErrorsExitTwo) {
  // No --db and no PCANNO_DB (unset, in case the caller's environment has one).
  const CommandResult unset =
      run_command("env -u PCANNO_DB " + std::string(PCANNO_BINARY) + " project tasks list 2>&1");
  EXPECT_EQ(unset.exit_code, 2) << unset.out;
  EXPECT_NE(unset.out.find("PCANNO_DB"), std::string::npos) << unset.out;
  // The environment variable is the default for --db.
  ASSERT_EQ(project("init").exit_code, 0);
  const CommandResult from_env = run_command(
      "env PCANNO_DB=" + db_ + " " + std::string(PCANNO_BINARY) + " project users list 2>&1");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.out;
  // --user is SQLite's: a PostgreSQL login is its own user.
  const CommandResult pg_user = pcanno("project users list --db postgresql://h/db --user alice");
  EXPECT_EQ(pg_user.exit_code, 2) << pg_user.out;
  EXPECT_EQ(pcanno("project users list --db mysql:x").exit_code, 2);
  // A password can only come from stdin: there is no option that takes one.
  const CommandResult argv_password = project("users add bob --role annotator --password secret");
  EXPECT_EQ(argv_password.exit_code, 2) << argv_password.out;
  const CommandResult help = pcanno("project users add --help");
  EXPECT_EQ(help.out.find("--password "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--password-stdin"), std::string::npos) << help.out;
  EXPECT_EQ(project("users add bob --role boss").exit_code, 2);
  EXPECT_EQ(project("review 1").exit_code, 2);  // none of --begin, --accept, --reject
  // A task's classes are the store's: `view --task` takes no --schema (refused before any window).
  const CommandResult schema = pcanno("view --db " + db_ + " --task 1 --schema x.json");
  EXPECT_EQ(schema.exit_code, 2) << schema.out;
  EXPECT_NE(schema.out.find("--schema does not apply to --task"), std::string::npos) << schema.out;
}

TEST_F(ProjectCommandTest, UsersAreAddedWithTheirRoleAndListed) {
  init_team();
  const CommandResult with_password =
      run_command("echo 'pw-carl-Secret1' | " + std::string(PCANNO_BINARY) +
                  " project users add carl --role admin --password-stdin --db " + db_ + " 2>&1");
  EXPECT_EQ(with_password.exit_code, 0) << with_password.out;
  EXPECT_EQ(project("users add alice --role reviewer").exit_code, 1);  // exists already

  const json users = project_json("users list");
  std::map<std::string, std::string> roles;
  for (const json& u : users) roles[u["name"]] = u["roles"][0];
  EXPECT_EQ(
      roles,
      (std::map<std::string, std::string>{
          {"alice", "annotator"}, {"bob", "annotator"}, {"carl", "admin"}, {"rita", "reviewer"}}));
}

TEST_F(ProjectCommandTest, AddSequencesRecordsEachSequenceOfATrackingRootWithItsOwnLabels) {
  init_team();
  const fs::path root = kitti_root({"0000", "0001", "0002"});
  const CommandResult r =
      project("add-sequences --project city " + root.string() + " --sequence 0000 --sequence 0002" +
              " --labels kitti-tracking:" + (root / "label_02").string() + " --member alice");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto store = open_as("ada");
  ASSERT_TRUE(store);
  const store::Project city = *store->project("city");
  auto sequences = store->sequences(city.id);
  ASSERT_TRUE(sequences) << sequences.error().describe();
  ASSERT_EQ(sequences->size(), 2u);
  for (const store::SequenceRecord& s : *sequences) {
    EXPECT_EQ(s.uri, root.string());
    EXPECT_EQ(s.layout, "kitti-tracking");
    EXPECT_EQ(s.frame_count, 5);  // the sample's clouds 000000-000004
    EXPECT_EQ(s.labels_uri, "kitti-tracking:" + (root / "label_02" / (s.name + ".txt")).string());
  }
  EXPECT_EQ((*sequences)[0].name, "0000");
  EXPECT_EQ((*sequences)[1].name, "0002");

  // The rest of the root; a name it does not hold is a usage error that adds nothing.
  EXPECT_EQ(project("add-sequences --project city " + root.string() + " --sequence 0009").exit_code,
            2);
  EXPECT_EQ(project("add-sequences --project city " + root.string() + " --sequence 0001").exit_code,
            0);
  EXPECT_EQ(store->sequences(city.id)->size(), 3u);
  // A name taken already is the store's conflict.
  EXPECT_EQ(project("add-sequences --project city " + root.string() + " --sequence 0001").exit_code,
            1);
}

TEST_F(ProjectCommandTest, TasksCoverTheRangeInChunksAndStartFromTheSequenceLabels) {
  init_team();
  add_sample_sequence();
  const CommandResult created =
      project("tasks create --project city --sequence 0000 --frames 1-4 --chunk 3");
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const json tasks = project_json("tasks list --project city");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["first_frame"], 1);
  EXPECT_EQ(tasks[0]["last_frame"], 3);
  EXPECT_EQ(tasks[1]["first_frame"], 4);
  EXPECT_EQ(tasks[1]["last_frame"], 4);
  for (const json& t : tasks) {
    EXPECT_EQ(t["state"], "new");
    EXPECT_EQ(t["version"], 0);
    EXPECT_EQ(t["sequence"], "0000");
    EXPECT_EQ(t["label_kinds"], "boxes");
  }
  // Every task holds the whole document: 15 boxes in 3 tracks over frames 0-4 (the sample labels).
  auto store = open_as("ada");
  ASSERT_TRUE(store);
  auto labels = store->labels(tasks[1]["id"].get<std::int64_t>());
  ASSERT_TRUE(labels) << labels.error().describe();
  EXPECT_EQ(labels->document.box_count(), 15u);
  EXPECT_EQ(labels->document.tracks.size(), 3u);
  EXPECT_EQ(labels->document.frames.size(), 5u);

  EXPECT_EQ(project("tasks create --project city --sequence 0000 --frames 3-9").exit_code, 2);
  EXPECT_EQ(project("tasks create --project city --sequence 0007").exit_code, 2);
  EXPECT_EQ(project("tasks create --project city --sequence 0000 --kinds cubes").exit_code, 2);

  // --mine and --state filter.
  ASSERT_EQ(project("assign " + tasks[1]["id"].dump() + " alice").exit_code, 0);
  const json mine = project_json("tasks list --mine", "alice");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["id"], tasks[1]["id"]);
  EXPECT_EQ(project_json("tasks list --mine", "bob").size(), 0u);
  EXPECT_EQ(project_json("tasks list --state new").size(), 2u);
  EXPECT_EQ(project_json("tasks list --state accepted").size(), 0u);
}

/// The box of `track` at `frame`, or fails the test.
formats::BoxState box_of(const formats::Annotations& doc, std::int64_t track, std::int64_t frame) {
  const formats::Track* t = doc.track(track);
  const formats::BoxState* b = t != nullptr ? t->at(frame) : nullptr;
  if (b == nullptr) {
    ADD_FAILURE() << "no box of track " << track << " at frame " << frame;
    return {};
  }
  return *b;
}

TEST_F(ProjectCommandTest, WorkflowStatusAndExportOfMergedTasks) {
  init_team();
  add_sample_sequence(" --member alice --member bob");
  ASSERT_EQ(project("tasks create --project city --sequence 0000 --chunk 3").exit_code, 0);
  auto ada = open_as("ada");
  ASSERT_TRUE(ada);
  const std::vector<store::Task> tasks = *ada->tasks({});
  ASSERT_EQ(tasks.size(), 2u);
  const std::int64_t first = tasks[0].id, second = tasks[1].id;  // frames 0-2 and 3-4
  const std::string t1 = std::to_string(first), t2 = std::to_string(second);
  const formats::Annotations start = ada->labels(first)->document;
  const std::int64_t track = start.tracks.front().id;

  move("assign " + t1 + " alice", "ada", "new");
  move("start " + t1, "alice", "in_progress");
  // alice edits through the library, as the workstation would: with a lease, two commits. The
  // second box edit lies on frame 4, outside her task's frames, so export must not take it.
  auto alice = open_as("alice");
  ASSERT_TRUE(alice);
  auto lease = alice->acquire_lease(first, std::chrono::minutes(5));
  ASSERT_TRUE(lease) << lease.error().describe();
  formats::BoxState moved = box_of(start, track, 1);
  moved.box.center.x() += 0.05;
  formats::BoxState outside = box_of(start, track, 4);
  outside.box.center.x() += 3.0;
  formats::BoxState flipped = box_of(start, track, 2);
  flipped.box.rotation =  // turned round
      flipped.box.rotation * Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Eigen::Vector3d::UnitZ()));
  store::CommitRequest commit{
      first,         0, lease->token,
      "test-client", 1, {formats::BoxEdit{track, 1, moved}, formats::BoxEdit{track, 4, outside}}};
  ASSERT_TRUE(alice->commit(commit));
  commit = {first, 1, lease->token, "test-client", 2, {formats::BoxEdit{track, 2, flipped}}};
  ASSERT_TRUE(alice->commit(commit));
  // A reviewer's open remark on the second task, and a resolved one.
  store::Comment comment;
  comment.task_id = second;
  comment.frame = 3;
  comment.text = "check the van";
  auto rita = open_as("rita");
  ASSERT_TRUE(rita);
  ASSERT_TRUE(rita->add_comment(comment));
  auto resolved = rita->add_comment(comment);
  ASSERT_TRUE(resolved);
  ASSERT_TRUE(rita->resolve_comment(resolved->id, true));

  const json mid = project_json("status --project city");
  ASSERT_EQ(mid["tasks"].size(), 2u);
  EXPECT_EQ(mid["tasks"][0]["lease_holder"], "alice");
  EXPECT_EQ(mid["tasks"][0]["version"], 2);
  EXPECT_EQ(mid["tasks"][1]["open_comments"], 1);
  // The turned box is a heading flip (an error) in the first task's frames; the untouched sample
  // labels of the second have none (tests/app/check_test.cpp: the sample is clean).
  EXPECT_GE(mid["tasks"][0]["findings"]["error"].get<int>(), 1);
  EXPECT_EQ(mid["tasks"][1]["findings"]["error"], 0);
  EXPECT_EQ(mid["tasks"][0]["points_counted"], true);
  ASSERT_TRUE(alice->release_lease(*lease));

  // submit, review, reject with a reason, start again, an illegal move, then accept.
  move("submit " + t1 + " --note 'frames 0-2 done'", "alice", "submitted");
  move("review " + t1 + " --begin", "rita", "in_review");
  move("review " + t1 + " --reject 'the van is turned round at frame 2'", "rita", "rejected");
  EXPECT_EQ(ada->task(first)->state, store::TaskState::kRejected);
  EXPECT_EQ(ada->task_events(first)->back().reason, "the van is turned round at frame 2");
  move("start " + t1, "alice", "in_progress");
  const CommandResult illegal = project("review " + t1 + " --accept", "rita");
  EXPECT_EQ(illegal.exit_code, 1) << illegal.out;
  EXPECT_NE(illegal.out.find("in_progress"), std::string::npos) << illegal.out;
  EXPECT_EQ(ada->task(first)->state, store::TaskState::kInProgress);
  move("submit " + t1, "alice", "submitted");
  move("review " + t1 + " --begin", "rita", "in_review");
  move("review " + t1 + " --accept", "rita", "accepted");

  // Export before the second task is accepted: its frames go out unlabelled and it is named.
  const fs::path partial = dir_ / "partial.pcanno.json";
  const CommandResult early =
      project("export --project city --to pcanno --out " + partial.string());
  ASSERT_EQ(early.exit_code, 0) << early.out;
  EXPECT_NE(early.out.find("skipped, not accepted: " + t2 + " (frames 3-4, new)"),
            std::string::npos)
      << early.out;
  auto partial_doc = formats::read_pcanno_document(partial);
  ASSERT_TRUE(partial_doc) << partial_doc.error().describe();
  EXPECT_EQ(partial_doc->box_count(), 9u);  // 3 tracks in frames 0-2

  // bob's task starts from the sequence's labels too; his edit on frame 1 lies outside it.
  move("assign " + t2 + " bob", "ada", "new");
  move("start " + t2, "bob", "in_progress");
  auto bob = open_as("bob");
  ASSERT_TRUE(bob);
  auto bob_lease = bob->acquire_lease(second, std::chrono::minutes(5));
  ASSERT_TRUE(bob_lease) << bob_lease.error().describe();
  formats::BoxState stray = box_of(start, track, 1);
  stray.box.center.y() += 7.0;
  commit = {second, 0, bob_lease->token, "bob-client", 1, {formats::BoxEdit{track, 1, stray}}};
  ASSERT_TRUE(bob->commit(commit));
  ASSERT_TRUE(bob->release_lease(*bob_lease));
  move("submit " + t2, "bob", "submitted");
  move("review " + t2 + " --begin", "rita", "in_review");
  move("review " + t2 + " --accept", "rita", "accepted");

  const json status = project_json("status --project city");
  std::map<std::string, json> people;
  for (const json& p : status["people"]) people[p["name"]] = p;
  EXPECT_EQ(people["alice"]["commits"], 2);
  EXPECT_EQ(people["alice"]["edits"], 3);
  EXPECT_EQ(people["alice"]["submitted"], 2);
  EXPECT_EQ(people["alice"]["accepted"], 1);
  EXPECT_EQ(people["bob"]["submitted"], 1);
  EXPECT_EQ(people["bob"]["accepted"], 1);
  EXPECT_EQ(people["bob"]["commits"], 1);
  EXPECT_EQ(people["bob"]["edits"], 1);
  EXPECT_EQ(people["rita"]["reviews"], 3);  // one rejection, two acceptances
  EXPECT_EQ(status["totals"]["tasks"], 2);
  EXPECT_EQ(status["totals"]["states"]["accepted"], 2);
  EXPECT_EQ(status["totals"]["commits"], 3);
  EXPECT_EQ(status["totals"]["edits"], 4);
  EXPECT_EQ(status["totals"]["open_comments"], 1);
  EXPECT_EQ(status["totals"]["findings"]["error"],
            status["tasks"][0]["findings"]["error"].get<int>() +
                status["tasks"][1]["findings"]["error"].get<int>());

  // The export merges the two tasks: alice's frames 0-2 with her edits, bob's frames 3-4 as they
  // started (alice's edit on frame 4 and bob's on frame 1 lay outside their tasks).
  const fs::path out = dir_ / "out/city.pcanno.json";
  const CommandResult exported = project("export --project city --to pcanno --out " + out.string());
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  auto doc = formats::read_pcanno_document(out);
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ(doc->box_count(), start.box_count());
  for (const formats::Track& t : start.tracks) {
    for (const formats::BoxState& b : t.boxes) {
      formats::BoxState expected = b;
      if (t.id == track && b.frame == 1) expected = moved;
      if (t.id == track && b.frame == 2) expected = flipped;
      const formats::BoxState got = box_of(*doc, t.id, b.frame);
      EXPECT_TRUE(got.box.center.isApprox(expected.box.center, 1e-12))
          << "track " << t.id << " frame " << b.frame;
      EXPECT_TRUE(got.box.rotation.isApprox(expected.box.rotation, 1e-12))
          << "track " << t.id << " frame " << b.frame;
    }
  }
  // An existing output is kept without --force.
  const CommandResult again = project("export --project city --to pcanno --out " + out.string());
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find("--force"), std::string::npos) << again.out;
  EXPECT_EQ(project("export --project city --to pcanno --force --out " + out.string()).exit_code,
            0);
  EXPECT_EQ(project("export --project city --to nothing --out " + out.string()).exit_code, 2);
}

TEST_F(ProjectCommandTest, ExportWritesEachAcceptedSequenceAsConvertDoesAndSkipsTheOthers) {
  init_team();
  const fs::path root = kitti_root({"0000", "0001", "0002"});
  ASSERT_EQ(project("add-sequences --project city " + root.string() +
                    " --labels kitti-tracking:" + (root / "label_02").string())
                .exit_code,
            0);
  for (const char* name : {"0000", "0001", "0002"}) {
    ASSERT_EQ(
        project(std::string("tasks create --project city --chunk 2 --sequence ") + name).exit_code,
        0);
  }
  auto ada = open_as("ada");
  ASSERT_TRUE(ada);
  const std::vector<store::Task> tasks = *ada->tasks({});
  ASSERT_EQ(tasks.size(), 9u);  // frames 0-1, 2-3, 4 of each sequence
  for (std::size_t i = 0; i < 6; ++i) accept(tasks[i].id, "alice");  // 0000 and 0001
  move("assign " + std::to_string(tasks[6].id) + " bob", "ada", "new");
  move("start " + std::to_string(tasks[6].id), "bob", "in_progress");

  const fs::path out = dir_ / "export";
  const CommandResult r =
      project("export --project city --to kitti-tracking --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("sequence 0002: skipped, no accepted task (" + std::to_string(tasks[6].id) +
                       " (frames 0-1, in_progress)"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(out / "0002.txt"));
  // Unedited tasks merged back are the sequence's labels as `pcanno convert` writes them, byte for
  // byte.
  const fs::path converted = dir_ / "converted.txt";
  const CommandResult c = pcanno("convert " + (training_ / "label_02/0000.txt").string() +
                                 " --to kitti-tracking --out " + converted.string());
  ASSERT_EQ(c.exit_code, 0) << c.out;
  for (const char* name : {"0000.txt", "0001.txt"}) {
    ASSERT_TRUE(fs::exists(out / name)) << r.out;
    EXPECT_EQ(pcanno::test::slurp(out / name), pcanno::test::slurp(converted)) << name;
  }
}

// Two annotators each add a new object in their own task under the same id (each task numbers
// from the same starting labels): the export keeps them two objects, while an object of the
// starting labels that crosses the task boundary stays one track.
TEST_F(ProjectCommandTest, ExportKeepsObjectsThatTwoTasksAddedUnderOneIdApart) {
  init_team();
  add_sample_sequence();
  ASSERT_EQ(project("tasks create --project city --sequence 0000 --chunk 3").exit_code, 0);
  auto ada = open_as("ada");
  ASSERT_TRUE(ada);
  const std::vector<store::Task> tasks = *ada->tasks({});
  ASSERT_EQ(tasks.size(), 2u);  // frames 0-2 and 3-4
  const formats::Annotations start = ada->labels(tasks[0].id)->document;
  std::int64_t new_id = 0;
  for (const formats::Track& t : start.tracks) new_id = std::max(new_id, t.id + 1);

  // A pedestrian on frame 1 of the first task and a cyclist on frame 4 of the second, same id.
  // In the second, bob also deletes the starting object with the highest id and draws a truck,
  // which the engine would number with the freed id: a new object too, not the deleted one.
  const std::int64_t last_id = new_id - 1;
  const std::pair<const char*, std::int64_t> added[] = {{"Pedestrian", 1}, {"Cyclist", 4}};
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string annotator = i == 0 ? "alice" : "bob";
    const std::string id = std::to_string(tasks[i].id);
    move("assign " + id + " " + annotator, "ada", "new");
    move("start " + id, annotator, "in_progress");
    auto person = open_as(annotator);
    ASSERT_TRUE(person);
    auto lease = person->acquire_lease(tasks[i].id, std::chrono::minutes(5));
    ASSERT_TRUE(lease) << lease.error().describe();
    formats::Track track;
    track.id = new_id;
    track.label = added[i].first;
    formats::BoxState box;
    box.frame = added[i].second;
    box.box.center = Eigen::Vector3d(5.0 + 10.0 * i, -2.0, -1.0);
    box.box.size = Eigen::Vector3d(0.8, 0.6, 1.7);
    track.boxes.push_back(box);
    store::CommitRequest commit{tasks[i].id, 0, lease->token,
                                annotator,   1, {formats::TrackEdit{new_id, track}}};
    if (i == 1) {
      formats::Track truck = track;
      truck.id = last_id;
      truck.label = "Truck";
      truck.boxes.front().frame = 3;
      commit.edits.push_back(formats::TrackEdit{last_id, std::nullopt});
      commit.edits.push_back(formats::TrackEdit{last_id, truck});
    }
    ASSERT_TRUE(person->commit(commit));
    ASSERT_TRUE(person->release_lease(*lease));
    move("submit " + id, annotator, "submitted");
    move("review " + id + " --begin", "rita", "in_review");
    move("review " + id + " --accept", "rita", "accepted");
  }

  const fs::path out = dir_ / "out/city.pcanno.json";
  const CommandResult exported = project("export --project city --to pcanno --out " + out.string());
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  auto doc = formats::read_pcanno_document(out);
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ(doc->tracks.size(), start.tracks.size() + 3);
  std::map<std::string, std::vector<std::int64_t>> frames_by_class;
  std::set<std::int64_t> new_ids;
  for (const formats::Track& t : doc->tracks) {
    if (t.label != "Pedestrian" && t.label != "Cyclist" && t.label != "Truck") continue;
    if (start.track(t.id) != nullptr) continue;
    new_ids.insert(t.id);
    for (const formats::BoxState& b : t.boxes) frames_by_class[t.label].push_back(b.frame);
  }
  EXPECT_EQ(new_ids.size(), 3u);
  EXPECT_EQ(frames_by_class["Pedestrian"], std::vector<std::int64_t>{1});
  EXPECT_EQ(frames_by_class["Cyclist"], std::vector<std::int64_t>{4});
  EXPECT_EQ(frames_by_class["Truck"], std::vector<std::int64_t>{3});
  // The starting objects span both tasks, each one track as before; the one bob deleted keeps
  // only the first task's frames.
  for (const formats::Track& t : start.tracks) {
    const formats::Track* got = doc->track(t.id);
    ASSERT_NE(got, nullptr) << t.id;
    EXPECT_EQ(got->label, t.label) << t.id;
    std::vector<std::int64_t> expected, frames;
    for (const formats::BoxState& b : t.boxes) {
      if (t.id != last_id || b.frame <= 2) expected.push_back(b.frame);
    }
    for (const formats::BoxState& b : got->boxes) frames.push_back(b.frame);
    EXPECT_EQ(frames, expected) << t.id;
  }
}

}  // namespace
