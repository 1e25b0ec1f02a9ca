// FractalDB: the official weight table, the filling-rate search, the generator's instance layout and
// the import of the official categories.
#include "fdsl/generators/fractaldb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/render/chaos_game.h"
#include "fdsl/render/image_ops.h"
#include "fdsl/render/raster.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

/// Rows of numbers from a CSV file, each parsed with strtod.
std::vector<std::vector<double>> read_csv_numbers(const fs::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) row.push_back(std::strtod(cell.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}

TEST(FractalDB, WeightTablesEqualTheOfficialCsvs) {
  const std::vector<std::pair<double, std::string>> ks = {{0.0125, "0.0125"}, {0.025, "0.025"}, {0.05, "0.05"},
                                                          {0.1, "0.1"},       {0.2, "0.2"},     {0.3, "0.3"},
                                                          {0.4, "0.4"},       {0.5, "0.5"}};
  for (const auto& [k, text] : ks) {
    const fs::path path = test::source_path("data/fractaldb/weights/weights_" + text + ".csv");
    ASSERT_TRUE(fs::exists(path)) << path;
    const auto expected = read_csv_numbers(path);
    const auto rows = fractaldb_weights(k);
    ASSERT_EQ(expected.size(), 25u) << path;
    ASSERT_EQ(rows.size(), expected.size()) << "k = " << text;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      ASSERT_EQ(rows[r].size(), 6u);
      ASSERT_EQ(expected[r].size(), 6u) << path << " row " << r;
      for (std::size_t c = 0; c < 6; ++c)
        EXPECT_EQ(rows[r][c], expected[r][c]) << "k = " << text << ", row " << r << ", column " << c;
    }
    // Row 2 is the identity.
    EXPECT_EQ(rows[2], std::vector<double>(6, 1.0)) << "k = " << text;
  }
}

TEST(FractalDB, ApplyWeightsMultipliesEveryMapAndKeepsProbabilities) {
  Ifs2 ifs;
  ifs.maps = {AffineMap2{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, AffineMap2{-1, -2, -3, -4, -5, -6}};
  ifs.probs = {0.25, 0.75};
  const std::vector<double> row = {2, 3, 4, 5, 6, 7};
  const Ifs2 w = apply_weights(ifs, row);
  ASSERT_EQ(w.maps.size(), 2u);
  EXPECT_EQ(w.probs, ifs.probs);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(w.maps[i].a, ifs.maps[i].a * 2);
    EXPECT_EQ(w.maps[i].b, ifs.maps[i].b * 3);
    EXPECT_EQ(w.maps[i].c, ifs.maps[i].c * 4);
    EXPECT_EQ(w.maps[i].d, ifs.maps[i].d * 5);
    EXPECT_EQ(w.maps[i].e, ifs.maps[i].e * 6);
    EXPECT_EQ(w.maps[i].f, ifs.maps[i].f * 7);
  }
}

