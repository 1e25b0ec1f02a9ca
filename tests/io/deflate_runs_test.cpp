// deflate_runs_zlib: zlib's own inflate reads every stream back to the input, at every level and
// layout, across block boundaries; the output stays within its bound and its capacity; and the
// bytes are pinned, so a dataset written with png_encoder: runs regenerates byte for byte.
#include "fdsl/io/deflate_runs.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fdsl {
namespace {

std::vector<std::uint8_t> compress(const std::vector<std::uint8_t>& in, int level, RunsLayout layout = {}) {
  std::vector<std::uint8_t> out(deflate_runs_bound(in.size()));
  const std::size_t n = deflate_runs_zlib(in.data(), in.size(), level, layout, out.data(), out.size());
  EXPECT_GT(n, 0u) << "the bound is always enough";
  out.resize(n);
  return out;
}

/// zlib's inflate of a whole zlib stream; fails the test on any error or a wrong size.
std::vector<std::uint8_t> inflate_all(const std::vector<std::uint8_t>& z, std::size_t size) {
  std::vector<std::uint8_t> out(size + 1);
  uLongf n = static_cast<uLongf>(out.size());
  const int r = uncompress(out.data(), &n, z.data(), static_cast<uLong>(z.size()));
  EXPECT_EQ(r, Z_OK) << "zlib's inflate refused the stream";
  out.resize(r == Z_OK ? n : 0);
  return out;
}

struct Case {
  std::string name;
  std::vector<std::uint8_t> data;
  RunsLayout layout;
};

std::vector<Case> cases() {
  std::mt19937 rng(11);
  std::vector<Case> all;
  for (std::size_t n : {0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 17, 258, 259, 261, 1000, 65535, 65536, 65537}) {
    all.push_back({"zeros " + std::to_string(n), std::vector<std::uint8_t>(n, 0), {}});
    std::vector<std::uint8_t> noise(n);
    for (auto& v : noise) v = static_cast<std::uint8_t>(rng());
    all.push_back({"noise " + std::to_string(n), noise, {}});
  }
  // A render's bytes: two values, isolated dots and runs; rows with filter bytes.
  const std::size_t w = 362, h = 362;
  std::vector<std::uint8_t> dots;
  for (std::size_t y = 0; y < h; ++y) {
    dots.push_back(0);
    for (std::size_t x = 0; x < w; ++x) dots.push_back(rng() % 7 == 0 ? 127 : 0);
  }
  all.push_back({"dots 362", dots, {w + 1, 1}});
  // RGB pixels that repeat at distance 3, rows that repeat at one row's distance.
  std::vector<std::uint8_t> rgb;
  for (std::size_t y = 0; y < 100; ++y) {
    rgb.push_back(0);
    for (std::size_t x = 0; x < 120; ++x) {
      const bool ink = ((x / 9) + (y / 5)) % 3 == 0;
      rgb.push_back(ink ? 200 : 0), rgb.push_back(ink ? 40 : 0), rgb.push_back(ink ? 90 : 0);
    }
  }
  all.push_back({"rgb rows", rgb, {361, 3}});
  // Runs of random lengths and values: matches of every length code, across 3 token blocks.
  std::vector<std::uint8_t> runs;
  while (runs.size() < 600000) {
    const std::size_t len = 1 + rng() % 300;
    const auto v = static_cast<std::uint8_t>(rng() % 4);
    runs.insert(runs.end(), len, v);
  }
  all.push_back({"runs", runs, {1001, 1}});
  // More tokens than one block holds (2^16), and literals only.
  std::vector<std::uint8_t> many(300000);
  for (auto& v : many) v = static_cast<std::uint8_t>(rng() % 3);
  all.push_back({"few values", many, {}});
  // A layout whose row is beyond deflate's window: level 2 must not look that far.
  std::vector<std::uint8_t> wide(3 * 40000 + 1, 9);
  for (std::size_t i = 0; i < wide.size(); i += 5) wide[i] = static_cast<std::uint8_t>(rng());
  all.push_back({"wide", wide, {40001 * 3, 3}});
  return all;
}

/// PNG-like scanlines: `rows` lines of a filter byte 0 and `cols` bytes pixel(x, y, r), where r is
/// the next draw (bits 16 and up) of a fixed linear congruential generator seeded with `seed`.
template <class Pixel>
std::vector<std::uint8_t> lcg_scanlines(std::size_t rows, std::size_t cols, std::uint32_t seed, Pixel pixel) {
  std::vector<std::uint8_t> in;
  std::uint32_t state = seed;
  for (std::size_t y = 0; y < rows; ++y) {
    in.push_back(0);
    for (std::size_t x = 0; x < cols; ++x) {
      state = state * 1103515245u + 12345u;
      in.push_back(pixel(x, y, state >> 16));
    }
  }
  return in;
}

std::uint32_t stream_crc(const std::vector<std::uint8_t>& z) {
  return static_cast<std::uint32_t>(crc32(0, z.data(), static_cast<uInt>(z.size())));
}

TEST(DeflateRuns, ZlibInflatesEveryStreamBackToItsInput) {
  for (const Case& c : cases())
    for (int level = 0; level <= kMaxRunsLevel; ++level) {
      SCOPED_TRACE(c.name + " level " + std::to_string(level));
      const std::vector<std::uint8_t> z = compress(c.data, level, c.layout);
      EXPECT_LE(z.size(), deflate_runs_bound(c.data.size()));
      EXPECT_TRUE(inflate_all(z, c.data.size()) == c.data);
    }
}

TEST(DeflateRuns, CompressesRunsAndStoresNoise) {
  std::vector<std::uint8_t> zeros(1 << 20, 0);
  EXPECT_LT(compress(zeros, 1).size(), 5000u) << "a megabyte of one value";
  std::mt19937 rng(3);
  std::vector<std::uint8_t> noise(200000);
  for (auto& v : noise) v = static_cast<std::uint8_t>(rng());
  // Stored blocks: 5 bytes a block, the zlib header and the checksum; never Huffman's inflation.
  EXPECT_LE(compress(noise, 2).size(), noise.size() + 5 * (noise.size() / 65535 + 2) + 6);
}

TEST(DeflateRuns, LevelTwoMatchesThePixelAndTheRowBefore) {
  for (const Case& c : cases()) {
    if (c.name != "rgb rows") continue;
    const std::size_t one = compress(c.data, 1, c.layout).size(), two = compress(c.data, 2, c.layout).size();
    EXPECT_LT(two * 2, one) << "RGB pixels repeat at 3 bytes and rows at a row: level 1 sees neither";
  }
}

TEST(DeflateRuns, TooSmallACapacityReturnsZeroAndWritesNothingBeyondIt) {
  for (const Case& c : cases()) {
    if (c.data.size() > 70000) continue;
    for (int level = 0; level <= kMaxRunsLevel; ++level) {
      const std::size_t need = compress(c.data, level, c.layout).size();
      for (std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{6}, need / 2, need - 1}) {
        if (cap >= need) continue;
        std::vector<std::uint8_t> out(cap + 64, 0xAB);
        EXPECT_EQ(deflate_runs_zlib(c.data.data(), c.data.size(), level, c.layout, out.data(), cap), 0u)
            << c.name << " level " << level << " capacity " << cap << " of " << need;
        for (std::size_t i = cap; i < out.size(); ++i) ASSERT_EQ(out[i], 0xAB) << c.name << ": wrote past capacity";
      }
      std::vector<std::uint8_t> exact(need);
      EXPECT_EQ(deflate_runs_zlib(c.data.data(), c.data.size(), level, c.layout, exact.data(), need), need);
    }
  }
}

