#include "fdsl/render/polyline.h"

#include <algorithm>
#include <cmath>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

// Endpoints beyond this are clamped before the integer conversion (Pillow's C cast is undefined
// there); the products of the error terms then stay far inside 64 bits.
constexpr double kCoordinateLimit = 1073741824.0;

/// (int) truncation toward zero of a coordinate, with NaN reported.
inline bool truncate_coordinate(double v, std::int64_t& out) {
  if (std::isnan(v)) return false;
  out = static_cast<std::int64_t>(std::clamp(v, -kCoordinateLimit, kCoordinateLimit));
  return true;
}

/// Pillow's segment, end pixel included, walked along its major axis. Pixel i of the walk is
/// (m0 + i sm, n0 + sn floor((2 dn i + dm) / (2 dm))) for i = 0..dm: the closed form of Bresenham's
/// error recurrence (start 2 dn - dm, step while >= 0), so the walk can start where the major axis
/// enters the canvas.
/// With `second` (gray canvases only), every pixel is also set to `value2` in that canvas of the
/// same size.
template <int C>
void line_clipped(std::uint8_t* pixels, int width, int height, std::int64_t x0, std::int64_t y0, std::int64_t x1,
                  std::int64_t y1, std::uint8_t value, std::uint8_t* second = nullptr, std::uint8_t value2 = 0) {
  if ((x0 < 0 && x1 < 0) || (x0 >= width && x1 >= width) || (y0 < 0 && y1 < 0) || (y0 >= height && y1 >= height))
    return;
  std::int64_t dx = x1 - x0, dy = y1 - y0;
  const std::int64_t sx = dx < 0 ? -1 : 1, sy = dy < 0 ? -1 : 1;
  dx = dx < 0 ? -dx : dx;
  dy = dy < 0 ? -dy : dy;
  const std::int64_t row = static_cast<std::int64_t>(width) * C;
  // Major axis m, minor axis n (Pillow walks x when dx > dy, else y).
  const bool x_major = dx > dy;
  const std::int64_t m0 = x_major ? x0 : y0, n0 = x_major ? y0 : x0;
  const std::int64_t dm = x_major ? dx : dy, dn = x_major ? dy : dx;
  const std::int64_t sm = x_major ? sx : sy, sn = x_major ? sy : sx;
  const std::int64_t m_limit = x_major ? width : height, n_limit = x_major ? height : width;
  const std::int64_t m_stride = x_major ? C : row, n_stride = x_major ? row : C;

  std::int64_t lo = 0, hi = dm;
  if (sm > 0) {
    lo = std::max(lo, -m0);
    hi = std::min(hi, m_limit - 1 - m0);
  } else {
    lo = std::max(lo, m0 - (m_limit - 1));
    hi = std::min(hi, m0);
  }
  if (lo > hi) return;
  if (dm == 0) {  // a single pixel (zero-length segment: Pillow's last point)
    if (n0 >= 0 && n0 < n_limit) {
      std::uint8_t* p = pixels + m0 * m_stride + n0 * n_stride;
      for (int c = 0; c < C; ++c) p[c] = value;
      if (second) second[m0 * m_stride + n0 * n_stride] = value2;
    }
    return;
  }
  const std::int64_t two_dm = 2 * dm, two_dn = 2 * dn;
  const std::int64_t start = two_dn * lo + dm;
  std::int64_t k = start / two_dm, r = start % two_dm;
  std::int64_t m = m0 + sm * lo;
  for (std::int64_t i = lo; i <= hi; ++i, m += sm) {
    const std::int64_t n = n0 + sn * k;
    if (n >= 0 && n < n_limit) {
      std::uint8_t* p = pixels + m * m_stride + n * n_stride;
      for (int c = 0; c < C; ++c) p[c] = value;
      if (second) second[m * m_stride + n * n_stride] = value2;
    } else if ((sn > 0) == (n >= n_limit) && dn > 0) {
      break;  // the minor axis has left the canvas and only moves further away
    }
    r += two_dn;
    if (r >= two_dm) {
      r -= two_dm;
      ++k;
    }
  }
}

