#include "fdsl/render/spectral.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "fdsl/render/fft.h"

namespace fdsl {

namespace {

/// `count` uniformly distributed unit phasors (rejection from the square: no trigonometry) into c
/// and s: candidates are kept without a branch, then normalized in one pass the compiler
/// vectorizes. The draws taken and the values are those of drawing the phasors one by one.
void unit_phasors(Rng& rng, std::size_t count, float* c, float* s) {
  // Draws in blocks (independent, so they overlap in the pipeline), the unused ones given back.
  constexpr std::size_t kBlock = 128;
  std::uint64_t u[kBlock];
  alignas(64) float xs[kBlock], ys[kBlock];
  alignas(64) std::uint32_t keep[kBlock];
  std::size_t k = 0;
  while (k < count) {
    const std::uint64_t at = rng.position();
    // About what the phasors still wanted take (pi / 4 of the candidates are kept), so few draws
    // are computed only to be given back.
    const std::size_t draws = std::min(kBlock, ((count - k) * 4 / 3 + 16 + 15) / 16 * 16);
    rng.fill(u, draws);
    // The candidates and their verdicts for the whole block (a loop in vector registers), then
    // the kept ones packed in order until count are kept.
    for (std::size_t b = 0; b < draws; ++b) {
      const float x = static_cast<float>(static_cast<std::int32_t>(u[b] >> 40)) * 0x1.0p-23f - 1.0f;
      const float y = static_cast<float>(static_cast<std::int32_t>((u[b] >> 16) & 0xffffff)) * 0x1.0p-23f - 1.0f;
      const float r2 = x * x + y * y;
      xs[b] = x;
      ys[b] = y;
      keep[b] = static_cast<std::uint32_t>((r2 <= 1.0f) & (r2 >= 1e-12f));
    }
    std::size_t b = 0;
    for (; b < draws && k < count; ++b) {
      c[k] = xs[b];
      s[k] = ys[b];
      k += keep[b];
    }
    rng.seek(at + b);
  }
  for (std::size_t i = 0; i < count; ++i) {
    const float r2 = c[i] * c[i] + s[i] * s[i];
    const float inv = 1.0f / std::sqrt(r2);
    c[i] *= inv;
    s[i] *= inv;
  }
}

/// out = clamp((in - lo) k, 0, 255), truncated (restrict parameters: a byte store may alias
/// anything, and the loop is only vectorized when the compiler knows it does not).
void quantize(const float* __restrict in, std::uint8_t* __restrict out, std::size_t n, float lo, float k) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = std::min(std::max((in[i] - lo) * k, 0.0f), 255.0f);
    out[i] = static_cast<std::uint8_t>(static_cast<std::int32_t>(v));
  }
}

}  // namespace

