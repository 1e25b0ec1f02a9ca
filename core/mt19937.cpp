#include "fdsl/core/mt19937.h"

namespace fdsl {

void Mt19937::init_genrand(std::uint32_t seed) {
  mt_[0] = seed;
  for (int i = 1; i < kN; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  index_ = kN;
}

void Mt19937::init_by_array(const std::vector<std::uint32_t>& key) {
  init_genrand(19650218u);
  int i = 1, j = 0;
  const int key_length = key.empty() ? 1 : static_cast<int>(key.size());
  for (int k = kN > key_length ? kN : key_length; k; --k) {
    const std::uint32_t kj = key.empty() ? 0u : key[j];
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + kj + static_cast<std::uint32_t>(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (int k = kN - 1; k; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - static_cast<std::uint32_t>(i);
    ++i;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000u;
  index_ = kN;
}

void Mt19937::seed_python(std::uint64_t n) {
  std::vector<std::uint32_t> key;
  if (n == 0) key.push_back(0);
  while (n) {
    key.push_back(static_cast<std::uint32_t>(n & 0xffffffffu));
    n >>= 32;
  }
  init_by_array(key);
}

void Mt19937::twist() {
  constexpr std::uint32_t kUpper = 0x80000000u, kLower = 0x7fffffffu, kMatrix = 0x9908b0dfu;
  for (int k = 0; k < kN; ++k) {
    const std::uint32_t y = (mt_[k] & kUpper) | (mt_[(k + 1) % kN] & kLower);
    mt_[k] = mt_[(k + 397) % kN] ^ (y >> 1) ^ ((y & 1u) ? kMatrix : 0u);
  }
  index_ = 0;
}

std::uint32_t Mt19937::next_u32() {
  if (index_ >= kN) twist();
  std::uint32_t y = mt_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

}  // namespace fdsl
