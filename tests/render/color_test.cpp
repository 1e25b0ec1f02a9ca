// Color conversions: the vectorized HSV ramp gives hsv_to_rgb's bytes.
#include "fdsl/render/color.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace fdsl {
namespace {

TEST(Color, HsvRampEqualsHsvToRgbAtEveryLevel) {
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  struct Ramp {
    double h0, dh, s, v0, dv;
    int n;
  };
  std::vector<Ramp> ramps = {{0.0, 1.0, 1.0, 0.0, 1.0, 1024},            // every sector, v from 0 to 1
                             {0.999, 0.6, 0.3, 0.1, 0.9, 1024},          // hues past 1 wrap
                             {0.5, 0.0, 0.0, 1.0, 0.0, 2},               // gray
                             {1.0 / 6.0, 4.0 / 6.0, 1.0, 0.5, 0.5, 7}};  // sector boundaries exactly
  for (int i = 0; i < 200; ++i)
    ramps.push_back(
        {u(gen), u(gen) * 0.6, 0.3 + 0.7 * u(gen), 0.1 + 0.4 * u(gen), 0.5, 2 + static_cast<int>(u(gen) * 300)});
  for (const Ramp& r : ramps) {
    std::vector<std::uint32_t> got(static_cast<std::size_t>(r.n));
    hsv_ramp(r.h0, r.dh, r.s, r.v0, r.dv, r.n, got.data());
    for (int k = 0; k < r.n; ++k) {
      const double t = static_cast<double>(k) / (r.n - 1);
      std::uint8_t rgb[3];
      hsv_to_rgb(r.h0 + r.dh * t, r.s, r.v0 + r.dv * t, rgb);
      const std::uint32_t want = rgb[0] | rgb[1] << 8 | static_cast<std::uint32_t>(rgb[2]) << 16;
      ASSERT_EQ(got[static_cast<std::size_t>(k)], want) << "h0 " << r.h0 << " dh " << r.dh << " level " << k;
    }
  }
}

}  // namespace
}  // namespace fdsl
