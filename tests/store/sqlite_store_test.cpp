// What only the embedded backend does: a store file's life cycle and its schema check.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "pcanno/store/open_store.hpp"
#include "temp_dir.hpp"

namespace pcanno::test {
namespace {

using formats::ErrorCode;

void set_schema_version(const std::filesystem::path& file, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE schema_version SET version = ?", -1, &stmt, nullptr),
            SQLITE_OK);
  sqlite3_bind_int(stmt, 1, version);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStore, AMissingStoreNamesTheCommandThatCreatesIt) {
  TempDir dir;
  const std::string url = "sqlite:" + (dir.path() / "none.db").string();
  formats::Expected<std::unique_ptr<store::ProjectStore>> opened = store::open_store(url);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kNotFound);
  EXPECT_NE(opened.error().message.find("pcanno project init --db " + url), std::string::npos)
      << opened.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none.db")) << "opening must not create it";
}

TEST(SqliteStore, TheSchemaIsCheckedAtConnectAndMigratedByInit) {
  TempDir dir;
  const std::filesystem::path file = dir.path() / "project.db";
  const std::string url = "sqlite:" + file.string();
  ASSERT_TRUE(store::open_store(url, {"ada", true}));
  // Initialising again is harmless: the data stays.
  {
    auto store = store::open_store(url, {"ada", false});
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->create_project("kept"));
  }
  ASSERT_TRUE(store::open_store(url, {"ada", true}));

  set_schema_version(file, store::kStoreSchemaVersion + 1);
  formats::Expected<std::unique_ptr<store::ProjectStore>> newer = store::open_store(url);
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos) << newer.error().message;
  EXPECT_FALSE(store::open_store(url, {"ada", true})) << "init must not downgrade";

  set_schema_version(file, store::kStoreSchemaVersion);
  auto store = store::open_store(url, {"ada", false});
  ASSERT_TRUE(store);
  auto kept = (*store)->project("kept");
  EXPECT_TRUE(kept) << "the project survived both inits";
}

TEST(SqliteStore, AFileThatIsNotAStoreIsRefusedWithItsName) {
  TempDir dir;
  const std::filesystem::path file = dir.path() / "notes.db";
  { std::ofstream(file) << "these are not the tables you are looking for\n"; }
  formats::Expected<std::unique_ptr<store::ProjectStore>> opened =
      store::open_store("sqlite:" + file.string());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().path, file.string());
  EXPECT_EQ(opened.error().code, ErrorCode::kMalformed) << opened.error().describe();
}

TEST(SqliteStore, AnUnknownSchemeIsAUsageError) {
  formats::Expected<std::unique_ptr<store::ProjectStore>> opened =
      store::open_store("mysql://localhost/x");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(opened.error().message.find("sqlite:PATH"), std::string::npos);
}

TEST(SqliteStore, TwoProcessesShareOneFileWithoutLosingCommits) {
  TempDir dir;
  const std::string url = "sqlite:" + (dir.path() / "project.db").string();
  auto admin = store::open_store(url, {"ada", true});
  ASSERT_TRUE(admin);
  auto project = (*admin)->create_project("p");
  ASSERT_TRUE(project);
  auto sequence = (*admin)->add_sequence({0, project->id, "s", "/data", "", "", 100});
  ASSERT_TRUE(sequence);
  constexpr int kWriters = 4;
  constexpr int kCommits = 25;
  std::vector<std::int64_t> task_ids;
  for (int i = 0; i < kWriters; ++i) {
    auto task = (*admin)->create_task({sequence->id, 0, 99, store::kBoxes, std::nullopt});
    ASSERT_TRUE(task);
    task_ids.push_back(task->id);
  }
  std::vector<pid_t> children;
  for (int i = 0; i < kWriters; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto own = store::open_store(url, {"writer" + std::to_string(i), false});
      if (!own) _exit(10);
      auto lease = (*own)->acquire_lease(task_ids[i], std::chrono::seconds(60));
      if (!lease) _exit(11);
      for (int c = 0; c < kCommits; ++c) {
        formats::Track track;
        track.id = c + 1;
        track.label = "x";
        auto version = (*own)->commit(
            {task_ids[i], c, lease->token, "w", c, {formats::TrackEdit{c + 1, track}}});
        if (!version || *version != c + 1) _exit(12);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer exit " << status;
  }
  for (std::int64_t task_id : task_ids) {
    auto labels = (*admin)->labels(task_id);
    ASSERT_TRUE(labels) << labels.error().describe();
    EXPECT_EQ(labels->version, kCommits);
    EXPECT_EQ(labels->document.tracks.size(), static_cast<std::size_t>(kCommits));
  }
}

}  // namespace
}  // namespace pcanno::test
