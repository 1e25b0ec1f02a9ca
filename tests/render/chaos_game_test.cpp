// The chaos game: exact point counts, reproducible orbits, true bounding boxes, divergence flagged,
// and maps chosen with their probabilities (on the SIMD path and on the scalar path).
#include "fdsl/render/chaos_game.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace fdsl {
namespace {

AffineMap2 map(double a, double b, double c, double d, double e, double f) { return AffineMap2{a, b, c, d, e, f}; }

/// The Sierpinski triangle: three contractions by 1/2.
Ifs2 sierpinski() {
  Ifs2 ifs;
  ifs.maps = {map(0.5, 0, 0, 0.5, 0, 0), map(0.5, 0, 0, 0.5, 0.5, 0), map(0.5, 0, 0, 0.5, 0.25, 0.5)};
  ifs.probs = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  return ifs;
}

/// A FractalDB-like system with rotation and shear.
Ifs2 fern_like() {
  Ifs2 ifs;
  ifs.maps = {map(0.0, 0.0, 0.0, 0.16, 0.0, 0.0), map(0.85, 0.04, -0.04, 0.85, 0.0, 1.6),
              map(0.2, -0.26, 0.23, 0.22, 0.0, 1.6), map(-0.15, 0.28, 0.26, 0.24, 0.0, 0.44)};
  ifs.probs = {0.01, 0.85, 0.07, 0.07};
  return ifs;
}

/// Maps that send every point to its own constant (i, 10 + i): the point tells which map ran.
Ifs2 constant_maps(const std::vector<double>& probs) {
  Ifs2 ifs;
  for (std::size_t i = 0; i < probs.size(); ++i)
    ifs.maps.push_back(map(0, 0, 0, 0, static_cast<double>(i + 1), 10.0 + i));
  ifs.probs = probs;
  return ifs;
}

bool same_bits(const Orbit2& a, const Orbit2& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a.x[i], &b.x[i], sizeof(float)) != 0) return false;
    if (std::memcmp(&a.y[i], &b.y[i], sizeof(float)) != 0) return false;
  }
  return true;
}

TEST(ChaosGame, SameStreamGivesTheSamePointsBitForBit) {
  Orbit2 a, b, c;
  chaos_game(fern_like(), 50001, Rng(1, 2, 3, Purpose::Orbit), ChaosStart::Origin, a);
  chaos_game(fern_like(), 50001, Rng(1, 2, 3, Purpose::Orbit), ChaosStart::Origin, b);
  EXPECT_TRUE(same_bits(a, b));
  EXPECT_EQ(a.min_x, b.min_x);
  EXPECT_EQ(a.max_y, b.max_y);
  // A reused output buffer holding a longer orbit gives the same result too.
  Orbit2 reused;
  chaos_game(sierpinski(), 100000, Rng(9), ChaosStart::Origin, reused);
  chaos_game(fern_like(), 50001, Rng(1, 2, 3, Purpose::Orbit), ChaosStart::Origin, reused);
  EXPECT_TRUE(same_bits(a, reused));
  // A different stream gives a different orbit.
  chaos_game(fern_like(), 50001, Rng(1, 2, 4, Purpose::Orbit), ChaosStart::Origin, c);
  EXPECT_FALSE(same_bits(a, c));
}

TEST(ChaosGame, GivesExactlyThePointsAskedFor) {
  for (std::int64_t n : {1, 2, 8, 9, 10, 17, 100, 100001}) {
    Orbit2 o;
    chaos_game(sierpinski(), n, Rng(5), ChaosStart::Origin, o);
    EXPECT_EQ(o.size(), static_cast<std::size_t>(n)) << n;
    EXPECT_EQ(o.x.size(), o.y.size()) << n;
    EXPECT_TRUE(o.finite) << n;
  }
}

