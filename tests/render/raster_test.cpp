// From orbit points to pixels: FractalDB's normalization, filling rates, fresh patch masks, hit counts.
#include "fdsl/render/raster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/render/chaos_game.h"
#include "fdsl/render/image_ops.h"
#include "raster_reference.h"

namespace fdsl {
namespace {

// The pixel-array splats are the tests' own plain references (tests/support/raster_reference.h).
using test::count_hits;
using test::filling_rate;
using test::splat_color_cycle;
using test::splat_fresh_patches;
using test::splat_points;

AffineMap2 map(double a, double b, double c, double d, double e, double f) { return AffineMap2{a, b, c, d, e, f}; }

std::vector<Ifs2> test_systems() {
  std::vector<Ifs2> out;
  Ifs2 s;
  s.maps = {map(0.5, 0, 0, 0.5, 0, 0), map(0.5, 0, 0, 0.5, 0.5, 0), map(0.5, 0, 0, 0.5, 0.25, 0.5)};
  s.probs = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  out.push_back(s);
  Ifs2 fern;
  fern.maps = {map(0.0, 0.0, 0.0, 0.16, 0.0, 0.0), map(0.85, 0.04, -0.04, 0.85, 0.0, 1.6),
               map(0.2, -0.26, 0.23, 0.22, 0.0, 1.6), map(-0.15, 0.28, 0.26, 0.24, 0.0, 0.44)};
  fern.probs = {0.01, 0.85, 0.07, 0.07};
  out.push_back(fern);
  Ifs2 spiral;
  spiral.maps = {map(0.787879, -0.424242, 0.242424, 0.859848, 1.758647, 1.408065),
                 map(-0.121212, 0.257576, 0.151515, 0.053030, -6.721654, 1.377236),
                 map(0.181818, -0.136364, 0.090909, 0.181818, 6.086107, 1.568035)};
  spiral.probs = {0.9, 0.05, 0.05};
  out.push_back(spiral);
  Ifs2 dragon;
  dragon.maps = {map(0.5, -0.5, 0.5, 0.5, 0, 0), map(-0.5, -0.5, 0.5, -0.5, 1, 0)};
  dragon.probs = {0.5, 0.5};
  out.push_back(dragon);
  return out;
}

Orbit2 orbit_of(const Ifs2& ifs, std::int64_t n, std::uint64_t key = 1) {
  Orbit2 o;
  chaos_game(ifs, n, Rng(key), ChaosStart::Origin, o);
  return o;
}

/// An orbit with the given points and its exact box.
Orbit2 orbit_from(const std::vector<float>& xs, const std::vector<float>& ys) {
  Orbit2 o;
  o.x = xs;
  o.y = ys;
  o.min_x = *std::min_element(xs.begin(), xs.end());
  o.max_x = *std::max_element(xs.begin(), xs.end());
  o.min_y = *std::min_element(ys.begin(), ys.end());
  o.max_y = *std::max_element(ys.begin(), ys.end());
  return o;
}

TEST(Raster, FractalDBTransformMapsTheBoxOntoThePaddedCanvas) {
  const int size = 512, pad = 6;
  // Spans of 4 make the scale exact (500 / 4 = 125).
  const Orbit2 o = orbit_from({-1.0f, 3.0f, 1.0f}, {2.0f, 6.0f, 4.0f});
  const PixelTransform t = fractaldb_transform(o, size, size, pad);
  EXPECT_TRUE(t.flip_y);
  std::vector<std::int32_t> px, py;
  to_pixels(o, t, px, py);
  // x: min -> column pad, max -> column size - pad.
  EXPECT_EQ(px[0], pad);
  EXPECT_EQ(px[1], size - pad);
  EXPECT_EQ(px[2], size / 2);
  // y: flipped, so min y lands on the bottom side (row size-1-pad) and max y near the top (row pad-1).
  EXPECT_EQ(py[0], size - 1 - pad);
  EXPECT_EQ(py[1], size - 1 - (size - pad));
  EXPECT_EQ(py[2], size - 1 - size / 2);
  EXPECT_LT(py[1], py[2]);
  EXPECT_LT(py[2], py[0]);
}

TEST(Raster, FractalDBTransformScalesTheAxesIndependently) {
  const int w = 300, h = 200, pad = 10;
  const Orbit2 o = orbit_from({0.0f, 1.0f}, {0.0f, 4.0f});
  std::vector<std::int32_t> px, py;
  to_pixels(o, fractaldb_transform(o, w, h, pad), px, py);
  EXPECT_EQ(px[0], pad);
  EXPECT_EQ(px[1], w - pad);
  EXPECT_EQ(py[0], h - 1 - pad);
  EXPECT_EQ(py[1], h - 1 - (h - pad));
}

TEST(Raster, FractalDBPixelsStayInsideThePaddedBox) {
  const int size = 256, pad = 6;
  for (const Ifs2& ifs : test_systems()) {
    const Orbit2 o = orbit_of(ifs, 20000);
    std::vector<std::int32_t> px, py;
    to_pixels(o, fractaldb_transform(o, size, size, pad), px, py);
    ASSERT_EQ(px.size(), o.size());
    int lo_x = size, hi_x = -1, lo_y = size, hi_y = -1;
    for (std::size_t i = 0; i < px.size(); ++i) {
      ASSERT_GE(px[i], 0);
      ASSERT_GE(py[i], 0);
      lo_x = std::min(lo_x, px[i]);
      hi_x = std::max(hi_x, px[i]);
      lo_y = std::min(lo_y, py[i]);
      hi_y = std::max(hi_y, py[i]);
    }
    EXPECT_EQ(lo_x, pad);
    EXPECT_GE(hi_x, size - pad - 1);
    EXPECT_LE(hi_x, size - pad);
    EXPECT_EQ(hi_y, size - 1 - pad);
    EXPECT_GE(lo_y, pad - 1);
    EXPECT_LE(lo_y, pad);
  }
}

TEST(Raster, PointsOutsideTheCanvasAreMarked) {
  const Orbit2 o = orbit_from({0.0f, 1.0f, 2.0f, 3.0f}, {0.0f, 1.0f, 2.0f, 3.0f});
  // A window half the box's extent around its centre keeps only the middle points.
  const PixelTransform t = window_transform(o, 64, 64, 0, 0, 0.5);
  std::vector<std::int32_t> px, py;
  to_pixels(o, t, px, py);
  EXPECT_EQ(px[0], -1);
  EXPECT_EQ(py[0], -1);
  EXPECT_EQ(px[3], -1);
  EXPECT_EQ(py[3], -1);
  EXPECT_GE(px[1], 0);
  EXPECT_GE(px[2], 0);
  // A non-finite point is marked too.
  Orbit2 bad = o;
  bad.x[1] = std::numeric_limits<float>::quiet_NaN();
  to_pixels(bad, fractaldb_transform(o, 64, 64, 2), px, py);
  EXPECT_EQ(px[1], -1);
  EXPECT_EQ(py[1], -1);
}

TEST(Raster, FillingRateEqualsADistinctPixelCount) {
  const int size = 512, pad = 6;
  std::vector<std::uint8_t> scratch;
  for (const Ifs2& ifs : test_systems()) {
    const Orbit2 o = orbit_of(ifs, 100000, 3);
    std::vector<std::int32_t> px, py;
    to_pixels(o, fractaldb_transform(o, size, size, pad), px, py);
    std::set<std::pair<int, int>> distinct;
    for (std::size_t i = 0; i < px.size(); ++i)
      if (px[i] >= 0) distinct.insert({px[i], py[i]});
    const double rate = filling_rate(px, py, size, size, scratch);
    EXPECT_EQ(rate, static_cast<double>(distinct.size()) / (static_cast<double>(size) * size));
    EXPECT_GT(rate, 0.0);
    // The scratch buffer is reset on every call: a second call gives the same value.
    EXPECT_EQ(filling_rate(px, py, size, size, scratch), rate);
  }
}

TEST(Raster, SplatPointsSetsExactlyTheHitPixels) {
  const Orbit2 o = orbit_of(test_systems()[1], 5000);
  std::vector<std::int32_t> px, py;
  to_pixels(o, fractaldb_transform(o, 96, 96, 4), px, py);
  Image img(96, 96, 3, 0);
  splat_points(px, py, img, 127);
  std::set<std::pair<int, int>> hit;
  for (std::size_t i = 0; i < px.size(); ++i)
    if (px[i] >= 0) hit.insert({px[i], py[i]});
  for (int y = 0; y < 96; ++y)
    for (int x = 0; x < 96; ++x)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(img.at(x, y, c), hit.count({x, y}) ? 127 : 0);
}

/// Pixel coordinates of a system rendered FractalDB-style.
void pixels_of(const Ifs2& ifs, std::int64_t n, int size, int pad, std::vector<std::int32_t>& px,
               std::vector<std::int32_t>& py) {
  const Orbit2 o = orbit_of(ifs, n, 5);
  to_pixels(o, fractaldb_transform(o, size, size, pad), px, py);
}

TEST(Raster, FreshPatchesInkOnlyInsideTheAnchoredWindows) {
  const int size = 128;
  std::vector<std::int32_t> px, py;
  pixels_of(test_systems()[2], 3000, size, 6, px, py);
  Image img(size, size, 1, 0);
  splat_fresh_patches(px, py, img, 127, Rng(4));
  // Every pixel a window could reach: columns px+1..px+3, rows py-3..py-1 (kFractalDBAnchor).
  std::vector<std::uint8_t> reach(static_cast<std::size_t>(size) * size, 0);
  for (std::size_t i = 0; i < px.size(); ++i)
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) {
        const int x = px[i] + kFractalDBAnchor.dx + c, y = py[i] + kFractalDBAnchor.dy + r;
        if (x >= 0 && x < size && y >= 0 && y < size) reach[static_cast<std::size_t>(y) * size + x] = 1;
      }
  int inked = 0;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const std::uint8_t v = img.at(x, y);
      ASSERT_TRUE(v == 0 || v == 127) << int(v);
      if (v) {
        ++inked;
        ASSERT_TRUE(reach[static_cast<std::size_t>(y) * size + x]) << x << "," << y;
      }
    }
  EXPECT_GT(inked, 0);
}

