// Sigma-factor fractals with their render and augmentation options.
#include "fdsl/generators/ifs_sigma.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/generators/sigma_ifs.h"
#include "test_support.h"

namespace fdsl {
namespace {

DatasetSpec spec_from(const std::string& yaml) {
  test::TempDir dir("ifs_sigma");
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, dir.path());
}

const std::string kYaml = "generator: ifs_sigma\nclasses: 10\ninstances: 4\nsize: 64\npoints: 5000\n";

TEST(IfsSigma, ImagesMadeIntoABufferEqualMake) {
  // Single images are drawn straight into the buffer (graded ones oriented there afterwards);
  // multi-object ones go through make(). Either way the bytes are make()'s, over a dirty buffer.
  for (const std::string extra : {"", "background: false\n", "background: false\ncolor: false\n", "render: graded\n",
                                  "render: graded\nbackground: false\ncolor: false\n", "objects_max: 3\n",
                                  "blur: false\nflips: false\n", "random_window: false\npatch: false\n"}) {
    const DatasetSpec spec = spec_from(kYaml + extra);
    const Generator& g = *spec.generator;
    const Sample first = g.make(0, 0);
    std::vector<std::uint8_t> buf(first.image.pixels.size());
    for (std::int64_t c : {0, 3, 9})
      for (std::int64_t i = 0; i < 4; ++i) {
        std::fill(buf.begin(), buf.end(), std::uint8_t{0xa5});
        const Sample want = g.make(c, i);
        const std::int64_t label =
            g.make_image_into(c, i, buf.data(), want.image.width, want.image.height, want.image.channels);
        EXPECT_EQ(label, want.label);
        ASSERT_EQ(buf, want.image.pixels) << "[" << extra << "] " << c << "/" << i;
      }
    EXPECT_THROW(g.make_image_into(0, 0, buf.data(), 32, 32, first.image.channels), Error) << extra;
    EXPECT_THROW(g.make_image_into(10, 0, buf.data(), 64, 64, first.image.channels), Error) << extra;
  }
}

TEST(IfsSigma, ImagesAreRgbWithTheirBackground) {
  const DatasetSpec spec = spec_from(kYaml);
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.family(), "ifs_sigma");
  EXPECT_EQ(g.num_classes(), 10);
  EXPECT_EQ(g.instances_per_class(), 4);
  for (std::int64_t c : {0, 5, 9}) {
    for (std::int64_t i = 0; i < 4; ++i) {
      const Sample s = g.make(c, i);
      ASSERT_EQ(s.image.width, 64);
      ASSERT_EQ(s.image.height, 64);
      ASSERT_EQ(s.image.channels, 3);
      ASSERT_EQ(s.image.pixels.size(), 64u * 64u * 3u);
      EXPECT_EQ(s.label, c);
      EXPECT_EQ(s.category, c);
      EXPECT_EQ(s.instance, i);
      EXPECT_TRUE(s.labels.empty());
      // The plasma background covers the canvas: few pure black pixels.
      int black = 0;
      for (int p = 0; p < 64 * 64; ++p)
        black += s.image.pixels[3 * p] == 0 && s.image.pixels[3 * p + 1] == 0 && s.image.pixels[3 * p + 2] == 0;
      EXPECT_LT(black, 64 * 64 / 2) << c << "/" << i;
    }
  }
}

TEST(IfsSigma, MakeIsDeterministic) {
  const DatasetSpec a = spec_from(kYaml);
  const DatasetSpec b = spec_from(kYaml);
  for (std::int64_t c : {1, 7})
    for (std::int64_t i : {0, 3}) {
      EXPECT_EQ(a.generator->make(c, i).image.pixels, a.generator->make(c, i).image.pixels);
      EXPECT_EQ(a.generator->make(c, i).image.pixels, b.generator->make(c, i).image.pixels);
    }
  // One thread or two build the same categories.
  SpecOptions one;
  one.threads = 1;
  SpecOptions two;
  two.threads = 2;
  test::TempDir dir("ifs_sigma");
  const DatasetSpec t1 = make_dataset_spec(parse_config_text(kYaml, "cfg.yaml"), one, dir.path());
  const DatasetSpec t2 = make_dataset_spec(parse_config_text(kYaml, "cfg.yaml"), two, dir.path());
  for (std::int64_t c = 0; c < 10; ++c) EXPECT_EQ(t1.generator->category_json(c), t2.generator->category_json(c));
  EXPECT_EQ(t1.generator->make(4, 2).image.pixels, t2.generator->make(4, 2).image.pixels);
}

TEST(IfsSigma, DifferentInstancesDiffer) {
  const DatasetSpec spec = spec_from(kYaml);
  const Generator& g = *spec.generator;
  for (std::int64_t c : {0, 3, 8})
    for (std::int64_t i = 0; i < 4; ++i)
      for (std::int64_t j = i + 1; j < 4; ++j)
        EXPECT_NE(g.make(c, i).image.pixels, g.make(c, j).image.pixels) << c << ": " << i << " vs " << j;
  EXPECT_NE(g.make(0, 0).image.pixels, g.make(1, 0).image.pixels);
}

