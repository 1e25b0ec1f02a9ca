// Color conversions used by the color render modes and backgrounds.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/image.h"

namespace fdsl {

/// HSV (h, s, v in [0, 1]) to 8-bit RGB.
void hsv_to_rgb(double h, double s, double v, std::uint8_t rgb[3]);

/// The n colors (n >= 2) of a ramp: entry k is hsv_to_rgb(h0 + dh * t, s, v0 + dv * t) with
/// t = k / (n - 1), packed as r | g << 8 | b << 16. The same bytes as n calls of hsv_to_rgb,
/// computed four at a time.
void hsv_ramp(double h0, double dh, double s, double v0, double dv, int n, std::uint32_t* out);

/// HSI hexcone (FractalDB's color mode): hue in radians, saturation and intensity in [0, 1].
void hsi_to_rgb(double hue, double s, double i, std::uint8_t rgb[3]);

/// A gray image as 3 equal channels.
Image gray_to_rgb(const Image& gray);

}  // namespace fdsl