TEST(Raster, FractalDBAnchorIsRightOfAndAboveThePoint) {
  EXPECT_EQ(kFractalDBAnchor.dx, 1);
  EXPECT_EQ(kFractalDBAnchor.dy, -3);
}

TEST(Raster, FreshPatchMasksAreNeverEmptyAndVary) {
  // Points 4 px apart: windows do not overlap, so each window shows its own mask.
  const int size = 128;
  std::vector<std::int32_t> px, py;
  for (int y = 4; y + 1 < size; y += 4)
    for (int x = 0; x + 4 < size; x += 4) {
      px.push_back(x);
      py.push_back(y);
    }
  Image img(size, size, 1, 0);
  splat_fresh_patches(px, py, img, 200, Rng(6));
  std::set<std::uint32_t> masks;
  for (std::size_t i = 0; i < px.size(); ++i) {
    std::uint32_t m = 0;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c)
        if (img.at(px[i] + 1 + c, py[i] - 3 + r)) m |= 1u << (3 * r + c);
    ASSERT_NE(m, 0u) << "empty mask at point " << i;
    masks.insert(m);
  }
  // ~900 draws from 511 masks: many distinct ones.
  EXPECT_GT(masks.size(), 300u);
}

TEST(Raster, FreshPatchesAreDeterministicPerStream) {
  std::vector<std::int32_t> px, py;
  pixels_of(test_systems()[0], 4000, 96, 6, px, py);
  Image a(96, 96, 1, 0), b(96, 96, 1, 0), c(96, 96, 1, 0);
  splat_fresh_patches(px, py, a, 127, Rng(1, 2, 3, Purpose::Patch));
  splat_fresh_patches(px, py, b, 127, Rng(1, 2, 3, Purpose::Patch));
  splat_fresh_patches(px, py, c, 127, Rng(1, 2, 4, Purpose::Patch));
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_NE(a.pixels, c.pixels);
}

