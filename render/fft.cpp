// Radix-2 decimation in time. A pass transforms every column at once: the butterflies pair whole
// rows (bit-reversed row order first), so the inner loop is a contiguous run the compiler turns
// into vector code. The rows are transformed the same way between two transposes.
#include "fdsl/render/fft.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "fdsl/core/error.h"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace fdsl {

bool fft_size_ok(int n) { return n >= 2 && (n & (n - 1)) == 0 && n <= (1 << 14); }

namespace {

struct Twiddles {
  int n = 0;
  std::vector<float> c, s;  ///< cos, sin of 2 pi k / n, k < n / 2
  std::vector<int> rev;     ///< bit reversal of 0..n-1
};

const Twiddles& twiddles(int n) {
  thread_local Twiddles t;
  if (t.n == n) return t;
  t.n = n;
  t.c.resize(static_cast<std::size_t>(n / 2));
  t.s.resize(static_cast<std::size_t>(n / 2));
  for (int k = 0; k < n / 2; ++k) {
    const double a = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(n);
    t.c[static_cast<std::size_t>(k)] = static_cast<float>(std::cos(a));
    t.s[static_cast<std::size_t>(k)] = static_cast<float>(std::sin(a));
  }
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  t.rev.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    t.rev[static_cast<std::size_t>(i)] = r;
  }
  return t;
}

void swap_rows(float* p, int n, int a, int b, float* tmp) {
  const std::size_t len = static_cast<std::size_t>(n) * sizeof(float);
  std::memcpy(tmp, p + static_cast<std::size_t>(a) * n, len);
  std::memcpy(p + static_cast<std::size_t>(a) * n, p + static_cast<std::size_t>(b) * n, len);
  std::memcpy(p + static_cast<std::size_t>(b) * n, tmp, len);
}

/// t = b w; at k = 0 (Unit), where w is 1, t = b without a multiply, as radix-2 adds there.
template <bool Unit>
inline void twiddled(float br, float bi, float wr, float wi, float& tr, float& ti) {
  if constexpr (Unit) {
    tr = br;
    ti = bi;
  } else {
    tr = br * wr - bi * wi;
    ti = br * wi + bi * wr;
  }
}

// The butterfly loops take their rows as restrict parameters, so they are vectorized without
// alias checks (with eight local pointers GCC gives up on the checks it would need).

/// One radix-2 stage over rows a, b: (a, b) with the twiddle w (First: k = 0, w = 1).
template <bool First>
void radix2(float* __restrict ar, float* __restrict ai, float* __restrict br, float* __restrict bi, std::size_t w,
            float wr, float wi) {
  for (std::size_t x = 0; x < w; ++x) {
    float tr, ti;
    twiddled<First>(br[x], bi[x], wr, wi, tr, ti);
    br[x] = ar[x] - tr;
    bi[x] = ai[x] - ti;
    ar[x] = ar[x] + tr;
    ai[x] = ai[x] + ti;
  }
}

/// Two radix-2 stages over four rows a, b, c, d (len and 2 len apart by half): (a, b) and (c, d)
/// with the twiddle w1, then (a, c) with w2 and (b, d) with w3 (First: k = 0, w1 = w2 = 1).
template <bool First>
void radix4(float* __restrict ar, float* __restrict ai, float* __restrict br, float* __restrict bi,
            float* __restrict cr, float* __restrict ci, float* __restrict dr, float* __restrict di, std::size_t w,
            float w1r, float w1i, float w2r, float w2i, float w3r, float w3i) {
  for (std::size_t x = 0; x < w; ++x) {
    float t1r, t1i, t2r, t2i, t3r, t3i, t4r, t4i;
    twiddled<First>(br[x], bi[x], w1r, w1i, t1r, t1i);
    const float a_r = ar[x] + t1r, a_i = ai[x] + t1i, b_r = ar[x] - t1r, b_i = ai[x] - t1i;
    twiddled<First>(dr[x], di[x], w1r, w1i, t2r, t2i);
    const float c_r = cr[x] + t2r, c_i = ci[x] + t2i, d_r = cr[x] - t2r, d_i = ci[x] - t2i;
    twiddled<First>(c_r, c_i, w2r, w2i, t3r, t3i);
    ar[x] = a_r + t3r;
    ai[x] = a_i + t3i;
    cr[x] = a_r - t3r;
    ci[x] = a_i - t3i;
    twiddled<false>(d_r, d_i, w3r, w3i, t4r, t4i);
    br[x] = b_r + t4r;
    bi[x] = b_i + t4i;
    dr[x] = b_r - t4r;
    di[x] = b_i - t4i;
  }
}

