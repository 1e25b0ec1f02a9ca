#include "fdsl/render/chaos_game.h"

#include "detail/simd.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace fdsl {

namespace {

/// Independent chains per orbit. Fixed, so the points do not depend on the machine: AVX-512 runs
/// them as one 16-lane vector, AVX2 and baseline x86-64 as two 8-lane vectors, with the same bits.
constexpr int kLanes = 16;

using detail::rotl;
using detail::Vec;

// The hot loop, unrolled for N maps, on vectors of W lanes (kLanes / W groups per step).
// Every instantiation produces the same bits: each operation is an IEEE single-precision add or
// multiply (no FMA: -ffp-contract=off) and the integer RNG is exact.
template <int N, int W>
inline __attribute__((always_inline)) void lanes_body(const float* coef, const std::uint32_t* thr, std::uint32_t* state,
                                                      float sx, float sy, std::int64_t steps, float* xs, float* ys,
                                                      float* bounds) {
  using vf = typename Vec<W>::f;
  using vi = typename Vec<W>::i;
  using vu = typename Vec<W>::u;
  constexpr int G = kLanes / W;
  vf A, B, C, D, E, F;
  for (int k = 0; k < W; ++k) {
    const int m = k < N ? k : 0;
    A[k] = coef[m * 6 + 0];
    B[k] = coef[m * 6 + 1];
    C[k] = coef[m * 6 + 2];
    D[k] = coef[m * 6 + 3];
    E[k] = coef[m * 6 + 4];
    F[k] = coef[m * 6 + 5];
  }
  vu T[N > 1 ? N - 1 : 1];
  for (int i = 0; i < N - 1; ++i)
    for (int k = 0; k < W; ++k) T[i][k] = thr[i];
  vu s0[G], s1[G], s2[G], s3[G];
  vf x[G], y[G], minx[G], maxx[G], miny[G], maxy[G];
  vi nan[G];
  for (int g = 0; g < G; ++g) {
    std::memcpy(&s0[g], state + 0 * kLanes + W * g, sizeof(vu));
    std::memcpy(&s1[g], state + 1 * kLanes + W * g, sizeof(vu));
    std::memcpy(&s2[g], state + 2 * kLanes + W * g, sizeof(vu));
    std::memcpy(&s3[g], state + 3 * kLanes + W * g, sizeof(vu));
    for (int k = 0; k < W; ++k) {
      x[g][k] = sx;
      y[g][k] = sy;
      nan[g][k] = 0;
    }
    minx[g] = maxx[g] = x[g];
    miny[g] = maxy[g] = y[g];
  }
  for (std::int64_t t = 0; t < steps; ++t) {
#pragma GCC unroll 2
    for (int g = 0; g < G; ++g) {
      // xoshiro128++, one 32-bit draw per lane.
      const vu u = detail::xoshiro128pp(s0[g], s1[g], s2[g], s3[g]);
      // Map index = number of thresholds strictly below u.
      vi idx = u > u;  // all zero
      for (int i = 0; i < N - 1; ++i) idx -= (vi)(u > T[i]);
      const vf a = detail::permute(A, idx), b = detail::permute(B, idx), c = detail::permute(C, idx);
      const vf d = detail::permute(D, idx), e = detail::permute(E, idx), f = detail::permute(F, idx);
      const vf nx = (x[g] * a + y[g] * b) + e;
      const vf ny = (x[g] * c + y[g] * d) + f;
      x[g] = nx;
      y[g] = ny;
      // inf - inf can make a NaN without an inf ever being stored, which the box would miss.
      // x - x is +0 (all bits clear) for every finite x and NaN otherwise: plain arithmetic, which
      // vectorizes at every width (a compare-to-mask does not, at 16 lanes with GCC 12).
      nan[g] |= (vi)(nx - nx) | (vi)(ny - ny);
      std::memcpy(xs + t * kLanes + W * g, &nx, sizeof(vf));
      std::memcpy(ys + t * kLanes + W * g, &ny, sizeof(vf));
      minx[g] = nx < minx[g] ? nx : minx[g];
      maxx[g] = nx > maxx[g] ? nx : maxx[g];
      miny[g] = ny < miny[g] ? ny : miny[g];
      maxy[g] = ny > maxy[g] ? ny : maxy[g];
    }
  }
  float mnx = minx[0][0], mxx = maxx[0][0], mny = miny[0][0], mxy = maxy[0][0];
  bool any_nan = false;
  for (int g = 0; g < G; ++g) {
    for (int k = 0; k < W; ++k) {
      mnx = std::min(mnx, minx[g][k]);
      mxx = std::max(mxx, maxx[g][k]);
      mny = std::min(mny, miny[g][k]);
      mxy = std::max(mxy, maxy[g][k]);
      any_nan |= nan[g][k] != 0;
    }
    std::memcpy(state + 0 * kLanes + W * g, &s0[g], sizeof(vu));
    std::memcpy(state + 1 * kLanes + W * g, &s1[g], sizeof(vu));
    std::memcpy(state + 2 * kLanes + W * g, &s2[g], sizeof(vu));
    std::memcpy(state + 3 * kLanes + W * g, &s3[g], sizeof(vu));
  }
  bounds[0] = any_nan ? std::numeric_limits<float>::quiet_NaN() : mnx;
  bounds[1] = mxx;
  bounds[2] = mny;
  bounds[3] = mxy;
}

using LanesFn = void (*)(const float*, const std::uint32_t*, std::uint32_t*, float, float, std::int64_t, float*, float*,
                         float*);

template <int N>
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))) void lanes_avx512(const float* coef,
                                                                                const std::uint32_t* thr,
                                                                                std::uint32_t* state, float sx,
                                                                                float sy, std::int64_t steps, float* xs,
                                                                                float* ys, float* bounds) {
  lanes_body<N, 16>(coef, thr, state, sx, sy, steps, xs, ys, bounds);
}

