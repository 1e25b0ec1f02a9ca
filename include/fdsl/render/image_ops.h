// Whole-image operations: flips, transpose, dilation by a patch mask, blur, paste.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/core/label_map.h"
#include "fdsl/core/rng.h"

namespace fdsl {

/// Mirror rows (top-bottom) in place.
void flip_vertical(Image& image);
/// Mirror columns (left-right) in place.
void flip_horizontal(Image& image);
/// Swap rows and columns (width and height swap).
Image transpose(const Image& image);
/// Transposes `image` in place (square images swap pixels without a second buffer).
void transpose_in_place(Image& image);
/// transpose (if `transpose`), then flip_vertical (if `flip_v`), then flip_horizontal (if
/// `flip_h`), in one pass over the pixels (through a per-thread buffer).
void orient(Image& image, bool transpose, bool flip_v, bool flip_h);
/// The same orientation of a label map (masks follow their image).
void orient(LabelMap& labels, Orientation o);
/// FractalDB's flip index: 0 none, 1 top-bottom, 2 left-right, 3 both.
void apply_flip(Image& image, int flip);
/// `src` flipped as apply_flip(·, flip) flips it, written into `dst` in one pass (a copy and
/// the flip at once; `dst` keeps its buffer when it has the size).
void copy_flipped(const Image& src, Image& dst, int flip);

/// OR-dilation by a 3x3 mask (bit 3*r + c), centred on each pixel: a pixel becomes the maximum
/// of the pixels the mask reaches (sigma-factor's one patch per image).
Image dilate_mask(const Image& image, std::uint32_t mask);
/// dilate_mask into `out` (another image), reusing its buffer when it has the size.
void dilate_mask_into(const Image& image, std::uint32_t mask, Image& out);
/// The 3x3 mask (bit 3*r + c) under orientation `o`: dilating an oriented image by it equals
/// orienting the image dilated by `mask` (the mask is centred, so borders agree too).
std::uint32_t orient_mask(std::uint32_t mask, Orientation o);
/// The same on a count buffer (graded rendering before normalization).
void dilate_counts(std::vector<std::uint32_t>& counts, int width, int height, std::uint32_t mask);

/// Interleaved pixels (HWC: `pixels` pixels of `channels` bytes each) to planes (CHW: channel c's
/// bytes at dst + c * pixels), as a channels-first tensor holds them. `src` and `dst` must not overlap.
void interleaved_to_planar(const std::uint8_t* src, std::int64_t pixels, int channels, std::uint8_t* dst);

/// 3x3 Gaussian blur with standard deviation sigma (edges replicated), separable, rounded.
void gaussian_blur3(Image& image, double sigma);
/// The same on width x height x channels bytes (row-major, as Image).
void gaussian_blur3(std::uint8_t* pixels, int width, int height, int channels, double sigma);

/// Copies every nonzero pixel of `src` (all channels zero counts as empty) onto `dst` with its
/// top-left corner at (x, y); parts outside are clipped. Channels must match.
void paste_nonzero(const Image& src, Image& dst, int x, int y);

/// Bilinear resize (used by previews and multi-instance layouts).
Image resize_bilinear(const Image& image, int width, int height);

}  // namespace fdsl