TEST(ChaosGame, SierpinskiPointsStayInTheUnitSquare) {
  // From the origin every point lies in the Sierpinski triangle's hull: x, y in [0, 1].
  Orbit2 o;
  chaos_game(sierpinski(), 9, Rng(5), ChaosStart::Origin, o);
  for (std::size_t i = 0; i < o.size(); ++i) {
    EXPECT_GE(o.x[i], 0.0f);
    EXPECT_LE(o.x[i], 1.0f);
    EXPECT_GE(o.y[i], 0.0f);
    EXPECT_LE(o.y[i], 1.0f);
  }
}

TEST(ChaosGame, FirstPointIsTheOrigin) {
  for (std::int64_t n : {1, 2, 9, 1000}) {
    Orbit2 o;
    chaos_game(fern_like(), n, Rng(3), ChaosStart::Origin, o);
    EXPECT_EQ(o.x[0], 0.0f);
    EXPECT_EQ(o.y[0], 0.0f);
  }
}

TEST(ChaosGame, FixedPointSolvesTheLinearSystem) {
  const AffineMap2 maps[] = {map(0.5, 0.2, -0.1, 0.3, 0.7, -0.4), map(-0.6, 0.4, 0.3, 0.8, 1.0, 2.0),
                             map(0.0, 0.0, 0.0, 0.0, 3.0, -5.0), map(0.9, -0.9, 0.9, 0.9, -1.0, 0.25)};
  for (const auto& m : maps) {
    double x = 0, y = 0;
    fixed_point(m, x, y);
    // (I - A) p = b, i.e. A p + b = p.
    EXPECT_NEAR(m.a * x + m.b * y + m.e, x, 1e-12);
    EXPECT_NEAR(m.c * x + m.d * y + m.f, y, 1e-12);
  }
  double x = 7, y = 7;
  fixed_point(map(1, 0, 0, 1, 1, 1), x, y);  // I - A singular
  EXPECT_EQ(x, 0.0);
  EXPECT_EQ(y, 0.0);
}

TEST(ChaosGame, FixedPointStartIsTheFixedPointOfMapZero) {
  Ifs2 ifs = sierpinski();
  ifs.maps[0] = map(0.4, 0.1, -0.2, 0.5, 0.3, 0.6);
  double fx = 0, fy = 0;
  fixed_point(ifs.maps[0], fx, fy);
  for (std::int64_t n : {1, 9, 1000}) {
    Orbit2 o;
    chaos_game(ifs, n, Rng(4), ChaosStart::FixedPoint0, o);
    EXPECT_EQ(o.x[0], static_cast<float>(fx));
    EXPECT_EQ(o.y[0], static_cast<float>(fy));
  }
}

TEST(ChaosGame, BoundingBoxIsExactlyTheMinAndMaxOfThePoints) {
  const Ifs2 systems[] = {sierpinski(), fern_like(), constant_maps({0.2, 0.3, 0.5})};
  for (const Ifs2& ifs : systems) {
    for (std::int64_t n : {1, 2, 9, 12, 1001, 20000}) {
      for (ChaosStart start : {ChaosStart::Origin, ChaosStart::FixedPoint0}) {
        Orbit2 o;
        chaos_game(ifs, n, Rng(static_cast<std::uint64_t>(n)), start, o);
        const auto [xlo, xhi] = std::minmax_element(o.x.begin(), o.x.end());
        const auto [ylo, yhi] = std::minmax_element(o.y.begin(), o.y.end());
        EXPECT_EQ(o.min_x, *xlo) << n;
        EXPECT_EQ(o.max_x, *xhi) << n;
        EXPECT_EQ(o.min_y, *ylo) << n;
        EXPECT_EQ(o.max_y, *yhi) << n;
      }
    }
  }
}

TEST(ChaosGame, DivergentSystemIsNotFinite) {
  Ifs2 ifs;
  ifs.maps = {map(3, 0, 0, 3, 0.1, 0.1)};
  ifs.probs = {1.0};
  // 16 chains share the points: 3000 points are 187 steps per chain, 3^187 overflows a float.
  for (std::int64_t n : {3000, 100001}) {
    Orbit2 o;
    chaos_game(ifs, n, Rng(1), ChaosStart::Origin, o);
    EXPECT_EQ(o.size(), static_cast<std::size_t>(n));
    EXPECT_FALSE(o.finite) << n;
  }
}

