// A dataset that looks complete is complete: no resume mixes configs whatever bookkeeping file is
// gone, resume checks the files it skips, repair uses the manifest's config, verify finds stray
// files, one writer per folder, and no run writes into a folder that is not its own.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <csignal>
#include <filesystem>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace fdsl::test;

namespace {

const char* kSmall = kSmallFractalDB;

/// Every PNG of a folder dataset with its width (bytes 16..19 of the IHDR, big-endian).
std::map<std::string, int> png_widths(const fs::path& dir) {
  std::map<std::string, int> out;
  for (const auto& [name, bytes] : snapshot(dir))
    if (name.size() > 4 && name.substr(name.size() - 4) == ".png")
      out[name] = (static_cast<unsigned char>(bytes[16]) << 24) | (static_cast<unsigned char>(bytes[17]) << 16) |
                  (static_cast<unsigned char>(bytes[18]) << 8) | static_cast<unsigned char>(bytes[19]);
  return out;
}

}  // namespace

TEST(Integrity, ResumeWithAnotherConfigIsRefusedWhateverBookkeepingIsMissing) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  const std::string other = "--resume --set size=128";
  // What is left of the bookkeeping: each of these alone refuses a resume with another config.
  struct Case {
    std::vector<std::string> removed;
    std::string expect;
  };
  for (const Case& c : {Case{{".fdsl-state.json"}, "size"}, Case{{".fdsl-state.json", "fdsl.yaml"}, "size"},
                        Case{{".fdsl-state.json", "fdsl.yaml", "manifest.json"}, "journal"},
                        Case{{".fdsl-state.json", "manifest.json", ".fdsl-journal.jsonl"}, "size"}}) {
    const fs::path out = t / ("out" + std::to_string(c.removed.size()) + c.expect);
    ASSERT_EQ(run_cli(gen(t / "a.yaml", out, "--classes 0:2")).exit_code, 0);
    for (const std::string& f : c.removed) fs::remove(out / f);
    auto r = run_cli(gen(t / "a.yaml", out, other));
    EXPECT_TRUE(refused(r, c.expect)) << "without " << c.removed.back();
    EXPECT_NE(r.output.find("cannot resume"), std::string::npos) << r.output;
    // Nothing of the other config was written: every image is 64 px wide.
    for (const auto& [name, width] : png_widths(out)) EXPECT_EQ(width, 64) << name;
    // The same config still resumes and finishes.
    r = run_cli(gen(t / "a.yaml", out, "--resume"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(run_cli("verify " + shell_quote(out.string())).exit_code, 0);
  }
}

TEST(Integrity, ResumeRemakesRecordedFilesThatAreMissingOrChanged) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "ref")).exit_code, 0);
  const auto ref = snapshot(t / "ref");
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "out")).exit_code, 0);
  const fs::path gone = t / "out/00001/00001_03_count_0_flip1.png", cut = t / "out/00002/00002_10_count_0_flip0.png";
  ASSERT_TRUE(fs::exists(gone) && fs::exists(cut));
  fs::remove(gone);
  fs::resize_file(cut, 20);
  fs::remove(t / "out/manifest.json");
  auto r = run_cli(gen(t / "a.yaml", t / "out", "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("00001_03_count_0_flip1.png: missing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("00002_10_count_0_flip0.png: 20 bytes on disk"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "out"), ref);
  EXPECT_EQ(run_cli("verify " + shell_quote((t / "out").string())).exit_code, 0);

  // A byte changed in place keeps the size: only --check (a CRC-32 of every file) sees it.
  std::string bytes = read_text(cut);
  bytes[bytes.size() / 2] ^= 0x20;
  write_text(cut, bytes);
  r = run_cli(gen(t / "a.yaml", t / "out", "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"samples_written\":0"), std::string::npos) << r.output;
  r = run_cli(gen(t / "a.yaml", t / "out", "--resume --check"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("00002_10_count_0_flip0.png: CRC-32"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(t / "out"), ref);
}

TEST(Integrity, RepairUsesTheManifestsConfigAndRefusesAnEditedFdslYaml) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "out")).exit_code, 0);
  const auto ref = snapshot(t / "out");
  const fs::path png = t / "out/00000/00000_00_count_0_flip0.png";
  fs::remove(png);
  // fdsl.yaml edited after the run: a repair from it would write a 128 px image among 64 px ones.
  std::string yaml = read_text(t / "out/fdsl.yaml");
  yaml.replace(yaml.find("size: 64"), 8, "size: 128");
  write_text(t / "out/fdsl.yaml", yaml);
  auto r = run_cli("verify " + shell_quote((t / "out").string()) + " --regenerate");
  EXPECT_TRUE(refused(r, "fdsl.yaml differs from the config in manifest.json (key 'size'"));
  EXPECT_FALSE(fs::exists(png));
  // Restored, the repair makes the file from the manifest's config, byte for byte.
  yaml.replace(yaml.find("size: 128"), 9, "size: 64");
  write_text(t / "out/fdsl.yaml", yaml);
  r = run_cli("verify " + shell_quote((t / "out").string()) + " --regenerate");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(snapshot(t / "out"), ref);
}

