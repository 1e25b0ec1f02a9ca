// Reference splats for the raster tests: the pixel-array forms of the library's orbit splats,
// written plainly (a loop per point, no kernels, no blocks), so the fast paths are checked
// against code that shares nothing with them but the documented rules.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/core/rng.h"
#include "fdsl/render/raster.h"

namespace fdsl::test {

/// Sets every hit pixel (px >= 0) to `value` in all channels.
void splat_points(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& image,
                  std::uint8_t value);
/// A fresh 3x3 mask per point (every point draws one, in or out of the canvas): 9-bit masks,
/// uniform over 1..511, seven from each 64-bit draw of `rng`, a 0 skipped; a 1 writes `value`, a
/// 0 erases; later points win; clipped to the canvas.
void splat_fresh_patches(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& image,
                         std::uint8_t value, Rng rng, PatchAnchor anchor = kFractalDBAnchor);
/// Per-pixel hit counts, row-major.
void count_hits(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, int width, int height,
                std::vector<std::uint32_t>& counts);
/// FractalDB's color mode: point t's ink is hsi_to_rgb(2 pi (t mod 128) / 128, 0.75, 0.75).
void splat_color_cycle(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& rgb,
                       bool patches, Rng rng, PatchAnchor anchor = kFractalDBAnchor);
/// Fraction of distinct pixels hit.
double filling_rate(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, int width, int height,
                    std::vector<std::uint8_t>& scratch);

}  // namespace fdsl::test