TEST(FractalDB, CandidatesFollowTheCategorySampler) {
  FractalSearchOptions o;
  o.seed = 3;
  std::set<std::size_t> sizes;
  for (std::int64_t i = 0; i < 300; ++i) {
    const Ifs2 ifs = fractaldb_candidate(o, i);
    ASSERT_GE(ifs.maps.size(), 2u);
    ASSERT_LE(ifs.maps.size(), 7u);
    sizes.insert(ifs.maps.size());
    double total = 0, det_total = 0;
    for (std::size_t m = 0; m < ifs.maps.size(); ++m) {
      const auto& a = ifs.maps[m];
      for (double v : {a.a, a.b, a.c, a.d, a.e, a.f}) {
        ASSERT_GE(v, -1.0);
        ASSERT_LT(v, 1.0);
      }
      total += ifs.probs[m];
      det_total += std::fabs(a.a * a.d - a.b * a.c);
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
    for (std::size_t m = 0; m < ifs.maps.size(); ++m) {
      const auto& a = ifs.maps[m];
      EXPECT_NEAR(ifs.probs[m], std::fabs(a.a * a.d - a.b * a.c) / det_total, 1e-12);
    }
    // A pure function of (seed, index).
    const Ifs2 again = fractaldb_candidate(o, i);
    EXPECT_EQ(again.maps[0].a, ifs.maps[0].a);
    EXPECT_EQ(again.probs, ifs.probs);
  }
  EXPECT_EQ(sizes.size(), 6u);
}

/// Filling rate recounted from scratch: fdsl's chaos game, FractalDB's normalization, distinct pixels.
double brute_force_fill(const Ifs2& ifs, const FractalSearchOptions& o, std::int64_t index) {
  Orbit2 orbit;
  chaos_game(ifs, o.points, Rng(o.seed, static_cast<std::uint64_t>(index), 0, Purpose::Orbit), ChaosStart::Origin,
             orbit);
  if (!orbit.finite) return -1;
  std::vector<std::int32_t> px, py;
  to_pixels(orbit, fractaldb_transform(orbit, o.size, o.size, o.pad), px, py);
  std::set<std::pair<int, int>> distinct;
  for (std::size_t i = 0; i < px.size(); ++i)
    if (px[i] >= 0) distinct.insert({px[i], py[i]});
  return static_cast<double>(distinct.size()) / (static_cast<double>(o.size) * o.size);
}

FractalSearchOptions small_search() {
  FractalSearchOptions o;
  o.points = 20000;
  o.size = 256;
  o.threshold = 0.15;
  o.seed = 11;
  return o;
}

TEST(FractalDB, SearchAcceptsOnlySystemsThatReachTheThresholdInCandidateOrder) {
  const FractalSearchOptions o = small_search();
  const std::int64_t count = 8;
  const FractalSearchResult r = search_fractaldb(o, count, 1);
  ASSERT_EQ(r.systems.size(), static_cast<std::size_t>(count));
  ASSERT_EQ(r.fill.size(), r.systems.size());
  ASSERT_EQ(r.candidate.size(), r.systems.size());
  EXPECT_EQ(r.tried, r.candidate.back() + 1);
  std::set<std::int64_t> accepted(r.candidate.begin(), r.candidate.end());
  for (std::size_t i = 0; i < r.systems.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(r.candidate[i - 1], r.candidate[i]);
    }
    EXPECT_GE(r.fill[i], o.threshold);
    const Ifs2 expected = fractaldb_candidate(o, r.candidate[i]);
    ASSERT_EQ(r.systems[i].maps.size(), expected.maps.size());
    EXPECT_EQ(r.systems[i].probs, expected.probs);
    EXPECT_EQ(r.systems[i].maps[0].a, expected.maps[0].a);
    EXPECT_EQ(r.fill[i], brute_force_fill(r.systems[i], o, r.candidate[i])) << "candidate " << r.candidate[i];
  }
  // Every candidate passed over before the last accepted one falls short of the threshold.
  for (std::int64_t i = 0; i < r.tried; ++i) {
    if (accepted.count(i)) continue;
    const double fill = fractaldb_filling_rate(fractaldb_candidate(o, i), o, i);
    EXPECT_LT(fill, o.threshold) << "candidate " << i << " was skipped";
    EXPECT_EQ(fill, brute_force_fill(fractaldb_candidate(o, i), o, i)) << "candidate " << i;
  }
}

TEST(FractalDB, SearchIsTheSameWithOneAndTwoThreads) {
  const FractalSearchOptions o = small_search();
  const FractalSearchResult a = search_fractaldb(o, 8, 1);
  const FractalSearchResult b = search_fractaldb(o, 8, 2);
  EXPECT_EQ(a.candidate, b.candidate);
  EXPECT_EQ(a.fill, b.fill);
  EXPECT_EQ(a.tried, b.tried);
  ASSERT_EQ(a.systems.size(), b.systems.size());
  for (std::size_t i = 0; i < a.systems.size(); ++i) EXPECT_EQ(a.systems[i].probs, b.systems[i].probs);
  // Asking for fewer gives a prefix.
  const FractalSearchResult c = search_fractaldb(o, 3, 2);
  EXPECT_EQ(c.candidate, std::vector<std::int64_t>(a.candidate.begin(), a.candidate.begin() + 3));
}

