// The iterative statistical image models (see statistical.h). The steerable pyramid follows
// pyrtools' SteerablePyramidFreq (the pyramid of the official Python port) step for step: the same
// raised-cosine lookup tables, read by the same linear interpolation (pointOp), the same
// frequency ramps and the same crops, with the masks moved to the FFT's own (unshifted) layout.
#include "fdsl/render/statistical.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "fdsl/core/error.h"
#include "fdsl/core/stop.h"
#include "fdsl/render/fft.h"
#include "fdsl/render/spectral.h"

namespace fdsl {

namespace {

// pyrtools' rcosFn(width 1, position -0.5, values (0, 1)): 259 points, the ends repeated; the
// pyramid's high mask is its square root and its low mask sqrt(1 - high^2).
struct RadialLut {
  static constexpr int kSize = 259;
  double x0 = 0, x1 = 0;
  double hi[kSize], lo[kSize];
};

const RadialLut& radial_lut() {
  static const RadialLut lut = [] {
    RadialLut r;
    constexpr int sz = 256;
    double x[RadialLut::kSize], y[RadialLut::kSize];
    for (int k = 0; k < RadialLut::kSize; ++k) {
      x[k] = M_PI * static_cast<double>(k - sz - 1) / (2.0 * sz);
      const double c = std::cos(x[k]);
      y[k] = c * c;
    }
    y[0] = y[1];
    y[sz + 2] = y[sz + 1];
    for (int k = 0; k < RadialLut::kSize; ++k) {
      x[k] = -0.5 + (2.0 / M_PI) * (x[k] + M_PI / 4.0);
      r.hi[k] = std::sqrt(y[k]);
      r.lo[k] = std::sqrt(std::max(0.0, 1.0 - r.hi[k] * r.hi[k]));
    }
    r.x0 = x[0];
    r.x1 = x[1];
    return r;
  }();
  return lut;
}

// The angular table of order 3: sqrt(const) cos(t)^3 on t = pi k / 1024, k = -2049..1025, with
// const = 2^(2 order) (order!)^2 / (orientations (2 order)!) = 0.8.
struct AngleLut {
  static constexpr int kSize = 3075;
  double x0 = 0, x1 = 0;
  double y[kSize];
};

const AngleLut& angle_lut() {
  static const AngleLut lut = [] {
    AngleLut a;
    const double k = std::sqrt(0.8);
    for (int i = 0; i < AngleLut::kSize; ++i) {
      const double t = M_PI * static_cast<double>(i - 2049) / 1024.0;
      const double c = std::cos(t);
      a.y[i] = k * c * c * c;
      if (i == 0) a.x0 = t;
      if (i == 1) a.x1 = t;
    }
    return a;
  }();
  return lut;
}

/// pointOp: linear interpolation in `lut` (equispaced from origin by inc), extrapolated along the
/// end segments (flat here: their ends repeat).
double point_op(double v, const double* lut, int lut_size, double origin, double inc) {
  const double pos = (v - origin) / inc;
  int index = static_cast<int>(pos);
  if (index < 0)
    index = 0;
  else if (index > lut_size - 2)
    index = lut_size - 2;
  return lut[index] + (lut[index + 1] - lut[index]) * (pos - index);
}

/// The frequency of index u of a side-m grid in units of the full grid's index: u below m / 2 is
/// itself, the rest are the negative frequencies.
inline int frequency(int u, int m) { return u < m / 2 ? u : u - m; }

}  // namespace

int wmm_levels(int n) {
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  return std::max(1, std::min(bits - 4, bits - 2));
}

SteerablePyramid::SteerablePyramid(int n, int levels) : n_(n), levels_(levels) {
  if (!fft_size_ok(n) || levels < 1 || (n >> levels) < 4)
    throw Error(ErrorKind::Runtime, "steerable pyramid of side " + std::to_string(n) + " with " +
                                        std::to_string(levels) +
                                        " levels: the side must be a power of two of at least " + "4 << levels");
  offsets_.push_back(0);
  for (int b = 0; b < band_count(); ++b) {
    const std::size_t s = static_cast<std::size_t>(band_side(b));
    offsets_.push_back(offsets_.back() + s * s);
  }
  const RadialLut& rl = radial_lut();
  const AngleLut& al = angle_lut();
  // The ramps of the full grid as numpy's linspace(-1, 1, n + 1)[:-1] makes them, indexed by
  // frequency; the log radius at DC is the one beside it (pyrtools' choice).
  const double step = 2.0 / n;
  auto ramp = [&](int k) { return static_cast<double>(k + n / 2) * step + -1.0; };
  auto log_rad = [&](int ky, int kx) {
    if (ky == 0 && kx == 0) kx = -1;
    const double x = ramp(kx), y = ramp(ky);
    return std::log2(std::sqrt(x * x + y * y));
  };
  auto angle = [&](int ky, int kx) { return std::atan2(ramp(ky), ramp(kx)); };
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  hi0_.resize(nn);
  lo0_.resize(nn);
  const double inc0 = rl.x1 - rl.x0;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const double lr = log_rad(frequency(y, n), frequency(x, n));
      const std::size_t i = static_cast<std::size_t>(y) * n + x;
      hi0_[i] = static_cast<float>(point_op(lr, rl.hi, RadialLut::kSize, rl.x0, inc0));
      lo0_[i] = static_cast<float>(point_op(lr, rl.lo, RadialLut::kSize, rl.x0, inc0));
    }
  ah_.resize(static_cast<std::size_t>(levels));
  lo_.resize(static_cast<std::size_t>(levels));
  const double ainc = al.x1 - al.x0;
  for (int i = 0; i < levels; ++i) {
    const int m = n >> i, h = m / 2;
    // The radial table moved down i + 1 octaves, as pyrtools' Xrcos -= 1 per level.
    const double x0 = rl.x0 - (i + 1), x1 = rl.x1 - (i + 1), inc = x1 - x0;
    for (auto& plane : ah_[static_cast<std::size_t>(i)]) plane.resize(static_cast<std::size_t>(m) * m);
    for (int y = 0; y < m; ++y)
      for (int x = 0; x < m; ++x) {
        const int ky = frequency(y, m), kx = frequency(x, m);
        const double hm = point_op(log_rad(ky, kx), rl.hi, RadialLut::kSize, x0, inc);
        const double a = angle(ky, kx);
        for (int b = 0; b < 4; ++b) {
          const double am = point_op(a, al.y, AngleLut::kSize, al.x0 + M_PI * b / 4.0, ainc);
          ah_[static_cast<std::size_t>(i)][static_cast<std::size_t>(b)][static_cast<std::size_t>(y) * m + x] =
              static_cast<float>(am * hm);
        }
      }
    std::vector<float>& lo = lo_[static_cast<std::size_t>(i)];
    lo.resize(static_cast<std::size_t>(h) * h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < h; ++x)
        lo[static_cast<std::size_t>(y) * h + x] =
            static_cast<float>(point_op(log_rad(frequency(y, h), frequency(x, h)), rl.lo, RadialLut::kSize, x0, inc));
  }
}

