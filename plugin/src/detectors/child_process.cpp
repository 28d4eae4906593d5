#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

namespace pcanno::plugin::detail {
namespace {

using formats::Error;
using formats::ErrorCode;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kStderrTail = 4096;
/// [s] how long kill() waits for the killed child to be reaped before leaving that to a thread.
constexpr double kReapBound_s = 5.0;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

/// A pidfd for `pid` (close-on-exec), or -1 where the kernel has none (before Linux 5.3). Called
/// through syscall(): glibc wraps it only since 2.36.
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

/// Sends `sig` to the process `pidfd` refers to, which can never be another process that reused
/// the pid. False when that failed.
bool pidfd_signal(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
  return ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0;
#else
  (void)pidfd;
  (void)sig;
  return false;
#endif
}

}  // namespace

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

formats::Expected<std::unique_ptr<ChildProcess>> ChildProcess::start(
    const std::vector<std::string>& argv, const std::string& cwd) {
  if (argv.empty()) return Error{ErrorCode::kInvalidArgument, "empty command", ""};
  int in_pair[2];
  int out_pair[2];
  int err_pipe[2] = {-1, -1};
  // close-on-exec: stays empty when exec succeeds, holds errno when it fails
  int exec_pipe[2] = {-1, -1};
  int go_pipe[2] = {-1, -1};  // the child waits on it until the host holds a pidfd for it
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    return Error{ErrorCode::kIo, "cannot create a socket pair: " + std::string(std::strerror(errno)), ""};
  }
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out_pair) != 0) {
    ::close(in_pair[0]);
    ::close(in_pair[1]);
    return Error{ErrorCode::kIo, "cannot create a socket pair: " + std::string(std::strerror(errno)), ""};
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0 || ::pipe2(exec_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(go_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    for (int fd : {in_pair[0], in_pair[1], out_pair[0], out_pair[1], err_pipe[0], err_pipe[1],
                   exec_pipe[0], exec_pipe[1], go_pipe[0], go_pipe[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return Error{ErrorCode::kIo, "cannot create a pipe: " + std::string(std::strerror(error)), ""};
  }
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* dir = cwd.empty() ? nullptr : cwd.c_str();

  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    // Wait for the host's pidfd: until then this process cannot exit on its own, so the pidfd names
    // it and not a process that reused its pid after a host ignoring SIGCHLD had it reaped. A byte,
    // not end of file: a sibling forked meanwhile by another thread holds a copy of the write end.
    char go = 0;
    while (::read(go_pipe[0], &go, 1) < 0 && errno == EINTR) {
    }
    ::dup2(in_pair[1], 0);
    ::dup2(out_pair[1], 1);
    ::dup2(err_pipe[1], 2);
    int error = 0;
    if (dir != nullptr && ::chdir(dir) != 0) {
      error = errno;
    } else {
      ::execvp(args[0], args.data());
      error = errno;
    }
    ssize_t ignored = ::write(exec_pipe[1], &error, sizeof error);
    (void)ignored;
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(in_pair[1]);
  ::close(out_pair[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);
  ::close(go_pipe[0]);
  const int pidfd = pid > 0 ? open_pidfd(pid) : -1;
  if (pid > 0) {
    const char go = 1;
    while (::write(go_pipe[1], &go, 1) < 0 && errno == EINTR) {
    }
  }
  ::close(go_pipe[1]);
  if (pid < 0) {
    for (int fd : {in_pair[0], out_pair[0], err_pipe[0], exec_pipe[0]}) ::close(fd);
    return Error{ErrorCode::kIo,
                 "cannot start '" + command_line(argv) + "': " + std::strerror(fork_errno), ""};
  }
  ::setpgid(pid, pid);  // also from here: whichever runs first
  int exec_error = 0;
  ssize_t n = 0;
  do {
    n = ::read(exec_pipe[0], &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->pidfd_ = pidfd;
  child->in_fd_ = in_pair[0];
  child->out_fd_ = out_pair[0];
  child->err_fd_ = err_pipe[0];
  set_nonblocking(child->in_fd_);
  set_nonblocking(child->out_fd_);
  set_nonblocking(child->err_fd_);
  if (n > 0) {
    child->kill();
    return Error{ErrorCode::kNotFound,
                 "cannot start '" + command_line(argv) + "': " + std::strerror(exec_error) +
                     (dir != nullptr ? " (in folder " + cwd + ")" : ""),
                 ""};
  }
  return child;
}

ChildProcess::~ChildProcess() {
  kill();
  close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
  close_fd(pidfd_);
}

void ChildProcess::close_stdin() { close_fd(in_fd_); }

bool ChildProcess::reap() {
  if (exited_) return true;
  // Peek first (WNOWAIT): while the exited child is a zombie its pid, and so its process group's
  // id, cannot be reused, so the group kill below reaches only what the child left behind (a
  // wrapper's background helper, a model server), never an unrelated process. Through the pidfd
  // the peek cannot see another child of the host that reused the pid.
  siginfo_t info{};
  int r = 0;
  do {
    r = pidfd_ >= 0
            ? ::waitid(P_PIDFD, static_cast<id_t>(pidfd_), &info, WEXITED | WNOHANG | WNOWAIT)
            : ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  if (r < 0 && errno == ECHILD) {
    // Reaped behind our back (a host that ignores SIGCHLD). Nothing then reserves the group's id
    // once the group is empty: it may name an unrelated process group by now, so no signal is
    // sent, at the price of leaving what the child started running.
    exited_ = true;
    return true;
  }
  if (r < 0 || info.si_pid != pid_) return false;
  ::kill(-pid_, SIGKILL);  // the run is over for the whole group, on every path
  int status = 0;
  pid_t w = 0;
  do {
    w = ::waitpid(pid_, &status, WNOHANG);  // the zombie we hold: returns at once
  } while (w < 0 && errno == EINTR);
  exited_ = true;
  status_ = w == pid_ ? status : 0;
  return true;
}

void ChildProcess::kill() {
  // A child seen exited had its group killed by reap() while its zombie held the id; one reaped
  // behind our back (ECHILD) gets nothing. Otherwise it was unreaped a moment ago, so the group's
  // id is still ours (only a host ignoring SIGCHLD could free it in between, in microseconds,
  // and a pid is reused only after the kernel has handed out all others).
  if (reap()) return;
  ::kill(-pid_, SIGKILL);  // the group: whatever the child started goes with it
  if (pidfd_ >= 0) {
    pidfd_signal(pidfd_, SIGKILL);  // and the child, should it have left the group
  } else {
    ::kill(pid_, SIGKILL);
  }
  if (wait_exit(kReapBound_s)) return;
  // SIGKILL cannot be ignored, but a process in uninterruptible sleep (a hung NFS or GPU driver
  // call) dies only when the call returns. Never hang the caller: a detached thread reaps it then.
  const pid_t pid = pid_;
  const int pidfd = pidfd_;
  try {
    std::thread([pid, pidfd] {
      siginfo_t info{};
      if (pidfd >= 0) {
        while (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) < 0 && errno == EINTR) {
        }
        ::close(pidfd);
      } else {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
    }).detach();
    pidfd_ = -1;  // the thread closes it
  } catch (const std::system_error&) {
    // No thread to be had (this runs from the destructor, where a throw is std::terminate): the
    // child is left a zombie until the host exits; nothing here waits for it any more.
  }
  exited_ = true;
  reaped_elsewhere_ = true;
}

bool ChildProcess::wait_exit(double timeout_s) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (!reap()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string ChildProcess::exit_description() {
  // A child that closed its stdout is usually exiting: give it a moment to be reaped.
  wait_exit(0.5);
  if (!exited_) return "is still running";
  if (reaped_elsewhere_)
    return "did not die within " + std::to_string(static_cast<int>(kReapBound_s)) + " s of SIGKILL";
  if (WIFEXITED(status_)) return "exited with status " + std::to_string(WEXITSTATUS(status_));
  if (WIFSIGNALED(status_)) {
    return "killed by signal " + std::to_string(WTERMSIG(status_)) + " (" +
           strsignal(WTERMSIG(status_)) + ")";
  }
  return "ended";
}

void ChildProcess::drain_stderr() {
  if (err_fd_ < 0) return;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(err_fd_, buffer, sizeof buffer);
    if (n > 0) {
      err_tail_.append(buffer, static_cast<std::size_t>(n));
      if (err_tail_.size() > 2 * kStderrTail) err_tail_.erase(0, err_tail_.size() - kStderrTail);
      continue;
    }
    if (n == 0) close_fd(err_fd_);
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

std::string ChildProcess::stderr_tail() {
  // What the child wrote just before it failed may still be in flight: wait briefly for more.
  const auto deadline = Clock::now() + std::chrono::milliseconds(100);
  while (err_fd_ >= 0 && Clock::now() < deadline) {
    pollfd p{err_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) drain_stderr();
  }
  drain_stderr();
  std::string tail = err_tail_.size() > kStderrTail ? err_tail_.substr(err_tail_.size() - kStderrTail)
                                                    : err_tail_;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return tail;
}

ChildProcess::Result ChildProcess::exchange(std::string_view request, double timeout_s,
                                            std::size_t max_line,
                                            const std::function<bool()>& stop) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  std::size_t written = 0;
  bool exited_seen = false;
  char buffer[65536];
  for (;;) {
    // A line already buffered answers at once, but only after the whole request is out.
    if (written == request.size()) {
      const std::size_t newline = pending_.find('\n');
      if (newline != std::string::npos && newline > max_line) {
        return {Outcome::kTooLong, "",
                "a line of " + std::to_string(newline) + " bytes, more than " +
                    std::to_string(max_line)};
      }
      if (newline != std::string::npos) {
        Result r;
        r.line = pending_.substr(0, newline);
        if (!r.line.empty() && r.line.back() == '\r') r.line.pop_back();
        pending_.erase(0, newline + 1);
        stdout_offset_ += newline + 1;
        ++lines_read_;
        return r;
      }
      if (pending_.size() > max_line) {
        return {Outcome::kTooLong, "",
                "more than " + std::to_string(max_line) + " bytes without a newline"};
      }
    }
    if (stop && stop()) return {Outcome::kStopped, "", ""};
    const auto now = Clock::now();
    if (now >= deadline) return {Outcome::kTimeout, "", ""};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = pollfd{out_fd_, POLLIN, 0};
    fds[n++] = pollfd{err_fd_, POLLIN, 0};  // a closed one (-1) is ignored by poll
    const bool writing = written < request.size();
    if (writing) {
      if (in_fd_ < 0) return {Outcome::kClosed, "", "the child's stdin is closed"};
      fds[n++] = pollfd{in_fd_, POLLOUT, 0};
    }
    const int ready = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count() + 1, 20)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return {Outcome::kIoError, "", std::string("poll: ") + std::strerror(errno)};
    }
    if (fds[1].revents != 0) drain_stderr();
    if (writing && fds[2].revents != 0) {
      const ssize_t w = ::send(in_fd_, request.data() + written, request.size() - written,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) {
        written += static_cast<std::size_t>(w);
      } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return {Outcome::kClosed, "",
                "writing the request failed after " + std::to_string(written) + " of " +
                    std::to_string(request.size()) + " bytes: " + std::strerror(errno)};
      }
    }
    if (fds[0].revents != 0) {
      const ssize_t r = ::recv(out_fd_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (r > 0) {
        pending_.append(buffer, static_cast<std::size_t>(r));
        if (pending_.size() > max_line && pending_.find('\n') == std::string::npos) {
          return {Outcome::kTooLong, "",
                  "more than " + std::to_string(max_line) + " bytes without a newline"};
        }
      } else if (r == 0) {
        if (pending_.find('\n') == std::string::npos || written < request.size()) {
          return {Outcome::kClosed, "", "the child closed its stdout"};
        }
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return {Outcome::kClosed, "", std::string("reading stdout failed: ") + std::strerror(errno)};
      }
    } else if (exited_seen) {
      return {Outcome::kClosed, "", "the child exited"};
    } else if (reap()) {
      // The child is gone, and its stdout may never reach end of file: a background process it
      // started can hold a copy (reap() has just killed the group). One more poll reads what it
      // wrote before it exited.
      exited_seen = true;
    }
  }
}

}  // namespace pcanno::plugin::detail