/// The common case of a gray canvas and a segment with both ends on it: no clipping, and the
/// Bresenham walk along the major axis with pointer steps and no data-dependent branch (the
/// error's sign makes a mask). Same pixels as line_clipped, whose recurrence this is.
template <bool Two>
inline void line_inside_gray(std::uint8_t* pixels, int width, int x0, int y0, int x1, int y1, std::uint8_t value,
                             std::uint8_t* second = nullptr, std::uint8_t value2 = 0) {
  int dx = x1 - x0, dy = y1 - y0;
  std::ptrdiff_t step_x = 1, step_y = width;
  if (dx < 0) {
    dx = -dx;
    step_x = -1;
  }
  if (dy < 0) {
    dy = -dy;
    step_y = -step_y;
  }
  const bool x_major = dx > dy;
  const int dm = x_major ? dx : dy, dn = x_major ? dy : dx;
  const std::ptrdiff_t sm = x_major ? step_x : step_y, sn = x_major ? step_y : step_x;
  std::ptrdiff_t at = static_cast<std::ptrdiff_t>(y0) * width + x0;
  int e = 2 * dn - dm;
  for (int i = 0; i <= dm; ++i) {
    pixels[at] = value;
    if constexpr (Two) second[at] = value2;
    const int take = ~(e >> 31);  // all ones when e >= 0: the minor step is taken
    at += sm + (sn & take);
    e += 2 * dn - (2 * dm & take);
  }
}

void line_int(Image& image, std::int64_t x0, std::int64_t y0, std::int64_t x1, std::int64_t y1, std::uint8_t value) {
  switch (image.channels) {
    case 1:
      line_clipped<1>(image.pixels.data(), image.width, image.height, x0, y0, x1, y1, value);
      break;
    case 3:
      line_clipped<3>(image.pixels.data(), image.width, image.height, x0, y0, x1, y1, value);
      break;
    default:
      line_clipped<4>(image.pixels.data(), image.width, image.height, x0, y0, x1, y1, value);
      break;
  }
}

}  // namespace

void draw_line_pillow(Image& image, std::int64_t x0, std::int64_t y0, std::int64_t x1, std::int64_t y1,
                      std::uint8_t value) {
  line_int(image, std::clamp<std::int64_t>(x0, -(1ll << 30), 1ll << 30),
           std::clamp<std::int64_t>(y0, -(1ll << 30), 1ll << 30), std::clamp<std::int64_t>(x1, -(1ll << 30), 1ll << 30),
           std::clamp<std::int64_t>(y1, -(1ll << 30), 1ll << 30), value);
}

void draw_line_pillow(Image& image, double x0, double y0, double x1, double y1, std::uint8_t value) {
  std::int64_t a, b, c, d;
  if (!truncate_coordinate(x0, a) || !truncate_coordinate(y0, b) || !truncate_coordinate(x1, c) ||
      !truncate_coordinate(y1, d))
    return;
  line_int(image, a, b, c, d, value);
}

namespace {

/// The gray-canvas polyline: every point truncated once and flagged (1: on the canvas, 2: not a
/// number); segments with both ends on the canvas are drawn without clipping. With `second`, the
/// same pixels of that canvas get `value2`.
void polyline_gray(Image& image, const double* xs, const double* ys, std::size_t n, bool closed, std::uint8_t value,
                   std::uint8_t* second, std::uint8_t value2) {
  thread_local std::vector<std::int32_t> ix, iy;
  thread_local std::vector<std::uint8_t> flag;
  ix.resize(n);
  iy.resize(n);
  flag.resize(n);
  const double w = image.width, h = image.height;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = xs[i], y = ys[i];
    const bool nan = std::isnan(x) || std::isnan(y);
    ix[i] = nan ? 0 : static_cast<std::int32_t>(std::clamp(x, -kCoordinateLimit, kCoordinateLimit));
    iy[i] = nan ? 0 : static_cast<std::int32_t>(std::clamp(y, -kCoordinateLimit, kCoordinateLimit));
    // Truncation toward zero lands on the canvas exactly when -1 < v < side.
    const bool inside = x > -1.0 && x < w && y > -1.0 && y < h;
    flag[i] = nan ? 2 : (inside ? 1 : 0);
  }
  // Plain pointers: the pixel stores may alias anything, so members would be reloaded per pixel.
  std::uint8_t* const pixels = image.pixels.data();
  const std::int32_t* const px = ix.data();
  const std::int32_t* const py = iy.data();
  const std::uint8_t* const pf = flag.data();
  const int width = image.width, height = image.height;
  auto segment = [=](std::size_t a, std::size_t b) {
    const int fa = pf[a], fb = pf[b];
    if (fa & fb & 1) {
      if (second)
        line_inside_gray<true>(pixels, width, px[a], py[a], px[b], py[b], value, second, value2);
      else
        line_inside_gray<false>(pixels, width, px[a], py[a], px[b], py[b], value);
    } else if (!((fa | fb) & 2)) {
      line_clipped<1>(pixels, width, height, px[a], py[a], px[b], py[b], value, second, value2);
    }
  };
  for (std::size_t i = 0; i + 1 < n; ++i) segment(i, i + 1);
  if (closed) segment(n - 1, 0);
}

}  // namespace