int SteerablePyramid::band_side(int b) const {
  if (b == 0) return n_;
  if (b == band_count() - 1) return n_ >> levels_;
  return n_ >> ((b - 1) / 4);
}

double SteerablePyramid::mask_bytes() const {
  double floats = static_cast<double>(hi0_.size() + lo0_.size());
  for (int i = 0; i < levels_; ++i)
    floats += 4.0 * static_cast<double>(ah_[static_cast<std::size_t>(i)][0].size()) +
              static_cast<double>(lo_[static_cast<std::size_t>(i)].size());
  return 4.0 * floats;
}

double SteerablePyramid::work_bytes(int n) {
  // Six planes and the FFT's scratch (two planes).
  return 4.0 * 8.0 * static_cast<double>(n) * static_cast<double>(n);
}

namespace {

/// Index u of a side-h grid in the side-m grid holding the same frequency.
inline std::size_t larger_index(int u, int h, int m) {
  const int k = frequency(u, h);
  return static_cast<std::size_t>(k < 0 ? k + m : k);
}

/// (dre, dim) of side h = m / 2 from (re, im) of side m: the frequencies below h / 2 in magnitude
/// (and -h / 2), times `mask`.
void crop_spectrum(const float* re, const float* im, int m, const float* mask, float* dre, float* dim) {
  const int h = m / 2;
  for (int y = 0; y < h; ++y) {
    const std::size_t src = larger_index(y, h, m) * m;
    for (int x = 0; x < h; ++x) {
      const std::size_t s = src + larger_index(x, h, m);
      const std::size_t d = static_cast<std::size_t>(y) * h + x;
      dre[d] = re[s] * mask[d];
      dim[d] = im[s] * mask[d];
    }
  }
}

/// The reverse: (re, im) of side h times mask placed into zeroed (dre, dim) of side m = 2 h.
void embed_spectrum(const float* re, const float* im, int h, const float* mask, float* dre, float* dim) {
  const int m = 2 * h;
  std::fill(dre, dre + static_cast<std::size_t>(m) * m, 0.0f);
  std::fill(dim, dim + static_cast<std::size_t>(m) * m, 0.0f);
  for (int y = 0; y < h; ++y) {
    const std::size_t dst = larger_index(y, h, m) * m;
    for (int x = 0; x < h; ++x) {
      const std::size_t d = dst + larger_index(x, h, m);
      const std::size_t s = static_cast<std::size_t>(y) * h + x;
      dre[d] = re[s] * mask[s];
      dim[d] = im[s] * mask[s];
    }
  }
}

/// Row y's pairs of bands from L (see build): z = Q0 + i Q1 at k = row + x, mirrors at mrow + m - x.
void hermitian_pairs_row(const float* __restrict lre, const float* __restrict lim, const float* __restrict a0,
                         const float* __restrict a1, float* __restrict zre, float* __restrict zim, std::size_t row,
                         std::size_t mrow, std::size_t m) {
  auto one = [&](std::size_t k, std::size_t mk) {
    // L(k) = lr + i li, L(-k) = mr + i mi: Q = ((-li a - mi a') + i (lr a - mr a')) / 2.
    const float lr = lre[k], li = lim[k], mr = lre[mk], mi = lim[mk];
    const float q0r = 0.5f * (-li * a0[k] - mi * a0[mk]), q0i = 0.5f * (lr * a0[k] - mr * a0[mk]);
    const float q1r = 0.5f * (-li * a1[k] - mi * a1[mk]), q1i = 0.5f * (lr * a1[k] - mr * a1[mk]);
    zre[k] = q0r - q1i;
    zim[k] = q0i + q1r;
  };
  one(row, mrow);
  for (std::size_t x = 1; x < m; ++x) one(row + x, mrow + m - x);
}

/// Row y of reconstruct's pairs: z = F(band0 + i band1) split into B0, B1 and added as (-i) B a.
void split_pairs_row(const float* __restrict zre, const float* __restrict zim, const float* __restrict a0,
                     const float* __restrict a1, float* __restrict rre, float* __restrict rim, std::size_t row,
                     std::size_t mrow, std::size_t m) {
  auto one = [&](std::size_t k, std::size_t mk) {
    const float p = zre[k], q = zim[k], r = zre[mk], t = zim[mk];
    // B0 = ((p + r) + i (q - t)) / 2, B1 = ((q + t) - i (p - r)) / 2; (-i) (x + i y) = y - i x.
    const float b0r = 0.5f * (p + r), b0i = 0.5f * (q - t), b1r = 0.5f * (q + t), b1i = -0.5f * (p - r);
    rre[k] += b0i * a0[k] + b1i * a1[k];
    rim[k] -= b0r * a0[k] + b1r * a1[k];
  };
  one(row, mrow);
  for (std::size_t x = 1; x < m; ++x) one(row + x, mrow + m - x);
}

}  // namespace

