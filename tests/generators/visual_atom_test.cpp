// VisualAtom: faithful categories in the best-practice ranges, pure samples, the official names,
// compat: official categories straight from the workers' CPython streams, single instances equal
// to their place in a replayed range, and bad input naming its key. (Pixel-for-pixel agreement
// with a re-statement of the official script is tests/python/test_compat_contours.py.)
#include "fdsl/generators/visual_atom.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/py_random.h"
#include "fdsl/dataset/spec.h"
#include "test_support.h"

namespace fdsl {
namespace {

DatasetSpec spec_from(const std::string& yaml) {
  test::TempDir dir("visual_atom");
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, dir.path());
}

std::size_t inked(const Image& im, std::uint8_t background) {
  std::size_t n = 0;
  for (auto v : im.pixels) n += v != background;
  return n;
}

TEST(VisualAtom, FaithfulCategoriesLieInTheBestPracticeRanges) {
  const DatasetSpec spec = spec_from("generator: visual_atom\nclasses: 300\nsize: 512\n");
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.family(), "visual_atom");
  ASSERT_EQ(g.num_classes(), 300);
  EXPECT_EQ(g.instances_per_class(), 1000);
  std::set<std::int64_t> qs;
  for (std::int64_t c = 0; c < 300; ++c) {
    const auto j = g.category_json(c);
    const auto q = j["vertices"].get<std::int64_t>(), n1 = j["n1"].get<std::int64_t>(),
               n2 = j["n2"].get<std::int64_t>();
    qs.insert(q);
    EXPECT_GE(q, 200);
    EXPECT_LE(q, 1000);
    EXPECT_GE(j["orbits"].get<std::int64_t>(), 1);
    EXPECT_LE(j["orbits"].get<std::int64_t>(), 200);
    EXPECT_GE(j["perlin"].get<double>(), 0.0);
    EXPECT_LT(j["perlin"].get<double>(), 4.0);
    EXPECT_GE(j["line_width"].get<double>(), 0.0);
    EXPECT_LT(j["line_width"].get<double>(), 0.1);
    EXPECT_GE(j["radius"].get<std::int64_t>(), 10);
    EXPECT_LE(j["radius"].get<std::int64_t>(), 60);
    EXPECT_GE(n1, 0);
    EXPECT_LE(n1, 20);
    EXPECT_GE(n2, 0);
    EXPECT_LE(n2, 20);
    EXPECT_TRUE(n1 != n2 || n1 == 0) << "class " << c << ": n1 = n2 = " << n1;
    for (const char* k : {"oval_x", "oval_y"}) {
      EXPECT_GE(j[k].get<double>(), 1.0);
      EXPECT_LT(j[k].get<double>(), 2.0);
    }
    for (const char* k : {"center_x", "center_y"}) {
      const double v = j[k].get<double>();
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 512.0);
      EXPECT_EQ(v * 2, std::floor(v * 2)) << "(512 + integer) / 2";
    }
    EXPECT_FALSE(j.contains("worker"));
  }
  EXPECT_GT(qs.size(), 150u);  // drawn, not one value
}

TEST(VisualAtom, FaithfulSamplesArePureFunctionsOfSeedClassAndInstance) {
  const DatasetSpec a =
      spec_from("generator: visual_atom\nclasses: 3\ninstances: 6\nsize: 128\norbits_max: 30\ncenter_range: 64\n");
  const DatasetSpec b =
      spec_from("generator: visual_atom\nclasses: 3\ninstances: 6\nsize: 128\norbits_max: 30\ncenter_range: 64\n");
  const DatasetSpec other = spec_from(
      "generator: visual_atom\nseed: 1\nclasses: 3\ninstances: 6\nsize: 128\norbits_max: 30\ncenter_range: 64\n");
  std::vector<Sample> range;
  a.generator->make_range(2, 1, 5, [&](Sample&& s) { range.push_back(std::move(s)); });
  ASSERT_EQ(range.size(), 4u);
  for (std::int64_t i = 1; i < 5; ++i) {
    const Sample s = b.generator->make(2, i);
    EXPECT_EQ(s.image.pixels, range[static_cast<std::size_t>(i - 1)].image.pixels) << "instance " << i;
    EXPECT_EQ(s.name, range[static_cast<std::size_t>(i - 1)].name);
    EXPECT_EQ(s.label, 2);
    EXPECT_NE(s.image.pixels, other.generator->make(2, i).image.pixels) << "another seed, instance " << i;
    EXPECT_GT(inked(s.image, 0), 100u) << "instance " << i;
  }
  EXPECT_NE(range[0].image.pixels, range[1].image.pixels);
}

TEST(VisualAtom, SampleNamesAreTheOfficialOnes) {
  const DatasetSpec spec = spec_from("generator: visual_atom\nclasses: 4\ninstances: 12\nsize: 64\n");
  const auto q = spec.generator->category_json(3)["vertices"].get<long long>();
  char want[64];
  std::snprintf(want, sizeof want, "00003/vertex_%04lld_instance_0011", q);
  EXPECT_EQ(spec.generator->sample_name(3, 11), want);
  EXPECT_EQ(spec.generator->make(3, 11).name, want);
}