TEST(IfsSigma, CategoriesMeetTheSigmaConstraint) {
  const DatasetSpec spec = spec_from(kYaml);
  const Generator& g = *spec.generator;
  for (std::int64_t c = 0; c < g.num_classes(); ++c) {
    const auto j = g.category_json(c);
    const auto s1 = j["s1"].get<std::vector<double>>();
    const auto s2 = j["s2"].get<std::vector<double>>();
    const int n = static_cast<int>(s1.size());
    ASSERT_GE(n, 2);
    ASSERT_LE(n, 4);
    double sigma = 0;
    for (int i = 0; i < n; ++i) sigma += s1[i] + 2 * s2[i];
    EXPECT_NEAR(sigma, j["sigma"].get<double>(), 1e-9);
    EXPECT_GE(j["sigma"].get<double>(), sigma_default_lo(n));
    EXPECT_LT(j["sigma"].get<double>(), sigma_default_hi(n));
  }
}

TEST(IfsSigma, MultiObjectLabelsAreSortedUniqueAndHoldTheCategory) {
  const DatasetSpec spec = spec_from(kYaml + "objects_max: 3\n");
  const Generator& g = *spec.generator;
  bool some_multi = false;
  for (std::int64_t c = 0; c < g.num_classes(); ++c) {
    for (std::int64_t i = 0; i < g.instances_per_class(); ++i) {
      const Sample s = g.make(c, i);
      ASSERT_FALSE(s.labels.empty());
      EXPECT_TRUE(std::is_sorted(s.labels.begin(), s.labels.end()));
      EXPECT_EQ(std::adjacent_find(s.labels.begin(), s.labels.end()), s.labels.end()) << "duplicate label";
      EXPECT_TRUE(std::binary_search(s.labels.begin(), s.labels.end(), c)) << c << "/" << i;
      EXPECT_LE(s.labels.size(), 3u);
      for (auto l : s.labels) {
        EXPECT_GE(l, 0);
        EXPECT_LT(l, 10);
      }
      some_multi |= s.labels.size() > 1;
      EXPECT_EQ(s.image.channels, 3);
    }
  }
  EXPECT_TRUE(some_multi);
}

TEST(IfsSigma, PlainRenderAutoSelectsOneChannel) {
  const DatasetSpec spec = spec_from(kYaml +
                                     "color: false\nbackground: false\njitter: false\nrandom_window: false\n"
                                     "flips: false\nblur: false\n");
  const Generator& g = *spec.generator;
  for (std::int64_t c : {0, 6}) {
    const Sample s = g.make(c, 1);
    ASSERT_EQ(s.image.channels, 1);
    ASSERT_EQ(s.image.width, 64);
    int inked = 0;
    for (auto v : s.image.pixels) {
      ASSERT_TRUE(v == 0 || v == 255) << int(v);  // binary ink
      inked += v != 0;
    }
    EXPECT_GT(inked, 0);
    EXPECT_EQ(s.image.pixels, g.make(c, 1).image.pixels);
  }
}

TEST(IfsSigma, PlainRenderWithoutPatchFillsTheWindow) {
  // No random window: the box spans the canvas, so ink reaches the first and last row and column.
  const DatasetSpec spec = spec_from(kYaml +
                                     "color: false\nbackground: false\njitter: false\nrandom_window: false\n"
                                     "flips: false\nblur: false\npatch: false\n");
  const Sample s = spec.generator->make(2, 0);
  ASSERT_EQ(s.image.channels, 1);
  bool top = false, bottom = false, left = false, right = false;
  for (int k = 0; k < 64; ++k) {
    top |= s.image.at(k, 0) != 0;
    bottom |= s.image.at(k, 63) != 0;
    left |= s.image.at(0, k) != 0;
    right |= s.image.at(63, k) != 0;
  }
  EXPECT_TRUE(top && bottom && left && right);
}

TEST(IfsSigma, SigmaOutsideTheFeasibleRangeIsBadInput) {
  for (const char* extra : {"sigma_lo: 6.5\nsigma_hi: 7\n",  // 3 * maps_min = 6
                            "sigma_lo: 6\nsigma_hi: 6.2\n",  // the bound itself
                            "maps_min: 3\nsigma_lo: 9.5\nsigma_hi: 10\n", "sigma_lo: -1\nsigma_hi: 4\n",
                            "sigma_lo: 30\nsigma_hi: 31\n", "sigma_lo: 3\nsigma_hi: 6.5\n"}) {
    try {
      spec_from(kYaml + extra);
      ADD_FAILURE() << "accepted: " << extra;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << extra;
      EXPECT_NE(std::string(e.what()).find("sigma"), std::string::npos) << extra << ": " << e.what();
    }
  }
  // Inside the range it builds.
  EXPECT_NO_THROW(spec_from(kYaml + "sigma_lo: 3\nsigma_hi: 3.5\n"));
}

TEST(IfsSigma, ExplicitSigmaRangeIsUsed) {
  const DatasetSpec spec = spec_from(kYaml + "sigma_lo: 3\nsigma_hi: 3.5\n");
  for (std::int64_t c = 0; c < 10; ++c) {
    const double s = spec.generator->category_json(c)["sigma"].get<double>();
    EXPECT_GE(s, 3.0);
    EXPECT_LT(s, 3.5);
  }
}

TEST(IfsSigma, GrayChannelsWithColorIsBadInput) {
  try {
    spec_from(kYaml + "channels: 1\n");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
  }
}

}  // namespace
}  // namespace fdsl
