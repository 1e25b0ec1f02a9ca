// Whole-image operations: flips, transpose, dilation, blur, paste, and the plasma field.
#include "fdsl/render/image_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/render/plasma.h"

namespace fdsl {
namespace {

/// A width x height image with distinct-ish pixel values.
Image pattern(int width, int height, int channels, std::uint64_t key = 1) {
  Image im(width, height, channels, 0);
  Rng rng(key);
  for (auto& p : im.pixels) p = static_cast<std::uint8_t>(rng.next_u32() & 255u);
  return im;
}

/// A sparse image: most pixels 0.
Image sparse(int width, int height, int channels, std::uint64_t key = 2) {
  Image im(width, height, channels, 0);
  Rng rng(key);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (rng.uniform() < 0.1)
        for (int c = 0; c < channels; ++c) im.at(x, y, c) = static_cast<std::uint8_t>(1 + rng.uniform_int(0, 254));
  return im;
}

TEST(ImageOps, FlipsAreInvolutions) {
  for (int channels : {1, 3}) {
    for (auto [w, h] : {std::pair{7, 5}, std::pair{8, 8}, std::pair{1, 6}, std::pair{6, 1}}) {
      const Image orig = pattern(w, h, channels);
      Image im = orig;
      flip_vertical(im);
      flip_vertical(im);
      EXPECT_EQ(im.pixels, orig.pixels);
      flip_horizontal(im);
      flip_horizontal(im);
      EXPECT_EQ(im.pixels, orig.pixels);
      for (int f = 0; f < 4; ++f) {
        apply_flip(im, f);
        apply_flip(im, f);
        EXPECT_EQ(im.pixels, orig.pixels) << "flip " << f;
      }
    }
  }
}

TEST(ImageOps, CopyFlippedIsACopyThenTheFlip) {
  // Widths around the 16-byte steps of the gray reversal, and a reused destination of another size.
  for (int channels : {1, 3})
    for (int w : {1, 2, 15, 16, 17, 31, 32, 33, 362})
      for (int h : {1, 2, 5}) {
        const Image src = pattern(w, h, channels, static_cast<std::uint64_t>(w * 10 + h));
        Image dst = pattern(3, 4, 1);
        for (int f = 0; f < 4; ++f) {
          Image want = src;
          apply_flip(want, f);
          copy_flipped(src, dst, f);
          EXPECT_EQ(dst.width, w);
          EXPECT_EQ(dst.height, h);
          EXPECT_EQ(dst.channels, channels);
          EXPECT_EQ(dst.pixels, want.pixels) << w << "x" << h << "x" << channels << " flip " << f;
        }
      }
  // By hand: a 17-wide gray row reversed, the rows swapped.
  Image im(17, 2, 1, 0);
  for (int x = 0; x < 17; ++x)
    im.at(x, 0) = static_cast<std::uint8_t>(x), im.at(x, 1) = static_cast<std::uint8_t>(100 + x);
  Image out;
  copy_flipped(im, out, 3);
  for (int x = 0; x < 17; ++x) {
    EXPECT_EQ(out.at(x, 0), 116 - x);
    EXPECT_EQ(out.at(x, 1), 16 - x);
  }
}

TEST(ImageOps, ApplyFlipMirrorsRowsColumnsOrBoth) {
  for (int channels : {1, 3}) {
    const int w = 7, h = 5;
    const Image orig = pattern(w, h, channels, 3);
    Image none = orig, rows = orig, cols = orig, both = orig;
    apply_flip(none, 0);
    apply_flip(rows, 1);
    apply_flip(cols, 2);
    apply_flip(both, 3);
    EXPECT_EQ(none.pixels, orig.pixels);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < channels; ++c) {
          EXPECT_EQ(rows.at(x, y, c), orig.at(x, h - 1 - y, c));
          EXPECT_EQ(cols.at(x, y, c), orig.at(w - 1 - x, y, c));
          EXPECT_EQ(both.at(x, y, c), orig.at(w - 1 - x, h - 1 - y, c));
        }
    Image v = orig, hz = orig;
    flip_vertical(v);
    flip_horizontal(hz);
    EXPECT_EQ(v.pixels, rows.pixels);
    EXPECT_EQ(hz.pixels, cols.pixels);
  }
}

TEST(ImageOps, TransposeSwapsSidesAndCoordinates) {
  for (int channels : {1, 3}) {
    const Image orig = pattern(9, 4, channels, 4);
    const Image t = transpose(orig);
    EXPECT_EQ(t.width, 4);
    EXPECT_EQ(t.height, 9);
    EXPECT_EQ(t.channels, channels);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 9; ++x)
        for (int c = 0; c < channels; ++c) EXPECT_EQ(t.at(y, x, c), orig.at(x, y, c));
    EXPECT_EQ(transpose(t).pixels, orig.pixels);
  }
}

