#include "fdsl/render/image_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "detail/simd.h"
#include "fdsl/core/error.h"

namespace fdsl {

void flip_vertical(Image& im) {
  const std::size_t stride = im.stride();
  std::vector<std::uint8_t> tmp(stride);
  for (int y = 0; y < im.height / 2; ++y) {
    std::uint8_t* a = im.row(y);
    std::uint8_t* b = im.row(im.height - 1 - y);
    std::memcpy(tmp.data(), a, stride);
    std::memcpy(a, b, stride);
    std::memcpy(b, tmp.data(), stride);
  }
}

void flip_horizontal(Image& im) {
  const int c = im.channels;
  if (c == 1) {
    for (int y = 0; y < im.height; ++y) std::reverse(im.row(y), im.row(y) + im.width);
    return;
  }
  for (int y = 0; y < im.height; ++y) {
    std::uint8_t* r = im.row(y);
    for (int x = 0; x < im.width / 2; ++x) {
      std::uint8_t* a = r + x * c;
      std::uint8_t* b = r + (im.width - 1 - x) * c;
      for (int k = 0; k < c; ++k) std::swap(a[k], b[k]);
    }
  }
}

Image transpose(const Image& im) {
  Image out(im.height, im.width, im.channels);
  const int c = im.channels;
  const std::size_t in_stride = im.stride(), out_stride = out.stride();
  const std::uint8_t* src = im.pixels.data();
  std::uint8_t* dst = out.pixels.data();
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x)
      std::memcpy(dst + x * out_stride + y * c, src + y * in_stride + x * c, static_cast<std::size_t>(c));
  return out;
}

void transpose_in_place(Image& im) {
  if (im.width != im.height) {
    im = transpose(im);
    return;
  }
  const int c = im.channels;
  for (int y = 0; y < im.height; ++y)
    for (int x = y + 1; x < im.width; ++x) {
      std::uint8_t* a = im.row(y) + static_cast<std::size_t>(x) * c;
      std::uint8_t* b = im.row(x) + static_cast<std::size_t>(y) * c;
      for (int k = 0; k < c; ++k) std::swap(a[k], b[k]);
    }
}

void orient(LabelMap& m, Orientation o) {
  if (o.identity() || m.empty()) return;
  const int ow = o.transpose ? m.height : m.width, oh = o.transpose ? m.width : m.height;
  thread_local std::vector<std::uint16_t> out;
  out.resize(m.values.size());
  for (int y = 0; y < oh; ++y) {
    const int fy = o.flip_v ? oh - 1 - y : y;
    std::uint16_t* d = out.data() + static_cast<std::size_t>(y) * ow;
    for (int x = 0; x < ow; ++x) {
      const int fx = o.flip_h ? ow - 1 - x : x;
      // (fx, fy) of the transposed map is (fy, fx) of the source.
      d[x] = o.transpose ? m.at(fy, fx) : m.at(fx, fy);
    }
  }
  m.values.swap(out);
  m.width = ow;
  m.height = oh;
}

void orient(Image& im, bool transpose, bool flip_v, bool flip_h) {
  if (!transpose && !flip_v && !flip_h) return;
  if (!transpose && !flip_h) {
    flip_vertical(im);  // whole rows: memcpy
    return;
  }
  // One pass for every other orientation. Output row y reads its pixels from `start`, `step`
  // bytes apart. Without a transpose that is source row y (or h-1-y), forwards or backwards;
  // with one (the transpose comes first, so the flips act on the transposed image) it is source
  // column y (or oh-1-y), read down or up.
  const int c = im.channels;
  const int ow = transpose ? im.height : im.width, oh = transpose ? im.width : im.height;
  const std::ptrdiff_t in_stride = static_cast<std::ptrdiff_t>(im.stride());
  const std::size_t total = im.pixels.size(), out_stride = static_cast<std::size_t>(ow) * c;
  thread_local std::vector<std::uint8_t> out;
  out.resize(total);
  const std::uint8_t* src = im.pixels.data();
  std::uint8_t* dst = out.data();
  for (int y = 0; y < oh; ++y) {
    std::ptrdiff_t start, step;
    if (!transpose) {
      start = (flip_v ? oh - 1 - y : y) * in_stride + (flip_h ? static_cast<std::ptrdiff_t>(ow - 1) * c : 0);
      step = flip_h ? -c : c;
    } else {
      start = static_cast<std::ptrdiff_t>(flip_v ? oh - 1 - y : y) * c + (flip_h ? (ow - 1) * in_stride : 0);
      step = flip_h ? -in_stride : in_stride;
    }
    std::uint8_t* d = dst + static_cast<std::size_t>(y) * out_stride;
    const std::uint8_t* s = src + start;
    if (c == 3) {
      // A pixel is one 4-byte load and store: the store's spare byte lands on the next pixel,
      // written after it. The image's very last byte has no byte after it, on either side, so the
      // last pixel of the last row (and any read of the source's last pixel) takes 3 bytes.
      const int whole = y + 1 < oh ? ow : ow - 1;
      for (int x = 0; x < whole; ++x, s += step) {
        if (static_cast<std::size_t>(s - src) + 4 <= total) {
          std::uint32_t v;
          std::memcpy(&v, s, 4);
          std::memcpy(d + 3 * x, &v, 4);
        } else {
          std::memcpy(d + 3 * x, s, 3);
        }
      }
      if (whole < ow) std::memcpy(d + 3 * whole, s, 3);
      continue;
    }
    for (int x = 0; x < ow; ++x, s += step)
      for (int k = 0; k < c; ++k) d[static_cast<std::size_t>(x) * c + k] = s[k];
  }
  im.pixels.swap(out);
  im.width = ow;
  im.height = oh;
}

