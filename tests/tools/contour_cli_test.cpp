// visual_atom and rcdb through the fdsl tool: the same bytes for one thread and two (faithful and
// compat), partial runs equal to the full run, the official layouts and param files, a dataset
// regenerated from its folder, and bad input exiting with 2 and a message naming the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace fdsl::test;  // the suites' shared helpers: TempDir, run_cli, gen, snapshot, ...

namespace {

int count_png(const std::map<std::string, std::string>& files) {
  int n = 0;
  for (const auto& [name, bytes] : files) n += name.size() > 4 && name.substr(name.size() - 4) == ".png";
  return n;
}

const char* kAtomFaithful =
    "generator: visual_atom\nclasses: 3\ninstances: 20\nsize: 96\ncenter_range: 60\norbits_max: 40\n";
const char* kAtomCompat =
    "generator: visual_atom\ncompat: official\nclasses: 4\nworkers: 2\ninstances: 6\nsize: 96\norbits_max: 40\n";
const char* kRcdbCompat = "generator: rcdb\ncompat: official\nclasses: 4\nworkers: 2\ninstances: 5\nsize: 128\n";

void expect_same_for_one_and_two_threads(const char* yaml, int images) {
  TempDir t;
  write_text(t / "cfg.yaml", yaml);
  auto r = run_cli(gen(t / "cfg.yaml", t / "one", "--threads 1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_cli(gen(t / "cfg.yaml", t / "two", "--threads 2"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto one = snapshot(t / "one");
  EXPECT_EQ(count_png(one), images);
  EXPECT_EQ(one, snapshot(t / "two"));
  EXPECT_NE(read_text(t / "one/manifest.json").find("\"complete\": true"), std::string::npos);
}

TEST(ContourCli, VisualAtomFaithfulIsTheSameForOneThreadAndTwo) {
  expect_same_for_one_and_two_threads(kAtomFaithful, 60);
}
TEST(ContourCli, VisualAtomCompatIsTheSameForOneThreadAndTwo) { expect_same_for_one_and_two_threads(kAtomCompat, 24); }
TEST(ContourCli, RcdbCompatIsTheSameForOneThreadAndTwo) { expect_same_for_one_and_two_threads(kRcdbCompat, 20); }

TEST(ContourCli, CompatPartialRunsHaveTheBytesOfTheFullRun) {
  for (const char* yaml : {kAtomCompat, kRcdbCompat}) {
    TempDir t;
    write_text(t / "cfg.yaml", yaml);
    ASSERT_EQ(run_cli(gen(t / "cfg.yaml", t / "full")).exit_code, 0);
    auto r = run_cli(gen(t / "cfg.yaml", t / "part", "--classes 1:4 --instances 3:5"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto full = snapshot(t / "full");
    const auto part = snapshot(t / "part");
    EXPECT_EQ(count_png(part), 3 * 2) << yaml;
    for (const auto& [name, bytes] : part) {
      if (name.size() < 4 || name.substr(name.size() - 4) != ".png") continue;
      ASSERT_TRUE(full.count(name)) << name;
      EXPECT_EQ(full.at(name), bytes) << name;
    }
    // The category files describe the classes the folder holds, as the full run describes them.
    const auto full_cats = nlohmann::json::parse(read_text(t / "full/categories.json"))["categories"];
    const auto part_cats = nlohmann::json::parse(read_text(t / "part/categories.json"))["categories"];
    ASSERT_EQ(part_cats.size(), 3u) << yaml;
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(part_cats[k], full_cats[k + 1]) << yaml;
    for (const std::string name : {"param/00001.csv", "param/00003.csv"})
      if (full.count(name)) {
        EXPECT_EQ(part.at(name), full.at(name)) << name;
      }
    EXPECT_FALSE(part.count("param/00000.csv")) << "class 0 is not in the folder";
  }
}

TEST(ContourCli, RcdbWritesTheOfficialLayoutAndParamFiles) {
  TempDir t;
  write_text(t / "cfg.yaml", "generator: rcdb\nclasses: 3\ninstances: 2\nsize: 64\n");
  auto r = run_cli(gen(t / "cfg.yaml", t / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"image/00000/00000_0000.png", "image/00002/00002_0001.png", "param/00000.csv",
                        "param/00002.csv", "categories.json", "manifest.json"})
    EXPECT_TRUE(fs::exists(t / "out" / f)) << f;
  EXPECT_EQ(read_text(t / "out/param/00001.csv").rfind("Vertex,", 0), 0u);
}

TEST(ContourCli, VisualAtomDatasetRegeneratesFromItsFolder) {
  TempDir t;
  write_text(t / "cfg.yaml", kAtomFaithful);
  ASSERT_EQ(run_cli(gen(t / "cfg.yaml", t / "a", "--instances 0:4")).exit_code, 0);
  auto r = run_cli(gen(t / "a", t / "b", "--instances 0:4"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(snapshot(t / "a"), snapshot(t / "b"));
}

TEST(ContourCli, ListShowsTheContourFamiliesAndTheirKeys) {
  auto r = run_cli("list visual_atom");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* s : {"vertices_min", "orbits_max", "perlin_max", "line_width", "radius_min", "n1_max", "n2_min",
                        "oval_max", "center_range", "background", "workers", "antialias", "stroke_width"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
  r = run_cli("list rcdb");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("vertices_mean"), std::string::npos);
}

class ContourBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(ContourBadInput, ExitsWithTwoAndNamesTheKey) {
  const BadCase& c = GetParam();
  TempDir t;
  write_text(t / "cfg.yaml", c.config);
  auto r = run_cli(gen(t / "cfg.yaml", t / "out"));
  EXPECT_TRUE(refused(r, c.expect));
  EXPECT_FALSE(fs::exists(t / "out/manifest.json"));
}

const std::string kVa = "generator: visual_atom\nclasses: 4\ninstances: 2\nsize: 64\n";
const std::string kRc = "generator: rcdb\nclasses: 4\ninstances: 2\nsize: 64\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, ContourBadInput,
    ::testing::Values(
        BadCase{"TooFewVertices", kVa + "vertices_min: 2\n", "", "vertices_min"},
        BadCase{"VertexRangeReversed", kVa + "vertices_min: 900\nvertices_max: 300\n", "", "vertices_min"},
        BadCase{"WavesUnsatisfiable", kVa + "n1_min: 4\nn1_max: 4\nn2_min: 4\nn2_max: 4\n", "", "n2_min"},
        BadCase{"NegativeLineWidth", kVa + "line_width: -0.5\n", "", "line_width"},
        BadCase{"NegativeStrokeWidth", kVa + "antialias: true\nstroke_width: -2\n", "", "stroke_width"},
        BadCase{"WorkersDoNotDivide", kVa + "compat: official\nworkers: 3\n", "", "workers"},
        BadCase{"CompatAntialias", kVa + "compat: official\nworkers: 4\nantialias: true\n", "", "antialias"},
        BadCase{"RcdbTooFewVertices", kRc + "vertices_min: 1\n", "", "vertices_min"},
        BadCase{"RcdbUnreachableVertices", kRc + "vertices_min: 4000\nvertices_max: 5000\n", "", "vertices_min"},
        BadCase{"RcdbWorkersDoNotDivide", kRc + "compat: official\nworkers: 10\n", "", "workers"}),
    case_name);

}  // namespace