void SteerablePyramid::build(const float* x, float* bands, Work& w) const {
  const int n = n_;
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  w.re.assign(x, x + nn);
  w.im.assign(nn, 0.0f);
  w.lre.resize(nn);
  w.lim.resize(nn);
  w.sre.resize(nn);
  w.sim.resize(nn);
  fft2(w.re.data(), w.im.data(), n, false, w.scratch);
  // numpy's ifft2 divides by the number of points: so do the bands.
  const float inv_n = 1.0f / static_cast<float>(nn);
  for (std::size_t i = 0; i < nn; ++i) {
    w.sre[i] = w.re[i] * hi0_[i];
    w.sim[i] = w.im[i] * hi0_[i];
    w.lre[i] = w.re[i] * lo0_[i];
    w.lim[i] = w.im[i] * lo0_[i];
  }
  fft2(w.sre.data(), w.sim.data(), n, true, w.scratch, false);
  for (std::size_t i = 0; i < nn; ++i) bands[i] = w.sre[i] * inv_n;
  for (int lev = 0; lev < levels_; ++lev) {
    const int m = n >> lev;
    const std::size_t mm = static_cast<std::size_t>(m) * m;
    const float inv = 1.0f / static_cast<float>(mm);
    // Two bands per inverse FFT. A band is the real part of the inverse transform of
    // P = (-i)^3 L a = i L a, that is the transform of P's Hermitian part Q(k) = (P(k) + P(-k)*) / 2;
    // Q0 + i Q1 goes back to band0 + i band1.
    for (int b = 0; b < 4; b += 2) {
      const float* a0 = ah_[static_cast<std::size_t>(lev)][static_cast<std::size_t>(b)].data();
      const float* a1 = ah_[static_cast<std::size_t>(lev)][static_cast<std::size_t>(b + 1)].data();
      // The row's mirror runs backwards from its end (x = 0 is its own): the inner loop is a
      // plain reversed run that vectorizes.
      for (int y = 0; y < m; ++y)
        hermitian_pairs_row(w.lre.data(), w.lim.data(), a0, a1, w.sre.data(), w.sim.data(),
                            static_cast<std::size_t>(y) * m, static_cast<std::size_t>((m - y) % m) * m,
                            static_cast<std::size_t>(m));
      fft2(w.sre.data(), w.sim.data(), m, true, w.scratch);
      float* band0 = bands + band_offset(1 + 4 * lev + b);
      float* band1 = bands + band_offset(2 + 4 * lev + b);
      for (std::size_t i = 0; i < mm; ++i) {
        band0[i] = w.sre[i] * inv;
        band1[i] = w.sim[i] * inv;
      }
    }
    crop_spectrum(w.lre.data(), w.lim.data(), m, lo_[static_cast<std::size_t>(lev)].data(), w.re.data(), w.im.data());
    std::swap(w.re, w.lre);
    std::swap(w.im, w.lim);
  }
  const int s = n >> levels_;
  const std::size_t ss = static_cast<std::size_t>(s) * s;
  fft2(w.lre.data(), w.lim.data(), s, true, w.scratch, false);
  float* low = bands + band_offset(band_count() - 1);
  const float inv_s = 1.0f / static_cast<float>(ss);
  for (std::size_t i = 0; i < ss; ++i) low[i] = w.lre[i] * inv_s;
}