void spectral_pair(int n, double slope_x, double slope_y, Rng& rng, SpectralWork& w, bool want_second) {
  const std::size_t N = static_cast<std::size_t>(n);
  // Every cell but DC (0) is written below.
  w.re.resize(N * N);
  w.im.resize(N * N);
  w.re[0] = w.im[0] = 0.0f;
  w.px.resize(N);
  w.py.resize(N);
  // |f / n|^slope per axis (numpy's 0**s: 0 for s > 0, 1 for s = 0).
  for (std::size_t k = 0; k < N; ++k) {
    const double f = static_cast<double>(std::min(k, N - k)) / static_cast<double>(n);
    w.px[k] = static_cast<float>(f == 0 ? (slope_x > 0 ? 0.0 : 1.0) : std::pow(f, slope_x));
    w.py[k] = static_cast<float>(f == 0 ? (slope_y > 0 ? 0.0 : 1.0) : std::pow(f, slope_y));
  }
  // Per row, the frequency pairs in order; a self-paired frequency (drawn from the stream as it
  // comes) first takes the phasors of the pairs before it, so the stream is read in cell order.
  w.pairs.reserve(N);
  w.pc.resize(2 * N);
  w.ps.resize(2 * N);
  auto fill_pairs = [&] {
    const std::size_t p = w.pairs.size();
    if (p == 0) return;
    unit_phasors(rng, 2 * p, w.pc.data(), w.ps.data());
    for (std::size_t t = 0; t < p; ++t) {
      const SpectralWork::Pair& q = w.pairs[t];
      const float c1 = w.pc[2 * t], s1 = w.ps[2 * t], c2 = w.pc[2 * t + 1], s2 = w.ps[2 * t + 1];
      // Z = H1 + i H2 with H(-f) = conj(H(f)): the inverse DFT's real part is field 1, imaginary 2.
      w.re[q.i] = q.m * (c1 - s2);
      w.im[q.i] = q.m * (s1 + c2);
      w.re[q.j] = q.m * (c1 + s2);
      w.im[q.j] = q.m * (c2 - s1);
    }
    w.pairs.clear();
  };
  w.pm.resize(N);
  for (std::size_t ky = 0; ky < N; ++ky) {
    const std::size_t my = (N - ky) % N;
    if (my < ky) continue;  // the mirror row was done
    if (my != ky) {
      // A row whose mirror is another row: every frequency pairs with one there, in order, and
      // none is self-paired, so the row's phasors are drawn at once and written row by row.
      for (std::size_t kx = 0; kx < N; ++kx) w.pm[kx] = 1.0f / (1e-16f + w.px[kx] + w.py[ky]);
      unit_phasors(rng, 2 * N, w.pc.data(), w.ps.data());
      float* re = w.re.data() + ky * N;
      float* im = w.im.data() + ky * N;
      float* mre = w.re.data() + my * N;
      float* mim = w.im.data() + my * N;
      const float* c = w.pc.data();
      const float* sn = w.ps.data();
      const float* m = w.pm.data();
      for (std::size_t kx = 0; kx < N; ++kx) {
        re[kx] = m[kx] * (c[2 * kx] - sn[2 * kx + 1]);
        im[kx] = m[kx] * (sn[2 * kx] + c[2 * kx + 1]);
      }
      mre[0] = m[0] * (c[0] + sn[1]);
      mim[0] = m[0] * (c[1] - sn[0]);
      for (std::size_t kx = 1; kx < N; ++kx) {
        mre[N - kx] = m[kx] * (c[2 * kx] + sn[2 * kx + 1]);
        mim[N - kx] = m[kx] * (c[2 * kx + 1] - sn[2 * kx]);
      }
      continue;
    }
    for (std::size_t kx = 0; kx < N; ++kx) {
      const std::size_t mx = (N - kx) % N;
      if (my == ky && mx < kx) continue;  // the mirror was done
      if (ky == 0 && kx == 0) continue;   // DC: 0
      const float m = 1.0f / (1e-16f + w.px[kx] + w.py[ky]);
      const std::size_t i = ky * N + kx, j = my * N + mx;
      if (i == j) {  // self-paired: a real coefficient of either sign per field
        fill_pairs();
        const std::uint64_t u = rng.next_u64();
        w.re[i] = (u & 1) ? m : -m;
        w.im[i] = (u & 2) ? m : -m;
        continue;
      }
      w.pairs.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), m});
    }
    fill_pairs();
  }
  fft2(w.re.data(), w.im.data(), n, true, w.scratch, want_second);
}

double measured_spectral_slope(const float* field, int n, double f_lo, double f_hi) {
  const std::size_t N = static_cast<std::size_t>(n);
  std::vector<float> re(field, field + N * N), im(N * N, 0.0f), scratch;
  fft2(re.data(), im.data(), n, false, scratch);
  // Mean amplitude per integer radius, then a line through (log r, log mean amplitude).
  const int rmax = n / 2;
  std::vector<double> sum(static_cast<std::size_t>(rmax) + 1, 0.0), count(sum.size(), 0.0);
  for (std::size_t y = 0; y < N; ++y)
    for (std::size_t x = 0; x < N; ++x) {
      const double fy = static_cast<double>(std::min(y, N - y)), fx = static_cast<double>(std::min(x, N - x));
      const long r = std::lround(std::sqrt(fx * fx + fy * fy));
      if (r < 1 || r > rmax) continue;
      const double a = std::hypot(static_cast<double>(re[y * N + x]), static_cast<double>(im[y * N + x]));
      sum[static_cast<std::size_t>(r)] += a;
      count[static_cast<std::size_t>(r)] += 1;
    }
  double sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
  for (int r = 1; r <= rmax; ++r) {
    if (r < f_lo || r > f_hi || count[static_cast<std::size_t>(r)] == 0 || sum[static_cast<std::size_t>(r)] <= 0)
      continue;
    const double lx = std::log(static_cast<double>(r));
    const double ly = std::log(sum[static_cast<std::size_t>(r)] / count[static_cast<std::size_t>(r)]);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
    k += 1;
  }
  if (k < 2) return 0.0;
  return -(k * sxy - sx * sy) / (k * sxx - sx * sx);
}

