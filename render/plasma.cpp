#include "fdsl/render/plasma.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "fdsl/render/color.h"

namespace fdsl {

namespace {

/// xoshiro256+ seeded from the stream: the plasma draws one number per grid cell (66k at 224 px),
/// where the counter-based stream's two 64-bit mixes per draw would dominate the cost.
class FastUniform {
 public:
  explicit FastUniform(Rng& rng) {
    for (auto& w : s_) w = rng.next_u64();
    if (!(s_[0] | s_[1] | s_[2] | s_[3])) s_[0] = 1;
  }
  /// U[-0.5, 0.5) in float.
  float centered() {
    const std::uint64_t r = s_[0] + s_[3];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = (s_[3] << 45) | (s_[3] >> 19);
    return static_cast<float>(r >> 40) * 0x1.0p-24f - 0.5f;
  }

 private:
  std::uint64_t s_[4];
};

}  // namespace

std::vector<float> plasma_field(int width, int height, double roughness, Rng& rng) {
  int n = 1;
  while (n + 1 < std::max(width, height)) n *= 2;
  const int size = n + 1;
  std::vector<float> g(static_cast<std::size_t>(size) * size, 0.0f);
  float* grid = g.data();
  auto at = [&](int x, int y) -> float& { return grid[static_cast<std::size_t>(y) * size + x]; };
  FastUniform u(rng);
  at(0, 0) = u.centered() + 0.5f;
  at(n, 0) = u.centered() + 0.5f;
  at(0, n) = u.centered() + 0.5f;
  at(n, n) = u.centered() + 0.5f;
  float amp = 1.0f;
  for (int step = n; step > 1; step /= 2) {
    const int half = step / 2;
    // Diamond: centre of every square.
    for (int y = half; y < size; y += step) {
      const float* up = grid + static_cast<std::size_t>(y - half) * size;
      const float* down = grid + static_cast<std::size_t>(y + half) * size;
      float* mid = grid + static_cast<std::size_t>(y) * size;
      for (int x = half; x < size; x += step)
        mid[x] = (up[x - half] + up[x + half] + down[x - half] + down[x + half]) * 0.25f + amp * u.centered();
    }
    // Square: midpoints of the edges, averaging the neighbours that exist (3 on the border).
    for (int y = 0; y < size; y += half) {
      float* r = grid + static_cast<std::size_t>(y) * size;
      const float* up = y >= half ? r - static_cast<std::size_t>(half) * size : nullptr;
      const float* down = y + half < size ? r + static_cast<std::size_t>(half) * size : nullptr;
      const int x0 = (y / half) % 2 == 0 ? half : 0;
      for (int x = x0; x < size; x += step) {
        const bool left = x >= half, right = x + half < size;
        if (left && right && up && down) {
          r[x] = (r[x - half] + r[x + half] + up[x] + down[x]) * 0.25f + amp * u.centered();
          continue;
        }
        float sum = 0;
        int cnt = 0;
        if (left) sum += r[x - half], ++cnt;
        if (right) sum += r[x + half], ++cnt;
        if (up) sum += up[x], ++cnt;
        if (down) sum += down[x], ++cnt;
        r[x] = sum / static_cast<float>(cnt) + amp * u.centered();
      }
    }
    amp *= static_cast<float>(roughness);
  }
  // Crop and stretch to [0, 1].
  std::vector<float> out(static_cast<std::size_t>(width) * height);
  float lo = 1e30f, hi = -1e30f;
  for (int y = 0; y < height; ++y) {
    const float* r = grid + static_cast<std::size_t>(y) * size;
    float* o = out.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      o[x] = r[x];
      lo = std::min(lo, r[x]);
      hi = std::max(hi, r[x]);
    }
  }
  const float inv = hi > lo ? 1.0f / (hi - lo) : 1.0f;
  for (float& v : out) v = std::clamp((v - lo) * inv, 0.0f, 1.0f);
  return out;
}

Image plasma_background(int width, int height, Rng rng) {
  const double roughness = rng.uniform(0.4, 0.8);
  std::vector<float> f = plasma_field(width, height, roughness, rng);
  const double hue0 = rng.uniform(), hue_span = rng.uniform(0.1, 0.6);
  const double sat = rng.uniform(0.3, 1.0), val_lo = rng.uniform(0.1, 0.5);
  // 1024 colour levels: finer than 8-bit output can show, and a table lookup per pixel instead
  // of an HSV conversion.
  constexpr int kLevels = 1024;
  std::vector<std::uint8_t> lut(3 * kLevels);
  for (int k = 0; k < kLevels; ++k) {
    const double v = static_cast<double>(k) / (kLevels - 1);
    hsv_to_rgb(hue0 + hue_span * v, sat, val_lo + (1.0 - val_lo) * v, &lut[3 * k]);
  }
  Image out(width, height, 3);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const int k = static_cast<int>(f[i] * (kLevels - 1) + 0.5f);
    std::memcpy(&out.pixels[3 * i], &lut[3 * k], 3);
  }
  return out;
}

}  // namespace fdsl
