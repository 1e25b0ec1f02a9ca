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
  for (int len = 2; len <= n; len <<= 1) {
    const int half = len / 2, step = n / len;
    for (int start = 0; start < n; start += len) {
      for (int k = 0; k < half; ++k) {
        const float wr = t.c[static_cast<std::size_t>(k * step)];
        const float wi = sign * t.s[static_cast<std::size_t>(k * step)];
        float* __restrict ar = re + static_cast<std::size_t>(start + k) * w;
        float* __restrict ai = im + static_cast<std::size_t>(start + k) * w;
        float* __restrict br = re + static_cast<std::size_t>(start + k + half) * w;
        float* __restrict bi = im + static_cast<std::size_t>(start + k + half) * w;
        if (k == 0) {
          for (std::size_t x = 0; x < w; ++x) {
            const float tr = br[x], ti = bi[x];
            br[x] = ar[x] - tr;
            bi[x] = ai[x] - ti;
            ar[x] = ar[x] + tr;
            ai[x] = ai[x] + ti;
          }
          continue;
        }
        for (std::size_t x = 0; x < w; ++x) {
          const float tr = br[x] * wr - bi[x] * wi;
          const float ti = br[x] * wi + bi[x] * wr;
          br[x] = ar[x] - tr;
          bi[x] = ai[x] - ti;
          ar[x] = ar[x] + tr;
          ai[x] = ai[x] + ti;
        }
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

void fft2(float* re, float* im, int n, bool inverse, std::vector<float>& scratch) {
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
  transpose(tim, im, n);
}

}  // namespace fdsl
