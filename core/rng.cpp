#include "fdsl/core/rng.h"

#include <numbers>

namespace fdsl {

namespace {
// Draws first..first+n of the stream (lo, hi). Four 64-bit multiplies a draw: AVX-512DQ does
// eight in one instruction; elsewhere the compiler's vector or scalar code gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "default")))
#endif
void fill_draws(std::uint64_t lo, std::uint64_t hi, std::uint64_t first, std::uint64_t* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = detail::mix64(detail::mix64(lo + (first + 1 + i) * detail::kGamma) ^ hi);
}
}  // namespace

void Rng::fill(std::uint64_t* out, std::size_t n) {
  fill_draws(lo_, hi_, counter_, out, n);
  counter_ += n;
}

std::int64_t Rng::uniform_int(std::int64_t a, std::int64_t b) {
  if (b <= a) return a;
  const std::uint64_t range = static_cast<std::uint64_t>(b - a) + 1;  // 0 means all 2^64 values
  if (range == 0) return static_cast<std::int64_t>(next_u64());
  // Lemire: multiply into 128 bits, reject the few low values that would bias the result.
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * range;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < range) {
    const std::uint64_t threshold = -range % range;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next_u64()) * range;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return a + static_cast<std::int64_t>(m >> 64);
}

double Rng::normal() {
  double u1 = uniform();
  double u2 = uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::int64_t Rng::poisson(double mean) {
  if (mean <= 0) return 0;
  // Inversion by sequential search: exact and fine for the small means fdsl uses.
  const double u = uniform();
  double p = std::exp(-mean);
  double cdf = p;
  std::int64_t k = 0;
  while (u > cdf && k < 100000) {
    ++k;
    p *= mean / static_cast<double>(k);
    cdf += p;
    if (p == 0) break;
  }
  return k;
}

}  // namespace fdsl
