// Pillow-compatible lines equal Pillow's ImageDraw.line(width=1) canvas for canvas (Pillow is the
// oracle); anti-aliased polylines have the coverage they promise.
#include "fdsl/render/polyline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace fdsl {
namespace {

// Canvases of 16 segments each, every kind the contour scripts can produce and then some:
// random, vertical, horizontal, zero-length (same point and same pixel after truncation),
// entirely off the canvas, steep and shallow ones crossing it from far away, fractions in
// (-1, 1) (truncated toward zero), exact integers and huge coordinates. Each segment has its own
// gray so the order of drawing shows.
const char* kSegmentOracle = R"(
import random, sys
from PIL import Image, ImageDraw
mode = sys.argv[1]
W, H = 41, 29
random.seed(11 if mode == 'L' else 12)
def segment(kind):
    u = random.uniform
    if kind == 0: return [u(-15, W + 15), u(-15, H + 15), u(-15, W + 15), u(-15, H + 15)]
    if kind == 1:
        x = u(-3, W + 3); return [x, u(-10, H + 10), x + u(-0.9, 0.9), u(-10, H + 10)]
    if kind == 2:
        y = u(-3, H + 3); return [u(-10, W + 10), y, u(-10, W + 10), y]
    if kind == 3:
        x, y = u(-2, W + 2), u(-2, H + 2); return [x, y, x, y]
    if kind == 4:
        x, y = u(-2, W + 2), u(-2, H + 2); return [x, y, float(int(x)) + 0.5 * (x - int(x)), y]
    if kind == 5: return [u(-60, -1), u(-60, H + 60), u(-60, -0.001), u(-60, H + 60)]
    if kind == 6: return [u(-500, 500), u(-500, 500), u(-500, 500), u(-500, 500)]
    if kind == 7: return [u(-1, 1), u(-1, 1), u(-1, W), u(-1, H)]
    if kind == 8: return [float(random.randint(-5, W + 5)), float(random.randint(-5, H + 5)),
                          float(random.randint(-5, W + 5)), float(random.randint(-5, H + 5))]
    if kind == 9: return [u(-1e5, 1e5), u(-3, H + 3), u(-1e5, 1e5), u(-3, H + 3)]
    if kind == 10:
        x = u(0, W); return [x, u(-1e5, -10), x + u(-3, 3), u(H + 10, 1e5)]
    if kind == 11: return [u(W, W + 40), u(-40, H + 40), u(W + 0.0, W + 80), u(-40, H + 40)]
    return [u(0, W), u(0, H), u(0, W), u(0, H)]
canvases = 240
print(canvases)
for c in range(canvases):
    im = Image.new(mode, (W, H), 0 if mode == 'L' else (0, 0, 0))
    d = ImageDraw.Draw(im)
    for j in range(16):
        s = segment((c * 16 + j) % 13)
        v = 10 + 15 * j
        d.line(tuple(s), fill=v if mode == 'L' else (v, v, v), width=1)
        print(*[repr(t) for t in s])
    print(im.tobytes().hex())
)";