void draw_polyline_pillow(Image& image, const double* xs, const double* ys, std::size_t n, bool closed,
                          std::uint8_t value) {
  if (n == 0) return;
  if (image.channels != 1) {
    for (std::size_t i = 0; i + 1 < n; ++i) draw_line_pillow(image, xs[i], ys[i], xs[i + 1], ys[i + 1], value);
    if (closed) draw_line_pillow(image, xs[n - 1], ys[n - 1], xs[0], ys[0], value);
    return;
  }
  polyline_gray(image, xs, ys, n, closed, value, nullptr, 0);
}

void draw_polyline_pillow2(Image& image, Image& second, const double* xs, const double* ys, std::size_t n, bool closed,
                           std::uint8_t value, std::uint8_t value2) {
  if (image.channels != 1 || second.channels != 1 || image.width != second.width || image.height != second.height)
    throw Error(ErrorKind::Runtime, "draw_polyline_pillow2: two gray canvases of one size");
  if (n == 0) return;
  polyline_gray(image, xs, ys, n, closed, value, second.pixels.data(), value2);
}

// ---- anti-aliased ----

void PolylineAA::segment(double x0, double y0, double x1, double y1, double half) {
  // Pixel centres sit at (i + 0.5, j + 0.5): shift the segment so they are at integers.
  x0 -= 0.5;
  y0 -= 0.5;
  x1 -= 0.5;
  y1 -= 0.5;
  const double reach = half + 1.0;  // coverage 1 - (distance - half) is zero from here on
  // Walk the major axis; `transpose` swaps the roles of x and y for steep segments.
  const bool transpose = std::abs(y1 - y0) > std::abs(x1 - x0);
  if (transpose) {
    std::swap(x0, y0);
    std::swap(x1, y1);
  }
  if (x0 > x1) {
    std::swap(x0, x1);
    std::swap(y0, y1);
  }
  const int major_size = transpose ? height_ : width_, minor_size = transpose ? width_ : height_;
  const double dx = x1 - x0, dy = y1 - y0;
  const double len = std::sqrt(dx * dx + dy * dy);
  const double slope = dx > 0 ? dy / dx : 0.0;
  const double cos_t = len > 0 ? dx / len : 1.0;  // perpendicular distance = minor distance * cos
  const double extent = reach / cos_t;            // minor half-extent of the stroke
  // Columns whose centres lie over the segment, the stroke's half width beyond its ends (the caps).
  const int col_lo = static_cast<int>(std::ceil(std::clamp(x0 - half, 0.0, static_cast<double>(major_size))));
  const int col_hi = static_cast<int>(std::floor(std::clamp(x1 + half, -1.0, static_cast<double>(major_size - 1))));
  for (int i = col_lo; i <= col_hi; ++i) {
    const double yc = y0 + (std::clamp(static_cast<double>(i), x0, x1) - x0) * slope;
    const int row_lo = static_cast<int>(std::ceil(std::clamp(yc - extent, 0.0, static_cast<double>(minor_size))));
    const int row_hi = static_cast<int>(std::floor(std::clamp(yc + extent, -1.0, static_cast<double>(minor_size - 1))));
    for (int j = row_lo; j <= row_hi; ++j) {
      const double c = reach - std::abs(j - yc) * cos_t;
      if (c <= 0) continue;
      const auto v = static_cast<std::uint8_t>(std::min(c, 1.0) * 255.0 + 0.5);
      const std::uint32_t idx = transpose ? static_cast<std::uint32_t>(i) * static_cast<std::uint32_t>(width_) + j
                                          : static_cast<std::uint32_t>(j) * static_cast<std::uint32_t>(width_) + i;
      std::uint8_t& cov = coverage_[idx];
      if (v > cov) {
        if (cov == 0) touched_.push_back(idx);
        cov = v;
      }
    }
  }
}

