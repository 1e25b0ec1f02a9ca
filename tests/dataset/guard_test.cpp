// Generation guards: the measures are fdsl stats', a guarded sample is the first passing draw of
// the family's redraws (or draw 0, marked), every path that makes samples gives the same bytes,
// passing samples are untouched, guards the family cannot use are refused naming the key, and a
// generated dataset lists its redrawn samples in the manifest for any thread count and any split
// of the work.
#include "fdsl/dataset/guard.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/stats.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

DatasetSpec spec_from(const std::string& yaml) {
  test::TempDir dir("guard");
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, dir.path());
}

// RCDB at 64 px draws many contours outside the canvas (its ranges are pixels of 512 px): about
// a third of its images are blank, so min_ink has work to do.
constexpr const char* kSmallRcdb = "generator: rcdb\ncompat: faithful\nclasses: 6\ninstances: 12\nsize: 64\n";

TEST(Guard, InkAndFlatnessAreTheFiguresOfFdslStats) {
  std::mt19937 rng(7);
  for (int t = 0; t < 200; ++t) {
    const int c = t % 2 ? 3 : 1, w = 1 + static_cast<int>(rng() % 40), h = 1 + static_cast<int>(rng() % 40);
    Image im(w, h, c, static_cast<std::uint8_t>(rng() % 3));
    const int n = static_cast<int>(rng() % (w * h + 1));
    for (int k = 0; k < n; ++k) im.pixels[rng() % im.pixels.size()] = static_cast<std::uint8_t>(rng() % 4);
    EXPECT_DOUBLE_EQ(ink_fraction(im), image_stats(im, "x", "0").ink) << "image " << t;
  }
  for (int t = 0; t < 50; ++t) {
    PointCloud cloud;
    const int n = 1 + static_cast<int>(rng() % 300);
    std::normal_distribution<float> g;
    const float squash = t % 5 == 0 ? 0.f : 1.f / static_cast<float>(1 + t);
    for (int k = 0; k < n; ++k) cloud.xyz.insert(cloud.xyz.end(), {g(rng), 0.5f * g(rng), squash * g(rng)});
    EXPECT_DOUBLE_EQ(cloud_flatness(cloud), cloud_stats(cloud, "x", "0").l31) << "cloud " << t;
  }
  EXPECT_EQ(ink_fraction(Image(5, 5, 1, 9)), 0.0);
  EXPECT_EQ(cloud_flatness(PointCloud{}), 0.0);
}

TEST(Guard, ASampleIsTheFirstPassingDrawAndPassingSamplesAreUntouched) {
  const DatasetSpec plain = spec_from(kSmallRcdb);
  const DatasetSpec guarded = spec_from(std::string(kSmallRcdb) + "min_ink: 0.002\nguard_draws: 6\n");
  const Generator& a = *plain.generator;
  const Generator& b = *guarded.generator;
  ASSERT_TRUE(guard_of(b));
  EXPECT_FALSE(guard_of(a));
  std::vector<std::unique_ptr<Generator>> draws;
  for (int k = 1; k < 6; ++k) draws.push_back(a.redrawn(static_cast<std::uint64_t>(k)));
  int redrawn = 0, failed = 0;
  for (std::int64_t c = 0; c < a.num_classes(); ++c)
    for (std::int64_t i = 0; i < a.instances_per_class(); ++i) {
      const Sample first = a.make(c, i);
      const Sample s = b.make(c, i);
      EXPECT_EQ(s.name, first.name);
      EXPECT_EQ(s.label, first.label);
      // The expected draw, found by hand from the family's redraws.
      int want = -1;
      if (ink_fraction(first.image) >= 0.002) want = 0;
      for (int k = 1; k < 6 && want < 0; ++k)
        if (ink_fraction(draws[static_cast<std::size_t>(k - 1)]->make(c, i).image) >= 0.002) want = k;
      if (want < 0) {
        ++failed;
        EXPECT_EQ(s.draw, 0);
        EXPECT_EQ(s.guard_failed, std::vector<std::string>{"min_ink"});
        EXPECT_EQ(s.image.pixels, first.image.pixels);
      } else {
        redrawn += want > 0;
        EXPECT_EQ(s.draw, want) << s.name;
        EXPECT_TRUE(s.guard_failed.empty());
        const Sample expect = want == 0 ? a.make(c, i) : draws[static_cast<std::size_t>(want - 1)]->make(c, i);
        EXPECT_EQ(s.image.pixels, expect.image.pixels) << s.name;
        EXPECT_GE(ink_fraction(s.image), 0.002);
      }
    }
  EXPECT_GE(redrawn, 3) << "the case should need redraws";
  const GuardCounts n = *guard_counts(b);
  EXPECT_EQ(n.redrawn, redrawn);
  EXPECT_EQ(n.failed, failed);
  EXPECT_EQ(n.samples, a.num_classes() * a.instances_per_class());
  EXPECT_EQ(n.rejected[0], n.draws - n.samples + failed);  // every draw but the passing ones
}

