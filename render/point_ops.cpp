#include "fdsl/render/point_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "detail/simd.h"
#include "fdsl/core/error.h"
#include "fdsl/core/stop.h"

namespace fdsl {

double official_scale(const Orbit3& orbit) {
  const float lo = std::min({orbit.lo[0], orbit.lo[1], orbit.lo[2]});
  const float hi = std::max({orbit.hi[0], orbit.hi[1], orbit.hi[2]});
  const double extent = static_cast<double>(hi) - static_cast<double>(lo);
  return extent > 0 ? 2.0 / extent : std::numeric_limits<double>::infinity();
}

namespace {

using detail::v8f;
using detail::v8i;

/// (p - mean) * scale for 8 points of each axis, interleaved into 24 floats x y z x y z ...
template <int Tag>
inline __attribute__((always_inline)) void interleave_body(const float* px, const float* py, const float* pz,
                                                           std::size_t n, const float mean[3], float scale,
                                                           float* out) {
  const v8f mx = {mean[0], mean[0], mean[0], mean[0], mean[0], mean[0], mean[0], mean[0]};
  const v8f my = {mean[1], mean[1], mean[1], mean[1], mean[1], mean[1], mean[1], mean[1]};
  const v8f mz = {mean[2], mean[2], mean[2], mean[2], mean[2], mean[2], mean[2], mean[2]};
  const v8f s = {scale, scale, scale, scale, scale, scale, scale, scale};
  const std::size_t whole = n / 8 * 8;
  for (std::size_t k = 0; k < whole; k += 8) {
    v8f x, y, z;
    std::memcpy(&x, px + k, 32);
    std::memcpy(&y, py + k, 32);
    std::memcpy(&z, pz + k, 32);
    x = (x - mx) * s;
    y = (y - my) * s;
    z = (z - mz) * s;
    // Two-input shuffles: x and y first, then z into the gaps.
    const v8f a0 = detail::permute(x, y, v8i{0, 8, 0, 1, 9, 1, 2, 10});
    const v8f a1 = detail::permute(x, y, v8i{0, 3, 11, 0, 4, 12, 0, 5});
    const v8f a2 = detail::permute(x, y, v8i{13, 0, 6, 14, 0, 7, 15, 0});
    const v8f o0 = detail::permute(a0, z, v8i{0, 1, 8, 3, 4, 9, 6, 7});
    const v8f o1 = detail::permute(a1, z, v8i{10, 1, 2, 11, 4, 5, 12, 7});
    const v8f o2 = detail::permute(a2, z, v8i{0, 13, 2, 3, 14, 5, 6, 15});
    std::memcpy(out + 3 * k, &o0, 32);
    std::memcpy(out + 3 * k + 8, &o1, 32);
    std::memcpy(out + 3 * k + 16, &o2, 32);
  }
  for (std::size_t k = whole; k < n; ++k) {
    out[3 * k + 0] = (px[k] - mean[0]) * scale;
    out[3 * k + 1] = (py[k] - mean[1]) * scale;
    out[3 * k + 2] = (pz[k] - mean[2]) * scale;
  }
}

__attribute__((target("avx2"))) void interleave_avx2(const float* px, const float* py, const float* pz, std::size_t n,
                                                     const float mean[3], float scale, float* out) {
  interleave_body<1>(px, py, pz, n, mean, scale, out);
}

void interleave_generic(const float* px, const float* py, const float* pz, std::size_t n, const float mean[3],
                        float scale, float* out) {
  interleave_body<0>(px, py, pz, n, mean, scale, out);
}

bool has_avx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}

}  // namespace