void apply_flip(Image& image, int flip) {
  if (flip & 1) flip_vertical(image);
  if (flip & 2) flip_horizontal(image);
}

namespace {

/// d[x] = s[n - 1 - x] for x < n: 16 bytes a step through one byte shuffle (SSSE3's pshufb in
/// the AVX2 clone; SSE2's word shuffles otherwise).
__attribute__((target_clones("avx2", "default"))) void reverse_bytes(const std::uint8_t* __restrict s,
                                                                     std::uint8_t* __restrict d, std::size_t n) {
  typedef std::uint8_t v16 __attribute__((vector_size(16)));
  constexpr v16 back = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  std::size_t x = 0;
  for (; x + 16 <= n; x += 16) {
    v16 v;
    std::memcpy(&v, s + n - x - 16, 16);
    v = __builtin_shuffle(v, back);
    std::memcpy(d + x, &v, 16);
  }
  for (; x < n; ++x) d[x] = s[n - 1 - x];
}

}  // namespace

void copy_flipped(const Image& src, Image& dst, int flip) {
  dst.width = src.width;
  dst.height = src.height;
  dst.channels = src.channels;
  if ((flip & 3) == 0) {
    dst.pixels.assign(src.pixels.begin(), src.pixels.end());
    return;
  }
  dst.pixels.resize(src.pixels.size());
  const int h = src.height, w = src.width, c = src.channels;
  const std::size_t stride = src.stride();
  for (int y = 0; y < h; ++y) {
    const std::uint8_t* s = src.row(flip & 1 ? h - 1 - y : y);
    std::uint8_t* d = dst.row(y);
    if (!(flip & 2)) {
      std::memcpy(d, s, stride);
    } else if (c == 1) {
      reverse_bytes(s, d, stride);
    } else {
      for (int x = 0; x < w; ++x)
        std::memcpy(d + static_cast<std::size_t>(x) * c, s + static_cast<std::size_t>(w - 1 - x) * c, c);
    }
  }
}

namespace {

__attribute__((target_clones("avx2", "default"))) void max_into(std::uint8_t* __restrict d,
                                                                const std::uint8_t* __restrict s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = std::max(d[i], s[i]);
}

}  // namespace

void dilate_mask_into(const Image& im, std::uint32_t mask, Image& out) {
  if (&im == &out) throw Error(ErrorKind::Runtime, "dilate_mask_into: the output must be another image");
  if (out.width == im.width && out.height == im.height && out.channels == im.channels)
    std::fill(out.pixels.begin(), out.pixels.end(), std::uint8_t{0});
  else
    out = Image(im.width, im.height, im.channels, 0);
  const int c = im.channels;
  for (int r = 0; r < 3; ++r) {
    for (int col = 0; col < 3; ++col) {
      if (!((mask >> (3 * r + col)) & 1u)) continue;
      // The mask cell (r, col) carries source pixel (x, y) to (x + col - 1, y + r - 1).
      const int dx = col - 1, dy = r - 1;
      const int x0 = std::max(0, dx), x1 = std::min(im.width, im.width + dx);
      if (x1 <= x0) continue;
      for (int y = std::max(0, dy); y < std::min(im.height, im.height + dy); ++y)
        max_into(out.row(y) + x0 * c, im.row(y - dy) + (x0 - dx) * c, static_cast<std::size_t>(x1 - x0) * c);
    }
  }
}

std::uint32_t orient_mask(std::uint32_t mask, Orientation o) {
  std::uint32_t out = 0;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      if (!((mask >> (3 * r + c)) & 1u)) continue;
      // The cell's offset (dx, dy) as the oriented image sees it: the transpose swaps the axes,
      // then each flip negates one.
      int dx = c - 1, dy = r - 1;
      if (o.transpose) std::swap(dx, dy);
      if (o.flip_h) dx = -dx;
      if (o.flip_v) dy = -dy;
      out |= 1u << (3 * (dy + 1) + (dx + 1));
    }
  return out;
}

