// dead_leaves generator (the official generate_datasets/dead_leaves/generate_dataset.py, a port of
// the authors' dead_leaves.m). Per shape, in this order: the shape (shape: mixed picks one of six),
// the colour (floor(U(0, 1) * 255) per channel), the radius (RadiusTable), the centre
// (floor(U(0, size)) per axis), then the shape's own draws:
//   circle           radius r
//   square           side r sqrt(2), axis-aligned, corners truncated to integers
//   oriented_square  the square's integer corners rotated by theta ~ U(0, 2 pi)
//   rectangle        corners (+-r cos a, +-r sin a), a ~ U(0, pi / 2)
//   triangle         3 sorted angles ~ U(0, 2 pi) on the circle of radius r
//   quadrilateral    the same with 4
// Shapes are drawn over the earlier ones until every pixel is covered or max_shapes were drawn
// (the official max_iters 5000); pixels never covered stay black, as in the official images. The
// pixels are the painter's, but painted from the last shape back, each pixel once (Canvas).
// texture: spectral fills each shape with one of texture_pool spectral-noise images made from the
// dataset seed: plain spectrum images, or with texture_model: spectrum_color_wmm the images the
// official textured variant pastes (one of 10,000 stat-spectrum_color_wmm images per shape).
#include "fdsl/generators/dead_leaves.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "exponent_classes.h"
#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/render/spectral.h"
#include "fdsl/render/statistical.h"

namespace fdsl {

const ParamTable& dead_leaves_params() {
  static const ParamTable table = {
      enum_param("shape", "mixed",
                 {"mixed", "square", "oriented_square", "circle", "rectangle", "triangle", "quadrilateral"},
                 "the shapes (the paper's variants: square, oriented_square, mixed)")
          .explorer_knob(1),
      float_param("sigma_min", 3.0, 0.0, 10.0, "lower end of the radius power law's exponent (the paper: 3)")
          .at_most("sigma_max")
          .explorer_knob(2),
      float_param("sigma_max", 3.0, 0.0, 10.0, "upper end of the exponent (classes split [sigma_min, sigma_max])"),
      float_param("radius_min", 0.03, 0.0, 1.0, "smallest radius, a fraction of the side (the paper: 0.03)", true)
          .at_most("radius_max")
          .explorer_knob(3),
      float_param("radius_max", 1.0, 0.0, 4.0, "largest radius, a fraction of the side (the paper: 1)", true),
      int_param("radius_levels", 200, 2, 1000000,
                "radii in the table between radius_min and radius_max (the paper: 200)"),
      int_param("max_shapes", 5000, 1, 10000000, "shapes drawn at most when pixels stay uncovered (the paper: 5000)"),
      enum_param("texture", "none", {"none", "spectral"},
                 "none: flat colours; spectral: each shape shows one of texture_pool spectral-noise images")
          .explorer_knob(4),
      int_param("texture_pool", 64, 1, 100000, "spectral-noise textures made once from the dataset seed")
          .when("texture", {"spectral"}),
      enum_param("texture_model", "spectrum", {"spectrum", "spectrum_color_wmm"},
                 "the textures' statistical model (spectral_noise's model): spectrum, or spectrum_color_wmm as the "
                 "paper's textured dead leaves (10 iterations; 3 channels, at most 2048 px; ~0.3 s a 256 px texture)")
          .when("texture", {"spectral"}),
  };
  return table;
}

RadiusTable::RadiusTable(double r_min, double r_max, int levels, double sigma) {
  radius.resize(static_cast<std::size_t>(levels));
  cdf.resize(radius.size());
  double sum = 0;
  for (int i = 0; i < levels; ++i) {
    // numpy.linspace: start + i * step, the last point exactly the end.
    const double r = i + 1 == levels ? r_max : r_min + static_cast<double>(i) * ((r_max - r_min) / (levels - 1));
    radius[static_cast<std::size_t>(i)] = r;
    double w = 1.0 / std::pow(r, sigma);
    if (sigma > 0) w -= 1.0 / std::pow(r_max, sigma);
    sum += w;
    cdf[static_cast<std::size_t>(i)] = sum;
  }
  const double top = *std::max_element(cdf.begin(), cdf.end());
  for (auto& c : cdf) c = top > 0 ? c / top : 1.0;
}

std::size_t RadiusTable::pick(double u) const {
  // cdf is non-decreasing: the nearest value is at the first index at or above u, or just before.
  const auto it = std::lower_bound(cdf.begin(), cdf.end(), u);
  std::size_t i = static_cast<std::size_t>(it - cdf.begin());
  if (i == cdf.size()) return cdf.size() - 1;
  // The first of equal values (argmin takes the first minimum).
  while (i > 0 && cdf[i - 1] == cdf[i]) --i;
  if (i > 0 && std::abs(cdf[i - 1] - u) <= std::abs(cdf[i] - u)) {
    std::size_t j = i - 1;
    while (j > 0 && cdf[j - 1] == cdf[j]) --j;
    return j;
  }
  return i;
}

namespace {

enum class Shape { Circle, Square, OrientedSquare, Rectangle, Triangle, Quadrilateral, Mixed };

Shape shape_of(const std::string& s) {
  if (s == "circle") return Shape::Circle;
  if (s == "square") return Shape::Square;
  if (s == "oriented_square") return Shape::OrientedSquare;
  if (s == "rectangle") return Shape::Rectangle;
  if (s == "triangle") return Shape::Triangle;
  if (s == "quadrilateral") return Shape::Quadrilateral;
  return Shape::Mixed;
}

/// std::floor of a double well inside the range of long, as an integer (exact: the truncation
/// is corrected by one where it went the wrong way).
inline long floor_long(double v) {
  const long t = static_cast<long>(v);
  return t - static_cast<long>(v < static_cast<double>(t));
}

/// Which pixels of each row are taken, a bit per pixel: claiming a span touches one word per 64
/// pixels of it, whether its pixels were free or not, so a span over pixels covered many times
/// costs a few word operations. The bits past a row's end are set, so a word is full when it is
/// all ones.
struct RowBits {
  std::size_t words = 0;  ///< per row
  std::vector<std::uint64_t> bits;

