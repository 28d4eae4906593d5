#pragma once
#include <cstdlib>

#include <gtest/gtest.h>

#include "test_data.hpp"

/// Skips a test that renders when there is no X display (run it under `xvfb-run -a`, as
/// run-tests.sh does); under CI it fails instead, so CI can never pass by skipping.
#define PCANNO_REQUIRE_DISPLAY()                                                               \
  do {                                                                                         \
    const char* pcanno_display_ = std::getenv("DISPLAY");                                      \
    if (pcanno_display_ == nullptr || *pcanno_display_ == '\0') {                              \
      if (::pcanno::test::running_in_ci()) FAIL() << "no X display under CI: use xvfb-run";    \
      GTEST_SKIP() << "no X display (DISPLAY unset), skipping a rendering test: run it under " \
                      "xvfb-run -a";                                                           \
    }                                                                                          \
  } while (0)
