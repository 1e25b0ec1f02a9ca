#include "fdsl/render/chaos_game.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace fdsl {

namespace {

constexpr int kLanes = 8;
typedef float v8f __attribute__((vector_size(32)));
typedef std::int32_t v8i __attribute__((vector_size(32)));
typedef std::uint32_t v8u __attribute__((vector_size(32)));

inline __attribute__((always_inline)) v8u rotl(v8u x, int k) { return (x << k) | (x >> (32 - k)); }

/// Cumulative map probabilities as 32-bit thresholds: with u uniform on 32 bits, map i is chosen
/// when thr[i-1] < u <= thr[i], i.e. the first map whose running sum reaches u; the index is the
/// count of thresholds strictly below u, so the last map needs no threshold.
void thresholds(const Ifs2& ifs, std::vector<std::uint32_t>& thr) {
  const std::size_t n = ifs.maps.size();
  thr.assign(n, 0xffffffffu);
  double total = 0;
  for (double p : ifs.probs) total += std::max(p, 0.0);
  double cum = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    cum += total > 0 ? std::max(ifs.probs[i], 0.0) / total : 1.0 / n;
    const double t = std::round(std::ldexp(std::min(cum, 1.0), 32)) - 1.0;
    thr[i] = t >= 4294967295.0 ? 0xffffffffu : t <= 0 ? 0u : static_cast<std::uint32_t>(t);
  }
}

// The hot loop, unrolled for N maps. Instantiated for AVX2 and for baseline x86-64; both produce
// the same bits because every operation is an IEEE single-precision add or multiply (no FMA:
// -ffp-contract=off) and the integer RNG is exact.
template <int N>
inline __attribute__((always_inline)) void lanes_body(const float* coef, const std::uint32_t* thr,
                                                      std::uint32_t* state, float sx, float sy, std::int64_t steps,
                                                      float* xs, float* ys, float* bounds) {
  v8f A, B, C, D, E, F;
  for (int k = 0; k < kLanes; ++k) {
    const int m = k < N ? k : 0;
    A[k] = coef[m * 6 + 0];
    B[k] = coef[m * 6 + 1];
    C[k] = coef[m * 6 + 2];
    D[k] = coef[m * 6 + 3];
    E[k] = coef[m * 6 + 4];
    F[k] = coef[m * 6 + 5];
  }
  v8u T[N > 1 ? N - 1 : 1];
  for (int i = 0; i < N - 1; ++i)
    for (int k = 0; k < kLanes; ++k) T[i][k] = thr[i];
  v8u s0, s1, s2, s3;
  std::memcpy(&s0, state + 0, 32);
  std::memcpy(&s1, state + 8, 32);
  std::memcpy(&s2, state + 16, 32);
  std::memcpy(&s3, state + 24, 32);
  v8f x = {sx, sx, sx, sx, sx, sx, sx, sx};
  v8f y = {sy, sy, sy, sy, sy, sy, sy, sy};
  v8f minx = x, maxx = x, miny = y, maxy = y;
  v8i nan = {0, 0, 0, 0, 0, 0, 0, 0};
  for (std::int64_t t = 0; t < steps; ++t) {
    // xoshiro128++, one 32-bit draw per lane.
    const v8u u = rotl(s0 + s3, 7) + s0;
    const v8u sh = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= sh;
    s3 = rotl(s3, 11);
    // Map index = number of thresholds strictly below u.
    v8i idx = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < N - 1; ++i) idx -= (v8i)(u > T[i]);
    const v8f a = __builtin_shuffle(A, idx), b = __builtin_shuffle(B, idx), c = __builtin_shuffle(C, idx);
    const v8f d = __builtin_shuffle(D, idx), e = __builtin_shuffle(E, idx), f = __builtin_shuffle(F, idx);
    const v8f nx = (x * a + y * b) + e;
    const v8f ny = (x * c + y * d) + f;
    x = nx;
    y = ny;
    // inf - inf can make a NaN without an inf ever being stored, which the box would miss.
    nan |= (v8i)(x != x) | (v8i)(y != y);
    std::memcpy(xs + t * kLanes, &x, 32);
    std::memcpy(ys + t * kLanes, &y, 32);
    minx = x < minx ? x : minx;
    maxx = x > maxx ? x : maxx;
    miny = y < miny ? y : miny;
    maxy = y > maxy ? y : maxy;
  }
  float mnx = minx[0], mxx = maxx[0], mny = miny[0], mxy = maxy[0];
  for (int k = 1; k < kLanes; ++k) {
    mnx = std::min(mnx, minx[k]);
    mxx = std::max(mxx, maxx[k]);
    mny = std::min(mny, miny[k]);
    mxy = std::max(mxy, maxy[k]);
  }
  for (int k = 0; k < kLanes; ++k)
    if (nan[k]) mnx = std::numeric_limits<float>::quiet_NaN();
  bounds[0] = mnx;
  bounds[1] = mxx;
  bounds[2] = mny;
  bounds[3] = mxy;
  std::memcpy(state + 0, &s0, 32);
  std::memcpy(state + 8, &s1, 32);
  std::memcpy(state + 16, &s2, 32);
  std::memcpy(state + 24, &s3, 32);
}

