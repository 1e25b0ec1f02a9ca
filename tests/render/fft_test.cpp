// The 2D FFT against the DFT's definition, and the spectral fields against their prescribed spectrum.
#include "fdsl/render/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/render/spectral.h"

namespace fdsl {
namespace {

std::vector<std::complex<double>> naive_dft(const std::vector<float>& re, const std::vector<float>& im, int n,
                                            bool inverse) {
  std::vector<std::complex<double>> out(static_cast<std::size_t>(n) * n);
  const double sign = inverse ? 1.0 : -1.0;
  for (int ky = 0; ky < n; ++ky)
    for (int kx = 0; kx < n; ++kx) {
      std::complex<double> sum = 0;
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
          const double a = sign * 2 * M_PI * (static_cast<double>(ky * y + kx * x) / n);
          sum += std::complex<double>(re[y * n + x], im[y * n + x]) * std::complex<double>(std::cos(a), std::sin(a));
        }
      out[static_cast<std::size_t>(ky) * n + kx] = sum;
    }
  return out;
}

TEST(Fft2, MatchesTheDefinitionBothWays) {
  for (int n : {2, 4, 8, 16, 32}) {
    for (bool inverse : {false, true}) {
      Rng rng(7, static_cast<std::uint64_t>(n), inverse, Purpose::Noise);
      std::vector<float> re(static_cast<std::size_t>(n) * n), im(re.size()), scratch;
      for (auto& v : re) v = static_cast<float>(rng.uniform(-1, 1));
      for (auto& v : im) v = static_cast<float>(rng.uniform(-1, 1));
      const auto want = naive_dft(re, im, n, inverse);
      fft2(re.data(), im.data(), n, inverse, scratch);
      double worst = 0;
      for (std::size_t i = 0; i < re.size(); ++i)
        worst = std::max(worst, std::abs(std::complex<double>(re[i], im[i]) - want[i]));
      EXPECT_LT(worst, 2e-4 * n) << "n " << n << (inverse ? " inverse" : " forward");
    }
  }
}

TEST(Fft2, ForwardThenInverseIsNSquaredTimesTheInput) {
  const int n = 64;
  Rng rng(3, 0, 0, Purpose::Noise);
  std::vector<float> re(n * n), im(n * n), scratch;
  for (auto& v : re) v = static_cast<float>(rng.uniform(-1, 1));
  const std::vector<float> orig = re;
  fft2(re.data(), im.data(), n, false, scratch);
  fft2(re.data(), im.data(), n, true, scratch);
  for (std::size_t i = 0; i < re.size(); ++i) {
    ASSERT_NEAR(re[i] / (n * n), orig[i], 1e-5) << i;
    ASSERT_NEAR(im[i] / (n * n), 0.0, 1e-5) << i;
  }
}

TEST(Fft2, RefusesSizesThatAreNotPowersOfTwo) {
  std::vector<float> re(9), im(9), scratch;
  EXPECT_THROW(fft2(re.data(), im.data(), 3, false, scratch), Error);
  EXPECT_FALSE(fft_size_ok(0));
  EXPECT_FALSE(fft_size_ok(1 << 15));
  EXPECT_TRUE(fft_size_ok(16384));
}

// Each field of the pair is real with exactly the prescribed magnitude at every frequency.
TEST(SpectralPair, BothFieldsHaveThePrescribedMagnitude) {
  const int n = 32;
  const double sx = 1.7, sy = 2.1;
  Rng rng(11, 0, 0, Purpose::Noise);
  SpectralWork w;
  spectral_pair(n, sx, sy, rng, w);
  const double peak = 1.0 / (std::pow(1.0 / n, sx) + 0.0) * n * n;  // the largest: (0, 1)
  for (const std::vector<float>* field : {&w.re, &w.im}) {
    std::vector<float> re = *field, im(re.size(), 0.0f), scratch;
    fft2(re.data(), im.data(), n, false, scratch);
    for (int ky = 0; ky < n; ++ky)
      for (int kx = 0; kx < n; ++kx) {
        const double fx = std::min(kx, n - kx) / static_cast<double>(n),
                     fy = std::min(ky, n - ky) / static_cast<double>(n);
        const double want = (kx == 0 && ky == 0) ? 0.0 : 1.0 / (std::pow(fx, sx) + std::pow(fy, sy)) * n * n;
        const double got = std::hypot(re[ky * n + kx], im[ky * n + kx]);
        // Float rounding leaves a residue of about 1e-7 of the largest coefficient everywhere.
        ASSERT_NEAR(got, want, 1e-3 * want + 1e-6 * peak) << "frequency (" << ky << ", " << kx << ")";
      }
  }
  // The two fields are not the same field.
  double dot = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < w.re.size(); ++i) {
    dot += w.re[i] * w.im[i];
    aa += w.re[i] * w.re[i];
    bb += w.im[i] * w.im[i];
  }
  EXPECT_LT(std::abs(dot) / std::sqrt(aa * bb), 0.5);
}

// The measured radial slope of a field made with slope s on both axes is s within 0.05.
TEST(SpectralPair, MeasuredSlopeIsTheSlope) {
  for (double s : {0.5, 1.0, 2.0, 3.5}) {
    Rng rng(5, 0, static_cast<std::uint64_t>(s * 10), Purpose::Noise);
    SpectralWork w;
    spectral_pair(256, s, s, rng, w);
    EXPECT_NEAR(measured_spectral_slope(w.re.data(), 256, 4, 100), s, 0.05) << "slope " << s;
    EXPECT_NEAR(measured_spectral_slope(w.im.data(), 256, 4, 100), s, 0.05) << "slope " << s;
  }
}

TEST(PaletteModel, BasisIsOrthonormalAndMeanInRange) {
  for (std::uint64_t k = 0; k < 50; ++k) {
    Rng rng(1, k, 0, Purpose::Color);
    const PaletteModel p = random_palette_model(rng);
    EXPECT_GE(p.count, 3);
    EXPECT_LE(p.count, 22);
    for (int c = 0; c < 3; ++c) {
      EXPECT_GE(p.mean[c], 0.0);
      EXPECT_LE(p.mean[c], 255.0);
    }
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) {
        double dot = 0;
        for (int r = 0; r < 3; ++r) dot += p.basis[3 * r + a] * p.basis[3 * r + b];
        EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-9);
      }
  }
}

}  // namespace
}  // namespace fdsl