template <int N>
__attribute__((target("avx2"))) void lanes_avx2(const float* coef, const std::uint32_t* thr, std::uint32_t* state,
                                                float sx, float sy, std::int64_t steps, float* xs, float* ys,
                                                float* bounds) {
  lanes_body<N, 8>(coef, thr, state, sx, sy, steps, xs, ys, bounds);
}

template <int N>
void lanes_generic(const float* coef, const std::uint32_t* thr, std::uint32_t* state, float sx, float sy,
                   std::int64_t steps, float* xs, float* ys, float* bounds) {
  lanes_body<N, 8>(coef, thr, state, sx, sy, steps, xs, ys, bounds);
}

enum class Isa { Generic, Avx2, Avx512 };

Isa detect_isa() {
  // FDSL_ISA=generic|avx2 forces a narrower path (the tests compare them bit for bit).
  const char* forced = std::getenv("FDSL_ISA");
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  const bool avx2 = __builtin_cpu_supports("avx2");
  if (forced && std::string(forced) == "generic") return Isa::Generic;
  if (forced && std::string(forced) == "avx2") return avx2 ? Isa::Avx2 : Isa::Generic;
  return avx512 ? Isa::Avx512 : avx2 ? Isa::Avx2 : Isa::Generic;
}

template <int... Ns>
LanesFn pick_lanes(int n, Isa isa, std::integer_sequence<int, Ns...>) {
  LanesFn fn = nullptr;
  ((n == Ns + 1 ? (fn = isa == Isa::Avx512 ? &lanes_avx512<Ns + 1>
                        : isa == Isa::Avx2 ? &lanes_avx2<Ns + 1>
                                           : &lanes_generic<Ns + 1>)
                : nullptr),
   ...);
  return fn;
}

void run_lanes(const float* coef, const std::uint32_t* thr, int n_maps, std::uint32_t* state, float sx, float sy,
               std::int64_t steps, float* xs, float* ys, float* bounds) {
  static const Isa isa = detect_isa();
  pick_lanes(n_maps, isa, std::make_integer_sequence<int, 8>{})(coef, thr, state, sx, sy, steps, xs, ys, bounds);
}

/// One chaos-game step of one lane: exactly the arithmetic of lanes_body.
inline void step_scalar(const float* co, const std::uint32_t* thr, int n, std::uint32_t* s, float& x, float& y) {
  const float* c = co + xoshiro128_map_choice(thr, n, s) * 6;
  const float nx = (x * c[0] + y * c[1]) + c[4];
  const float ny = (x * c[2] + y * c[3]) + c[5];
  x = nx;
  y = ny;
}

/// Same semantics for systems of more than 8 maps, one lane at a time.
void run_scalar(const float* co, const std::uint32_t* thr, int n, std::uint32_t* state, float sx, float sy,
                std::int64_t steps, float* xs, float* ys, float* bounds) {
  float mnx = sx, mxx = sx, mny = sy, mxy = sy;
  bool nan = false;
  for (int lane = 0; lane < kLanes; ++lane) {
    std::uint32_t s[4] = {state[lane], state[kLanes + lane], state[2 * kLanes + lane], state[3 * kLanes + lane]};
    float x = sx, y = sy;
    for (std::int64_t t = 0; t < steps; ++t) {
      step_scalar(co, thr, n, s, x, y);
      xs[t * kLanes + lane] = x;
      ys[t * kLanes + lane] = y;
      nan |= x != x || y != y;
      mnx = std::min(mnx, x);
      mxx = std::max(mxx, x);
      mny = std::min(mny, y);
      mxy = std::max(mxy, y);
    }
    for (int k = 0; k < 4; ++k) state[k * kLanes + lane] = s[k];
  }
  bounds[0] = nan ? std::numeric_limits<float>::quiet_NaN() : mnx;
  bounds[1] = mxx;
  bounds[2] = mny;
  bounds[3] = mxy;
}

}  // namespace