Image dilate_mask(const Image& im, std::uint32_t mask) {
  Image out;
  dilate_mask_into(im, mask, out);
  return out;
}

void dilate_counts(std::vector<std::uint32_t>& counts, int width, int height, std::uint32_t mask) {
  std::vector<std::uint32_t> out(counts.size(), 0);
  for (int r = 0; r < 3; ++r) {
    for (int col = 0; col < 3; ++col) {
      if (!((mask >> (3 * r + col)) & 1u)) continue;
      const int dx = col - 1, dy = r - 1;
      for (int y = std::max(0, dy); y < std::min(height, height + dy); ++y) {
        const std::uint32_t* s = counts.data() + static_cast<std::size_t>(y - dy) * width;
        std::uint32_t* d = out.data() + static_cast<std::size_t>(y) * width;
        const int x0 = std::max(0, dx), x1 = std::min(width, width + dx);
        for (int x = x0; x < x1; ++x) d[x] = std::max(d[x], s[x - dx]);
      }
    }
  }
  counts.swap(out);
}

namespace {

// The two passes of gaussian_blur3, one row at a time (built for AVX2 where the CPU has it:
// 32-bit multiplies, which plain x86-64 has to emulate; the integers are the same either way).
__attribute__((target_clones("avx2", "default"))) void blur_row_h(const std::uint8_t* __restrict r,
                                                                  std::uint16_t* __restrict t, int w, int c,
                                                                  std::uint32_t k0, std::uint32_t k1) {
  const std::size_t row = static_cast<std::size_t>(w) * c;
  for (int k = 0; k < c; ++k) {
    t[k] = static_cast<std::uint16_t>(k1 * r[k] + k0 * r[k] + k1 * r[std::min(w - 1, 1) * c + k]);
    const std::size_t last = static_cast<std::size_t>(w - 1) * c + k;
    t[last] = static_cast<std::uint16_t>(k1 * r[static_cast<std::size_t>(std::max(0, w - 2)) * c + k] + k0 * r[last] +
                                         k1 * r[last]);
  }
  for (std::size_t i = c; i + c < row; ++i)
    t[i] = static_cast<std::uint16_t>(k1 * r[i - c] + k0 * r[i] + k1 * r[i + c]);
}

__attribute__((target_clones("avx2", "default"))) void blur_row_v(const std::uint16_t* __restrict up,
                                                                  const std::uint16_t* __restrict mid,
                                                                  const std::uint16_t* __restrict down,
                                                                  std::uint8_t* __restrict out, std::size_t row,
                                                                  std::uint32_t k0, std::uint32_t k1) {
  for (std::size_t i = 0; i < row; ++i)
    out[i] = static_cast<std::uint8_t>((k1 * up[i] + k0 * mid[i] + k1 * down[i] + 32768u) >> 16);
}

}  // namespace

void gaussian_blur3(Image& im, double sigma) {
  if (im.empty()) return;
  gaussian_blur3(im.pixels.data(), im.width, im.height, im.channels, sigma);
}

void gaussian_blur3(std::uint8_t* pixels, int w, int h, int c, double sigma) {
  if (sigma <= 0 || w <= 0 || h <= 0) return;
  const double e = std::exp(-1.0 / (2.0 * sigma * sigma));
  // Fixed-point weights (sum 256 per pass) keep the result exact and the same on every machine.
  const std::uint32_t k1 = static_cast<std::uint32_t>(std::lround(e / (1.0 + 2.0 * e) * 256.0));
  const std::uint32_t k0 = 256 - 2 * k1;
  const std::size_t row = static_cast<std::size_t>(w) * c;
  auto line = [&](int y) { return pixels + static_cast<std::size_t>(y) * row; };
  // Horizontal pass into 16-bit rows (edges replicated), vertical pass back to bytes, a row at a
  // time: three horizontal rows in a ring (a few KB, in L1) instead of a whole 16-bit copy of
  // the image. Row y is blurred in place once rows y - 1..y + 1 are in the ring; the ring slot
  // of row y + 1 is filled before image row y is overwritten, and row y - 1 was read earlier.
  thread_local std::vector<std::uint16_t> ring;
  ring.resize(row * 3);
  auto slot = [&](int y) { return ring.data() + static_cast<std::size_t>(y % 3) * row; };
  blur_row_h(line(0), slot(0), w, c, k0, k1);
  for (int y = 0; y < h; ++y) {
    if (y + 1 < h) blur_row_h(line(y + 1), slot(y + 1), w, c, k0, k1);
    const std::uint16_t* up = slot(std::max(0, y - 1));
    const std::uint16_t* down = slot(std::min(h - 1, y + 1));
    blur_row_v(up, slot(y), down, line(y), row, k0, k1);
  }
}

