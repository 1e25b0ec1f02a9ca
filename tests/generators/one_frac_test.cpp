// 1p-frac: every class is the one base system with each parameter scaled by U(1-delta, 1+delta),
// the base probabilities kept, and accepted by its inked fraction.
#include "fdsl/generators/one_frac.h"

#include <gtest/gtest.h>

#include <string>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/generators/sigma_ifs.h"
#include "test_support.h"

namespace fdsl {
namespace {

DatasetSpec spec_from(const std::string& yaml) {
  test::TempDir dir("one_frac");
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, dir.path());
}

const char* kYaml = "generator: one_frac\nclasses: 20\nsize: 128\npoints: 20000\n";

/// The base system as the generator draws it: alpha ~ U(sigma-0.1, sigma+0.1), then the sampler.
SigmaIfs base_system(std::uint64_t seed, double sigma) {
  Rng rng(seed, 0, 0, Purpose::Category);
  const double alpha = rng.uniform(sigma - 0.1, sigma + 0.1);
  return sample_sigma_ifs(rng, 2, alpha);
}

std::vector<double> params_of(const AffineMap2& m) { return {m.a, m.b, m.c, m.d, m.e, m.f}; }

void expect_perturbations_of_base(const Generator& g, const SigmaIfs& base, double delta) {
  for (std::int64_t c = 0; c < g.num_classes(); ++c) {
    const auto maps = g.category_json(c)["maps"];
    ASSERT_EQ(maps.size(), base.ifs.maps.size()) << "class " << c;
    for (std::size_t i = 0; i < maps.size(); ++i) {
      const auto b = params_of(base.ifs.maps[i]);
      for (std::size_t k = 0; k < 6; ++k) {
        const double ratio = maps[i][k].get<double>() / b[k];
        EXPECT_GE(ratio, 1.0 - delta - 1e-12) << "class " << c << " map " << i << " parameter " << k;
        EXPECT_LE(ratio, 1.0 + delta + 1e-12) << "class " << c << " map " << i << " parameter " << k;
      }
      EXPECT_EQ(maps[i][6].get<double>(), base.ifs.probs[i]) << "class " << c << " map " << i;
    }
  }
}

TEST(OneFrac, ClassesArePerturbationsOfTheBaseSystem) {
  const DatasetSpec spec = spec_from(kYaml);
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.family(), "one_frac");
  ASSERT_EQ(g.num_classes(), 20);
  EXPECT_EQ(g.instances_per_class(), 1);
  const SigmaIfs base = base_system(0, 3.5);
  expect_perturbations_of_base(g, base, 0.1);
  // Classes differ from one another.
  EXPECT_NE(g.category_json(0)["maps"], g.category_json(1)["maps"]);
}

TEST(OneFrac, BaseSystemFollowsSigmaAndSeed) {
  const DatasetSpec spec = spec_from(std::string(kYaml) + "seed: 9\nsigma: 4.0\ndelta: 0.05\n");
  const SigmaIfs base = base_system(9, 4.0);
  EXPECT_GE(base.alpha, 3.9);
  EXPECT_LT(base.alpha, 4.1);
  expect_perturbations_of_base(*spec.generator, base, 0.05);
}

TEST(OneFrac, EveryClassImageIsInkedAboveTheThreshold) {
  const DatasetSpec spec = spec_from(kYaml);
  const Generator& g = *spec.generator;
  for (std::int64_t c = 0; c < g.num_classes(); ++c) {
    const Sample s = g.make(c, 0);
    ASSERT_EQ(s.image.width, 128);
    ASSERT_EQ(s.image.height, 128);
    ASSERT_EQ(s.image.channels, 1);
    std::size_t inked = 0;
    for (auto v : s.image.pixels) inked += v > 1;
    const double fill = static_cast<double>(inked) / static_cast<double>(s.image.pixels.size());
    EXPECT_GT(fill, 0.05) << "class " << c;
    EXPECT_EQ(g.category_json(c)["fill"].get<double>(), fill) << "class " << c;
    EXPECT_EQ(s.label, c);
  }
}

TEST(OneFrac, MakeIsDeterministic) {
  const DatasetSpec a = spec_from(kYaml);
  const DatasetSpec b = spec_from(kYaml);
  EXPECT_EQ(a.generator->make(7, 0).image.pixels, b.generator->make(7, 0).image.pixels);
  EXPECT_EQ(a.generator->make(7, 0).image.pixels, a.generator->make(7, 0).image.pixels);
  EXPECT_NE(a.generator->make(7, 0).image.pixels, a.generator->make(8, 0).image.pixels);
}

TEST(OneFrac, SigmaOutsideTheFeasibleRangeIsBadInput) {
  for (const char* sigma : {"0.05", "6.5", "5.95", "0.1", "5.9", "0", "-1"}) {
    try {
      spec_from(std::string(kYaml) + "sigma: " + sigma + "\n");
      ADD_FAILURE() << "sigma " << sigma << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << sigma;
      EXPECT_NE(std::string(e.what()).find("sigma"), std::string::npos) << sigma << ": " << e.what();
    }
  }
}

TEST(OneFrac, ZeroDeltaMakesEveryClassTheBase) {
  const DatasetSpec spec = spec_from("generator: one_frac\nclasses: 5\nsize: 128\npoints: 20000\ndelta: 0\n");
  const Generator& g = *spec.generator;
  const SigmaIfs base = base_system(0, 3.5);
  for (std::int64_t c = 0; c < g.num_classes(); ++c) {
    const auto maps = g.category_json(c)["maps"];
    ASSERT_EQ(maps.size(), base.ifs.maps.size());
    for (std::size_t i = 0; i < maps.size(); ++i) {
      const auto b = params_of(base.ifs.maps[i]);
      for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(maps[i][k].get<double>(), b[k]) << "class " << c;
      EXPECT_EQ(maps[i][6].get<double>(), base.ifs.probs[i]);
    }
  }
}

TEST(OneFrac, InstancesAreExtraDrawsOfTheSameClassSystem) {
  const DatasetSpec spec = spec_from("generator: one_frac\nclasses: 3\ninstances: 3\nsize: 128\npoints: 20000\n");
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.instances_per_class(), 3);
  EXPECT_NE(g.make(1, 0).image.pixels, g.make(1, 1).image.pixels);
  EXPECT_THROW(g.make(1, 3), Error);
}

}  // namespace
}  // namespace fdsl

namespace fdsl {
namespace {

TEST(OneFrac, AFillThePointsCannotReachIsRefusedBeforeAnyTry) {
  // 100,000 points in 3x3 patches ink at most 0.34% of a 16384 px image: every try would fail.
  try {
    spec_from("generator: one_frac\nclasses: 1\nsize: 16384\npoints: 100000\n");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("fill_threshold"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot be reached"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fdsl