void fixed_point(const AffineMap2& m, double& x, double& y) {
  // Solve (I - A) p = b.
  const double a = 1.0 - m.a, b = -m.b, c = -m.c, d = 1.0 - m.d;
  const double det = a * d - b * c;
  if (std::fabs(det) < 1e-12) {
    x = y = 0;
    return;
  }
  x = (d * m.e - b * m.f) / det;
  y = (a * m.f - c * m.e) / det;
}

void chaos_game(const Ifs2& ifs, std::int64_t points, Rng rng, ChaosStart start, Orbit2& out) {
  points = std::max<std::int64_t>(points, 1);
  double sx = 0, sy = 0;
  if (start == ChaosStart::FixedPoint0 && !ifs.maps.empty()) fixed_point(ifs.maps[0], sx, sy);

  // Point 0 is the start; 8 chains fill the rest lane-interleaved (point 1 + 8t + lane). Whole
  // steps run vectorized; the last `rest` points take one more step of the first lanes.
  const std::int64_t steps = (points - 1) / kLanes;
  const int rest = static_cast<int>((points - 1) % kLanes);
  out.x.resize(static_cast<std::size_t>(points));
  out.y.resize(static_cast<std::size_t>(points));
  out.x[0] = static_cast<float>(sx);
  out.y[0] = static_cast<float>(sy);

  std::uint32_t state[4 * kLanes];
  detail::seed_xoshiro_lanes(rng, kLanes, state);
  std::vector<std::uint32_t> thr;
  detail::map_thresholds(ifs.probs, thr);
  const int n = static_cast<int>(ifs.maps.size());
  std::vector<float> coef(static_cast<std::size_t>(std::max(n, 16)) * 6, 0.0f);
  for (int m = 0; m < n; ++m) {
    const auto& mp = ifs.maps[m];
    const double v[6] = {mp.a, mp.b, mp.c, mp.d, mp.e, mp.f};
    for (int k = 0; k < 6; ++k) coef[m * 6 + k] = static_cast<float>(v[k]);
  }
  float bounds[4] = {static_cast<float>(sx), static_cast<float>(sx), static_cast<float>(sy), static_cast<float>(sy)};
  if (n == 0) {
    std::fill(out.x.begin() + 1, out.x.end(), bounds[0]);
    std::fill(out.y.begin() + 1, out.y.end(), bounds[2]);
  } else if (steps > 0) {
    if (n <= 8)  // the coefficients of up to 8 maps fit one register
      run_lanes(coef.data(), thr.data(), n, state, bounds[0], bounds[2], steps, out.x.data() + 1, out.y.data() + 1,
                bounds);
    else
      run_scalar(coef.data(), thr.data(), n, state, bounds[0], bounds[2], steps, out.x.data() + 1, out.y.data() + 1,
                 bounds);
  }
  // The remaining points: one more step of lanes 0..rest-1, the same arithmetic in scalar form.
  bool nan_seen = std::isnan(bounds[0]);
  for (int lane = 0; n > 0 && lane < rest; ++lane) {
    std::uint32_t s[4] = {state[lane], state[kLanes + lane], state[2 * kLanes + lane], state[3 * kLanes + lane]};
    const std::size_t prev = steps > 0 ? 1 + (steps - 1) * kLanes + lane : 0;
    float x = out.x[prev], y = out.y[prev];
    step_scalar(coef.data(), thr.data(), n, s, x, y);
    const std::size_t at = 1 + steps * kLanes + lane;
    out.x[at] = x;
    out.y[at] = y;
    if (x != x || y != y) nan_seen = true;
    bounds[0] = std::min(bounds[0], x);
    bounds[1] = std::max(bounds[1], x);
    bounds[2] = std::min(bounds[2], y);
    bounds[3] = std::max(bounds[3], y);
  }
  out.min_x = bounds[0];
  out.max_x = bounds[1];
  out.min_y = bounds[2];
  out.max_y = bounds[3];
  out.finite = !nan_seen && std::isfinite(out.min_x) && std::isfinite(out.max_x) && std::isfinite(out.min_y) &&
               std::isfinite(out.max_y);
}

}  // namespace fdsl
