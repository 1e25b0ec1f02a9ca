#include "fdsl/io/png.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"
#include "test_support.h"

namespace fdsl {
namespace {

using test::TempDir;

/// A test image mixing flat runs (like renders) with noise (so every byte value and filter
/// path is exercised).
Image make_image(int width, int height, int channels, unsigned seed) {
  Image image(width, height, channels, 0);
  std::mt19937 rng(seed);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        std::uint8_t v;
        if ((x / 5 + y / 3) % 3 == 0)
          v = 0;
        else if ((x / 7) % 2 == 0)
          v = static_cast<std::uint8_t>(127 + c);
        else
          v = static_cast<std::uint8_t>(rng());
        image.at(x, y, c) = v;
      }
    }
  }
  return image;
}

struct Size {
  int width, height;
};
const Size kSizes[] = {{1, 1}, {2, 3}, {7, 5}, {33, 17}, {101, 1}, {1, 64}, {362, 362}, {224, 224}};
/// Every encoder this build has (ISA-L is optional at build time; the README's install has it).
const std::vector<PngEncoder> kEncoders = [] {
  std::vector<PngEncoder> all = {PngEncoder::Libpng, PngEncoder::Libdeflate, PngEncoder::Runs};
  if (png_encoder_available(PngEncoder::Isal)) all.push_back(PngEncoder::Isal);
  return all;
}();
const PngFilter kFilters[] = {PngFilter::None, PngFilter::Sub, PngFilter::Up};

std::string encoder_name(PngEncoder e) {
  return e == PngEncoder::Libpng       ? "libpng"
         : e == PngEncoder::Libdeflate ? "libdeflate"
         : e == PngEncoder::Runs       ? "runs"
                                       : "isal";
}

std::string filter_name(PngFilter f) {
  switch (f) {
    case PngFilter::None:
      return "none";
    case PngFilter::Sub:
      return "sub";
    case PngFilter::Up:
      return "up";
  }
  return "?";
}