TEST(VisualAtom, ImagesAreBlackWithGrayContoursAndHonourBackgroundAndChannels) {
  const DatasetSpec spec =
      spec_from("generator: visual_atom\nclasses: 2\ninstances: 2\nsize: 96\norbits_min: 20\ncenter_range: 20\n");
  const Image im = spec.generator->make(0, 0).image;
  EXPECT_EQ(im.width, 96);
  EXPECT_EQ(im.channels, 1);
  std::set<int> grays(im.pixels.begin(), im.pixels.end());
  EXPECT_TRUE(grays.count(0));
  EXPECT_GT(grays.size(), 3u);  // one gray per orbit
  const DatasetSpec rgb = spec_from(
      "generator: visual_atom\nclasses: 2\ninstances: 2\nsize: 96\norbits_min: 20\n"
      "center_range: 20\nchannels: 3\nbackground: 40\n");
  const Image c = rgb.generator->make(0, 0).image;
  ASSERT_EQ(c.channels, 3);
  for (std::size_t i = 0; i < im.pixels.size(); ++i) {
    const std::uint8_t want = im.pixels[i] == 0 ? 40 : im.pixels[i];
    // Every orbit's pixels are the same; only untouched pixels show the background. (A contour
    // drawn in gray 0 over the background is the one exception, rare enough to skip here.)
    if (im.pixels[i] != 0) {
      ASSERT_EQ(c.pixels[3 * i], want) << i;
    }
    ASSERT_EQ(c.pixels[3 * i], c.pixels[3 * i + 1]);
    ASSERT_EQ(c.pixels[3 * i], c.pixels[3 * i + 2]);
  }
}

TEST(VisualAtom, AntialiasedStrokesAreSmoothAndWiderStrokesCoverMore) {
  const std::string base =
      "generator: visual_atom\nclasses: 2\ninstances: 2\nsize: 128\norbits_max: 5\ngray_min: 255\ncenter_range: 32\n";
  const Image plain = spec_from(base).generator->make(1, 1).image;
  const Image smooth = spec_from(base + "antialias: true\n").generator->make(1, 1).image;
  const Image wide = spec_from(base + "antialias: true\nstroke_width: 3\n").generator->make(1, 1).image;
  std::set<int> plain_values(plain.pixels.begin(), plain.pixels.end());
  EXPECT_EQ(plain_values, (std::set<int>{0, 255}));  // gray 255 only: 1 px lines are on or off
  std::size_t partial = 0;
  for (auto v : smooth.pixels) partial += v != 0 && v != 255;
  EXPECT_GT(partial, 200u);
  EXPECT_GT(inked(wide, 0), inked(smooth, 0) + 200);
}

// compat: official. Worker t draws its classes' parameters from random.seed(t + 1), in the
// script's order; the first class of each worker can be checked directly against PyRandom.
TEST(VisualAtom, CompatCategoriesComeFromTheWorkersStreams) {
  const DatasetSpec spec =
      spec_from("generator: visual_atom\ncompat: official\nclasses: 6\nworkers: 3\ninstances: 2\nsize: 512\n");
  const Generator& g = *spec.generator;
  for (std::int64_t t = 0; t < 3; ++t) {
    PyRandom r(static_cast<std::uint64_t>(t) + 1);
    const auto j = g.category_json(2 * t);
    EXPECT_EQ(j["worker"].get<std::int64_t>(), t);
    EXPECT_EQ(g.category_json(2 * t + 1)["worker"].get<std::int64_t>(), t);
    EXPECT_EQ(j["vertices"].get<std::int64_t>(), r.randint(200, 1000));
    EXPECT_EQ(j["orbits"].get<std::int64_t>(), r.randint(1, 200));
    EXPECT_EQ(j["perlin"].get<double>(), r.uniform(0, 4));
    EXPECT_EQ(j["line_width"].get<double>(), r.uniform(0.0, 0.1));
    EXPECT_EQ(j["radius"].get<std::int64_t>(), r.randint(10, 60));
    const std::int64_t n1 = r.randint(0, 20);
    std::int64_t n2;
    do n2 = r.randint(0, 20);
    while (n2 == n1 && n1 != 0);
    EXPECT_EQ(j["n1"].get<std::int64_t>(), n1);
    EXPECT_EQ(j["n2"].get<std::int64_t>(), n2);
    EXPECT_EQ(j["oval_x"].get<double>(), r.uniform(1, 2));
    EXPECT_EQ(j["oval_y"].get<double>(), r.uniform(1, 2));
    EXPECT_EQ(j["center_y"].get<double>(), (512 + r.randint(-512, 512)) / 2.0);
    EXPECT_EQ(j["center_x"].get<double>(), (512 + r.randint(-512, 512)) / 2.0);
  }
  EXPECT_EQ(g.preferred_chunk(), 2);  // a class is one work unit: one replay per class
}

