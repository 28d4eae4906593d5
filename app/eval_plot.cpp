#include "eval_plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "png_writer.hpp"

namespace pcanno::app {

namespace {

constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kInk{30, 30, 30};
constexpr Rgb kGrid{215, 215, 215};
constexpr Rgb kGood{46, 160, 67};
constexpr Rgb kFair{230, 160, 30};
constexpr Rgb kPoor{210, 50, 45};
constexpr Rgb kBlue{60, 110, 200};

constexpr int kWidth = 960;
constexpr int kHeight = 420;
constexpr int kTop = 60;
constexpr int kBottom = 340;  ///< y of the x axis
constexpr int kPlotHeight = kBottom - kTop;

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

Rgb quality(double iou) { return iou >= 0.7 ? kGood : iou >= 0.5 ? kFair : kPoor; }

int y_of(double fraction) {
  return kBottom - static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * kPlotHeight));
}

using Ticks = std::vector<std::pair<double, std::string>>;  ///< fraction of the height, label

/// Axes, title and a labelled y tick at each of `ticks`.
void axes(RgbImage& img, int x0, int x1, const std::string& title, const Ticks& ticks) {
  for (const auto& [f, label] : ticks) {
    img.text(x0 - 8 - RgbImage::text_width(label), y_of(f) - 5, label, kInk);
  }
  img.fill_rect(x0 - 1, kTop - 5, x0, kBottom + 1, kInk);
  img.fill_rect(x0 - 1, kBottom, x1, kBottom + 1, kInk);
  img.text(x0, kTop - 30, title, kInk);
}

/// Grid lines at the ticks, drawn over the bars so the thresholds stay visible.
void grid(RgbImage& img, int x0, int x1, const Ticks& ticks) {
  for (const auto& tick : ticks) {
    if (tick.first > 0.0) img.fill_rect(x0, y_of(tick.first), x1, y_of(tick.first) + 1, kGrid);
  }
}

void frame_panel(RgbImage& img, const plugin::EvalReport& report, int x0, int x1) {
  const Ticks ticks{{0.0, "0"}, {0.5, "0.5"}, {0.7, "0.7"}, {1.0, "1"}};
  axes(img, x0, x1, "MEAN 3D IOU PER FRAME", ticks);
  if (report.frames.empty()) {
    img.text(x0 + 20, kTop + 20, "NO BOXES", kInk);
    return;
  }
  const std::int64_t first = report.frames.front().frame;
  const std::int64_t last = report.frames.back().frame;
  const double n = static_cast<double>(last - first + 1);
  const double w = static_cast<double>(x1 - x0 - 2) / n;
  for (const plugin::FrameResult& f : report.frames) {
    const double pos = static_cast<double>(f.frame - first);
    const int a = x0 + 1 + static_cast<int>(pos * w);
    const int b = std::max(a + 1, x0 + 1 + static_cast<int>((pos + 1.0) * w) - (w >= 4.0 ? 1 : 0));
    img.fill_rect(a, y_of(f.iou.mean_iou_3d), b, kBottom, quality(f.iou.mean_iou_3d));
  }
  grid(img, x0, x1, ticks);
  img.text(x0, kBottom + 10, std::to_string(first), kInk);
  const std::string end = std::to_string(last);
  img.text(x1 - RgbImage::text_width(end), kBottom + 10, end, kInk);
  img.text((x0 + x1 - RgbImage::text_width("FRAME")) / 2, kBottom + 10, "FRAME", kInk);
}

void histogram_panel(RgbImage& img, const plugin::EvalReport& report, int x0, int x1) {
  std::array<std::size_t, 10> bins{};
  for (const plugin::BoxResult& b : report.boxes) {
    bins[std::min<std::size_t>(9, static_cast<std::size_t>(std::max(0.0, b.iou_3d) * 10.0))]++;
  }
  const std::size_t most = std::max<std::size_t>(1, *std::max_element(bins.begin(), bins.end()));
  const Ticks ticks{{0.0, "0"}, {1.0, std::to_string(most)}};
  axes(img, x0, x1, "3D IOU PER BOX: " + std::to_string(report.boxes.size()) + " BOXES", ticks);
  const double w = static_cast<double>(x1 - x0 - 2) / 10.0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const int a = x0 + 1 + static_cast<int>(static_cast<double>(i) * w);
    const int b = x0 + static_cast<int>(static_cast<double>(i + 1) * w) - 1;
    const double share = static_cast<double>(bins[i]) / static_cast<double>(most);
    if (bins[i] > 0) img.fill_rect(a, y_of(share), b, kBottom, quality((i + 0.5) / 10.0));
  }
  grid(img, x0, x1, ticks);
  img.text(x0, kBottom + 10, "0", kInk);
  img.text((x0 + x1 - RgbImage::text_width("0.5")) / 2, kBottom + 10, "0.5", kInk);
  img.text(x1 - RgbImage::text_width("1"), kBottom + 10, "1", kInk);
}

}  // namespace

formats::Status write_eval_plot(const std::filesystem::path& path, const plugin::EvalReport& report,
                                bool overwrite) {
  RgbImage img(kWidth, kHeight, kWhite);
  frame_panel(img, report, 70, 460);
  histogram_panel(img, report, 560, 940);
  const plugin::IouSummary& o = report.overall;
  img.text(70, kBottom + 40,
           "MEAN 3D IOU " + fixed(o.mean_iou_3d, 3) + "  BEV " + fixed(o.mean_iou_bev, 3) +
               "  3D>=0.5 " + fixed(100.0 * o.fraction_3d_50, 1) + "%  3D>=0.7 " +
               fixed(100.0 * o.fraction_3d_70, 1) + "%  MISSED " + std::to_string(o.missed),
           kBlue);
  return write_png(path, img, overwrite);
}

}  // namespace pcanno::app
