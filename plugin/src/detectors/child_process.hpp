#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pcanno/formats/support/expected.hpp"

namespace pcanno::plugin::detail {

/// `argv` joined by spaces, for messages.
std::string command_line(const std::vector<std::string>& argv);

/// A child process spoken to in lines over its stdin and stdout, its stderr kept (the tail) for
/// messages. Started without a shell, in its own process group so that a kill reaches whatever it
/// started. stdin and stdout are socket pairs, not pipes: writes use MSG_NOSIGNAL, so a child that
/// died never raises SIGPIPE in the host. Nothing here blocks beyond the deadline it is given.
class ChildProcess {
 public:
  /// Starts `argv` (argv[0] looked up on PATH when it has no '/') in the folder `cwd` (empty: the
  /// host's). The error names the command and the reason (not found, not executable).
  static formats::Expected<std::unique_ptr<ChildProcess>> start(
      const std::vector<std::string>& argv, const std::string& cwd);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  /// Kills the process group (also when the child has exited: what it started goes too) and reaps
  /// the child, waiting at most a few seconds. A child reaped by someone else (a host ignoring
  /// SIGCHLD) gets no signal: its group's id may name an unrelated group by then.
  ~ChildProcess();

  enum class Outcome {
    kLine,     ///< `line` holds one line of stdout, without its '\n'
    kTimeout,  ///< the deadline passed first
    kStopped,  ///< `stop` returned true
    kClosed,   ///< the child closed its stdout or its stdin (it exited or is exiting)
    kTooLong,  ///< more than `max_line` bytes without a newline
    kIoError,  ///< the operating system reported an error (`detail` says which)
  };
  struct Result {
    Outcome outcome = Outcome::kLine;
    std::string line;
    std::string detail;
  };

  /// Writes `request` (may be empty) to the child's stdin, then reads its next line of stdout.
  /// `stop` is polled about every 20 ms.
  Result exchange(std::string_view request, double timeout_s, std::size_t max_line,
                  const std::function<bool()>& stop);

  /// Waits up to `timeout_s` for the child to exit on its own; true when it did. When it has, the
  /// rest of its process group is killed.
  bool wait_exit(double timeout_s);
  /// SIGKILL to the child's process group and (through its pidfd) to the child, then reaps the
  /// child. Returns within ~5 s even when the child cannot die yet (uninterruptible sleep): a
  /// detached thread then reaps it later (none can be started: it stays a zombie). Never throws.
  void kill();
  /// "exited with status 3", "killed by signal 9" or "is still running".
  std::string exit_description();
  /// The last few KiB the child wrote to stderr (what can be read now, within ~100 ms).
  std::string stderr_tail();
  /// Bytes of stdout consumed so far, and complete lines read: positions for messages.
  std::uint64_t stdout_offset() const { return stdout_offset_; }
  std::uint64_t lines_read() const { return lines_read_; }
  /// Closes the child's stdin: an end-of-file tells a well-behaved child to finish.
  void close_stdin();

 private:
  ChildProcess() = default;
  void drain_stderr();
  /// Non-blocking: true once the child has exited; its group is killed the moment that is seen.
  bool reap();

  pid_t pid_ = -1;
  int pidfd_ = -1;   ///< refers to the child whatever reaps it; -1 when the kernel has no pidfd
  int in_fd_ = -1;   ///< our end of the child's stdin
  int out_fd_ = -1;  ///< our end of the child's stdout
  int err_fd_ = -1;  ///< read end of the child's stderr pipe
  bool exited_ = false;
  bool reaped_elsewhere_ = false;  ///< kill() gave up waiting; a detached thread reaps
  int status_ = 0;
  std::string pending_;  ///< stdout bytes read past the last line
  std::string err_tail_;
  std::uint64_t stdout_offset_ = 0;
  std::uint64_t lines_read_ = 0;
};

}  // namespace pcanno::plugin::detail