TEST(FractalDB, UnreachableThresholdIsBadInput) {
  FractalSearchOptions o;
  o.threshold = 0.9;
  o.points = 100000;
  o.size = 512;
  try {
    search_fractaldb(o, 1, 1);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("fill_threshold"), std::string::npos) << e.what();
  }
}

TEST(FractalDB, SearchThatRunsOutOfCandidatesIsBadInput) {
  FractalSearchOptions o = small_search();
  o.threshold = 0.3;  // reachable in principle (20000 / 65536), but not in 256 candidates
  o.max_candidates = 256;
  try {
    search_fractaldb(o, 5, 1);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
  }
}

TEST(FractalDB, SearchExaminesAtMostMaxCandidates) {
  // The search scores candidates in blocks of 256; a limit inside a block must still hold exactly:
  // the category at candidate k is found with k + 1 candidates and not with k.
  FractalSearchOptions o = small_search();
  const FractalSearchResult free_run = search_fractaldb(o, 3, 2);
  ASSERT_EQ(free_run.candidate.size(), 3u);
  const std::int64_t k = free_run.candidate[2];
  ASSERT_GT(k, 2);
  ASSERT_LT(k, 256) << "pick a seed whose third category lies inside the first block";
  o.max_candidates = k + 1;
  const FractalSearchResult enough = search_fractaldb(o, 3, 2);
  EXPECT_EQ(enough.candidate, free_run.candidate);
  EXPECT_EQ(enough.tried, k + 1);
  o.max_candidates = k;
  try {
    search_fractaldb(o, 3, 2);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("found only 2 of 3 categories in " + std::to_string(k) + " candidates"),
              std::string::npos)
        << e.what();
  }
}

DatasetSpec spec_from(const std::string& yaml) {
  test::TempDir dir("fractaldb");
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, dir.path());
}

const char* kOfficialYaml =
    "generator: fractaldb\ncategories: official\nclasses: 3\nsize: 64\npoints: 5000\npatch_draws: 2\nflips: 4\n";

TEST(FractalDB, GeneratorFromYamlHasTheOfficialLayout) {
  const DatasetSpec spec = spec_from(kOfficialYaml);
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.family(), "fractaldb");
  EXPECT_EQ(g.num_classes(), 3);
  EXPECT_EQ(g.instances_per_class(), 200);  // 25 weight rows x 2 draws x 4 flips
  EXPECT_EQ(g.sample_name(1, 45), "00001/00001_05_count_1_flip1");
  EXPECT_EQ(g.sample_name(0, 0), "00000/00000_00_count_0_flip0");
  EXPECT_EQ(g.sample_name(2, 199), "00002/00002_24_count_1_flip3");
  const Sample s = g.make(1, 45);
  EXPECT_EQ(s.name, "00001/00001_05_count_1_flip1");
  EXPECT_EQ(s.category, 1);
  EXPECT_EQ(s.instance, 45);
  EXPECT_EQ(s.label, 1);
  EXPECT_EQ(s.image.width, 64);
  EXPECT_EQ(s.image.height, 64);
  EXPECT_EQ(s.image.channels, 1);
  for (auto v : s.image.pixels) ASSERT_TRUE(v == 0 || v == 127);
  EXPECT_THROW(g.make(3, 0), Error);
  EXPECT_THROW(g.make(0, 200), Error);
  try {
    g.make(0, 200);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::OutOfRange);
  }
}

