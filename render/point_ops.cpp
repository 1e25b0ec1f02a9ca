#include "fdsl/render/point_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "fdsl/core/error.h"

namespace fdsl {

double official_scale(const Orbit3& orbit) {
  const float lo = std::min({orbit.lo[0], orbit.lo[1], orbit.lo[2]});
  const float hi = std::max({orbit.hi[0], orbit.hi[1], orbit.hi[2]});
  const double extent = static_cast<double>(hi) - static_cast<double>(lo);
  return extent > 0 ? 2.0 / extent : std::numeric_limits<double>::infinity();
}

void normalize_official(const Orbit3& orbit, float* xyz) {
  const std::size_t n = orbit.size();
  const double s = official_scale(orbit);
  const float scale = static_cast<float>(s);
  float mean[3];
  for (int a = 0; a < 3; ++a) mean[a] = static_cast<float>(orbit.mean[a]);
  const float* px = orbit.x.data();
  const float* py = orbit.y.data();
  const float* pz = orbit.z.data();
  for (std::size_t k = 0; k < n; ++k) {
    xyz[3 * k + 0] = (px[k] - mean[0]) * scale;
    xyz[3 * k + 1] = (py[k] - mean[1]) * scale;
    xyz[3 * k + 2] = (pz[k] - mean[2]) * scale;
  }
}

std::array<double, 3> normalized_variance(const Orbit3& orbit) {
  const double s = official_scale(orbit);
  if (!orbit.finite || !std::isfinite(s)) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, nan};
  }
  std::array<double, 3> v = orbit_variance(orbit);
  for (double& x : v) x *= s * s;
  return v;
}

std::array<double, 3> axis_variance(const float* xyz, std::size_t n) {
  std::array<double, 3> v{};
  if (n == 0) return v;
  for (int a = 0; a < 3; ++a) {
    long double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += xyz[3 * k + a];
    const long double mean = sum / static_cast<long double>(n);
    long double sq = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const long double d = xyz[3 * k + a] - mean;
      sq += d * d;
    }
    v[a] = static_cast<double>(sq / static_cast<long double>(n));
  }
  return v;
}

namespace {

void centroid(const float* xyz, std::size_t n, double c[3]) {
  // Eight partial sums per axis: independent adds (fast) in a fixed order (reproducible).
  double part[3][8] = {};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; ++j)
      for (int a = 0; a < 3; ++a) part[a][j] += xyz[3 * (k + j) + a];
  for (; k < n; ++k)
    for (int a = 0; a < 3; ++a) part[a][0] += xyz[3 * k + a];
  for (int a = 0; a < 3; ++a) {
    double s = 0;
    for (int j = 0; j < 8; ++j) s += part[a][j];
    c[a] = n ? s / static_cast<double>(n) : 0.0;
  }
}

}  // namespace

void recenter(float* xyz, std::size_t n) {
  double c[3];
  centroid(xyz, n, c);
  const float cx = static_cast<float>(c[0]), cy = static_cast<float>(c[1]), cz = static_cast<float>(c[2]);
  for (std::size_t k = 0; k < n; ++k) {
    xyz[3 * k + 0] -= cx;
    xyz[3 * k + 1] -= cy;
    xyz[3 * k + 2] -= cz;
  }
}

void normalize_unit_sphere(float* xyz, std::size_t n) {
  recenter(xyz, n);
  float r2 = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const float x = xyz[3 * k], y = xyz[3 * k + 1], z = xyz[3 * k + 2];
    r2 = std::max(r2, (x * x + y * y) + z * z);
  }
  if (!(r2 > 0)) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(static_cast<double>(r2)));
  for (std::size_t k = 0; k < 3 * n; ++k) xyz[k] *= inv;
}

