// The 2D FFT against the DFT's definition, and the spectral fields against their prescribed spectrum.
#include "fdsl/render/fft.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <utility>

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

// The transform as spectral datasets were first made: radix-2 butterflies stage by stage, each
// 1D transform on its own, rows after columns, the same float twiddles. fft2 may order its work
// in any way, but each value must be computed by these operations, so datasets regenerate.
void radix2_reference(std::vector<float>& re, std::vector<float>& im, int n, bool inverse) {
  std::vector<float> c(static_cast<std::size_t>(n / 2)), s(c.size());
  for (int k = 0; k < n / 2; ++k) {
    const double a = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(n);
    c[static_cast<std::size_t>(k)] = static_cast<float>(std::cos(a));
    s[static_cast<std::size_t>(k)] = static_cast<float>(std::sin(a));
  }
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  const float sign = inverse ? 1.0f : -1.0f;
  auto one = [&](float* r, float* i, std::size_t stride) {
    for (int a = 0; a < n; ++a) {
      int b = 0;
      for (int k = 0; k < bits; ++k) b |= ((a >> k) & 1) << (bits - 1 - k);
      if (b > a) {
        std::swap(r[a * stride], r[b * stride]);
        std::swap(i[a * stride], i[b * stride]);
      }
    }
    for (int len = 2; len <= n; len <<= 1)
      for (int start = 0; start < n; start += len)
        for (int k = 0; k < len / 2; ++k) {
          float& ar = r[(start + k) * stride];
          float& ai = i[(start + k) * stride];
          float& br = r[(start + k + len / 2) * stride];
          float& bi = i[(start + k + len / 2) * stride];
          float tr = br, ti = bi;
          if (k != 0) {
            const float wr = c[static_cast<std::size_t>(k * (n / len))];
            const float wi = sign * s[static_cast<std::size_t>(k * (n / len))];
            tr = br * wr - bi * wi;
            ti = br * wi + bi * wr;
          }
          br = ar - tr;
          bi = ai - ti;
          ar = ar + tr;
          ai = ai + ti;
        }
  };
  for (int x = 0; x < n; ++x) one(re.data() + x, im.data() + x, static_cast<std::size_t>(n));
  for (int y = 0; y < n; ++y)
    one(re.data() + static_cast<std::size_t>(y) * n, im.data() + static_cast<std::size_t>(y) * n, 1);
}

TEST(Fft2, IsTheRadix2TransformBitForBit) {
  for (int n = 2; n <= 1024; n *= 2)
    for (bool inverse : {false, true}) {
      Rng rng(9, static_cast<std::uint64_t>(n), inverse, Purpose::Noise);
      std::vector<float> re(static_cast<std::size_t>(n) * n), im(re.size()), scratch;
      for (auto& v : re) v = static_cast<float>(rng.uniform(-1, 1));
      for (auto& v : im) v = static_cast<float>(rng.uniform(-1, 1));
      if (n == 4) re[5] = -0.0f;  // a signed zero through the butterflies without a multiply
      std::vector<float> want_re = re, want_im = im;
      radix2_reference(want_re, want_im, n, inverse);
      fft2(re.data(), im.data(), n, inverse, scratch);
      for (std::size_t i = 0; i < re.size(); ++i) {
        ASSERT_EQ(std::bit_cast<std::uint32_t>(re[i]), std::bit_cast<std::uint32_t>(want_re[i]))
            << "n " << n << " cell " << i;
        ASSERT_EQ(std::bit_cast<std::uint32_t>(im[i]), std::bit_cast<std::uint32_t>(want_im[i]))
            << "n " << n << " cell " << i;
      }
    }
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

// The coefficients as first written: one phasor at a time, each frequency in row order. The batched
// phasors must take the same draws and give the same floats (datasets made before regenerate).
void reference_coefficients(int n, double sx, double sy, Rng& rng, std::vector<float>& re, std::vector<float>& im) {
  const std::size_t N = static_cast<std::size_t>(n);
  re.assign(N * N, 0.0f);
  im.assign(N * N, 0.0f);
  std::vector<float> px(N), py(N);
  for (std::size_t k = 0; k < N; ++k) {
    const double f = static_cast<double>(std::min(k, N - k)) / static_cast<double>(n);
    px[k] = static_cast<float>(f == 0 ? (sx > 0 ? 0.0 : 1.0) : std::pow(f, sx));
    py[k] = static_cast<float>(f == 0 ? (sy > 0 ? 0.0 : 1.0) : std::pow(f, sy));
  }
  auto phasor = [&](float& c, float& s) {
    for (;;) {
      const std::uint64_t u = rng.next_u64();
      const float x = static_cast<float>(static_cast<std::int64_t>(u >> 40)) * 0x1.0p-23f - 1.0f;
      const float y = static_cast<float>(static_cast<std::int64_t>((u >> 16) & 0xffffff)) * 0x1.0p-23f - 1.0f;
      const float r2 = x * x + y * y;
      if (r2 > 1.0f || r2 < 1e-12f) continue;
      const float inv = 1.0f / std::sqrt(r2);
      c = x * inv;
      s = y * inv;
      return;
    }
  };
  for (std::size_t ky = 0; ky < N; ++ky) {
    const std::size_t my = (N - ky) % N;
    if (my < ky) continue;
    for (std::size_t kx = 0; kx < N; ++kx) {
      const std::size_t mx = (N - kx) % N;
      if ((my == ky && mx < kx) || (ky == 0 && kx == 0)) continue;
      const float m = 1.0f / (1e-16f + px[kx] + py[ky]);
      const std::size_t i = ky * N + kx, j = my * N + mx;
      if (i == j) {
        const std::uint64_t u = rng.next_u64();
        re[i] = (u & 1) ? m : -m;
        im[i] = (u & 2) ? m : -m;
        continue;
      }
      float c1, s1, c2, s2;
      phasor(c1, s1);
      phasor(c2, s2);
      re[i] = m * (c1 - s2);
      im[i] = m * (s1 + c2);
      re[j] = m * (c1 + s2);
      im[j] = m * (c2 - s1);
    }
  }
}

TEST(SpectralPair, IsTheOneByOnePhasorFieldBitForBitAndLeavesTheStreamWhereItLeftIt) {
  for (int n : {2, 4, 8, 16, 64, 256}) {
    Rng a(3, 1, static_cast<std::uint64_t>(n), Purpose::Noise), b = a;
    SpectralWork w;
    spectral_pair(n, 1.3, 2.2, a, w);
    std::vector<float> re, im, scratch;
    reference_coefficients(n, 1.3, 2.2, b, re, im);
    fft2(re.data(), im.data(), n, true, scratch);
    ASSERT_EQ(a.position(), b.position()) << "n " << n;
    for (std::size_t i = 0; i < re.size(); ++i) {
      ASSERT_EQ(w.re[i], re[i]) << "n " << n << " at " << i;
      ASSERT_EQ(w.im[i], im[i]) << "n " << n << " at " << i;
    }
    // The next call continues the stream (the colour images' third channel).
    spectral_pair(n, 0.5, 0.5, a, w);
    reference_coefficients(n, 0.5, 0.5, b, re, im);
    EXPECT_EQ(a.position(), b.position()) << "n " << n;
  }
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
