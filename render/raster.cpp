#include "fdsl/render/raster.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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

PixelTransform window_transform(const Orbit2& o, int width, int height, double shift_x, double shift_y,
                                double scale) {
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

void to_pixels(const Orbit2& o, const PixelTransform& t, std::vector<std::int32_t>& px,
               std::vector<std::int32_t>& py) {
  const std::size_t n = o.size();
  px.resize(n);
  py.resize(n);
  const float* __restrict xs = o.x.data();
  const float* __restrict ys = o.y.data();
  std::int32_t* __restrict qx = px.data();
  std::int32_t* __restrict qy = py.data();
  const float w = static_cast<float>(t.width), h = static_cast<float>(t.height);
  const std::int32_t flip = t.flip_y ? t.height - 1 : 0;
  const std::int32_t sign = t.flip_y ? -1 : 1;
  const float x0 = t.x0, sx = t.sx, ox = t.ox, y0 = t.y0, sy = t.sy, oy = t.oy;
  // Branch-free so it vectorizes; comparisons are written so that NaN fails them.
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

std::uint32_t random_patch_mask(Rng& rng) {
  for (;;) {
    std::uint64_t r = rng.next_u64();
    for (int k = 0; k < 7; ++k, r >>= 9) {
      const std::uint32_t m = static_cast<std::uint32_t>(r & 511u);
      if (m) return m;
    }
  }
}

namespace {

/// Draws 9-bit masks, uniform over 1..511, seven from each 64-bit draw (0 is skipped).
class MaskStream {
 public:
  explicit MaskStream(Rng rng) : rng_(rng) {}
  std::uint32_t next() {
    for (;;) {
      if (left_ == 0) {
        bits_ = rng_.next_u64();
        left_ = 7;
      }
      const std::uint32_t m = static_cast<std::uint32_t>(bits_ & 511u);
      bits_ >>= 9;
      --left_;
      if (m) return m;
    }
  }

 private:
  Rng rng_;
  std::uint64_t bits_ = 0;
  int left_ = 0;
};

/// Writes one mask row (3 bits) of a gray patch: 1 -> value, 0 -> 0.
inline void put_row3(std::uint8_t* p, std::uint32_t bits, std::uint8_t value) {
  p[0] = (bits & 1u) ? value : 0;
  p[1] = (bits & 2u) ? value : 0;
  p[2] = (bits & 4u) ? value : 0;
}

template <class Put>
inline void paste_mask(std::uint32_t m, int x, int y, int width, int height, Put&& put) {
  if (x >= 0 && y >= 0 && x + 3 <= width && y + 3 <= height) {
    put(x, y, m & 7u, 3);
    put(x, y + 1, (m >> 3) & 7u, 3);
    put(x, y + 2, (m >> 6) & 7u, 3);
    return;
  }
  // Clipped: pixel by pixel.
  for (int r = 0; r < 3; ++r) {
    const int yy = y + r;
    if (yy < 0 || yy >= height) continue;
    for (int c = 0; c < 3; ++c) {
      const int xx = x + c;
      if (xx < 0 || xx >= width) continue;
      put(xx, yy, (m >> (3 * r + c)) & 1u, 1);
    }
  }
}

}  // namespace

namespace {

/// The point source of the splat loops: precomputed pixel arrays. (Mapping the orbit on the fly
/// inside the splat loop was measured: scalar conversion per point costs ~2.5 ns, more than
/// the vectorized to_pixels pass plus re-reading its arrays.)
struct PixelArrays {
  const std::int32_t* __restrict qx;
  const std::int32_t* __restrict qy;
  std::size_t n;
  std::size_t size() const { return n; }
  bool operator()(std::size_t i, int& x, int& y) const {
    x = qx[i];
    y = qy[i];
    return x >= 0;
  }
};

template <class Source>
void splat_points_impl(const Source src, Image& image, std::uint8_t value) {
  const std::size_t n = src.size();
  const std::size_t stride = image.stride();
  std::uint8_t* __restrict data = image.pixels.data();
  int x, y;
  if (image.channels == 1) {
    for (std::size_t i = 0; i < n; ++i)
      if (src(i, x, y)) data[y * stride + x] = value;
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!src(i, x, y)) continue;
    std::uint8_t* p = data + y * stride + x * 3;
    p[0] = p[1] = p[2] = value;
  }
}

template <class Source>
void splat_fresh_patches_impl(const Source src, Image& image, std::uint8_t value, Rng rng, PatchAnchor anchor) {
  MaskStream masks(rng);
  const std::size_t n = src.size();
  const int c = image.channels;
  const std::size_t stride = image.stride();
  std::uint8_t* __restrict data = image.pixels.data();
  const int w = image.width, h = image.height;
  int px, py;
  if (c == 1) {
    // A mask row (3 bits) becomes three bytes of 0 or value, written as one 4-byte
    // read-modify-write that keeps the fourth byte: three stores per point instead of nine.
    std::uint32_t lut[8];
    for (std::uint32_t b = 0; b < 8; ++b) {
      std::uint8_t bytes[4] = {static_cast<std::uint8_t>((b & 1u) ? value : 0),
                               static_cast<std::uint8_t>((b & 2u) ? value : 0),
                               static_cast<std::uint8_t>((b & 4u) ? value : 0), 0};
      std::memcpy(&lut[b], bytes, 4);
    }
    std::uint32_t keep;
    {
      const std::uint8_t k[4] = {0, 0, 0, 0xff};
      std::memcpy(&keep, k, 4);
    }
    auto put = [&](std::uint8_t* p, std::uint32_t bits) {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      v = (v & keep) | lut[bits];
      std::memcpy(p, &v, 4);
    };
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t m = masks.next();  // drawn for every point, so the stream stays aligned
      if (!src(i, px, py)) continue;
      const int x = px + anchor.dx, y = py + anchor.dy;
      if (static_cast<unsigned>(x) <= static_cast<unsigned>(w - 4) &&
          static_cast<unsigned>(y) <= static_cast<unsigned>(h - 3)) {
        std::uint8_t* p = data + y * stride + x;
        put(p, m & 7u);
        put(p + stride, (m >> 3) & 7u);
        put(p + 2 * stride, m >> 6);
        continue;
      }
      paste_mask(m, x, y, w, h, [&](int xx, int yy, std::uint32_t bits, int count) {
        std::uint8_t* p = data + yy * stride + xx;
        if (count == 3) put_row3(p, bits, value);
        else *p = bits ? value : 0;
      });
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t m = masks.next();
    if (!src(i, px, py)) continue;
    paste_mask(m, px + anchor.dx, py + anchor.dy, w, h, [&](int x, int y, std::uint32_t bits, int count) {
      for (int k = 0; k < count; ++k) {
        std::uint8_t* p = data + y * stride + (x + k) * c;
        const std::uint8_t v = ((bits >> k) & 1u) ? value : 0;
        for (int ch = 0; ch < c; ++ch) p[ch] = v;
      }
    });
  }
}

}  // namespace

void splat_points(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& image,
                  std::uint8_t value) {
  splat_points_impl(PixelArrays{px.data(), py.data(), px.size()}, image, value);
}

void splat_fresh_patches(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& image,
                         std::uint8_t value, Rng rng, PatchAnchor anchor) {
  splat_fresh_patches_impl(PixelArrays{px.data(), py.data(), px.size()}, image, value, rng, anchor);
}

void count_hits(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, int width, int height,
                std::vector<std::uint32_t>& counts) {
  counts.assign(static_cast<std::size_t>(width) * height, 0);
  const std::size_t n = px.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (px[i] < 0) continue;
    ++counts[static_cast<std::size_t>(py[i]) * width + px[i]];
  }
}

