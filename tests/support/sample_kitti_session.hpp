#pragma once
// The repository's sample KITTI tracking sequence 0000 (sample_data/) with its own labels, as a
// Session over both: what the automation and track repair tests run on.
#include <filesystem>
#include <memory>
#include <utility>

#include <gtest/gtest.h>

#include "pcanno/formats/datasets/sequence.hpp"
#include "pcanno/plugin/registry.hpp"
#include "pcanno/plugin/session.hpp"

namespace pcanno::test {

struct SampleKittiSession {
  formats::Annotations truth;                ///< the labels as read
  std::unique_ptr<plugin::Session> session;  ///< over a copy of them and the sequence
};

/// Null session (and a failed test) when the sample cannot be read.
inline SampleKittiSession open_sample_kitti_session() {
  const std::filesystem::path root =
      std::filesystem::path(PCANNO_SAMPLE_DATA_DIR) / "kitti_tracking/training";
  formats::SequenceOptions options;
  options.name = "0000";
  auto seq = formats::open_sequence(root, options);
  EXPECT_TRUE(seq) << (seq ? "" : seq.error().message);
  const plugin::Registry registry = plugin::Registry::with_builtins();
  auto codec = registry.codecs().select(root / "label_02/0000.txt", "");
  EXPECT_TRUE(codec);
  if (!seq || !codec) return {};
  auto doc = (*codec)->read(root / "label_02/0000.txt", formats::LabelContext{});
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  if (!doc) return {};
  SampleKittiSession out;
  out.truth = *doc;
  out.session = plugin::Session::create(std::move(*doc), std::move(*seq));
  return out;
}

}  // namespace pcanno::test
