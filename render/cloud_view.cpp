#include "fdsl/render/cloud_view.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "fdsl/render/color.h"

namespace fdsl {

Image render_cloud_view(const PointCloud& cloud, int size) {
  Image out(size, size, 3, 0);
  const std::size_t n = cloud.size();
  if (n == 0) return out;
  const double az = 30.0 * std::numbers::pi / 180.0, el = 25.0 * std::numbers::pi / 180.0;
  const double ca = std::cos(az), sa = std::sin(az), ce = std::cos(el), se = std::sin(el);
  // Screen u to the right, v up, depth d towards the viewer.
  std::vector<float> u(n), v(n), d(n);
  float lo_u = std::numeric_limits<float>::infinity(), hi_u = -lo_u, lo_v = lo_u, hi_v = -lo_u, lo_d = lo_u,
        hi_d = -lo_u;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = cloud.xyz[3 * i], y = cloud.xyz[3 * i + 1], z = cloud.xyz[3 * i + 2];
    const double rx = ca * x - sa * y, ry = sa * x + ca * y;
    u[i] = static_cast<float>(rx);
    v[i] = static_cast<float>(ce * z - se * ry);
    d[i] = static_cast<float>(-se * z - ce * ry);
    lo_u = std::min(lo_u, u[i]);
    hi_u = std::max(hi_u, u[i]);
    lo_v = std::min(lo_v, v[i]);
    hi_v = std::max(hi_v, v[i]);
    lo_d = std::min(lo_d, d[i]);
    hi_d = std::max(hi_d, d[i]);
  }
  if (!std::isfinite(lo_u) || !std::isfinite(hi_u) || !std::isfinite(lo_v) || !std::isfinite(hi_v)) return out;
  const float extent = std::max({hi_u - lo_u, hi_v - lo_v, 1e-20f});
  const float scale = static_cast<float>(size - 1) * 0.92f / extent;
  const float cu = 0.5f * (lo_u + hi_u), cv = 0.5f * (lo_v + hi_v);
  const float depth = std::max(hi_d - lo_d, 1e-20f);
  std::vector<float> zbuf(static_cast<std::size_t>(size) * size, -std::numeric_limits<float>::infinity());
  for (std::size_t i = 0; i < n; ++i) {
    const int px = static_cast<int>(std::lround((u[i] - cu) * scale + 0.5f * (size - 1)));
    const int py = static_cast<int>(std::lround(0.5f * (size - 1) - (v[i] - cv) * scale));
    if (px < 0 || py < 0 || px >= size || py >= size) continue;
    float& z = zbuf[static_cast<std::size_t>(py) * size + px];
    if (d[i] <= z) continue;
    z = d[i];
    const double shade = 0.35 + 0.65 * (d[i] - lo_d) / depth;
    std::uint8_t rgb[3];
    if (!cloud.class_ids.empty()) {
      const double hue = std::fmod(0.61803398875 * static_cast<double>(cloud.class_ids[i]), 1.0);
      hsv_to_rgb(hue, 0.65, shade, rgb);
    } else {
      rgb[0] = rgb[1] = rgb[2] = static_cast<std::uint8_t>(std::lround(255.0 * shade));
    }
    for (int c = 0; c < 3; ++c) out.at(px, py, c) = rgb[c];
  }
  return out;
}

}  // namespace fdsl