  void reset(int n) {
    words = (static_cast<std::size_t>(n) + 63) / 64;
    bits.assign(words * static_cast<std::size_t>(n), 0);
    if (n % 64 != 0)
      for (std::size_t y = 0; y < static_cast<std::size_t>(n); ++y)
        bits[y * words + words - 1] = ~std::uint64_t{0} << (n % 64);
  }
  /// The bits x0..x1 of word w (x0 <= x1, both in the row).
  static std::uint64_t word_mask(std::size_t w, std::int32_t x0, std::int32_t x1) {
    const std::int64_t base = static_cast<std::int64_t>(w) * 64;
    const int lo = static_cast<int>(std::max<std::int64_t>(x0 - base, 0));
    const int hi = static_cast<int>(std::min<std::int64_t>(x1 - base, 63));
    const std::uint64_t upto = hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (hi + 1)) - 1;
    return upto & (~std::uint64_t{0} << lo);
  }
  /// Takes the pixels [x0, x1] of row y; returns how many of its words that made full (the
  /// canvas is covered when every word is: no pixel count is needed for that).
  std::int64_t take(int y, std::int32_t x0, std::int32_t x1) {
    std::uint64_t* row = bits.data() + static_cast<std::size_t>(y) * words;
    std::int64_t n = 0;
    for (std::size_t w = static_cast<std::size_t>(x0) / 64, e = static_cast<std::size_t>(x1) / 64; w <= e; ++w) {
      const std::uint64_t old = row[w], now = old | word_mask(w, x0, x1);
      row[w] = now;
      n += static_cast<std::int64_t>(now == ~std::uint64_t{0}) & static_cast<std::int64_t>(old != ~std::uint64_t{0});
    }
    return n;
  }
  /// Calls f(a, b) for each run [a, b) of free pixels in [x0, x1] of row y and takes them.
  template <class F>
  void claim(int y, std::int32_t x0, std::int32_t x1, F&& f) {
    std::uint64_t* row = bits.data() + static_cast<std::size_t>(y) * words;
    std::int32_t run_a = 0, run_b = -1;  // the run found so far, continued across words
    for (std::size_t w = static_cast<std::size_t>(x0) / 64, e = static_cast<std::size_t>(x1) / 64; w <= e; ++w) {
      const std::uint64_t m = word_mask(w, x0, x1);
      std::uint64_t free = m & ~row[w];
      row[w] |= m;
      const std::int32_t base = static_cast<std::int32_t>(w * 64);
      while (free) {
        const int s = std::countr_zero(free);
        const std::uint64_t from = free >> s;
        const int len = ~from == 0 ? 64 - s : std::countr_zero(~from);
        free &= len == 64 ? 0 : ~(((std::uint64_t{1} << len) - 1) << s);
        const std::int32_t a = base + s, b = a + len;
        if (a == run_b) {
          run_b = b;
        } else {
          if (run_b > run_a) f(run_a, run_b);
          run_a = a;
          run_b = b;
        }
      }
    }
    if (run_b > run_a) f(run_a, run_b);
  }
};

/// floor(a / b) for b > 0.
inline long floor_div(long a, long b) {
  const long q = a / b;
  return q - static_cast<long>((a % b != 0) & (a < 0));
}

/// Where an edge (ax, ay) - (bx, by), ay < by, crosses row y, stepped a row at a time:
/// x = ax + q + r / dy with 0 <= r < dy, so its row span is [ax + q + (r != 0), ax + q].
struct EdgeCrossing {
  long ax = 0, dy = 1, q = 0, r = 0, step = 0, rest = 0;