TEST(FractalDB, MakeEqualsMakeRange) {
  const DatasetSpec spec = spec_from(kOfficialYaml);
  const Generator& g = *spec.generator;
  for (std::int64_t cat : {0, 2}) {
    std::vector<Sample> all;
    g.make_range(cat, 0, g.instances_per_class(), [&](Sample&& s) { all.push_back(std::move(s)); });
    ASSERT_EQ(all.size(), static_cast<std::size_t>(g.instances_per_class()));
    for (std::int64_t i = 0; i < g.instances_per_class(); ++i) {
      ASSERT_EQ(all[i].instance, i);
      ASSERT_EQ(all[i].name, g.sample_name(cat, i));
      const Sample one = g.make(cat, i);
      ASSERT_EQ(one.image.pixels, all[i].image.pixels) << "category " << cat << ", instance " << i;
    }
    // A range that starts and ends inside a weight row gives the same bytes.
    std::vector<Sample> part;
    g.make_range(cat, 13, 29, [&](Sample&& s) { part.push_back(std::move(s)); });
    ASSERT_EQ(part.size(), 16u);
    for (std::size_t k = 0; k < part.size(); ++k) {
      EXPECT_EQ(part[k].instance, static_cast<std::int64_t>(13 + k));
      EXPECT_EQ(part[k].image.pixels, all[13 + k].image.pixels);
    }
  }
}

TEST(FractalDB, FlipsOfOneRenderAreFlipsOfOneImage) {
  const DatasetSpec spec = spec_from(kOfficialYaml);
  const Generator& g = *spec.generator;
  const std::int64_t per_w = 8;  // 2 draws x 4 flips
  for (std::int64_t w : {0, 2, 13}) {
    for (std::int64_t c : {0, 1}) {
      const std::int64_t first = w * per_w + c * 4;
      const Sample base = g.make(1, first);
      for (int f = 1; f < 4; ++f) {
        Image flipped = base.image;
        apply_flip(flipped, f);
        EXPECT_EQ(g.make(1, first + f).image.pixels, flipped.pixels) << "w " << w << " c " << c << " flip " << f;
      }
    }
    // The two patch draws of a weight row differ (fresh masks), the weight rows differ too.
    EXPECT_NE(g.make(1, w * per_w).image.pixels, g.make(1, w * per_w + 4).image.pixels);
  }
  EXPECT_NE(g.make(1, 0).image.pixels, g.make(1, 8).image.pixels);
}

TEST(FractalDB, GeneratorIsDeterministicAndSeeded) {
  const DatasetSpec a = spec_from(kOfficialYaml);
  const DatasetSpec b = spec_from(kOfficialYaml);
  const DatasetSpec c = spec_from(std::string(kOfficialYaml) + "seed: 5\n");
  EXPECT_EQ(a.generator->make(2, 17).image.pixels, b.generator->make(2, 17).image.pixels);
  EXPECT_NE(a.generator->make(2, 17).image.pixels, c.generator->make(2, 17).image.pixels);
}

TEST(FractalDB, SearchGeneratorMatchesSearchFunction) {
  const DatasetSpec spec = spec_from(
      "generator: fractaldb\nclasses: 4\nsize: 64\npoints: 2000\npatch_draws: 1\nflips: 1\n"
      "fill_points: 20000\nfill_size: 256\nfill_threshold: 0.15\nseed: 11\n");
  const Generator& g = *spec.generator;
  ASSERT_EQ(g.num_classes(), 4);
  const FractalSearchResult r = search_fractaldb(small_search(), 4, 1);
  for (std::int64_t c = 0; c < 4; ++c) {
    const auto j = g.category_json(c);
    EXPECT_EQ(j["candidate"].get<std::int64_t>(), r.candidate[static_cast<std::size_t>(c)]);
    EXPECT_EQ(j["filling_rate"].get<double>(), r.fill[static_cast<std::size_t>(c)]);
    EXPECT_EQ(j["maps"].size(), r.systems[static_cast<std::size_t>(c)].maps.size());
  }
}

