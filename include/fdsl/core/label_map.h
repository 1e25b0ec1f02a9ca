// LabelMap: a per-pixel label raster (class or instance ids, 0 = background), row 0 on top, as
// wide and high as the image it labels. Written as 8- or 16-bit gray PNG (io/png.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdsl {

struct LabelMap {
  int width = 0;
  int height = 0;
  std::vector<std::uint16_t> values;  ///< row-major, width values per row
  int bits = 8;                       ///< the PNG depth it is written in (8 or 16), fixed per dataset

  LabelMap() = default;
  LabelMap(int w, int h, std::uint16_t fill = 0)
      : width(w), height(h), values(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), fill) {}
  bool empty() const { return values.empty(); }
  std::uint16_t& at(int x, int y) { return values[static_cast<std::size_t>(y) * width + x]; }
  std::uint16_t at(int x, int y) const { return values[static_cast<std::size_t>(y) * width + x]; }
  /// Resizes to w x h filled with `fill`, keeping the buffer's capacity.
  void reset(int w, int h, std::uint16_t fill = 0) {
    width = w;
    height = h;
    values.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), fill);
  }
};

}  // namespace fdsl
