// Point operations: the official normalization and pc_norm land in their ranges, the variance from
// moments equals a direct one, farthest point sampling is exactly the greedy rule and spreads its
// points, nearest neighbours equal brute force, normals are perpendicular to known surfaces.
#include "fdsl/render/point_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/render/normals.h"

namespace fdsl {
namespace {

/// An orbit of a fixed contractive system (anisotropic, off-centre).
Orbit3 test_orbit(std::int64_t points, std::uint64_t key) {
  Ifs3 ifs;
  Rng rng(key);
  for (int i = 0; i < 4; ++i) {
    AffineMap3 m;
    for (int q = 0; q < 9; ++q) m.m[q] = rng.uniform(-0.5, 0.5);
    m.m[9] = rng.uniform(2, 4);  // far from the origin in x
    m.m[10] = rng.uniform(-1, 1);
    m.m[11] = rng.uniform(-0.2, 0.2);
    ifs.maps.push_back(m);
    ifs.probs.push_back(0.25);
  }
  Orbit3 o;
  chaos_game3d(ifs, points, Rng(key, 1, 2, Purpose::Orbit), o);
  return o;
}

std::vector<float> random_points(std::size_t n, std::uint64_t key, float zscale = 1.0f) {
  Rng rng(key);
  std::vector<float> p(3 * n);
  for (std::size_t i = 0; i < n; ++i) {
    p[3 * i] = static_cast<float>(rng.uniform(-1, 1));
    p[3 * i + 1] = static_cast<float>(rng.uniform(-1, 1));
    p[3 * i + 2] = static_cast<float>(rng.uniform(-1, 1)) * zscale;
  }
  return p;
}

float dist2(const float* a, const float* b) {
  const float dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return (dx * dx + dy * dy) + dz * dz;
}

TEST(Normalization, OfficialIsOneGlobalMinMaxToPlusMinusOneThenCentred) {
  const Orbit3 o = test_orbit(10000, 1);
  const std::size_t n = o.size();
  std::vector<float> xyz(3 * n);
  normalize_official(o, xyz.data());
  // Directly, in double: the min and max over every coordinate of every axis, then the centroid.
  const std::vector<float>* axes[3] = {&o.x, &o.y, &o.z};
  double gmin = INFINITY, gmax = -INFINITY;
  for (auto* v : axes)
    for (float f : *v) {
      gmin = std::min(gmin, static_cast<double>(f));
      gmax = std::max(gmax, static_cast<double>(f));
    }
  double lo_all = INFINITY, hi_all = -INFINITY;
  for (int a = 0; a < 3; ++a) {
    std::vector<double> u(n);
    double mean = 0;
    for (std::size_t k = 0; k < n; ++k) {
      u[k] = ((*axes[a])[k] - gmin) / (gmax - gmin) * 2.0 - 1.0;
      mean += u[k];
      lo_all = std::min(lo_all, u[k]);
      hi_all = std::max(hi_all, u[k]);
    }
    mean /= static_cast<double>(n);
    for (std::size_t k = 0; k < n; k += 13)
      EXPECT_NEAR(xyz[3 * k + a], u[k] - mean, 2e-6) << "axis " << a << " point " << k;
    double got_mean = 0;
    for (std::size_t k = 0; k < n; ++k) got_mean += xyz[3 * k + a];
    EXPECT_NEAR(got_mean / static_cast<double>(n), 0.0, 1e-6);
  }
  // Before centring the coordinates fill [-1, 1] exactly; the aspect is kept (one scale for all).
  EXPECT_EQ(lo_all, -1.0);
  EXPECT_EQ(hi_all, 1.0);
  float lo[3], hi[3];
  bounding_box(xyz.data(), n, lo, hi);
  for (int a = 0; a < 3; ++a) {
    EXPECT_LE(hi[a] - lo[a], 2.0f + 1e-5f);
    EXPECT_NEAR((hi[a] - lo[a]) / (o.hi[a] - o.lo[a]), official_scale(o), 1e-5 * official_scale(o));
  }
}

TEST(Normalization, VarianceFromMomentsEqualsTheDirectVariance) {
  for (std::uint64_t key : {2, 3, 4}) {
    const Orbit3 o = test_orbit(10000, key);
    std::vector<float> xyz(3 * o.size());
    normalize_official(o, xyz.data());
    const auto direct = axis_variance(xyz.data(), o.size());
    const auto moments = normalized_variance(o);
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(moments[a], direct[a], 1e-5 * direct[a] + 1e-9);
  }
}

TEST(Normalization, RecenterMovesTheCentroidToTheOriginAndNothingElse) {
  for (std::size_t n : {1u, 7u, 8u, 1003u, 4096u}) {
    std::vector<float> xyz = random_points(n, 20 + n);
    for (std::size_t k = 0; k < n; ++k) {
      xyz[3 * k] += 10.0f;
      xyz[3 * k + 2] -= 3.0f;
    }
    const std::vector<float> before = xyz;
    recenter(xyz.data(), n);
    double mean[3] = {0, 0, 0};
    for (std::size_t k = 0; k < n; ++k)
      for (int a = 0; a < 3; ++a) mean[a] += xyz[3 * k + a] / static_cast<double>(n);
    for (double m : mean) EXPECT_NEAR(m, 0.0, 1e-5) << n;
    // One shift per axis for every point (up to the rounding of each subtraction).
    for (std::size_t k = 0; k < n; ++k)
      for (int a = 0; a < 3; ++a) EXPECT_NEAR(before[3 * k + a] - xyz[3 * k + a], before[a] - xyz[a], 2e-6f) << n;
  }
}

TEST(Normalization, UnitSphereTouchesTheSphereFromTheCentroid) {
  std::vector<float> xyz = random_points(5000, 7);
  for (std::size_t k = 0; k < 5000; ++k) xyz[3 * k] = xyz[3 * k] * 5 + 3;  // stretched and off-centre
  normalize_unit_sphere(xyz.data(), 5000);
  double r = 0, mean[3] = {0, 0, 0};
  for (std::size_t k = 0; k < 5000; ++k) {
    r = std::max(r, std::sqrt(static_cast<double>(dist2(&xyz[3 * k], std::array<float, 3>{0, 0, 0}.data()))));
    for (int a = 0; a < 3; ++a) mean[a] += xyz[3 * k + a];
  }
  EXPECT_NEAR(r, 1.0, 1e-6);
  for (double m : mean) EXPECT_NEAR(m / 5000, 0.0, 1e-6);
}

TEST(FarthestPointSampling, ReturnsTheAskedCountOfDistinctPointsStartingAtTheFirst) {
  const std::vector<float> p = random_points(3000, 8);
  const auto idx = farthest_point_sampling(p.data(), 3000, 512);
  ASSERT_EQ(idx.size(), 512u);
  EXPECT_EQ(idx[0], 0u);
  EXPECT_EQ(std::set<std::uint32_t>(idx.begin(), idx.end()).size(), 512u);
  EXPECT_THROW(farthest_point_sampling(p.data(), 3000, 3001), Error);
  EXPECT_THROW(farthest_point_sampling(p.data(), 3000, 0), Error);
}

TEST(FarthestPointSampling, EachPointIsTheFarthestFromThoseChosenBefore) {
  const std::vector<float> p = random_points(700, 9);
  const auto idx = farthest_point_sampling(p.data(), 700, 100);
  std::vector<float> d(700, INFINITY);
  for (std::size_t s = 1; s < idx.size(); ++s) {
    for (std::size_t k = 0; k < 700; ++k) d[k] = std::min(d[k], dist2(&p[3 * k], &p[3 * idx[s - 1]]));
    const float best = *std::max_element(d.begin(), d.end());
    EXPECT_EQ(d[idx[s]], best) << "pick " << s;
    // Ties go to the lowest index.
    EXPECT_EQ(static_cast<std::size_t>(std::find(d.begin(), d.end(), best) - d.begin()), idx[s]);
  }
}

TEST(FarthestPointSampling, SpreadsBetterThanARandomSubset) {
  const Orbit3 o = test_orbit(10000, 10);
  std::vector<float> xyz(3 * o.size());
  normalize_official(o, xyz.data());
  const std::size_t n = o.size(), m = 1024;
  const auto fps = farthest_point_sampling(xyz.data(), n, m);
  std::vector<std::uint32_t> rnd(m);
  Rng rng(11);
  std::vector<std::uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0u);
  for (std::size_t i = 0; i < m; ++i) std::swap(all[i], all[static_cast<std::size_t>(rng.uniform_int(i, n - 1))]);
  std::copy(all.begin(), all.begin() + m, rnd.begin());
  // Coverage radius: the largest distance from any point to its nearest sample.
  auto coverage = [&](const std::vector<std::uint32_t>& s) {
    float worst = 0;
    for (std::size_t k = 0; k < n; ++k) {
      float best = INFINITY;
      for (std::uint32_t j : s) best = std::min(best, dist2(&xyz[3 * k], &xyz[3 * j]));
      worst = std::max(worst, best);
    }
    return std::sqrt(worst);
  };
  // Separation: the smallest distance between two samples.
  auto separation = [&](const std::vector<std::uint32_t>& s) {
    float best = INFINITY;
    for (std::size_t i = 0; i < s.size(); ++i)
      for (std::size_t j = i + 1; j < s.size(); ++j) best = std::min(best, dist2(&xyz[3 * s[i]], &xyz[3 * s[j]]));
    return std::sqrt(best);
  };
  EXPECT_LT(coverage(fps), 0.5f * coverage(rnd));
  EXPECT_GT(separation(fps), 2.0f * separation(rnd));
}

TEST(FarthestPointSampling, CoincidentPointsAreStillChosenOnceEach) {
  std::vector<float> p(3 * 50, 0.25f);
  const auto idx = farthest_point_sampling(p.data(), 50, 50);
  EXPECT_EQ(std::set<std::uint32_t>(idx.begin(), idx.end()).size(), 50u);
}

TEST(SelectPoints, CarriesNormalsAndIds) {
  PointCloud c;
  c.xyz = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  c.normals = {0, 0, 1, 0, 1, 0, 1, 0, 0};
  c.class_ids = {5, 6, 7};
  c.instance_ids = {0, 1, 2};
  select_points(c, {2, 0});
  EXPECT_EQ(c.xyz, (std::vector<float>{2, 2, 2, 0, 0, 0}));
  EXPECT_EQ(c.normals, (std::vector<float>{1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(c.class_ids, (std::vector<std::int32_t>{7, 5}));
  EXPECT_EQ(c.instance_ids, (std::vector<std::int32_t>{2, 0}));
}

TEST(KnnIndex, EqualsBruteForceIncludingTies) {
  std::vector<float> p = random_points(2000, 12);
  // Some exact duplicates and points on a grid make ties.
  for (std::size_t k = 0; k < 200; ++k) {
    p[3 * k] = static_cast<float>(k % 5) * 0.25f;
    p[3 * k + 1] = static_cast<float>(k % 3) * 0.25f;
    p[3 * k + 2] = 0;
  }
  const KnnIndex index(p.data(), 2000);
  std::uint32_t got[16];
  float d[16];
  for (std::size_t q = 0; q < 2000; q += 7) {
    ASSERT_EQ(index.nearest(&p[3 * q], 16, got, d), 16u);
    std::vector<std::pair<float, std::uint32_t>> all;
    for (std::uint32_t k = 0; k < 2000; ++k) all.push_back({dist2(&p[3 * q], &p[3 * k]), k});
    std::sort(all.begin(), all.end());
    for (int j = 0; j < 16; ++j) {
      EXPECT_EQ(got[j], all[static_cast<std::size_t>(j)].second) << "query " << q << " rank " << j;
      EXPECT_EQ(d[j], all[static_cast<std::size_t>(j)].first);
    }
  }
  EXPECT_EQ(index.nearest(&p[0], 5000, std::vector<std::uint32_t>(5000).data(), std::vector<float>(5000).data()),
            2000u);
}

TEST(Normals, AreThePlaneNormalOnAPlaneAndRadialOnASphere) {
  // A tilted plane z = 0.3 x - 0.2 y + 5 (away from the origin).
  std::vector<float> plane = random_points(3000, 13, 0.0f);
  for (std::size_t k = 0; k < 3000; ++k) plane[3 * k + 2] = 0.3f * plane[3 * k] - 0.2f * plane[3 * k + 1] + 5.0f;
  std::vector<float> n(plane.size());
  estimate_normals(plane.data(), 3000, 12, n.data());
  const double len = std::sqrt(0.09 + 0.04 + 1.0);
  const double expect[3] = {-0.3 / len, 0.2 / len, 1.0 / len};
  for (std::size_t k = 0; k < 3000; ++k) {
    const double dot = n[3 * k] * expect[0] + n[3 * k + 1] * expect[1] + n[3 * k + 2] * expect[2];
    EXPECT_GT(std::fabs(dot), 0.999) << "point " << k;
  }
  // A sphere of radius 2: normals point outwards along the radius.
  Rng rng(14);
  std::vector<float> sphere(3 * 4000);
  for (std::size_t k = 0; k < 4000; ++k) {
    double v[3] = {rng.normal(), rng.normal(), rng.normal()};
    const double r = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (int a = 0; a < 3; ++a) sphere[3 * k + a] = static_cast<float>(2 * v[a] / r);
  }
  n.resize(sphere.size());
  estimate_normals(sphere.data(), 4000, 16, n.data());
  for (std::size_t k = 0; k < 4000; ++k) {
    const double dot =
        (n[3 * k] * sphere[3 * k] + n[3 * k + 1] * sphere[3 * k + 1] + n[3 * k + 2] * sphere[3 * k + 2]) / 2;
    EXPECT_GT(dot, 0.98) << "point " << k;
    const double l = std::sqrt(n[3 * k] * n[3 * k] + n[3 * k + 1] * n[3 * k + 1] + n[3 * k + 2] * n[3 * k + 2]);
    EXPECT_NEAR(l, 1.0, 1e-6);
  }
}

}  // namespace
}  // namespace fdsl