void PolylineAA::draw(Image& image, const double* xs, const double* ys, std::size_t n, bool closed, std::uint8_t value,
                      double width) {
  if (n == 0) return;
  if (image.width != width_ || image.height != height_) {
    width_ = image.width;
    height_ = image.height;
    coverage_.assign(static_cast<std::size_t>(width_) * height_, 0);
  }
  touched_.clear();
  const double half = std::max(0.0, 0.5 * (width - 1.0));
  auto finite = [&](std::size_t i) { return std::isfinite(xs[i]) && std::isfinite(ys[i]); };
  if (n == 1 && finite(0)) segment(xs[0], ys[0], xs[0], ys[0], half);
  for (std::size_t i = 0; i + 1 < n; ++i)
    if (finite(i) && finite(i + 1)) segment(xs[i], ys[i], xs[i + 1], ys[i + 1], half);
  if (closed && n > 1 && finite(n - 1) && finite(0)) segment(xs[n - 1], ys[n - 1], xs[0], ys[0], half);
  const int channels = image.channels;
  for (std::uint32_t idx : touched_) {
    const std::uint32_t c = coverage_[idx];
    coverage_[idx] = 0;
    std::uint8_t* p = image.pixels.data() + static_cast<std::size_t>(idx) * channels;
    for (int k = 0; k < channels; ++k) p[k] = static_cast<std::uint8_t>((p[k] * (255u - c) + value * c + 127u) / 255u);
  }
}

namespace {

/// One polygon edge as Pillow's Draw.c keeps it.
struct PillowEdge {
  int d = 0;
  int x0 = 0, y0 = 0;
  int xmin = 0, ymin = 0, xmax = 0, ymax = 0;
  float dx = 0;
};

void add_pillow_edge(PillowEdge& e, int x0, int y0, int x1, int y1) {
  e.xmin = std::min(x0, x1);
  e.xmax = std::max(x0, x1);
  e.ymin = std::min(y0, y1);
  e.ymax = std::max(y0, y1);
  if (y0 == y1) {
    e.d = 0;
    e.dx = 0.0f;
  } else {
    e.dx = static_cast<float>(x1 - x0) / static_cast<float>(y1 - y0);
    e.d = y0 == e.ymin ? 1 : -1;
  }
  e.x0 = x0;
  e.y0 = y0;
}

/// Draw.c's ROUND_UP and ROUND_DOWN, with C's promotions: a float plus 0.5F stays float; fabs()
/// of a float is a double, so the negative branch adds in double.
int round_up(float f) {
  return f >= 0.0 ? static_cast<int>(std::floor(static_cast<double>(f + 0.5F)))
                  : static_cast<int>(-std::floor(std::fabs(static_cast<double>(f)) + 0.5F));
}
int round_down(float f) {
  return f >= 0.0 ? static_cast<int>(std::ceil(static_cast<double>(f - 0.5F)))
                  : static_cast<int>(-std::ceil(std::fabs(static_cast<double>(f)) - 0.5F));
}

void pillow_hline(Image& im, int x0, int y0, int x1, std::uint8_t value) {
  if (y0 < 0 || y0 >= im.height) return;
  if (x0 > x1) std::swap(x0, x1);
  if (x0 < 0) {
    x0 = 0;
  } else if (x0 >= im.width) {
    return;
  }
  if (x1 < 0) return;
  if (x1 >= im.width) x1 = im.width - 1;
  std::uint8_t* row = im.row(y0);
  const int c = im.channels;
  std::fill(row + static_cast<std::size_t>(x0) * c, row + static_cast<std::size_t>(x1 + 1) * c, value);
}

/// x of the edge at row y, as Draw.c computes it: (y - y0) * dx + x0 in float.
float edge_x(int y, const PillowEdge& e) { return static_cast<float>(y - e.y0) * e.dx + static_cast<float>(e.x0); }

}  // namespace

