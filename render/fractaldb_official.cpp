// Compiled with -ffp-contract=off (project-wide): each expression below is evaluated in double,
// left to right, as NumPy evaluates the official script's array expressions.
#include "fdsl/render/fractaldb_official.h"

#include <algorithm>

#include "fdsl/core/mt19937.h"

namespace fdsl {

void official_orbit(const Ifs2& ifs, std::int64_t points, std::vector<double>& xs, std::vector<double>& ys,
                    std::uint32_t mt_seed) {
  points = std::max<std::int64_t>(points, 1);
  xs.assign(static_cast<std::size_t>(points), 0.0);
  ys.assign(static_cast<std::size_t>(points), 0.0);
  const std::size_t n = ifs.maps.size();
  std::vector<double> cum(n);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) cum[i] = (s += ifs.probs[i]);
  Mt19937 mt(mt_seed);
  double x = 0, y = 0;
  for (std::int64_t t = 1; t < points; ++t) {
    const double u = mt.random53();
    std::size_t i = 0;
    while (i < n && !(u <= cum[i])) ++i;
    if (i < n) {
      const AffineMap2& m = ifs.maps[i];
      const double nx = (x * m.a + y * m.b) + m.e;
      const double ny = (x * m.c + y * m.d) + m.f;
      x = nx;
      y = ny;
    }
    xs[t] = x;
    ys[t] = y;
  }
}

namespace {

/// One axis: shift so the minimum is 0 (when it is negative), then scale to [pad, size - pad]
/// and truncate to uint16, as `(v / (max - min) * (size - 2 * pad) + pad).astype(np.uint16)`.
void normalize_axis(std::vector<double>& v, int size, int pad, std::vector<std::int32_t>& out) {
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  const double lo = *lo_it, hi = *hi_it;
  if (lo < 0)
    for (double& a : v) a = a - lo;
  const double span = hi - lo;
  out.resize(v.size());
  const double inner = static_cast<double>(size - 2 * pad);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double p = v[i] / span * inner + static_cast<double>(pad);
    out[i] = static_cast<std::int32_t>(static_cast<std::uint16_t>(static_cast<std::int64_t>(p)));
  }
}

}  // namespace

Image official_point_render(std::vector<double>& xs, std::vector<double>& ys, int width, int height, int pad) {
  Image image(width, height, 1, 0);
  std::vector<std::int32_t> px, py;
  normalize_axis(xs, width, pad, px);
  normalize_axis(ys, height, pad, py);
  for (std::size_t i = 0; i < px.size(); ++i) {
    if (px[i] < width && py[i] < height) image.at(px[i], height - 1 - py[i]) = 127;
  }
  return image;
}

}  // namespace fdsl
