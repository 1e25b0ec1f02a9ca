#include "fdsl/render/raster.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/render/color.h"

namespace fdsl {

PixelTransform fractaldb_transform(const Orbit2& o, int width, int height, int pad) {
  PixelTransform t;
  t.width = width;
  t.height = height;
  t.flip_y = true;
  const float spanx = o.max_x - o.min_x, spany = o.max_y - o.min_y;
  t.x0 = o.min_x;
  t.y0 = o.min_y;
  t.sx = spanx > 0 ? static_cast<float>(width - 2 * pad) / spanx : 0.0f;
  t.sy = spany > 0 ? static_cast<float>(height - 2 * pad) / spany : 0.0f;
  t.ox = static_cast<float>(pad);
  t.oy = static_cast<float>(pad);
  return t;
}

PixelTransform window_transform(const Orbit2& o, int width, int height, double shift_x, double shift_y, double scale) {
  PixelTransform t;
  t.width = width;
  t.height = height;
  t.flip_y = true;
  const double ex = (static_cast<double>(o.max_x) - o.min_x) * scale;
  const double ey = (static_cast<double>(o.max_y) - o.min_y) * scale;
  const double cx = 0.5 * (static_cast<double>(o.max_x) + o.min_x) + shift_x * (o.max_x - o.min_x);
  const double cy = 0.5 * (static_cast<double>(o.max_y) + o.min_y) + shift_y * (o.max_y - o.min_y);
  t.x0 = static_cast<float>(cx - 0.5 * ex);
  t.y0 = static_cast<float>(cy - 0.5 * ey);
  t.sx = ex > 0 ? static_cast<float>((width - 1) / ex) : 0.0f;
  t.sy = ey > 0 ? static_cast<float>((height - 1) / ey) : 0.0f;
  // Half a pixel so the box's far edge (x = x0 + ex) lands in the last column, not past it.
  t.ox = 0.5f;
  t.oy = 0.5f;
  if (ex <= 0) t.ox = 0.5f * (width - 1);
  if (ey <= 0) t.oy = 0.5f * (height - 1);
  return t;
}

namespace {

/// Maps n points to pixel coordinates (-1: outside or not finite). Branch-free so it vectorizes
/// (8 lanes where AVX2 is there; the same IEEE arithmetic either way); the comparisons are
/// written so that NaN fails them.
__attribute__((target_clones("avx512f", "avx2", "default"))) void map_points(const float* __restrict xs,
                                                                             const float* __restrict ys, std::size_t n,
                                                                             const PixelTransform& t,
                                                                             std::int32_t* __restrict qx,
                                                                             std::int32_t* __restrict qy) {
  const float w = static_cast<float>(t.width), h = static_cast<float>(t.height);
  const std::int32_t flip = t.flip_y ? t.height - 1 : 0;
  const std::int32_t sign = t.flip_y ? -1 : 1;
  const float x0 = t.x0, sx = t.sx, ox = t.ox, y0 = t.y0, sy = t.sy, oy = t.oy;
  for (std::size_t i = 0; i < n; ++i) {
    const float fx = (xs[i] - x0) * sx + ox;
    const float fy = (ys[i] - y0) * sy + oy;
    const bool in = (fx >= 0.0f) & (fx < w) & (fy >= 0.0f) & (fy < h);
    const std::int32_t ix = static_cast<std::int32_t>(in ? fx : 0.0f);
    const std::int32_t iy = static_cast<std::int32_t>(in ? fy : 0.0f);
    qx[i] = in ? ix : -1;
    qy[i] = in ? flip + sign * iy : -1;
  }
}

/// Where a canvas pixel lands in the output buffer: byte offset base + x * ax + row * ay for the
/// pixel at column x and unflipped row `row` (the transform's flip_y and the output's
/// orientation and stride folded in).
struct OffsetMap {
  std::int32_t base = 0, ax = 0, ay = 0;
};

/// `channels` units per pixel and `row_units` per output row (bytes of an image, or bits of a
/// padded Bitmap row).
OffsetMap offset_map(const PixelTransform& t, Orientation o, int channels, std::int32_t row_units) {
  const std::int32_t c = channels, w = t.width, h = t.height;
  const std::int32_t ow = o.transpose ? h : w, oh = o.transpose ? w : h, out_stride = row_units;
  // Canvas (x, y) -> output (X, Y) = (x, y), or (y, x) after a transpose, then the flips.
  std::int32_t base = 0, ax = 0, ay = 0;
  if (!o.transpose) {
    ax = o.flip_h ? -c : c;
    base += o.flip_h ? (ow - 1) * c : 0;
    ay = o.flip_v ? -out_stride : out_stride;
    base += o.flip_v ? (oh - 1) * out_stride : 0;
  } else {
    ay = o.flip_h ? -c : c;  // the canvas row becomes the output column
    base += o.flip_h ? (ow - 1) * c : 0;
    ax = o.flip_v ? -out_stride : out_stride;  // the canvas column becomes the output row
    base += o.flip_v ? (oh - 1) * out_stride : 0;
  }
  // y = flip + sign * row (the transform's vertical flip).
  const std::int32_t flip = t.flip_y ? h - 1 : 0, sign = t.flip_y ? -1 : 1;
  return {base + flip * ay, ax, sign * ay};
}

/// Maps n points to byte offsets in the output (see OffsetMap), with the pixels of map_points:
/// every point outside the canvas (or not finite) goes to offset 0 instead, so a splat needs no
/// branch. Returns whether a point inside the canvas itself lands on offset 0, which tells the
/// caller what pixel 0 must hold afterwards.
__attribute__((target_clones("avx512f", "avx2", "default"))) bool map_offsets(const float* __restrict xs,
                                                                              const float* __restrict ys, std::size_t n,
                                                                              const PixelTransform& t, OffsetMap m,
                                                                              std::int32_t* __restrict off) {
  const float w = static_cast<float>(t.width), h = static_cast<float>(t.height);
  const float x0 = t.x0, sx = t.sx, ox = t.ox, y0 = t.y0, sy = t.sy, oy = t.oy;
  const std::int32_t base = m.base, ax = m.ax, ay = m.ay;
  std::int32_t zero_hit = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float fx = (xs[i] - x0) * sx + ox;
    const float fy = (ys[i] - y0) * sy + oy;
    const bool in = (fx >= 0.0f) & (fx < w) & (fy >= 0.0f) & (fy < h);
    const std::int32_t ix = static_cast<std::int32_t>(in ? fx : 0.0f);
    const std::int32_t iy = static_cast<std::int32_t>(in ? fy : 0.0f);
    const std::int32_t o = base + ix * ax + iy * ay;
    off[i] = in ? o : 0;
    zero_hit |= (in & (o == 0)) ? 1 : 0;
  }
  return zero_hit != 0;
}

/// Calls f(off, n) for consecutive blocks of the orbit's offsets (map_offsets, points outside
/// the canvas at offset 0), in blocks small enough for L1; returns whether a point inside the
/// canvas landed on offset 0.
template <class F>
bool for_each_offset_block(const Orbit2& orbit, const PixelTransform& t, OffsetMap m, F&& f) {
  constexpr std::size_t kBlock = 2048;
  alignas(64) std::int32_t off[kBlock];
  bool zero_hit = false;
  const std::size_t n = orbit.size();
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t k = std::min(kBlock, n - start);
    zero_hit |= map_offsets(orbit.x.data() + start, orbit.y.data() + start, k, t, m, off);
    f(static_cast<const std::int32_t*>(off), k);
  }
  return zero_hit;
}