void SteerablePyramid::reconstruct(const float* bands, float* x, Work& w) const {
  const int n = n_;
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  w.re.resize(nn);
  w.im.resize(nn);
  w.lre.resize(nn);
  w.lim.resize(nn);
  w.sre.resize(nn);
  w.sim.resize(nn);
  const int s = n >> levels_;
  const std::size_t ss = static_cast<std::size_t>(s) * s;
  const float* low = bands + band_offset(band_count() - 1);
  std::copy(low, low + ss, w.lre.begin());
  std::fill(w.lim.begin(), w.lim.begin() + static_cast<std::ptrdiff_t>(ss), 0.0f);
  fft2(w.lre.data(), w.lim.data(), s, false, w.scratch);
  for (int lev = levels_ - 1; lev >= 0; --lev) {
    const int m = n >> lev;
    const std::size_t mm = static_cast<std::size_t>(m) * m;
    embed_spectrum(w.lre.data(), w.lim.data(), m / 2, lo_[static_cast<std::size_t>(lev)].data(), w.re.data(),
                   w.im.data());
    // Two real bands per forward FFT: Z = F(band0 + i band1), B0(k) = (Z(k) + Z(-k)*) / 2,
    // B1(k) = (Z(k) - Z(-k)*) / 2i; each adds the adjoint of its band, (-i) B a.
    for (int b = 0; b < 4; b += 2) {
      const float* band0 = bands + band_offset(1 + 4 * lev + b);
      const float* band1 = bands + band_offset(2 + 4 * lev + b);
      std::copy(band0, band0 + mm, w.sre.begin());
      std::copy(band1, band1 + mm, w.sim.begin());
      fft2(w.sre.data(), w.sim.data(), m, false, w.scratch);
      const float* a0 = ah_[static_cast<std::size_t>(lev)][static_cast<std::size_t>(b)].data();
      const float* a1 = ah_[static_cast<std::size_t>(lev)][static_cast<std::size_t>(b + 1)].data();
      for (int y = 0; y < m; ++y)
        split_pairs_row(w.sre.data(), w.sim.data(), a0, a1, w.re.data(), w.im.data(), static_cast<std::size_t>(y) * m,
                        static_cast<std::size_t>((m - y) % m) * m, static_cast<std::size_t>(m));
    }
    std::swap(w.re, w.lre);
    std::swap(w.im, w.lim);
  }
  std::copy(bands, bands + nn, w.sre.begin());
  std::fill(w.sim.begin(), w.sim.end(), 0.0f);
  fft2(w.sre.data(), w.sim.data(), n, false, w.scratch);
  for (std::size_t i = 0; i < nn; ++i) {
    w.lre[i] = w.lre[i] * lo0_[i] + w.sre[i] * hi0_[i];
    w.lim[i] = w.lim[i] * lo0_[i] + w.sim[i] * hi0_[i];
  }
  fft2(w.lre.data(), w.lim.data(), n, true, w.scratch, false);
  const float inv_n = 1.0f / static_cast<float>(nn);
  for (std::size_t i = 0; i < nn; ++i) x[i] = w.lre[i] * inv_n;
}

