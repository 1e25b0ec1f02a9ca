// The shipped contour configs load and describe the published runs: VisualAtom-1k and RCDB-1k
// replay the official workers (checked on each worker's first class against CPython's stream),
// VisualAtom-21k is faithful at its published size.
#include <gtest/gtest.h>

#include "fdsl/core/py_random.h"
#include "fdsl/dataset/spec.h"
#include "test_support.h"

namespace fdsl {
namespace {

DatasetSpec load(const std::string& name, std::vector<std::string> overrides = {}) {
  SpecOptions o;
  o.overrides = std::move(overrides);
  o.threads = 2;
  return load_dataset_spec(test::source_path("configs/" + name).string(), o);
}

TEST(ContourConfigs, VisualAtom1kIsTheOfficialTwentyWorkerRun) {
  const DatasetSpec spec = load("visualatom-1k.yaml");
  EXPECT_EQ(spec.generator->family(), "visual_atom");
  EXPECT_EQ(spec.generator->num_classes(), 1000);
  EXPECT_EQ(spec.generator->instances_per_class(), 1000);
  EXPECT_EQ(spec.params.get_string("compat"), "official");
  EXPECT_EQ(spec.params.get_int("workers"), 20);
  EXPECT_EQ(spec.params.get_int("size"), 512);
  // Few instances keep the replay short; a worker's first class does not depend on them.
  const DatasetSpec small = load("visualatom-1k.yaml", {"instances=2"});
  for (std::int64_t t : {0, 1, 7, 19}) {
    PyRandom r(static_cast<std::uint64_t>(t) + 1);
    const auto j = small.generator->category_json(50 * t);
    EXPECT_EQ(j["worker"].get<std::int64_t>(), t);
    EXPECT_EQ(j["vertices"].get<std::int64_t>(), r.randint(200, 1000)) << "worker " << t;
    EXPECT_EQ(j["orbits"].get<std::int64_t>(), r.randint(1, 200)) << "worker " << t;
    EXPECT_EQ(j["perlin"].get<double>(), r.uniform(0, 4)) << "worker " << t;
    EXPECT_EQ(small.generator->category_json(50 * t + 49)["worker"].get<std::int64_t>(), t);
  }
  EXPECT_NO_THROW(load("visualatom-1k.yaml", {"compat=faithful", "classes=10"}));
}

TEST(ContourConfigs, VisualAtom21kIsFaithfulAtItsPublishedSize) {
  const DatasetSpec spec = load("visualatom-21k.yaml");
  EXPECT_EQ(spec.generator->num_classes(), 21000);
  EXPECT_EQ(spec.generator->instances_per_class(), 1000);
  EXPECT_EQ(spec.params.get_string("compat"), "faithful");
  const auto j = spec.generator->category_json(20999);
  EXPECT_GE(j["vertices"].get<std::int64_t>(), 200);
  EXPECT_LE(j["vertices"].get<std::int64_t>(), 1000);
  EXPECT_FALSE(j.contains("worker"));
  const Sample s = load("visualatom-21k.yaml", {"size=128", "center_range=128"}).generator->make(20999, 999);
  EXPECT_EQ(s.image.width, 128);
}

TEST(ContourConfigs, Rcdb1kIsTheOfficialTenWorkerRun) {
  const DatasetSpec spec = load("rcdb-1k.yaml");
  EXPECT_EQ(spec.generator->family(), "rcdb");
  EXPECT_EQ(spec.generator->num_classes(), 1000);
  EXPECT_EQ(spec.generator->instances_per_class(), 1000);
  EXPECT_EQ(spec.params.get_string("compat"), "official");
  EXPECT_EQ(spec.params.get_int("workers"), 10);
  const DatasetSpec small = load("rcdb-1k.yaml", {"instances=2"});
  for (std::int64_t t : {0, 3, 9}) {
    PyRandom r(static_cast<std::uint64_t>(t) + 1);
    std::int64_t q;
    do q = static_cast<std::int64_t>(r.expovariate(1.0 / 100));
    while (!(q > 2 && q <= 200));
    const auto j = small.generator->category_json(100 * t);
    EXPECT_EQ(j["worker"].get<std::int64_t>(), t);
    EXPECT_EQ(j["vertices"].get<std::int64_t>(), q) << "worker " << t;
    EXPECT_EQ(j["orbits"].get<std::int64_t>(), r.randint(1, 200)) << "worker " << t;
  }
  EXPECT_EQ(small.generator->sample_name(42, 1), "image/00042/00042_0001");
}

}  // namespace
}  // namespace fdsl