/// Throws unless a width x height `what` is the canvas of `t` in orientation `o`.
void check_oriented_canvas(const char* what, int width, int height, const PixelTransform& t, Orientation o) {
  const int ow = o.transpose ? t.height : t.width, oh = o.transpose ? t.width : t.height;
  if (width != ow || height != oh)
    throw_runtime(std::string(what) + " is " + std::to_string(width) + "x" + std::to_string(height) +
                  ", not the oriented canvas " + std::to_string(ow) + "x" + std::to_string(oh));
}

/// Calls f(qx, qy, n, first) for consecutive blocks of the orbit's pixels. Blocks small enough
/// for L1 keep the pixel coordinates out of memory: at 100k points whole arrays would be 800 KB
/// written and read back, which measured slower than the arithmetic around them.
template <class F>
void for_each_block(const Orbit2& o, const PixelTransform& t, F&& f) {
  constexpr std::size_t kBlock = 2048;
  alignas(64) std::int32_t bx[kBlock];
  alignas(64) std::int32_t by[kBlock];
  const std::size_t n = o.size();
  for (std::size_t first = 0; first < n; first += kBlock) {
    const std::size_t m = std::min(kBlock, n - first);
    map_points(o.x.data() + first, o.y.data() + first, m, t, bx, by);
    f(bx, by, m, first);
  }
}

