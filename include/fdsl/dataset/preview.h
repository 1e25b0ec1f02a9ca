// Previews: contact sheets of categories x instances, parameter sweeps (one row per value), and
// the pieces the interactive explorer shares with them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/core/params.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

struct SheetOptions {
  std::vector<std::int64_t> categories;  ///< rows (a sweep: columns)
  std::vector<std::int64_t> instances;   ///< columns (a sweep: the first is used)
  int tile = 128;                        ///< tile side in pixels
  int threads = 0;
  std::string title;  ///< printed above the grid
};

/// Geometry of a sheet, so tests and callers can find a tile.
struct SheetLayout {
  int tile = 0, margin = 0, label_height = 0, title_height = 0, row_label_width = 0;
  int tile_w = 0;  ///< tile width: `tile`, or 2 * tile for paired samples (image beside its cloud)
  int tile_x(int column) const { return row_label_width + margin + column * (tile_w + margin); }
  int tile_y(int row) const { return title_height + margin + row * (tile + label_height + margin); }
};

/// The layout of a sheet of `rows` x `columns` tiles (sweeps add a column of row labels); paired
/// tiles are twice as wide.
SheetLayout sheet_layout(const SheetOptions& options, bool row_labels, bool paired = false);

/// True for samples with both pictures and a cloud (vg_fractal pairs), or an image and masks:
/// previews show the image beside a rendering of the cloud, or beside its mask overlay.
bool is_paired(const Sample& sample);

/// The image dimmed with each object of its instance mask in a colour of its own (RGB, the
/// image's size): what previews show beside an image with masks.
Image mask_overlay(const Sample& sample);

/// The sample's own picture: its image, or its first view for multi-view samples; empty when it
/// has neither (a point cloud).
const Image& first_picture(const Sample& sample);

/// What a preview shows of a sample, RGB, `tile` pixels high: its image (or first view) resized to
/// tile x tile; a rendering of its cloud when it has no picture; for a paired sample, the image
/// with the cloud's rendering (or the mask overlay) to its right (2 * tile wide).
Image sample_picture(const Sample& sample, int tile);

/// Renders the sheet (RGB): each tile is sample_picture of (category, instance): the generator's
/// own image resized to the tile when sizes differ, a cloud drawn with render_cloud_view, or both
/// side by side for paired samples; with the category's id and key parameters under it;
/// the title line adds the generator's category statistics (e.g. the search acceptance rate).
Image contact_sheet(const Generator& generator, const SheetOptions& options);

/// A parameter sweep `key=lo:hi:count` (count values evenly from lo to hi, ints rounded).
struct Sweep {
  std::string key;
  std::vector<double> values;
};
/// Parses "sigma=3.0:5.0:9"; the key must be a numeric parameter of the config's generator.
Sweep parse_sweep(const std::string& text, const Params& params);

/// One row per sweep value: the generator rebuilt with key=value, its categories in columns
/// (instance = options.instances[0]); row labels give the value and the category statistics.
Image sweep_sheet(const RawConfig& config, const SpecOptions& spec_options, const std::string& config_dir,
                  const Sweep& sweep, const SheetOptions& options);

/// The category statistics line of a generator ("accept 0.31 (3200 tried)"), "" if none.
std::string stats_text(const Generator& generator);

/// Draws text (OpenCV Hershey font) in white at (x, y) = top-left of the text box, clipped to
/// `max_width` pixels (0: no limit).
void draw_text(Image& image, const std::string& text, int x, int y, double scale = 0.4, int max_width = 0);

}  // namespace fdsl
