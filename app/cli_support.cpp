#include "cli_support.hpp"

#include <iostream>

namespace pcanno::app {

int report(const formats::Error& error) { return report_message(error.describe()); }

int report_message(const std::string& message) {
  std::cerr << "pcanno: error: " << message << '\n';
  return kExitFailure;
}

}  // namespace pcanno::app
