#include "fdsl/render/chaos_game3d.h"

#include "detail/simd.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace fdsl {

namespace {

constexpr int kLanes = 8;
constexpr int kCoef = 12;
using detail::rotl;
using detail::v8f;
using detail::v8i;
using detail::v8u;

// The hot loop, unrolled for N maps; instantiated for AVX2 and for baseline x86-64, which give the
// same bits: IEEE single-precision adds and multiplies (no FMA: -ffp-contract=off) and an exact
// integer RNG. The new point is (x a + y b) + (z c + j): two adds deep after the products, on the
// loop's critical path. Nothing else happens here: bounds and moments take a separate pass, since
// extra live vectors in this loop spill the chain itself and cost more than that pass.
template <int N>
inline __attribute__((always_inline)) void lanes_body(const float* coef, const std::uint32_t* thr, std::uint32_t* state,
                                                      std::int64_t steps, float* xs, float* ys, float* zs) {
  v8f C[kCoef];
  for (int q = 0; q < kCoef; ++q)
    for (int k = 0; k < kLanes; ++k) C[q][k] = coef[(k < N ? k : 0) * kCoef + q];
  v8u T[N > 1 ? N - 1 : 1];
  for (int i = 0; i < N - 1; ++i)
    for (int k = 0; k < kLanes; ++k) T[i][k] = thr[i];
  v8u s0, s1, s2, s3;
  std::memcpy(&s0, state + 0, 32);
  std::memcpy(&s1, state + 8, 32);
  std::memcpy(&s2, state + 16, 32);
  std::memcpy(&s3, state + 24, 32);
  v8f x = {}, y = {}, z = {};
  for (std::int64_t t = 0; t < steps; ++t) {
    // xoshiro128++, one 32-bit draw per lane.
    const v8u u = detail::xoshiro128pp(s0, s1, s2, s3);
    v8i idx = {};
    for (int i = 0; i < N - 1; ++i) idx -= (v8i)(u > T[i]);
    v8f c[kCoef];
    for (int q = 0; q < kCoef; ++q) c[q] = detail::permute(C[q], idx);
    const v8f nx = (x * c[0] + y * c[1]) + (z * c[2] + c[9]);
    const v8f ny = (x * c[3] + y * c[4]) + (z * c[5] + c[10]);
    const v8f nz = (x * c[6] + y * c[7]) + (z * c[8] + c[11]);
    x = nx;
    y = ny;
    z = nz;
    std::memcpy(xs + t * kLanes, &x, 32);
    std::memcpy(ys + t * kLanes, &y, 32);
    std::memcpy(zs + t * kLanes, &z, 32);
  }
  std::memcpy(state + 0, &s0, 32);
  std::memcpy(state + 8, &s1, 32);
  std::memcpy(state + 16, &s2, 32);
  std::memcpy(state + 24, &s3, 32);
}

using LanesFn = void (*)(const float*, const std::uint32_t*, std::uint32_t*, std::int64_t, float*, float*, float*);

template <int N>
__attribute__((target("avx2"))) void lanes_avx2(const float* coef, const std::uint32_t* thr, std::uint32_t* state,
                                                std::int64_t steps, float* xs, float* ys, float* zs) {
  lanes_body<N>(coef, thr, state, steps, xs, ys, zs);
}

template <int N>
void lanes_generic(const float* coef, const std::uint32_t* thr, std::uint32_t* state, std::int64_t steps, float* xs,
                   float* ys, float* zs) {
  lanes_body<N>(coef, thr, state, steps, xs, ys, zs);
}

template <int... Ns>
LanesFn pick_lanes(int n, bool avx2, std::integer_sequence<int, Ns...>) {
  LanesFn fn = nullptr;
  ((n == Ns + 1 ? (fn = avx2 ? &lanes_avx2<Ns + 1> : &lanes_generic<Ns + 1>) : nullptr), ...);
  return fn;
}

/// One step of one chain: exactly the arithmetic of lanes_body.
inline void step_scalar(const float* co, const std::uint32_t* thr, int n, std::uint32_t* s, float& x, float& y,
                        float& z) {
  const float* c = co + xoshiro128_map_choice(thr, n, s) * kCoef;
  const float nx = (x * c[0] + y * c[1]) + (z * c[2] + c[9]);
  const float ny = (x * c[3] + y * c[4]) + (z * c[5] + c[10]);
  const float nz = (x * c[6] + y * c[7]) + (z * c[8] + c[11]);
  x = nx;
  y = ny;
  z = nz;
}

/// Systems of more than 8 maps: the same chains and arithmetic, one lane at a time.
void run_scalar(const float* co, const std::uint32_t* thr, int n, std::uint32_t* state, std::int64_t steps, float* xs,
                float* ys, float* zs) {
  for (int lane = 0; lane < kLanes; ++lane) {
    std::uint32_t s[4] = {state[lane], state[8 + lane], state[16 + lane], state[24 + lane]};
    float x = 0, y = 0, z = 0;
    for (std::int64_t t = 0; t < steps; ++t) {
      step_scalar(co, thr, n, s, x, y, z);
      xs[t * kLanes + lane] = x;
      ys[t * kLanes + lane] = y;
      zs[t * kLanes + lane] = z;
    }
    for (int k = 0; k < 4; ++k) state[k * kLanes + lane] = s[k];
  }
}

/// Values summed in single precision (per lane) before they join the double totals: short enough
/// to keep the sums accurate to about 1e-7, long enough to cost nothing.
constexpr std::size_t kBlock = 16 * kLanes;

/// Bounds and sum of one axis (Tag 0), or the sum of squared offsets from `centre` (Tag 1): 8
/// lanes, float partial sums over blocks, double totals reduced in lane order. NaN or infinity,
/// or a float overflow of a partial sum, makes the total non-finite.
template <int Tag>
inline __attribute__((always_inline)) double axis_pass_body(const float* v, std::size_t n, float centre, float& lo,
                                                            float& hi) {
  const float inf = std::numeric_limits<float>::infinity();
  v8f vlo = {inf, inf, inf, inf, inf, inf, inf, inf}, vhi = -vlo;
  const v8f c = {centre, centre, centre, centre, centre, centre, centre, centre};
  double tot[kLanes] = {};
  const std::size_t whole = n / kLanes * kLanes;
  for (std::size_t b = 0; b < whole; b += kBlock) {
    const std::size_t e = std::min(whole, b + kBlock);
    v8f s = {};
    for (std::size_t k = b; k < e; k += kLanes) {
      v8f x;
      std::memcpy(&x, v + k, 32);
      if constexpr (Tag == 0) {
        vlo = x < vlo ? x : vlo;
        vhi = x > vhi ? x : vhi;
        s += x;
      } else {
        const v8f d = x - c;
        s += d * d;
      }
    }
    for (int j = 0; j < kLanes; ++j) tot[j] += static_cast<double>(s[j]);
  }
  double total = 0;
  for (int j = 0; j < kLanes; ++j) total += tot[j];
  if constexpr (Tag == 0) {
    lo = inf;
    hi = -inf;
    for (int j = 0; j < kLanes; ++j) {
      lo = std::min(lo, vlo[j]);
      hi = std::max(hi, vhi[j]);
    }
  }
  for (std::size_t k = whole; k < n; ++k) {
    if constexpr (Tag == 0) {
      lo = std::min(lo, v[k]);
      hi = std::max(hi, v[k]);
      total += static_cast<double>(v[k]);
    } else {
      const double d = static_cast<double>(v[k]) - centre;
      total += d * d;
    }
  }
  return total;
}

template <int Tag>
__attribute__((target("avx2"))) double axis_pass_avx2(const float* v, std::size_t n, float centre, float& lo,
                                                      float& hi) {
  return axis_pass_body<Tag>(v, n, centre, lo, hi);
}

template <int Tag>
double axis_pass_generic(const float* v, std::size_t n, float centre, float& lo, float& hi) {
  return axis_pass_body<Tag>(v, n, centre, lo, hi);
}

bool has_avx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}

}  // namespace