TEST(FractalDB, BadConfigsAreBadInput) {
  for (const char* yaml : {
           "generator: fractaldb\ncategories: official\nclasses: 2\ncompat: official\nrender: patch\n",
           "generator: fractaldb\ncategories: official\nclasses: 2000\n",
           "generator: fractaldb\ncategories: search\nclasses: 0\n",
           "generator: fractaldb\ncategories: no_such_folder_here\nclasses: 2\n",
           "generator: fractaldb\ncategories: official\nclasses: 2\npatch_draws: 1\nflips: 1\ninstances: 26\n",
           "generator: fractaldb\ncategories: official\nclasses: 2\nweight_k: 0\n",
           "generator: fractaldb\nclasses: 2\nfill_threshold: 0.9\nfill_points: 1000\nfill_size: 64\n",
       }) {
    try {
      spec_from(yaml);
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << yaml << ": " << e.what();
    }
  }
}

// FNV-1a over the maps, each value as %.17g: a digest of 1000 categories of 7-number rows.
std::uint64_t maps_digest(const std::vector<std::vector<std::vector<double>>>& categories) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&](const std::string& text) {
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  };
  char buf[64];
  for (const auto& rows : categories) {
    for (const auto& row : rows) {
      for (double v : row) {
        std::snprintf(buf, sizeof buf, "%.17g,", v);
        add(buf);
      }
      add(";");
    }
    add("\n");
  }
  return h;
}

// The digest of the AIST originals (csv_rate0.2_category1000, kept outside the repository), taken
// from them by the branch below. Every clone checks the copy in data/ against it; where the
// originals are at hand (../shared), the digest is taken from them again, so it cannot drift.
constexpr std::uint64_t kOfficialMapsDigest = 0x15afd0b5a3c9a241ULL;

TEST(FractalDB, ShippedOfficialCategoriesAreTheAistOriginals) {
  const DatasetSpec spec = spec_from("generator: fractaldb\ncategories: official\npatch_draws: 1\nflips: 1\n");
  const Generator& g = *spec.generator;
  ASSERT_EQ(g.num_classes(), 1000);
  std::vector<std::vector<std::vector<double>>> shipped(1000);
  for (std::int64_t cat = 0; cat < 1000; ++cat) {
    const auto category = g.category_json(cat);  // held: the maps are a reference into it
    for (const auto& map : category["maps"]) {
      ASSERT_EQ(map.size(), 7u) << "category " << cat;
      std::vector<double> row;
      for (const auto& v : map) row.push_back(v.get<double>());
      shipped[static_cast<std::size_t>(cat)].push_back(row);
    }
  }
  EXPECT_EQ(maps_digest(shipped), kOfficialMapsDigest)
      << "the shipped official categories are not the AIST originals (digest " << std::hex << maps_digest(shipped)
      << ")";

  const fs::path shared = fs::path(FDSL_SHARED_DIR) / "reference/fractaldb/csv_rate0.2_category1000";
  if (!fs::is_directory(shared)) return;  // a user's clone: the pinned digest above is the check
  std::map<std::int64_t, fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(shared))
    if (entry.path().extension() == ".csv") files[std::stoll(entry.path().stem().string())] = entry.path();
  ASSERT_EQ(files.size(), 1000u);
  ASSERT_EQ(files.begin()->first, 0);
  ASSERT_EQ(files.rbegin()->first, 999);
  std::vector<std::vector<std::vector<double>>> reference;
  for (const auto& [cat, path] : files) {
    reference.push_back(read_csv_numbers(path));
    const auto& rows = reference.back();
    ASSERT_EQ(rows.size(), shipped[static_cast<std::size_t>(cat)].size()) << path;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), 7u) << path;
      for (std::size_t k = 0; k < 7; ++k)
        ASSERT_EQ(shipped[static_cast<std::size_t>(cat)][i][k], rows[i][k]) << path << " row " << i << " column " << k;
    }
  }
  EXPECT_EQ(maps_digest(reference), kOfficialMapsDigest)
      << "the pinned digest is not the originals' (" << std::hex << maps_digest(reference) << ")";
}

}  // namespace
}  // namespace fdsl
