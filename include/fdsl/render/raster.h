// From orbit points to pixels: the normalizations (FractalDB per-axis with padding, bounding box
// windows) and the splat modes (point, patch with fresh masks, hit counts, color per point).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/core/rng.h"
#include "fdsl/render/chaos_game.h"

namespace fdsl {

/// World -> pixel: px = trunc((x - x0) * sx + ox), row = trunc((y - y0) * sy + oy), then
/// row = height - 1 - row when flip_y (so larger y is higher up, as in FractalDB's flip0).
struct PixelTransform {
  float x0 = 0, sx = 1, ox = 0;
  float y0 = 0, sy = 1, oy = 0;
  bool flip_y = true;
  int width = 0, height = 0;
};

/// FractalDB's normalization: each axis on its own, shifted so its minimum is 0, stretched to
/// [pad, size - pad].
PixelTransform fractaldb_transform(const Orbit2& orbit, int width, int height, int pad);

/// The bounding box of the orbit mapped onto the whole canvas, per axis, no padding
/// ((size-1)/span). `shift_x/y` move the window centre by that fraction of its extent and
/// `scale` multiplies the extent (sigma-factor's random window; 0, 0, 1 is the plain box).
PixelTransform window_transform(const Orbit2& orbit, int width, int height, double shift_x = 0, double shift_y = 0,
                                double scale = 1);

/// Pixel coordinates of every point (column, row in final orientation); -1 marks a point that
/// lies outside the canvas (or is not finite). Reuses `px`/`py`.
void to_pixels(const Orbit2& orbit, const PixelTransform& t, std::vector<std::int32_t>& px,
               std::vector<std::int32_t>& py);

/// Where a 3x3 patch sits relative to its point's pixel (top-left corner offset).
struct PatchAnchor {
  int dx = -1;
  int dy = -1;
};
/// FractalDB's anchor: top-left at (px+1, py+1) before the final top-bottom flip, i.e. columns
/// px+1..px+3 and the three rows above the point's row after it.
inline constexpr PatchAnchor kFractalDBAnchor{1, -3};

// The splats, straight from an orbit: pixel coordinates are computed block by block in L1
// (to_pixels' arithmetic) instead of whole arrays.
/// Sets every hit pixel to `value` in all channels.
void splat_points(const Orbit2& orbit, const PixelTransform& t, Image& image, std::uint8_t value);
/// splat_points onto an image already in orientation `o`: the same pixels as splatting onto the
/// t.width x t.height canvas and orienting it, without the pass over the image. `image` has the
/// oriented size (width and height swapped by a transpose).
void splat_points(const Orbit2& orbit, const PixelTransform& t, Image& image, std::uint8_t value, Orientation o);
/// Pastes at every point a 3x3 mask drawn uniformly from the 511 non-empty masks, fresh for each
/// point (seven from each 64-bit draw of `rng`, a 0 skipped; every point draws, in or out of the
/// canvas), overwriting: a 1 writes `value`, a 0 erases to 0. Later points win; clipped.
void splat_fresh_patches(const Orbit2& orbit, const PixelTransform& t, Image& image, std::uint8_t value, Rng rng,
                         PatchAnchor anchor = kFractalDBAnchor);
/// Per-pixel hit counts (width*height, row-major), for graded rendering.
void count_hits(const Orbit2& orbit, const PixelTransform& t, std::vector<std::uint32_t>& counts);
/// FractalDB color mode: the ink of point t has hue 2*pi*(t mod 128)/128, saturation and
/// intensity 0.75 (HSI hexcone); overwrite, optionally with fresh patches (rng) instead of points.
void splat_color_cycle(const Orbit2& orbit, const PixelTransform& t, Image& rgb, bool patches, Rng rng,
                       PatchAnchor anchor = kFractalDBAnchor);
/// Fraction of distinct pixels hit by the points (FractalDB's filling rate on a point render).
double filling_rate(const Orbit2& orbit, const PixelTransform& t, std::vector<std::uint8_t>& scratch);

/// A width x height mask of bits, each row padded to whole 64-bit words: pixel (x, y) is bit
/// x % 64 of words[y * words_per_row + x / 64]; padding bits stay clear. 224 px take 7 KB, which
/// stays in L1 while 100k points are splatted (a byte per pixel, 50 KB, does not).
struct Bitmap {
  int width = 0, height = 0, words_per_row = 0;
  std::vector<std::uint64_t> words;

  /// Makes it width x height and all clear, reusing the buffer.
  void reset(int width, int height);
  bool test(int x, int y) const {
    return (words[static_cast<std::size_t>(y) * words_per_row + static_cast<std::size_t>(x) / 64] >> (x % 64)) & 1u;
  }
};

/// Sets the bit of every point's pixel: the pixels splat_points inks, in orientation `o` (the
/// bitmap has the oriented size).
void splat_bits(const Orbit2& orbit, const PixelTransform& t, Bitmap& bits, Orientation o = {});

/// `out` = `in` dilated by the 3x3 mask (bit 3*r + c, centred), as dilate_mask on a 0/255 image.
void dilate_bits(const Bitmap& in, std::uint32_t mask, Bitmap& out);

/// A uniformly drawn non-empty 3x3 mask (bits 0..8, row-major: bit 3*r + c), as the patch modes use.
std::uint32_t random_patch_mask(Rng& rng);

}  // namespace fdsl
