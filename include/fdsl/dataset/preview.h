// Contact sheets: R categories x C instances of a generator, labelled, with a title.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

struct SheetOptions {
  std::vector<std::int64_t> categories;  ///< rows
  std::vector<std::int64_t> instances;   ///< columns
  int tile = 128;                        ///< tile side in pixels
  int threads = 0;
  std::string title;                     ///< printed above the grid
};

/// Geometry of a sheet, so tests and callers can find a tile.
struct SheetLayout {
  int tile = 0, margin = 0, label_height = 0, title_height = 0;
  int tile_x(int column) const { return margin + column * (tile + margin); }
  int tile_y(int row) const { return title_height + margin + row * (tile + label_height + margin); }
};

SheetLayout sheet_layout(const SheetOptions& options);

/// Renders the sheet (RGB): each tile is the generator's own image for (category, instance),
/// resized to the tile when sizes differ (a point cloud is drawn with render_cloud_view), with the category's description under each row's tiles.
Image contact_sheet(const Generator& generator, const SheetOptions& options);

/// Draws text (OpenCV Hershey font) in white at (x, y) = top-left of the text box.
void draw_text(Image& image, const std::string& text, int x, int y, double scale = 0.4);

}  // namespace fdsl