void compare_with_pillow(int channels) {
  const test::CommandResult r = test::run_python(kSegmentOracle, channels == 1 ? "L" : "RGB");
  ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  std::istringstream in(r.output);
  int canvases = 0;
  ASSERT_TRUE(in >> canvases);
  ASSERT_GT(canvases, 100);
  int inked_total = 0;
  for (int c = 0; c < canvases; ++c) {
    Image image(41, 29, channels, 0);
    std::string seg_text[16];
    for (int j = 0; j < 16; ++j) {
      std::string t[4];
      ASSERT_TRUE(in >> t[0] >> t[1] >> t[2] >> t[3]) << "canvas " << c;
      seg_text[j] = t[0] + " " + t[1] + " " + t[2] + " " + t[3];
      draw_line_pillow(image, std::strtod(t[0].c_str(), nullptr), std::strtod(t[1].c_str(), nullptr),
                       std::strtod(t[2].c_str(), nullptr), std::strtod(t[3].c_str(), nullptr),
                       static_cast<std::uint8_t>(10 + 15 * j));
    }
    std::string hex;
    ASSERT_TRUE(in >> hex);
    ASSERT_EQ(hex.size(), image.pixels.size() * 2);
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
      const int expected = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
      inked_total += expected != 0;
      if (image.pixels[i] != expected) {
        const std::size_t px = i / channels;
        std::string segs;
        for (const auto& s : seg_text) segs += "\n  " + s;
        FAIL() << "canvas " << c << " pixel (" << px % 41 << ", " << px / 41 << "): fdsl " << int(image.pixels[i])
               << ", Pillow " << expected << "; segments (gray 10, 25, ...):" << segs;
      }
    }
  }
  EXPECT_GT(inked_total, 10000);  // the canvases are not empty
}

TEST(PolylinePillow, GraySegmentsMatchPillowCanvasForCanvas) { compare_with_pillow(1); }
TEST(PolylinePillow, RgbSegmentsMatchPillowCanvasForCanvas) { compare_with_pillow(3); }

// The official contour scripts draw a closed polyline as one draw.line call per segment.
const char* kPolylineOracle = R"(
import random, math
from PIL import Image, ImageDraw
random.seed(5)
W = H = 96
print(60)
for c in range(60):
    n = random.randint(3, 300)
    cx, cy, r = random.uniform(-20, W + 20), random.uniform(-20, H + 20), random.uniform(1, 90)
    xs = [cx + math.cos(2 * math.pi * i / n) * r + random.uniform(-4, 4) for i in range(n)]
    ys = [cy + math.sin(2 * math.pi * i / n) * r * 0.7 + random.uniform(-4, 4) for i in range(n)]
    im = Image.new('L', (W, H), 255)
    d = ImageDraw.Draw(im)
    pts = list(zip(xs, ys)) + [(xs[0], ys[0])]
    for i in range(n):
        d.line((pts[i][0], pts[i][1], pts[i + 1][0], pts[i + 1][1]), fill=c, width=1)
    print(n, *[repr(v) for v in xs], *[repr(v) for v in ys])
    print(im.tobytes().hex())
)";

TEST(PolylinePillow, ClosedPolylinesMatchOneDrawLinePerSegment) {
  const test::CommandResult r = test::run_python(kPolylineOracle);
  ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  std::istringstream in(r.output);
  int count = 0;
  ASSERT_TRUE(in >> count);
  for (int c = 0; c < count; ++c) {
    std::size_t n = 0;
    ASSERT_TRUE(in >> n);
    std::vector<double> xs(n), ys(n);
    std::string t;
    for (auto& v : xs) {
      ASSERT_TRUE(in >> t);
      v = std::strtod(t.c_str(), nullptr);
    }
    for (auto& v : ys) {
      ASSERT_TRUE(in >> t);
      v = std::strtod(t.c_str(), nullptr);
    }
    Image image(96, 96, 1, 255);
    draw_polyline_pillow(image, xs.data(), ys.data(), n, true, static_cast<std::uint8_t>(c));
    std::string hex;
    ASSERT_TRUE(in >> hex);
    ASSERT_EQ(hex.size(), image.pixels.size() * 2);
    for (std::size_t i = 0; i < image.pixels.size(); ++i)
      ASSERT_EQ(image.pixels[i], std::stoi(hex.substr(2 * i, 2), nullptr, 16))
          << "polyline " << c << " (" << n << " points), pixel (" << i % 96 << ", " << i / 96 << ")";
  }
}