  /// The crossing at row y (ay <= y <= by).
  void start(long x0, long y0, long x1, long y1, long y) {
    ax = x0;
    dy = y1 - y0;
    const long dx = x1 - x0;
    step = floor_div(dx, dy);
    rest = dx - step * dy;
    if (y - y0 <= 1) {  // the edge's first row or the one below (a division is slow)
      q = y - y0 == 1 ? step : 0;
      r = y - y0 == 1 ? rest : 0;
    } else {
      q = floor_div(dx * (y - y0), dy);
      r = dx * (y - y0) - q * dy;
    }
  }
  /// [lo, hi] widened by this row's crossing.
  void widen(long& lo, long& hi) const {
    lo = std::min(lo, ax + q + static_cast<long>(r != 0));
    hi = std::max(hi, ax + q);
  }
  /// On to the next row.
  void next() {
    r += rest;
    const long carry = static_cast<long>(r >= dy);  // without a branch: it is taken at random
    q += step + carry;
    r -= carry * dy;
  }
};

/// polygon_rows for any vertex list (rows ymin..ymax, clipped): each edge records its crossings
/// in per-row [lo, hi] tables.
template <class F>
void polygon_rows_by_table(const long* xs, const long* ys, int n, long ymin, long ymax, F&& f) {
  thread_local std::vector<long> lo, hi;
  const std::size_t rows = static_cast<std::size_t>(ymax - ymin + 1);
  lo.assign(rows, std::numeric_limits<long>::max());
  hi.assign(rows, std::numeric_limits<long>::min());
  for (int i = 0; i < n; ++i) {
    const int j = i + 1 == n ? 0 : i + 1;
    long ax = xs[i], ay = ys[i], bx = xs[j], by = ys[j];
    if (ay == by) {
      if (ay < ymin || ay > ymax) continue;
      const std::size_t r = static_cast<std::size_t>(ay - ymin);
      lo[r] = std::min(lo[r], std::min(ax, bx));
      hi[r] = std::max(hi[r], std::max(ax, bx));
      continue;
    }
    if (ay > by) {
      std::swap(ax, bx);
      std::swap(ay, by);
    }
    const long y0 = std::max(ay, ymin), y1 = std::min(by, ymax);
    if (y0 > y1) continue;
    EdgeCrossing e;
    e.start(ax, ay, bx, by, y0);
    for (long y = y0; y <= y1; ++y) {
      const std::size_t k = static_cast<std::size_t>(y - ymin);
      e.widen(lo[k], hi[k]);
      e.next();
    }
  }
  for (std::size_t k = 0; k < rows; ++k)
    if (lo[k] <= hi[k]) f(ymin + static_cast<long>(k), lo[k], hi[k]);
}

/// One side of a polygon whose vertices, walked from its top vertex to its bottom one in each
/// direction, never go up: the edges that contain a row are the one that crosses it, or the few
/// that meet on it (one ends there, horizontal ones lie on it, the next starts there).
struct ChainWalk {
  const long* xs;
  const long* ys;
  int n, dir, v, last;  ///< the edge from vertex v to vertex v + dir (mod n); the chain ends at last
  long by = 0;          ///< where edge v ends
  EdgeCrossing e;       ///< edge v's crossing with the next row asked

