#include "fdsl/dataset/preview.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/render/cloud_view.h"
#include "fdsl/render/color.h"
#include "fdsl/render/image_ops.h"

namespace fdsl {

SheetLayout sheet_layout(const SheetOptions& o, bool row_labels, bool paired) {
  SheetLayout l;
  l.tile = o.tile;
  l.tile_w = paired ? 2 * o.tile : o.tile;
  l.margin = 4;
  l.label_height = 14;
  l.title_height = o.title.empty() ? 0 : 24;
  l.row_label_width = row_labels ? 150 : 0;
  return l;
}

void draw_text(Image& image, const std::string& text, int x, int y, double scale, int max_width) {
  std::string t = text;
  int baseline = 0;
  cv::Size size = cv::getTextSize(t, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
  while (max_width > 0 && size.width > max_width && t.size() > 1) {
    t.pop_back();
    size = cv::getTextSize(t, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
  }
  cv::Mat mat(image.height, image.width, image.channels == 3 ? CV_8UC3 : CV_8UC1, image.pixels.data());
  cv::putText(mat, t, cv::Point(x, y + size.height), cv::FONT_HERSHEY_SIMPLEX, scale,
              image.channels == 3 ? cv::Scalar(255, 255, 255) : cv::Scalar(255), 1, cv::LINE_AA);
}

std::string stats_text(const Generator& gen) {
  const nlohmann::ordered_json s = gen.stats();
  if (s.contains("acceptance_rate")) {
    char buf[96];
    const auto tried = s.contains("candidates_tried") ? s["candidates_tried"]
                                                      : s.value("perturbations_tried", nlohmann::ordered_json(0));
    std::snprintf(buf, sizeof buf, "accept %.3f of %lld", s["acceptance_rate"].get<double>(),
                  static_cast<long long>(tried.get<std::int64_t>()));
    return buf;
  }
  return "";
}

bool is_paired(const Sample& s) {
  return ((!s.image.empty() || !s.views.empty()) && !s.cloud.empty()) || (!s.image.empty() && !s.instances.empty());
}

Image mask_overlay(const Sample& s) {
  const Image rgb = gray_to_rgb(s.image);
  Image out(rgb.width, rgb.height, 3, 0);
  const LabelMap& ids = s.instances;
  for (int y = 0; y < rgb.height; ++y)
    for (int x = 0; x < rgb.width; ++x) {
      const std::uint16_t id = ids.width == rgb.width && ids.height == rgb.height ? ids.at(x, y) : 0;
      std::uint8_t color[3] = {0, 0, 0};
      // Object k's hue steps by the golden ratio: neighbours in drawing order stay apart.
      if (id) hsv_to_rgb(std::fmod(0.618033988749895 * id, 1.0), 0.85, 1.0, color);
      for (int c = 0; c < 3; ++c) {
        const double v = 0.35 * rgb.at(x, y, c) + (id ? 0.65 * color[c] : 0.0);
        out.at(x, y, c) = static_cast<std::uint8_t>(std::lround(std::min(255.0, v)));
      }
    }
  return out;
}

const Image& first_picture(const Sample& s) { return s.image.empty() && !s.views.empty() ? s.views.front() : s.image; }

namespace {

void blit(const Image& tile, Image& sheet, int x0, int y0) {
  for (int y = 0; y < tile.height; ++y)
    std::copy(tile.row(y), tile.row(y) + tile.stride(), sheet.row(y0 + y) + static_cast<std::size_t>(x0) * 3);
}

/// The sample's own picture (its image or first view; a rendering of its cloud when it has
/// neither) as an RGB tile x tile image.
Image picture_tile(const Sample& s, int tile) {
  const Image& picture = first_picture(s);
  Image im = picture.empty() ? (s.cloud.empty() ? Image(tile, tile, 3, 0) : render_cloud_view(s.cloud, tile))
                             : gray_to_rgb(picture);
  if (im.width != tile || im.height != tile) im = resize_bilinear(im, tile, tile);
  return im;
}

/// A sweep's tile: the sample's picture (for a pair, its image without the cloud beside it).
Image tile_image(const Generator& gen, std::int64_t category, std::int64_t instance, int tile) {
  return picture_tile(gen.make(category, instance), tile);
}

}  // namespace

Image sample_picture(const Sample& s, int tile) {
  Image im = picture_tile(s, tile);
  if (!is_paired(s)) return im;
  Image both(2 * tile, tile, 3, 0);
  blit(im, both, 0, 0);
  if (!s.cloud.empty()) {
    blit(render_cloud_view(s.cloud, tile), both, tile, 0);
  } else {
    Image over = mask_overlay(s);
    if (over.width != tile || over.height != tile) over = resize_bilinear(over, tile, tile);
    blit(over, both, tile, 0);
  }
  return both;
}

Image contact_sheet(const Generator& gen, const SheetOptions& o) {
  const int rows = static_cast<int>(o.categories.size()), cols = static_cast<int>(o.instances.size());
  std::vector<Image> tiles(static_cast<std::size_t>(rows * cols));
  parallel_for(0, rows * cols, o.threads, [&](std::int64_t k) {
    const int r = static_cast<int>(k) / cols, c = static_cast<int>(k) % cols;
    tiles[static_cast<std::size_t>(k)] = sample_picture(gen.make(o.categories[r], o.instances[c]), o.tile);
  });
  const bool paired = !tiles.empty() && tiles.front().width == 2 * o.tile;
  const SheetLayout l = sheet_layout(o, false, paired);
  const int width = std::max(l.tile_x(cols), 320);
  const int height = l.tile_y(rows);
  Image sheet(width, height, 3, 32);
  for (int r = 0; r < rows; ++r) {
    const std::string label = gen.describe_category(o.categories[r]);
    for (int c = 0; c < cols; ++c) {
      blit(tiles[static_cast<std::size_t>(r * cols + c)], sheet, l.tile_x(c), l.tile_y(r));
      draw_text(sheet, label + " #" + std::to_string(o.instances[c]), l.tile_x(c), l.tile_y(r) + l.tile + 1, 0.3,
                l.tile_w);
    }
  }
  if (!o.title.empty()) {
    const std::string stats = stats_text(gen);
    draw_text(sheet, o.title + (stats.empty() ? "" : "   " + stats), l.margin, 4, 0.5, width - 2 * l.margin);
  }
  return sheet;
}

Sweep parse_sweep(const std::string& text, const Params& params) {
  const auto eq = text.find('=');
  auto bad = [&](const std::string& why) {
    throw_bad_input("--sweep " + text + ": " + why + " (expected key=lo:hi:count, e.g. sigma=3.0:5.0:9)");
  };
  if (eq == std::string::npos || eq == 0) bad("missing key=");
  Sweep s;
  s.key = text.substr(0, eq);
  if (!params.has(s.key)) {
    std::string hint = closest_name(s.key, params.order());
    bad("unknown key '" + s.key + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  const ParamSpec& spec = params.spec(s.key);
  if (spec.type != ParamType::Int && spec.type != ParamType::Float) bad("'" + s.key + "' is not a numeric parameter");
  const std::string range = text.substr(eq + 1);
  double lo = 0, hi = 0;
  int count = 0;
  char tail = 0;
  if (std::sscanf(range.c_str(), "%lf:%lf:%d%c", &lo, &hi, &count, &tail) != 3) bad("cannot read lo:hi:count");
  if (count < 1 || count > 64) bad("count must be 1..64");
  for (int i = 0; i < count; ++i) {
    double v = count == 1 ? lo : lo + (hi - lo) * i / (count - 1);
    if (spec.type == ParamType::Int) v = std::round(v);
    s.values.push_back(v);
  }
  return s;
}

Image sweep_sheet(const RawConfig& config, const SpecOptions& spec_options, const std::string& config_dir,
                  const Sweep& sweep, const SheetOptions& o) {
  const SheetLayout l = sheet_layout(o, true);
  const int rows = static_cast<int>(sweep.values.size()), cols = static_cast<int>(o.categories.size());
  const int width = l.tile_x(cols), height = l.tile_y(rows);
  Image sheet(width, height, 3, 32);
  const std::int64_t instance = o.instances.empty() ? 0 : o.instances.front();
  for (int r = 0; r < rows; ++r) {
    SpecOptions so = spec_options;
    char value[64];
    std::snprintf(value, sizeof value, "%.10g", sweep.values[r]);
    so.overrides.push_back(sweep.key + "=" + value);
    // Categories are prefix-stable (the first k of any recipe do not depend on how many follow),
    // so build only the ones shown.
    so.overrides.push_back("classes=" +
                           std::to_string(*std::max_element(o.categories.begin(), o.categories.end()) + 1));
    const DatasetSpec spec = make_dataset_spec(config, so, config_dir);
    const Generator& gen = *spec.generator;
    std::vector<Image> tiles(static_cast<std::size_t>(cols));
    parallel_for(0, cols, o.threads, [&](std::int64_t c) {
      const std::int64_t cat = o.categories[static_cast<std::size_t>(c)];
      if (cat < gen.num_classes() && instance < gen.instances_per_class())
        tiles[static_cast<std::size_t>(c)] = tile_image(gen, cat, instance, l.tile);
    });
    for (int c = 0; c < cols; ++c) {
      if (tiles[static_cast<std::size_t>(c)].empty()) continue;
      blit(tiles[static_cast<std::size_t>(c)], sheet, l.tile_x(c), l.tile_y(r));
      draw_text(sheet, gen.describe_category(o.categories[static_cast<std::size_t>(c)]), l.tile_x(c),
                l.tile_y(r) + l.tile + 1, 0.3, l.tile);
    }
    draw_text(sheet, sweep.key + " = " + value, l.margin, l.tile_y(r) + l.tile / 2 - 14, 0.45, l.row_label_width - 8);
    draw_text(sheet, stats_text(gen), l.margin, l.tile_y(r) + l.tile / 2 + 4, 0.35, l.row_label_width - 8);
  }
  if (!o.title.empty()) draw_text(sheet, o.title, l.margin, 4, 0.5, width - 2 * l.margin);
  return sheet;
}

}  // namespace fdsl
