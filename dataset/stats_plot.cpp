// stats.png: what `fdsl stats` measured, drawn for a person to look at (OpenCV drawing on an RGB
// image; the text is the previews' Hershey font).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "fdsl/dataset/preview.h"
#include "fdsl/dataset/stats.h"
#include "fdsl/render/image_ops.h"

namespace fdsl {

namespace {

using ojson = nlohmann::ordered_json;

constexpr int kWidth = 1200, kPanelW = 380, kPanelH = 200, kGap = 20, kPairTile = 96;
const cv::Scalar kAxis(150, 150, 150), kBar(90, 170, 255), kMark(255, 120, 80), kWarn(255, 80, 80), kPanel(24, 24, 24);

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

struct Canvas {
  Image image;
  cv::Mat mat;
  explicit Canvas(int h) : image(kWidth, h, 3) {
    std::fill(image.pixels.begin(), image.pixels.end(), std::uint8_t(12));
    mat = cv::Mat(h, kWidth, CV_8UC3, image.pixels.data());
  }
};

/// A histogram of `values` in 40 bins from their min to max, in the panel at (x, y).
void histogram(Canvas& c, int x, int y, const std::vector<double>& values, const std::string& title, double mark = NAN,
               const std::string& mark_label = "") {
  cv::rectangle(c.mat, cv::Rect(x, y, kPanelW, kPanelH), kPanel, cv::FILLED);
  draw_text(c.image, title + " (" + std::to_string(values.size()) + ")", x + 6, y + 4, 0.4, kPanelW - 12);
  const int px = x + 8, py = y + 26, pw = kPanelW - 16, ph = kPanelH - 52;
  cv::line(c.mat, cv::Point(px, py + ph), cv::Point(px + pw, py + ph), kAxis);
  if (values.empty()) return;
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  constexpr int B = 40;
  std::vector<int> bins(B, 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    const int b = hi > lo ? std::min(B - 1, static_cast<int>((v - lo) / (hi - lo) * B)) : 0;
    ++bins[static_cast<std::size_t>(b)];
  }
  const int top = *std::max_element(bins.begin(), bins.end());
  const double bw = static_cast<double>(pw) / B;
  for (int b = 0; b < B; ++b) {
    if (bins[b] == 0) continue;
    const int h = std::max(1, static_cast<int>(std::lround(static_cast<double>(bins[b]) / top * ph)));
    cv::rectangle(c.mat, cv::Point(px + static_cast<int>(b * bw), py + ph - h),
                  cv::Point(px + static_cast<int>((b + 1) * bw) - 1, py + ph), kBar, cv::FILLED);
  }
  if (std::isfinite(mark) && hi > lo && mark >= lo && mark <= hi) {
    const int mx = px + static_cast<int>((mark - lo) / (hi - lo) * pw);
    cv::line(c.mat, cv::Point(mx, py), cv::Point(mx, py + ph), kWarn);
    draw_text(c.image, mark_label, std::min(mx + 3, px + pw - 90), py, 0.3, 90);
  }
  const char* f = hi - lo >= 100 ? "%.0f" : hi - lo >= 1 ? "%.2f" : "%.4f";
  draw_text(c.image, fmt(f, lo), px, py + ph + 4, 0.33);
  const std::string his = fmt(f, hi);
  draw_text(c.image, his, px + pw - 8 * static_cast<int>(his.size()), py + ph + 4, 0.33);
  draw_text(c.image, "max bin " + std::to_string(top), px + pw / 2 - 40, py + ph + 4, 0.33);
}

/// Each class's spread, sorted from the largest, as bars; the median and the static threshold.
void spreads(Canvas& c, int x, int y, const ojson& kind, double static_share) {
  cv::rectangle(c.mat, cv::Rect(x, y, kPanelW, kPanelH), kPanel, cv::FILLED);
  std::vector<double> v;
  for (const auto& cl : kind["classes"])
    if (cl.contains("spread") && cl["spread"].is_number()) v.push_back(cl["spread"].get<double>());
  draw_text(c.image, "spread within each class, sorted (" + std::to_string(v.size()) + " classes)", x + 6, y + 4, 0.4,
            kPanelW - 12);
  const int px = x + 8, py = y + 26, pw = kPanelW - 16, ph = kPanelH - 52;
  cv::line(c.mat, cv::Point(px, py + ph), cv::Point(px + pw, py + ph), kAxis);
  if (v.empty()) return;
  std::sort(v.begin(), v.end(), std::greater<>());
  const double top = std::max(v.front(), 1e-12);
  const std::size_t n = v.size();
  for (int col = 0; col < pw; ++col) {
    // Pixel column col shows the class at rank col * n / pw (the largest of those it covers).
    const std::size_t a = static_cast<std::size_t>(col) * n / static_cast<std::size_t>(pw);
    if (a >= n) break;
    const double s = v[a];
    const int h = static_cast<int>(std::lround(s / top * ph));
    cv::line(c.mat, cv::Point(px + col, py + ph), cv::Point(px + col, py + ph - h), kBar);
  }
  const double median = kind["spread"].value("p50", NAN);
  for (auto [level, color, label] : {std::tuple{median, kMark, std::string("median")},
                                     std::tuple{median * static_share, kWarn, std::string("static below")}}) {
    if (!std::isfinite(level)) continue;
    const int ly = py + ph - static_cast<int>(std::lround(std::min(level, top) / top * ph));
    cv::line(c.mat, cv::Point(px, ly), cv::Point(px + pw, ly), color);
    draw_text(c.image, label + " " + fmt("%.3g", level), px + pw - 130, ly - 14, 0.3, 130);
  }
  draw_text(c.image, "max " + fmt("%.3g", top) + ", min " + fmt("%.3g", v.back()), px, py + ph + 4, 0.33);
}

std::vector<double> column(const ojson& kind, const char* key, double scale = 1) {
  std::vector<double> v;
  if (!kind.contains("per_sample") || !kind["per_sample"].contains(key)) return v;
  for (const auto& x : kind["per_sample"][key])
    if (x.is_number()) v.push_back(x.get<double>() * scale);
  return v;
}

Image fit(const Image& im, int w, int h) {
  if (im.empty()) return im;
  Image rgb = im.channels == 3 ? im : Image(im.width, im.height, 3);
  if (im.channels == 1)
    for (std::size_t i = 0; i < im.pixels.size(); ++i)
      rgb.pixels[3 * i] = rgb.pixels[3 * i + 1] = rgb.pixels[3 * i + 2] = im.pixels[i];
  if (rgb.width == w && rgb.height == h) return rgb;
  return resize_bilinear(rgb, w, h);
}

/// The closest class pairs: two example pictures side by side, the classes and distance under.
int pairs(Canvas* c, int y, const ojson& kind, const StatsPicture& picture, bool draw) {
  const auto& ps = kind["similar_pairs"];
  const int n = static_cast<int>(std::min<std::size_t>(ps.size(), 10));
  if (n == 0) return 0;
  const int cell_w = 2 * kPairTile + 22, cell_h = kPairTile + 34, per_row = kWidth / cell_w;
  const int rows = (n + per_row - 1) / per_row, height = 22 + rows * cell_h;
  if (!draw) return height;
  draw_text(c->image, "closest class pairs (distance of the class means; / mean spread)", 10, y + 2, 0.45);
  for (int k = 0; k < n; ++k) {
    const ojson& p = ps[static_cast<std::size_t>(k)];
    const int x0 = 10 + (k % per_row) * cell_w, y0 = y + 22 + (k / per_row) * cell_h;
    int xi = x0;
    for (const char* side : {"example_a", "example_b"}) {
      Image pic;
      if (picture && p.contains(side) && p[side].is_string()) {
        try {
          pic = fit(picture(p[side].get<std::string>(), kPairTile), kPairTile, kPairTile);
        } catch (const std::exception&) {
          pic = Image();
        }
      }
      const cv::Rect r(xi, y0, kPairTile, kPairTile);
      if (pic.empty()) {
        cv::rectangle(c->mat, r, cv::Scalar(60, 60, 60), cv::FILLED);
      } else {
        cv::Mat(kPairTile, kPairTile, CV_8UC3, pic.pixels.data()).copyTo(c->mat(r));
      }
      xi += kPairTile + 2;
    }
    std::string label = p.value("a", std::string("?")) + " ~ " + p.value("b", std::string("?")) + "  " +
                        fmt("%.3g", p.value("distance", 0.0));
    if (p.contains("ratio") && p["ratio"].is_number()) label += " (" + fmt("%.2f", p["ratio"].get<double>()) + ")";
    draw_text(c->image, label, x0, y0 + kPairTile + 3, 0.33, cell_w - 8);
  }
  return height;
}

}  // namespace

Image stats_plot(const ojson& report, const StatsPicture& picture) {
  const double static_share = report.contains("thresholds") ? report["thresholds"].value("static_spread", 0.1) : 0.1;
  // Heights first, then draw.
  const int band = kPanelH + kGap + 22;
  int height = 40;
  for (const char* k : {"images", "clouds"})
    if (report.contains(k)) height += band + pairs(nullptr, 0, report[k], picture, false) + kGap;
  Canvas c(std::max(height, 80));
  std::string title = "fdsl stats: " + report.value("source", std::string("?"));
  if (report.contains("layout")) title += " (" + report["layout"].get<std::string>() + ")";
  draw_text(c.image, title, 10, 8, 0.55, kWidth - 20);
  int y = 40;
  for (const char* k : {"images", "clouds"}) {
    if (!report.contains(k)) continue;
    const ojson& kind = report[k];
    const bool images = std::string(k) == "images";
    std::string head = std::string(k) + ": " + std::to_string(kind.value("count", std::int64_t(0)));
    if (images)
      head += ", blank " + std::to_string(kind.value("blank_count", std::int64_t(0))) + ", saturated " +
              std::to_string(kind.value("saturated_count", std::int64_t(0)));
    head += ", static classes " + std::to_string(kind.value("static_classes_count", std::int64_t(0))) +
            ", classes nearer another than their spread " +
            std::to_string(kind.value("overlapping_classes", std::int64_t(0)));
    draw_text(c.image, head, 10, y, 0.45, kWidth - 20);
    y += 22;
    const ojson th = report.value("thresholds", ojson::object());
    if (images) {
      histogram(c, 10, y, column(kind, "ink"), "ink fraction", th.value("blank_ink", NAN), "blank below");
      histogram(c, 10 + kPanelW + 10, y, column(kind, "file_bytes", 1.0 / 1024), "PNG size, KB");
    } else {
      histogram(c, 10, y, column(kind, "distinct"), "share of distinct points", th.value("distinct", NAN),
                "repeats below");
      histogram(c, 10 + kPanelW + 10, y, column(kind, "l31"), "flatness l3/l1 (0: a plane or line)",
                th.value("flat", NAN), "flat below");
    }
    spreads(c, 10 + 2 * (kPanelW + 10), y, kind, static_share);
    y += kPanelH + kGap;
    y += pairs(&c, y, kind, picture, true) + kGap;
  }
  return c.image;
}

}  // namespace fdsl
