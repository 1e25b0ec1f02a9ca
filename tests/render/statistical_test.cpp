// The pieces of the statistical image models: the steerable pyramid against pyrtools' own bands
// (data/steerable_pyramid_16.txt, written by data/make_steerable_pyramid_fixture.py), its
// reconstruction, and the quantile matching against a plain sorted-rank reference.
#include "fdsl/render/statistical.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"

namespace fdsl {
namespace {

TEST(SteerablePyramid, BandsArePyrtoolsBands) {
  std::ifstream in(std::string(FDSL_SOURCE_DIR) + "/tests/render/data/steerable_pyramid_16.txt");
  ASSERT_TRUE(in) << "tests/render/data/steerable_pyramid_16.txt";
  int n = 0, levels = 0;
  in >> n >> levels;
  ASSERT_EQ(n, 16);
  ASSERT_EQ(levels, 2);
  std::vector<double> ref;
  for (double v; in >> v;) ref.push_back(v);
  const SteerablePyramid pyr(n, levels);
  ASSERT_EQ(ref.size(), pyr.total()) << "highpass, 4 bands per level, lowpass";
  std::vector<float> x(static_cast<std::size_t>(n) * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) x[static_cast<std::size_t>(i) * n + j] = (37 * i + 91 * j + 13 * ((i * j) % 17)) % 256;
  std::vector<float> bands(pyr.total());
  SteerablePyramid::Work w;
  pyr.build(x.data(), bands.data(), w);
  for (int b = 0; b < pyr.band_count(); ++b) {
    double peak = 0, err = 0;
    for (std::size_t i = pyr.band_offset(b); i < pyr.band_offset(b + 1); ++i) {
      peak = std::max(peak, std::abs(ref[i]));
      err = std::max(err, std::abs(bands[i] - ref[i]));
    }
    EXPECT_LE(err, 1e-5 * peak + 1e-4) << "band " << b << " (side " << pyr.band_side(b) << ")";
  }
  EXPECT_EQ(pyr.band_side(0), 16);
  EXPECT_EQ(pyr.band_side(1), 16);
  EXPECT_EQ(pyr.band_side(5), 8);
  EXPECT_EQ(pyr.band_side(9), 4);
}

TEST(SteerablePyramid, ReconstructsItsImage) {
  for (const auto& [n, levels] : {std::pair{256, 4}, std::pair{128, 3}, std::pair{8, 1}}) {
    const SteerablePyramid pyr(n, levels);
    EXPECT_EQ(levels, wmm_levels(n)) << n;
    Rng rng(3);
    std::vector<float> x(static_cast<std::size_t>(n) * n), back(x.size());
    for (auto& v : x) v = static_cast<float>(256.0 * rng.uniform());
    std::vector<float> bands(pyr.total());
    SteerablePyramid::Work w;
    pyr.build(x.data(), bands.data(), w);
    pyr.reconstruct(bands.data(), back.data(), w);
    double err = 0;
    for (std::size_t i = 0; i < x.size(); ++i) err = std::max(err, static_cast<double>(std::abs(back[i] - x[i])));
    // pyrtools itself reconstructs such images within ~0.002: the Nyquist row's real part.
    EXPECT_LT(err, 0.01) << n;
  }
  EXPECT_THROW(SteerablePyramid(16, 3), Error) << "16 >> 3 is under 4";
  EXPECT_THROW(SteerablePyramid(24, 1), Error) << "not a power of two";
}

// numpy's interp of each value's cumulative share (ties: the share of the last), one at a time.
std::vector<float> reference_match(const std::vector<float>& v, const std::vector<double>& q,
                                   const std::vector<double>& val) {
  std::vector<float> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::size_t last =
        static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), v[i]) - sorted.begin());
    const double share = static_cast<double>(last) / static_cast<double>(v.size());
    double r;
    if (share < q.front()) {
      r = val.front();
    } else if (share >= q.back()) {
      r = val.back();
    } else {
      const std::size_t j = static_cast<std::size_t>(std::upper_bound(q.begin(), q.end(), share) - q.begin()) - 1;
      r = (val[j + 1] - val[j]) / (q[j + 1] - q[j]) * (share - q[j]) + val[j];
    }
    out[i] = static_cast<float>(r);
  }
  return out;
}

TEST(MatchQuantiles, IsTheInterpolatedShareOfEachValue) {
  Rng rng(11);
  QuantileWork w;
  for (const std::size_t count : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{65536 + 3}}) {
    std::vector<float> v(count);
    // Negative and positive values, and ties (a coarse grid for a third of them).
    for (std::size_t i = 0; i < count; ++i)
      v[i] = i % 3 == 0 ? static_cast<float>(std::floor(rng.uniform(-5.0, 5.0)))
                        : static_cast<float>(rng.normal() * 100.0);
    // A template with flat stretches (empty bins), starting above 0 (the clamp below).
    std::vector<double> q, val;
    double cum = 0;
    for (int k = 0; k < 50; ++k) {
      cum += (k % 4 == 1) ? 0.0 : 1.0 + k;
      q.push_back(cum);
      val.push_back(-3.0 + 0.25 * k);
    }
    for (auto& x : q) x /= cum;
    const std::vector<float> want = reference_match(v, q, val);
    match_quantiles(v.data(), v.size(), q.data(), val.data(), q.size(), w);
    ASSERT_EQ(v, want) << count << " values";
  }
}

}  // namespace
}  // namespace fdsl