  int next(int i) const {
    i += dir;
    return i >= n ? i - n : i;
  }
  /// Row y where edges meet (or the first row): [lo, hi] over every chain edge on it, and the
  /// edge that goes on below it entered at y + 1. Edge v contains y.
  void meet(long y, long& lo, long& hi) {
    for (;;) {
      const int w = next(v);
      if (ys[w] == ys[v]) {
        lo = std::min(lo, std::min(xs[v], xs[w]));
        hi = std::max(hi, std::max(xs[v], xs[w]));
      } else if (y == ys[w]) {
        lo = std::min(lo, xs[w]);
        hi = std::max(hi, xs[w]);
      } else {  // y at the edge's start, or the first row on the canvas's edge
        e.start(xs[v], ys[v], xs[w], ys[w], y);
        e.widen(lo, hi);
      }
      if (ys[w] > y) break;
      v = w;
      if (v == last) return;
    }
    const int w = next(v);
    by = ys[w];
    e.start(xs[v], ys[v], xs[w], ys[w], y + 1);
  }
  /// [lo, hi] of row y (rows are asked in increasing order).
  void row(long y, long& lo, long& hi) {
    if (y < by) {
      e.widen(lo, hi);
      e.next();
    } else {
      meet(y, lo, hi);
    }
  }
};

/// The rows of a polygon with integer vertices, its boundary included: f(y, x0, x1) for each row
/// y in [0, size) it covers, in increasing y (x0 <= x1, not clipped to the canvas). Per row, the
/// crossings of the edges x = xa + dx (y - ya) / dy are rationals with denominator dy, and the
/// span is [min ceil, max floor] over the edges that contain the row; an edge steps its crossing
/// by a quotient and a remainder a row, with no division. (The earlier form took ceil(x - 1e-9)
/// and floor(x + 1e-9) of the crossings in doubles: a crossing off an integer is at least 1 / dy
/// from it, far more than 1e-9 and the doubles' error, so the two agree; a test holds them
/// together.) Polygons whose two sides from the top vertex go down all the way (every convex one)
/// walk both sides at once; others fill per-row tables.
template <class F>
void polygon_rows(const long* xs, const long* ys, int n, int size, F&& f) {
  int top = 0, bottom = 0;
  for (int i = 1; i < n; ++i) {
    if (ys[i] < ys[top]) top = i;
    if (ys[i] > ys[bottom]) bottom = i;
  }
  const long ymin = std::max(ys[top], 0L), ymax = std::min(ys[bottom], static_cast<long>(size) - 1);
  if (ymin > ymax) return;
  // The first vertex at the bottom after top, and whether both sides from top to it never rise.
  const long yb = ys[bottom];
  for (bottom = top; ys[bottom] != yb;) bottom = bottom + 1 == n ? 0 : bottom + 1;
  bool monotone = yb > ys[top];
  for (int i = top; monotone && i != bottom;) {
    const int j = i + 1 == n ? 0 : i + 1;
    monotone = ys[j] >= ys[i];
    i = j;
  }
  for (int i = top; monotone && i != bottom;) {
    const int j = i == 0 ? n - 1 : i - 1;
    monotone = ys[j] >= ys[i];
    i = j;
  }
  if (!monotone) {
    polygon_rows_by_table(xs, ys, n, ymin, ymax, f);
    return;
  }
  // by = ymin: the first row is taken by meet(), which finds its edges and enters the next one.
  ChainWalk a{xs, ys, n, 1, top, bottom, ymin, {}}, b{xs, ys, n, n - 1, top, bottom, ymin, {}};
  for (ChainWalk* c : {&a, &b})  // to the edge that contains the first row
    while (ys[c->next(c->v)] < ymin) c->v = c->next(c->v);
  for (long y = ymin; y <= ymax; ++y) {
    long lo = std::numeric_limits<long>::max(), hi = std::numeric_limits<long>::min();
    a.row(y, lo, hi);
    b.row(y, lo, hi);
    if (lo <= hi) f(y, lo, hi);
  }
}

/// The canvas and what covers it. Shapes are drawn in order, each over the earlier ones, so a
/// pixel shows the last shape that covers it: the shapes' spans are collected (counting the pixels
/// covered so far, which decides when drawing stops) and then painted from the last shape back,
/// each pixel once. The result is the painter's, pixel for pixel, at a fraction of the cost: at
/// the paper's settings the shapes cover the canvas ten times over.
struct Canvas {
  int size = 0, channels = 3;
  std::uint8_t* pixels = nullptr;
  std::int64_t open_words = 0;            ///< words of the coverage bits not yet full: 0 once every pixel is covered
  const std::uint8_t* texture = nullptr;  ///< a size x size x channels image, or null
  std::uint8_t color[3] = {0, 0, 0};
  /// With masks: the shape's kind + 1 and its drawing index + 1 go to every pixel it shows in.
  std::uint16_t* semantic = nullptr;
  std::uint32_t* instances = nullptr;
  std::uint16_t kind = 0;
  std::uint32_t id = 0;