TEST(VisualAtom, CompatSingleInstancesEqualTheirPlaceInTheReplayedClass) {
  const std::string yaml =
      "generator: visual_atom\ncompat: official\nclasses: 4\nworkers: 2\ninstances: 5\n"
      "size: 160\norbits_max: 40\ncenter_range: 80\n";
  const DatasetSpec a = spec_from(yaml);
  const DatasetSpec b = spec_from(yaml);
  std::vector<Sample> whole;
  a.generator->make_range(3, 0, 5, [&](Sample&& s) { whole.push_back(std::move(s)); });
  ASSERT_EQ(whole.size(), 5u);
  // b has not replayed anything yet: its first request is an instance in the middle.
  for (std::int64_t i : {3, 0, 4, 1, 2}) {
    const Sample s = b.generator->make(3, i);
    EXPECT_EQ(s.image.pixels, whole[static_cast<std::size_t>(i)].image.pixels) << "instance " << i;
    EXPECT_EQ(s.name, whole[static_cast<std::size_t>(i)].name);
  }
  std::vector<Sample> middle;
  b.generator->make_range(3, 2, 4, [&](Sample&& s) { middle.push_back(std::move(s)); });
  ASSERT_EQ(middle.size(), 2u);
  EXPECT_EQ(middle[0].image.pixels, whole[2].image.pixels);
  EXPECT_EQ(middle[1].image.pixels, whole[3].image.pixels);
  // Instances and classes differ.
  EXPECT_NE(whole[0].image.pixels, whole[1].image.pixels);
  EXPECT_NE(a.generator->make(2, 0).image.pixels, whole[0].image.pixels);
}

TEST(VisualAtom, CompatFirstUseFromManyThreadsReplaysOnceAndAgrees) {
  const std::string yaml =
      "generator: visual_atom\ncompat: official\nclasses: 6\nworkers: 3\ninstances: 4\n"
      "size: 64\norbits_max: 20\ncenter_range: 32\n";
  const DatasetSpec sequential = spec_from(yaml);
  const DatasetSpec shared = spec_from(yaml);  // untouched: the threads race to replay it
  std::vector<std::vector<std::uint8_t>> got(24);
  parallel_for(0, 24, 4, [&](std::int64_t k) {
    got[static_cast<std::size_t>(k)] = shared.generator->make(k / 4, k % 4).image.pixels;
  });
  for (std::int64_t k = 0; k < 24; ++k)
    EXPECT_EQ(got[static_cast<std::size_t>(k)], sequential.generator->make(k / 4, k % 4).image.pixels)
        << "class " << k / 4 << " instance " << k % 4;
}

TEST(VisualAtom, CompatDependsOnTheWorkerSplitNotOnTheSeed) {
  const std::string yaml = "generator: visual_atom\ncompat: official\nclasses: 4\ninstances: 2\nsize: 64\n";
  const auto a = spec_from(yaml + "workers: 2\nseed: 5\n").generator->category_json(2);
  const auto b = spec_from(yaml + "workers: 2\nseed: 9\n").generator->category_json(2);
  const auto c = spec_from(yaml + "workers: 4\n").generator->category_json(2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

void expect_bad_input(const std::string& extra, const std::string& key) {
  try {
    spec_from("generator: visual_atom\nclasses: 4\ninstances: 2\nsize: 64\n" + extra);
    ADD_FAILURE() << "accepted: " << extra;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << extra;
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << extra << " -> " << e.what();
  }
}

TEST(VisualAtom, BadInputNamesItsKey) {
  expect_bad_input("vertices_min: 2\n", "vertices_min");
  expect_bad_input("vertices_min: 500\nvertices_max: 400\n", "vertices_min");
  expect_bad_input("orbits_min: 0\n", "orbits_min");
  expect_bad_input("line_width: -0.1\n", "line_width");
  expect_bad_input("stroke_width: -1\nantialias: true\n", "stroke_width");
  expect_bad_input("stroke_width: 2\n", "stroke_width");
  expect_bad_input("n2_min: 5\nn2_max: 5\n", "n2_min");
  expect_bad_input("n1_min: 3\nn1_max: 2\n", "n1_min");
  expect_bad_input("perlin_min: 5\n", "perlin_min");
  expect_bad_input("radius_min: -1\n", "radius_min");
  expect_bad_input("compat: official\nworkers: 3\n", "workers");
  expect_bad_input("compat: official\nworkers: 2\nantialias: true\n", "antialias");
  expect_bad_input("channels: 2\n", "channels");  // not one of auto, 1, 3
  expect_bad_input("compat: offical\n", "compat");
}

TEST(VisualAtom, SatisfiableWaveRangesAreAccepted) {
  // n2 fixed at 0 is always accepted; a single n2 outside n1's range too.
  EXPECT_NO_THROW(spec_from("generator: visual_atom\nclasses: 20\ninstances: 1\nsize: 64\nn2_min: 0\nn2_max: 0\n"));
  EXPECT_NO_THROW(
      spec_from("generator: visual_atom\nclasses: 20\ninstances: 1\nsize: 64\nn1_max: 4\nn2_min: 7\nn2_max: 7\n"));
}

}  // namespace
}  // namespace fdsl
