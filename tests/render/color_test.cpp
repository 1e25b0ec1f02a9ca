// Colour conversions: HSV corners and the floor used per pixel.
#include "fdsl/render/color.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fdsl/core/rng.h"

namespace fdsl {
namespace {

TEST(Color, FloorExactIsStdFloorEverywhere) {
  const double inf = std::numeric_limits<double>::infinity();
  for (double x : {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 0x1p52, -0x1p52, 0x1p52 - 0.5, -0x1p52 + 0.5, 0x1p53 + 2,
                   -0x1p60, 1e300, -1e300, inf, -inf, std::nextafter(1.0, 0.0), std::nextafter(-1.0, 0.0)}) {
    const double a = detail::floor_exact(x), b = std::floor(x);
    EXPECT_EQ(a, b) << x;
    EXPECT_EQ(std::signbit(a), std::signbit(b)) << x;
  }
  EXPECT_TRUE(std::isnan(detail::floor_exact(std::numeric_limits<double>::quiet_NaN())));
  Rng rng(1);
  for (int i = 0; i < 100000; ++i) {
    const double x = rng.uniform(-1e6, 1e6) * (i % 2 ? 1e-6 : 1.0);
    ASSERT_EQ(detail::floor_exact(x), std::floor(x)) << x;
  }
}

TEST(Color, HsvCornersAndWrap) {
  std::uint8_t rgb[3];
  auto is = [&](int r, int g, int b) { return rgb[0] == r && rgb[1] == g && rgb[2] == b; };
  hsv_to_rgb(0.0, 1.0, 1.0, rgb);
  EXPECT_TRUE(is(255, 0, 0));
  hsv_to_rgb(1.0 / 3.0, 1.0, 1.0, rgb);
  EXPECT_TRUE(is(0, 255, 0));
  hsv_to_rgb(2.0 / 3.0, 1.0, 1.0, rgb);
  EXPECT_TRUE(is(0, 0, 255));
  hsv_to_rgb(0.25, 0.0, 0.5, rgb);
  EXPECT_TRUE(is(128, 128, 128));
  // The hue wraps: 1.25, -0.75 and 0.25 are one colour.
  std::uint8_t base[3];
  hsv_to_rgb(0.25, 0.7, 0.9, base);
  for (double h : {1.25, -0.75}) {
    hsv_to_rgb(h, 0.7, 0.9, rgb);
    EXPECT_TRUE(is(base[0], base[1], base[2])) << h;
  }
}

}  // namespace
}  // namespace fdsl