  struct Span {
    std::int32_t y, x0, x1;
    std::uint32_t shape;  ///< index in shapes
  };
  struct ShapeLook {
    const std::uint8_t* texture;
    std::uint8_t color[3];
    std::uint16_t kind;
    std::uint32_t id;
  };
  RowBits coverage, paint;
  std::vector<Span> spans;
  std::vector<ShapeLook> shapes;
  /// Spans held before they are painted: a chunk painted over the earlier ones is the same as
  /// its shapes painted one by one, so memory stays bounded for any max_shapes.
  static constexpr std::size_t kChunkSpans = std::size_t{1} << 18;

  void start(int n, int ch, std::uint8_t* out) {
    size = n;
    channels = ch;
    pixels = out;
    coverage.reset(n);
    open_words = static_cast<std::int64_t>(coverage.words) * n;
    spans.clear();
    shapes.clear();
  }
  /// A new shape with the look set in color, texture, kind and id.
  void begin_shape() {
    if (spans.size() + static_cast<std::size_t>(size) > kChunkSpans || shapes.size() >= kChunkSpans) flush();
    ShapeLook l{texture, {color[0], color[1], color[2]}, kind, id};
    shapes.push_back(l);
  }

  void span(int y, long x0, long x1) {
    if (y < 0 || y >= size) return;
    x0 = std::max(0L, x0);
    x1 = std::min(static_cast<long>(size) - 1, x1);
    if (x0 > x1) return;
    spans.push_back({y, static_cast<std::int32_t>(x0), static_cast<std::int32_t>(x1),
                     static_cast<std::uint32_t>(shapes.size() - 1)});
    open_words -= coverage.take(y, static_cast<std::int32_t>(x0), static_cast<std::int32_t>(x1));
  }