TEST(PolylinePillow, EndpointsAreTruncatedTowardZero) {
  Image image(8, 8, 1, 0);
  // -0.9 truncates to 0 (not floor's -1): the segment starts inside the canvas.
  draw_line_pillow(image, -0.9, -0.9, 3.9, -0.5, 7);
  for (int x = 0; x < 8; ++x) EXPECT_EQ(image.at(x, 0), x <= 3 ? 7 : 0) << x;
  for (int x = 0; x < 8; ++x) EXPECT_EQ(image.at(x, 1), 0) << x;
}

TEST(PolylinePillow, NonFiniteEndpointsDrawNothing) {
  Image image(8, 8, 1, 0);
  draw_line_pillow(image, std::nan(""), 1.0, 5.0, 5.0, 9);
  draw_line_pillow(image, 1.0, 1.0, 5.0, std::nan(""), 9);
  for (auto v : image.pixels) ASSERT_EQ(v, 0);
}

TEST(PolylineAA, CoverageFallsOffWithDistance) {
  Image image(64, 64, 1, 0);
  PolylineAA aa;
  const double xs[] = {8.0, 56.0}, ys[] = {32.0, 32.0};  // the line y = 32: between rows 31 and 32
  aa.draw(image, xs, ys, 2, false, 200, 1.0);
  // Rows 31 and 32 have centres 0.5 from the line: coverage 0.5; rows 30 and 33 are 1.5 away: none.
  EXPECT_EQ(image.at(30, 31), 100);
  EXPECT_EQ(image.at(30, 32), 100);
  EXPECT_EQ(image.at(30, 30), 0);
  EXPECT_EQ(image.at(30, 33), 0);
  // A line through pixel centres covers them fully.
  Image centred(64, 64, 1, 0);
  const double ys2[] = {20.5, 20.5};
  aa.draw(centred, xs, ys2, 2, false, 200, 1.0);
  EXPECT_EQ(centred.at(30, 20), 200);
  EXPECT_EQ(centred.at(30, 19), 0);
  EXPECT_EQ(centred.at(30, 21), 0);
}

TEST(PolylineAA, WiderStrokesCoverMoreAndJointsAreNotPaintedTwice) {
  const double xs[] = {10.5, 50.5, 50.5, 10.5}, ys[] = {10.5, 10.5, 50.5, 50.5};
  PolylineAA aa;
  Image thin(64, 64, 1, 0), wide(64, 64, 1, 0);
  aa.draw(thin, xs, ys, 4, true, 255, 1.0);
  aa.draw(wide, xs, ys, 4, true, 255, 4.0);
  int inked_thin = 0, inked_wide = 0;
  for (auto v : thin.pixels) inked_thin += v > 0;
  for (auto v : wide.pixels) inked_wide += v > 0;
  EXPECT_GT(inked_wide, 3 * inked_thin);
  // The square's corner pixel lies on two segments; with max coverage it is exactly full, and a
  // half-covered gray background stays what one pass gives.
  EXPECT_EQ(thin.at(10, 10), 255);
  Image gray(64, 64, 1, 100);
  aa.draw(gray, xs, ys, 4, true, 200, 1.0);
  EXPECT_EQ(gray.at(10, 10), 200);
  EXPECT_EQ(gray.at(30, 10), 200);
  EXPECT_EQ(gray.at(30, 12), 100);
}

TEST(PolylineAA, ClipsToTheCanvasAndIgnoresFarOffPolylines) {
  Image image(32, 32, 3, 0);
  PolylineAA aa;
  const double xs[] = {-1e9, 1e9}, ys[] = {16.5, 16.5};
  aa.draw(image, xs, ys, 2, false, 90, 1.0);
  for (int x = 0; x < 32; ++x)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(image.at(x, 16, c), 90) << x;
  const double fx[] = {-500, -400}, fy[] = {-500, -300};
  Image empty(32, 32, 1, 0);
  aa.draw(empty, fx, fy, 2, true, 90, 3.0);
  for (auto v : empty.pixels) ASSERT_EQ(v, 0);
}

}  // namespace
}  // namespace fdsl
