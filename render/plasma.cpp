#include "fdsl/render/plasma.h"

#include <algorithm>
#include <vector>

#include "fdsl/render/color.h"

namespace fdsl {

std::vector<float> plasma_field(int width, int height, double roughness, Rng& rng) {
  int n = 1;
  while (n + 1 < std::max(width, height)) n *= 2;
  const int size = n + 1;
  std::vector<float> g(static_cast<std::size_t>(size) * size, 0.0f);
  auto at = [&](int x, int y) -> float& { return g[static_cast<std::size_t>(y) * size + x]; };
  at(0, 0) = static_cast<float>(rng.uniform());
  at(n, 0) = static_cast<float>(rng.uniform());
  at(0, n) = static_cast<float>(rng.uniform());
  at(n, n) = static_cast<float>(rng.uniform());
  double amp = 1.0;
  for (int step = n; step > 1; step /= 2) {
    const int half = step / 2;
    // Diamond: centre of every square.
    for (int y = half; y < size; y += step)
      for (int x = half; x < size; x += step)
        at(x, y) = static_cast<float>((at(x - half, y - half) + at(x + half, y - half) + at(x - half, y + half) +
                                       at(x + half, y + half)) / 4.0 + amp * (rng.uniform() - 0.5));
    // Square: midpoints of the edges, averaging the neighbours that exist.
    for (int y = 0; y < size; y += half) {
      for (int x = (y / half) % 2 == 0 ? half : 0; x < size; x += step) {
        double sum = 0;
        int cnt = 0;
        if (x >= half) sum += at(x - half, y), ++cnt;
        if (x + half < size) sum += at(x + half, y), ++cnt;
        if (y >= half) sum += at(x, y - half), ++cnt;
        if (y + half < size) sum += at(x, y + half), ++cnt;
        at(x, y) = static_cast<float>(sum / cnt + amp * (rng.uniform() - 0.5));
      }
    }
    amp *= roughness;
  }
  // Crop and stretch to [0, 1].
  std::vector<float> out(static_cast<std::size_t>(width) * height);
  float lo = 1e30f, hi = -1e30f;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const float v = at(x, y);
      out[static_cast<std::size_t>(y) * width + x] = v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  const float span = hi > lo ? hi - lo : 1.0f;
  for (float& v : out) v = (v - lo) / span;
  return out;
}

Image plasma_background(int width, int height, Rng rng) {
  const double roughness = rng.uniform(0.4, 0.8);
  std::vector<float> f = plasma_field(width, height, roughness, rng);
  const double hue0 = rng.uniform(), hue_span = rng.uniform(0.1, 0.6);
  const double sat = rng.uniform(0.3, 1.0), val_lo = rng.uniform(0.1, 0.5);
  Image out(width, height, 3);
  std::uint8_t rgb[3];
  for (std::size_t i = 0; i < f.size(); ++i) {
    hsv_to_rgb(hue0 + hue_span * f[i], sat, val_lo + (1.0 - val_lo) * f[i], rgb);
    out.pixels[3 * i] = rgb[0];
    out.pixels[3 * i + 1] = rgb[1];
    out.pixels[3 * i + 2] = rgb[2];
  }
  return out;
}

}  // namespace fdsl