TEST(Guard, MakeMakeRangeAndMakeImageIntoAgree) {
  const DatasetSpec spec = spec_from(std::string(kSmallRcdb) + "min_ink: 0.002\nmax_ink: 0.5\n");
  const Generator& g = *spec.generator;
  const ImageShape shape = *g.image_shape();
  for (std::int64_t c = 0; c < g.num_classes(); ++c) {
    std::vector<Sample> range;
    g.make_range(c, 0, g.instances_per_class(), [&](Sample&& s) { range.push_back(std::move(s)); });
    ASSERT_EQ(static_cast<std::int64_t>(range.size()), g.instances_per_class());
    for (std::int64_t i = 0; i < g.instances_per_class(); ++i) {
      const Sample one = g.make(c, i);
      EXPECT_EQ(one.image.pixels, range[static_cast<std::size_t>(i)].image.pixels);
      EXPECT_EQ(one.draw, range[static_cast<std::size_t>(i)].draw);
      std::vector<std::uint8_t> buf(static_cast<std::size_t>(shape.width) * shape.height * shape.channels, 77);
      EXPECT_EQ(g.make_image_into(c, i, buf.data(), shape.width, shape.height, shape.channels), one.label);
      EXPECT_EQ(buf, one.image.pixels) << one.name;
    }
  }
}

TEST(Guard, FlatCloudsAreDrawnAgainAndEveryFamilyCanRedraw) {
  // min_flatness near 1 rejects nearly every cloud: most samples fail and keep draw 0.
  const std::string pc = "generator: pc_fractal\nclasses: 2\ninstances: 3\npoints: 2000\nsearch_points: 2000\n";
  const DatasetSpec plain = spec_from(pc);
  const DatasetSpec strict = spec_from(pc + "min_flatness: 0.999\nguard_draws: 3\n");
  for (std::int64_t i = 0; i < 3; ++i) {
    const Sample s = strict.generator->make(1, i);
    EXPECT_EQ(s.guard_failed, std::vector<std::string>{"min_flatness"});
    EXPECT_EQ(s.cloud.xyz, plain.generator->make(1, i).cloud.xyz);
  }
  EXPECT_EQ(guard_counts(*strict.generator)->draws, 9);
  // Every family in its default mode can draw a sample again, and the redraw differs.
  for (const std::string& yaml :
       {std::string(test::kSmallFractalDB), std::string("generator: ifs_sigma\nclasses: 2\ninstances: 2\nsize: 32\n"),
        std::string("generator: one_frac\nclasses: 2\nsize: 32\npoints: 2000\n"),
        std::string("generator: visual_atom\ncompat: faithful\nclasses: 2\ninstances: 2\nsize: 64\n"),
        std::string(kSmallRcdb), pc,
        std::string("generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 300\nsize: 16\nsearch_points: 2000\n"),
        std::string("generator: pc_scenes\nclasses: 2\ninstances: 2\nobject_instances: 2\npoints: 500\n"
                    "search_points: 2000\n")}) {
    const DatasetSpec spec = spec_from(yaml);
    const Generator& g = *spec.generator;
    const auto again = g.redrawn(1);
    ASSERT_TRUE(again) << g.family();
    const Sample x = g.make(0, 0), y = again->make(0, 0);
    EXPECT_EQ(x.name, y.name) << g.family();
    EXPECT_TRUE(x.image.pixels != y.image.pixels || x.cloud.xyz != y.cloud.xyz) << g.family() << ": redraw is the same";
    // Pure: the same redraw twice is the same sample.
    const Sample z = g.redrawn(1)->make(0, 0);
    EXPECT_EQ(y.image.pixels, z.image.pixels) << g.family();
    EXPECT_EQ(y.cloud.xyz, z.cloud.xyz) << g.family();
  }
}

