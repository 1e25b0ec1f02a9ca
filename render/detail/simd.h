// Internal to render/: the GCC vector types, the xoshiro steps and the map thresholds the chaos
// games, the splats and the plasma share, written once. Every operation is exact integer
// arithmetic or a single IEEE float operation (no FMA: -ffp-contract=off), so a loop gives the
// same bits on every SIMD width it is built for.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "fdsl/core/rng.h"

namespace fdsl::detail {

/// GCC vector types of W lanes.
template <int W>
struct Vec {
  typedef float f __attribute__((vector_size(W * 4)));
  typedef std::int32_t i __attribute__((vector_size(W * 4)));
  typedef std::uint32_t u __attribute__((vector_size(W * 4)));
};
/// Eight lanes (one AVX2 register, or two SSE2 ones).
using v8f = Vec<8>::f;
using v8i = Vec<8>::i;
using v8u = Vec<8>::u;
/// Four 64-bit lanes and eight 32-bit ones in 256 bits (the plasma's generators).
typedef std::uint64_t u64x4 __attribute__((vector_size(32)));
typedef std::uint32_t u32x8 __attribute__((vector_size(32)));
typedef std::int32_t i32x8 __attribute__((vector_size(32)));

/// Rotate left, lane by lane (32-bit lanes).
template <class V>
inline __attribute__((always_inline)) V rotl(V x, int k) {
  return (x << k) | (x >> (32 - k));
}

/// One step of xoshiro128++ in every lane: returns the lanes' 32-bit draws.
template <class V>
inline __attribute__((always_inline)) V xoshiro128pp(V& s0, V& s1, V& s2, V& s3) {
  const V u = rotl(s0 + s3, 7) + s0;
  const V sh = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= sh;
  s3 = rotl(s3, 11);
  return u;
}

/// One step of xoshiro256+ in four 64-bit lanes: returns the lanes' draws.
inline __attribute__((always_inline)) u64x4 xoshiro256p(u64x4& s0, u64x4& s1, u64x4& s2, u64x4& s3) {
  const u64x4 r = s0 + s3;
  const u64x4 t = s1 << 17;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 45) | (s3 >> 19);
  return r;
}

/// The states of `lanes` xoshiro128++ generators drawn from `rng`, lane after lane, stored word
/// by word (state[k * lanes + lane] is word k of lane `lane`), as the vector loops load them.
inline void seed_xoshiro_lanes(Rng& rng, int lanes, std::uint32_t* state) {
  for (int lane = 0; lane < lanes; ++lane) {
    Xoshiro128 s(rng);
    for (int k = 0; k < 4; ++k) state[k * lanes + lane] = s.s[k];
  }
}

/// Cumulative map probabilities as 32-bit thresholds: with u uniform on 32 bits, map i is chosen
/// when thr[i-1] < u <= thr[i], i.e. the first map whose running sum reaches u; the index is the
/// count of thresholds strictly below u, so the last map needs no threshold (it stays 2^32 - 1).
/// Negative probabilities count as 0; all zero chooses maps uniformly.
inline void map_thresholds(const std::vector<double>& probs, std::vector<std::uint32_t>& thr) {
  const std::size_t n = probs.size();
  thr.assign(n, 0xffffffffu);
  double total = 0;
  for (double p : probs) total += std::max(p, 0.0);
  double cum = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    cum += total > 0 ? std::max(probs[i], 0.0) / total : 1.0 / static_cast<double>(n);
    const double t = std::round(std::ldexp(std::min(cum, 1.0), 32)) - 1.0;
    thr[i] = t >= 4294967295.0 ? 0xffffffffu : t <= 0 ? 0u : static_cast<std::uint32_t>(t);
  }
}

/// GCC's __builtin_shuffle for any compiler: lane i of the result is lane idx[i] (modulo the lane
/// count) of v, or of the concatenation a:b for the two-vector form. Clang (the fuzz build) has no
/// runtime-indexed shuffle builtin and takes the lane loop; GCC's release build is unchanged.
template <class V, class I>
inline V permute(V v, I idx) {
#if defined(__clang__)
  constexpr int W = sizeof(V) / sizeof(v[0]);
  V r;
  for (int i = 0; i < W; ++i) r[i] = v[idx[i] & (W - 1)];
  return r;
#else
  return __builtin_shuffle(v, idx);
#endif
}
template <class V, class I>
inline V permute(V a, V b, I idx) {
#if defined(__clang__)
  constexpr int W = sizeof(V) / sizeof(a[0]);
  V r;
  for (int i = 0; i < W; ++i) {
    const int k = idx[i] & (2 * W - 1);
    r[i] = k < W ? a[k] : b[k - W];
  }
  return r;
#else
  return __builtin_shuffle(a, b, idx);
#endif
}

}  // namespace fdsl::detail