void match_quantiles(float* v, std::size_t count, const double* quantiles, const double* values, std::size_t points,
                     QuantileWork& w) {
  if (count == 0 || points == 0) return;
  // Floats as unsigned keys in the same order, packed above their indices and sorted by three
  // stable passes of 11 bits (the three histograms counted in one read). Measured slower: four
  // passes of 8 bits, four quarters scattered side by side, and two passes over the top 22 bits
  // with the runs that share them sorted after.
  w.packed.resize(count);
  w.packed2.resize(count);
  std::uint32_t hist[3][2048] = {};
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t u;
    std::memcpy(&u, v + i, 4);
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    w.packed[i] = (static_cast<std::uint64_t>(u) << 32) | static_cast<std::uint32_t>(i);
    ++hist[0][u & 2047u];
    ++hist[1][(u >> 11) & 2047u];
    ++hist[2][u >> 22];
  }
  for (int pass = 0; pass < 3; ++pass) {
    std::uint32_t sum = 0;
    for (auto& h : hist[pass]) {
      const std::uint32_t c = h;
      h = sum;
      sum += c;
    }
    const int shift = 32 + 11 * pass;
    const std::uint64_t* src = w.packed.data();
    std::uint64_t* dst = w.packed2.data();
    std::uint32_t* h = hist[pass];
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t e = src[i];
      dst[h[(e >> shift) & 2047u]++] = e;
    }
    std::swap(w.packed, w.packed2);
  }
  // Each segment's slope once (the same division numpy's interp makes per value).
  w.slopes.resize(points);
  for (std::size_t k = 0; k + 1 < points; ++k)
    w.slopes[k] = (values[k + 1] - values[k]) / (quantiles[k + 1] - quantiles[k]);
  std::size_t j = 0;
  const double total = static_cast<double>(count);
  const std::uint64_t* sorted = w.packed.data();
  for (std::size_t a = 0; a < count;) {
    std::size_t b = a + 1;
    while (b < count && (sorted[b] >> 32) == (sorted[a] >> 32)) ++b;
    const double share = static_cast<double>(b) / total;
    double out;
    if (share < quantiles[0]) {
      out = values[0];
    } else {
      while (j + 1 < points && quantiles[j + 1] <= share) ++j;
      if (j + 1 >= points) {
        out = values[points - 1];
      } else {
        out = w.slopes[j] * (share - quantiles[j]) + values[j];
      }
    }
    const float f = static_cast<float>(out);
    for (std::size_t k = a; k < b; ++k) v[static_cast<std::uint32_t>(sorted[k])] = f;
    a = b;
  }
}

