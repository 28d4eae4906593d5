#pragma once
#include <filesystem>

#include "pcanno/formats/support/expected.hpp"
#include "pcanno/plugin/services/evaluation.hpp"

namespace pcanno::app {

/// A PNG of `report`: mean 3D IoU per frame (bars, green >= 0.7, amber >= 0.5, red below, grid
/// lines at 0.5 and 0.7) beside a histogram of the per-box 3D IoU in ten bins (missed boxes in
/// the first), with the overall numbers underneath. An existing file is replaced only when
/// `overwrite`.
formats::Status write_eval_plot(const std::filesystem::path& path, const plugin::EvalReport& report,
                                bool overwrite);

}  // namespace pcanno::app