/// 9-bit masks, uniform over 1..511, seven from each 64-bit draw (a 0 is skipped).
struct MaskStream {
  Rng rng;
  std::uint64_t bits = 0;
  int left = 0;
  std::uint32_t next() {
    for (;;) {
      if (left == 0) {
        bits = rng.next_u64();
        left = 7;
      }
      const std::uint32_t m = static_cast<std::uint32_t>(bits & 511u);
      bits >>= 9;
      --left;
      if (m) return m;
    }
  }
};

/// Pastes a mask pixel by pixel, clipped to the canvas: put(x, y, bit) for each of its 9 cells.
template <class Put>
inline void paste_clipped(std::uint32_t m, int x, int y, int width, int height, Put&& put) {
  for (int r = 0; r < 3; ++r) {
    const int yy = y + r;
    if (yy < 0 || yy >= height) continue;
    for (int c = 0; c < 3; ++c) {
      const int xx = x + c;
      if (xx < 0 || xx >= width) continue;
      put(xx, yy, (m >> (3 * r + c)) & 1u);
    }
  }
}

// ---- kernels: each handles one block of pixel coordinates ----------------------------------

/// Gray fresh patches: a mask row (3 bits) becomes three bytes of 0 or value, written as one
/// 4-byte read-modify-write that keeps the fourth byte (three stores per point, not nine).
/// The mask is drawn for every point, in or out of the canvas, so the stream stays aligned with
/// the point index.
void fresh_patches_gray_kernel(const std::int32_t* __restrict qx, const std::int32_t* __restrict qy, std::size_t n,
                               Image& image, std::uint8_t value, MaskStream& masks, PatchAnchor anchor) {
  const int w = image.width, h = image.height;
  const std::size_t stride = static_cast<std::size_t>(w);
  std::uint8_t* __restrict data = image.pixels.data();
  std::uint32_t lut[8];
  for (std::uint32_t b = 0; b < 8; ++b) {
    const std::uint8_t bytes[4] = {static_cast<std::uint8_t>((b & 1u) ? value : 0),
                                   static_cast<std::uint8_t>((b & 2u) ? value : 0),
                                   static_cast<std::uint8_t>((b & 4u) ? value : 0), 0};
    std::memcpy(&lut[b], bytes, 4);
  }
  std::uint32_t keep;
  const std::uint8_t keep_bytes[4] = {0, 0, 0, 0xff};
  std::memcpy(&keep, keep_bytes, 4);
  MaskStream s = masks;  // a local copy stays in registers
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t m = s.next();
    if (qx[i] < 0) continue;
    const int x = qx[i] + anchor.dx, y = qy[i] + anchor.dy;
    if (static_cast<unsigned>(x) <= static_cast<unsigned>(w - 4) &&
        static_cast<unsigned>(y) <= static_cast<unsigned>(h - 3)) {
      std::uint8_t* p = data + static_cast<std::size_t>(y) * stride + x;
      for (int r = 0; r < 3; ++r, p += stride, m >>= 3) {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        v = (v & keep) | lut[m & 7u];
        std::memcpy(p, &v, 4);
      }
      continue;
    }
    paste_clipped(m, x, y, w, h, [&](int xx, int yy, std::uint32_t bit) {
      data[static_cast<std::size_t>(yy) * stride + xx] = bit ? value : 0;
    });
  }
  masks = s;
}

void fresh_patches_rgb_kernel(const std::int32_t* qx, const std::int32_t* qy, std::size_t n, Image& image,
                              std::uint8_t value, MaskStream& masks, PatchAnchor anchor) {
  const std::size_t stride = image.stride();
  std::uint8_t* data = image.pixels.data();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t m = masks.next();
    if (qx[i] < 0) continue;
    paste_clipped(m, qx[i] + anchor.dx, qy[i] + anchor.dy, image.width, image.height,
                  [&](int x, int y, std::uint32_t bit) {
                    std::uint8_t* p = data + y * stride + x * 3;
                    p[0] = p[1] = p[2] = bit ? value : 0;
                  });
  }
}

void fresh_patches_kernel(const std::int32_t* qx, const std::int32_t* qy, std::size_t n, Image& image,
                          std::uint8_t value, MaskStream& masks, PatchAnchor anchor) {
  if (image.channels == 1)
    fresh_patches_gray_kernel(qx, qy, n, image, value, masks, anchor);
  else
    fresh_patches_rgb_kernel(qx, qy, n, image, value, masks, anchor);
}

void count_kernel(const std::int32_t* qx, const std::int32_t* qy, std::size_t n, int width, std::uint32_t* counts) {
  for (std::size_t i = 0; i < n; ++i)
    if (qx[i] >= 0) ++counts[static_cast<std::size_t>(qy[i]) * width + qx[i]];
}

