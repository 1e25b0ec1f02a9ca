// Counter-based random streams. Every random draw in fdsl comes from a stream keyed by
// (dataset seed, category, instance, purpose), so a sample is a pure function of its indices:
// no global engine, no dependence on thread count or the order in which work is done.
#pragma once

#include <cmath>
#include <cstdint>

namespace fdsl {

/// What a stream is used for; streams with different purposes are independent.
enum class Purpose : std::uint64_t {
  Category = 1,    ///< sampling a category's parameters (IFS maps, contour parameters, ...)
  Orbit = 2,       ///< the chaos game (map choice)
  Patch = 3,       ///< patch masks
  Augment = 4,     ///< flips, jitter, windows, blur
  Color = 5,       ///< colorization
  Background = 6,  ///< plasma background
  Search = 7,      ///< category search candidates
  Layout = 8,      ///< multi-instance layout, scenes
  Noise = 9,       ///< noise categories, perturbations
  View = 10,       ///< camera placement (view jitter, random viewpoints)
  Order = 11,      ///< the order of a cloud's points
};

namespace detail {
/// SplitMix64's finalizer: a bijective 64-bit mix with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
}  // namespace detail

/// A counter-based stream: draw i is hash(key, i). Cheap to create, copyable, seekable.
/// Draw i is mix64(mix64(key_lo + (i+1)*gamma) ^ key_hi), two independent 64-bit halves of the
/// key, so streams of different keys never overlap as shifted copies of one another.
class Rng {
 public:
  /// The stream for (seed, category, instance, purpose).
  Rng(std::uint64_t seed, std::uint64_t category, std::uint64_t instance, Purpose purpose)
      : Rng(derive(seed, category, instance, static_cast<std::uint64_t>(purpose))) {}
  /// A stream from a raw 64-bit key.
  explicit Rng(std::uint64_t key)
      : lo_(detail::mix64(key ^ 0x6a09e667f3bcc909ULL)), hi_(detail::mix64(key ^ 0xbb67ae8584caa73bULL)) {}

  /// A child stream, independent of this one and of other children (e.g. one per map or per try).
  Rng child(std::uint64_t index) const { return Rng(detail::mix64(lo_ + detail::mix64(hi_ ^ index))); }

  std::uint64_t next_u64() {
    ++counter_;
    return detail::mix64(detail::mix64(lo_ + counter_ * detail::kGamma) ^ hi_);
  }
  std::uint32_t next_u32() { return static_cast<std::uint32_t>(next_u64() >> 32); }
  /// The next `n` draws into out[0..n), exactly those of n calls of next_u64(), computed in
  /// vector registers where the CPU has them (integer arithmetic: the same values everywhere).
  void fill(std::uint64_t* out, std::size_t n);

  /// U[0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// U[a, b).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  /// U{a..b}, inclusive, unbiased (Lemire's multiply-and-reject).
  std::int64_t uniform_int(std::int64_t a, std::int64_t b);
  /// True with probability p.
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal (Box-Muller, one value per call).
  double normal();
  /// Poisson(mean) by inversion (mean below a few hundred).
  std::int64_t poisson(double mean);

  /// Number of 64-bit draws taken so far; seek() restores a position.
  std::uint64_t position() const { return counter_; }
  void seek(std::uint64_t position) { counter_ = position; }

 private:
  static std::uint64_t derive(std::uint64_t seed, std::uint64_t category, std::uint64_t instance,
                              std::uint64_t purpose) {
    std::uint64_t h = detail::mix64(seed + detail::kGamma);
    h = detail::mix64(h ^ (category + 0x3c6ef372fe94f82bULL));
    h = detail::mix64(h ^ (instance + 0xa54ff53a5f1d36f1ULL));
    return detail::mix64(h ^ (purpose + 0x510e527fade682d1ULL));
  }

  std::uint64_t lo_;
  std::uint64_t hi_;
  std::uint64_t counter_ = 0;
};

/// xoshiro128++ state for one SIMD lane of a chaos game, seeded from a stream.
/// Only 32-bit adds, shifts, xors and rotations, so 8 lanes vectorize with plain AVX2.
struct Xoshiro128 {
  std::uint32_t s[4];
  explicit Xoshiro128(Rng& rng) {
    std::uint64_t a = rng.next_u64(), b = rng.next_u64();
    s[0] = static_cast<std::uint32_t>(a);
    s[1] = static_cast<std::uint32_t>(a >> 32);
    s[2] = static_cast<std::uint32_t>(b);
    s[3] = static_cast<std::uint32_t>(b >> 32) | 1u;  // never the all-zero state
  }
};

/// The map choice of one chaos-game lane, one lane at a time (systems of more than 8 maps): one
/// xoshiro128++ draw from s[0..3], exactly as the chaos games' vector lanes make it, then the number
/// of the n - 1 thresholds strictly below the draw.
inline int xoshiro128_map_choice(const std::uint32_t* thr, int n, std::uint32_t* s) {
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
  return i;
}

}  // namespace fdsl
