#include "fdsl/render/color.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fdsl {

namespace {
std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::clamp(v * 255.0 + 0.5, 0.0, 255.0)); }
}  // namespace

// Built for AVX2 where present, so floor is one instruction instead of a libm call (the
// color tables call this ~1,300 times per ifs_sigma image); floor is exact either way.
__attribute__((target_clones("avx2", "default"))) void hsv_to_rgb(double h, double s, double v, std::uint8_t rgb[3]) {
  h = h - std::floor(h);
  const double hh = h * 6.0;
  const int sector = static_cast<int>(hh) % 6;
  const double f = hh - std::floor(hh);
  const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  double r, g, b;
  switch (sector) {
    case 0:
      r = v, g = t, b = p;
      break;
    case 1:
      r = q, g = v, b = p;
      break;
    case 2:
      r = p, g = v, b = t;
      break;
    case 3:
      r = p, g = q, b = v;
      break;
    case 4:
      r = t, g = p, b = v;
      break;
    default:
      r = v, g = p, b = q;
      break;
  }
  rgb[0] = to_byte(r);
  rgb[1] = to_byte(g);
  rgb[2] = to_byte(b);
}

namespace {
typedef double f64x4 __attribute__((vector_size(32)));
typedef std::int32_t i32x4 __attribute__((vector_size(16)));
}  // namespace

__attribute__((target_clones("avx2", "default"))) void hsv_ramp(double h0, double dh, double s, double v0, double dv,
                                                                int n, std::uint32_t* out) {
  // hsv_to_rgb four levels at a time, in the same IEEE operations: floor(h) as truncation moved
  // down by one where it rounded up (exact while |h| < 2^31), hh >= 0 so that its floor is its
  // truncation, the sector (hh's floor, 6 meaning 0) picking each channel by selects.
  const double last = static_cast<double>(n - 1);
  int k = 0;
  if (std::fabs(h0) < 1e9 && std::fabs(h0 + dh) < 1e9) {
    const f64x4 zero = {0, 0, 0, 0}, one = {1, 1, 1, 1};
    auto trunc4 = [](f64x4 x) { return __builtin_convertvector(__builtin_convertvector(x, i32x4), f64x4); };
    auto byte4 = [&](f64x4 c) {
      c = c * 255.0 + 0.5;
      c = c < zero ? zero : c;
      c = c > 255.0 ? 255.0 + zero : c;
      return __builtin_convertvector(c, i32x4);
    };
    for (; k + 4 <= n; k += 4) {
      const f64x4 kk = {static_cast<double>(k), static_cast<double>(k + 1), static_cast<double>(k + 2),
                        static_cast<double>(k + 3)};
      const f64x4 t = kk / last;
      f64x4 h = h0 + dh * t;
      const f64x4 v = v0 + dv * t;
      const f64x4 th = trunc4(h);
      h = h - (th > h ? th - one : th);
      const f64x4 hh = h * 6.0;
      const f64x4 sector = trunc4(hh);
      const f64x4 f = hh - sector;
      const f64x4 p = v * (1 - s), q = v * (1 - s * f), u = v * (1 - s * (1 - f));
      const auto s0 = sector == 0.0 || sector == 6.0, s1 = sector == 1.0, s2 = sector == 2.0, s3 = sector == 3.0,
                 s4 = sector == 4.0, s5 = sector == 5.0;
      const f64x4 r = (s0 || s5) ? v : s1 ? q : (s2 || s3) ? p : u;
      const f64x4 g = (s1 || s2) ? v : s0 ? u : s3 ? q : p;
      const f64x4 b = (s3 || s4) ? v : s2 ? u : s5 ? q : p;
      const i32x4 rgb = byte4(r) | byte4(g) << 8 | byte4(b) << 16;
      std::memcpy(out + k, &rgb, sizeof rgb);
    }
  }
  for (; k < n; ++k) {
    const double t = static_cast<double>(k) / last;
    std::uint8_t rgb[3];
    hsv_to_rgb(h0 + dh * t, s, v0 + dv * t, rgb);
    out[k] = rgb[0] | rgb[1] << 8 | static_cast<std::uint32_t>(rgb[2]) << 16;
  }
}

void hsi_to_rgb(double hue, double s, double i, std::uint8_t rgb[3]) {
  // Hexcone HSI: chroma from saturation and intensity, placed by the 60-degree sector of the hue.
  const double two_pi = 2.0 * 3.14159265358979323846;
  hue = std::fmod(hue, two_pi);
  if (hue < 0) hue += two_pi;
  const double h6 = hue / (two_pi / 6.0);
  const double c = i * s;
  const double x = c * (1.0 - std::fabs(std::fmod(h6, 2.0) - 1.0));
  const double m = i - c;
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(h6) % 6) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  rgb[0] = to_byte(r + m);
  rgb[1] = to_byte(g + m);
  rgb[2] = to_byte(b + m);
}

Image gray_to_rgb(const Image& gray) {
  if (gray.channels == 3) return gray;
  Image out(gray.width, gray.height, 3);
  const std::size_t n = static_cast<std::size_t>(gray.width) * gray.height;
  for (std::size_t i = 0; i < n; ++i)
    out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = gray.pixels[i];
  return out;
}

}  // namespace fdsl
