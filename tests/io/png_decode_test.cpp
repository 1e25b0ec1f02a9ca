// decode_png's fast path (libdeflate + fdsl's unfiltering, for 8-bit non-interlaced gray/RGB(A);
// decode_label_png's for 8- and 16-bit gray)
// against libpng alone: PNGs built here with every filter type row by row, split IDATs and
// ancillary chunks decode to the same pixels; and for thousands of damaged files both accept
// exactly the same ones, with the same pixels (the fast path never changes what is accepted).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/io/png.h"

namespace fdsl {
namespace {

void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

void chunk(std::vector<std::uint8_t>& b, const char* type, const std::vector<std::uint8_t>& body) {
  put32(b, static_cast<std::uint32_t>(body.size()));
  const std::size_t start = b.size();
  b.insert(b.end(), type, type + 4);
  b.insert(b.end(), body.begin(), body.end());
  put32(b, static_cast<std::uint32_t>(crc32(0, b.data() + start, static_cast<uInt>(b.size() - start))));
}

int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

struct Built {
  std::vector<std::uint8_t> png;
  std::vector<std::uint8_t> pixels;  // what decode_png must give: gray or RGB, alpha dropped
  int channels = 0;
};

/// A PNG of random smooth-and-noisy pixels, each row with a random filter, the zlib stream cut
/// into random IDAT chunks, a tEXt chunk before them and a tIME chunk after; `depth` 16 only for
/// gray (then `pixels` holds the big-endian sample bytes).
Built build_png(int w, int h, int color, Rng& rng, int depth = 8) {
  const int in_c = (color == 0 ? 1 : color == 2 ? 3 : color == 4 ? 2 : 4) * depth / 8;
  const std::size_t stride = static_cast<std::size_t>(w) * in_c;
  std::vector<std::uint8_t> img(stride * h);
  for (std::size_t i = 0; i < img.size(); ++i)
    img[i] = static_cast<std::uint8_t>(rng.uniform_int(0, 3) == 0 ? rng.uniform_int(0, 255) : (i / in_c) % 251);
  std::vector<std::uint8_t> raw;
  for (int y = 0; y < h; ++y) {
    const int f = static_cast<int>(rng.uniform_int(0, 4));
    raw.push_back(static_cast<std::uint8_t>(f));
    const std::uint8_t* r = img.data() + y * stride;
    const std::uint8_t* up = y ? r - stride : nullptr;
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<std::size_t>(in_c) ? r[i - in_c] : 0, b = up ? up[i] : 0,
                c = up && i >= static_cast<std::size_t>(in_c) ? up[i - in_c] : 0;
      const int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
      raw.push_back(static_cast<std::uint8_t>(r[i] - pred));
    }
  }
  uLongf zn = compressBound(static_cast<uLong>(raw.size()));
  std::vector<std::uint8_t> z(zn);
  EXPECT_EQ(compress2(z.data(), &zn, raw.data(), static_cast<uLong>(raw.size()), 6), Z_OK);
  z.resize(zn);
  Built out;
  const std::uint8_t sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  out.png.assign(sig, sig + 8);
  std::vector<std::uint8_t> ihdr;
  put32(ihdr, static_cast<std::uint32_t>(w));
  put32(ihdr, static_cast<std::uint32_t>(h));
  ihdr.insert(ihdr.end(), {static_cast<std::uint8_t>(depth), static_cast<std::uint8_t>(color), 0, 0, 0});
  chunk(out.png, "IHDR", ihdr);
  chunk(out.png, "tEXt", {'k', 0, 'v'});
  for (std::size_t p = 0; p < z.size();) {
    const std::size_t n = std::min<std::size_t>(z.size() - p, static_cast<std::size_t>(rng.uniform_int(1, 64)));
    chunk(out.png, "IDAT", std::vector<std::uint8_t>(z.begin() + p, z.begin() + p + n));
    p += n;
  }
  chunk(out.png, "tIME", {7, 234, 1, 2, 3, 4, 5});
  chunk(out.png, "IEND", {});
  out.channels = (color & 2) ? 3 : 1;
  if (depth == 16) {
    out.pixels = img;
    return out;
  }
  for (int i = 0; i < w * h; ++i)
    for (int k = 0; k < out.channels; ++k) out.pixels.push_back(img[static_cast<std::size_t>(i) * in_c + k]);
  return out;
}

TEST(PngDecode, EveryFilterAndColorTypeGivesTheSamePixelsAsLibpng) {
  Rng rng(17);
  for (int color : {0, 2, 4, 6})
    for (auto [w, h] : {std::pair{1, 1}, {7, 5}, {64, 33}, {300, 2}}) {
      const Built b = build_png(w, h, color, rng);
      const Image fast = decode_png(b.png.data(), b.png.size(), "built");
      const Image slow = detail::decode_png_with_libpng(b.png.data(), b.png.size(), "built");
      ASSERT_EQ(fast.width, w);
      ASSERT_EQ(fast.height, h);
      ASSERT_EQ(fast.channels, b.channels) << "color type " << color;
      EXPECT_EQ(fast.pixels, b.pixels) << "color type " << color << " " << w << "x" << h;
      EXPECT_EQ(slow.pixels, b.pixels) << "libpng, color type " << color;
    }
}

TEST(PngDecode, FdslsOwnFilesDecodeAlike) {
  Rng rng(3);
  for (int c : {1, 3})
    for (PngFilter f : {PngFilter::None, PngFilter::Sub, PngFilter::Up})
      for (PngEncoder e : {PngEncoder::Libdeflate, PngEncoder::Libpng}) {
        Image im(97, 41, c);
        for (auto& v : im.pixels) v = static_cast<std::uint8_t>(rng.uniform_int(0, 8) == 0 ? 200 : 0);
        PngOptions o;
        o.filter = f;
        o.encoder = e;
        const auto png = encode_png(im, o);
        EXPECT_EQ(decode_png(png.data(), png.size()).pixels, im.pixels);
        EXPECT_EQ(detail::decode_png_with_libpng(png.data(), png.size(), "x").pixels, im.pixels);
      }
}

/// decode_png and libpng alone on the same bytes: both refuse it, or both give the same image.
void expect_same_verdict(const std::vector<std::uint8_t>& b, const std::string& what) {
  bool fast_ok = false, slow_ok = false;
  Image fast, slow;
  try {
    fast = decode_png(b.data(), b.size(), what);
    fast_ok = true;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
  }
  std::string why;
  try {
    slow = detail::decode_png_with_libpng(b.data(), b.size(), what);
    slow_ok = true;
  } catch (const Error& e) {
    why = e.what();
  }
  ASSERT_EQ(fast_ok, slow_ok) << what << ": " << why;
  if (fast_ok) {
    ASSERT_EQ(fast.width, slow.width) << what;
    ASSERT_EQ(fast.channels, slow.channels) << what;
    ASSERT_EQ(fast.pixels, slow.pixels) << what;
  }
}

/// Calls check(bytes, what) for `png` cut at every third byte, then for `mutations` copies with
/// 1-3 random bits flipped after the signature; `of` ends each mutation's name.
template <class Check>
void for_each_damage(const std::vector<std::uint8_t>& png, Rng& rng, int mutations, const std::string& of,
                     Check check) {
  for (std::size_t n = 0; n < png.size(); n += 3)
    check(std::vector<std::uint8_t>(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(n)),
          "cut at " + std::to_string(n));
  for (int k = 0; k < mutations; ++k) {
    std::vector<std::uint8_t> bad = png;
    const int flips = static_cast<int>(rng.uniform_int(1, 3));
    for (int j = 0; j < flips; ++j)
      bad[static_cast<std::size_t>(rng.uniform_int(8, static_cast<std::int64_t>(bad.size()) - 1))] ^=
          static_cast<std::uint8_t>(1u << rng.uniform_int(0, 7));
    check(bad, "mutation " + std::to_string(k) + " " + of);
  }
}

TEST(PngDecode, DamagedFilesAreAcceptedOrRefusedExactlyAsLibpngDoes) {
  Rng rng(29);
  for (int color : {0, 2, 6}) {
    const Built b = build_png(23, 11, color, rng);
    for_each_damage(b.png, rng, 3000, "of color type " + std::to_string(color), expect_same_verdict);
  }
}

// Label maps (8- and 16-bit gray) take the same fast path: the same values, depth and verdicts
// as libpng alone, for every filter and for damaged files.
std::vector<std::uint16_t> label_values(const Built& b, int depth) {
  std::vector<std::uint16_t> v;
  if (depth == 8)
    v.assign(b.pixels.begin(), b.pixels.end());
  else
    for (std::size_t i = 0; i + 1 < b.pixels.size(); i += 2)
      v.push_back(static_cast<std::uint16_t>(b.pixels[i] << 8 | b.pixels[i + 1]));
  return v;
}

TEST(PngDecode, LabelMapsOfEveryFilterAndDepthDecodeAsLibpngDoes) {
  Rng rng(41);
  for (int depth : {8, 16})
    for (auto [w, h] : {std::pair{1, 1}, {7, 5}, {64, 33}, {300, 2}}) {
      const Built b = build_png(w, h, 0, rng, depth);
      int fast_bits = 0, slow_bits = 0;
      const LabelMap fast = decode_label_png(b.png.data(), b.png.size(), "built", &fast_bits);
      const LabelMap slow = detail::decode_label_png_with_libpng(b.png.data(), b.png.size(), "built", &slow_bits);
      ASSERT_EQ(fast.width, w);
      ASSERT_EQ(fast.height, h);
      EXPECT_EQ(fast_bits, depth);
      EXPECT_EQ(slow_bits, depth);
      EXPECT_EQ(fast.bits, depth);
      EXPECT_EQ(slow.bits, depth);
      EXPECT_EQ(fast.values, label_values(b, depth)) << depth << "-bit " << w << "x" << h;
      EXPECT_EQ(slow.values, label_values(b, depth)) << "libpng, " << depth << "-bit";
    }
}

TEST(PngDecode, DamagedLabelMapsAreAcceptedOrRefusedExactlyAsLibpngDoes) {
  Rng rng(43);
  auto verdict = [](const std::vector<std::uint8_t>& bytes, const std::string& what) {
    bool fast_ok = false, slow_ok = false;
    LabelMap fast, slow;
    int fb = 0, sb = 0;
    try {
      fast = decode_label_png(bytes.data(), bytes.size(), what, &fb);
      fast_ok = true;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    }
    try {
      slow = detail::decode_label_png_with_libpng(bytes.data(), bytes.size(), what, &sb);
      slow_ok = true;
    } catch (const Error&) {
    }
    ASSERT_EQ(fast_ok, slow_ok) << what;
    if (fast_ok) {
      ASSERT_EQ(fb, sb) << what;
      ASSERT_EQ(fast.width, slow.width) << what;
      ASSERT_EQ(fast.values, slow.values) << what;
    }
  };
  for (int depth : {8, 16}) {
    const Built b = build_png(19, 9, 0, rng, depth);
    for_each_damage(b.png, rng, 2000, "of a " + std::to_string(depth) + "-bit map", verdict);
  }
  // An RGB file is no label map on either path.
  const Built rgb = build_png(5, 5, 2, rng);
  verdict(rgb.png, "RGB");
  EXPECT_THROW(decode_label_png(rgb.png.data(), rgb.png.size(), "RGB"), Error);
}

}  // namespace
}  // namespace fdsl
