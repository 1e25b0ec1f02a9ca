#include "fdsl/core/permutation.h"

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"

namespace fdsl {

IndexPermutation::IndexPermutation(std::uint64_t n, std::uint64_t seed) : n_(n) {
  if (n == 0) throw_bad_input("a permutation needs at least one element");
  unsigned bits = 2;
  while (bits < 64 && (std::uint64_t{1} << bits) < n) bits += 2;
  half_bits_ = bits / 2;
  half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
  for (int r = 0; r < kRounds; ++r)
    keys_[r] =
        detail::mix64(detail::mix64(seed ^ 0x73687566666c6531ULL) + detail::kGamma * static_cast<std::uint64_t>(r + 1));
}

std::uint64_t IndexPermutation::feistel(std::uint64_t x) const {
  std::uint64_t left = x >> half_bits_, right = x & half_mask_;
  for (int r = 0; r < kRounds; ++r) {
    const std::uint64_t f = detail::mix64(right ^ keys_[r]) & half_mask_;
    const std::uint64_t next = left ^ f;
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

std::uint64_t IndexPermutation::operator()(std::uint64_t position) const {
  if (position >= n_)
    throw Error(ErrorKind::OutOfRange,
                "position " + std::to_string(position) + " is outside the permutation of " + std::to_string(n_));
  // Cycle walking: the Feistel network permutes [0, 4^k); stepping again until the value lands
  // in [0, n) restricts it to a permutation of [0, n).
  std::uint64_t x = position;
  do {
    x = feistel(x);
  } while (x >= n_);
  return x;
}

}  // namespace fdsl