TEST(Guard, GuardsTheFamilyCannotUseAreRefusedNamingTheKey) {
  struct Case {
    std::string yaml, key, says;
  };
  const std::string pc = "generator: pc_fractal\nclasses: 2\ninstances: 2\npoints: 2000\nsearch_points: 2000\n";
  for (const Case& c : std::vector<Case>{
           {"generator: rcdb\ncompat: official\nclasses: 10\nsize: 64\nmin_ink: 0.01\n", "min_ink", "compat: faithful"},
           {"generator: fractaldb\ncategories: official\nclasses: 2\ncompat: official\nrender: point\nmax_ink: 0.5\n",
            "max_ink", "compat: faithful"},
           {std::string(test::kSmallFractalDB) + "min_ink: 0.3\nmax_ink: 0.2\n", "min_ink", "below max_ink"},
           {std::string(test::kSmallFractalDB) + "min_flatness: 0.1\n", "min_flatness", "point clouds"},
           {pc + "min_ink: 0.1\n", "min_ink", "min_flatness"},
           {std::string(test::kSmallFractalDB) + "min_ink: 1.5\n", "min_ink", "1"},
           {std::string(test::kSmallFractalDB) + "min_ink: 0.1\nguard_draws: 0\n", "guard_draws", "1"},
           {std::string(test::kSmallFractalDB) + "min_ink: 0.1\nguard_draws: 65\n", "guard_draws", "64"},
       }) {
    try {
      (void)spec_from(c.yaml);
      ADD_FAILURE() << "accepted: " << c.yaml;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      const std::string what = e.what();
      EXPECT_NE(what.find(c.key), std::string::npos) << what;
      EXPECT_NE(what.find(c.says), std::string::npos) << what;
    }
  }
  // Off by default: no guard, the family's own generator.
  EXPECT_FALSE(guard_of(*spec_from(test::kSmallFractalDB).generator));
}

nlohmann::json manifest_guards(const fs::path& dir) {
  return nlohmann::json::parse(test::read_text(dir / "manifest.json"))["guards"];
}

