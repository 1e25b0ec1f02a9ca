#include "fdsl/dataset/preview.h"

#include <opencv2/imgproc.hpp>

#include "fdsl/core/parallel.h"
#include "fdsl/render/cloud_view.h"
#include "fdsl/render/color.h"
#include "fdsl/render/image_ops.h"

namespace fdsl {

SheetLayout sheet_layout(const SheetOptions& o) {
  SheetLayout l;
  l.tile = o.tile;
  l.margin = 4;
  l.label_height = 14;
  l.title_height = o.title.empty() ? 0 : 24;
  return l;
}

void draw_text(Image& image, const std::string& text, int x, int y, double scale) {
  cv::Mat mat(image.height, image.width, image.channels == 3 ? CV_8UC3 : CV_8UC1, image.pixels.data());
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
  cv::putText(mat, text, cv::Point(x, y + size.height), cv::FONT_HERSHEY_SIMPLEX, scale,
              image.channels == 3 ? cv::Scalar(255, 255, 255) : cv::Scalar(255), 1, cv::LINE_AA);
}

Image contact_sheet(const Generator& gen, const SheetOptions& o) {
  const SheetLayout l = sheet_layout(o);
  const int rows = static_cast<int>(o.categories.size()), cols = static_cast<int>(o.instances.size());
  const int width = std::max(l.margin + cols * (l.tile + l.margin), 320);
  const int height = l.title_height + l.margin + rows * (l.tile + l.label_height + l.margin);
  Image sheet(width, height, 3, 32);
  std::vector<Image> tiles(static_cast<std::size_t>(rows * cols));
  parallel_for(0, rows * cols, o.threads, [&](std::int64_t k) {
    const int r = static_cast<int>(k) / cols, c = static_cast<int>(k) % cols;
    const Sample s = gen.make(o.categories[r], o.instances[c]);
    Image im = s.image.empty() && !s.cloud.empty() ? render_cloud_view(s.cloud, l.tile) : gray_to_rgb(s.image);
    if (im.width != l.tile || im.height != l.tile) im = resize_bilinear(im, l.tile, l.tile);
    tiles[static_cast<std::size_t>(k)] = std::move(im);
  });
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const Image& t = tiles[static_cast<std::size_t>(r * cols + c)];
      const int x0 = l.tile_x(c), y0 = l.tile_y(r);
      for (int y = 0; y < l.tile; ++y)
        std::copy(t.row(y), t.row(y) + t.stride(), sheet.row(y0 + y) + x0 * 3);
    }
    draw_text(sheet, gen.describe_category(o.categories[r]), l.margin, l.tile_y(r) + l.tile + 1, 0.35);
  }
  if (!o.title.empty()) draw_text(sheet, o.title, l.margin, 4, 0.5);
  return sheet;
}

}  // namespace fdsl