void chaos_game3d(const Ifs3& ifs, std::int64_t stored, Rng rng, Orbit3& out, int burn_in) {
  stored = std::max<std::int64_t>(stored, 1);
  const std::int64_t skipped = static_cast<std::int64_t>(std::max(burn_in, 0)) * kLanes;
  const std::int64_t points = stored + skipped;
  const std::int64_t steps = points / kLanes;
  const int rest = static_cast<int>(points % kLanes);
  out.x.resize(static_cast<std::size_t>(points));
  out.y.resize(static_cast<std::size_t>(points));
  out.z.resize(static_cast<std::size_t>(points));

  std::uint32_t state[4 * kLanes];
  detail::seed_xoshiro_lanes(rng, kLanes, state);
  std::vector<std::uint32_t> thr;
  detail::map_thresholds(ifs.probs, thr);
  const int n = static_cast<int>(ifs.maps.size());
  std::vector<float> coef(static_cast<std::size_t>(std::max(n, kLanes)) * kCoef, 0.0f);
  for (int m = 0; m < n; ++m)
    for (int q = 0; q < kCoef; ++q) coef[m * kCoef + q] = static_cast<float>(ifs.maps[m].m[q]);

  if (n == 0) {
    // No map: every point stays at the origin.
    std::fill(out.x.begin(), out.x.end(), 0.0f);
    std::fill(out.y.begin(), out.y.end(), 0.0f);
    std::fill(out.z.begin(), out.z.end(), 0.0f);
  }
  const bool avx2 = has_avx2();
  if (n > 0 && steps > 0) {
    if (n <= kLanes)
      pick_lanes(n, avx2, std::make_integer_sequence<int, kLanes>{})(coef.data(), thr.data(), state, steps,
                                                                     out.x.data(), out.y.data(), out.z.data());
    else
      run_scalar(coef.data(), thr.data(), n, state, steps, out.x.data(), out.y.data(), out.z.data());
  }
  // The last points: one more step of chains 0..rest-1.
  for (int lane = 0; n > 0 && lane < rest; ++lane) {
    std::uint32_t s[4] = {state[lane], state[8 + lane], state[16 + lane], state[24 + lane]};
    float x = 0, y = 0, z = 0;
    if (steps > 0) {
      const std::size_t prev = static_cast<std::size_t>((steps - 1) * kLanes + lane);
      x = out.x[prev];
      y = out.y[prev];
      z = out.z[prev];
    }
    step_scalar(coef.data(), thr.data(), n, s, x, y, z);
    const std::size_t at = static_cast<std::size_t>(steps * kLanes + lane);
    out.x[at] = x;
    out.y[at] = y;
    out.z[at] = z;
  }
  if (skipped > 0)
    for (auto* v : {&out.x, &out.y, &out.z}) v->erase(v->begin(), v->begin() + skipped);
  const auto pass = avx2 ? &axis_pass_avx2<0> : &axis_pass_generic<0>;
  const float* axes[3] = {out.x.data(), out.y.data(), out.z.data()};
  out.finite = true;
  for (int a = 0; a < 3; ++a) {
    double sum = pass(axes[a], out.size(), 0.0f, out.lo[a], out.hi[a]);
    if (!std::isfinite(sum)) {
      // A NaN or infinity, or finite values whose float partial sums overflowed: decide exactly.
      sum = 0;
      for (const float* p = axes[a]; p != axes[a] + out.size(); ++p) sum += static_cast<double>(*p);
    }
    out.mean[a] = sum / static_cast<double>(out.size());
    out.finite = out.finite && std::isfinite(out.mean[a]);
  }
}

