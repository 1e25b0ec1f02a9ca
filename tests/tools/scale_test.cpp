// Datasets at scale, end to end through the fdsl tool: tar shards, split runs (--shard, mpirun),
// crash safety (SIGKILL, SIGINT, a full disk, a read-only folder), verify and merge.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "fdsl/core/error.h"
#include "fdsl/io/tar_reader.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace fdsl::test;  // the suites' shared helpers: TempDir, run_cli, gen, snapshot, ...

namespace {

const std::string kFolder =
    "generator: fractaldb\ncategories: official\nclasses: 3\nsize: 64\npoints: 5000\npatch_draws: 1\nflips: 2\n";
const std::string kTar = kFolder + "output_format: tar\nshard_samples: 16\n";
/// Long enough (about a second on 2 cores) to be killed in the middle.
const std::string kBigTar =
    "generator: fractaldb\ncategories: official\nclasses: 12\nsize: 128\npoints: 60000\npatch_draws: 2\nflips: 2\n"
    "output_format: tar\nshard_samples: 50\n";

/// Names of files write_file_atomic or a shard writer left behind (".<name>.tmp-<pid>-<n>").
std::vector<std::string> temporary_files(const fs::path& dir) {
  std::vector<std::string> found;
  static const std::regex temp(R"(\..*\.tmp-[0-9]+-[0-9]+)");
  if (!fs::exists(dir)) return found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (std::regex_match(e.path().filename().string(), temp)) found.push_back(e.path().string());
  return found;
}

/// "" if the archive reads to its end marker, else the reader's complaint.
std::string tar_problem(const fs::path& path) {
  try {
    fdsl::TarReader reader(path);
    fdsl::TarMember m;
    std::vector<std::uint8_t> data;
    while (reader.next(m, data)) {
    }
  } catch (const fdsl::Error& e) {
    return e.what();
  }
  return "";
}

/// Every shard visible in `dir` must be complete: a crash never leaves one that looks finished.
void expect_visible_shards_complete(const fs::path& dir) {
  // A run killed before it made its folder (a loaded machine starts it slowly) left nothing.
  if (!fs::exists(dir)) return;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".tar") {
      EXPECT_EQ(tar_problem(e.path()), "") << e.path();
    }
  }
}

std::string cli_path() { return FDSL_CLI; }

bool have(const std::string& program) { return run_command("command -v " + program + " >/dev/null").exit_code == 0; }

/// Starts `fdsl generate` as a child; returns its pid.
pid_t spawn_generate(const fs::path& cfg, const fs::path& out, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"generate",   cfg.string(), "-o",        out.string(),
                                   "--progress", "quiet",      "--threads", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return spawn_cli(args);
}

}  // namespace

// ---- tar output ----------------------------------------------------------------------------

TEST(Scale, TarShardsAreTheSameForOneThreadAndTwoAndHoldTheFolderBytes) {
  TempDir t;
  write_text(t / "tar.yaml", kTar);
  write_text(t / "folder.yaml", kFolder);
  ASSERT_EQ(run_cli(gen(t / "tar.yaml", t / "one", "--threads 1")).exit_code, 0);
  auto r = run_cli(gen(t / "tar.yaml", t / "two", "--threads 2"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(snapshot(t / "one"), snapshot(t / "two"));
  EXPECT_NE(r.output.find("\"shards_written\":10"), std::string::npos) << r.output;
  ASSERT_EQ(run_cli(gen(t / "folder.yaml", t / "folder")).exit_code, 0);
  ASSERT_EQ(run_cli(gen(t / "folder.yaml", t / "folder-fsync", "--fsync")).exit_code, 0);
  EXPECT_EQ(snapshot(t / "folder-fsync"), snapshot(t / "folder"));
  // Every PNG member is the folder's file, byte for byte, in class-major order.
  const auto folder = snapshot(t / "folder");
  int pngs = 0;
  std::string last;
  for (int k = 0; k < 10; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "train-%06d.tar", k);
    fdsl::TarReader reader(t / "one" / name);
    fdsl::TarMember m;
    std::vector<std::uint8_t> data;
    while (reader.next(m, data)) {
      if (m.name.substr(m.name.size() - 4) != ".png") continue;
      ++pngs;
      ASSERT_TRUE(folder.count(m.name)) << m.name;
      EXPECT_EQ(folder.at(m.name), std::string(data.begin(), data.end())) << m.name;
      EXPECT_LT(last, m.name);
      last = m.name;
    }
  }
  EXPECT_EQ(pngs, 150);
}

TEST(Scale, SplitRunsTogetherGiveTheSingleProcessDataset) {
  for (const std::string& config : {kFolder, kTar + "shuffle: true\n"}) {
    TempDir t;
    write_text(t / "c.yaml", config);
    ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "ref")).exit_code, 0);
    for (int i = 0; i < 3; ++i) {
      auto r = run_cli(gen(t / "c.yaml", t / "split", "--shard " + std::to_string(i) + "/3"));
      ASSERT_EQ(r.exit_code, 0) << r.output;
      // Only the last part to finish finds every part done and writes the manifest.
      EXPECT_EQ(fs::exists(t / "split/manifest.json"), i == 2) << "after part " << i;
      EXPECT_NE(r.output.find(i == 2 ? "\"manifest_written\":true" : "\"manifest_written\":false"), std::string::npos)
          << r.output;
    }
    EXPECT_EQ(snapshot(t / "split"), snapshot(t / "ref")) << config;
    EXPECT_TRUE(fs::exists(t / "split/.fdsl-journal-2-of-3.jsonl"));
  }
}

