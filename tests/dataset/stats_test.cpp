// Dataset statistics: the per-sample figures against hand-made images and clouds, the flags, the
// class analysis (near-duplicates, classes that do not vary), and thread-count independence.
#include "fdsl/dataset/stats.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "fdsl/core/rng.h"
#include "fdsl/dataset/guard.h"

namespace fdsl {
namespace {

Image rect_image(int w, int h, int x0, int y0, int rw, int rh, std::uint8_t bg = 0, std::uint8_t fg = 255) {
  Image im(w, h, 1, bg);
  for (int y = y0; y < y0 + rh; ++y)
    for (int x = x0; x < x0 + rw; ++x) im.at(x, y) = fg;
  return im;
}

TEST(Stats, InkBoundingBoxAndIntensityOfARectangle) {
  const SampleStats s = image_stats(rect_image(20, 10, 4, 2, 5, 3), "a.png", "0");
  EXPECT_DOUBLE_EQ(s.ink, 15.0 / 200);
  EXPECT_DOUBLE_EQ(s.bbox_w, 5.0 / 20);
  EXPECT_DOUBLE_EQ(s.bbox_h, 3.0 / 10);
  const double mean = 255.0 * 15 / 200;
  EXPECT_NEAR(s.mean, mean, 1e-9);
  EXPECT_NEAR(s.std, std::sqrt(255.0 * 255 * 15 / 200 - mean * mean), 1e-9);
  ASSERT_EQ(s.descriptor.size(), 256u);
  float total = 0;
  for (float v : s.descriptor) total += v;
  EXPECT_GT(total, 0.f);
}

TEST(Stats, AShapeMasksInkIsTheGuardsAndTheStats) {
  // The guard (shape_ink_fraction) and fdsl stats (image_stats with the mask) give one figure, a
  // mask whose border is ink included (the pixels' own background rule does not apply to masks).
  Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const int w = 5 + trial * 7, h = 3 + trial * 5;
    Image image(w, h, 3, 200), mask(w, h, 1, 0);
    const double p = trial / 19.0;
    std::int64_t ink = 0;
    for (auto& v : mask.pixels)
      if (rng.uniform() < p) v = static_cast<std::uint8_t>(1 + rng.uniform_int(0, 254)), ++ink;
    const double want = static_cast<double>(ink) / (static_cast<double>(w) * h);
    EXPECT_DOUBLE_EQ(shape_ink_fraction(mask), want) << trial;
    EXPECT_DOUBLE_EQ(image_stats(image, "x", "c", mask).ink, want) << trial;
  }
  EXPECT_EQ(shape_ink_fraction(Image()), 0.0);
}

TEST(Stats, TheBackgroundIsTheBordersMostCommonValueNotBlack) {
  // A white frame with a black shape: the black pixels are the ink.
  const SampleStats s = image_stats(rect_image(16, 16, 5, 5, 4, 4, 255, 0), "a.png", "0");
  EXPECT_DOUBLE_EQ(s.ink, 16.0 / 256);
  Image rgb(8, 8, 3, 40);
  rgb.at(3, 3, 1) = 41;  // one channel differs: ink
  EXPECT_DOUBLE_EQ(image_stats(rgb, "b.png", "0").ink, 1.0 / 64);
}

TEST(Stats, AFlatImageIsBlankAndAFullOneSaturated) {
  std::vector<SampleStats> v;
  v.push_back(image_stats(Image(32, 32, 1, 7), "flat.png", "0"));
  Image full(64, 64, 1, 0);
  for (int y = 1; y < 64; ++y)
    for (int x = 1; x < 64; ++x) full.at(x, y) = 200;  // border row 0 and column 0 stay background
  v.push_back(image_stats(full, "full.png", "0"));
  v.push_back(image_stats(rect_image(32, 32, 8, 8, 8, 8), "fine.png", "1"));
  const auto r = summarize_stats(v, StatsThresholds{}, 1);
  EXPECT_EQ(r["images"]["blank_count"], 1);
  EXPECT_EQ(r["images"]["blank"][0], "flat.png");
  EXPECT_EQ(r["images"]["saturated_count"], 1);
  EXPECT_EQ(r["images"]["saturated"][0], "full.png");
  EXPECT_EQ(v[0].ink, 0);
  EXPECT_EQ(v[0].bbox_w, 0);
}

PointCloud cloud_of(const std::vector<std::array<float, 3>>& pts) {
  PointCloud c;
  for (const auto& p : pts) c.xyz.insert(c.xyz.end(), p.begin(), p.end());
  return c;
}

TEST(Stats, LinesPlanesAndRepeatedPointsAreFound) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<std::array<float, 3>> line, plane, blob;
  for (int i = 0; i < 500; ++i) {
    const float t = u(rng), s = u(rng);
    line.push_back({t, 2 * t, -t});
    plane.push_back({t, s, 0.5f});
    blob.push_back({u(rng), u(rng), u(rng)});
  }
  std::vector<std::array<float, 3>> repeated(blob.begin(), blob.begin() + 100);
  for (int i = 0; i < 400; ++i) repeated.push_back(blob[i % 100]);
  const SampleStats l = cloud_stats(cloud_of(line), "line.npy", "0");
  const SampleStats p = cloud_stats(cloud_of(plane), "plane.npy", "0");
  const SampleStats b = cloud_stats(cloud_of(blob), "blob.npy", "1");
  const SampleStats r = cloud_stats(cloud_of(repeated), "rep.npy", "1");
  EXPECT_LT(l.l21, 1e-6);
  EXPECT_GT(p.l21, 0.1);
  EXPECT_LT(p.l31, 1e-6);
  EXPECT_GT(b.l31, 0.5);
  EXPECT_DOUBLE_EQ(b.distinct, 1.0);
  EXPECT_DOUBLE_EQ(r.distinct, 100.0 / 500);
  EXPECT_NEAR(p.extent[2], 0.0, 0);
  EXPECT_NEAR(b.var[0], 1.0 / 3, 0.06);  // uniform on [-1, 1]
  const auto rep = summarize_stats({l, p, b, r}, StatsThresholds{}, 1);
  EXPECT_EQ(rep["clouds"]["lines"], nlohmann::ordered_json::array({"line.npy"}));
  EXPECT_EQ(rep["clouds"]["planes"], nlohmann::ordered_json::array({"plane.npy"}));
  EXPECT_EQ(rep["clouds"]["repeats"], nlohmann::ordered_json::array({"rep.npy"}));
}

