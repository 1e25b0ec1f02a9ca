// Polylines on 8-bit images: Pillow-compatible 1 px lines (the compat: official modes of VisualAtom
// and RCDB) and anti-aliased lines of any width (faithful generation), both clipped to the canvas.
//
//   draw_polyline_pillow(img, xs, ys, n, /*closed=*/true, 200);   // as n draw.line() calls
//   PolylineAA aa;  aa.draw(img, xs, ys, n, true, 200, 1.5);      // smooth, 1.5 px wide
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fdsl/core/image.h"

namespace fdsl {

/// Pillow's ImageDraw.line(((x0, y0), (x1, y1)), fill=value, width=1) on any canvas: each float
/// endpoint truncated toward zero to int, then Pillow's integer Bresenham from (x0, y0) (errors
/// starting at 2 dminor - dmajor, a step taken while the error is >= 0), the end pixel drawn as
/// well; pixels off the canvas are skipped. Every channel gets `value`.
void draw_line_pillow(Image& image, double x0, double y0, double x1, double y1, std::uint8_t value);

/// The same from integer endpoints.
void draw_line_pillow(Image& image, std::int64_t x0, std::int64_t y0, std::int64_t x1, std::int64_t y1,
                      std::uint8_t value);

/// Segments (x[i], y[i]) -> (x[i+1], y[i+1]) for i = 0..n-2, each as one draw_line_pillow call,
/// and with `closed` the segment from the last point back to the first.
void draw_polyline_pillow(Image& image, const double* xs, const double* ys, std::size_t n, bool closed,
                          std::uint8_t value);

/// draw_polyline_pillow into two gray canvases of one size at once: the same pixels, `value` in
/// `image` and `value2` in `second` (a contour and its mask; one walk of each segment).
void draw_polyline_pillow2(Image& image, Image& second, const double* xs, const double* ys, std::size_t n, bool closed,
                           std::uint8_t value, std::uint8_t value2);

/// Pillow 9.4's filled polygon, ImageDraw.polygon(points, fill=value) on an 8-bit or RGB canvas:
/// the n points truncated to integers, an edge per consecutive pair (and a closing one), the
/// horizontal edges drawn as lines, and scanlines filled between the sorted crossings in 32-bit
/// float arithmetic, with Pillow's corner rules, so its pixels are Pillow's.
void fill_polygon_pillow(Image& image, const double* xs, const double* ys, std::size_t n, std::uint8_t value);

/// Anti-aliased polylines. Each segment is walked along its major axis; a pixel whose centre lies
/// over the segment (or within half the stroke width beyond its ends) has coverage
/// 1 - clamp(d - (width - 1) / 2, 0, 1), d its centre's distance to the segment's line, so a
/// width of 1 gives the 2 px wide falloff of a smooth 1 px line. A polyline is composited as a
/// whole (coverage is the maximum over its segments, so joints are not painted twice):
/// out = out + (value - out) * coverage, rounded. Pixel (i, j) covers [i, i+1) x [j, j+1), the
/// same convention as the Pillow mode's truncation. The object holds scratch buffers; reuse it
/// (one per thread).
class PolylineAA {
 public:
  void draw(Image& image, const double* xs, const double* ys, std::size_t n, bool closed, std::uint8_t value,
            double width = 1.0);

 private:
  void segment(double x0, double y0, double x1, double y1, double half);
  std::vector<std::uint8_t> coverage_;  ///< per pixel, 0..255, zero outside the polyline being drawn
  std::vector<std::uint32_t> touched_;  ///< pixels with non-zero coverage
  int width_ = 0, height_ = 0;
};

}  // namespace fdsl
