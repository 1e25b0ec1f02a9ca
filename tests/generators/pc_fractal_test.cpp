// PC-FractalDB: the variance search against a direct computation and across thread counts, the
// official and unit-sphere normalizations, FractalNoiseMix, MV-FractalDB's 145 rows, re-sampling,
// FPS and normals on instances, category import and export, and scenes whose boxes hold their
// objects' points.
#include "fdsl/generators/pc_fractal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/io/pc_category_csv.h"
#include "fdsl/render/point_ops.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

DatasetSpec spec_of(const std::string& yaml, const fs::path& dir = fs::temp_directory_path(), int threads = 1) {
  SpecOptions o;
  o.threads = threads;
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), o, dir);
}

const std::string kObjects = "generator: pc_fractal\nclasses: 6\ninstances: 20\npoints: 2000\n";

double extent_of(const float* xyz, std::size_t n) {
  float lo[3], hi[3];
  bounding_box(xyz, n, lo, hi);
  double widest = 0;
  for (int a = 0; a < 3; ++a) widest = std::max(widest, static_cast<double>(hi[a]) - lo[a]);
  return widest;
}

std::array<double, 3> mean_of(const float* xyz, std::size_t n) {
  std::array<double, 3> m{};
  for (std::size_t k = 0; k < n; ++k)
    for (int a = 0; a < 3; ++a) m[a] += xyz[3 * k + a];
  for (double& v : m) v /= static_cast<double>(n);
  return m;
}

// ---- category search ------------------------------------------------------------------------