TEST(ImageOps, TransposeInPlaceEqualsTranspose) {
  for (int channels : {1, 3})
    for (auto [w, h] : {std::pair{7, 7}, std::pair{1, 1}, std::pair{9, 4}}) {
      const Image orig = pattern(w, h, channels, 5);
      Image t = orig;
      transpose_in_place(t);
      const Image want = transpose(orig);
      EXPECT_EQ(t.width, want.width);
      EXPECT_EQ(t.height, want.height);
      EXPECT_EQ(t.pixels, want.pixels);
    }
}

TEST(ImageOps, OrientEqualsTransposeThenFlipsInOnePass) {
  for (int channels : {1, 3})
    for (auto [w, h] : {std::pair{6, 6}, std::pair{9, 4}, std::pair{1, 1}, std::pair{5, 1}, std::pair{1, 5}})
      for (int flags = 0; flags < 8; ++flags) {
        const Image orig = pattern(w, h, channels, 6);
        Image want = orig;
        if (flags & 1) want = transpose(want);
        if (flags & 2) flip_vertical(want);
        if (flags & 4) flip_horizontal(want);
        Image got = orig;
        orient(got, flags & 1, flags & 2, flags & 4);
        EXPECT_EQ(got.width, want.width);
        EXPECT_EQ(got.height, want.height);
        EXPECT_EQ(got.pixels, want.pixels) << "flags " << flags << " channels " << channels;
      }
}

TEST(ImageOps, DilateWithTheCentreBitIsTheIdentity) {
  for (int channels : {1, 3}) {
    const Image orig = sparse(17, 11, channels);
    const Image out = dilate_mask(orig, 1u << 4);
    EXPECT_EQ(out.width, orig.width);
    EXPECT_EQ(out.height, orig.height);
    EXPECT_EQ(out.pixels, orig.pixels);
  }
}

TEST(ImageOps, DilateWithTheFullMaskIsAThreeByThreeMaxFilter) {
  for (int channels : {1, 3}) {
    const Image orig = sparse(19, 13, channels, 5);
    const Image out = dilate_mask(orig, 511u);
    for (int y = 0; y < orig.height; ++y)
      for (int x = 0; x < orig.width; ++x)
        for (int c = 0; c < channels; ++c) {
          std::uint8_t m = 0;
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              const int xx = x + dx, yy = y + dy;
              if (xx >= 0 && xx < orig.width && yy >= 0 && yy < orig.height) m = std::max(m, orig.at(xx, yy, c));
            }
          ASSERT_EQ(out.at(x, y, c), m) << x << "," << y << "," << c;
        }
  }
}

TEST(ImageOps, DilateMovesAPixelByTheMaskCellOffsets) {
  // One bright pixel dilated by a mask lights exactly as many pixels as the mask has bits, in a
  // 3x3 block around it, and the pattern is the mask or its point reflection.
  for (std::uint32_t mask : {1u, 2u, 5u, 0x1a3u, 0x0f0u, 511u}) {
    Image im(9, 9, 1, 0);
    im.at(4, 4) = 200;
    const Image out = dilate_mask(im, mask);
    std::uint32_t seen = 0, reflected = 0;
    int lit = 0;
    for (int y = 0; y < 9; ++y)
      for (int x = 0; x < 9; ++x) {
        if (!out.at(x, y)) continue;
        ++lit;
        EXPECT_EQ(out.at(x, y), 200);
        ASSERT_LE(std::abs(x - 4), 1);
        ASSERT_LE(std::abs(y - 4), 1);
        seen |= 1u << (3 * (y - 3) + (x - 3));
        reflected |= 1u << (3 * (5 - y) + (5 - x));
      }
    EXPECT_EQ(lit, __builtin_popcount(mask));
    EXPECT_TRUE(seen == mask || reflected == mask) << mask;
  }
}

TEST(ImageOps, DilateCountsAgreesWithDilateMask) {
  const int w = 21, h = 14;
  const Image orig = sparse(w, h, 1, 7);
  Rng rng(8);
  for (int k = 0; k < 20; ++k) {
    const std::uint32_t mask = static_cast<std::uint32_t>(rng.uniform_int(1, 511));
    std::vector<std::uint32_t> counts(orig.pixels.begin(), orig.pixels.end());
    dilate_counts(counts, w, h, mask);
    const Image out = dilate_mask(orig, mask);
    for (std::size_t i = 0; i < counts.size(); ++i) ASSERT_EQ(counts[i], out.pixels[i]) << "mask " << mask;
  }
}

