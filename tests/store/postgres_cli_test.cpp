// `pcanno project` against PostgreSQL: the same command line on a team server, where the server
// decides who may do what. The SQLite cases are in tests/app/project_command_test.cpp.
#include <nlohmann/json.hpp>

#include "postgres_support.hpp"
#include "run_command.hpp"
#include "store_suite.hpp"

namespace pcanno::test {
namespace {

class PostgresCli : public StoreSuite {
 protected:
  /// `pcanno project ARGS --db URL-of-USER` with stderr joined.
  CommandResult project(const std::string& user, const std::string& args,
                        const std::string& stdin_text = "") {
    const auto* backend = static_cast<const PostgresBackend*>(backend_.get());
    const std::string url = pg_user_url(user, backend->database());
    const std::string feed = stdin_text.empty() ? "" : "printf '%s\\n' '" + stdin_text + "' | ";
    return run_command(feed + PCANNO_BINARY + std::string(" project ") + args + " --db '" + url +
                       "' 2>&1");
  }
};

TEST_P(PostgresCli, PeopleAddedByTheCliLogInAndTheServerDecidesWhatTheyMayDo) {
  const CommandResult added =
      project("ada", "users add carol --role annotator --password-stdin", password_for("carol"));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  // A password that reached the server through stdin: carol can log in with it.
  std::unique_ptr<store::ProjectStore> carol = open_as("carol");
  ASSERT_TRUE(carol);
  EXPECT_EQ(carol->user(), "carol");

  const CommandResult none = project("carol", "tasks list --json");
  ASSERT_EQ(none.exit_code, 0) << none.out;
  EXPECT_TRUE(nlohmann::json::parse(none.out).empty()) << "alice's task is not carol's to see";

  const std::string id = std::to_string(task_.id);
  const CommandResult assigned = project("ada", "assign " + id + " carol");
  ASSERT_EQ(assigned.exit_code, 0) << assigned.out;
  const nlohmann::json mine =
      nlohmann::json::parse(project("carol", "tasks list --mine --json").out);
  ASSERT_EQ(mine.size(), 1u) << mine.dump();
  EXPECT_EQ(mine[0]["id"], task_.id);

  ASSERT_EQ(project("carol", "start " + id).exit_code, 0);
  ASSERT_EQ(project("carol", "submit " + id + " --note done").exit_code, 0);
  // An annotator may not review; the refusal comes from the server's trigger and grants.
  const CommandResult self_review = project("carol", "review " + id + " --begin");
  EXPECT_EQ(self_review.exit_code, 1) << self_review.out;
  const CommandResult begun = project("rita", "review " + id + " --begin");
  ASSERT_EQ(begun.exit_code, 0) << begun.out;
  const CommandResult rejected = project("rita", "review " + id + " --reject 'box 1 too short'");
  ASSERT_EQ(rejected.exit_code, 0) << rejected.out;

  formats::Expected<std::vector<store::TaskEvent>> events = ada_->task_events(task_.id);
  ASSERT_TRUE(events) << events.error().describe();
  ASSERT_GE(events->size(), 3u);
  const store::TaskEvent& last = events->back();
  EXPECT_EQ(last.to, store::TaskState::kRejected);
  EXPECT_EQ(last.who, "rita");
  EXPECT_EQ(last.reason, "box 1 too short");

  const CommandResult status = project("ada", "status --project city --json --no-points");
  ASSERT_EQ(status.exit_code, 0) << status.out;
  const nlohmann::json report = nlohmann::json::parse(status.out);
  ASSERT_EQ(report["tasks"].size(), 1u) << report.dump();
  EXPECT_EQ(report["tasks"][0]["state"], "rejected");
}

INSTANTIATE_TEST_SUITE_P(Backends, PostgresCli, ::testing::Values("postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace pcanno::test