TEST(PcFractalSearch, CandidatesFollowTheSpec) {
  PcSearchOptions o;
  std::map<std::size_t, int> sizes;
  for (int i = 0; i < 600; ++i) {
    const Ifs3 ifs = pc_fractal_candidate(o, i);
    ++sizes[ifs.maps.size()];
    double total = 0;
    for (std::size_t m = 0; m < ifs.maps.size(); ++m) {
      for (double v : ifs.maps[m].m) {
        EXPECT_GE(v, -1.0);
        EXPECT_LT(v, 1.0);
      }
      EXPECT_NEAR(ifs.probs[m] * 1.0,
                  std::fabs(ifs.maps[m].det()) / 1.0 * (ifs.probs[0] / std::fabs(ifs.maps[0].det())), 1e-12);
      total += ifs.probs[m];
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
  }
  EXPECT_EQ(sizes.begin()->first, 2u);
  EXPECT_EQ(sizes.rbegin()->first, 7u);
  EXPECT_EQ(sizes.size(), 6u);
}

/// Per-axis population variance of the orbit normalized directly from its definition, in long
/// double: global min-max of all coordinates to [-1, 1], then minus the centroid.
std::array<double, 3> direct_variance(const Orbit3& o) {
  const std::vector<float>* axes[3] = {&o.x, &o.y, &o.z};
  long double lo = INFINITY, hi = -INFINITY;
  for (auto* v : axes)
    for (float f : *v) {
      if (!std::isfinite(f)) return {NAN, NAN, NAN};
      lo = std::min<long double>(lo, f);
      hi = std::max<long double>(hi, f);
    }
  std::array<double, 3> out{};
  const long double n = static_cast<long double>(o.size());
  for (int a = 0; a < 3; ++a) {
    long double mean = 0;
    for (float f : *axes[a]) mean += ((f - lo) / (hi - lo) * 2 - 1) / n;
    long double var = 0;
    for (float f : *axes[a]) {
      const long double d = (f - lo) / (hi - lo) * 2 - 1 - mean;
      var += d * d / n;
    }
    out[a] = static_cast<double>(var);
  }
  return out;
}

TEST(PcFractalSearch, VarianceAcceptanceEqualsADirectComputation) {
  PcSearchOptions o;
  int accepted = 0, compared = 0;
  Orbit3 orbit;
  for (int i = 0; i < 3000; ++i) {
    const Ifs3 ifs = pc_fractal_candidate(o, i);
    const auto got = pc_fractal_variance(ifs, o, i);
    pc_fractal_search_orbit(ifs, o, i, orbit);
    const auto want = direct_variance(orbit);
    const bool finite = std::isfinite(want[0]) && std::isfinite(want[1]) && std::isfinite(want[2]);
    if (!finite) {
      EXPECT_FALSE(pc_fractal_accepts(got, o.threshold)) << "candidate " << i;
      continue;
    }
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(got[a], want[a], 2e-6 * want[a] + 1e-12) << "candidate " << i;
    // Decisions agree except within the computations' own rounding of the threshold.
    bool borderline = false;
    for (double v : want) borderline |= std::fabs(v - o.threshold) < 1e-6;
    if (borderline) continue;
    ++compared;
    const bool direct = want[0] > o.threshold && want[1] > o.threshold && want[2] > o.threshold;
    EXPECT_EQ(pc_fractal_accepts(got, o.threshold), direct) << "candidate " << i;
    accepted += direct;
  }
  EXPECT_GT(compared, 2000);
  EXPECT_GT(accepted, 10);  // the test saw both outcomes
  EXPECT_LT(accepted, compared / 2);
}

TEST(PcFractalSearch, KeepsTheFirstAcceptedCandidatesInOrderForAnyThreadCount) {
  PcSearchOptions o;
  o.seed = 5;
  const PcSearchResult one = search_pc_fractal(o, 25, 1);
  const PcSearchResult two = search_pc_fractal(o, 25, 2);
  const PcSearchResult four = search_pc_fractal(o, 25, 4);
  ASSERT_EQ(one.systems.size(), 25u);
  EXPECT_EQ(one.candidate, two.candidate);
  EXPECT_EQ(one.candidate, four.candidate);
  EXPECT_EQ(one.tried, two.tried);
  // Exactly the accepted candidates, none skipped.
  std::size_t k = 0;
  for (std::int64_t i = 0; i < one.tried; ++i) {
    const bool ok = pc_fractal_accepts(pc_fractal_variance(pc_fractal_candidate(o, i), o, i), o.threshold);
    if (ok) {
      ASSERT_LT(k, one.candidate.size());
      EXPECT_EQ(one.candidate[k++], i);
    }
  }
  EXPECT_EQ(k, 25u);
  for (std::size_t c = 0; c < 25; ++c)
    for (double v : one.variance[c]) EXPECT_GT(v, 0.05);
}

TEST(PcFractalSearch, AnUnreachableThresholdIsABadInputError) {
  PcSearchOptions o;
  o.threshold = 0.9;
  o.max_candidates = 3000;
  EXPECT_THROW(search_pc_fractal(o, 2, 2), Error);
}

// ---- instances --------------------------------------------------------------------------------

TEST(PcFractal, OfficialNormalizationRangesPerMode) {
  for (const std::string mode : {"resample", "mv_weights"}) {
    const DatasetSpec spec = spec_of(kObjects + "instance_mode: " + mode + "\n");
    for (std::int64_t c = 0; c < 6; c += 2)
      for (std::int64_t i = 0; i < 20; i += 7) {
        const Sample s = spec.generator->make(c, i);
        ASSERT_EQ(s.cloud.size(), 2000u);
        EXPECT_LE(extent_of(s.cloud.xyz.data(), 2000), 2.0 + 1e-5) << mode;
        EXPECT_GT(extent_of(s.cloud.xyz.data(), 2000), 0.5) << mode;
        for (double m : mean_of(s.cloud.xyz.data(), 2000)) EXPECT_NEAR(m, 0.0, 1e-5) << mode;
        char name[32];
        std::snprintf(name, sizeof name, "%06d/%06d_%04d", static_cast<int>(c), static_cast<int>(c),
                      static_cast<int>(i));
        EXPECT_EQ(s.name, name);
      }
  }
}

TEST(PcFractal, UnitSphereNormalizationTouchesTheSphere) {
  const DatasetSpec spec = spec_of(kObjects + "normalize: unit_sphere\n");
  for (std::int64_t i = 0; i < 5; ++i) {
    const Sample s = spec.generator->make(3, i);
    double r = 0;
    for (std::size_t k = 0; k < s.cloud.size(); ++k) {
      const float* p = &s.cloud.xyz[3 * k];
      r = std::max(r, std::sqrt(static_cast<double>(p[0]) * p[0] + p[1] * p[1] + p[2] * p[2]));
    }
    EXPECT_NEAR(r, 1.0, 1e-6);
    for (double m : mean_of(s.cloud.xyz.data(), s.cloud.size())) EXPECT_NEAR(m, 0.0, 1e-6);
  }
}

TEST(PcFractal, NoiseMixJoinsEightTenthsOfTheClassWithAnotherCategory) {
  // noise_mix, ratio 0.8, shared main cloud; in the order made (main part first)
  const DatasetSpec spec = spec_of(kObjects + "point_order: generated\n");
  const Generator& g = *spec.generator;
  const Sample a = g.make(2, 0), b = g.make(2, 1);
  ASSERT_EQ(a.cloud.size(), 2000u);
  // Each part was normalized on its own: the first 1600 and the last 400 points span at most 2.
  EXPECT_NEAR(extent_of(a.cloud.xyz.data(), 1600), 2.0, 0.6);
  EXPECT_LE(extent_of(a.cloud.xyz.data(), 1600), 2.0 + 1e-5);
  EXPECT_LE(extent_of(a.cloud.xyz.data() + 3 * 1600, 400), 2.0 + 1e-5);
  for (double m : mean_of(a.cloud.xyz.data(), 2000)) EXPECT_NEAR(m, 0.0, 1e-5);
  // The main cloud is shared by the class's instances (up to the re-centring shift).
  float shift[3];
  for (int k = 0; k < 3; ++k) shift[k] = b.cloud.xyz[k] - a.cloud.xyz[k];
  for (std::size_t k = 0; k < 1600; ++k)
    for (int ax = 0; ax < 3; ++ax) ASSERT_NEAR(b.cloud.xyz[3 * k + ax] - a.cloud.xyz[3 * k + ax], shift[ax], 1e-5);
  // ... and the noise differs.
  EXPECT_NE(std::memcmp(a.cloud.xyz.data() + 3 * 1600, b.cloud.xyz.data() + 3 * 1600, 400 * 12), 0);

  // Unshared: the main parts differ too.
  const DatasetSpec fresh = spec_of(kObjects + "mix_shared_main: false\n");
  const Sample c = fresh.generator->make(2, 0), d = fresh.generator->make(2, 1);
  double diff = 0;
  for (std::size_t k = 0; k < 3 * 1600; ++k)
    diff = std::max(diff, std::fabs(static_cast<double>(c.cloud.xyz[k]) - d.cloud.xyz[k]));
  EXPECT_GT(diff, 0.01);
}

TEST(PcFractal, NoiseCategoryIsDrawnPerClassAndInstanceAndNeverTheClass) {
  const std::int64_t classes = 5;
  std::map<std::int64_t, int> counts;
  int same_as_class0 = 0;
  for (std::int64_t c = 0; c < classes; ++c)
    for (std::int64_t i = 0; i < 400; ++i) {
      const std::int64_t n = noise_category(7, c, i, classes);
      ASSERT_NE(n, c);
      ASSERT_GE(n, 0);
      ASSERT_LT(n, classes);
      ++counts[n];
      if (c == 1) same_as_class0 += n == noise_category(7, 0, i, classes);
    }
  // Uniform over the other categories: each is the noise of about 400 of the 2000 draws.
  for (const auto& [n, k] : counts) EXPECT_NEAR(k, 400, 80) << "category " << n;
  // Not one list for all classes (the official script's): instance i of class 1 and class 0
  // usually take different noise categories.
  EXPECT_LT(same_as_class0, 200);
  EXPECT_THROW(noise_category(7, 0, 0, 1), Error);
}

TEST(PcFractal, MvFractalDbHas145RowsEachScalingOneCoefficient) {
  const auto& rows = mv_fractaldb_weights();
  ASSERT_EQ(rows.size(), 145u);
  for (double w : rows[0]) EXPECT_EQ(w, 1.0);
  std::set<std::pair<int, double>> seen;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    int changed = -1;
    for (int q = 0; q < 12; ++q)
      if (rows[r][q] != 1.0) {
        EXPECT_EQ(changed, -1) << "row " << r;
        changed = q;
      }
    ASSERT_GE(changed, 0);
    EXPECT_EQ(changed, static_cast<int>((r - 1) / 12));
    seen.insert({changed, rows[r][changed]});
  }
  EXPECT_EQ(seen.size(), 144u);
  for (int q = 0; q < 12; ++q)
    for (int step : {4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16}) EXPECT_TRUE(seen.count({q, step / 10.0}));
  // apply_weights scales every map's coefficient, never p.
  Ifs3 ifs = pc_fractal_candidate(PcSearchOptions{}, 3);
  const Ifs3 w = apply_weights(ifs, rows[1 + 12 * 4 + 2]);  // coefficient e times 0.6
  for (std::size_t m = 0; m < ifs.maps.size(); ++m) {
    EXPECT_EQ(w.maps[m].m[4], ifs.maps[m].m[4] * 0.6);
    EXPECT_EQ(w.maps[m].m[3], ifs.maps[m].m[3]);
    EXPECT_EQ(w.probs[m], ifs.probs[m]);
  }
}