TEST(Raster, LaterPatchesOverwriteEarlierOnes) {
  // Mask k depends only on k: the second point's window shows mask 1 whatever the first point was,
  // and a point outside the canvas still uses up its mask.
  const int size = 32;
  const Rng rng(9);
  auto window = [&](const Image& im, int x, int y) {
    std::vector<std::uint8_t> w;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) w.push_back(im.at(x + 1 + c, y - 3 + r));
    return w;
  };
  for (int dx : {-1, 0, 1, 2}) {
    Image overlap(size, size, 1, 0), apart(size, size, 1, 0), outside(size, size, 1, 0);
    splat_fresh_patches({10 + dx, 10}, {10 + dx, 10}, overlap, 127, rng);
    splat_fresh_patches({25, 10}, {25, 10}, apart, 127, rng);
    splat_fresh_patches({-1, 10}, {-1, 10}, outside, 127, rng);
    EXPECT_EQ(window(overlap, 10, 10), window(apart, 10, 10)) << dx;
    EXPECT_EQ(window(outside, 10, 10), window(apart, 10, 10)) << dx;
  }
}

TEST(Raster, PatchesClippedAtTheEdgesEqualACropOfALargerCanvas) {
  const int size = 24, margin = 4;
  std::vector<std::int32_t> px, py, qx, qy;
  // Points on and near every edge and corner.
  for (int v : {0, 1, 2, size - 3, size - 2, size - 1})
    for (int w : {0, 1, size / 2, size - 2, size - 1}) {
      px.push_back(v);
      py.push_back(w);
      px.push_back(w);
      py.push_back(v);
    }
  for (std::size_t i = 0; i < px.size(); ++i) {
    qx.push_back(px[i] + margin);
    qy.push_back(py[i] + margin);
  }
  for (int channels : {1, 3}) {
    Image small(size, size, channels, 0), large(size + 2 * margin, size + 2 * margin, channels, 0);
    splat_fresh_patches(px, py, small, 127, Rng(2));
    splat_fresh_patches(qx, qy, large, 127, Rng(2));
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        for (int c = 0; c < channels; ++c)
          ASSERT_EQ(small.at(x, y, c), large.at(x + margin, y + margin, c)) << x << "," << y;
  }
}