void splat_color_cycle(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& rgb,
                       bool patches, Rng rng, PatchAnchor anchor) {
  std::uint8_t lut[128][3];
  for (int k = 0; k < 128; ++k) hsi_to_rgb(2.0 * 3.14159265358979323846 * k / 128.0, 0.75, 0.75, lut[k]);
  MaskStream masks(rng);
  const std::size_t n = px.size();
  const std::size_t stride = rgb.stride();
  std::uint8_t* data = rgb.pixels.data();
  const int w = rgb.width, h = rgb.height;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* col = lut[i & 127];
    const std::uint32_t m = patches ? masks.next() : 0;
    if (px[i] < 0) continue;
    if (!patches) {
      std::memcpy(data + py[i] * stride + px[i] * 3, col, 3);
      continue;
    }
    paste_mask(m, px[i] + anchor.dx, py[i] + anchor.dy, w, h, [&](int x, int y, std::uint32_t bits, int count) {
      for (int k = 0; k < count; ++k) {
        std::uint8_t* p = data + y * stride + (x + k) * 3;
        if ((bits >> k) & 1u) std::memcpy(p, col, 3);
        else p[0] = p[1] = p[2] = 0;
      }
    });
  }
}

double filling_rate(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, int width, int height,
                    std::vector<std::uint8_t>& scratch) {
  scratch.assign(static_cast<std::size_t>(width) * height, 0);
  std::size_t hit = 0;
  const std::size_t n = px.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (px[i] < 0) continue;
    std::uint8_t& s = scratch[static_cast<std::size_t>(py[i]) * width + px[i]];
    hit += s == 0;
    s = 1;
  }
  return static_cast<double>(hit) / (static_cast<double>(width) * height);
}

}  // namespace fdsl