TEST(PcFractal, MvWeightsModeHas145InstancesAndRefusesMore) {
  const DatasetSpec spec = spec_of("generator: pc_fractal\nclasses: 2\npoints: 500\ninstance_mode: mv_weights\n");
  EXPECT_EQ(spec.generator->instances_per_class(), 145);
  EXPECT_THROW(spec_of("generator: pc_fractal\nclasses: 2\ninstances: 146\ninstance_mode: mv_weights\n"), Error);
  // Instance 0 is the category itself, re-sampled with its own stream; the others differ.
  const Sample a = spec.generator->make(1, 0), b = spec.generator->make(1, 13);
  EXPECT_NE(std::memcmp(a.cloud.xyz.data(), b.cloud.xyz.data(), 500 * 12), 0);
}

TEST(PcFractal, SamplesArePureFunctionsOfTheirIndices) {
  const DatasetSpec one = spec_of(kObjects, fs::temp_directory_path(), 1);
  const DatasetSpec two = spec_of(kObjects, fs::temp_directory_path(), 2);
  std::vector<Sample> range;
  one.generator->make_range(4, 3, 11, [&](Sample&& s) { range.push_back(std::move(s)); });
  ASSERT_EQ(range.size(), 8u);
  for (std::int64_t i = 3; i < 11; ++i) {
    const Sample a = one.generator->make(4, i), b = two.generator->make(4, i);
    EXPECT_EQ(a.cloud.xyz, b.cloud.xyz);
    EXPECT_EQ(a.cloud.xyz, range[static_cast<std::size_t>(i - 3)].cloud.xyz);
  }
  EXPECT_NE(one.generator->make(4, 3).cloud.xyz, one.generator->make(4, 4).cloud.xyz);
  EXPECT_NE(spec_of(kObjects + "seed: 1\n").generator->make(4, 3).cloud.xyz, one.generator->make(4, 3).cloud.xyz);
}