void chaos_game3d_map_ids(const Ifs3& ifs, std::int64_t stored, Rng rng, std::uint8_t* out_ids, int burn_in) {
  stored = std::max<std::int64_t>(stored, 1);
  const std::int64_t skipped = static_cast<std::int64_t>(std::max(burn_in, 0)) * kLanes;
  const std::int64_t points = stored + skipped;
  std::vector<std::uint8_t> all(skipped > 0 ? static_cast<std::size_t>(points) : 0);
  std::uint8_t* out = skipped > 0 ? all.data() : out_ids;
  const std::int64_t steps = points / kLanes;
  const int rest = static_cast<int>(points % kLanes);
  std::uint32_t state[kLanes][4];
  for (int lane = 0; lane < kLanes; ++lane) {
    Xoshiro128 s(rng);
    for (int k = 0; k < 4; ++k) state[lane][k] = s.s[k];
  }
  std::vector<std::uint32_t> thr;
  detail::map_thresholds(ifs.probs, thr);
  const int n = static_cast<int>(ifs.maps.size());
  if (n == 0) {
    std::fill(out_ids, out_ids + stored, std::uint8_t{0});
    return;
  }
  auto draw = [&](std::uint32_t* s) { return static_cast<std::uint8_t>(xoshiro128_map_choice(thr.data(), n, s)); };
  for (std::int64_t t = 0; t < steps; ++t)
    for (int lane = 0; lane < kLanes; ++lane) out[t * kLanes + lane] = draw(state[lane]);
  for (int lane = 0; lane < rest; ++lane) out[steps * kLanes + lane] = draw(state[lane]);
  if (skipped > 0) std::copy(all.begin() + skipped, all.end(), out_ids);
}

std::array<double, 3> orbit_variance(const Orbit3& o) {
  const auto pass = has_avx2() ? &axis_pass_avx2<1> : &axis_pass_generic<1>;
  const float* axes[3] = {o.x.data(), o.y.data(), o.z.data()};
  const double n = static_cast<double>(o.size());
  std::array<double, 3> var{};
  for (int a = 0; a < 3; ++a) {
    float unused_lo, unused_hi;
    const float centre = static_cast<float>(o.mean[a]);
    double sq = pass(axes[a], o.size(), centre, unused_lo, unused_hi);
    if (!std::isfinite(sq)) {
      sq = 0;
      for (const float* p = axes[a]; p != axes[a] + o.size(); ++p) {
        const double d = static_cast<double>(*p) - o.mean[a];
        sq += d * d;
      }
    }
    // The float centre is off the mean by a rounding; remove that offset's share exactly.
    const double shift = static_cast<double>(centre) - o.mean[a];
    var[a] = std::max(0.0, sq / n - shift * shift);
  }
  return var;
}

}  // namespace fdsl