TEST(Guard, TheManifestListsEveryRedrawnSampleForAnyThreadCountSplitOrResume) {
  test::TempDir t("guard-run");
  test::write_text(t / "cfg.yaml", std::string(kSmallRcdb) + "min_ink: 0.002\nguard_draws: 3\n");
  // The expected list, from the generator.
  const DatasetSpec spec = load_dataset_spec((t / "cfg.yaml").string());
  std::set<std::string> want_redrawn, want_failed;
  for (std::int64_t c = 0; c < 6; ++c)
    for (std::int64_t i = 0; i < 12; ++i) {
      const Sample s = spec.generator->make(c, i);
      if (s.draw > 0) want_redrawn.insert(s.name);
      if (!s.guard_failed.empty()) want_failed.insert(s.name);
    }
  ASSERT_FALSE(want_redrawn.empty());
  auto check = [&](const fs::path& dir) {
    const nlohmann::json g = manifest_guards(dir);
    ASSERT_TRUE(g.is_object()) << dir;
    EXPECT_EQ(g["min_ink"].get<double>(), 0.002);
    EXPECT_EQ(g["guard_draws"].get<int>(), 3);
    std::set<std::string> redrawn, failed;
    for (const auto& e : g["samples"]) (e.contains("failed") ? failed : redrawn).insert(e["name"].get<std::string>());
    EXPECT_EQ(redrawn, want_redrawn) << dir;
    EXPECT_EQ(failed, want_failed) << dir;
    EXPECT_EQ(g["redrawn"].get<std::size_t>(), want_redrawn.size());
    EXPECT_EQ(g["failed"].get<std::size_t>(), want_failed.size());
  };
  ASSERT_EQ(test::run_cli(test::gen(t / "cfg.yaml", t / "j1", "-j 1")).exit_code, 0);
  const test::CommandResult two = test::run_cli(test::gen(t / "cfg.yaml", t / "j2", "-j 2"));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("guards: "), std::string::npos) << two.output;
  EXPECT_NE(two.output.find("\"guard_redrawn\":" + std::to_string(want_redrawn.size())), std::string::npos)
      << two.output;
  check(t / "j1");
  check(t / "j2");
  EXPECT_EQ(test::snapshot(t / "j1"), test::snapshot(t / "j2"));
  // Class by class, in two runs: the second run's manifest still lists the first run's samples.
  ASSERT_EQ(test::run_cli(test::gen(t / "cfg.yaml", t / "parts", "--classes 0:3")).exit_code, 0);
  ASSERT_EQ(test::run_cli(test::gen(t / "cfg.yaml", t / "parts", "--classes 3:6 --resume")).exit_code, 0);
  check(t / "parts");
  EXPECT_EQ(test::snapshot(t / "j1"), test::snapshot(t / "parts"));
  // Tar shards, split into 2 parts: the part that finishes last writes the whole list.
  test::write_text(t / "tar.yaml",
                   std::string(kSmallRcdb) + "min_ink: 0.002\nguard_draws: 3\noutput_format: tar\nshard_samples: 10\n");
  for (int p = 0; p < 2; ++p)
    ASSERT_EQ(test::run_cli(test::gen(t / "tar.yaml", t / "tar", "--shard " + std::to_string(p) + "/2")).exit_code, 0);
  check(t / "tar");
  // A redrawn dataset verifies and regenerates byte for byte from its saved config.
  EXPECT_EQ(test::run_cli("verify " + (t / "j1").string()).exit_code, 0);
  const std::string victim = *want_redrawn.begin() + ".png";
  fs::remove(t / "j1" / victim);
  const test::CommandResult repair = test::run_cli("verify " + (t / "j1").string() + " --regenerate");
  EXPECT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_EQ(test::snapshot(t / "j1"), test::snapshot(t / "j2"));
}