TEST(PcFractal, FpsAndNormalsApplyToTheFinishedCloud) {
  const DatasetSpec spec = spec_of(kObjects + "fps_points: 512\nnormals: true\nnormal_k: 12\npoint_order: generated\n");
  const Sample s = spec.generator->make(1, 2);
  ASSERT_EQ(s.cloud.size(), 512u);
  ASSERT_EQ(s.cloud.normals.size(), 3u * 512);
  for (std::size_t k = 0; k < 512; ++k) {
    const float* n = &s.cloud.normals[3 * k];
    EXPECT_NEAR(std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]), 1.0, 1e-5);
  }
  // The points are a subset of the full cloud, the first of them its first point.
  const Sample full = spec_of(kObjects + "point_order: generated\n").generator->make(1, 2);
  EXPECT_EQ(std::memcmp(s.cloud.xyz.data(), full.cloud.xyz.data(), 12), 0);
  EXPECT_THROW(spec_of(kObjects + "fps_points: 2001\n"), Error);
}

TEST(PcFractal, CategoriesExportAndImportExactly) {
  test::TempDir dir("fdsl-pc");
  const DatasetSpec searched = spec_of(kObjects);
  searched.generator->export_categories(dir / "3DIFS_param");
  searched.generator->save_categories(dir.path());
  EXPECT_TRUE(fs::exists(dir / "3DIFS_param/000005.csv"));
  const auto table = read_pc_categories(dir / "categories.csv");
  const auto folder = read_pc_categories(dir / "3DIFS_param");
  ASSERT_EQ(table.size(), 6u);
  ASSERT_EQ(folder.size(), 6u);
  const DatasetSpec imported =
      spec_of("generator: pc_fractal\ncategories: 3DIFS_param\ninstances: 20\npoints: 2000\n", dir.path());
  EXPECT_EQ(imported.generator->num_classes(), 6);
  // Same categories, same seed: the same clouds.
  EXPECT_EQ(imported.generator->make(5, 7).cloud.xyz, searched.generator->make(5, 7).cloud.xyz);
  const DatasetSpec from_table =
      spec_of("generator: pc_fractal\ncategories: categories.csv\nclasses: 4\npoints: 100\n", dir.path());
  EXPECT_EQ(from_table.generator->num_classes(), 4);
  EXPECT_THROW(spec_of("generator: pc_fractal\ncategories: 3DIFS_param\nclasses: 7\n", dir.path()), Error);
}

