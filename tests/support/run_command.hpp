#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace pcanno::test {

struct CommandResult {
  int exit_code = -1;  ///< -1 when the command could not run or was killed
  std::string out;     ///< what it printed
};

/// Runs a shell command and captures its output (append " 2>&1" to include stderr).
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace pcanno::test