using LanesFn = void (*)(const float*, const std::uint32_t*, std::uint32_t*, float, float, std::int64_t, float*,
                         float*, float*);

template <int N>
__attribute__((target("avx2"))) void lanes_avx2(const float* coef, const std::uint32_t* thr, std::uint32_t* state,
                                                float sx, float sy, std::int64_t steps, float* xs, float* ys,
                                                float* bounds) {
  lanes_body<N>(coef, thr, state, sx, sy, steps, xs, ys, bounds);
}

template <int N>
void lanes_generic(const float* coef, const std::uint32_t* thr, std::uint32_t* state, float sx, float sy,
                   std::int64_t steps, float* xs, float* ys, float* bounds) {
  lanes_body<N>(coef, thr, state, sx, sy, steps, xs, ys, bounds);
}

template <int... Ns>
LanesFn pick_lanes(int n, bool avx2, std::integer_sequence<int, Ns...>) {
  LanesFn fn = nullptr;
  ((n == Ns + 1 ? (fn = avx2 ? &lanes_avx2<Ns + 1> : &lanes_generic<Ns + 1>) : nullptr), ...);
  return fn;
}

void run_lanes(const float* coef, const std::uint32_t* thr, int n_maps, std::uint32_t* state, float sx, float sy,
               std::int64_t steps, float* xs, float* ys, float* bounds) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  pick_lanes(n_maps, avx2, std::make_integer_sequence<int, kLanes>{})(coef, thr, state, sx, sy, steps, xs, ys,
                                                                       bounds);
}

/// One chaos-game step of one lane: exactly the arithmetic of lanes_body.
inline void step_scalar(const float* co, const std::uint32_t* thr, int n, std::uint32_t* s, float& x, float& y) {
  const std::uint32_t r = s[0] + s[3];
  const std::uint32_t u = ((r << 7) | (r >> 25)) + s[0];
  const std::uint32_t sh = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= sh;
  s[3] = (s[3] << 11) | (s[3] >> 21);
  int i = 0;
  for (int j = 0; j < n - 1; ++j) i += u > thr[j];
  const float* c = co + i * 6;
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
    std::uint32_t s[4] = {state[lane], state[8 + lane], state[16 + lane], state[24 + lane]};
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
  for (int lane = 0; lane < kLanes; ++lane) {
    Xoshiro128 s(rng);
    for (int k = 0; k < 4; ++k) state[k * kLanes + lane] = s.s[k];
  }
  std::vector<std::uint32_t> thr;
  thresholds(ifs, thr);
  const int n = static_cast<int>(ifs.maps.size());
  std::vector<float> coef(static_cast<std::size_t>(std::max(n, kLanes)) * 6, 0.0f);
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
    if (n <= kLanes)
      run_lanes(coef.data(), thr.data(), n, state, bounds[0], bounds[2], steps, out.x.data() + 1, out.y.data() + 1,
                bounds);
    else
      run_scalar(coef.data(), thr.data(), n, state, bounds[0], bounds[2], steps, out.x.data() + 1,
                 out.y.data() + 1, bounds);
  }
  // The remaining points: one more step of lanes 0..rest-1, the same arithmetic in scalar form.
  bool nan_seen = std::isnan(bounds[0]);
  for (int lane = 0; n > 0 && lane < rest; ++lane) {
    std::uint32_t s[4] = {state[lane], state[8 + lane], state[16 + lane], state[24 + lane]};
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