TEST(PcFractal, AnImportedCategoryThatDivergesIsRefusedNamingItsFileAndLine) {
  test::TempDir dir("fdsl-pc");
  const DatasetSpec searched = spec_of(kObjects);
  searched.generator->export_categories(dir / "cats");
  searched.generator->save_categories(dir.path());
  // Category 3's first map scaled far out: every orbit runs off to infinity.
  std::string text = test::read_text(dir / "cats/000003.csv");
  text = "1e308" + text.substr(text.find(','));
  test::write_text(dir / "cats/000003.csv", text);
  for (const std::string source : {"cats", "cats_table"}) {
    if (source == "cats_table") {
      std::string table = test::read_text(dir / "categories.csv");
      const std::size_t row = table.find("\n3,");
      table = table.substr(0, row + 3) + "1e308" + table.substr(table.find(',', row + 3));
      test::write_text(dir / "cats_table.csv", table);
    }
    const std::string file = source == "cats" ? "cats" : "cats_table.csv";
    try {
      spec_of("generator: pc_fractal\ncategories: " + file + "\npoints: 500\n", dir.path());
      ADD_FAILURE() << source << ": a diverging category was accepted";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << msg;
      EXPECT_NE(msg.find("category 3"), std::string::npos) << msg;
      EXPECT_NE(msg.find(source == "cats" ? "000003.csv:1" : "cats_table.csv:"), std::string::npos) << msg;
      EXPECT_NE(msg.find("cfg.yaml:2: key 'categories'"), std::string::npos) << msg;
    }
  }
}

TEST(PcFractal, RecipeConfigsLoadAsPublished) {
  SpecOptions small;
  small.overrides = {"classes=3"};
  const DatasetSpec pc = load_dataset_spec(test::source_path("configs/pc-fractaldb-1k.yaml").string(), small);
  EXPECT_EQ(pc.generator->family(), "pc_fractal");
  EXPECT_EQ(pc.generator->instances_per_class(), 1000);
  EXPECT_EQ(pc.params.get_string("cloud_format"), "ply");
  const Sample s = pc.generator->make(2, 999);
  EXPECT_EQ(s.cloud.size(), 10000u);
  EXPECT_EQ(s.name, "000002/000002_0999");

  const DatasetSpec mv = load_dataset_spec(test::source_path("configs/mv-fractaldb-instances.yaml").string(), small);
  EXPECT_EQ(mv.generator->instances_per_class(), 145);
  EXPECT_EQ(mv.generator->make(1, 144).cloud.size(), 10000u);

  const DatasetSpec scenes = load_dataset_spec(test::source_path("configs/pc-fractaldb-scenes.yaml").string(), small);
  EXPECT_EQ(scenes.generator->family(), "pc_scenes");
  EXPECT_EQ(scenes.generator->instances_per_class(), 10000);
  const Sample scene = scenes.generator->make(0, 9999);
  EXPECT_EQ(scene.cloud.size() % 2000, 0u);
  EXPECT_EQ(scene.cloud.size() / 2000, scene.meta["objects"].size());
}