void normalize_official(const Orbit3& orbit, float* xyz) {
  const float scale = static_cast<float>(official_scale(orbit));
  float mean[3];
  for (int a = 0; a < 3; ++a) mean[a] = static_cast<float>(orbit.mean[a]);
  (has_avx2() ? &interleave_avx2 : &interleave_generic)(orbit.x.data(), orbit.y.data(), orbit.z.data(), orbit.size(),
                                                        mean, scale, xyz);
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

/// Centroid of interleaved points: the float array read 24 at a time (8 points, every lane always
/// on the same axis), float partial sums over short blocks, double totals; a fixed order.
template <int Tag>
inline __attribute__((always_inline)) void centroid_body(const float* xyz, std::size_t n, double c[3]) {
  double tot[24] = {};
  const std::size_t whole = n / 8 * 8;
  constexpr std::size_t kBlock = 16 * 8;  // points per float block
  for (std::size_t b = 0; b < whole; b += kBlock) {
    const std::size_t e = std::min(whole, b + kBlock);
    v8f s0 = {}, s1 = {}, s2 = {};
    for (std::size_t k = b; k < e; k += 8) {
      v8f a0, a1, a2;
      std::memcpy(&a0, xyz + 3 * k, 32);
      std::memcpy(&a1, xyz + 3 * k + 8, 32);
      std::memcpy(&a2, xyz + 3 * k + 16, 32);
      s0 += a0;
      s1 += a1;
      s2 += a2;
    }
    for (int j = 0; j < 8; ++j) {
      tot[j] += s0[j];
      tot[8 + j] += s1[j];
      tot[16 + j] += s2[j];
    }
  }
  for (int a = 0; a < 3; ++a) c[a] = 0;
  for (int j = 0; j < 24; ++j) c[j % 3] += tot[j];
  for (std::size_t k = whole; k < n; ++k)
    for (int a = 0; a < 3; ++a) c[a] += xyz[3 * k + a];
  for (int a = 0; a < 3; ++a) c[a] = n ? c[a] / static_cast<double>(n) : 0.0;
}

/// Subtracts (cx, cy, cz) from interleaved points, 24 floats at a time.
template <int Tag>
inline __attribute__((always_inline)) void subtract_body(float* xyz, std::size_t n, const float c[3]) {
  const v8f p0 = {c[0], c[1], c[2], c[0], c[1], c[2], c[0], c[1]};
  const v8f p1 = {c[2], c[0], c[1], c[2], c[0], c[1], c[2], c[0]};
  const v8f p2 = {c[1], c[2], c[0], c[1], c[2], c[0], c[1], c[2]};
  const std::size_t whole = n / 8 * 8;
  for (std::size_t k = 0; k < whole; k += 8) {
    v8f a0, a1, a2;
    std::memcpy(&a0, xyz + 3 * k, 32);
    std::memcpy(&a1, xyz + 3 * k + 8, 32);
    std::memcpy(&a2, xyz + 3 * k + 16, 32);
    a0 -= p0;
    a1 -= p1;
    a2 -= p2;
    std::memcpy(xyz + 3 * k, &a0, 32);
    std::memcpy(xyz + 3 * k + 8, &a1, 32);
    std::memcpy(xyz + 3 * k + 16, &a2, 32);
  }
  for (std::size_t k = whole; k < n; ++k)
    for (int a = 0; a < 3; ++a) xyz[3 * k + a] -= c[a];
}

__attribute__((target("avx2"))) void centroid_avx2(const float* xyz, std::size_t n, double c[3]) {
  centroid_body<1>(xyz, n, c);
}
void centroid_generic(const float* xyz, std::size_t n, double c[3]) { centroid_body<0>(xyz, n, c); }
__attribute__((target("avx2"))) void subtract_avx2(float* xyz, std::size_t n, const float c[3]) {
  subtract_body<1>(xyz, n, c);
}
void subtract_generic(float* xyz, std::size_t n, const float c[3]) { subtract_body<0>(xyz, n, c); }

}  // namespace

void recenter(float* xyz, std::size_t n) {
  double c[3];
  (has_avx2() ? &centroid_avx2 : &centroid_generic)(xyz, n, c);
  const float cf[3] = {static_cast<float>(c[0]), static_cast<float>(c[1]), static_cast<float>(c[2])};
  (has_avx2() ? &subtract_avx2 : &subtract_generic)(xyz, n, cf);
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

using detail::v8f;
using detail::v8i;

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
    if ((out.size() & 255) == 0) throw_if_stopped("farthest point sampling");
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
  pick1(cloud.part_ids);
  if (!cloud.map_ids.empty()) {
    std::vector<std::uint8_t> out(index.size());
    for (std::size_t i = 0; i < index.size(); ++i) out[i] = cloud.map_ids[index[i]];
    cloud.map_ids.swap(out);
  }
}

void shuffle_points(PointCloud& cloud, Rng rng) {
  const std::size_t n = cloud.size();
  if (n < 2) return;
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i)))]);
  select_points(cloud, order);
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
