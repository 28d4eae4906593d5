#pragma once
#include <string>
#include <vector>

#include "pcanno/formats/labels/document/document.hpp"
#include "pcanno/plugin/session.hpp"

// What the journal and recovery tests compare: documents as their saved bytes, warnings by text.

namespace pcanno::plugin::test_support {

/// The session's document as the bytes a save would write.
inline std::string text(const Session& s) {
  return formats::serialize_pcanno_document(s.document());
}

/// True when one of `warnings` contains `needle`.
inline bool mentions(const std::vector<std::string>& warnings, const std::string& needle) {
  for (const std::string& w : warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace pcanno::plugin::test_support