TEST(DeflateRuns, TheBytesArePinnedAndTheSameOnAnyThread) {
  // The CRC-32 of each level's stream for a fixed input. A change here changes every dataset
  // written with png_encoder: runs: it needs a new encoder name, not a new number.
  const std::vector<std::uint8_t> in = lcg_scanlines(200, 300, 12345, [](std::size_t x, std::size_t, std::uint32_t r) {
    return r % 5 == 0 ? static_cast<std::uint8_t>(127 + (x % 3)) : std::uint8_t{0};
  });
  const RunsLayout layout{301, 3};  // 100 RGB pixels a row
  const std::uint32_t want[] = {0x16545393u, 0xbc3f737bu, 0x5437c019u};
  std::vector<std::vector<std::uint8_t>> streams;
  for (int level = 0; level <= kMaxRunsLevel; ++level) {
    streams.push_back(compress(in, level, layout));
    const std::uint32_t crc = stream_crc(streams.back());
    EXPECT_EQ(crc, want[level]) << "level " << level << ": 0x" << std::hex << crc;
  }
  std::vector<std::vector<std::uint8_t>> other(streams.size());
  std::thread t([&] {
    for (int level = 0; level <= kMaxRunsLevel; ++level)
      other[static_cast<std::size_t>(level)] = compress(in, level, layout);
  });
  t.join();
  EXPECT_TRUE(other == streams);
}

TEST(DeflateRuns, GrayRendersOfSeveralBlocksKeepTheirPinnedBytes) {
  // One-byte pixels (levels 1 and 2 alike: runs of the byte before) over several blocks of 65535
  // symbols: sparse dots in a checkerboard, as a 512 px gray render. The CRC-32 was written by the
  // encoder before its distance-1 path was made faster; the bytes must not change.
  const std::vector<std::uint8_t> in = lcg_scanlines(512, 512, 777, [](std::size_t x, std::size_t y, std::uint32_t r) {
    return (x / 64 + y / 64) % 2 == 0 && r % 3 != 0 ? std::uint8_t{255} : std::uint8_t{0};
  });
  for (int level = 1; level <= 2; ++level) {
    const std::vector<std::uint8_t> z = compress(in, level, RunsLayout{513, 1});
    EXPECT_EQ(z.size(), 25138u) << "level " << level;
    const std::uint32_t crc = stream_crc(z);
    EXPECT_EQ(crc, 0x3e600b2bu) << "level " << level << ": 0x" << std::hex << crc;
    EXPECT_TRUE(inflate_all(z, in.size()) == in);
  }
}

}  // namespace
}  // namespace fdsl
