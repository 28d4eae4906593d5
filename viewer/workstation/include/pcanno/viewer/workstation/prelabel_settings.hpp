#pragma once
#include <atomic>
#include <string>

#include "pcanno/formats/labels/annotations.hpp"

class QDoubleSpinBox;

namespace pcanno::viewer::workstation {

/// The window's pre-labelling state (workstation_prelabel.cpp): the detector its jobs use, the
/// score threshold under which model boxes are hidden, and what the panels show under it.
struct PrelabelSettings {
  std::string detector;           ///< "" : "classical" when registered, else the first detector
  double threshold = 0.5;         ///< [0, 1] model boxes scoring below are hidden, not deleted
  QDoubleSpinBox* box = nullptr;  ///< the status bar's threshold control
  formats::Annotations shown;     ///< the document without hidden boxes (shown_document())
  bool shown_hides = false;       ///< `shown` differs from the document (something is hidden)
  /// `shown` no longer matches the document or the threshold. Atomic: the session's observer
  /// sets it on a job's worker thread too.
  std::atomic<bool> shown_stale{true};
};

}  // namespace pcanno::viewer::workstation