TEST(ChaosGame, DivergenceInTheLastFewPointsIsFlagged) {
  // x -> 3x + 1 from 0 stays below FLT_MAX for 81 steps and overflows at step 82. With
  // 1 + 16*81 + 3 points the 16 vectorized chains stay finite and only the 3 tail points overflow.
  Ifs2 ifs;
  ifs.maps = {map(3, 0, 0, 3, 1, 1)};
  ifs.probs = {1.0};
  Orbit2 o;
  const std::int64_t main_points = 1 + 16 * 81;
  chaos_game(ifs, main_points + 3, Rng(1), ChaosStart::Origin, o);
  ASSERT_EQ(o.size(), static_cast<std::size_t>(main_points + 3));
  for (std::int64_t i = 0; i < main_points; ++i) ASSERT_TRUE(std::isfinite(o.x[i])) << i;
  bool tail_inf = false;
  for (std::size_t i = main_points; i < o.size(); ++i) tail_inf |= !std::isfinite(o.x[i]);
  ASSERT_TRUE(tail_inf) << "the test system should overflow in the tail";
  EXPECT_FALSE(o.finite);
}

TEST(ChaosGame, NanProducingSystemIsNotFinite) {
  // Map 0 sends everything to (1e38, 1e38) (its fixed point, the start). Map 1 computes
  // 10x - 10y there: inf - inf = NaN, without an infinite coordinate ever being stored, so the
  // bounding box alone stays finite.
  for (int maps : {2, 9}) {  // SIMD path and scalar path
    Ifs2 ifs;
    ifs.maps = {map(0, 0, 0, 0, 1e38, 1e38)};
    for (int i = 1; i < maps; ++i) ifs.maps.push_back(map(10, -10, 10, -10, 0, 0));
    ifs.probs.assign(static_cast<std::size_t>(maps), 1.0 / maps);
    for (std::int64_t n : {9, 12, 1001}) {
      Orbit2 o;
      chaos_game(ifs, n, Rng(2), ChaosStart::FixedPoint0, o);
      bool any_nan = false, any_inf = false;
      for (std::size_t i = 0; i < o.size(); ++i) {
        any_nan |= std::isnan(o.x[i]) || std::isnan(o.y[i]);
        any_inf |= std::isinf(o.x[i]) || std::isinf(o.y[i]);
      }
      ASSERT_TRUE(any_nan) << "the test system should produce a NaN (" << maps << " maps, " << n << " points)";
      EXPECT_FALSE(any_inf);
      EXPECT_FALSE(o.finite) << maps << " maps, " << n << " points";
    }
  }

  // A NaN coefficient makes every point after the start NaN.
  Ifs2 nan_ifs;
  nan_ifs.maps = {map(std::numeric_limits<double>::quiet_NaN(), 0, 0, 0.5, 0, 0)};
  nan_ifs.probs = {1.0};
  for (std::int64_t n : {2, 5, 9, 1000}) {
    Orbit2 q;
    chaos_game(nan_ifs, n, Rng(2), ChaosStart::Origin, q);
    EXPECT_FALSE(q.finite) << n;
  }
}

/// Counts how often each constant map ran (point i > 0 sits at (j + 1, 10 + j) for map j).
std::vector<double> map_fractions(const Ifs2& ifs, std::int64_t n, Rng rng) {
  Orbit2 o;
  chaos_game(ifs, n, rng, ChaosStart::Origin, o);
  std::vector<double> counts(ifs.maps.size(), 0);
  for (std::size_t i = 1; i < o.size(); ++i) {
    const int j = static_cast<int>(std::lround(o.x[i])) - 1;
    EXPECT_GE(j, 0);
    EXPECT_LT(j, static_cast<int>(ifs.maps.size()));
    EXPECT_EQ(o.y[i], static_cast<float>(10 + j));
    if (j >= 0 && j < static_cast<int>(counts.size())) counts[static_cast<std::size_t>(j)] += 1;
  }
  for (double& c : counts) c /= static_cast<double>(n - 1);
  return counts;
}