TEST(Raster, RgbPatchesEqualGrayPatchesInEveryChannel) {
  std::vector<std::int32_t> px, py;
  pixels_of(test_systems()[3], 3000, 64, 4, px, py);
  Image gray(64, 64, 1, 0), rgb(64, 64, 3, 0);
  splat_fresh_patches(px, py, gray, 99, Rng(3));
  splat_fresh_patches(px, py, rgb, 99, Rng(3));
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(rgb.at(x, y, c), gray.at(x, y));
}

TEST(Raster, RandomPatchMaskHitsEveryNonEmptyMask) {
  Rng rng(10);
  std::vector<int> counts(512, 0);
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t m = random_patch_mask(rng);
    ASSERT_GT(m, 0u);
    ASSERT_LT(m, 512u);
    ++counts[m];
  }
  EXPECT_EQ(counts[0], 0);
  int lo = n, hi = 0;
  for (int m = 1; m < 512; ++m) {
    EXPECT_GT(counts[m], 0) << "mask " << m;
    lo = std::min(lo, counts[m]);
    hi = std::max(hi, counts[m]);
  }
  // Expected ~196 each (sd ~14): uniform within a loose band.
  EXPECT_GT(lo, 120);
  EXPECT_LT(hi, 280);
}

TEST(Raster, HitCountsSumToThePointsInsideTheCanvas) {
  for (const Ifs2& ifs : test_systems()) {
    const Orbit2 o = orbit_of(ifs, 30000, 2);
    std::vector<std::int32_t> px, py;
    // A zoomed window pushes part of the orbit off the canvas.
    to_pixels(o, window_transform(o, 100, 100, 0.1, -0.1, 0.6), px, py);
    std::vector<std::uint32_t> counts;
    count_hits(px, py, 100, 100, counts);
    ASSERT_EQ(counts.size(), 100u * 100u);
    std::uint64_t sum = 0;
    for (auto c : counts) sum += c;
    std::uint64_t inside = 0;
    for (std::size_t i = 0; i < px.size(); ++i) inside += px[i] >= 0;
    EXPECT_EQ(sum, inside);
    EXPECT_LT(inside, px.size());
    // Per pixel too.
    std::vector<std::uint32_t> brute(100 * 100, 0);
    for (std::size_t i = 0; i < px.size(); ++i)
      if (px[i] >= 0) ++brute[static_cast<std::size_t>(py[i]) * 100 + px[i]];
    EXPECT_EQ(counts, brute);
  }
}