TEST(Scale, PartsRunningAtOnceElectOneManifestWriter) {
  TempDir t;
  write_text(t / "c.yaml", kFolder + "output_format: tar\nshard_samples: 5\n");
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "ref")).exit_code, 0);
  // Started together into a folder none of them finds: each must see the others' claim whole
  // (never "not empty and holds no fdsl dataset") and none may remove what another is writing.
  for (int round = 0; round < 10; ++round) {
    const fs::path out = t / ("out" + std::to_string(round));
    std::string script, waits = "true";
    for (int i = 0; i < 4; ++i) {
      script += cli_path() + " " + gen(t / "c.yaml", out, "--threads 1 --shard " + std::to_string(i) + "/4") + " & p" +
                std::to_string(i) + "=$!; ";
      waits += " && wait $p" + std::to_string(i);
    }
    auto r = run_command("( " + script + waits + " )");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::size_t writers = 0;
    for (std::size_t p = 0; (p = r.output.find("\"manifest_written\":true", p)) != std::string::npos; ++p) ++writers;
    EXPECT_EQ(writers, 1u) << r.output;
    EXPECT_EQ(snapshot(out), snapshot(t / "ref"));
  }
}

TEST(Scale, MpirunWithTwoRanksGivesTheSingleProcessDataset) {
  if (!have("mpirun")) GTEST_SKIP() << "mpirun not found (Debian: apt-get install openmpi-bin)";
  for (const std::string& config : {kFolder, kTar}) {
    TempDir t;
    write_text(t / "c.yaml", config);
    ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "ref")).exit_code, 0);
    // --allow-run-as-root: CI runs as root; --oversubscribe: 2 ranks on any number of cores.
    auto r = run_command("mpirun --allow-run-as-root --oversubscribe -np 2 " + cli_path() + " " +
                         gen(t / "c.yaml", t / "mpi"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("\"shard\":\"0/2\""), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"shard\":\"1/2\""), std::string::npos) << r.output;
    EXPECT_EQ(snapshot(t / "mpi"), snapshot(t / "ref")) << config;
  }
}

// ---- crash safety --------------------------------------------------------------------------

