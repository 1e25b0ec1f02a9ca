// Colour conversions used by the colour render modes and backgrounds.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/image.h"

namespace fdsl {

/// HSV (h, s, v in [0, 1]) to 8-bit RGB.
void hsv_to_rgb(double h, double s, double v, std::uint8_t rgb[3]);

/// HSI hexcone (FractalDB's colour mode): hue in radians, saturation and intensity in [0, 1].
void hsi_to_rgb(double hue, double s, double i, std::uint8_t rgb[3]);

/// A gray image as 3 equal channels.
Image gray_to_rgb(const Image& gray);

}  // namespace fdsl