TEST(ImageOps, BlurKeepsAConstantImageConstant) {
  for (int channels : {1, 3}) {
    for (int value : {0, 1, 77, 255}) {
      Image im(13, 9, channels, static_cast<std::uint8_t>(value));
      for (double sigma : {0.5, 0.75, 1.0, 2.0}) {
        Image b = im;
        gaussian_blur3(b, sigma);
        for (auto p : b.pixels) ASSERT_EQ(p, value) << "sigma " << sigma;
      }
    }
  }
}

TEST(ImageOps, BlurEqualsTheFixedPointFormulaAtEveryPixel) {
  // Edges replicated; horizontal then vertical weights (k1, k0, k1) with k0 + 2 k1 = 256,
  // rounded once at the end. Sizes down to one pixel, so the row ring's edge cases run.
  for (int channels : {1, 3})
    for (auto [w, h] : {std::pair{1, 1}, std::pair{5, 1}, std::pair{1, 5}, std::pair{2, 2}, std::pair{17, 11}})
      for (double sigma : {0.5, 0.9}) {
        const Image orig = pattern(w, h, channels, static_cast<std::uint64_t>(w * 100 + h));
        Image got = orig;
        gaussian_blur3(got, sigma);
        const double e = std::exp(-1.0 / (2.0 * sigma * sigma));
        const std::uint32_t k1 = static_cast<std::uint32_t>(std::lround(e / (1.0 + 2.0 * e) * 256.0)),
                            k0 = 256 - 2 * k1;
        auto px = [&](int x, int y, int k) -> std::uint32_t {
          return orig.at(std::clamp(x, 0, w - 1), std::clamp(y, 0, h - 1), k);
        };
        auto row = [&](int x, int y, int k) { return k1 * px(x - 1, y, k) + k0 * px(x, y, k) + k1 * px(x + 1, y, k); };
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            for (int k = 0; k < channels; ++k) {
              const std::uint32_t v =
                  (k1 * row(x, y - 1, k) + k0 * row(x, y, k) + k1 * row(x, y + 1, k) + 32768u) >> 16;
              ASSERT_EQ(got.at(x, y, k), v) << w << "x" << h << "x" << channels << " at " << x << "," << y;
            }
      }
}

TEST(ImageOps, BlurSpreadsABrightPixelSymmetrically) {
  for (double sigma : {0.5, 0.8, 1.0}) {
    Image im(9, 9, 1, 0);
    im.at(4, 4) = 255;
    gaussian_blur3(im, sigma);
    const int centre = im.at(4, 4), edge = im.at(3, 4), corner = im.at(3, 3);
    EXPECT_GT(centre, edge);
    EXPECT_GT(edge, corner);
    EXPECT_GT(edge, 0);
    EXPECT_LT(centre, 255);
    EXPECT_EQ(im.at(5, 4), edge);
    EXPECT_EQ(im.at(4, 3), edge);
    EXPECT_EQ(im.at(4, 5), edge);
    EXPECT_EQ(im.at(5, 5), corner);
    EXPECT_EQ(im.at(3, 5), corner);
    EXPECT_EQ(im.at(5, 3), corner);
    int total = 0;
    for (int y = 0; y < 9; ++y)
      for (int x = 0; x < 9; ++x) {
        if (std::abs(x - 4) > 1 || std::abs(y - 4) > 1) {
          EXPECT_EQ(im.at(x, y), 0);
        }
        total += im.at(x, y);
      }
    // Mass is kept up to rounding of 9 pixels.
    EXPECT_NEAR(total, 255, 5);
  }
}

TEST(ImageOps, BlurWithZeroSigmaChangesNothing) {
  const Image orig = pattern(8, 8, 3);
  Image im = orig;
  gaussian_blur3(im, 0.0);
  EXPECT_EQ(im.pixels, orig.pixels);
}

TEST(ImageOps, PasteCopiesOnlyNonzeroPixels) {
  Image src(3, 2, 3, 0);
  src.at(0, 0, 0) = 10;  // (10, 0, 0): nonzero
  src.at(1, 0, 1) = 20;  // (0, 20, 0): nonzero
  src.at(2, 1, 0) = 30;
  src.at(2, 1, 1) = 31;
  src.at(2, 1, 2) = 32;
  Image dst(6, 5, 3, 99);
  paste_nonzero(src, dst, 2, 1);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 6; ++x) {
      const int sx = x - 2, sy = y - 1;
      const bool inside = sx >= 0 && sx < 3 && sy >= 0 && sy < 2;
      bool nonzero = false;
      if (inside)
        for (int c = 0; c < 3; ++c) nonzero |= src.at(sx, sy, c) != 0;
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(dst.at(x, y, c), nonzero ? src.at(sx, sy, c) : 99) << x << "," << y << "," << c;
    }
}

