// A load test of the project store: N simulated annotators, each with their own connection, task
// and lease, commit M edits as fast as the store takes them. Prints commit latency (p50, p99, max)
// and edits per second, then checks that every task holds exactly its M edits (none lost, none
// twice) and exits 1 when one does not. bench/store_load.sh runs it on a throw-away PostgreSQL
// cluster and on SQLite; the figures are in docs/performance.md.
//
// usage: pcanno_store_load --admin-db URL --annotator-db TEMPLATE [--annotators 50] [--edits 1000]
//   TEMPLATE is a store URL in which {user} and {password} are replaced for each annotator, e.g.
//   "postgresql:host=127.0.0.1 port=5432 dbname=load user={user} password={password}" or
//   "sqlite:/tmp/load.db" (a SQLite store takes the annotator's name as StoreOptions::user).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pcanno/store/open_store.hpp"

namespace {

using namespace pcanno;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string admin_db;
  std::string annotator_db;
  int annotators = 50;
  int edits = 1000;
};

struct Worker {
  std::string user;
  std::int64_t task_id = 0;
  std::vector<double> latency_ms;
  int busy_retries = 0;
  std::string failure;
};

std::string replace_all(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

std::string password_of(const std::string& user) { return "load-" + user + "-Pw1"; }

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--admin-db") {
      options.admin_db = value;
    } else if (key == "--annotator-db") {
      options.annotator_db = value;
    } else if (key == "--annotators") {
      options.annotators = std::atoi(value.c_str());
    } else if (key == "--edits") {
      options.edits = std::atoi(value.c_str());
    } else {
      return false;
    }
  }
  return !options.admin_db.empty() && !options.annotator_db.empty() && options.annotators > 0 &&
         options.edits > 0 && argc % 2 == 1;
}

std::vector<formats::DocumentEdit> edit_for(int i) {
  if (i == 0) {
    formats::Track track;
    track.id = 1;
    track.label = "load";
    return {formats::TrackEdit{1, track}};
  }
  formats::BoxState box;
  box.frame = i % 100;
  box.box.center = Eigen::Vector3d(0.01 * i, 2.0, 0.8);
  box.box.size = Eigen::Vector3d(4.0, 1.8, 1.5);
  return {formats::BoxEdit{1, box.frame, box}};
}

void annotate(const Options& options, Worker& worker, std::atomic<int>& ready,
              const std::atomic<bool>& go) {
  const std::string url = replace_all(replace_all(options.annotator_db, "{user}", worker.user),
                                      "{password}", password_of(worker.user));
  auto store = store::open_store(url, {worker.user, false});
  auto lease = store ? (*store)->acquire_lease(worker.task_id, std::chrono::minutes(10))
                     : formats::Expected<store::Lease>(store.error());
  ++ready;
  while (!go) std::this_thread::yield();
  if (!lease) {
    worker.failure = lease.error().describe();
    return;
  }
  worker.latency_ms.reserve(static_cast<std::size_t>(options.edits));
  for (int i = 0; i < options.edits; ++i) {
    const auto start = Clock::now();
    const store::CommitRequest request{worker.task_id, i, lease->token, "load", i + 1, edit_for(i)};
    auto version = (*store)->commit(request);
    // A store that stays busy past its lock timeout (SQLite under many writers) is retried, as
    // TaskSync does; the commit is idempotent, and the wait counts in the latency.
    while (!version && version.error().code == formats::ErrorCode::kBusy) {
      ++worker.busy_retries;
      version = (*store)->commit(request);
    }
    worker.latency_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!version) {
      worker.failure = "edit " + std::to_string(i + 1) + ": " + version.error().describe();
      return;
    }
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  const std::size_t at =
      std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at];
}

/// Exactly `edits` commits with sequence numbers 1..edits and the document at that version.
std::string verify(store::ProjectStore& admin, const Worker& worker, int edits) {
  auto log = admin.history(worker.task_id, 0);
  if (!log) return log.error().describe();
  std::vector<bool> seen(static_cast<std::size_t>(edits) + 1, false);
  for (const store::LabelCommit& commit : *log) {
    if (commit.client_seq < 1 || commit.client_seq > edits) return "an unknown sequence number";
    if (seen[static_cast<std::size_t>(commit.client_seq)]) return "an edit stored twice";
    seen[static_cast<std::size_t>(commit.client_seq)] = true;
  }
  if (static_cast<int>(log->size()) != edits) {
    return std::to_string(edits - static_cast<int>(log->size())) + " edits lost";
  }
  auto labels = admin.labels(worker.task_id);
  if (!labels) return labels.error().describe();
  if (labels->version != edits)
    return "the labels are at version " + std::to_string(labels->version);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s --admin-db URL --annotator-db TEMPLATE [--annotators N] [--edits M]\n",
                 argv[0]);
    return 2;
  }
  auto admin = store::open_store(options.admin_db, {"load_admin", true});
  if (!admin) {
    std::fprintf(stderr, "store_load: %s\n", admin.error().describe().c_str());
    return 1;
  }
  const std::string run =
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  auto project = (*admin)->create_project("load-" + run);
  auto sequence = project ? (*admin)->add_sequence({0, project->id, "s", "/load", "", "", 100})
                          : formats::Expected<store::SequenceRecord>(project.error());
  if (!sequence) {
    std::fprintf(stderr, "store_load: %s\n", sequence.error().describe().c_str());
    return 1;
  }
  std::vector<Worker> workers(static_cast<std::size_t>(options.annotators));
  for (std::size_t i = 0; i < workers.size(); ++i) {
    Worker& worker = workers[i];
    worker.user = "load_" + std::to_string(i);
    formats::Status added =
        (*admin)->add_user(worker.user, store::Role::kAnnotator, password_of(worker.user));
    if (!added && added.error().code != formats::ErrorCode::kConflict) {
      std::fprintf(stderr, "store_load: %s\n", added.error().describe().c_str());
      return 1;
    }
    auto task = (*admin)->create_task({sequence->id, 0, 99, store::kBoxes, std::nullopt});
    if (!task || !(*admin)->add_member(project->id, worker.user) ||
        !(*admin)->assign(task->id, worker.user)) {
      std::fprintf(stderr, "store_load: cannot set up %s's task\n", worker.user.c_str());
      return 1;
    }
    worker.task_id = task->id;
  }

  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (Worker& worker : workers) {
    threads.emplace_back([&] { annotate(options, worker, ready, go); });
  }
  while (ready < options.annotators) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = Clock::now();
  go = true;
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  int failures = 0;
  int busy_retries = 0;
  for (const Worker& worker : workers) {
    busy_retries += worker.busy_retries;
    all.insert(all.end(), worker.latency_ms.begin(), worker.latency_ms.end());
    std::string problem =
        worker.failure.empty() ? verify(**admin, worker, options.edits) : worker.failure;
    if (!problem.empty()) {
      ++failures;
      std::fprintf(stderr, "store_load: %s (task %lld): %s\n", worker.user.c_str(),
                   static_cast<long long>(worker.task_id), problem.c_str());
    }
  }
  std::printf(
      "{\"backend\": \"%s\", \"annotators\": %d, \"edits_each\": %d, \"commits\": %zu, "
      "\"seconds\": %.3f, \"edits_per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
      "\"max_ms\": %.3f, \"busy_retries\": %d, \"failed_annotators\": %d}\n",
      (*admin)->backend().c_str(), options.annotators, options.edits, all.size(), seconds,
      static_cast<double>(all.size()) / seconds, percentile(all, 0.50), percentile(all, 0.99),
      all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()), busy_retries, failures);
  return failures == 0 ? 0 : 1;
}