/// Classes of rectangles at random places; class 3 is a copy of class 1, class 4 never varies.
std::vector<SampleStats> classes_sample() {
  std::vector<SampleStats> v;
  for (int c = 0; c < 6; ++c) {
    const int like = c == 3 ? 1 : c;
    std::mt19937 r(like);
    for (int i = 0; i < 10; ++i) {
      const int x = c == 4 ? 10 : static_cast<int>(r() % 20) + like * 4;
      const int y = c == 4 ? 10 : static_cast<int>(r() % 30);
      v.push_back(image_stats(rect_image(64, 64, x % 50, y, 10, 10),
                              std::to_string(c) + "/" + std::to_string(i) + ".png", std::to_string(c)));
    }
  }
  return v;
}

TEST(Stats, NearDuplicateClassesComeFirstAndStaticClassesAreListed) {
  const auto r = summarize_stats(classes_sample(), StatsThresholds{}, 1);
  const auto& im = r["images"];
  EXPECT_EQ(im["num_classes"], 6);
  ASSERT_FALSE(im["similar_pairs"].empty());
  EXPECT_EQ(im["similar_pairs"][0]["a"], "1");
  EXPECT_EQ(im["similar_pairs"][0]["b"], "3");
  EXPECT_EQ(im["similar_pairs"][0]["distance"], 0.0);
  EXPECT_EQ(im["static_classes"], nlohmann::ordered_json::array({"4"}));
  EXPECT_EQ(im["classes"][1]["nearest"], "3");
}

TEST(Stats, TheReportIsTheSameForAnyThreadCount) {
  const auto v = classes_sample();
  const std::string one = summarize_stats(v, StatsThresholds{}, 1).dump();
  EXPECT_EQ(summarize_stats(v, StatsThresholds{}, 2).dump(), one);
  EXPECT_EQ(summarize_stats(v, StatsThresholds{}, 7).dump(), one);
}

TEST(Stats, ClassesSortNumericallyWhenTheirNamesAreNumbers) {
  std::vector<SampleStats> v;
  for (const char* c : {"10", "2", "1"}) v.push_back(image_stats(rect_image(8, 8, 1, 1, 2, 2), "x.png", c));
  const auto r = summarize_stats(v, StatsThresholds{}, 1);
  EXPECT_EQ(r["images"]["classes"][0]["class"], "1");
  EXPECT_EQ(r["images"]["classes"][1]["class"], "2");
  EXPECT_EQ(r["images"]["classes"][2]["class"], "10");
}

TEST(Stats, TheTextSummaryNamesTheFlaggedSamples) {
  std::vector<SampleStats> v = classes_sample();
  v.push_back(image_stats(Image(64, 64, 1, 0), "5/blank.png", "5"));
  const std::string text = stats_text(summarize_stats(v, StatsThresholds{}, 1));
  EXPECT_NE(text.find("blank (ink < 0.0005): 1 images, e.g. 5/blank.png"), std::string::npos) << text;
  EXPECT_NE(text.find("1 ~ 3"), std::string::npos) << text;
}

}  // namespace
}  // namespace fdsl
