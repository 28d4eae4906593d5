#pragma once
#include <cstdlib>
#include <optional>
#include <string>

namespace pcanno::test {

/// An environment variable (PCANNO_PLUGIN_PATH, PATH) set to `value` for the scope, and restored,
/// or unset again, at its end: also when an assertion leaves the test early.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (saved_) {
      ::setenv(name_, saved_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

}  // namespace pcanno::test