// ifs_sigma's plasma background differs from the border everywhere, so the pixels would call
// every image saturated: the family says its ink itself (Generator::shape_mask), drawn again or
// read from the class mask, and the two agree exactly, single fractal or several.
TEST(Guard, APlasmaBackgroundIsNotInkTheShapeMaskIs) {
  for (const char* objects : {"", "objects_min: 2\nobjects_max: 4\n"}) {
    const std::string base =
        std::string("generator: ifs_sigma\nclasses: 4\ninstances: 6\nsize: 64\npoints: 4000\n") + objects;
    const DatasetSpec plain = spec_from(base);
    const DatasetSpec masked = spec_from(base + "masks: true\n");
    const DatasetSpec flat = spec_from(base + "background: false\n");
    Image drawn, from_mask, none;
    double ink_sum = 0, pixel_sum = 0;
    for (std::int64_t c = 0; c < 4; ++c)
      for (std::int64_t i = 0; i < 6; ++i) {
        const Sample s = plain.generator->make(c, i);
        const Sample m = masked.generator->make(c, i);
        pixel_sum += ink_fraction(s.image);
        ASSERT_TRUE(plain.generator->shape_mask(c, i, nullptr, drawn));
        ASSERT_TRUE(masked.generator->shape_mask(c, i, &m, from_mask));
        ASSERT_EQ(drawn.pixels.size(), m.semantic.values.size());
        for (std::size_t k = 0; k < drawn.pixels.size(); ++k)
          ASSERT_EQ(drawn.pixels[k] != 0, m.semantic.values[k] != 0) << s.name << " pixel " << k << " " << objects;
        EXPECT_EQ(drawn.pixels, from_mask.pixels);
        const SampleStats st = image_stats(s.image, "x", "0", drawn);
        EXPECT_LT(st.ink, 0.95);
        EXPECT_GT(st.ink, 0.0);
        EXPECT_EQ(st.mean, image_stats(s.image, "x", "0").mean) << "intensity stays the image's";
        ink_sum += st.ink;
        EXPECT_FALSE(flat.generator->shape_mask(c, i, nullptr, none)) << "a black background: the pixels say it";
      }
    EXPECT_LT(ink_sum / 24, 0.6);
    EXPECT_GT(pixel_sum / 24, 0.7) << "by its pixels, the plasma is ink";
    EXPECT_GT(pixel_sum - ink_sum, 0.3 * 24);
  }
  Image unused;
  EXPECT_FALSE(spec_from(kSmallRcdb).generator->shape_mask(0, 0, nullptr, unused));
}

// The guards and fdsl stats in memory measure that mask: max_ink no longer rejects every image
// of a plasma recipe, min_ink rejects by the fractal's own coverage, and stats flags no image
// saturated.
TEST(Guard, InkGuardsAndStatsOfAPlasmaRecipeMeasureTheFractal) {
  const std::string base = "generator: ifs_sigma\nclasses: 5\ninstances: 8\nsize: 64\npoints: 4000\n";
  const DatasetSpec plain = spec_from(base);
  const DatasetSpec guarded = spec_from(base + "max_ink: 0.9\nmin_ink: 0.05\n");
  const Generator& a = *plain.generator;
  const Generator& g = *guarded.generator;
  Image mask;
  for (std::int64_t c = 0; c < 5; ++c)
    for (std::int64_t i = 0; i < 8; ++i) {
      const Sample s = g.make(c, i);
      ASSERT_TRUE(a.shape_mask(c, i, nullptr, mask));
      const SampleStats first = image_stats(a.make(c, i).image, "x", "0", mask);
      const bool passes = first.ink >= 0.05 && first.ink <= 0.9;
      if (passes) {
        EXPECT_EQ(s.draw, 0) << s.name;
        EXPECT_EQ(s.image.pixels, a.make(c, i).image.pixels);
      }
      Image own;
      ASSERT_TRUE(g.shape_mask(c, i, &s, own));
      const double ink = image_stats(s.image, "x", "0", own).ink;
      if (s.guard_failed.empty()) {
        EXPECT_GE(ink, 0.05) << s.name;
        EXPECT_LE(ink, 0.9) << s.name;
      }
      // The path that fills a caller's buffer measures the same draw.
      std::vector<std::uint8_t> buf(s.image.pixels.size());
      g.make_image_into(c, i, buf.data(), 64, 64, 3);
      EXPECT_EQ(buf, s.image.pixels) << s.name;
    }
  const GuardCounts n = *guard_counts(g);
  EXPECT_LT(n.failed, 40) << "with the plasma counted as ink every image would fail max_ink";
  EXPECT_EQ(n.rejected[1], 0) << "no fractal of this recipe covers 90% of its frame";
  const nlohmann::ordered_json r = sample_stats(a, plain.params, "cfg", 40, StatsThresholds{}, 1);
  EXPECT_EQ(r["images"]["saturated"].size(), 0u) << r["images"]["summary"]["ink"].dump();
  EXPECT_LT(r["images"]["summary"]["ink"]["mean"].get<double>(), 0.6);
}

}  // namespace
}  // namespace fdsl