struct ColorCycle {
  std::uint8_t lut[128][3];
  ColorCycle() {
    for (int k = 0; k < 128; ++k) hsi_to_rgb(2.0 * 3.14159265358979323846 * k / 128.0, 0.75, 0.75, lut[k]);
  }
};

void color_cycle_kernel(const std::int32_t* qx, const std::int32_t* qy, std::size_t n, std::size_t first, Image& rgb,
                        const ColorCycle& cc, bool patches, MaskStream& masks, PatchAnchor anchor) {
  const std::size_t stride = rgb.stride();
  std::uint8_t* data = rgb.pixels.data();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* col = cc.lut[(first + i) & 127];
    const std::uint32_t m = patches ? masks.next() : 0;
    if (qx[i] < 0) continue;
    if (!patches) {
      std::memcpy(data + qy[i] * stride + qx[i] * 3, col, 3);
      continue;
    }
    paste_clipped(m, qx[i] + anchor.dx, qy[i] + anchor.dy, rgb.width, rgb.height, [&](int x, int y, std::uint32_t bit) {
      std::uint8_t* p = data + y * stride + x * 3;
      if (bit)
        std::memcpy(p, col, 3);
      else
        p[0] = p[1] = p[2] = 0;
    });
  }
}

std::size_t fill_kernel(const std::int32_t* qx, const std::int32_t* qy, std::size_t n, int width, std::uint8_t* seen) {
  std::size_t hit = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (qx[i] < 0) continue;
    std::uint8_t& s = seen[static_cast<std::size_t>(qy[i]) * width + qx[i]];
    hit += s == 0;
    s = 1;
  }
  return hit;
}

}  // namespace

std::uint32_t random_patch_mask(Rng& rng) {
  for (;;) {
    std::uint64_t r = rng.next_u64();
    for (int k = 0; k < 7; ++k, r >>= 9) {
      const std::uint32_t m = static_cast<std::uint32_t>(r & 511u);
      if (m) return m;
    }
  }
}

void to_pixels(const Orbit2& o, const PixelTransform& t, std::vector<std::int32_t>& px, std::vector<std::int32_t>& py) {
  px.resize(o.size());
  py.resize(o.size());
  map_points(o.x.data(), o.y.data(), o.size(), t, px.data(), py.data());
}

// ---- orbit entry points (blocked) -----------------------------------------------------------

void splat_points(const Orbit2& orbit, const PixelTransform& t, Image& image, std::uint8_t value) {
  splat_points(orbit, t, image, value, Orientation{});
}

void splat_points(const Orbit2& orbit, const PixelTransform& t, Image& image, std::uint8_t value, Orientation o) {
  if (image.empty()) return;
  check_oriented_canvas("splat_points: the image", image.width, image.height, t, o);
  // Points outside the canvas all write pixel 0 (no branch per point, which would be mispredicted
  // for zoomed-in windows); pixel 0 then gets back its old value unless a point inside hit it.
  const int c = image.channels;
  std::uint8_t* __restrict data = image.pixels.data();
  std::uint8_t first[3] = {data[0], data[c > 1 ? 1 : 0], data[c > 2 ? 2 : 0]};
  const bool zero_hit = for_each_offset_block(orbit, t, offset_map(t, o, c, static_cast<std::int32_t>(image.stride())),
                                              [&](const std::int32_t* off, std::size_t k) {
                                                if (c == 1)
                                                  for (std::size_t i = 0; i < k; ++i) data[off[i]] = value;
                                                else
                                                  for (std::size_t i = 0; i < k; ++i)
                                                    data[off[i]] = data[off[i] + 1] = data[off[i] + 2] = value;
                                              });
  if (!zero_hit) std::memcpy(data, first, static_cast<std::size_t>(c));
}

void Bitmap::reset(int w, int h) {
  width = w;
  height = h;
  words_per_row = (w + 63) / 64;
  words.assign(static_cast<std::size_t>(words_per_row) * h, 0);
}