/// The chunk types of a PNG in order (checks the framing along the way).
std::vector<std::string> chunk_types(const std::vector<std::uint8_t>& png) {
  std::vector<std::string> types;
  std::size_t pos = 8;
  while (pos + 12 <= png.size()) {
    std::uint32_t length = (std::uint32_t{png[pos]} << 24) | (std::uint32_t{png[pos + 1]} << 16) |
                           (std::uint32_t{png[pos + 2]} << 8) | png[pos + 3];
    types.emplace_back(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    pos += 12 + length;
  }
  EXPECT_EQ(pos, png.size()) << "chunks do not end exactly at the end of the file";
  return types;
}

TEST(Png, RoundTripThroughDecodeBothEncodersAllFilters) {
  std::vector<std::uint8_t> out;  // reused across calls, as callers are told to
  for (PngEncoder encoder : kEncoders) {
    for (int channels : {1, 3}) {
      for (const Size& size : kSizes) {
        for (PngFilter filter : kFilters) {
          SCOPED_TRACE(encoder_name(encoder) + " " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                       "x" + std::to_string(channels) + " " + filter_name(filter));
          Image image = make_image(size.width, size.height, channels, 7);
          PngOptions options;
          options.encoder = encoder;
          options.filter = filter;
          encode_png(image, options, out);
          Image back = decode_png(out.data(), out.size());
          EXPECT_EQ(back.width, image.width);
          EXPECT_EQ(back.height, image.height);
          EXPECT_EQ(back.channels, image.channels);
          EXPECT_TRUE(back.pixels == image.pixels);
        }
      }
    }
  }
}

TEST(Png, RoundTripAtEveryLevel) {
  Image gray = make_image(45, 31, 1, 3);
  Image rgb = make_image(45, 31, 3, 4);
  for (PngEncoder encoder : kEncoders) {
    const int max_level = png_max_level(encoder);
    for (int level = 0; level <= max_level; ++level) {
      SCOPED_TRACE(encoder_name(encoder) + " level " + std::to_string(level));
      for (const Image* image : {&gray, &rgb}) {
        PngOptions options;
        options.encoder = encoder;
        options.level = level;
        std::vector<std::uint8_t> png = encode_png(*image, options);
        EXPECT_TRUE(decode_png(png.data(), png.size()).pixels == image->pixels);
      }
    }
  }
  for (PngStrategy strategy : {PngStrategy::Auto, PngStrategy::Default, PngStrategy::Rle}) {
    PngOptions options;
    options.encoder = PngEncoder::Libpng;
    options.strategy = strategy;
    std::vector<std::uint8_t> png = encode_png(rgb, options);
    EXPECT_TRUE(decode_png(png.data(), png.size()).pixels == rgb.pixels);
  }
}

/// Writes every encoder x channels x size x filter as .png plus the raw pixels as .raw, then
/// lets Pillow decode each PNG and compare.
void check_with_pillow(PngEncoder encoder) {
  TempDir dir("fdsl-png-pillow");
  std::string manifest;
  int count = 0;
  for (int channels : {1, 3}) {
    for (const Size& size : kSizes) {
      for (PngFilter filter : kFilters) {
        Image image = make_image(size.width, size.height, channels, 11 + count);
        PngOptions options;
        options.encoder = encoder;
        options.filter = filter;
        std::string name = "img" + std::to_string(count++);
        write_file_atomic(dir / (name + ".png"), encode_png(image, options));
        write_file_atomic(dir / (name + ".raw"), std::span<const std::uint8_t>(image.pixels));
        manifest += name + " " + std::to_string(size.width) + " " + std::to_string(size.height) + " " +
                    std::to_string(channels) + "\n";
      }
    }
  }
  write_file_atomic(dir / "manifest.txt", manifest);
  const std::string code = R"PY(
import sys, os
import numpy as np
from PIL import Image
folder = sys.argv[1]
checked = 0
for line in open(os.path.join(folder, "manifest.txt")):
    name, w, h, c = line.split()
    w, h, c = int(w), int(h), int(c)
    im = Image.open(os.path.join(folder, name + ".png"))
    im.load()
    want_mode = "L" if c == 1 else "RGB"
    if im.mode != want_mode or im.size != (w, h):
        print("MISMATCH", name, im.mode, im.size, "expected", want_mode, (w, h))
        sys.exit(1)
    pixels = np.asarray(im, dtype=np.uint8).tobytes()
    raw = open(os.path.join(folder, name + ".raw"), "rb").read()
    if pixels != raw:
        print("MISMATCH pixels", name)
        sys.exit(1)
    checked += 1
print("pillow ok", checked)
)PY";
  test::CommandResult result = test::run_python(code, test::shell_quote(dir.path().string()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("pillow ok " + std::to_string(count)), std::string::npos) << result.output;
}

TEST(Png, LibdeflateOutputReadsBackInPillow) { check_with_pillow(PngEncoder::Libdeflate); }

TEST(Png, LibpngOutputReadsBackInPillow) { check_with_pillow(PngEncoder::Libpng); }

TEST(Png, RunsOutputReadsBackInPillow) { check_with_pillow(PngEncoder::Runs); }

TEST(Png, IsalOutputReadsBackInPillow) {
  if (!png_encoder_available(PngEncoder::Isal)) GTEST_SKIP() << "built without ISA-L (Debian: libisal-dev)";
  check_with_pillow(PngEncoder::Isal);
}

TEST(Png, IsalWritesTheSamePixelsAsLibdeflateAtEveryLevelAndFilter) {
  if (!png_encoder_available(PngEncoder::Isal)) GTEST_SKIP() << "built without ISA-L (Debian: libisal-dev)";
  // Flat, noisy and incompressible rows (the last makes ISA-L need more than the stored bound).
  std::mt19937 rng(5);
  Image noise(300, 200, 3);
  for (auto& v : noise.pixels) v = static_cast<std::uint8_t>(rng());
  for (const Image& image : {make_image(362, 362, 1, 8), make_image(224, 224, 3, 9), noise}) {
    PngOptions deflate;
    const Image want = decode_png(encode_png(image, deflate).data(), encode_png(image, deflate).size());
    for (int level = 0; level <= 3; ++level)
      for (PngFilter filter : kFilters) {
        PngOptions o;
        o.encoder = PngEncoder::Isal;
        o.level = level;
        o.filter = filter;
        const std::vector<std::uint8_t> png = encode_png(image, o);
        EXPECT_TRUE(decode_png(png.data(), png.size()).pixels == want.pixels)
            << "level " << level << " " << filter_name(filter);
      }
  }
}

TEST(Png, OutputIsDeterministic) {
  Image gray = make_image(362, 362, 1, 21);
  Image rgb = make_image(224, 224, 3, 22);
  for (PngEncoder encoder : kEncoders) {
    PngOptions options;
    options.encoder = encoder;
    for (const Image* image : {&gray, &rgb}) {
      std::vector<std::uint8_t> first = encode_png(*image, options);
      // A reused vector that held a bigger and then a smaller image must not change the bytes.
      std::vector<std::uint8_t> reused;
      encode_png(make_image(400, 300, 3, 1), options, reused);
      encode_png(make_image(3, 2, 1, 1), options, reused);
      encode_png(*image, options, reused);
      EXPECT_EQ(first, reused) << encoder_name(encoder);
      EXPECT_EQ(first, encode_png(*image, options)) << encoder_name(encoder);
    }
  }
}

TEST(Png, WritesOnlyCriticalChunksWithTheRightColorType) {
  for (PngEncoder encoder : kEncoders) {
    for (int channels : {1, 3}) {
      PngOptions options;
      options.encoder = encoder;
      std::vector<std::uint8_t> png = encode_png(make_image(50, 40, channels, 5), options);
      ASSERT_GT(png.size(), 33u);
      const std::uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
      EXPECT_EQ(std::memcmp(png.data(), signature, 8), 0);
      std::vector<std::string> types = chunk_types(png);
      ASSERT_GE(types.size(), 3u);
      EXPECT_EQ(types.front(), "IHDR");
      EXPECT_EQ(types.back(), "IEND");
      for (std::size_t i = 1; i + 1 < types.size(); ++i) EXPECT_EQ(types[i], "IDAT");
      EXPECT_EQ(png[8 + 8 + 8], 8) << "bit depth";
      EXPECT_EQ(png[8 + 8 + 9], channels == 1 ? 0 : 2) << "color type";
      // The CRC of IHDR matches (libdeflate writer computes its own).
      EXPECT_EQ(crc32(std::span<const std::uint8_t>(png.data() + 12, 17)), (std::uint32_t{png[29]} << 24) |
                                                                               (std::uint32_t{png[30]} << 16) |
                                                                               (std::uint32_t{png[31]} << 8) | png[32]);
    }
  }
}

TEST(Png, DecodeOfGarbageThrowsBadInput) {
  std::mt19937 rng(1);
  std::vector<std::uint8_t> garbage(1000);
  for (auto& b : garbage) b = static_cast<std::uint8_t>(rng());
  try {
    decode_png(garbage.data(), garbage.size(), "garbage.png");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("garbage.png"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode_png(nullptr, 0), Error);
  std::vector<std::uint8_t> short_data = {137, 80, 78};
  EXPECT_THROW(decode_png(short_data.data(), short_data.size()), Error);
}

TEST(Png, DecodeOfDamagedPngThrowsBadInput) {
  std::vector<std::uint8_t> png = encode_png(make_image(64, 64, 3, 9));
  auto expect_bad = [](const std::vector<std::uint8_t>& bytes, const std::string& what) {
    try {
      decode_png(bytes.data(), bytes.size(), what);
      ADD_FAILURE() << what << ": expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  // Signature intact, data cut in the middle of IDAT.
  expect_bad(std::vector<std::uint8_t>(png.begin(), png.begin() + png.size() / 2), "truncated.png");
  // Only the signature and part of IHDR.
  expect_bad(std::vector<std::uint8_t>(png.begin(), png.begin() + 20), "header-only.png");
  // A flipped byte inside IDAT breaks its CRC.
  std::vector<std::uint8_t> flipped = png;
  flipped[33 + 8 + 5] ^= 0xff;
  expect_bad(flipped, "flipped.png");
  // An IHDR width of zero.
  std::vector<std::uint8_t> zero_width = png;
  std::memset(&zero_width[16], 0, 4);
  expect_bad(zero_width, "zero-width.png");
}

TEST(Png, DecodeOfMutatedPngEitherDecodesOrThrowsBadInput) {
  // Random byte flips and cuts must end in an image or an fdsl::Error, never a crash.
  std::vector<std::uint8_t> png = encode_png(make_image(40, 30, 3, 2));
  std::mt19937 rng(12);
  int errors = 0;
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<std::uint8_t> bytes = png;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[8 + rng() % (bytes.size() - 8)] = static_cast<std::uint8_t>(rng());
    if (rng() % 4 == 0) bytes.resize(8 + rng() % (bytes.size() - 8));
    try {
      Image image = decode_png(bytes.data(), bytes.size(), "mutated.png");
      EXPECT_EQ(image.pixels.size(), image.stride() * static_cast<std::size_t>(image.height));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
      ++errors;
    }
  }
  EXPECT_GT(errors, 400);  // CRCs catch nearly every change
}

TEST(Png, ReadPngNamesTheMissingFile) {
  TempDir dir("fdsl-png");
  try {
    read_png(dir / "missing.png");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("missing.png"), std::string::npos) << e.what();
  }
  test::write_text(dir / "text.png", "not a png at all");
  try {
    read_png(dir / "text.png");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("text.png"), std::string::npos) << e.what();
  }
}

TEST(Png, ReadPngDecodesOtherPillowFormats) {
  // Pillow writes gray+alpha, RGBA, palette, 1-bit and 16-bit files; fdsl reads each into gray
  // or RGB without alpha, matching what Pillow itself decodes.
  TempDir dir("fdsl-png-formats");
  const std::string code = R"PY(
import sys, os
import numpy as np
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(3)
rgb = rng.integers(0, 256, (13, 17, 3), dtype=np.uint8)
gray = rng.integers(0, 256, (13, 17), dtype=np.uint8)
alpha = rng.integers(0, 256, (13, 17), dtype=np.uint8)
def save(name, im, expected):
    im.save(os.path.join(d, name + ".png"))
    open(os.path.join(d, name + ".raw"), "wb").write(np.ascontiguousarray(expected, dtype=np.uint8).tobytes())
save("la", Image.fromarray(np.dstack([gray, alpha]), "LA"), gray)
save("rgba", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), rgb)
pal = Image.fromarray(rgb).quantize(16)
save("palette", pal, np.asarray(pal.convert("RGB")))
bw = Image.fromarray(gray > 128)
save("onebit", bw, np.asarray(bw.convert("L")))
g16 = (gray.astype(np.uint16) * 257)
save("gray16", Image.fromarray(g16), gray)
interlaced = Image.fromarray(rgb)
interlaced.save(os.path.join(d, "interlaced.png"), interlace=1)
open(os.path.join(d, "interlaced.raw"), "wb").write(rgb.tobytes())
print("written")
)PY";
  test::CommandResult result = test::run_python(code, test::shell_quote(dir.path().string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  struct Case {
    const char* name;
    int channels;
  };
  for (const Case& c : {Case{"la", 1}, Case{"rgba", 3}, Case{"palette", 3}, Case{"onebit", 1}, Case{"gray16", 1},
                        Case{"interlaced", 3}}) {
    SCOPED_TRACE(c.name);
    Image image = read_png(dir / (std::string(c.name) + ".png"));
    EXPECT_EQ(image.width, 17);
    EXPECT_EQ(image.height, 13);
    EXPECT_EQ(image.channels, c.channels);
    EXPECT_TRUE(image.pixels == read_file(dir / (std::string(c.name) + ".raw")));
  }
}

TEST(Png, EncodeRejectsBadImagesAndLevels) {
  auto expect_bad = [](const Image& image, const PngOptions& options) {
    try {
      encode_png(image, options);
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    }
  };
  Image two_channels;
  two_channels.width = 4;
  two_channels.height = 4;
  two_channels.channels = 2;
  two_channels.pixels.assign(32, 0);
  expect_bad(two_channels, {});
  Image short_pixels(4, 4, 3);
  short_pixels.pixels.resize(10);
  expect_bad(short_pixels, {});
  expect_bad(Image(), {});

  Image fine(4, 4, 1);
  PngOptions options;
  options.level = 13;
  expect_bad(fine, options);
  options.level = -1;
  expect_bad(fine, options);
  options.encoder = PngEncoder::Libpng;
  options.level = 10;
  expect_bad(fine, options);
  options.encoder = PngEncoder::Isal;
  options.level = 4;
  expect_bad(fine, options);  // ISA-L has levels 0-3 (or, built without it, no levels at all)
}

}  // namespace
}  // namespace fdsl
