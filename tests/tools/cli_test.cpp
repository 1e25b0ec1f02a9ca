// The fdsl tool end to end: generate, determinism, partial runs, resume after SIGKILL, bad input.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <thread>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace fdsl::test;  // the suites' shared helpers: TempDir, run_cli, gen, snapshot, ...

namespace {

const char* kSmall = kSmallFractalDB;

}  // namespace

TEST(Cli, GenerateWritesImagesManifestAndCategories) {
  TempDir t;
  write_text(t / "small.yaml", kSmall);
  auto r = run_cli(gen(t / "small.yaml", t / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(t / "out/manifest.json"));
  EXPECT_TRUE(fs::exists(t / "out/fdsl.yaml"));
  EXPECT_TRUE(fs::exists(t / "out/categories.csv"));
  EXPECT_TRUE(fs::exists(t / "out/categories.json"));
  EXPECT_TRUE(fs::exists(t / "out/00001/00001_24_count_0_flip1.png"));
  const std::string manifest = read_text(t / "out/manifest.json");
  EXPECT_NE(manifest.find("\"complete\": true"), std::string::npos);
  EXPECT_NE(manifest.find("\"num_files\": 150"), std::string::npos);
  EXPECT_NE(r.output.find("\"samples_written\":150"), std::string::npos) << r.output;
}

TEST(Cli, OutputIsTheSameForOneThreadAndTwo) {
  TempDir t;
  write_text(t / "small.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "small.yaml", t / "one", "--threads 1")).exit_code, 0);
  ASSERT_EQ(run_cli(gen(t / "small.yaml", t / "two", "--threads 2")).exit_code, 0);
  EXPECT_EQ(snapshot(t / "one"), snapshot(t / "two"));
}

TEST(Cli, OutputIsTheSameOnEverySimdPath) {
  // The chaos game runs as one AVX-512 vector, two AVX2 vectors or baseline x86-64 code,
  // whichever the machine has; FDSL_ISA forces the narrower ones. All must give the same bytes.
  TempDir t;
  write_text(t / "small.yaml", std::string(kSmall) + "render: color\n");
  std::map<std::string, std::string> first;
  for (const char* isa : {"native", "avx2", "generic"}) {
    auto r =
        fdsl::test::run_command(std::string("FDSL_ISA=") + isa + " " + FDSL_CLI + " " + gen(t / "small.yaml", t / isa));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    if (first.empty())
      first = snapshot(t / isa);
    else
      EXPECT_EQ(snapshot(t / isa), first) << isa;
  }
}

TEST(Cli, DatasetRegeneratesFromItsFolder) {
  TempDir t;
  write_text(t / "small.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "small.yaml", t / "a")).exit_code, 0);
  auto r = run_cli(gen(t / "a", t / "b"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(snapshot(t / "a"), snapshot(t / "b"));
}

TEST(Cli, DatasetBesideAFolderNamedLikeItsGeneratorRegenerates) {
  TempDir t;
  write_text(t / "small.yaml", kSmall);
  fs::create_directories(t / "fractaldb");
  auto r = run_cli(gen(t / "small.yaml", t / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(read_text(t / "out/fdsl.yaml").find("generator: fractaldb\n"), std::string::npos);
  r = run_cli(gen(t / "out", t / "again"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(snapshot(t / "out"), snapshot(t / "again"));
}

TEST(Cli, PartialRunHasTheSameBytesAsTheFullRun) {
  TempDir t;
  write_text(t / "small.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "small.yaml", t / "full")).exit_code, 0);
  auto r = run_cli(gen(t / "small.yaml", t / "part", "--classes 1:3 --instances 7:19"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto full = snapshot(t / "full");
  int images = 0;
  for (const auto& [name, bytes] : snapshot(t / "part")) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".png") continue;
    ++images;
    ASSERT_TRUE(full.count(name)) << name;
    EXPECT_EQ(full.at(name), bytes) << name;
  }
  EXPECT_EQ(images, 2 * 12);
  EXPECT_NE(read_text(t / "part/manifest.json").find("\"complete\": false"), std::string::npos);
}

TEST(Cli, ResumeAfterSigkillGivesTheSameBytes) {
  TempDir t;
  write_text(t / "big.yaml",
             "generator: fractaldb\ncategories: official\nclasses: 24\nsize: 128\npoints: 60000\npatch_draws: 2\n"
             "flips: 2\n");
  ASSERT_EQ(run_cli(gen(t / "big.yaml", t / "ref", "--threads 2")).exit_code, 0);
  const auto ref = snapshot(t / "ref");
  const std::size_t units = journal_lines(t / "ref");
  // Kill at several points of the run (once a share of its work units is recorded, whatever the
  // machine's speed); each time resume must finish with identical bytes.
  int interrupted = 0;
  for (double fraction : {0.15, 0.4, 0.65}) {
    const fs::path out = t / ("run" + std::to_string(static_cast<int>(fraction * 100)));
    const int pid =
        spawn_cli({"generate", (t / "big.yaml").string(), "-o", out.string(), "--progress", "quiet", "--threads", "2"});
    const auto at = static_cast<std::size_t>(fraction * static_cast<double>(units));
    EXPECT_TRUE(wait_until([&] { return journal_lines(out) >= at; })) << fraction;
    ::kill(pid, SIGKILL);
    const int status = wait_exit(pid);
    if (WIFSIGNALED(status)) {
      ++interrupted;
      EXPECT_FALSE(fs::exists(out / "manifest.json")) << "a killed run must not leave a manifest";
    }
    auto r = run_cli(gen(t / "big.yaml", out, "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(snapshot(out), ref) << "killed at " << fraction << " of the run";
  }
  EXPECT_GE(interrupted, 1) << "every run finished before its kill; the test did not exercise resume";
}

TEST(Cli, ListShowsEveryGeneratorAndKey) {
  auto r = run_cli("list");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* s : {"fractaldb", "ifs_sigma", "one_frac", "fill_threshold", "sigma", "delta", "weight_k", "seed"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
  EXPECT_EQ(run_cli("list fractaldbb").exit_code, 2);
}

TEST(Cli, ReadmeTablesAreTheDeclarations) {
  // The README's parameter tables are `fdsl list --markdown`, verbatim
  // (scripts/update-readme-params.sh rewrites them).
  auto r = run_cli("list --markdown");
  ASSERT_EQ(r.exit_code, 0);
  const std::string readme = read_text(fdsl::test::source_path("README.md"));
  const std::string begin = "<!-- fdsl list --markdown: begin -->\n";
  const auto a = readme.find(begin);
  const auto b = readme.find("<!-- fdsl list --markdown: end -->");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  auto trim = [](std::string s) {
    while (!s.empty() && (s.front() == '\n')) s.erase(s.begin());
    while (!s.empty() && (s.back() == '\n')) s.pop_back();
    return s;
  };
  EXPECT_EQ(trim(readme.substr(a + begin.size(), b - a - begin.size())), trim(r.output))
      << "README.md is out of date: run scripts/update-readme-params.sh";
}

TEST(Cli, SearchWritesCategoriesOnly) {
  TempDir t;
  write_text(t / "s.yaml",
             "generator: fractaldb\ncategories: search\nclasses: 4\nfill_points: 20000\nfill_size: 256\n"
             "fill_threshold: 0.15\n");
  auto r = run_cli("search " + shell_quote((t / "s.yaml").string()) + " -o " + shell_quote((t / "cats").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(fs::exists(t / ("cats/categories/0000" + std::to_string(i) + ".csv")));
  EXPECT_NE(r.output.find("acceptance_rate"), std::string::npos);
  // The searched folder imports back as the same categories.
  write_text(t / "i.yaml", "generator: fractaldb\ncategories: " + (t / "cats/categories").string() +
                               "\nsize: 64\npoints: 3000\npatch_draws: 1\nflips: 1\ninstances: 2\n");
  write_text(t / "s2.yaml",
             read_text(t / "s.yaml") + "size: 64\npoints: 3000\npatch_draws: 1\nflips: 1\ninstances: 2\n");
  ASSERT_EQ(run_cli(gen(t / "i.yaml", t / "imported")).exit_code, 0);
  ASSERT_EQ(run_cli(gen(t / "s2.yaml", t / "searched")).exit_code, 0);
  EXPECT_EQ(read_text(t / "imported/00003/00003_00_count_0_flip0.png"),
            read_text(t / "searched/00003/00003_00_count_0_flip0.png"));
}

TEST(Cli, PreviewWritesASheet) {
  TempDir t;
  write_text(t / "small.yaml", kSmall);
  auto r = run_cli("preview " + shell_quote((t / "small.yaml").string()) + " -o " +
                   shell_quote((t / "sheet.png").string()) + " --tile 32");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto py =
      fdsl::test::run_python("import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nprint(im.size, im.mode)",
                             shell_quote((t / "sheet.png").string()));
  ASSERT_EQ(py.exit_code, 0) << py.output;
  // 3 categories x 8 instances of 32 px tiles with 4 px margins, 14 px labels, 24 px title.
  EXPECT_NE(py.output.find("(320, 178) RGB"), std::string::npos) << py.output;
}

// ---- bad input: a clear message, exit 2, nothing that looks complete -------------------------

class CliBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliBadInput, ExitsWithTwoAndAClearMessage) {
  const BadCase& c = GetParam();
  TempDir t;
  fs::path cfg = t / "cfg.yaml";
  if (!c.config.empty()) write_text(cfg, c.config);
  std::string extra = c.extra;
  const std::string dir = t.path().string();
  for (std::string::size_type p; (p = extra.find("$T")) != std::string::npos;) extra.replace(p, 2, dir);
  // A case that names its own output folder replaces the default one.
  const bool own_output = extra.rfind("-o ", 0) == 0;
  auto r = own_output ? run_cli("generate " + shell_quote(cfg.string()) + " --progress quiet " + extra)
                      : run_cli(gen(cfg, t / "out", extra));
  EXPECT_TRUE(refused(r, c.expect));
  EXPECT_FALSE(fs::exists(t / "out/manifest.json"));
}

const std::string kBase = "generator: fractaldb\ncategories: official\nclasses: 2\nsize: 64\npoints: 3000\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadCase{"MissingConfig", "", "", "cannot open config file"},
        BadCase{"MalformedYaml", "generator: fractaldb\nsize: [1, 2\n", "", "cfg.yaml:"},
        BadCase{"NotAMapping", "- a\n- b\n", "", "expected a mapping"},
        BadCase{"UnknownKeySuggestsNearest", kBase + "point: 5\n", "", "did you mean 'points'"},
        BadCase{"UnknownKeyNamesLine", kBase + "pointz: 5\n", "", "cfg.yaml:6"},
        BadCase{"WrongType", kBase + "pad: abc\n", "", "expected an integer"},
        BadCase{"NegativeSize", "generator: fractaldb\ncategories: official\nsize: -5\n", "", "[8, 16384]"},
        BadCase{"ImageTooLarge", "generator: fractaldb\ncategories: official\nsize: 1000000\n", "", "out of range"},
        BadCase{"ThresholdOutsideUnit", kBase + "fill_threshold: 1.5\n", "", "[0, 1]"},
        BadCase{"SigmaOutside", "generator: one_frac\nsigma: 7\n", "", "sigma"},
        BadCase{"SigmaFactorOutside", "generator: ifs_sigma\nsigma_lo: 6.5\nsigma_hi: 7\n", "",
                "sigma outside (0, 3N)"},
        BadCase{"UnknownGenerator", "generator: fractal_db\n", "", "did you mean 'fractaldb'"},
        BadCase{"UnknownEnum", kBase + "render: pach\n", "", "did you mean 'patch'"},
        BadCase{"BadSetOverride", kBase, "--set size=zero", "--set size=zero"},
        BadCase{"ClassesRangeOutside", kBase, "--classes 5:9", "--classes"},
        BadCase{"OutputNotWritable", kBase, "-o /proc/fdsl-out", "not writable"},
        BadCase{"CompatNeedsPointMode", kBase + "compat: official\n", "", "point mode"}),
    case_name);

TEST(Cli, CategoryCsvErrorsNameFileAndLine) {
  TempDir t;
  fs::create_directories(t / "cats");
  write_text(t / "cats/00000.csv", "0.1,0.2,0.3,0.4,0.5,0.6,1.0\n");
  write_text(t / "cats/00001.csv", "0.1,0.2,0.3,0.4,0.5,0.6,0.5\n0.1,0.2,0.3,0.4,0.5,0.6\n");
  write_text(t / "cfg.yaml", "generator: fractaldb\ncategories: cats\nsize: 64\npoints: 3000\n");
  auto r = run_cli(gen(t / "cfg.yaml", t / "out"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("00001.csv:2"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(t / "out/manifest.json"));
  for (const char* bad :
       {"0.1,0.2,x,0.4,0.5,0.6,0.5\n", "0.1,0.2,nan,0.4,0.5,0.6,0.5\n", "0.1,0.2,inf,0.4,0.5,0.6,0.5\n"}) {
    write_text(t / "cats/00001.csv", bad);
    r = run_cli(gen(t / "cfg.yaml", t / "out"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("00001.csv:1"), std::string::npos) << r.output;
  }
}

TEST(Cli, ResumeRefusesAFolderOfAnotherConfig) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  write_text(t / "b.yaml", std::string(kSmall) + "pad: 7\n");
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "out")).exit_code, 0);
  auto r = run_cli(gen(t / "b.yaml", t / "out", "--resume"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("different config"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("pad"), std::string::npos) << r.output;
  // Without --resume an existing dataset is not overwritten silently.
  r = run_cli(gen(t / "a.yaml", t / "out"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;
  // The refused runs left the finished dataset as it was.
  EXPECT_TRUE(fs::exists(t / "out/manifest.json"));
}

TEST(Cli, ResumeOfAFinishedDatasetWritesNothingNew) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "out")).exit_code, 0);
  const auto before = snapshot(t / "out");
  auto r = run_cli(gen(t / "a.yaml", t / "out", "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"samples_written\":0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"samples_skipped\":150"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "out"), before);
}
