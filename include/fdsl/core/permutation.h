// A random permutation of [0, n) that is computed, not stored: position -> index in O(1) memory,
// so any process can find the samples of its shards in a shuffled dataset of any size.
#pragma once

#include <cstdint>

namespace fdsl {

/// A keyed bijection of [0, n): a balanced Feistel network over the smallest even number of bits
/// that covers n, with cycle walking back into [0, n) (fewer than 4 steps on average). The same
/// (n, seed) gives the same permutation on every machine.
class IndexPermutation {
 public:
  IndexPermutation(std::uint64_t n, std::uint64_t seed);
  std::uint64_t size() const { return n_; }
  /// The index at `position` (position < size()).
  std::uint64_t operator()(std::uint64_t position) const;

 private:
  std::uint64_t feistel(std::uint64_t x) const;
  std::uint64_t n_;
  unsigned half_bits_;
  std::uint64_t half_mask_;
  static constexpr int kRounds = 6;
  std::uint64_t keys_[kRounds];
};

}  // namespace fdsl
