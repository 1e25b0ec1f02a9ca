// The fdsl tool on point clouds: the official folder layout in every per-sample format, the same
// bytes for any thread count, HDF5 files resumed one file at a time, the search's official CSV
// layout, and bad input refused with exit 2 and nothing that looks complete.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace fdsl::test;  // the suites' shared helpers: TempDir, run_cli, gen, snapshot, ...

namespace {

const std::string kClouds = "generator: pc_fractal\nclasses: 3\ninstances: 12\npoints: 600\n";

}  // namespace

TEST(PcCli, EveryPerSampleFormatUsesTheOfficialLayout) {
  TempDir t;
  const std::map<std::string, std::vector<std::string>> suffixes = {
      {"ply", {".ply"}}, {"ply_ascii", {".ply"}}, {"pcd", {".pcd"}}, {"pcd_ascii", {".pcd"}}, {"npy", {".npy"}}};
  for (const auto& [format, ext] : suffixes) {
    write_text(t / (format + ".yaml"), kClouds + "cloud_format: " + format + "\n");
    auto r = run_cli(gen(t / (format + ".yaml"), t / format));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("wrote 36 clouds"), std::string::npos) << r.output;
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 12; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "%06d/%06d_%04d%s", c, c, i, ext[0].c_str());
        EXPECT_TRUE(fs::exists(t / format / name)) << name;
      }
    const auto manifest = nlohmann::json::parse(read_text(t / format / "manifest.json"));
    EXPECT_TRUE(manifest["complete"].get<bool>());
    EXPECT_EQ(manifest["files"].size(), 36u);
    EXPECT_EQ(manifest["generator"], "pc_fractal");
    EXPECT_TRUE(fs::exists(t / format / "categories.csv"));
  }
  // The binary and ASCII forms hold the same points: the ASCII files are larger.
  EXPECT_LT(fs::file_size(t / "ply/000001/000001_0003.ply"), fs::file_size(t / "ply_ascii/000001/000001_0003.ply"));
}

TEST(PcCli, OutputIsTheSameForOneThreadAndTwo) {
  TempDir t;
  for (const std::string format : {"ply", "hdf5"}) {
    write_text(t / "c.yaml", kClouds + "cloud_format: " + format + "\nnormals: true\n" +
                                 (format == "hdf5" ? "h5_clouds_per_file: 10\n" : ""));
    ASSERT_EQ(run_cli(gen(t / "c.yaml", t / (format + "1") / "ds", "--threads 1")).exit_code, 0);
    // A second apart, so a timestamp in the files (HDF5 records one by default) would show.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_EQ(run_cli(gen(t / "c.yaml", t / (format + "2") / "ds", "--threads 2")).exit_code, 0);
    EXPECT_EQ(snapshot(t / (format + "1") / "ds"), snapshot(t / (format + "2") / "ds")) << format;
  }
  write_text(t / "s.yaml", "generator: pc_scenes\nclasses: 4\ninstances: 6\nobject_instances: 5\npoints: 200\n");
  ASSERT_EQ(run_cli(gen(t / "s.yaml", t / "s1", "--threads 1")).exit_code, 0);
  ASSERT_EQ(run_cli(gen(t / "s.yaml", t / "s2", "--threads 2")).exit_code, 0);
  EXPECT_EQ(snapshot(t / "s1"), snapshot(t / "s2"));
  EXPECT_TRUE(fs::exists(t / "s1/scenes/scene_00005.json"));
}

