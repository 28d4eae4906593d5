#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "pcanno/formats/labels/annotations.hpp"
#include "pcanno/store/project_store.hpp"
#include "store_backend.hpp"

// The fixture of the shared store suite: a fresh store per test on the backend the parameter
// names, with a small team (ada admin, alice and bob annotators, rita reviewer), one project, one
// sequence and a task assigned to alice.

namespace pcanno::test {

/// A document of `frames` frames with one track (id 1) of one box at frame 0.
formats::Annotations one_box_document(std::int64_t frames);
/// A box at `frame` for track 1, at a position no formatting would round: exact doubles.
formats::BoxState box_at(std::int64_t frame, double x);

class StoreSuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// The store opened as `user`; fails the test when it cannot be opened.
  std::unique_ptr<store::ProjectStore> open_as(const std::string& user);

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<store::ProjectStore> ada_, alice_, bob_, rita_;
  store::Project project_;
  store::SequenceRecord sequence_;
  store::Task task_;  ///< frames 0-9, boxes, assigned to alice, starting from one_box_document
};

/// Skips (or fails under CI) when the backend cannot run here.
std::unique_ptr<StoreBackend> make_backend(const std::string& name);

}  // namespace pcanno::test