  /// Paints the spans held, the last first, each pixel by the last shape over it.
  void flush() {
    if (spans.empty()) {
      shapes.clear();
      return;
    }
    paint.reset(size);
    const std::size_t ch = static_cast<std::size_t>(channels);
    for (std::size_t k = spans.size(); k-- > 0;) {
      const Span& s = spans[k];
      const ShapeLook& look = shapes[s.shape];
      const std::size_t row = static_cast<std::size_t>(s.y) * static_cast<std::size_t>(size);
      paint.claim(s.y, s.x0, s.x1, [&](std::int32_t a, std::int32_t b) {
        const std::size_t at = row + static_cast<std::size_t>(a), n = static_cast<std::size_t>(b - a);
        std::uint8_t* dst = pixels + at * ch;
        if (semantic) {
          std::fill_n(semantic + at, n, look.kind);
          std::fill_n(instances + at, n, look.id);
        }
        if (look.texture) {
          std::memcpy(dst, look.texture + at * ch, n * ch);
        } else if (ch == 1) {
          std::memset(dst, look.color[0], n);
        } else {
          for (std::size_t i = 0; i < n; ++i) {
            dst[3 * i] = look.color[0];
            dst[3 * i + 1] = look.color[1];
            dst[3 * i + 2] = look.color[2];
          }
        }
      });
    }
    spans.clear();
    shapes.clear();
  }

  /// cv2.circle(thickness=-1) at an integer centre: the pixels within r of it.
  void circle(long cx, long cy, long r) {
    const long y0 = std::max(-r, -cy), y1 = std::min(r, static_cast<long>(size) - 1 - cy);
    for (long dy = y0; dy <= y1; ++dy) {
      const long half = floor_long(std::sqrt(static_cast<double>(r * r - dy * dy)));
      span(static_cast<int>(cy + dy), cx - half, cx + half);
    }
  }

  /// A convex polygon with integer vertices, its boundary included (cv2.fillPoly's pixels).
  void convex(const long* xs, const long* ys, int n) {
    polygon_rows(xs, ys, n, size, [&](long y, long x0, long x1) { span(static_cast<int>(y), x0, x1); });
  }
};

class DeadLeaves final : public detail::ExponentClassGenerator<DeadLeaves> {
 public:
  DeadLeaves(const Params& p, const GeneratorContext& ctx) : ExponentClassGenerator(p, "dead_leaves", "sigma") {
    shape_ = shape_of(p.get_string("shape"));
    r_min_ = p.get_float("radius_min");
    r_max_ = p.get_float("radius_max");
    levels_ = static_cast<int>(p.get_int("radius_levels"));
    max_shapes_ = p.get_int("max_shapes");
    masks_ = p.get_bool("masks");
    if (masks_ && max_shapes_ > 65535)
      p.fail("max_shapes",
             "masks number the shapes in 16 bits: at most 65,535 with masks, got " + std::to_string(max_shapes_));
    if (exponents_.hi == exponents_.lo)
      fixed_table_ = std::make_shared<RadiusTable>(r_min_, r_max_, levels_, exponents_.lo);
    if (p.get_string("texture") == "spectral") {
      const std::int64_t pool = p.get_int("texture_pool");
      const double each = static_cast<double>(size_) * size_ * channels_;
      check_category_memory(p, "texture_pool", pool, each);
      textures_ = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(pool * each));
      const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
      const bool wmm = p.get_string("texture_model") == "spectrum_color_wmm";
      std::unique_ptr<SteerablePyramid> pyramid;
      if (wmm) {
        if (channels_ != 3)
          p.fail("texture_model", "spectrum_color_wmm matches colour histograms and needs channels: 3 (or auto)");
        if (size_ > 2048) p.fail("size", "is at most 2048 with texture_model: spectrum_color_wmm (valid: [8, 2048])");
        const int field = spectral_field(size_);
        pyramid = std::make_unique<SteerablePyramid>(field, wmm_levels(field));
      }
      if (ctx.on_phase) ctx.on_phase("spectral textures: " + std::to_string(pool));
      parallel_for(0, pool, ctx.threads, [&](std::int64_t t) {
        // The spectrum model's defaults: slope U(0.5, 3.5), anisotropy N(0, 0.05), palette colours.
        Rng rng(seed, 0, static_cast<std::uint64_t>(t), Purpose::Background);
        const AxisSlopes a = draw_axis_slopes(rng.uniform(0.5, 3.5), 0.05, rng);
        std::uint8_t* out = textures_->data() + static_cast<std::size_t>(t * each);
        if (wmm) {
          StatisticalImage s;
          s.model = StatisticalModel::SpectrumColorWmm;
          s.pca = true;
          s.slope_x = a.x;
          s.slope_y = a.y;
          s.pyramid = pyramid.get();
          render_statistical_image(out, size_, channels_, s, rng);
        } else {
          render_spectral_image(out, size_, channels_, a.x, a.y, channels_ == 3, rng);
        }
      });
      pool_ = pool;
    }
  }