TEST(ChaosGame, MapsAreChosenWithTheirProbabilities) {
  const std::vector<std::vector<double>> cases = {
      {0.5, 0.5},
      {0.1, 0.2, 0.3, 0.4},
      {0.05, 0.6, 0.05, 0.3},
      {0.7, 0.0, 0.3},
      {1.0 / 7, 1.0 / 7, 1.0 / 7, 1.0 / 7, 1.0 / 7, 1.0 / 7, 1.0 / 7},
      {0.02, 0.08, 0.1, 0.15, 0.15, 0.2, 0.1, 0.2},
  };
  for (const auto& probs : cases) {
    const auto f = map_fractions(constant_maps(probs), 100001, Rng(77));
    for (std::size_t i = 0; i < probs.size(); ++i)
      EXPECT_NEAR(f[i], probs[i], 0.01) << probs.size() << " maps, map " << i;
  }
}

TEST(ChaosGame, ZeroProbabilityMapNeverRuns) {
  const auto f = map_fractions(constant_maps({0.7, 0.0, 0.3}), 100001, Rng(3));
  EXPECT_EQ(f[1], 0.0);
  const auto g = map_fractions(constant_maps({0.0, 1.0}), 10001, Rng(3));
  EXPECT_EQ(g[0], 0.0);
}

TEST(ChaosGame, NineMapsTakeTheScalarPathWithTheSameSemantics) {
  const std::vector<double> probs = {0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15, 0.2};
  const Ifs2 ifs = constant_maps(probs);
  const auto f = map_fractions(ifs, 100001, Rng(12));
  for (std::size_t i = 0; i < probs.size(); ++i) EXPECT_NEAR(f[i], probs[i], 0.01) << "map " << i;

  // Deterministic, exact point count, exact box on that path too.
  for (std::int64_t n : {1, 2, 9, 100, 100001}) {
    Orbit2 a, b;
    chaos_game(ifs, n, Rng(13), ChaosStart::Origin, a);
    chaos_game(ifs, n, Rng(13), ChaosStart::Origin, b);
    EXPECT_EQ(a.size(), static_cast<std::size_t>(n));
    EXPECT_TRUE(same_bits(a, b));
    EXPECT_EQ(a.min_x, *std::min_element(a.x.begin(), a.x.end()));
    EXPECT_EQ(a.max_x, *std::max_element(a.x.begin(), a.x.end()));
    EXPECT_EQ(a.min_y, *std::min_element(a.y.begin(), a.y.end()));
    EXPECT_EQ(a.max_y, *std::max_element(a.y.begin(), a.y.end()));
    EXPECT_TRUE(a.finite);
  }
}

TEST(ChaosGame, NineMapsWithAContractionStayOnTheAttractor) {
  // Nine contractions by 1/3 onto a 3x3 grid: every point lies in [0, 1]^2.
  Ifs2 ifs;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) ifs.maps.push_back(map(1.0 / 3, 0, 0, 1.0 / 3, c / 3.0, r / 3.0));
  ifs.probs.assign(9, 1.0 / 9);
  Orbit2 o;
  chaos_game(ifs, 20001, Rng(8), ChaosStart::Origin, o);
  EXPECT_TRUE(o.finite);
  EXPECT_GE(o.min_x, 0.0f);
  EXPECT_LE(o.max_x, 1.0f);
  EXPECT_GE(o.min_y, 0.0f);
  EXPECT_LE(o.max_y, 1.0f);
  // Divergence on the scalar path is flagged as well.
  for (auto& m : ifs.maps) m.a = m.d = 3.0;
  chaos_game(ifs, 20001, Rng(8), ChaosStart::Origin, o);
  EXPECT_FALSE(o.finite);
}

TEST(ChaosGame, ProbabilitiesThatDoNotSumToOneAreNormalized) {
  // Weights 1:3 act as 0.25 / 0.75.
  const auto f = map_fractions(constant_maps({1.0, 3.0}), 100001, Rng(21));
  EXPECT_NEAR(f[0], 0.25, 0.01);
  EXPECT_NEAR(f[1], 0.75, 0.01);
}

}  // namespace
}  // namespace fdsl