void fill_polygon_pillow(Image& image, const double* xs, const double* ys, std::size_t count, std::uint8_t value) {
  if (count == 0) return;
  thread_local std::vector<int> xy;
  thread_local std::vector<PillowEdge> e;
  thread_local std::vector<const PillowEdge*> table;
  thread_local std::vector<float> xx;
  xy.resize(2 * count);
  for (std::size_t i = 0; i < count; ++i) {  // _draw_polygon: (int) of each coordinate
    xy[2 * i] = std::isnan(xs[i]) ? 0 : static_cast<int>(std::clamp(xs[i], -kCoordinateLimit, kCoordinateLimit));
    xy[2 * i + 1] = std::isnan(ys[i]) ? 0 : static_cast<int>(std::clamp(ys[i], -kCoordinateLimit, kCoordinateLimit));
  }
  // ImagingDrawPolygon: the edge list, runs of horizontal edges in one direction joined.
  e.assign(count, PillowEdge{});
  std::size_t n = 0, i = 0;
  for (; i + 1 < count; ++i) {
    const int x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
    if (y0 == y1 && i != 0 && y0 == xy[2 * i - 1]) {
      PillowEdge& last = e[n - 1];
      if (x1 > x0 && x0 > xy[2 * i - 2]) {
        last.xmax = x1;
        continue;
      }
      if (x1 < x0 && x0 < xy[2 * i - 2]) {
        last.xmin = x1;
        continue;
      }
    }
    add_pillow_edge(e[n++], x0, y0, x1, y1);
  }
  if (xy[2 * i] != xy[0] || xy[2 * i + 1] != xy[1]) {
    if (n == e.size()) e.emplace_back();
    add_pillow_edge(e[n++], xy[2 * i], xy[2 * i + 1], xy[0], xy[1]);
  }
  // polygon_generic without alpha.
  int ymin = image.height - 1, ymax = 0;
  table.clear();
  for (std::size_t k = 0; k < n; ++k) {
    ymin = std::min(ymin, e[k].ymin);
    ymax = std::max(ymax, e[k].ymax);
    if (e[k].ymin == e[k].ymax) {
      pillow_hline(image, e[k].xmin, e[k].ymin, e[k].xmax, value);
      continue;
    }
    table.push_back(&e[k]);
  }
  ymin = std::max(ymin, 0);
  ymax = std::min(ymax, image.height);
  xx.assign(2 * table.size() + 1, 0.0f);
  for (; ymin <= ymax; ++ymin) {
    std::size_t j = 0;
    for (std::size_t t = 0; t < table.size(); ++t) {
      const PillowEdge& cur = *table[t];
      if (ymin < cur.ymin || ymin > cur.ymax) continue;
      xx[j++] = edge_x(ymin, cur);
      if (ymin == cur.ymax && ymin < ymax) {
        xx[j] = xx[j - 1];  // consistent polygons
        ++j;
      } else if (cur.dx != 0 && std::round(xx[j - 1]) == xx[j - 1]) {
        // Connect discontiguous corners (Draw.c indexes xx by the edge number here, as it does).
        for (std::size_t k = 0; k < t; ++k) {
          const PillowEdge& other = *table[k];
          if ((cur.dx > 0 && other.dx <= 0) || (cur.dx < 0 && other.dx >= 0)) continue;
          if (((ymin == cur.ymin && ymin == other.ymin) || (ymin == cur.ymax && ymin == other.ymax)) &&
              xx[j - 1] == edge_x(ymin, other)) {
            const int offset = ymin == ymax ? -1 : 1;
            const float a = edge_x(ymin + offset, cur), b = edge_x(ymin + offset, other);
            if (ymin == cur.ymax)
              xx[k] = cur.dx > 0 ? static_cast<float>(std::fmax(a, b) + 1) : static_cast<float>(std::fmin(a, b) - 1);
            else
              xx[k] = cur.dx > 0 ? static_cast<float>(std::fmin(a, b)) : static_cast<float>(std::fmax(a, b) + 1);
            break;
          }
        }
      }
    }
    std::sort(xx.begin(), xx.begin() + static_cast<std::ptrdiff_t>(j));
    for (std::size_t k = 1; k < j; k += 2) pillow_hline(image, round_up(xx[k - 1]), ymin, round_down(xx[k]), value);
  }
}

}  // namespace fdsl