  SampleMemory sample_memory() const override {
    // Masks: the class and instance maps (2 bytes a pixel each), the drawing indices (4) and their
    // PNG rows (3); the two bit maps of taken pixels (whole words per row); a chunk of spans and
    // looks.
    SampleMemory m = image_memory(size_, channels_, 2.5 * channels_ + (masks_ ? 11.0 : 0.0));
    m.bytes += 2.0 * 8.0 * std::ceil(size_ / 64.0) * size_;
    // A chunk holds at most kChunkSpans spans (16 bytes) and as many looks (24), and never more
    // than the size rows of every shape drawn.
    const double spans = std::min(static_cast<double>(Canvas::kChunkSpans),
                                  static_cast<double>(max_shapes_) * static_cast<double>(size_));
    m.bytes += 16.0 * levels_ + 16.0 * spans + 24.0 * std::min(spans, static_cast<double>(max_shapes_));
    return m;
  }

  MaskInfo masks() const override {
    MaskInfo m;
    m.on = masks_;
    if (!masks_) return m;
    m.categories = {"circle", "square", "oriented_square", "rectangle", "triangle", "quadrilateral"};
    m.semantic_bits = 8;
    m.instance_bits = max_shapes_ > 255 ? 16 : 8;
    m.objects = "shape";
    return m;
  }

