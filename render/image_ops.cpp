#include "fdsl/render/image_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x)
      for (int k = 0; k < c; ++k) out.at(y, x, k) = im.at(x, y, k);
  return out;
}

void apply_flip(Image& image, int flip) {
  if (flip & 1) flip_vertical(image);
  if (flip & 2) flip_horizontal(image);
}

Image dilate_mask(const Image& im, std::uint32_t mask) {
  Image out(im.width, im.height, im.channels, 0);
  const int c = im.channels;
  for (int r = 0; r < 3; ++r) {
    for (int col = 0; col < 3; ++col) {
      if (!((mask >> (3 * r + col)) & 1u)) continue;
      // The mask cell (r, col) carries source pixel (x, y) to (x + col - 1, y + r - 1).
      const int dx = col - 1, dy = r - 1;
      for (int y = std::max(0, dy); y < std::min(im.height, im.height + dy); ++y) {
        const std::uint8_t* src = im.row(y - dy);
        std::uint8_t* dst = out.row(y);
        const int x0 = std::max(0, dx), x1 = std::min(im.width, im.width + dx);
        const std::uint8_t* s = src + (x0 - dx) * c;
        std::uint8_t* d = dst + x0 * c;
        const int n = (x1 - x0) * c;
        for (int i = 0; i < n; ++i) d[i] = std::max(d[i], s[i]);
      }
    }
  }
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

void gaussian_blur3(Image& im, double sigma) {
  if (sigma <= 0) return;
  const double e = std::exp(-1.0 / (2.0 * sigma * sigma));
  const double w0 = 1.0 / (1.0 + 2.0 * e), w1 = e / (1.0 + 2.0 * e);
  // Fixed point weights (sum 256) keep the result exact and independent of the platform.
  const int k1 = static_cast<int>(std::lround(w1 * 256.0));
  const int k0 = 256 - 2 * k1;
  (void)w0;
  const int c = im.channels, w = im.width, h = im.height;
  std::vector<std::uint16_t> tmp(static_cast<std::size_t>(w) * h * c);
  for (int y = 0; y < h; ++y) {
    const std::uint8_t* r = im.row(y);
    for (int x = 0; x < w; ++x) {
      const int xl = std::max(0, x - 1), xr = std::min(w - 1, x + 1);
      for (int k = 0; k < c; ++k)
        tmp[(static_cast<std::size_t>(y) * w + x) * c + k] =
            static_cast<std::uint16_t>(k1 * r[xl * c + k] + k0 * r[x * c + k] + k1 * r[xr * c + k]);
    }
  }
  for (int y = 0; y < h; ++y) {
    const int yu = std::max(0, y - 1), yd = std::min(h - 1, y + 1);
    std::uint8_t* out = im.row(y);
    for (int i = 0; i < w * c; ++i) {
      const std::uint32_t v = k1 * tmp[static_cast<std::size_t>(yu) * w * c + i] +
                              k0 * tmp[static_cast<std::size_t>(y) * w * c + i] +
                              k1 * tmp[static_cast<std::size_t>(yd) * w * c + i];
      out[i] = static_cast<std::uint8_t>((v + 32768u) >> 16);
    }
  }
}

void paste_nonzero(const Image& src, Image& dst, int x0, int y0) {
  if (src.channels != dst.channels) throw Error(ErrorKind::Runtime, "paste_nonzero: channel counts differ");
  const int c = src.channels;
  for (int y = 0; y < src.height; ++y) {
    const int yy = y0 + y;
    if (yy < 0 || yy >= dst.height) continue;
    const std::uint8_t* s = src.row(y);
    std::uint8_t* d = dst.row(yy);
    for (int x = 0; x < src.width; ++x) {
      const int xx = x0 + x;
      if (xx < 0 || xx >= dst.width) continue;
      const std::uint8_t* p = s + x * c;
      bool any = false;
      for (int k = 0; k < c; ++k) any |= p[k] != 0;
      if (any) std::memcpy(d + xx * c, p, c);
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