void paste_nonzero(const Image& src, Image& dst, int x0, int y0) {
  if (src.channels != dst.channels) throw Error(ErrorKind::Runtime, "paste_nonzero: channel counts differ");
  const int c = src.channels;
  const int xs = std::max(0, -x0), xe = std::min(src.width, dst.width - x0);
  if (xs >= xe) return;
  for (int y = std::max(0, -y0); y < std::min(src.height, dst.height - y0); ++y) {
    const std::uint8_t* s = src.row(y);
    std::uint8_t* d = dst.row(y0 + y) + static_cast<std::size_t>(x0) * c;
    if (c == 1) {
      for (int x = xs; x < xe; ++x) d[x] = s[x] ? s[x] : d[x];
      continue;
    }
    for (int x = xs; x < xe; ++x) {
      const std::uint8_t* p = s + 3 * x;
      if (p[0] | p[1] | p[2]) {
        d[3 * x] = p[0];
        d[3 * x + 1] = p[1];
        d[3 * x + 2] = p[2];
      }
    }
  }
}

Image resize_bilinear(const Image& im, int width, int height) {
  Image out(width, height, im.channels);
  const int c = im.channels;
  const double sx = static_cast<double>(im.width) / width, sy = static_cast<double>(im.height) / height;
  for (int y = 0; y < height; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, im.height - 1.0);
    const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, im.height - 1);
    const double ty = fy - y0;
    for (int x = 0; x < width; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, im.width - 1.0);
      const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, im.width - 1);
      const double tx = fx - x0;
      for (int k = 0; k < c; ++k) {
        const double v = (1 - ty) * ((1 - tx) * im.at(x0, y0, k) + tx * im.at(x1, y0, k)) +
                         ty * ((1 - tx) * im.at(x0, y1, k) + tx * im.at(x1, y1, k));
        out.at(x, y, k) = static_cast<std::uint8_t>(std::clamp(v + 0.5, 0.0, 255.0));
      }
    }
  }
  return out;
}

}  // namespace fdsl

namespace fdsl {

namespace {

using Bytes16 = std::uint8_t __attribute__((vector_size(16)));

// Channel c of 16 RGB pixels (48 bytes in v0, v1, v2) is byte 3i + c for i = 0..15: the bytes in
// v0, v1 first (kLo), then the rest from v2 (kHi), by two two-source shuffles (pshufb and por
// on SSSE3 and later).
constexpr Bytes16 kLo[3] = {{0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0},
                            {1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0},
                            {2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0}};
constexpr Bytes16 kHi[3] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 20, 23, 26, 29},
                            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 21, 24, 27, 30},
                            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 22, 25, 28, 31}};

__attribute__((target_clones("avx2", "default"))) void rgb_to_planar(const std::uint8_t* __restrict src,
                                                                     std::int64_t pixels,
                                                                     std::uint8_t* __restrict dst) {
  std::uint8_t* r = dst;
  std::uint8_t* g = dst + pixels;
  std::uint8_t* b = dst + 2 * pixels;
  std::int64_t i = 0;
  for (; i + 16 <= pixels; i += 16) {
    Bytes16 v0, v1, v2;
    std::memcpy(&v0, src + 3 * i, 16);
    std::memcpy(&v1, src + 3 * i + 16, 16);
    std::memcpy(&v2, src + 3 * i + 32, 16);
    const Bytes16 cr = detail::permute(detail::permute(v0, v1, kLo[0]), v2, kHi[0]);
    const Bytes16 cg = detail::permute(detail::permute(v0, v1, kLo[1]), v2, kHi[1]);
    const Bytes16 cb = detail::permute(detail::permute(v0, v1, kLo[2]), v2, kHi[2]);
    std::memcpy(r + i, &cr, 16);
    std::memcpy(g + i, &cg, 16);
    std::memcpy(b + i, &cb, 16);
  }
  for (; i < pixels; ++i) {
    r[i] = src[3 * i];
    g[i] = src[3 * i + 1];
    b[i] = src[3 * i + 2];
  }
}

}  // namespace

void interleaved_to_planar(const std::uint8_t* src, std::int64_t pixels, int channels, std::uint8_t* dst) {
  if (channels == 1) {
    std::memcpy(dst, src, static_cast<std::size_t>(pixels));
    return;
  }
  if (channels == 3) {
    rgb_to_planar(src, pixels, dst);
    return;
  }
  for (int c = 0; c < channels; ++c)
    for (std::int64_t i = 0; i < pixels; ++i) dst[c * pixels + i] = src[i * channels + c];
}

}  // namespace fdsl