  /// The image of (cat, inst) into `out` (black); with masks on and a `sample`, its masks too:
  /// the shape kind per pixel, and the shapes that stay visible numbered 1, 2, ... in drawing
  /// order.
  void render(std::int64_t cat, std::int64_t inst, std::uint8_t* out, Sample* sample) const {
    Rng rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Layout);
    const double sigma = fixed_table_ ? exponents_.lo : exponents_.draw(cat, rng);
    std::unique_ptr<RadiusTable> own;
    if (!fixed_table_) own = std::make_unique<RadiusTable>(r_min_, r_max_, levels_, sigma);
    const RadiusTable& table = fixed_table_ ? *fixed_table_ : *own;
    thread_local Canvas canvas;
    canvas.start(size_, channels_, out);
    const std::size_t area = static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_);
    canvas.semantic = nullptr;
    canvas.instances = nullptr;
    thread_local std::vector<std::uint32_t> drawn_ids;
    if (masks_ && sample) {
      sample->semantic.reset(size_, size_);
      sample->semantic.bits = 8;
      drawn_ids.assign(area, 0);
      canvas.semantic = sample->semantic.values.data();
      canvas.instances = drawn_ids.data();
    }
    const double res = size_;
    for (std::int64_t k = 0; k < max_shapes_ && canvas.open_words > 0; ++k) {
      const Shape shape = shape_ == Shape::Mixed ? static_cast<Shape>(rng.uniform_int(0, 5)) : shape_;
      canvas.kind = static_cast<std::uint16_t>(static_cast<int>(shape) + 1);
      canvas.id = static_cast<std::uint32_t>(k + 1);
      for (int c = 0; c < 3; ++c) canvas.color[c] = static_cast<std::uint8_t>(std::floor(rng.uniform() * 255.0));
      if (channels_ == 1) canvas.color[0] = canvas.color[1];  // one of the three draws, as a gray level
      canvas.texture = nullptr;
      if (textures_)
        canvas.texture = textures_->data() + static_cast<std::size_t>(rng.uniform_int(0, pool_ - 1)) * area *
                                                 static_cast<std::size_t>(channels_);
      canvas.begin_shape();
      const long radius = std::max(static_cast<long>(table.radius[table.pick(rng.uniform())] * res), 1L);
      const long cx = static_cast<long>(rng.uniform(0.0, res)), cy = static_cast<long>(rng.uniform(0.0, res));
      const double r = static_cast<double>(radius);
      long xs[4], ys[4];
      int n = 4;
      switch (shape) {
        case Shape::Circle:
          canvas.circle(cx, cy, radius);
          continue;
        case Shape::Square:
        case Shape::OrientedSquare: {
          const long h = static_cast<long>(r * std::sqrt(2.0) / 2);  // int32 of +-side / 2
          const double cs[4][2] = {{-1.0, -1.0}, {1.0, -1.0}, {1.0, 1.0}, {-1.0, 1.0}};
          double c = 1, s = 0;
          if (shape == Shape::OrientedSquare) {
            const double theta = rng.uniform(0.0, 2 * M_PI);
            c = std::cos(theta);
            s = std::sin(theta);
          }
          for (int i = 0; i < 4; ++i) {
            const double x = cs[i][0] * h, y = cs[i][1] * h;
            xs[i] = static_cast<long>(static_cast<double>(cx) + (c * x - s * y));
            ys[i] = static_cast<long>(static_cast<double>(cy) + (s * x + c * y));
          }
          break;
        }
        case Shape::Rectangle: {
          const double a = rng.uniform(0.0, 0.5 * M_PI);
          const long px = static_cast<long>(r * std::cos(a)), py = static_cast<long>(r * std::sin(a));
          const long qx[4] = {px, px, -px, -px}, qy[4] = {py, -py, -py, py};
          for (int i = 0; i < 4; ++i) {
            xs[i] = cx + qx[i];
            ys[i] = cy + qy[i];
          }
          break;
        }
        default: {
          n = shape == Shape::Triangle ? 3 : 4;
          double angles[4];
          for (int i = 0; i < n; ++i) angles[i] = rng.uniform(0.0, 2 * M_PI);
          std::sort(angles, angles + n);
          for (int i = 0; i < n; ++i) {
            xs[i] = static_cast<long>(static_cast<double>(cx) + r * std::cos(angles[i]));
            ys[i] = static_cast<long>(static_cast<double>(cy) + r * std::sin(angles[i]));
          }
          break;
        }
      }
      canvas.convex(xs, ys, n);
    }
    canvas.flush();
    if (canvas.semantic) number_visible(drawn_ids, *sample);
  }

  /// The instance mask from the drawing indices: the shapes still visible, renumbered 1, 2, ...
  /// in the order they were drawn.
  void number_visible(const std::vector<std::uint32_t>& drawn, Sample& s) const {
    thread_local std::vector<std::uint32_t> renumber;
    renumber.assign(static_cast<std::size_t>(max_shapes_) + 1, 0);
    for (std::uint32_t v : drawn) renumber[v] = 1;
    std::uint32_t next = 0;
    for (std::size_t k = 1; k < renumber.size(); ++k)
      if (renumber[k]) renumber[k] = ++next;
    renumber[0] = 0;  // never covered: background
    s.instances.reset(size_, size_);
    s.instances.bits = max_shapes_ > 255 ? 16 : 8;
    for (std::size_t i = 0; i < drawn.size(); ++i)
      s.instances.values[i] = static_cast<std::uint16_t>(renumber[drawn[i]]);
  }

 private:
  int levels_ = 200;
  std::int64_t max_shapes_ = 5000, pool_ = 0;
  bool masks_ = false;
  Shape shape_ = Shape::Mixed;
  double r_min_ = 0.03, r_max_ = 1.0;
  std::shared_ptr<const RadiusTable> fixed_table_;
  std::shared_ptr<std::vector<std::uint8_t>> textures_;
};

}  // namespace

std::vector<std::array<long, 3>> detail::dead_leaves_polygon_rows(const long* xs, const long* ys, int n, int size) {
  std::vector<std::array<long, 3>> rows;
  polygon_rows(xs, ys, n, size, [&](long y, long x0, long x1) { rows.push_back({y, x0, x1}); });
  return rows;
}

std::unique_ptr<Generator> make_dead_leaves(const Params& params, const GeneratorContext& context) {
  return std::make_unique<DeadLeaves>(params, context);
}

}  // namespace fdsl