TEST(Raster, OrbitSplatEqualsPixelArraysOnABackground) {
  // The orbit splat sends off-canvas points to pixel 0 and restores it afterwards: pixel 0 must
  // keep its background unless a point inside the canvas hits it. Windows: zoomed in (points off
  // the canvas), the plain box (the point at (min x, max y) lands on pixel 0), shifted.
  const Orbit2 corner = orbit_from({0.0f, 1.0f, 0.5f, 7.0f}, {1.0f, 0.0f, 0.5f, 0.2f});
  for (int channels : {1, 3})
    for (int w : {100, 37}) {
      std::vector<std::pair<Orbit2, PixelTransform>> cases;
      for (const Ifs2& ifs : test_systems()) {
        const Orbit2 o = orbit_of(ifs, 30000, 4);
        cases.emplace_back(o, window_transform(o, w, w, 0.1, -0.1, 0.6));
        cases.emplace_back(o, window_transform(o, w, w));
        cases.emplace_back(o, window_transform(o, w, w, 0.2, 0.2, 0.5));
      }
      cases.emplace_back(corner, window_transform(corner, w, w));
      cases.emplace_back(corner, window_transform(corner, w, w, 0.3, 0.0, 0.5));
      int zero_hits = 0;
      for (const auto& [o, t] : cases) {
        Image want(w, w, channels, 40), got(w, w, channels, 40);
        std::vector<std::int32_t> px, py;
        to_pixels(o, t, px, py);
        splat_points(px, py, want, 200);
        splat_points(o, t, got, 200);
        EXPECT_EQ(got.pixels, want.pixels) << "channels " << channels << " width " << w;
        zero_hits += want.pixels[0] == 200;
      }
      EXPECT_GT(zero_hits, 0);  // both outcomes for pixel 0 were exercised
      EXPECT_LT(zero_hits, static_cast<int>(cases.size()));
    }
}