TEST(PcCli, Hdf5FilesAreResumedOneFileAtATime) {
  TempDir t;
  write_text(t / "h.yaml", kClouds + "cloud_format: hdf5\nh5_clouds_per_file: 8\n");
  auto r = run_cli(gen(t / "h.yaml", t / "ref" / "ds"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref = snapshot(t / "ref" / "ds");
  // 36 clouds in files of 8: five files, the last one of 4.
  for (int k = 0; k < 5; ++k) EXPECT_TRUE(ref.count("ply_data_train" + std::to_string(k) + ".h5")) << k;
  EXPECT_FALSE(ref.count("ply_data_train5.h5"));
  // The list names the files as ModelNet40's does, "<folder>/<file>": readable from the parent folder.
  EXPECT_EQ(ref.at("train_files.txt"),
            "ds/ply_data_train0.h5\nds/ply_data_train1.h5\nds/ply_data_train2.h5\nds/ply_data_train3.h5\nds/"
            "ply_data_train4.h5\n");
  EXPECT_EQ(ref.at("shape_names.txt"), "000000\n000001\n000002\n");

  // A run that died after three files: the journal lists them, the rest and the manifest are gone.
  ASSERT_EQ(run_cli(gen(t / "h.yaml", t / "run" / "ds")).exit_code, 0);
  const std::string journal = read_text(t / "run/ds/.fdsl-journal.jsonl");
  std::string kept;
  std::size_t start = 0;
  for (int line = 0; line < 5; ++line) {
    const std::size_t end = journal.find('\n', start);
    const auto rec = nlohmann::json::parse(journal.substr(start, end - start));
    if (std::stoi(rec["item"].get<std::string>().substr(3)) < 3)
      kept += journal.substr(start, end - start + 1);
    else
      fs::remove(t / "run" / "ds" / rec["files"][0]["path"].get<std::string>());
    start = end + 1;
  }
  write_text(t / "run/ds/.fdsl-journal.jsonl", kept);
  fs::remove(t / "run/ds/manifest.json");
  r = run_cli(gen(t / "h.yaml", t / "run" / "ds", "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"samples_written\":12"), std::string::npos) << r.output;  // files 3 and 4 only
  EXPECT_NE(r.output.find("\"samples_skipped\":24"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "run" / "ds"), ref);

  // Files gone behind the journal's back: resume finds them missing and makes them again.
  fs::remove(t / "run/ds/ply_data_train1.h5");
  fs::remove(t / "run/ds/manifest.json");
  r = run_cli(gen(t / "h.yaml", t / "run" / "ds", "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ply_data_train1.h5: missing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"samples_written\":8"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "run" / "ds"), ref);
}

TEST(PcCli, VerifyRegenerateRewritesDamagedHdf5Files) {
  TempDir t;
  write_text(t / "h.yaml", kClouds + "cloud_format: hdf5\nh5_clouds_per_file: 8\nh5_shuffle: true\n");
  ASSERT_EQ(run_cli(gen(t / "h.yaml", t / "out")).exit_code, 0);
  const auto ref = snapshot(t / "out");
  // One file with a flipped byte deep in its data (same size, other CRC), the short last one gone.
  std::string bytes = read_text(t / "out/ply_data_train1.h5");
  bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x55);
  write_text(t / "out/ply_data_train1.h5", bytes);
  fs::remove(t / "out/ply_data_train4.h5");
  auto r = run_cli("verify " + shell_quote((t / "out").string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("fdsl: ply_data_train1.h5: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fdsl: ply_data_train4.h5: "), std::string::npos) << r.output;
  r = run_cli("verify --regenerate -j 2 " + shell_quote((t / "out").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("made 2 items again"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "out"), ref);
}

TEST(PcCli, SearchWritesTheOfficialCategoryLayoutWhichImportsBack) {
  TempDir t;
  write_text(t / "s.yaml", kClouds);
  auto r = run_cli("search " + shell_quote((t / "s.yaml").string()) + " -o " + shell_quote((t / "cats").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("acceptance_rate"), std::string::npos);
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(fs::exists(t / ("cats/categories/00000" + std::to_string(c) + ".csv")));
  write_text(t / "i.yaml", "generator: pc_fractal\ncategories: " + (t / "cats/categories").string() +
                               "\ninstances: 12\npoints: 600\n");
  ASSERT_EQ(run_cli(gen(t / "i.yaml", t / "imported")).exit_code, 0);
  ASSERT_EQ(run_cli(gen(t / "s.yaml", t / "searched")).exit_code, 0);
  EXPECT_EQ(read_text(t / "imported/000002/000002_0011.ply"), read_text(t / "searched/000002/000002_0011.ply"));
}

// ---- bad input --------------------------------------------------------------------------------

class PcCliBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(PcCliBadInput, ExitsWithTwoAndAClearMessage) {
  const BadCase& c = GetParam();
  TempDir t;
  fs::create_directories(t / "cats");
  write_text(t / "cats/000000.csv", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,1.0\n");
  write_text(t / "cats/000001.csv", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,0.5\n0.1,0.2,0.3,0.4\n");
  write_text(t / "inf/000000.csv", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,1.0\n");
  write_text(t / "inf/000001.csv", "0.1,0.2,0.3,0.4,0.5,0.6,inf,0.8,0.9,1.0,-1.0,0.5,1.0\n");
  write_text(t / "cfg.yaml", c.config);
  auto r = run_cli(gen(t / "cfg.yaml", t / "out", c.extra));
  EXPECT_TRUE(refused(r, c.expect));
  EXPECT_FALSE(fs::exists(t / "out/manifest.json"));
}

const std::string kPc = "generator: pc_fractal\nclasses: 2\ninstances: 2\npoints: 500\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, PcCliBadInput,
    ::testing::Values(
        BadCase{"VarianceThresholdAboveOne", kPc + "var_threshold: 1.5\n", "", "(0, 1)"},
        BadCase{"VarianceThresholdZero", kPc + "var_threshold: 0\n", "", "var_threshold"},
        BadCase{"RatioZero", kPc + "mix_ratio: 0\n", "", "(0, 1]"},
        BadCase{"RatioAboveOne", kPc + "mix_ratio: 1.2\n", "", "mix_ratio"},
        BadCase{"ZeroPoints", "generator: pc_fractal\nclasses: 2\npoints: 0\n", "", "[1, 10000000]"},
        BadCase{"AbsurdPoints", "generator: pc_fractal\nclasses: 2\npoints: 1e12\n", "", "out of range"},
        BadCase{"UnknownFormat", kPc + "cloud_format: plyy\n", "", "did you mean 'ply'"},
        BadCase{"CsvWrongColumns", "generator: pc_fractal\ncategories: cats\n", "", "000001.csv:2: found 4"},
        BadCase{"CsvNotFinite", "generator: pc_fractal\ncategories: inf\n", "", "000001.csv:1: column 7 (g)"},
        BadCase{"CategoriesMissing", "generator: pc_fractal\ncategories: nowhere\n", "", "does not exist"},
        BadCase{"FpsAbovePoints", kPc + "fps_points: 501\n", "", "fps_points"},
        BadCase{"MvWeightsTooManyInstances",
                "generator: pc_fractal\nclasses: 2\ninstances: 200\ninstance_mode: mv_weights\n", "", "145 instances"},
        BadCase{"NoiseMixNeedsTwoClasses", "generator: pc_fractal\nclasses: 1\n", "", "at least 2 classes"},
        BadCase{"SearchNeedsClasses", "generator: pc_fractal\n", "", "number of classes"},
        BadCase{"Hdf5RefusesPartialRuns", kPc + "cloud_format: hdf5\n", "--classes 0:1", "mix every class"},
        BadCase{"Hdf5FileTooLargeToAssemble",
                "generator: pc_fractal\nclasses: 2\npoints: 5000000\ncloud_format: hdf5\n", "",
                "lower h5_clouds_per_file"},
        BadCase{"ScenesRefuseHdf5", "generator: pc_scenes\nclasses: 2\ncloud_format: hdf5\n", "", "scenes as ply"}),
    case_name);