namespace {

typedef float v8f __attribute__((vector_size(32)));
typedef std::int32_t v8i __attribute__((vector_size(32)));

/// One round of FPS: min-update every point's distance to the chosen set with the newest point,
/// and return the farthest point (lowest index on ties). Arrays are padded to a multiple of 8;
/// padding carries distance -1 and is never chosen.
template <int Tag>
inline __attribute__((always_inline)) std::size_t fps_round_body(const float* xs, const float* ys, const float* zs,
                                                                 float* dist, std::size_t padded, float px, float py,
                                                                 float pz) {
  const v8f vx = {px, px, px, px, px, px, px, px}, vy = {py, py, py, py, py, py, py, py},
            vz = {pz, pz, pz, pz, pz, pz, pz, pz};
  v8f best = {-2, -2, -2, -2, -2, -2, -2, -2};
  v8i best_i = {};
  v8i idx = {0, 1, 2, 3, 4, 5, 6, 7};
  const v8i step = {8, 8, 8, 8, 8, 8, 8, 8};
  for (std::size_t k = 0; k < padded; k += 8) {
    v8f x, y, z, d;
    std::memcpy(&x, xs + k, 32);
    std::memcpy(&y, ys + k, 32);
    std::memcpy(&z, zs + k, 32);
    std::memcpy(&d, dist + k, 32);
    const v8f dx = x - vx, dy = y - vy, dz = z - vz;
    const v8f e = (dx * dx + dy * dy) + dz * dz;
    d = e < d ? e : d;
    std::memcpy(dist + k, &d, 32);
    const v8i better = (v8i)(d > best);
    best = d > best ? d : best;
    best_i = (better & idx) | (~better & best_i);
    idx += step;
  }
  float b = best[0];
  std::int32_t bi = best_i[0];
  for (int j = 1; j < 8; ++j)
    if (best[j] > b || (best[j] == b && best_i[j] < bi)) {
      b = best[j];
      bi = best_i[j];
    }
  return static_cast<std::size_t>(bi);
}

__attribute__((target("avx2"))) std::size_t fps_round_avx2(const float* xs, const float* ys, const float* zs,
                                                            float* dist, std::size_t padded, float px, float py,
                                                            float pz) {
  return fps_round_body<1>(xs, ys, zs, dist, padded, px, py, pz);
}

std::size_t fps_round_generic(const float* xs, const float* ys, const float* zs, float* dist, std::size_t padded,
                              float px, float py, float pz) {
  return fps_round_body<0>(xs, ys, zs, dist, padded, px, py, pz);
}

}  // namespace

std::vector<std::uint32_t> farthest_point_sampling(const float* xyz, std::size_t n, std::size_t count) {
  if (count == 0 || count > n)
    throw_bad_input("farthest point sampling: cannot choose " + std::to_string(count) + " of " + std::to_string(n) +
                    " points");
  if (n > 0x7fffffffu) throw_bad_input("farthest point sampling: more than 2^31 points");
  const std::size_t padded = (n + 7) / 8 * 8;
  std::vector<float> xs(padded, 0.0f), ys(padded, 0.0f), zs(padded, 0.0f);
  std::vector<float> dist(padded, -1.0f);
  for (std::size_t k = 0; k < n; ++k) {
    xs[k] = xyz[3 * k];
    ys[k] = xyz[3 * k + 1];
    zs[k] = xyz[3 * k + 2];
    dist[k] = std::numeric_limits<float>::infinity();
  }
  static const bool avx2 = __builtin_cpu_supports("avx2");
  const auto round = avx2 ? &fps_round_avx2 : &fps_round_generic;
  std::vector<std::uint32_t> out;
  out.reserve(count);
  // A chosen point gets distance -0.5: never chosen again, even among coincident points.
  std::size_t last = 0;
  out.push_back(0);
  dist[0] = -0.5f;
  while (out.size() < count) {
    last = round(xs.data(), ys.data(), zs.data(), dist.data(), padded, xs[last], ys[last], zs[last]);
    dist[last] = -0.5f;
    out.push_back(static_cast<std::uint32_t>(last));
  }
  return out;
}

void select_points(PointCloud& cloud, const std::vector<std::uint32_t>& index) {
  auto pick3 = [&](std::vector<float>& v) {
    if (v.empty()) return;
    std::vector<float> out(index.size() * 3);
    for (std::size_t i = 0; i < index.size(); ++i) std::memcpy(&out[3 * i], &v[3 * index[i]], 3 * sizeof(float));
    v.swap(out);
  };
  auto pick1 = [&](std::vector<std::int32_t>& v) {
    if (v.empty()) return;
    std::vector<std::int32_t> out(index.size());
    for (std::size_t i = 0; i < index.size(); ++i) out[i] = v[index[i]];
    v.swap(out);
  };
  pick3(cloud.xyz);
  pick3(cloud.normals);
  pick1(cloud.instance_ids);
  pick1(cloud.class_ids);
}

void bounding_box(const float* xyz, std::size_t n, float lo[3], float hi[3]) {
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::numeric_limits<float>::infinity();
    hi[a] = -std::numeric_limits<float>::infinity();
  }
  for (std::size_t k = 0; k < n; ++k)
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], xyz[3 * k + a]);
      hi[a] = std::max(hi[a], xyz[3 * k + a]);
    }
}

}  // namespace fdsl