TEST(ImageOps, PasteClipsAtEveryEdge) {
  const Image src = sparse(6, 5, 1, 11);
  for (auto [x0, y0] :
       {std::pair{-3, -2}, std::pair{7, 8}, std::pair{-5, 9}, std::pair{-10, 0}, std::pair{20, 20}, std::pair{0, -6}}) {
    Image dst(10, 11, 1, 50);
    paste_nonzero(src, dst, x0, y0);
    for (int y = 0; y < dst.height; ++y)
      for (int x = 0; x < dst.width; ++x) {
        const int sx = x - x0, sy = y - y0;
        const bool inside = sx >= 0 && sx < src.width && sy >= 0 && sy < src.height;
        const std::uint8_t expected = inside && src.at(sx, sy) ? src.at(sx, sy) : 50;
        ASSERT_EQ(dst.at(x, y), expected) << x0 << "," << y0 << " at " << x << "," << y;
      }
  }
}

TEST(ImageOps, PasteRefusesMismatchedChannels) {
  Image src(2, 2, 1, 1), dst(4, 4, 3, 0);
  EXPECT_THROW(paste_nonzero(src, dst, 0, 0), Error);
}

/// The 8 orientations.
std::vector<Orientation> all_orientations() {
  std::vector<Orientation> out;
  for (int f = 0; f < 8; ++f) out.push_back(Orientation{(f & 1) != 0, (f & 2) != 0, (f & 4) != 0});
  return out;
}

TEST(ImageOps, DilatingAnOrientedImageByTheOrientedMaskEqualsOrientingTheDilation) {
  for (int channels : {1, 3})
    for (auto [w, h] : {std::pair{17, 11}, std::pair{8, 8}})
      for (std::uint32_t mask : {1u, 2u, 6u, 0x5au, 0x123u, 0x1c0u, 0x1ffu})
        for (const Orientation o : all_orientations()) {
          const Image im = sparse(w, h, channels, mask);
          Image want = dilate_mask(im, mask);
          orient(want, o.transpose, o.flip_v, o.flip_h);
          Image oriented = im;
          orient(oriented, o.transpose, o.flip_v, o.flip_h);
          const Image got = dilate_mask(oriented, orient_mask(mask, o));
          EXPECT_EQ(got.pixels, want.pixels) << "mask " << mask << " t" << o.transpose << o.flip_v << o.flip_h;
        }
  // Bits keep their count; the identity keeps the mask.
  for (std::uint32_t mask = 1; mask < 512; ++mask) {
    EXPECT_EQ(orient_mask(mask, Orientation{}), mask);
    for (const Orientation o : all_orientations())
      EXPECT_EQ(__builtin_popcount(orient_mask(mask, o)), __builtin_popcount(mask));
  }
}

TEST(Plasma, OrientedBackgroundEqualsOrientingTheBackground) {
  for (auto [w, h] : {std::pair{48, 40}, std::pair{33, 65}, std::pair{224, 224}, std::pair{1, 5}})
    for (const Orientation o : all_orientations()) {
      Image want = plasma_background(w, h, Rng(11));
      orient(want, o.transpose, o.flip_v, o.flip_h);
      const Image got = plasma_background(w, h, Rng(11), o);
      EXPECT_EQ(got.width, want.width);
      EXPECT_EQ(got.height, want.height);
      EXPECT_EQ(got.pixels, want.pixels) << w << "x" << h << " t" << o.transpose << o.flip_v << o.flip_h;
    }
}

TEST(Plasma, BackgroundsKeepTheirBytes) {
  // FNV-1a of 8 backgrounds per size as fdsl 0.2.0 first drew them (the whole grid computed, one
  // hsv_to_rgb call per color level): faster code must give the same pixels.
  struct Want {
    int w, h;
    std::uint64_t hash;
  };
  const Want wants[] = {{224, 224, 0xa0860ed69b0c5efdULL}, {97, 97, 0xa851d573f1d1bee7ULL},
                        {50, 120, 0x67a5a4dab91ca3adULL},  {129, 3, 0x8cce780b5e7b6be7ULL},
                        {1, 1, 0xc0e8c419f584dfedULL},     {2, 2, 0xc364fd804f49f3faULL},
                        {257, 200, 0xb5881df9470496b9ULL}};
  for (const Want& want : wants) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < 8; ++i) {
      const Image im = plasma_background(want.w, want.h, Rng(7, i, 3, Purpose::Orbit));
      for (std::uint8_t b : im.pixels) hash = (hash ^ b) * 1099511628211ULL;
    }
    EXPECT_EQ(hash, want.hash) << want.w << "x" << want.h;
  }
}

