// The sigma-factor sampler: the singular values meet the target sigma exactly, stay ordered in
// [0, 1], are the true singular values of the maps, and set the probabilities.
#include "fdsl/generators/sigma_ifs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

namespace fdsl {
namespace {

/// Singular values of [[a, b], [c, d]] (larger first), computed without A^T A.
std::pair<double, double> singular_values(const AffineMap2& m) {
  const double p = std::hypot(m.a + m.d, m.c - m.b);
  const double q = std::hypot(m.a - m.d, m.c + m.b);
  return {0.5 * (p + q), 0.5 * std::fabs(p - q)};
}

void check_system(const SigmaIfs& s, int n, double alpha, const std::string& what) {
  ASSERT_EQ(s.ifs.maps.size(), static_cast<std::size_t>(n)) << what;
  ASSERT_EQ(s.ifs.probs.size(), static_cast<std::size_t>(n)) << what;
  ASSERT_EQ(s.s1.size(), static_cast<std::size_t>(n)) << what;
  ASSERT_EQ(s.s2.size(), static_cast<std::size_t>(n)) << what;
  EXPECT_EQ(s.alpha, alpha) << what;
  double sigma = 0, det_sum = 0, prob_sum = 0;
  for (int i = 0; i < n; ++i) {
    const double s1 = s.s1[i], s2 = s.s2[i];
    ASSERT_GE(s2, -1e-12) << what << " map " << i;
    ASSERT_LE(s2, s1 + 1e-12) << what << " map " << i;
    ASSERT_LE(s1, 1.0 + 1e-12) << what << " map " << i;
    sigma += s1 + 2 * s2;
    det_sum += s1 * s2;
    prob_sum += s.ifs.probs[i];
    const auto [t1, t2] = singular_values(s.ifs.maps[i]);
    ASSERT_NEAR(t1, s1, 1e-9) << what << " map " << i;
    ASSERT_NEAR(t2, s2, 1e-9) << what << " map " << i;
    ASSERT_NEAR(max_singular_value(s.ifs.maps[i]), s1, 1e-9) << what << " map " << i;
    const auto& m = s.ifs.maps[i];
    ASSERT_NEAR(std::fabs(m.a * m.d - m.b * m.c), s1 * s2, 1e-9) << what << " map " << i;
    ASSERT_GE(m.e, -1.0) << what;
    ASSERT_LT(m.e, 1.0) << what;
    ASSERT_GE(m.f, -1.0) << what;
    ASSERT_LT(m.f, 1.0) << what;
  }
  ASSERT_NEAR(sigma, alpha, 1e-9) << what;
  ASSERT_NEAR(prob_sum, 1.0, 1e-12) << what;
  if (det_sum > 0) {
    for (int i = 0; i < n; ++i) ASSERT_NEAR(s.ifs.probs[i], s.s1[i] * s.s2[i] / det_sum, 1e-12) << what << " map " << i;
  }
}

TEST(SigmaIfs, DefaultRangeSystemsMeetEveryConstraint) {
  for (int n = 2; n <= 4; ++n) {
    Rng rng(1, static_cast<std::uint64_t>(n), 0, Purpose::Category);
    for (int k = 0; k < 2000; ++k) {
      const double alpha = rng.uniform(sigma_default_lo(n), sigma_default_hi(n));
      const SigmaIfs s = sample_sigma_ifs(rng, n, alpha);
      check_system(s, n, alpha, "N=" + std::to_string(n) + " draw " + std::to_string(k));
      if (HasFatalFailure()) return;
    }
  }
}

TEST(SigmaIfs, OtherAlphasInsideTheFeasibleRangeMeetEveryConstraint) {
  for (int n = 2; n <= 4; ++n) {
    const std::vector<double> alphas = {0.05,    0.5,     1.0,     0.5 * n,       static_cast<double>(n),
                                        1.5 * n, 2.0 * n, 2.5 * n, 3.0 * n - 0.5, 3.0 * n - 0.01};
    Rng rng(2, static_cast<std::uint64_t>(n), 0, Purpose::Category);
    for (double alpha : alphas) {
      for (int k = 0; k < 200; ++k) {
        const SigmaIfs s = sample_sigma_ifs(rng, n, alpha);
        check_system(s, n, alpha,
                     "N=" + std::to_string(n) + " alpha=" + std::to_string(alpha) + " draw " + std::to_string(k));
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(SigmaIfs, DefaultRangeIsThePapers) {
  EXPECT_DOUBLE_EQ(sigma_default_lo(2), 3.5);
  EXPECT_DOUBLE_EQ(sigma_default_hi(2), 4.0);
  EXPECT_DOUBLE_EQ(sigma_default_lo(4), 4.5);
  EXPECT_DOUBLE_EQ(sigma_default_hi(4), 5.0);
}

TEST(SigmaIfs, SameStreamGivesTheSameSystem) {
  Rng a(3), b(3);
  const SigmaIfs x = sample_sigma_ifs(a, 3, 4.7);
  const SigmaIfs y = sample_sigma_ifs(b, 3, 4.7);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(x.ifs.maps[i].a, y.ifs.maps[i].a);
    EXPECT_EQ(x.ifs.maps[i].f, y.ifs.maps[i].f);
    EXPECT_EQ(x.ifs.probs[i], y.ifs.probs[i]);
  }
  EXPECT_EQ(a.position(), b.position());
}

TEST(SigmaIfs, RotationsAndReflectionsVary) {
  // Over many draws the determinant takes both signs (random reflections) and the maps vary.
  Rng rng(4);
  int negative = 0, positive = 0;
  for (int k = 0; k < 500; ++k) {
    const SigmaIfs s = sample_sigma_ifs(rng, 2, 3.7);
    for (const auto& m : s.ifs.maps) (m.a * m.d - m.b * m.c < 0 ? negative : positive)++;
  }
  EXPECT_GT(negative, 300);
  EXPECT_GT(positive, 300);
}

TEST(SigmaIfs, MaxSingularValueOfKnownMatrices) {
  EXPECT_NEAR(max_singular_value(AffineMap2{2, 0, 0, 0.5, 9, 9}), 2.0, 1e-15);
  EXPECT_NEAR(max_singular_value(AffineMap2{0, -3, 1, 0, 0, 0}), 3.0, 1e-15);
  EXPECT_NEAR(max_singular_value(AffineMap2{1, 1, 1, 1, 0, 0}), 2.0, 1e-15);
  EXPECT_EQ(max_singular_value(AffineMap2{}), 0.0);
}

}  // namespace
}  // namespace fdsl
