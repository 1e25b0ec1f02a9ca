// The 3D chaos game: exact point counts, chains from the origin (not stored), every point one map
// applied to its chain's previous point, maps chosen with their probabilities, bounds, mean and
// variance equal to a direct computation, divergence flagged, reproducible bits.
#include "fdsl/render/chaos_game3d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace fdsl {
namespace {

AffineMap3 map3(std::initializer_list<double> v) {
  AffineMap3 m;
  int i = 0;
  for (double x : v) m.m[i++] = x;
  return m;
}

/// A contractive system with rotation and shear in every map, n maps, p ~ |det|.
Ifs3 test_system(int n, std::uint64_t key) {
  Rng rng(key);
  Ifs3 ifs;
  double total = 0;
  for (int i = 0; i < n; ++i) {
    AffineMap3 m;
    for (int q = 0; q < 9; ++q) m.m[q] = rng.uniform(-0.45, 0.45);
    for (int q = 9; q < 12; ++q) m.m[q] = rng.uniform(-1, 1);
    ifs.maps.push_back(m);
    ifs.probs.push_back(std::fabs(m.det()) + 0.01);
    total += ifs.probs.back();
  }
  for (double& p : ifs.probs) p /= total;
  return ifs;
}

/// One map step in the game's own arithmetic: (x a + y b) + (z c + j), single precision.
void apply(const AffineMap3& m, const float in[3], float out[3]) {
  float c[12];
  for (int q = 0; q < 12; ++q) c[q] = static_cast<float>(m.m[q]);
  out[0] = (in[0] * c[0] + in[1] * c[1]) + (in[2] * c[2] + c[9]);
  out[1] = (in[0] * c[3] + in[1] * c[4]) + (in[2] * c[5] + c[10]);
  out[2] = (in[0] * c[6] + in[1] * c[7]) + (in[2] * c[8] + c[11]);
}

/// For every stored point, which map made it from its chain's previous point (the origin for the
/// first 8); -1 if none did. Fails the test on a point no map explains.
std::vector<int> explain(const Ifs3& ifs, const Orbit3& o) {
  std::vector<int> which(o.size(), -1);
  for (std::size_t k = 0; k < o.size(); ++k) {
    float prev[3] = {0, 0, 0};
    if (k >= 8) {
      prev[0] = o.x[k - 8];
      prev[1] = o.y[k - 8];
      prev[2] = o.z[k - 8];
    }
    const float stored[3] = {o.x[k], o.y[k], o.z[k]};
    for (std::size_t i = 0; i < ifs.maps.size() && which[k] < 0; ++i) {
      float next[3];
      apply(ifs.maps[i], prev, next);
      if (std::memcmp(next, stored, sizeof stored) == 0) which[k] = static_cast<int>(i);
    }
    EXPECT_GE(which[k], 0) << "point " << k << " is no map of its chain's previous point";
    if (which[k] < 0) break;
  }
  return which;
}

TEST(ChaosGame3d, StoresExactlyThePointsAskedFor) {
  Orbit3 o;
  for (std::int64_t n : {1, 7, 8, 9, 10000, 10001, 12345}) {
    chaos_game3d(test_system(3, 1), n, Rng(1, 2, 3, Purpose::Orbit), o);
    EXPECT_EQ(o.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(o.y.size(), o.x.size());
    EXPECT_EQ(o.z.size(), o.x.size());
    EXPECT_TRUE(o.finite);
  }
}

TEST(ChaosGame3d, ChainsStartAtTheOriginWhichIsNotStored) {
  // x' = x/2 + (1, 2, 3): the first point of every chain is (1, 2, 3), never the origin.
  Ifs3 ifs;
  ifs.maps = {map3({0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5, 1, 2, 3})};
  ifs.probs = {1};
  Orbit3 o;
  chaos_game3d(ifs, 24, Rng(7), o);
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(o.x[k], 1.0f);
    EXPECT_EQ(o.y[k], 2.0f);
    EXPECT_EQ(o.z[k], 3.0f);
  }
  for (int k = 8; k < 16; ++k) EXPECT_EQ(o.x[k], 1.5f);  // step 2: 1/2 + 1
}

TEST(ChaosGame3d, EveryPointIsAMapOfItsChainsPreviousPointOnTheSimdPath) {
  const Ifs3 ifs = test_system(5, 11);
  Orbit3 o;
  chaos_game3d(ifs, 4099, Rng(3, 4, 5, Purpose::Orbit), o);
  explain(ifs, o);
}

TEST(ChaosGame3d, EveryPointIsAMapOfItsChainsPreviousPointOnTheScalarPath) {
  const Ifs3 ifs = test_system(11, 12);  // more than 8 maps
  Orbit3 o;
  chaos_game3d(ifs, 2051, Rng(3, 4, 6, Purpose::Orbit), o);
  explain(ifs, o);
}

TEST(ChaosGame3d, MapsAreChosenWithTheirProbabilities) {
  for (int n : {3, 10}) {
    Ifs3 ifs = test_system(n, 20 + n);
    // Distinct translations make every map recognizable; probabilities far from uniform.
    double total = 0;
    for (int i = 0; i < n; ++i) total += ifs.probs[i] = i + 1.0;
    for (double& p : ifs.probs) p /= total;
    Orbit3 o;
    chaos_game3d(ifs, 80000, Rng(99, static_cast<std::uint64_t>(n), 0, Purpose::Orbit), o);
    const std::vector<int> which = explain(ifs, o);
    std::vector<double> count(static_cast<std::size_t>(n), 0);
    for (int w : which)
      if (w >= 0) count[static_cast<std::size_t>(w)] += 1;
    for (int i = 0; i < n; ++i) EXPECT_NEAR(count[i] / 80000.0, ifs.probs[i], 0.01) << "map " << i << " of " << n;
  }
}

TEST(ChaosGame3d, BoundsMeanAndVarianceEqualADirectComputation) {
  for (double offset : {0.0, 1000.0}) {
    Ifs3 ifs = test_system(4, 33);
    for (auto& m : ifs.maps) m.m[9] += offset;  // an attractor far from the origin: no cancellation
    Orbit3 o;
    chaos_game3d(ifs, 10003, Rng(5), o);
    const std::vector<float>* axes[3] = {&o.x, &o.y, &o.z};
    const auto var = orbit_variance(o);
    for (int a = 0; a < 3; ++a) {
      long double sum = 0;
      float lo = (*axes[a])[0], hi = lo;
      for (float v : *axes[a]) {
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      const long double mean = sum / o.size();
      long double sq = 0;
      for (float v : *axes[a]) sq += (v - mean) * (v - mean);
      const double want = static_cast<double>(sq / o.size());
      EXPECT_EQ(o.lo[a], lo);
      EXPECT_EQ(o.hi[a], hi);
      EXPECT_NEAR(o.mean[a], static_cast<double>(mean), 1e-7 * std::max(std::fabs(lo), std::fabs(hi)));
      EXPECT_NEAR(var[a], want, 1e-6 * want) << "axis " << a << " offset " << offset;
    }
  }
}

TEST(ChaosGame3d, SameStreamGivesTheSameBitsAndOtherStreamsDiffer) {
  const Ifs3 ifs = test_system(6, 44);
  Orbit3 a, b, c;
  chaos_game3d(ifs, 10000, Rng(1, 2, 3, Purpose::Orbit), a);
  chaos_game3d(ifs, 20000, Rng(9), b);  // a longer orbit first: the buffer is reused
  chaos_game3d(ifs, 10000, Rng(1, 2, 3, Purpose::Orbit), b);
  chaos_game3d(ifs, 10000, Rng(1, 2, 4, Purpose::Orbit), c);
  EXPECT_EQ(std::memcmp(a.x.data(), b.x.data(), 40000), 0);
  EXPECT_EQ(std::memcmp(a.z.data(), b.z.data(), 40000), 0);
  EXPECT_EQ(a.mean[1], b.mean[1]);
  EXPECT_NE(std::memcmp(a.x.data(), c.x.data(), 40000), 0);
}

TEST(ChaosGame3d, ADivergingSystemIsFlagged) {
  Ifs3 ifs;
  ifs.maps = {map3({3, 0, 0, 0, 3, 0, 0, 0, 3, 1, 1, 1})};
  ifs.probs = {1};
  Orbit3 o;
  chaos_game3d(ifs, 10000, Rng(1), o);
  EXPECT_FALSE(o.finite);
  // Huge but finite coordinates (whose squares overflow single precision) are still finite.
  ifs.maps = {map3({1.05, 0, 0, 0, 1.05, 0, 0, 0, 1.05, 1, 1, 1})};
  chaos_game3d(ifs, 8 * 1000, Rng(1), o);
  EXPECT_TRUE(o.finite);
  EXPECT_GT(o.hi[0], 1e20f);
  const auto var = orbit_variance(o);
  EXPECT_TRUE(std::isfinite(var[0]));
  EXPECT_GT(var[0], 1e38);
  chaos_game3d(test_system(3, 5), 8000, Rng(1), o);
  EXPECT_TRUE(o.finite);
}

}  // namespace
}  // namespace fdsl