TEST(Integrity, VerifyReportsFilesAndFoldersTheManifestDoesNotList) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  ASSERT_EQ(run_cli(gen(t / "a.yaml", t / "out")).exit_code, 0);
  const std::string dir = shell_quote((t / "out").string());
  // A preview sheet beside the dataset is no sample: told, not a failure.
  write_text(t / "out/preview.png", "not read by any loader");
  auto r = run_cli("verify " + dir);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"extra_files\":[\"preview.png\"]"), std::string::npos) << r.output;
  // A stray image in a class folder, and a folder beside the class folders, change what an
  // ImageFolder reads: problems, which --regenerate cannot undo.
  fs::copy_file(t / "out/00000/00000_00_count_0_flip0.png", t / "out/00001/stray.png");
  fs::create_directories(t / "out/extra_class");
  r = run_cli("verify " + dir + " --regenerate");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("00001/stray.png: not in the manifest"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("extra_class/: a folder beside the class folders"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("removed by hand"), std::string::npos) << r.output;
  fs::remove(t / "out/00001/stray.png");
  fs::remove(t / "out/extra_class");
  EXPECT_EQ(run_cli("verify " + dir).exit_code, 0);
}

TEST(Integrity, ASecondWriterOfAFolderIsRefusedNamingTheFirst) {
  TempDir t;
  write_text(t / "big.yaml",
             "generator: fractaldb\ncategories: official\nclasses: 40\nsize: 128\npoints: 60000\n"
             "patch_draws: 2\nflips: 2\n");
  const fs::path out = t / "out";
  const int first =
      spawn_cli({"generate", (t / "big.yaml").string(), "-o", out.string(), "--progress", "quiet", "--threads", "1"});
  ASSERT_TRUE(wait_until([&] { return journal_lines(out) >= 1; }));
  auto r = run_cli(gen(t / "big.yaml", out, "--resume"));
  EXPECT_TRUE(refused(r, "is being written by another fdsl process (pid " + std::to_string(first) + ")"));
  r = run_cli("merge " + shell_quote(out.string()));
  EXPECT_TRUE(refused(r, "pid " + std::to_string(first)));
  // A part of a split run cannot join while a whole-dataset run holds the folder.
  r = run_cli(gen(t / "big.yaml", out, "--shard 1/2"));
  EXPECT_TRUE(refused(r, "pid " + std::to_string(first)));
  ::kill(first, SIGTERM);
  const int status = wait_exit(first);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  // Once it is gone, the folder is free again.
  r = run_cli(gen(t / "big.yaml", out, "--resume --threads 2"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(Integrity, AFolderThatHoldsNoDatasetIsNotWrittenIntoWithoutForce) {
  TempDir t;
  write_text(t / "a.yaml", kSmall);
  write_text(t / "out/notes.txt", "my notes");
  auto r = run_cli(gen(t / "a.yaml", t / "out"));
  EXPECT_TRUE(refused(r, "is not empty and holds no fdsl dataset (it has 'notes.txt')"));
  EXPECT_EQ(snapshot(t / "out").size(), 1u);
  r = run_cli(gen(t / "a.yaml", t / "out", "--force"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_text(t / "out/notes.txt"), "my notes");
  EXPECT_TRUE(fs::exists(t / "out/manifest.json"));
  // A refused run into a folder it made itself leaves no folder behind.
  write_text(t / "b.yaml", std::string(kSmall) + "pad: 7\n");
  r = run_cli(gen(t / "b.yaml", t / "out", "--resume"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(fs::exists(t / "out/manifest.json"));
}
