// IndexPermutation: a bijection of [0, n) for any n, fixed by its seed, and well mixed.
#include "fdsl/core/permutation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "fdsl/core/error.h"

namespace fdsl {
namespace {

std::vector<std::uint64_t> all(const IndexPermutation& p) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < p.size(); ++i) v.push_back(p(i));
  return v;
}

TEST(Permutation, IsABijectionForAnySize) {
  for (std::uint64_t n : {1u, 2u, 3u, 5u, 16u, 17u, 150u, 1000u, 4097u, 65536u, 100003u}) {
    auto v = all(IndexPermutation(n, 42));
    std::sort(v.begin(), v.end());
    for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(v[i], i) << "n = " << n;
  }
}

TEST(Permutation, SameSeedSamePermutationOtherSeedAnother) {
  EXPECT_EQ(all(IndexPermutation(1000, 7)), all(IndexPermutation(1000, 7)));
  EXPECT_NE(all(IndexPermutation(1000, 7)), all(IndexPermutation(1000, 8)));
  // Pinned values: the order of a shuffled dataset must not change between versions.
  const IndexPermutation p(1000, 0);
  EXPECT_EQ(p(0), IndexPermutation(1000, 0)(0));
  std::vector<std::uint64_t> head = {p(0), p(1), p(2), p(3)};
  EXPECT_EQ(head, (std::vector<std::uint64_t>{876, 324, 578, 576}));
}

TEST(Permutation, MixesWell) {
  const std::uint64_t n = 10000;
  const auto v = all(IndexPermutation(n, 1));
  std::uint64_t fixed = 0, ascending = 0;
  double displacement = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    fixed += v[i] == i;
    if (i && v[i] == v[i - 1] + 1) ++ascending;
    displacement += std::abs(static_cast<double>(v[i]) - static_cast<double>(i));
  }
  EXPECT_LT(fixed, 10u);                               // a random permutation has about one fixed point
  EXPECT_LT(ascending, 10u);                           // and about one adjacent pair kept
  EXPECT_NEAR(displacement / n / n, 1.0 / 3.0, 0.02);  // E|X - Y| for uniform X, Y
}

TEST(Permutation, RefusesAnEmptyRangeAndPositionsOutside) {
  EXPECT_THROW(IndexPermutation(0, 1), Error);
  EXPECT_THROW(IndexPermutation(10, 1)(10), Error);
}

}  // namespace
}  // namespace fdsl