// ---- scenes -----------------------------------------------------------------------------------

TEST(PcScenes, BoxesHoldTheirObjectsPointsAndFollowTheLayoutRules) {
  const DatasetSpec spec =
      spec_of("generator: pc_scenes\nclasses: 5\ninstances: 12\nobject_instances: 10\npoints: 300\n");
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.num_classes(), 1);
  EXPECT_EQ(g.instances_per_class(), 12);
  for (std::int64_t k = 0; k < 12; ++k) {
    const Sample s = g.make(0, k);
    char name[32];
    std::snprintf(name, sizeof name, "scenes/scene_%05d", static_cast<int>(k));
    EXPECT_EQ(s.name, name);
    const auto& objects = s.meta["objects"];
    ASSERT_GE(objects.size(), 1u);
    ASSERT_EQ(s.cloud.size(), 300 * objects.size());
    ASSERT_EQ(s.cloud.instance_ids.size(), s.cloud.size());
    ASSERT_EQ(s.cloud.class_ids.size(), s.cloud.size());
    ASSERT_EQ(s.meta["votenet_bbox"].size(), objects.size());
    for (std::size_t o = 0; o < objects.size(); ++o) {
      const auto& b = objects[o];
      const double cx = b["center"][0], cy = b["center"][1], cz = b["center"][2];
      const double sx = b["size"][0], sy = b["size"][1], sz = b["size"][2], yaw = b["yaw"];
      EXPECT_GE(sx, 0.75);
      EXPECT_LT(sx, 1.25);
      EXPECT_NEAR(cz, sz / 2, 1e-12);  // resting on the floor
      EXPECT_LE(std::fabs(cx), 7.5);
      EXPECT_LE(std::fabs(cy), 7.5);
      EXPECT_LE(std::fabs(yaw), M_PI);
      // Earlier objects are far enough.
      for (std::size_t e = 0; e < o; ++e) {
        const auto& q = objects[e];
        const double d = std::hypot(cx - q["center"][0].get<double>(), cy - q["center"][1].get<double>());
        const double need =
            (std::hypot(sx, sy) + std::hypot(q["size"][0].get<double>(), q["size"][1].get<double>())) / 2 + 0.25;
        EXPECT_GE(d, need);
      }
      // Every point of the object lies in its box (in the box's own frame), and some touch each face.
      double reach[3] = {0, 0, 0};
      std::size_t count = 0;
      for (std::size_t k2 = 0; k2 < s.cloud.size(); ++k2) {
        if (s.cloud.instance_ids[k2] != static_cast<std::int32_t>(o)) continue;
        ++count;
        EXPECT_EQ(s.cloud.class_ids[k2], b["class"].get<std::int32_t>());
        const double px = s.cloud.xyz[3 * k2] - cx, py = s.cloud.xyz[3 * k2 + 1] - cy,
                     pz = s.cloud.xyz[3 * k2 + 2] - cz;
        const double lx = std::cos(yaw) * px + std::sin(yaw) * py, ly = -std::sin(yaw) * px + std::cos(yaw) * py;
        const double local[3] = {lx, ly, pz}, half[3] = {sx / 2, sy / 2, sz / 2};
        for (int a = 0; a < 3; ++a) {
          ASSERT_LE(std::fabs(local[a]), half[a] + 1e-5) << "scene " << k << " object " << o << " axis " << a;
          reach[a] = std::max(reach[a], std::fabs(local[a]) / half[a]);
        }
      }
      EXPECT_EQ(count, b["num_points"].get<std::size_t>());
      for (double r : reach) EXPECT_GT(r, 0.999);
      // VoteNet's row: half sizes padded to hold the float32 points (by at most 1e-6 of the size
      // plus 1e-6 beyond the points' reach), and heading = -yaw.
      const auto& v = s.meta["votenet_bbox"][o];
      for (int a = 0; a < 3; ++a) {
        const double half = (a == 0 ? sx : a == 1 ? sy : sz) / 2;
        EXPECT_GE(v[3 + a].get<double>(), half);
        EXPECT_LE(v[3 + a].get<double>(), std::max(half, reach[a] * half) * (1 + 1e-6) + 1e-6 + 1e-12);
      }
      EXPECT_EQ(v[6].get<double>(), -yaw);
      EXPECT_EQ(v[7].get<std::int64_t>(), b["class"].get<std::int64_t>());
    }
  }
  // Scenes are pure functions of their index.
  EXPECT_EQ(g.make(0, 3).cloud.xyz,
            spec_of("generator: pc_scenes\nclasses: 5\ninstances: 12\nobject_instances: 10\npoints: 300\n",
                    fs::temp_directory_path(), 2)
                .generator->make(0, 3)
                .cloud.xyz);
}

