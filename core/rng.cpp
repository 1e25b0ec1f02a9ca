#include "fdsl/core/rng.h"

#include <numbers>

namespace fdsl {

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