TEST(Raster, OrientedOrbitSplatEqualsOrientingTheSplat) {
  for (int channels : {1, 3})
    for (auto [w, h] : {std::pair{64, 64}, std::pair{50, 31}})
      for (const Ifs2& ifs : test_systems()) {
        const Orbit2 o = orbit_of(ifs, 20000, 6);
        for (const PixelTransform& t : {window_transform(o, w, h), window_transform(o, w, h, 0.15, -0.1, 0.6)})
          for (int f = 0; f < 8; ++f) {
            const Orientation orient_by{(f & 1) != 0, (f & 2) != 0, (f & 4) != 0};
            Image want(w, h, channels, 30);
            splat_points(o, t, want, 220);
            orient(want, orient_by.transpose, orient_by.flip_v, orient_by.flip_h);
            Image got(want.width, want.height, channels, 30);
            splat_points(o, t, got, 220, orient_by);
            EXPECT_EQ(got.pixels, want.pixels) << w << "x" << h << " orientation " << f;
          }
      }
  // An image of the wrong (unoriented) shape is refused, not written out of bounds.
  const Orbit2 o = orbit_of(test_systems()[0], 1000);
  Image wrong(50, 31, 1, 0);
  EXPECT_THROW(splat_points(o, window_transform(o, 50, 31), wrong, 1, Orientation{true, false, false}), Error);
}

/// The bitmap as a 0/255 gray image.
Image bits_to_image(const Bitmap& b) {
  Image im(b.width, b.height, 1, 0);
  for (int y = 0; y < b.height; ++y)
    for (int x = 0; x < b.width; ++x) im.at(x, y) = b.test(x, y) ? 255 : 0;
  return im;
}

TEST(Raster, BitmapSplatAndDilationEqualTheByteImageOnes) {
  // Widths below, at and above a 64-bit word, and one of several words plus a remainder.
  for (auto [w, h] : {std::pair{50, 31}, std::pair{64, 64}, std::pair{65, 20}, std::pair{224, 224}})
    for (const Ifs2& ifs : test_systems()) {
      const Orbit2 o = orbit_of(ifs, 20000, 8);
      for (const PixelTransform& t : {window_transform(o, w, h), window_transform(o, w, h, 0.15, -0.1, 0.6)})
        for (int f = 0; f < 8; ++f) {
          const Orientation ob{(f & 1) != 0, (f & 2) != 0, (f & 4) != 0};
          Image want(w, h, 1, 0);
          splat_points(o, t, want, 255);
          orient(want, ob.transpose, ob.flip_v, ob.flip_h);
          Bitmap bits;
          bits.reset(want.width, want.height);
          splat_bits(o, t, bits, ob);
          ASSERT_EQ(bits_to_image(bits).pixels, want.pixels) << w << "x" << h << " orientation " << f;
          for (std::uint32_t mask : {1u << 4, 1u, 4u, 64u, 256u, 0x1ffu, 0x0aau, 0x145u}) {
            Bitmap dilated;
            dilate_bits(bits, mask, dilated);
            EXPECT_EQ(bits_to_image(dilated).pixels, dilate_mask(want, mask).pixels)
                << w << "x" << h << " orientation " << f << " mask " << mask;
            // Padding bits stay clear.
            const int tail = dilated.width % 64;
            for (int y = 0; tail && y < dilated.height; ++y)
              EXPECT_EQ(dilated.words[static_cast<std::size_t>(y + 1) * dilated.words_per_row - 1] >> tail, 0u);
          }
        }
    }
  Bitmap wrong;
  wrong.reset(31, 50);
  const Orbit2 o = orbit_of(test_systems()[0], 100);
  EXPECT_THROW(splat_bits(o, window_transform(o, 31, 49), wrong), Error);
}

TEST(Raster, WindowTransformPutsTheBoxOnTheWholeCanvas) {
  const Orbit2 o = orbit_from({-2.0f, 2.0f, 0.0f}, {1.0f, 5.0f, 3.0f});
  std::vector<std::int32_t> px, py;
  to_pixels(o, window_transform(o, 65, 65), px, py);
  EXPECT_EQ(px[0], 0);
  EXPECT_EQ(px[1], 64);
  EXPECT_EQ(py[0], 64);
  EXPECT_EQ(py[1], 0);
  EXPECT_EQ(px[2], 32);
  EXPECT_EQ(py[2], 32);
}

}  // namespace
}  // namespace fdsl