/// The 1D DFT of every column.
void columns(float* __restrict re, float* __restrict im, int n, bool inverse, float* tmp) {
  const Twiddles& t = twiddles(n);
  for (int i = 0; i < n; ++i) {
    const int r = t.rev[static_cast<std::size_t>(i)];
    if (r > i) {
      swap_rows(re, n, i, r, tmp);
      swap_rows(im, n, i, r, tmp);
    }
  }
  const std::size_t w = static_cast<std::size_t>(n);
  const float sign = inverse ? 1.0f : -1.0f;
  auto row = [&](float* p, int r) { return p + static_cast<std::size_t>(r) * w; };
  // Two stages at a time where two are left (len and 2 len: each group of 2 len rows read and
  // written once), otherwise one; each butterfly computes what it computes alone, so the result
  // is the radix-2 one bit for bit.
  int len = 2;
  for (; 2 * len <= n; len <<= 2) {
    const int half = len / 2, step1 = n / len, step2 = n / (2 * len);
    for (int start = 0; start < n; start += 2 * len) {
      for (int k = 0; k < half; ++k) {
        const float w1r = t.c[static_cast<std::size_t>(k * step1)],
                    w1i = sign * t.s[static_cast<std::size_t>(k * step1)];
        const float w2r = t.c[static_cast<std::size_t>(k * step2)],
                    w2i = sign * t.s[static_cast<std::size_t>(k * step2)];
        const float w3r = t.c[static_cast<std::size_t>((k + half) * step2)];
        const float w3i = sign * t.s[static_cast<std::size_t>((k + half) * step2)];
        const int ia = start + k, ib = ia + half, ic = ia + len, id = ic + half;
        float *ar = row(re, ia), *ai = row(im, ia), *br = row(re, ib), *bi = row(im, ib);
        float *cr = row(re, ic), *ci = row(im, ic), *dr = row(re, id), *di = row(im, id);
        if (k == 0)
          radix4<true>(ar, ai, br, bi, cr, ci, dr, di, w, w1r, w1i, w2r, w2i, w3r, w3i);
        else
          radix4<false>(ar, ai, br, bi, cr, ci, dr, di, w, w1r, w1i, w2r, w2i, w3r, w3i);
      }
    }
  }
  for (; len <= n; len <<= 1) {  // the last stage, where their count is odd
    const int half = len / 2, step = n / len;
    for (int start = 0; start < n; start += len) {
      for (int k = 0; k < half; ++k) {
        const float wr = t.c[static_cast<std::size_t>(k * step)];
        const float wi = sign * t.s[static_cast<std::size_t>(k * step)];
        float *ar = row(re, start + k), *ai = row(im, start + k);
        float *br = row(re, start + k + half), *bi = row(im, start + k + half);
        if (k == 0)
          radix2<true>(ar, ai, br, bi, w, wr, wi);
        else
          radix2<false>(ar, ai, br, bi, w, wr, wi);
      }
    }
  }
}

/// out = transpose(in), in 32 x 32 blocks (4 x 4 tiles in SSE registers where there are some).
void transpose(const float* __restrict in, float* __restrict out, int n) {
  constexpr int B = 32;
  const std::size_t w = static_cast<std::size_t>(n);
#if defined(__SSE2__)
  if (n % 4 == 0) {
    for (int y0 = 0; y0 < n; y0 += B)
      for (int x0 = 0; x0 < n; x0 += B) {
        const int y1 = std::min(n, y0 + B), x1 = std::min(n, x0 + B);
        for (int y = y0; y < y1; y += 4)
          for (int x = x0; x < x1; x += 4) {
            const float* src = in + static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x);
            __m128 r0 = _mm_loadu_ps(src), r1 = _mm_loadu_ps(src + w), r2 = _mm_loadu_ps(src + 2 * w),
                   r3 = _mm_loadu_ps(src + 3 * w);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            float* dst = out + static_cast<std::size_t>(x) * w + static_cast<std::size_t>(y);
            _mm_storeu_ps(dst, r0);
            _mm_storeu_ps(dst + w, r1);
            _mm_storeu_ps(dst + 2 * w, r2);
            _mm_storeu_ps(dst + 3 * w, r3);
          }
      }
    return;
  }
#endif
  for (int y0 = 0; y0 < n; y0 += B)
    for (int x0 = 0; x0 < n; x0 += B) {
      const int y1 = std::min(n, y0 + B), x1 = std::min(n, x0 + B);
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
          out[static_cast<std::size_t>(x) * w + static_cast<std::size_t>(y)] = in[static_cast<std::size_t>(y) * w + x];
    }
}

}  // namespace

void fft2(float* re, float* im, int n, bool inverse, std::vector<float>& scratch, bool want_im) {
  if (!fft_size_ok(n)) throw_runtime("fft2: size " + std::to_string(n) + " is not a power of two in [2, 16384]");
  const std::size_t area = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  // Two transposed planes and a row: the row pass runs on the transposed copies, which are then
  // transposed back into re and im (no copy between).
  scratch.resize(2 * area + static_cast<std::size_t>(n));
  float* tre = scratch.data();
  float* tim = tre + area;
  float* tmp = tim + area;
  columns(re, im, n, inverse, tmp);
  transpose(re, tre, n);
  transpose(im, tim, n);
  columns(tre, tim, n, inverse, tmp);
  transpose(tre, re, n);
  if (want_im) transpose(tim, im, n);
}

}  // namespace fdsl
