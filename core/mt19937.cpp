#include "fdsl/core/mt19937.h"

#include <algorithm>
#include <cstring>

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

namespace {

constexpr int kM = 397;

inline std::uint32_t twist_one(std::uint32_t cur, std::uint32_t next, std::uint32_t far) {
  const std::uint32_t y = (cur & 0x80000000u) | (next & 0x7fffffffu);
  return far ^ (y >> 1) ^ ((0u - (y & 1u)) & 0x9908b0dfu);
}

// The recurrence in three runs without index wrapping, so the first two vectorize: word k needs
// k+1 (not yet rewritten) and k+397, which for k >= 227 is the already rewritten word k-227.
__attribute__((target_clones("avx2", "default"))) void twist_state(std::uint32_t* mt) {
  constexpr int n = 624;
  for (int k = 0; k < n - kM; ++k) mt[k] = twist_one(mt[k], mt[k + 1], mt[k + kM]);
  for (int k = n - kM; k < n - 1; ++k) mt[k] = twist_one(mt[k], mt[k + 1], mt[k + kM - n]);
  mt[n - 1] = twist_one(mt[n - 1], mt[0], mt[kM - 1]);
}

__attribute__((target_clones("avx2", "default"))) void temper_pairs(const std::uint32_t* __restrict words,
                                                                    std::size_t pairs, double* __restrict out) {
  for (std::size_t i = 0; i < pairs; ++i) {
    std::uint32_t a = words[2 * i], b = words[2 * i + 1];
    a ^= a >> 11;
    a ^= (a << 7) & 0x9d2c5680u;
    a ^= (a << 15) & 0xefc60000u;
    a ^= a >> 18;
    b ^= b >> 11;
    b ^= (b << 7) & 0x9d2c5680u;
    b ^= (b << 15) & 0xefc60000u;
    b ^= b >> 18;
    // Both shifted values fit in 31 bits: the signed conversion is exact and vectorizes.
    const double hi = static_cast<double>(static_cast<std::int32_t>(a >> 5));
    const double lo = static_cast<double>(static_cast<std::int32_t>(b >> 6));
    out[i] = (hi * 67108864.0 + lo) * (1.0 / 9007199254740992.0);
  }
}

}  // namespace

void Mt19937::twist() {
  twist_state(mt_);
  index_ = 0;
}

void Mt19937::random53(double* out, std::size_t n) {
  while (n > 0) {
    if (index_ >= kN) twist();
    const std::size_t pairs = std::min<std::size_t>(n, static_cast<std::size_t>(kN - index_) / 2);
    if (pairs == 0) {  // one word left before the twist: this pair straddles it
      *out++ = random53();
      --n;
      continue;
    }
    temper_pairs(mt_ + index_, pairs, out);
    index_ += static_cast<int>(2 * pairs);
    out += pairs;
    n -= pairs;
  }
}

void Mt19937::discard(std::uint64_t n) {
  while (n > 0) {
    if (index_ >= kN) twist();
    const std::uint64_t step = std::min<std::uint64_t>(n, static_cast<std::uint64_t>(kN - index_));
    index_ += static_cast<int>(step);
    n -= step;
  }
}

bool Mt19937::operator==(const Mt19937& other) const {
  // Two states are the same generator when their next outputs agree: compare the index and the
  // words that will still be read (a fresh twist reads them all).
  return index_ == other.index_ && std::memcmp(mt_, other.mt_, sizeof mt_) == 0;
}

}  // namespace fdsl