TEST(Scale, TarResumeAfterSigkillAtRandomPointsGivesTheSameBytes) {
  TempDir t;
  write_text(t / "big.yaml", kBigTar);
  ASSERT_EQ(run_cli(gen(t / "big.yaml", t / "ref", "--threads 2")).exit_code, 0);
  const auto ref = snapshot(t / "ref");
  const std::size_t shards = journal_lines(t / "ref");
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> when(0.05, 0.75);
  int interrupted = 0;
  for (int run = 0; run < 3; ++run) {
    const double fraction = when(rng);
    const fs::path out = t / ("run" + std::to_string(run));
    const pid_t pid = spawn_generate(t / "big.yaml", out);
    // The kill comes once that share of the shards is recorded (not after a time): mid-run on
    // any machine, between shards or inside one.
    const auto at = static_cast<std::size_t>(fraction * static_cast<double>(shards));
    EXPECT_TRUE(wait_until([&] { return journal_lines(out) >= at; }));
    ::kill(pid, SIGKILL);
    const int status = wait_exit(pid);
    if (WIFSIGNALED(status)) {
      ++interrupted;
      EXPECT_FALSE(fs::exists(out / "manifest.json")) << "a killed run must not leave a manifest";
      expect_visible_shards_complete(out);
    }
    auto r = run_cli(gen(t / "big.yaml", out, "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(snapshot(out), ref) << "killed at " << fraction << " of the run (seed " << seed << ")";
    EXPECT_TRUE(temporary_files(out).empty());
  }
  EXPECT_GE(interrupted, 2) << "the runs finished before the kill; the test did not exercise resume";
}

TEST(Scale, SigintOrSigtermStopsAfterTheSamplesInFlightAndResumeFinishes) {
  // SIGTERM is what Slurm sends at a job's time limit or on scancel.
  for (const std::string format : {"tar", "folder"}) {
    const int signal = format == "tar" ? SIGINT : SIGTERM;
    TempDir t;
    std::string config = kBigTar;
    if (format == "folder") config = config.substr(0, config.find("output_format"));
    write_text(t / "big.yaml", config);
    ASSERT_EQ(run_cli(gen(t / "big.yaml", t / "ref", "--threads 2")).exit_code, 0);
    const pid_t pid = spawn_generate(t / "big.yaml", t / "out");
    // Wait for the first finished shard or unit, then interrupt.
    ASSERT_TRUE(wait_until([&] { return journal_lines(t / "out") >= 1; }));
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << format << ": the signal must stop the run cleanly, not kill it";
    // The signal came after the first of 24 shards (or 300 units): the run cannot have finished.
    ASSERT_EQ(WEXITSTATUS(status), 130) << format;
    EXPECT_FALSE(fs::exists(t / "out/manifest.json")) << format;
    EXPECT_TRUE(temporary_files(t / "out").empty()) << format << ": a stop must not leave temporary files";
    EXPECT_NE(read_text(t / "out/.fdsl-last-run.json").find("\"interrupted\":true"), std::string::npos);
    expect_visible_shards_complete(t / "out");
    auto r = run_cli(gen(t / "big.yaml", t / "out", "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(snapshot(t / "out"), snapshot(t / "ref")) << format;
  }
}

TEST(Scale, FullDiskStopsTheRunNamingThePathAndLeavesNothingThatLooksComplete) {
  // A full disk simulated with a file size limit (dash counts `ulimit -f` in 512-byte blocks);
  // with SIGXFSZ ignored, write() fails with EFBIG as it would with ENOSPC.
  struct Case {
    std::string config, limit_blocks, expect_in_path;
  };
  for (const Case& c : {Case{kFolder + "output_format: tar\nshard_samples: 40\n", "64", "train-000000.tar"},
                        Case{"generator: fractaldb\ncategories: official\nclasses: 2\nsize: 256\npoints: 100000\n"
                             "patch_draws: 1\nflips: 1\n",
                             "4", ".png"}}) {
    TempDir t;
    write_text(t / "c.yaml", c.config);
    auto r = run_command("ulimit -f " + c.limit_blocks + "; trap '' XFSZ; exec " + cli_path() + " " +
                         gen(t / "c.yaml", t / "out", "--threads 2"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(std::generic_category().message(EFBIG)), std::string::npos) << r.output;
    EXPECT_NE(r.output.find((t / "out").string()), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(c.expect_in_path), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(t / "out/manifest.json"));
    EXPECT_TRUE(temporary_files(t / "out").empty()) << "a failed write must remove its temporary file";
    expect_visible_shards_complete(t / "out");
    // With room again, resume finishes the dataset.
    r = run_cli(gen(t / "c.yaml", t / "out", "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(run_cli("verify " + shell_quote((t / "out").string())).exit_code, 0);
  }
}

TEST(Scale, RealFullDiskOnASmallTmpfsStopsTheRunNamingTheShard) {
  // A real ENOSPC where this machine allows it: a 256 KiB tmpfs in a private mount namespace
  // (root). The checks run inside the namespace, where the mount lives.
  if (run_command("unshare -m sh -c 'mount -t tmpfs -o size=4k tmpfs /mnt' 2>/dev/null").exit_code != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root and unshare -m)";
  TempDir t;
  write_text(t / "c.yaml", kFolder + "output_format: tar\nshard_samples: 40\n");
  fs::create_directories(t / "mnt");
  const std::string mnt = shell_quote((t / "mnt").string()), out = shell_quote((t / "mnt/out").string());
  const std::string script = "mount -t tmpfs -o size=256k tmpfs " + mnt + " || exit 99; " + cli_path() + " " +
                             gen(t / "c.yaml", t / "mnt/out") + "; echo \"rc=$?\"; ls -a " + out + "; for f in " + out +
                             "/*.tar; do [ -e \"$f\" ] || continue; tar -tf \"$f\" " +
                             ">/dev/null 2>&1 || echo \"BROKEN $f\"; done";
  auto r = run_command("unshare -m sh -c " + shell_quote(script));
  ASSERT_NE(r.exit_code, 99) << r.output;
  EXPECT_NE(r.output.find("rc=1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(std::generic_category().message(ENOSPC)), std::string::npos) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("cannot write .*/mnt/out/train-00000[0-9]\\.tar"))) << r.output;
  EXPECT_EQ(r.output.find("BROKEN"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(".tmp-"), std::string::npos) << "temporary files left:\n" << r.output;
  EXPECT_EQ(r.output.find("manifest.json"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("train-000000.tar"), std::string::npos) << "some shards fit before the disk was full:\n"
                                                                  << r.output;
}

TEST(Scale, ReadOnlyOutputFolderIsRefusedAndLeftAsItWas) {
  TempDir t;
  write_text(t / "c.yaml", kTar);
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "done")).exit_code, 0);
  fs::create_directories(t / "empty");
  const auto before = snapshot(t / "done");
  for (const char* d : {"done", "empty"})
    fs::permissions(t / d, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                               fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  // Root writes into read-only folders anyway: run the tool as nobody then.
  std::string prefix;
  if (::geteuid() == 0) {
    if (!have("setpriv")) GTEST_SKIP() << "running as root without setpriv: no way to make a folder read-only";
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
    fs::permissions(t.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  }
  for (const char* d : {"done", "empty"}) {
    auto r = run_command(prefix + cli_path() + " " + gen(t / "c.yaml", t / d, "--resume"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("output directory " + (t / d).string() + " is not writable"), std::string::npos)
        << r.output;
  }
  EXPECT_EQ(snapshot(t / "done"), before);
  EXPECT_TRUE(fs::is_empty(t / "empty"));
}

// ---- verify, repair, merge ------------------------------------------------------------------

TEST(Scale, VerifyFindsATruncatedShardAndResumeMakesItAgain) {
  TempDir t;
  write_text(t / "c.yaml", kTar);
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "out")).exit_code, 0);
  const auto ref = snapshot(t / "out");
  auto r = run_cli("verify " + shell_quote((t / "out").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"samples_checked\":150"), std::string::npos) << r.output;
  fs::resize_file(t / "out/train-000002.tar", fs::file_size(t / "out/train-000002.tar") - 700);
  r = run_cli("verify " + shell_quote((t / "out").string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("train-000002.tar: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("truncated"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 problem in"), std::string::npos) << r.output;
  // Resume checks every recorded shard's size and makes a damaged one again.
  r = run_cli("generate " + shell_quote((t / "c.yaml").string()) + " -o " + shell_quote((t / "out").string()) +
              " --resume --progress log");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("train-000002.tar: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("making it again"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"shards_written\":1,\"shards_skipped\":9"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "out"), ref);
}

TEST(Scale, VerifyRegenerateRepairsDamagedShardsAndFiles) {
  for (const std::string& config : {kTar, kFolder}) {
    TempDir t;
    write_text(t / "c.yaml", config);
    ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "out")).exit_code, 0);
    const auto ref = snapshot(t / "out");
    std::vector<std::string> damaged;
    auto flip_byte = [&](const std::string& rel, std::uintmax_t at) {
      std::string bytes = read_text(t / "out" / rel);
      bytes[at] = static_cast<char>(bytes[at] ^ 0x55);
      write_text(t / "out" / rel, bytes);
      damaged.push_back(rel);
    };
    if (config == kTar) {
      flip_byte("train-000001.tar", 1000);  // inside a PNG: same size, other CRC
      fs::remove(t / "out/train-000007.tar");
      damaged.push_back("train-000007.tar");
    } else {
      flip_byte("00001/00001_03_count_0_flip1.png", 40);
      fs::remove(t / "out/00002/00002_24_count_0_flip0.png");
      damaged.push_back("00002/00002_24_count_0_flip0.png");
    }
    auto r = run_cli("verify " + shell_quote((t / "out").string()));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    for (const auto& d : damaged)
      EXPECT_NE(r.output.find("fdsl: " + d + ": "), std::string::npos) << d << "\n" << r.output;
    EXPECT_NE(r.output.find("missing"), std::string::npos) << r.output;
    r = run_cli("verify --regenerate " + shell_quote((t / "out").string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("made 2 items again"), std::string::npos) << r.output;
    EXPECT_EQ(snapshot(t / "out"), ref) << config;
  }
}

TEST(Scale, VerifyRegenerateRefusesADatasetMadeByAnotherVersion) {
  // Another version may make other bytes (0.2.0 changed the ifs_sigma backgrounds), so it must
  // not write files into the dataset: the repair is refused, naming both versions.
  TempDir t;
  write_text(t / "c.yaml", kFolder);
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "out")).exit_code, 0);
  const std::string manifest = read_text(t / "out/manifest.json");
  const std::regex version("\"fdsl_version\": *\"[^\"]*\"");
  ASSERT_TRUE(std::regex_search(manifest, version)) << manifest.substr(0, 400);
  write_text(t / "out/manifest.json", std::regex_replace(manifest, version, "\"fdsl_version\": \"0.0.9\""));
  fs::remove(t / "out/00002/00002_24_count_0_flip0.png");
  const auto r = run_cli("verify --regenerate " + shell_quote((t / "out").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("made by fdsl 0.0.9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("repair it with fdsl 0.0.9"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(t / "out/00002/00002_24_count_0_flip0.png"));
}

TEST(Scale, VerifyWithoutAManifestSaysTheRunDidNotFinishAndHowToFinishIt) {
  TempDir t;
  write_text(t / "c.yaml", kTar);
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "out")).exit_code, 0);
  fs::remove(t / "out/manifest.json");
  const std::string out = (t / "out").string();
  auto r = run_cli("verify " + shell_quote(out));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("manifest.json: missing"), std::string::npos) << r.output;
  // The hint is a command that works: it finishes the dataset in place.
  const std::string hint = "fdsl generate " + out + " -o " + out + " --resume";
  ASSERT_NE(r.output.find(hint), std::string::npos) << r.output;
  r = run_cli(hint.substr(5) + " --progress quiet");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(run_cli("verify " + shell_quote(out)).exit_code, 0);
}

TEST(Scale, VerifyOfAFolderThatIsNoDatasetSaysSo) {
  TempDir t;
  fs::create_directories(t / "empty");
  write_text(t / "other/notes.txt", "hello");
  for (const std::string dir : {"empty", "other", "missing"}) {
    auto r = run_cli("verify " + shell_quote((t / dir).string()));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(dir == "missing" ? "no such folder" : "is not an fdsl dataset"), std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("of 0 items"), std::string::npos) << r.output;
  }
}

TEST(Scale, MergeSaysWhatIsMissingThenWritesTheManifest) {
  TempDir t;
  write_text(t / "c.yaml", kTar);
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "ref")).exit_code, 0);
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "out", "--shard 0/2")).exit_code, 0);
  auto r = run_cli("merge " + shell_quote((t / "out").string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("5 of 10 parts"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("train-000005.tar"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(t / "out/manifest.json"));
  ASSERT_EQ(run_cli(gen(t / "c.yaml", t / "out", "--shard 1/2")).exit_code, 0);
  fs::remove(t / "out/manifest.json");
  fs::remove(t / "out/_info.json");
  r = run_cli("merge " + shell_quote((t / "out").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(snapshot(t / "out"), snapshot(t / "ref"));
}

// ---- progress and reports -------------------------------------------------------------------

TEST(Scale, ProgressLogLinesAndSummaryCountShards) {
  TempDir t;
  write_text(t / "c.yaml", kTar);
  auto r = run_cli("generate " + shell_quote((t / "c.yaml").string()) + " -o " + shell_quote((t / "out").string()) +
                   " --progress log");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(
      r.output,
      std::regex(
          R"(fdsl: 150/150 images \(100\.0%\), 10/10 shards, [0-9]+/s, [0-9.]+ MB/s, elapsed [0-9:]+, ETA done)")))
      << r.output;
  for (const char* key : {"\"output_format\":\"tar\"", "\"samples_written\":150", "\"bytes_written\":", "\"seconds\":",
                          "\"samples_per_second\":", "\"megabytes_per_second\":", "\"complete\":true"})
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
  r = run_cli("generate " + shell_quote((t / "c.yaml").string()) + " -o " + shell_quote((t / "bar").string()) +
              " --progress bar --shard 1/2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(\r\[#{30}\] 70/70 images, 5/5 shards .* MB/s  ETA 0:00:00)")))
      << r.output;
}

// ---- bad input: a clear message, exit 2, nothing written ------------------------------------

struct ScaleBadCase {
  const char* name;
  std::string config;
  std::string env;    // variables set for the child
  std::string extra;  // CLI arguments
  std::string expect;
};

void PrintTo(const ScaleBadCase& c, std::ostream* os) { *os << c.name; }

class ScaleBadInput : public ::testing::TestWithParam<ScaleBadCase> {};

TEST_P(ScaleBadInput, ExitsWithTwoAndAClearMessage) {
  const ScaleBadCase& c = GetParam();
  TempDir t;
  write_text(t / "cfg.yaml", c.config);
  auto r = run_command(c.env + " " + cli_path() + " " + gen(t / "cfg.yaml", t / "out", c.extra));
  EXPECT_TRUE(refused(r, c.expect));
  EXPECT_FALSE(fs::exists(t / "out")) << "a refused run must not touch the output folder";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScaleBadInput,
    ::testing::Values(
        ScaleBadCase{"ShardIndexOutOfRange", kTar, "", "--shard 2/2", "index 2 is out of range for 2 parts"},
        ScaleBadCase{"ShardCountZero", kTar, "", "--shard 0/0", "N must be at least 1"},
        ScaleBadCase{"ShardNotIOverN", kTar, "", "--shard 3", "expected I/N"},
        ScaleBadCase{"ShardConflictsWithEnvironment", kTar, "OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=2",
                     "--shard 0/2", "conflicts with the environment"},
        ScaleBadCase{"BrokenEnvironment", kTar, "SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3",
                     "", "contiguous job array"},
        ScaleBadCase{"TarWithClasses", kTar, "", "--classes 0:1", "cannot be used with output_format: tar"},
        ScaleBadCase{"SplitWithClasses", kFolder, "", "--shard 0/2 --classes 0:1",
                     "cannot be combined with a split run"},
        ScaleBadCase{"ShuffleWithFolder", kFolder + "shuffle: true\n", "", "",
                     "applies only when output_format is tar"},
        ScaleBadCase{"BothShardSizes", kTar + "shard_bytes: 100000\n", "", "", "not both"},
        ScaleBadCase{"BadShardPrefix", kTar + "shard_prefix: my.train\n", "", "", "shard_prefix"}),
    [](const ::testing::TestParamInfo<ScaleBadCase>& info) { return std::string(info.param.name); });

TEST(Scale, ResumeRefusesAFolderOfAnotherConfigOrVersion) {
  TempDir t;
  write_text(t / "a.yaml", kTar);
  write_text(t / "b.yaml", kFolder + "output_format: tar\nshard_samples: 20\n");
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "out")).exit_code, 0);
  const auto before = snapshot(t / "out");
  auto r = run_cli(gen(t / "b.yaml", t / "out", "--resume"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("key 'shard_samples' was 16, now 20"), std::string::npos) << r.output;
  // A split run joins a folder without --resume, but not one of another config either.
  r = run_cli(gen(t / "b.yaml", t / "out", "--shard 0/2"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("different config"), std::string::npos) << r.output;
  std::string state = read_text(t / "out/.fdsl-state.json");
  state.replace(state.find("\"fdsl_version\": \"") + 17, 5, "0.0.9");
  write_text(t / "out/.fdsl-state.json", state);
  r = run_cli(gen(t / "a.yaml", t / "out", "--resume"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("it was made by fdsl 0.0.9"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "out"), before);
}
