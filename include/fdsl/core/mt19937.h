// MT19937 exactly as CPython's `random` and NumPy's legacy RandomState use it, for the
// compat: official modes that replay the official scripts' random streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdsl {

class Mt19937 {
 public:
  /// init_genrand(seed): NumPy's legacy `np.random.seed(int)`.
  explicit Mt19937(std::uint32_t seed = 5489u) { init_genrand(seed); }

  void init_genrand(std::uint32_t seed);
  /// init_by_array: CPython's `random.seed(int)` passes the integer's 32-bit words, low first.
  void init_by_array(const std::vector<std::uint32_t>& key);
  /// CPython `random.seed(n)` for a non-negative integer n below 2^64.
  void seed_python(std::uint64_t n);

  std::uint32_t next_u32() {
    if (index_ >= kN) twist();
    return temper(mt_[index_++]);
  }
  /// random() / random_sample(): ((a >> 5) * 67108864 + (b >> 6)) / 2^53.
  double random53() {
    const std::uint32_t a = next_u32() >> 5, b = next_u32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }
  /// n values of random53() in order, the same as n calls (the tempering of whole runs of the
  /// state vectorizes).
  void random53(double* out, std::size_t n);

  /// Skips n outputs of next_u32() without tempering them: the state afterwards is the one n
  /// calls would leave. Costs one twist per 624 outputs skipped.
  void discard(std::uint64_t n);

  bool operator==(const Mt19937& other) const;

 private:
  static constexpr int kN = 624;
  static std::uint32_t temper(std::uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }
  std::uint32_t mt_[kN];
  int index_ = kN + 1;
  void twist();
};

}  // namespace fdsl