TEST(PcScenes, ObjectsAreTheObjectFamilysClouds) {
  const std::string common = "classes: 5\nobject_instances: 10\npoints: 300\npoint_order: generated\n";
  const DatasetSpec scenes = spec_of("generator: pc_scenes\ninstances: 2\n" + common);
  const DatasetSpec objects =
      spec_of("generator: pc_fractal\ninstances: 10\nclasses: 5\npoints: 300\npoint_order: generated\n");
  const Sample s = scenes.generator->make(0, 1);
  const auto& first = s.meta["objects"][0];
  const Sample o =
      objects.generator->make(first["class"].get<std::int64_t>(), first["source_instance"].get<std::int64_t>());
  // The scene's first 300 points are that object fitted to its box: same relative layout.
  float lo[3], hi[3];
  bounding_box(o.cloud.xyz.data(), 300, lo, hi);
  const double yaw = first["yaw"];
  for (std::size_t k = 0; k < 300; k += 17) {
    const double px = s.cloud.xyz[3 * k] - first["center"][0].get<double>();
    const double py = s.cloud.xyz[3 * k + 1] - first["center"][1].get<double>();
    const double lx = std::cos(yaw) * px + std::sin(yaw) * py;
    const double expect =
        (o.cloud.xyz[3 * k] - 0.5 * (lo[0] + hi[0])) / (hi[0] - lo[0]) * first["size"][0].get<double>();
    EXPECT_NEAR(lx, expect, 1e-5);
  }
}

TEST(PcScenes, FpsAndNormalsApplyToTheWholeScene) {
  const DatasetSpec spec = spec_of(
      "generator: pc_scenes\nclasses: 4\ninstances: 3\nobject_instances: 4\npoints: 300\nfps_points: 1000\n"
      "normals: true\n");
  for (std::int64_t k = 0; k < 3; ++k) {
    const Sample s = spec.generator->make(0, k);
    const std::size_t full = 300 * s.meta["objects"].size();
    EXPECT_EQ(s.cloud.size(), std::min<std::size_t>(full, 1000));
    EXPECT_EQ(s.cloud.normals.size(), 3 * s.cloud.size());
    EXPECT_EQ(s.cloud.instance_ids.size(), s.cloud.size());
    std::size_t counted = 0;
    for (const auto& o : s.meta["objects"]) counted += o["num_points"].get<std::size_t>();
    EXPECT_EQ(counted, s.cloud.size());
  }
}

TEST(PcScenes, RefuseHdf5) { EXPECT_THROW(spec_of("generator: pc_scenes\nclasses: 3\ncloud_format: hdf5\n"), Error); }

}  // namespace
}  // namespace fdsl