TEST(Plasma, FieldIsInTheUnitIntervalAndReachesBothEnds) {
  for (auto [w, h] : {std::pair{64, 64}, std::pair{100, 37}, std::pair{5, 130}}) {
    Rng rng(3, 0, 0, Purpose::Background);
    const std::vector<float> f = plasma_field(w, h, 0.6, rng);
    ASSERT_EQ(f.size(), static_cast<std::size_t>(w) * h);
    const auto [lo, hi] = std::minmax_element(f.begin(), f.end());
    EXPECT_EQ(*lo, 0.0f);
    EXPECT_EQ(*hi, 1.0f);
    for (float v : f) {
      ASSERT_GE(v, 0.0f);
      ASSERT_LE(v, 1.0f);
    }
  }
}

TEST(Plasma, RowsOfMoreThanABlockOfDrawsWork) {
  // Past 1025 px a grid row takes more draws than one refill makes (513+ cells at the finest
  // level): the draws must come from as many blocks as needed, not run past the buffer (this
  // smashed the stack at 1026 px). Sizes up to 8193 px wide, kept short to stay cheap.
  for (auto [w, h] :
       {std::pair{1026, 3}, std::pair{1100, 40}, std::pair{2049, 5}, std::pair{4100, 2}, std::pair{8193, 2}}) {
    Rng a(9, 0, 0, Purpose::Background), b(9, 0, 0, Purpose::Background);
    const std::vector<float> f = plasma_field(w, h, 0.6, a);
    EXPECT_EQ(f, plasma_field(w, h, 0.6, b)) << w << "x" << h;
    const auto [lo, hi] = std::minmax_element(f.begin(), f.end());
    EXPECT_EQ(*lo, 0.0f);
    EXPECT_EQ(*hi, 1.0f);
    // The far end of the rows holds a field too (not the same value over and over).
    std::set<float> tail(f.end() - 200, f.end());
    EXPECT_GT(tail.size(), 50u) << w << "x" << h;
    const Image im = plasma_background(w, h, Rng(4));
    EXPECT_EQ(im.pixels, plasma_background(w, h, Rng(4)).pixels);
  }
}

TEST(Plasma, FieldIsDeterministicForTheSameStream) {
  Rng a(5, 1, 2, Purpose::Background), b(5, 1, 2, Purpose::Background), c(5, 1, 3, Purpose::Background);
  const auto fa = plasma_field(80, 60, 0.5, a);
  const auto fb = plasma_field(80, 60, 0.5, b);
  const auto fc = plasma_field(80, 60, 0.5, c);
  EXPECT_EQ(fa, fb);
  EXPECT_EQ(a.position(), b.position());
  EXPECT_NE(fa, fc);
}

TEST(Plasma, BackgroundIsDeterministicRgb) {
  const Image a = plasma_background(48, 40, Rng(7));
  const Image b = plasma_background(48, 40, Rng(7));
  const Image c = plasma_background(48, 40, Rng(8));
  EXPECT_EQ(a.width, 48);
  EXPECT_EQ(a.height, 40);
  EXPECT_EQ(a.channels, 3);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_NE(a.pixels, c.pixels);
}

}  // namespace
}  // namespace fdsl

TEST(ImageOps, InterleavedToPlanarSplitsChannels) {
  for (int channels : {1, 3, 4})
    for (std::int64_t pixels : {0, 1, 15, 16, 17, 50176, 50183}) {
      std::vector<std::uint8_t> src(static_cast<std::size_t>(pixels * channels)), got(src.size(), 0xee);
      for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<std::uint8_t>(i * 7 + i / 3);
      fdsl::interleaved_to_planar(src.data(), pixels, channels, got.data());
      for (int c = 0; c < channels; ++c)
        for (std::int64_t i = 0; i < pixels; ++i)
          ASSERT_EQ(got[static_cast<std::size_t>(c * pixels + i)], src[static_cast<std::size_t>(i * channels + c)])
              << channels << " channels, " << pixels << " pixels, pixel " << i << " channel " << c;
    }
}
