// Diamond-square plasma: the sigma-factor recipe's background texture.
#pragma once

#include "fdsl/core/image.h"
#include "fdsl/core/rng.h"

namespace fdsl {

/// A width x height field in [0, 1] by diamond-square on the smallest 2^k+1 grid that covers it:
/// random corners, displacement amplitude multiplied by `roughness` at every level.
std::vector<float> plasma_field(int width, int height, double roughness, Rng& rng);

/// A colorized plasma image (RGB): roughness ~ U(0.4, 0.8); hue, saturation and brightness drawn
/// per image, so the background looks like a random color texture.
Image plasma_background(int width, int height, Rng rng);
/// The same image in orientation `o` (as orient() would leave it; a transpose makes it
/// height x width), written in that orientation directly.
Image plasma_background(int width, int height, Rng rng, Orientation o);
/// The same written into `pixels`: the oriented image's bytes (3 channels, row-major).
void plasma_background_into(int width, int height, Rng rng, Orientation o, std::uint8_t* pixels);

}  // namespace fdsl
