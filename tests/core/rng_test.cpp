// Counter-based streams: keyed, reproducible, seekable, statistically sound enough for sampling.
#include "fdsl/core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace fdsl {
namespace {

std::vector<std::uint64_t> draws(Rng rng, int n) {
  std::vector<std::uint64_t> out(static_cast<std::size_t>(n));
  for (auto& v : out) v = rng.next_u64();
  return out;
}

TEST(Rng, SameKeyGivesSameStream) {
  EXPECT_EQ(draws(Rng(42, 3, 7, Purpose::Orbit), 1000), draws(Rng(42, 3, 7, Purpose::Orbit), 1000));
  EXPECT_EQ(draws(Rng(123456789), 1000), draws(Rng(123456789), 1000));
}

// fill() is n calls of next_u64(), on whichever code path the CPU takes, from any position.
TEST(Rng, FillGivesTheDrawsOfNextU64AndMovesAsFar) {
  for (std::uint64_t key : {0ull, 1ull, 0xdeadbeefull, ~0ull})
    for (std::size_t n : {0u, 1u, 3u, 7u, 8u, 9u, 16u, 63u, 128u, 1000u})
      for (std::uint64_t at : {0ull, 5ull, (1ull << 40) + 3, ~0ull - 2000}) {
        Rng a(key), b(key);
        a.seek(at);
        b.seek(at);
        std::vector<std::uint64_t> got(n + 1, 42);
        a.fill(got.data(), n);
        for (std::size_t i = 0; i < n; ++i)
          ASSERT_EQ(got[i], b.next_u64()) << key << " " << n << " " << at << " @" << i;
        EXPECT_EQ(got[n], 42u) << "nothing past n";
        EXPECT_EQ(a.position(), b.position());
        EXPECT_EQ(a.next_u64(), b.next_u64());
      }
}

TEST(Rng, EachPartOfTheKeyChangesTheStream) {
  const auto base = draws(Rng(42, 3, 7, Purpose::Orbit), 64);
  const std::vector<std::vector<std::uint64_t>> others = {
      draws(Rng(43, 3, 7, Purpose::Orbit), 64),  // seed
      draws(Rng(42, 4, 7, Purpose::Orbit), 64),  // category
      draws(Rng(42, 3, 8, Purpose::Orbit), 64),  // instance
      draws(Rng(42, 3, 7, Purpose::Patch), 64),  // purpose
      draws(Rng(42, 7, 3, Purpose::Orbit), 64),  // category and instance swapped
  };
  for (std::size_t k = 0; k < others.size(); ++k) {
    int equal = 0;
    for (std::size_t i = 0; i < base.size(); ++i) equal += base[i] == others[k][i];
    EXPECT_EQ(equal, 0) << "variant " << k;
    EXPECT_NE(base, others[k]) << "variant " << k;
  }
}

TEST(Rng, DifferentKeysAreNotShiftedCopiesOfEachOther) {
  // Stream B must not equal stream A started a few draws later.
  const auto a = draws(Rng(1, 0, 0, Purpose::Orbit), 200);
  const auto b = draws(Rng(1, 0, 1, Purpose::Orbit), 100);
  for (std::size_t shift = 0; shift < 100; ++shift) {
    bool same = true;
    for (std::size_t i = 0; i < 8 && same; ++i) same = a[shift + i] == b[i];
    EXPECT_FALSE(same) << "shift " << shift;
  }
}

TEST(Rng, UniformLiesInUnitIntervalWithMeanOneHalf) {
  Rng rng(7, 1, 2, Purpose::Augment);
  const int n = 100000;
  double sum = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  // Standard error of the mean is 1/sqrt(12 n) ~ 0.0009.
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_LT(lo, 0.001);
  EXPECT_GT(hi, 0.999);
}

TEST(Rng, UniformOnAnIntervalStaysInside) {
  Rng rng(9);
  for (int i = 0; i < 10000; ++i) {
    const double v = rng.uniform(-3.0, 2.0);
    ASSERT_GE(v, -3.0);
    ASSERT_LT(v, 2.0);
  }
}

TEST(Rng, UniformIntCoversBothEndsAndIsUnbiased) {
  Rng rng(11, 0, 0, Purpose::Search);
  const std::int64_t a = -3, b = 6;  // 10 values
  const int k = static_cast<int>(b - a + 1);
  const int n = 100000;
  std::vector<int> counts(static_cast<std::size_t>(k), 0);
  for (int i = 0; i < n; ++i) {
    const std::int64_t v = rng.uniform_int(a, b);
    ASSERT_GE(v, a);
    ASSERT_LE(v, b);
    ++counts[static_cast<std::size_t>(v - a)];
  }
  EXPECT_GT(counts.front(), 0);
  EXPECT_GT(counts.back(), 0);
  const double expected = static_cast<double>(n) / k;
  double chi2 = 0;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  // 9 degrees of freedom: P(chi2 > 40) is about 1e-5.
  EXPECT_LT(chi2, 40.0) << "chi-square " << chi2;
}

TEST(Rng, UniformIntOfAnOddRangeIsUnbiased) {
  // A range that does not divide 2^64 exercises the rejection step.
  Rng rng(5);
  const std::int64_t k = 7;
  const int n = 100000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) ++counts[static_cast<std::size_t>(rng.uniform_int(0, k - 1))];
  const double expected = static_cast<double>(n) / k;
  double chi2 = 0;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 35.0) << "chi-square " << chi2;
}

TEST(Rng, UniformIntOfOneValueReturnsIt) {
  Rng rng(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(rng.uniform_int(4, 4), 4);
}

TEST(Rng, SeekRestoresAPosition) {
  Rng rng(3, 1, 4, Purpose::Color);
  for (int i = 0; i < 17; ++i) rng.next_u64();
  const std::uint64_t pos = rng.position();
  EXPECT_EQ(pos, 17u);
  const auto ahead = draws(rng, 50);  // a copy: rng itself is unchanged
  for (int i = 0; i < 50; ++i) rng.next_u64();
  EXPECT_EQ(rng.position(), 67u);
  rng.seek(pos);
  EXPECT_EQ(draws(rng, 50), ahead);
  // Seeking a fresh stream to the position lands on the same draws.
  Rng fresh(3, 1, 4, Purpose::Color);
  fresh.seek(pos);
  EXPECT_EQ(fresh.next_u64(), ahead[0]);
}

TEST(Rng, ChildStreamsDifferFromEachOtherAndFromTheParent) {
  const Rng parent(8, 2, 0, Purpose::Layout);
  const auto p = draws(parent, 32);
  const auto c0 = draws(parent.child(0), 32);
  const auto c1 = draws(parent.child(1), 32);
  const auto c2 = draws(parent.child(2), 32);
  EXPECT_NE(c0, p);
  EXPECT_NE(c1, p);
  EXPECT_NE(c0, c1);
  EXPECT_NE(c1, c2);
  EXPECT_NE(c0, c2);
  // A child is itself reproducible.
  EXPECT_EQ(draws(parent.child(1), 32), c1);
  // The child of a different parent differs.
  EXPECT_NE(draws(Rng(8, 3, 0, Purpose::Layout).child(0), 32), c0);
}

}  // namespace
}  // namespace fdsl
