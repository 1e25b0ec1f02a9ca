// Colour conversions used by the colour render modes and backgrounds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "fdsl/core/image.h"

namespace fdsl {

namespace detail {
/// std::floor without a libm call (the build targets baseline x86-64, which has no rounding
/// instruction): the same value as std::floor for every x, -0.0, NaN and infinities included.
inline double floor_exact(double x) {
  if (!(std::fabs(x) < 0x1p52)) return std::floor(x);  // already integral, or not finite
  const double t = static_cast<double>(static_cast<std::int64_t>(x));
  if (t == x) return x;  // integral: x itself, which keeps the sign of -0.0
  return t > x ? t - 1.0 : t;
}
/// [0, 1] to 0..255, rounded, clamped.
inline std::uint8_t unit_to_byte(double v) {
  return static_cast<std::uint8_t>(std::clamp(v * 255.0 + 0.5, 0.0, 255.0));
}
}  // namespace detail

/// HSV (h, s, v in [0, 1]; h wraps around) to 8-bit RGB. Inline: backgrounds call it per pixel.
inline void hsv_to_rgb(double h, double s, double v, std::uint8_t rgb[3]) {
  h = h - detail::floor_exact(h);
  const double hh = h * 6.0;
  const int sector = static_cast<int>(hh) % 6;
  const double f = hh - detail::floor_exact(hh);
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
  rgb[0] = detail::unit_to_byte(r);
  rgb[1] = detail::unit_to_byte(g);
  rgb[2] = detail::unit_to_byte(b);
}

/// HSI hexcone (FractalDB's colour mode): hue in radians, saturation and intensity in [0, 1].
void hsi_to_rgb(double hue, double s, double i, std::uint8_t rgb[3]);

/// A gray image as 3 equal channels.
Image gray_to_rgb(const Image& gray);

}  // namespace fdsl
