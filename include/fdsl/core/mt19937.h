// MT19937 exactly as CPython's `random` and NumPy's legacy RandomState use it, for the
// compat: official modes that replay the official scripts' random streams.
#pragma once

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

  std::uint32_t next_u32();
  /// random() / random_sample(): ((a >> 5) * 67108864 + (b >> 6)) / 2^53.
  double random53() {
    const std::uint32_t a = next_u32() >> 5, b = next_u32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

 private:
  static constexpr int kN = 624;
  std::uint32_t mt_[kN];
  int index_ = kN + 1;
  void twist();
};

}  // namespace fdsl