namespace {

/// Mean and (population) standard deviation, summed in 8 lanes (one chain of additions would
/// wait on each; the lanes are a fixed order, so the result is the same on every machine).
void mean_std(const float* x, std::size_t count, double& mean, double& std_dev) {
  constexpr std::size_t kLanes = 8;
  const std::size_t whole = count / kLanes * kLanes;
  double s[kLanes] = {};
  for (std::size_t i = 0; i < whole; i += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) s[l] += x[i + l];
  double sum = 0;
  for (std::size_t i = whole; i < count; ++i) sum += x[i];
  for (double v : s) sum += v;
  mean = sum / static_cast<double>(count);
  double q[kLanes] = {};
  for (std::size_t i = 0; i < whole; i += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) {
      const double d = x[i + l] - mean;
      q[l] += d * d;
    }
  double sq = 0;
  for (std::size_t i = whole; i < count; ++i) sq += (x[i] - mean) * (x[i] - mean);
  for (double v : q) sq += v;
  std_dev = std::sqrt(sq / static_cast<double>(count));
}

/// x = (x - mean) / std * to_std + to_mean (a constant x becomes to_mean).
void restandardize(float* x, std::size_t count, double to_mean, double to_std) {
  double mean, sd;
  mean_std(x, count, mean, sd);
  const double k = sd > 0 ? to_std / sd : 0.0;
  for (std::size_t i = 0; i < count; ++i) x[i] = static_cast<float>((x[i] - mean) * k + to_mean);
}

// The official sample_colormodel: a palette image of 3 + floor(U(0, 20)) colours in shares
// 0.001 + U(0, 1) (normalized, pixel counts multinomial), each colour floor(U(0, 256)) per channel,
// laid out as sorted runs of rows, box-blurred m x m (m = ceil(U(0, 10)), 'same', symmetric edges,
// truncated), rescaled to [0, 255] and truncated; then its colour PCA (V the eigenvectors of the
// channels' scatter in columns; the decorrelated channels are V x, as the official colorPCA
// multiplies) and 256-bin histograms of the decorrelated channels.
struct ColorModel {
  double basis[9];  // V, row-major
  double mean[3];
  double quantiles[3][256], centers[3][256];
};

void sample_color_model(int n, Rng& rng, ColorModel& cm, std::vector<std::uint8_t>& ref8,
                        std::vector<std::int32_t>& sums) {
  const int colors = 3 + static_cast<int>(std::floor(rng.uniform(0.0, 20.0)));
  double cdf[24];
  double total = 0;
  for (int c = 0; c < colors; ++c) cdf[c] = (total += 0.001 + rng.uniform());
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  std::int64_t counts[24] = {};
  for (std::size_t i = 0; i < nn; ++i) {
    const double u = rng.uniform() * total;
    int c = 0;
    while (c + 1 < colors && cdf[c] <= u) ++c;
    ++counts[c];
  }
  int rgb[24][3];
  for (int c = 0; c < colors; ++c)
    for (int ch = 0; ch < 3; ++ch) rgb[c][ch] = static_cast<int>(std::floor(rng.uniform(0.0, 256.0)));
  const int m = std::max(1, static_cast<int>(std::ceil(rng.uniform(0.0, 10.0))));
  ref8.resize(nn * 3);
  sums.resize(nn);
  // The stripes' colour index per pixel, row-major.
  std::vector<std::uint8_t> index(nn);
  {
    std::size_t k = 0;
    for (int c = 0; c < colors; ++c)
      for (std::int64_t j = 0; j < counts[c]; ++j) index[k++] = static_cast<std::uint8_t>(c);
  }
  // Symmetric edges (scipy's 'symm'): -1 is 0, n is n - 1; a window reaches at most 5 beyond.
  auto reflect = [n](int i) { return i < 0 ? -i - 1 : (i >= n ? 2 * n - 1 - i : i); };
  std::vector<std::int32_t> col;
  const int before = m / 2, after = (m - 1) / 2;  // the window of 'same': [i - m/2, i + (m-1)/2]
  const int m2 = m * m;
  int lo = 255, hi = 0;
  for (int ch = 0; ch < 3; ++ch) {
    // Rows first, then columns: window sums kept running (integers: the blur's exact value,
    // truncated).
    for (int y = 0; y < n; ++y) {
      const std::uint8_t* idx = index.data() + static_cast<std::size_t>(y) * n;
      std::int32_t* out = sums.data() + static_cast<std::size_t>(y) * n;
      int s = 0;
      for (int d = -before; d <= after; ++d) s += rgb[idx[reflect(d)]][ch];
      for (int x = 0; x < n; ++x) {
        out[x] = s;
        s += rgb[idx[reflect(x + after + 1)]][ch] - rgb[idx[reflect(x - before)]][ch];
      }
    }
    col.assign(static_cast<std::size_t>(n), 0);
    for (int d = -before; d <= after; ++d) {
      const std::int32_t* row = sums.data() + static_cast<std::size_t>(reflect(d)) * n;
      for (int x = 0; x < n; ++x) col[static_cast<std::size_t>(x)] += row[x];
    }
    for (int y = 0; y < n; ++y) {
      std::uint8_t* out = ref8.data() + static_cast<std::size_t>(y) * n * 3 + ch;
      const std::int32_t* add = sums.data() + static_cast<std::size_t>(reflect(y + after + 1)) * n;
      const std::int32_t* sub = sums.data() + static_cast<std::size_t>(reflect(y - before)) * n;
      for (int x = 0; x < n; ++x) {
        const int v = col[static_cast<std::size_t>(x)] / m2;
        out[static_cast<std::size_t>(x) * 3] = static_cast<std::uint8_t>(v);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        col[static_cast<std::size_t>(x)] += add[x] - sub[x];
      }
    }
  }
  const double scale = hi > lo ? 255.0 / (hi - lo) : 0.0;
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  for (std::size_t i = 0; i < nn * 3; ++i) {
    ref8[i] = static_cast<std::uint8_t>((ref8[i] - lo) * scale);
    mean(static_cast<int>(i % 3)) += ref8[i];
  }
  mean /= static_cast<double>(nn);
  Eigen::Matrix3d scatter = Eigen::Matrix3d::Zero();
  for (std::size_t i = 0; i < nn; ++i) {
    const Eigen::Vector3d d(ref8[3 * i] - mean(0), ref8[3 * i + 1] - mean(1), ref8[3 * i + 2] - mean(2));
    scatter += d * d.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(scatter);
  const Eigen::Matrix3d v = eig.eigenvectors();
  for (int r = 0; r < 3; ++r) {
    cm.mean[r] = mean(r);
    for (int c = 0; c < 3; ++c) cm.basis[3 * r + c] = v(r, c);
  }
  // Histograms of the decorrelated channels (numpy's histogram: 256 equal bins over [min, max]).
  std::vector<double> decor(nn);
  for (int c = 0; c < 3; ++c) {
    double dlo = INFINITY, dhi = -INFINITY;
    for (std::size_t i = 0; i < nn; ++i) {
      const double d = v(c, 0) * (ref8[3 * i] - mean(0)) + v(c, 1) * (ref8[3 * i + 1] - mean(1)) +
                       v(c, 2) * (ref8[3 * i + 2] - mean(2));
      decor[i] = d;
      dlo = std::min(dlo, d);
      dhi = std::max(dhi, d);
    }
    if (!(dhi > dlo)) {
      dlo -= 0.5;
      dhi += 0.5;
    }
    std::int64_t hist[256] = {};
    const double norm = 256.0 / (dhi - dlo);
    for (std::size_t i = 0; i < nn; ++i) ++hist[std::clamp(static_cast<int>((decor[i] - dlo) * norm), 0, 255)];
    const double step = (dhi - dlo) / 256.0;
    std::int64_t cum = 0;
    for (int k = 0; k < 256; ++k) {
      cum += hist[k];
      cm.quantiles[c][k] = static_cast<double>(cum) / static_cast<double>(nn);
      cm.centers[c][k] = ((k * step + dlo) + ((k + 1) * step + dlo)) / 2.0;
    }
  }
}

// The official sample_wmm_model: per channel and band (the lowpass residual aside) the marginal
// exp(-|x / shat|^r) on x = -200:0.5:200, shat = 4^(n / side), r = 0.4 + 0.4 U(0, 1), with its
// mean and standard deviation.
constexpr int kWmmPoints = 801;
struct Marginal {
  double mean = 0, std_dev = 1;
  double quantiles[kWmmPoints];
};

void sample_marginal(double shat, Rng& rng, Marginal& mg) {
  const double r = 0.4 + 0.4 * rng.uniform();
  double h[kWmmPoints], sum = 0, first = 0;
  for (int k = 0; k < kWmmPoints; ++k) {
    const double x = -200.0 + 0.5 * k;
    h[k] = std::exp(-std::pow(std::abs(x / shat), r));
    sum += h[k];
    first += x * h[k];
  }
  mg.mean = first / sum;
  double second = 0, cum = 0;
  for (int k = 0; k < kWmmPoints; ++k) {
    const double x = -200.0 + 0.5 * k;
    second += (x - mg.mean) * (x - mg.mean) * h[k];
    cum += h[k];
    mg.quantiles[k] = cum / sum;
  }
  mg.std_dev = std::sqrt(second / sum);
}

const double* wmm_grid() {
  static const std::vector<double> grid = [] {
    std::vector<double> g(kWmmPoints);
    for (int k = 0; k < kWmmPoints; ++k) g[static_cast<std::size_t>(k)] = -200.0 + 0.5 * k;
    return g;
  }();
  return grid.data();
}

struct StatisticalWork {
  std::vector<float> planes, bands;
  std::vector<float> re, im, scratch;
  std::vector<float> mag;  ///< the spectrum's magnitude, in the FFT's layout
  std::vector<Marginal> marginals;
  std::vector<std::uint8_t> ref8;
  std::vector<std::int32_t> sums;
  SteerablePyramid::Work pyr;
  QuantileWork quant;
  ColorModel color;
};

/// The official impose_spectrum on one channel x (n x n): its phases under the magnitude
/// 1 / (|fx / n|^sx + |fy / n|^sy + 1e-16) (0 at DC), its mean and standard deviation kept.
void impose_spectrum(float* x, int n, StatisticalWork& w) {
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  double mean, sd;
  mean_std(x, nn, mean, sd);
  w.re.resize(nn);
  w.im.assign(nn, 0.0f);
  for (std::size_t i = 0; i < nn; ++i) w.re[i] = static_cast<float>(x[i] - mean);
  fft2(w.re.data(), w.im.data(), n, false, w.scratch);
  // Each coefficient scaled to the magnitude (a zero one, of phase 0, becomes the magnitude).
  float* __restrict re = w.re.data();
  float* __restrict im = w.im.data();
  const float* __restrict mag = w.mag.data();
  for (std::size_t i = 0; i < nn; ++i) {
    const float r = std::sqrt(re[i] * re[i] + im[i] * im[i]);
    const bool some = r > 0.0f;
    const float k = mag[i] / (some ? r : 1.0f);
    re[i] = some ? re[i] * k : mag[i];
    im[i] = some ? im[i] * k : 0.0f;
  }
  fft2(w.re.data(), w.im.data(), n, true, w.scratch, false);
  std::copy(w.re.begin(), w.re.end(), x);
  restandardize(x, nn, mean, sd);
}

}  // namespace

double statistical_work_bytes(int n, int channels) {
  const double nn = static_cast<double>(n) * static_cast<double>(n);
  // Planes, the bands (under 6.4 planes), the FFT's planes and scratch, the pyramid's work, the
  // sort's four index planes, the colour model's palette image and sums.
  return 4.0 * nn * (channels + 6.4 + 4.0 + 4.0) + SteerablePyramid::work_bytes(n) + nn * (3.0 + 8.0 + 8.0);
}

void render_statistical_image(std::uint8_t* out, int size, int channels, const StatisticalImage& s, Rng& rng) {
  const int n = spectral_field(size);
  const bool spectrum = s.model != StatisticalModel::Wmm;
  const bool wmm = s.model == StatisticalModel::Wmm || s.model == StatisticalModel::SpectrumColorWmm;
  const bool color = s.model == StatisticalModel::SpectrumColor || s.model == StatisticalModel::SpectrumColorWmm;
  if ((color || s.pca) && channels != 3)
    throw Error(ErrorKind::Runtime, "the colour model of the statistical images needs 3 channels");
  if (wmm && (!s.pyramid || s.pyramid->size() != n))
    throw Error(ErrorKind::Runtime, "statistical image: no steerable pyramid of the field's side");
  thread_local StatisticalWork w;
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  // The colour model first, as the official script draws it (also for its rotation alone).
  if (color || s.pca) {
    Rng crng = rng.child(3);
    sample_color_model(n, crng, w.color, w.ref8, w.sums);
  }
  if (spectrum) {
    // 1 / (|fx / n|^sx + |fy / n|^sy + 1e-16), 0 at DC (the official sample_1f_spectrum).
    std::vector<double> px(static_cast<std::size_t>(n)), py(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) {
      const double f = std::abs(static_cast<double>(frequency(k, n))) / n;
      px[static_cast<std::size_t>(k)] = std::pow(f, s.slope_x);
      py[static_cast<std::size_t>(k)] = std::pow(f, s.slope_y);
    }
    w.mag.resize(nn);
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x)
        w.mag[static_cast<std::size_t>(y) * n + x] =
            static_cast<float>(1.0 / (1e-16 + px[static_cast<std::size_t>(x)] + py[static_cast<std::size_t>(y)]));
    w.mag[0] = 0.0f;
  }
  if (wmm) {
    Rng mrng = rng.child(4);
    const int bands = s.pyramid->band_count() - 1;  // the lowpass residual is left as it is
    w.marginals.resize(static_cast<std::size_t>(channels * bands));
    for (int c = 0; c < channels; ++c)
      for (int b = 0; b < bands; ++b)
        sample_marginal(std::pow(4.0, static_cast<double>(n) / s.pyramid->band_side(b)), mrng,
                        w.marginals[static_cast<std::size_t>(c * bands + b)]);
    w.bands.resize(s.pyramid->total());
  }
  Rng noise = rng.child(5);
  w.planes.resize(nn * static_cast<std::size_t>(channels));
  for (auto& v : w.planes) v = static_cast<float>(256.0 * noise.uniform());
  for (int iter = 0; iter < s.iterations; ++iter)
    for (int c = 0; c < channels; ++c) {
      // A 2048 px image of 100 iterations takes minutes: a stop (SIGINT, KeyboardInterrupt) is
      // answered between steps, as the writers answer one inside a sample.
      throw_if_stopped("a statistical image");
      float* x = w.planes.data() + nn * static_cast<std::size_t>(c);
      if (spectrum) impose_spectrum(x, n, w);
      if (wmm) {
        const SteerablePyramid& pyr = *s.pyramid;
        pyr.build(x, w.bands.data(), w.pyr);
        const int bands = pyr.band_count() - 1;
        for (int b = 0; b < bands; ++b) {
          const Marginal& mg = w.marginals[static_cast<std::size_t>(c * bands + b)];
          float* band = w.bands.data() + pyr.band_offset(b);
          const std::size_t count = pyr.band_offset(b + 1) - pyr.band_offset(b);
          match_quantiles(band, count, mg.quantiles, wmm_grid(), kWmmPoints, w.quant);
          restandardize(band, count, mg.mean, mg.std_dev);
        }
        pyr.reconstruct(w.bands.data(), x, w.pyr);
      }
      if (color) match_quantiles(x, nn, w.color.quantiles[c], w.color.centers[c], 256, w.quant);
    }
  if (s.pca) {
    // inv_colorPCA: V^T y + mean.
    float* p0 = w.planes.data();
    float* p1 = p0 + nn;
    float* p2 = p1 + nn;
    const double* v = w.color.basis;
    for (std::size_t i = 0; i < nn; ++i) {
      const double y0 = p0[i], y1 = p1[i], y2 = p2[i];
      p0[i] = static_cast<float>(v[0] * y0 + v[3] * y1 + v[6] * y2 + w.color.mean[0]);
      p1[i] = static_cast<float>(v[1] * y0 + v[4] * y1 + v[7] * y2 + w.color.mean[1]);
      p2[i] = static_cast<float>(v[2] * y0 + v[5] * y1 + v[8] * y2 + w.color.mean[2]);
    }
  }
  // Min-max over the image (the crop), truncated, interleaved.
  float lo = INFINITY, hi = -INFINITY;
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < size; ++y) {
      const float* row = w.planes.data() + nn * static_cast<std::size_t>(c) + static_cast<std::size_t>(y) * n;
      for (int x = 0; x < size; ++x) {
        lo = std::min(lo, row[x]);
        hi = std::max(hi, row[x]);
      }
    }
  const double k = hi > lo ? 255.0 / (static_cast<double>(hi) - lo) : 0.0;
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < size; ++y) {
      const float* row = w.planes.data() + nn * static_cast<std::size_t>(c) + static_cast<std::size_t>(y) * n;
      std::uint8_t* o = out + static_cast<std::size_t>(y) * size * channels + c;
      for (int x = 0; x < size; ++x)
        o[static_cast<std::size_t>(x) * channels] =
            static_cast<std::uint8_t>(std::min(255.0, (static_cast<double>(row[x]) - lo) * k));
    }
}

}  // namespace fdsl
