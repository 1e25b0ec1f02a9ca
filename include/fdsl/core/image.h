// Image: an 8-bit raster with 1 (gray) or 3 (RGB) interleaved channels, row 0 on top.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fdsl {

/// Largest width or height fdsl accepts; a larger request is refused before any allocation.
inline constexpr int kMaxImageSide = 16384;

struct Image {
  int width = 0;
  int height = 0;
  int channels = 1;                  ///< 1 (gray) or 3 (RGB, interleaved)
  std::vector<std::uint8_t> pixels;  ///< row-major, width*channels bytes per row, no padding

  Image() = default;
  /// Allocates a width x height image filled with `fill`; throws fdsl::Error (BadInput) for a
  /// side outside [1, kMaxImageSide] or channels other than 1 or 3.
  Image(int width, int height, int channels, std::uint8_t fill = 0);

  std::size_t stride() const { return static_cast<std::size_t>(width) * channels; }
  std::size_t size_bytes() const { return pixels.size(); }
  std::uint8_t* row(int y) { return pixels.data() + y * stride(); }
  const std::uint8_t* row(int y) const { return pixels.data() + y * stride(); }
  std::uint8_t& at(int x, int y, int c = 0) { return pixels[y * stride() + x * channels + c]; }
  std::uint8_t at(int x, int y, int c = 0) const { return pixels[y * stride() + x * channels + c]; }
  bool empty() const { return pixels.empty(); }
};

/// One of the 8 orientations of an image: a transpose (first), then a vertical and a horizontal
/// flip of the result (see orient() in render/image_ops.h).
struct Orientation {
  bool transpose = false;
  bool flip_v = false;
  bool flip_h = false;
  bool identity() const { return !transpose && !flip_v && !flip_h; }
};

/// Throws fdsl::Error (BadInput) naming `what` unless 1 <= width, height <= kMaxImageSide.
void check_image_size(int width, int height, const std::string& what);

}  // namespace fdsl
