// The process the journal crash test kills: applies CommandStream(seed) to a journaled session on
// <document> for ever, acknowledging each step on stdout only after the Session call returned.
//
// Usage: pcanno_journal_crash_child <document> <seed> none|data
// Acknowledgement: "<steps completed> <content_hash of the serialized document>\n", one write()
// per line, so a kill never leaves half an acknowledgement. Exits 2 when a Session call fails.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "command_stream.hpp"
#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/journal.hpp"
#include "pcanno/plugin/session.hpp"

namespace {

bool write_line(const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pcanno;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <document> <seed> none|data\n", argv[0]);
    return 2;
  }
  plugin::SessionOptions options;
  options.document = argv[1];
  options.journal = true;
  options.journal_sync =
      std::string(argv[3]) == "data" ? plugin::JournalSync::kData : plugin::JournalSync::kNone;
  options.load_plugins = false;
  formats::Expected<std::unique_ptr<plugin::Session>> session = plugin::Session::open(options);
  if (!session) {
    std::fprintf(stderr, "crash child: %s\n", session.error().describe().c_str());
    return 2;
  }
  plugin::Session& s = **session;
  test::CommandStream stream(std::strtoull(argv[2], nullptr, 10));
  for (std::uint64_t done = 1;; ++done) {
    const test::StepResult r = stream.step(s, true);
    if (!r.status) {
      std::fprintf(stderr, "crash child: step %llu failed: %s\n",
                   static_cast<unsigned long long>(done), r.status.error().describe().c_str());
      return 2;
    }
    const std::string hash = plugin::content_hash(formats::serialize_pcanno_document(s.document()));
    if (!write_line(std::to_string(done) + " " + hash + "\n")) return 3;  // the test went away
  }
}