PaletteModel random_palette_model(Rng& rng) {
  PaletteModel p;
  // As the official sample_colormodel: 3 + floor(U(0, 20)) colours, shares 0.001 + U(0, 1)
  // normalized, colours floor(U(0, 256)) per channel, the palette image rescaled to [0, 255].
  // The official image also box-blurs the palette stripes; the shares here are the expected ones.
  p.count = 3 + static_cast<int>(std::floor(rng.uniform(0.0, 20.0)));
  std::vector<double> share(static_cast<std::size_t>(p.count)), rgb(static_cast<std::size_t>(p.count) * 3);
  double total = 0;
  for (auto& s : share) total += (s = 0.001 + rng.uniform());
  double lo = 255, hi = 0;
  for (auto& v : rgb) {
    v = std::floor(rng.uniform(0.0, 256.0));
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double scale = hi > lo ? 255.0 / (hi - lo) : 0.0;
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  std::vector<Eigen::Vector3d> col(share.size());
  for (std::size_t i = 0; i < share.size(); ++i) {
    share[i] /= total;
    col[i] = Eigen::Vector3d((rgb[3 * i] - lo) * scale, (rgb[3 * i + 1] - lo) * scale, (rgb[3 * i + 2] - lo) * scale);
    mean += share[i] * col[i];
  }
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  for (std::size_t i = 0; i < share.size(); ++i) cov += share[i] * (col[i] - mean) * (col[i] - mean).transpose();
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
  const Eigen::Matrix3d v = eig.eigenvectors();
  for (int r = 0; r < 3; ++r) {
    p.mean[r] = mean(r);
    for (int c = 0; c < 3; ++c) p.basis[3 * r + c] = v(r, c);
  }
  return p;
}

AxisSlopes draw_axis_slopes(double s, double anisotropy, Rng& rng) {
  const double d = anisotropy > 0 ? rng.normal() * anisotropy : 0.0;
  return {std::max(0.0, s + d), std::max(0.0, s - d)};
}

int spectral_field(int size) {
  int field = 2;
  while (field < size) field *= 2;
  return field;
}

void render_spectral_image(std::uint8_t* out, int size, int channels, double sx, double sy, bool pca, Rng& rng) {
  const int field = spectral_field(size);
  PaletteModel palette;
  if (pca) {
    Rng color = rng.child(1);
    palette = random_palette_model(color);
  }
  Rng phases = rng.child(2);
  thread_local SpectralWork work;
  thread_local std::vector<float> planes;
  const std::size_t area = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  planes.resize(area * static_cast<std::size_t>(channels));
  // Channels of the crop, rescaled to mean 128 and the official noise's standard deviation: one
  // or two fields a pass (the sums of two fields are independent chains that overlap; each is
  // summed in the same order as alone, so the values are the same).
  auto take = [&](const std::vector<float>* src0, int c0, const std::vector<float>* src1, int c1) {
    double sum0 = 0, sq0 = 0, sum1 = 0, sq1 = 0;
    const std::size_t f = static_cast<std::size_t>(field);
    for (int y = 0; y < size; ++y) {
      const float* row0 = src0->data() + static_cast<std::size_t>(y) * f;
      if (src1) {
        const float* row1 = src1->data() + static_cast<std::size_t>(y) * f;
        for (int x = 0; x < size; ++x) {
          const double v0 = row0[x], v1 = row1[x];
          sum0 += v0;
          sq0 += v0 * v0;
          sum1 += v1;
          sq1 += v1 * v1;
        }
      } else {
        for (int x = 0; x < size; ++x) {
          const double v0 = row0[x];
          sum0 += v0;
          sq0 += v0 * v0;
        }
      }
    }
    // The crop rescaled straight from the field into its plane.
    auto rescale = [&](const std::vector<float>* src, int c, double sum, double sq) {
      const double mean = sum / static_cast<double>(area);
      const double var = std::max(0.0, sq / static_cast<double>(area) - mean * mean);
      const double k = var > 0 ? (256.0 / std::sqrt(12.0)) / std::sqrt(var) : 0.0;
      float* dst = planes.data() + area * static_cast<std::size_t>(c);
      for (int y = 0; y < size; ++y) {
        const float* row = src->data() + static_cast<std::size_t>(y) * f;
        float* out = dst + static_cast<std::size_t>(y) * static_cast<std::size_t>(size);
        for (int x = 0; x < size; ++x) out[x] = static_cast<float>(128.0 + (static_cast<double>(row[x]) - mean) * k);
      }
    };
    rescale(src0, c0, sum0, sq0);
    if (src1) rescale(src1, c1, sum1, sq1);
  };
  spectral_pair(field, sx, sy, phases, work, channels == 3);
  if (channels == 3) {
    take(&work.re, 0, &work.im, 1);
    spectral_pair(field, sx, sy, phases, work, false);
    take(&work.re, 2, nullptr, 0);
  } else {
    take(&work.re, 0, nullptr, 0);
  }
  if (pca) {
    // out = V^T y + mean, per pixel.
    float* p0 = planes.data();
    float* p1 = p0 + area;
    float* p2 = p1 + area;
    const double* v = palette.basis;  // row-major, eigenvectors in columns
    for (std::size_t i = 0; i < area; ++i) {
      const double y0 = p0[i], y1 = p1[i], y2 = p2[i];
      p0[i] = static_cast<float>(v[0] * y0 + v[3] * y1 + v[6] * y2 + palette.mean[0]);
      p1[i] = static_cast<float>(v[1] * y0 + v[4] * y1 + v[7] * y2 + palette.mean[1]);
      p2[i] = static_cast<float>(v[2] * y0 + v[5] * y1 + v[8] * y2 + palette.mean[2]);
    }
  }
  // The range in 8 lanes (min and max are exact, so the lanes give the one-by-one answer).
  float lo8[8], hi8[8];
  for (int j = 0; j < 8; ++j) lo8[j] = hi8[j] = planes[0];
  const std::size_t total = planes.size(), whole = total / 8 * 8;
  for (std::size_t i = 0; i < whole; i += 8)
    for (int j = 0; j < 8; ++j) {
      lo8[j] = std::min(lo8[j], planes[i + static_cast<std::size_t>(j)]);
      hi8[j] = std::max(hi8[j], planes[i + static_cast<std::size_t>(j)]);
    }
  float lo = planes[0], hi = planes[0];
  for (int j = 0; j < 8; ++j) {
    lo = std::min(lo, lo8[j]);
    hi = std::max(hi, hi8[j]);
  }
  for (std::size_t i = whole; i < total; ++i) {
    lo = std::min(lo, planes[i]);
    hi = std::max(hi, planes[i]);
  }
  const float k = hi > lo ? 255.0f / (hi - lo) : 0.0f;
  // Quantized plane by plane (a loop the compiler vectorizes), then interleaved.
  thread_local std::vector<std::uint8_t> quantized;
  std::uint8_t* q = out;
  if (channels != 1) {
    quantized.resize(total);
    q = quantized.data();
  }
  quantize(planes.data(), q, total, lo, k);
  if (channels == 1) return;
  const std::size_t ch = static_cast<std::size_t>(channels);
  for (std::size_t i = 0; i < area; ++i)
    for (std::size_t c = 0; c < ch; ++c) out[i * ch + c] = q[area * c + i];
}

}  // namespace fdsl
