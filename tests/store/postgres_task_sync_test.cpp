// A task client across a real PostgreSQL restart: the server stops in the middle of a person's
// edits and starts again; every edit lands once, in order.
#include <chrono>
#include <set>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/store/task_sync.hpp"
#include "postgres_support.hpp"
#include "store_suite.hpp"
#include "temp_dir.hpp"

namespace pcanno::test {
namespace {

using namespace std::chrono_literals;

class PostgresTaskSync : public StoreSuite {};

TEST_P(PostgresTaskSync, AServerRestartMidSessionLosesAndDoublesNothing) {
  TempDir dir("pcanno_pg_sync_");
  store::TaskSyncOptions options;
  options.outbox = dir.path() / "outbox";
  options.retry_min = 50ms;
  options.retry_max = 500ms;
  auto sync = store::TaskSync::open(open_as("alice"), task_.id, options);
  ASSERT_TRUE(sync) << sync.error().describe();
  formats::Annotations expected = (*sync)->document();
  const auto edit = [&](int i) {
    const std::vector<formats::DocumentEdit> edits = {
        formats::BoxEdit{1, 1 + i % 9, box_at(1 + i % 9, 3.0 + 0.5 * i)}};
    ASSERT_TRUE(formats::apply_edits(expected, edits));
    ASSERT_TRUE((*sync)->push(edits));
  };
  for (int i = 0; i < 10; ++i) edit(i);
  ASSERT_TRUE((*sync)->wait_synced(30s)) << (*sync)->status().message;

  ASSERT_TRUE(pg_cluster_control("stop"));
  for (int i = 10; i < 25; ++i) edit(i);  // the person goes on working
  EXPECT_FALSE((*sync)->wait_synced(1s));
  EXPECT_EQ((*sync)->status().state, store::SyncState::kOffline) << (*sync)->status().message;
  ASSERT_TRUE(pg_cluster_control("start"));
  for (int i = 25; i < 30; ++i) edit(i);
  ASSERT_TRUE((*sync)->wait_synced(60s)) << (*sync)->status().message;

  // ada's own connection died with the server; a fresh one reads what the store holds.
  std::unique_ptr<store::ProjectStore> checker = open_as("ada");
  ASSERT_TRUE(checker);
  formats::Expected<std::vector<store::LabelCommit>> log = checker->history(task_.id, 0);
  ASSERT_TRUE(log) << log.error().describe();
  std::set<std::int64_t> seqs;
  for (const store::LabelCommit& commit : *log) {
    EXPECT_TRUE(seqs.insert(commit.client_seq).second) << commit.client_seq << " twice";
  }
  EXPECT_EQ(seqs.size(), 30u);
  EXPECT_EQ(*seqs.rbegin(), 30);
  formats::Expected<store::TaskLabels> labels = checker->labels(task_.id);
  ASSERT_TRUE(labels) << labels.error().describe();
  EXPECT_EQ(formats::serialize_pcanno_document(labels->document),
            formats::serialize_pcanno_document(expected));
  ASSERT_TRUE((*sync)->close(10s));
}

INSTANTIATE_TEST_SUITE_P(Backends, PostgresTaskSync, ::testing::Values("postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace pcanno::test