void splat_bits(const Orbit2& orbit, const PixelTransform& t, Bitmap& bits, Orientation o) {
  check_oriented_canvas("splat_bits: the bitmap", bits.width, bits.height, t, o);
  if (bits.words.empty()) return;
  // Setting a bit reads and writes its word, and a point that lands on a word an earlier one is
  // still updating waits for it. Points go to four copies of the bitmap in turn (point i to copy
  // i % 4), so such waits are four times rarer, and the copies are OR-ed at the end. As in
  // splat_points, off-canvas points set bit 0, which is put back afterwards unless a point inside
  // the canvas set it.
  constexpr int kCopies = 4;
  const std::size_t used = bits.words.size();
  thread_local std::vector<std::uint64_t> copies;
  copies.assign(used * kCopies, 0);
  std::uint64_t* __restrict c = copies.data();
  const bool zero_hit = for_each_offset_block(
      orbit, t, offset_map(t, o, 1, bits.words_per_row * 64), [&](const std::int32_t* off, std::size_t k) {
        for (std::size_t i = 0; i < k; i += kCopies)
          for (int j = 0; j < kCopies && i + j < k; ++j)
            c[j * used + (static_cast<std::size_t>(off[i + j]) >> 6)] |= std::uint64_t{1} << (off[i + j] & 63);
      });
  std::uint64_t* __restrict w = bits.words.data();
  const std::uint64_t first = w[0] & 1u;
  for (int j = 0; j < kCopies; ++j)
    for (std::size_t i = 0; i < used; ++i) w[i] |= c[j * used + i];
  if (!zero_hit) w[0] = (w[0] & ~std::uint64_t{1}) | first;
}

void dilate_bits(const Bitmap& in, std::uint32_t mask, Bitmap& out) {
  if (&in == &out) throw_runtime("dilate_bits: the output must be another bitmap");
  out.reset(in.width, in.height);
  const int n = in.words_per_row;
  if (n == 0) return;
  // Valid bits of a row's last word (padding stays clear).
  const int tail = in.width % 64;
  const std::uint64_t last_mask = tail ? (std::uint64_t{1} << tail) - 1 : ~std::uint64_t{0};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      if (!((mask >> (3 * r + c)) & 1u)) continue;
      // The mask cell carries pixel (x, y) to (x + dx, y + dy): a shift of the row's bits.
      const int dx = c - 1, dy = r - 1;
      for (int y = std::max(0, dy); y < std::min(in.height, in.height + dy); ++y) {
        const std::uint64_t* src = in.words.data() + static_cast<std::size_t>(y - dy) * n;
        std::uint64_t* dst = out.words.data() + static_cast<std::size_t>(y) * n;
        for (int i = 0; i < n; ++i) {
          std::uint64_t v = src[i];
          if (dx > 0) v = v << 1 | (i > 0 ? src[i - 1] >> 63 : 0);
          if (dx < 0) v = v >> 1 | (i + 1 < n ? src[i + 1] << 63 : 0);
          dst[i] |= v;
        }
        dst[n - 1] &= last_mask;
      }
    }
}

void splat_fresh_patches(const Orbit2& orbit, const PixelTransform& t, Image& image, std::uint8_t value, Rng rng,
                         PatchAnchor anchor) {
  MaskStream masks{rng};
  for_each_block(orbit, t, [&](const std::int32_t* qx, const std::int32_t* qy, std::size_t n, std::size_t) {
    fresh_patches_kernel(qx, qy, n, image, value, masks, anchor);
  });
}

void count_hits(const Orbit2& orbit, const PixelTransform& t, std::vector<std::uint32_t>& counts) {
  counts.assign(static_cast<std::size_t>(t.width) * t.height, 0);
  for_each_block(orbit, t, [&](const std::int32_t* qx, const std::int32_t* qy, std::size_t n, std::size_t) {
    count_kernel(qx, qy, n, t.width, counts.data());
  });
}

void splat_color_cycle(const Orbit2& orbit, const PixelTransform& t, Image& rgb, bool patches, Rng rng,
                       PatchAnchor anchor) {
  static const ColorCycle cc;
  MaskStream masks{rng};
  for_each_block(orbit, t, [&](const std::int32_t* qx, const std::int32_t* qy, std::size_t n, std::size_t first) {
    color_cycle_kernel(qx, qy, n, first, rgb, cc, patches, masks, anchor);
  });
}

double filling_rate(const Orbit2& orbit, const PixelTransform& t, std::vector<std::uint8_t>& scratch) {
  scratch.assign(static_cast<std::size_t>(t.width) * t.height, 0);
  std::size_t hit = 0;
  for_each_block(orbit, t, [&](const std::int32_t* qx, const std::int32_t* qy, std::size_t n, std::size_t) {
    hit += fill_kernel(qx, qy, n, t.width, scratch.data());
  });
  return static_cast<double>(hit) / (static_cast<double>(t.width) * t.height);
}

}  // namespace fdsl
