#include "fdsl/render/color.h"

#include <algorithm>
#include <cmath>

namespace fdsl {

namespace {
std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::clamp(v * 255.0 + 0.5, 0.0, 255.0)); }
}  // namespace

// Built for AVX2 where present, so floor is one instruction instead of a libm call (the
// colour tables call this ~1,300 times per ifs_sigma image); floor is exact either way.
__attribute__((target_clones("avx2", "default"))) void hsv_to_rgb(double h, double s, double v, std::uint8_t rgb[3]) {
  h = h - std::floor(h);
  const double hh = h * 6.0;
  const int sector = static_cast<int>(hh) % 6;
  const double f = hh - std::floor(hh);
  const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  double r, g, b;
  switch (sector) {
    case 0: r = v, g = t, b = p; break;
    case 1: r = q, g = v, b = p; break;
    case 2: r = p, g = v, b = t; break;
    case 3: r = p, g = q, b = v; break;
    case 4: r = t, g = p, b = v; break;
    default: r = v, g = p, b = q; break;
  }
  rgb[0] = to_byte(r);
  rgb[1] = to_byte(g);
  rgb[2] = to_byte(b);
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
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
  }
  rgb[0] = to_byte(r + m);
  rgb[1] = to_byte(g + m);
  rgb[2] = to_byte(b + m);
}

Image gray_to_rgb(const Image& gray) {
  if (gray.channels == 3) return gray;
  Image out(gray.width, gray.height, 3);
  const std::size_t n = static_cast<std::size_t>(gray.width) * gray.height;
  for (std::size_t i = 0; i < n; ++i) out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = gray.pixels[i];
  return out;
}

}  // namespace fdsl
