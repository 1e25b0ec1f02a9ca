// CPython's `random` module replayed on MT19937, for the compat: official modes of families whose
// official scripts draw from it (VisualAtom, RCDB). Every method is the CPython 3.11 algorithm:
//
//   PyRandom r(2);                 // random.seed(2)
//   r.randint(-512, 512);          // random.randint(-512, 512)
//   r.uniform(0, 10000);           // random.uniform(0, 10000)
//
// Python's own `random` is the test oracle (tests/core/py_random_test.cpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fdsl/core/mt19937.h"

namespace fdsl {

class PyRandom {
 public:
  /// random.seed(n) for a non-negative integer n.
  explicit PyRandom(std::uint64_t seed = 0) { seed_int(seed); }
  void seed_int(std::uint64_t n) { mt_.seed_python(n); }

  /// random.random(): 53 random bits from two outputs.
  double random() { return mt_.random53(); }
  /// n calls of random() into out.
  void random(double* out, std::size_t n) { mt_.random53(out, n); }

  /// random.getrandbits(k) for 1 <= k <= 64. k <= 32: the next output shifted right by 32 - k;
  /// wider: 32-bit words from the least significant up, the last one shifted right by 32 - rest.
  std::uint64_t getrandbits(int k) {
    if (k <= 32) return mt_.next_u32() >> (32 - k);
    const std::uint64_t low = mt_.next_u32();
    return low | (static_cast<std::uint64_t>(mt_.next_u32() >> (64 - k)) << 32);
  }

  /// random._randbelow(n) for 1 <= n < 2^64: getrandbits(n.bit_length()), redrawn while >= n.
  std::uint64_t randbelow(std::uint64_t n) {
    const int k = bit_length(n);
    std::uint64_t r = getrandbits(k);
    while (r >= n) r = getrandbits(k);
    return r;
  }

  /// random.randint(a, b) = a + _randbelow(b - a + 1), for a <= b and b - a + 1 < 2^64.
  std::int64_t randint(std::int64_t a, std::int64_t b) {
    return a + static_cast<std::int64_t>(randbelow(static_cast<std::uint64_t>(b - a + 1)));
  }

  /// random.uniform(a, b) = a + (b - a) * random().
  double uniform(double a, double b) { return a + (b - a) * random(); }

  /// random.expovariate(lambd) = -log(1.0 - random()) / lambd.
  double expovariate(double lambd) { return -std::log(1.0 - random()) / lambd; }

  /// Skips the outputs `count` calls of random() would take (two each).
  void skip_random(std::uint64_t count) { mt_.discard(2 * count); }

  const Mt19937& state() const { return mt_; }
  void set_state(const Mt19937& state) { mt_ = state; }

  /// Number of bits of n (int.bit_length()).
  static int bit_length(std::uint64_t n) { return n == 0 ? 0 : 64 - __builtin_clzll(n); }

 private:
  Mt19937 mt_;
};

}  // namespace fdsl
