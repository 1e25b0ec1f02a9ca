#include "raster_reference.h"

#include "fdsl/render/color.h"

namespace fdsl::test {

namespace {

/// The masks of the patch modes, one at a time.
class Masks {
 public:
  explicit Masks(Rng rng) : rng_(rng) {}
  std::uint32_t next() {
    for (;;) {
      if (left_ == 0) {
        bits_ = rng_.next_u64();
        left_ = 7;
      }
      const auto m = static_cast<std::uint32_t>(bits_ & 511u);
      bits_ >>= 9;
      --left_;
      if (m != 0) return m;
    }
  }

 private:
  Rng rng_;
  std::uint64_t bits_ = 0;
  int left_ = 0;
};

void set_pixel(Image& image, int x, int y, const std::uint8_t* rgb_or_gray) {
  std::uint8_t* p = image.row(y) + static_cast<std::size_t>(x) * image.channels;
  for (int c = 0; c < image.channels; ++c) p[c] = rgb_or_gray[image.channels == 1 ? 0 : c];
}

/// Pastes mask m with its top-left at (x, y): bit 3 r + c is cell (x + c, y + r).
void paste(Image& image, std::uint32_t m, int x, int y, const std::uint8_t ink[3]) {
  static const std::uint8_t black[3] = {0, 0, 0};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      const int xx = x + c, yy = y + r;
      if (xx < 0 || yy < 0 || xx >= image.width || yy >= image.height) continue;
      set_pixel(image, xx, yy, (m >> (3 * r + c)) & 1u ? ink : black);
    }
}

}  // namespace

void splat_points(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& image,
                  std::uint8_t value) {
  const std::uint8_t ink[3] = {value, value, value};
  for (std::size_t i = 0; i < px.size(); ++i)
    if (px[i] >= 0) set_pixel(image, px[i], py[i], ink);
}

void splat_fresh_patches(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& image,
                         std::uint8_t value, Rng rng, PatchAnchor anchor) {
  Masks masks(rng);
  const std::uint8_t ink[3] = {value, value, value};
  for (std::size_t i = 0; i < px.size(); ++i) {
    const std::uint32_t m = masks.next();
    if (px[i] >= 0) paste(image, m, px[i] + anchor.dx, py[i] + anchor.dy, ink);
  }
}

void count_hits(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, int width, int height,
                std::vector<std::uint32_t>& counts) {
  counts.assign(static_cast<std::size_t>(width) * height, 0);
  for (std::size_t i = 0; i < px.size(); ++i)
    if (px[i] >= 0) ++counts[static_cast<std::size_t>(py[i]) * width + px[i]];
}

void splat_color_cycle(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, Image& rgb,
                       bool patches, Rng rng, PatchAnchor anchor) {
  Masks masks(rng);
  for (std::size_t i = 0; i < px.size(); ++i) {
    std::uint8_t ink[3];
    hsi_to_rgb(2.0 * 3.14159265358979323846 * static_cast<double>(i % 128) / 128.0, 0.75, 0.75, ink);
    const std::uint32_t m = patches ? masks.next() : 0;
    if (px[i] < 0) continue;
    if (patches)
      paste(rgb, m, px[i] + anchor.dx, py[i] + anchor.dy, ink);
    else
      set_pixel(rgb, px[i], py[i], ink);
  }
}

double filling_rate(const std::vector<std::int32_t>& px, const std::vector<std::int32_t>& py, int width, int height,
                    std::vector<std::uint8_t>& scratch) {
  scratch.assign(static_cast<std::size_t>(width) * height, 0);
  std::size_t hit = 0;
  for (std::size_t i = 0; i < px.size(); ++i) {
    if (px[i] < 0) continue;
    std::uint8_t& s = scratch[static_cast<std::size_t>(py[i]) * width + px[i]];
    hit += s == 0;
    s = 1;
  }
  return static_cast<double>(hit) / (static_cast<double>(width) * height);
}

}  // namespace fdsl::test
