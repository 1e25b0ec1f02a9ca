// The output pipeline through the library (generate_dataset, merge_dataset, the sinks), not the CLI.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "fdsl/core/error.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/manifest.h"
#include "fdsl/dataset/sink.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/stats.h"
#include "fdsl/dataset/verify.h"
#include "fdsl/io/files.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

DatasetSpec spec_of(const std::string& yaml) {
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, fs::temp_directory_path());
}

const std::string kFolder =
    "generator: fractaldb\ncategories: official\nclasses: 3\ninstances: 12\nsize: 24\npoints: 2000\n";

GenerateOptions quiet(const fs::path& out, int threads = 1) {
  GenerateOptions o;
  o.output = out;
  o.threads = threads;
  o.progress = ProgressMode::Quiet;
  return o;
}

TEST(Pipeline, EachLayoutHasItsSinkAndAStableGrid) {
  const DatasetSpec folder = spec_of(kFolder);
  const auto sink = make_sink(folder, OutputSettings::from_params(folder.params));
  EXPECT_EQ(sink->layout(), "imagefolder");
  EXPECT_TRUE(sink->partial_runs());
  // FractalDB's chunk is patch_draws x flips = 40 > 12: one unit per class.
  const auto items = sink->items(Selection{});
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].key, unit_key(1, 0, 12));
  Selection part;
  part.whole = false;
  part.classes = {1, 2};
  part.instances = {3, 7};
  const auto some = sink->items(part);
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].key, "unit 1 3-7");
  EXPECT_EQ(some[0].samples, 4);

  const DatasetSpec tar = spec_of(kFolder + "output_format: tar\nshard_samples: 10\n");
  const auto tar_sink = make_sink(tar, OutputSettings::from_params(tar.params));
  EXPECT_EQ(tar_sink->layout(), "webdataset");
  EXPECT_FALSE(tar_sink->partial_runs());
  EXPECT_EQ(tar_sink->items(Selection{}).size(), 4u);  // 36 samples in shards of 10
  EXPECT_EQ(tar_sink->item_name(tar_sink->items(Selection{})[3]), "train-000003.tar");

  const DatasetSpec h5 = spec_of(
      "generator: pc_fractal\nclasses: 2\ninstances: 5\npoints: 64\ncloud_format: hdf5\n"
      "h5_clouds_per_file: 4\n");
  const auto h5_sink = make_sink(h5, OutputSettings::from_params(h5.params));
  EXPECT_EQ(h5_sink->layout(), "modelnet40_hdf5");
  EXPECT_EQ(h5_sink->items(Selection{}).size(), 3u);  // 10 clouds in files of 4
}

TEST(Pipeline, OneThreadOrTwoAndAStoppedRunResumedMakeTheSameBytes) {
  for (const std::string extra : {"", "output_format: tar\nshard_samples: 7\nshuffle: true\n"}) {
    SCOPED_TRACE(extra);
    test::TempDir t("pipeline");
    const DatasetSpec spec = spec_of(kFolder + extra);
    const GenerateSummary one = generate_dataset(spec, quiet(t / "one", 1));
    EXPECT_TRUE(one.complete && one.manifest_written && !one.interrupted);
    EXPECT_EQ(one.samples_written, 36);
    generate_dataset(spec, quiet(t / "two", 2));
    EXPECT_EQ(test::snapshot(t / "one"), test::snapshot(t / "two"));

    // A stop raised before any item: the run stops at once, recorded nothing, and resumes whole.
    std::atomic<bool> stop{true};
    GenerateOptions o = quiet(t / "stopped", 2);
    o.stop = &stop;
    const GenerateSummary stopped = generate_dataset(spec, o);
    EXPECT_TRUE(stopped.interrupted);
    EXPECT_FALSE(stopped.complete);
    EXPECT_FALSE(fs::exists(t / "stopped/manifest.json"));
    o.stop = nullptr;
    o.resume = true;
    const GenerateSummary resumed = generate_dataset(spec, o);
    EXPECT_TRUE(resumed.complete);
    EXPECT_EQ(test::snapshot(t / "stopped"), test::snapshot(t / "one"));
  }
}

TEST(Pipeline, JournalRecordsCarryTheConfigsFingerprint) {
  test::TempDir t("pipeline");
  const DatasetSpec spec = spec_of(kFolder);
  generate_dataset(spec, quiet(t / "out"));
  const auto records = Journal::read_all(t / "out");
  ASSERT_EQ(records.size(), 3u);
  const std::string fp = records[0]["config"].get<std::string>();
  EXPECT_EQ(fp.size(), 16u);
  for (const auto& r : records) EXPECT_EQ(r["config"], fp);
  EXPECT_EQ(read_journals(t / "out", fp).done.size(), 3u);
  const JournalState other = read_journals(t / "out", "0000000000000000");
  EXPECT_TRUE(other.done.empty());
  EXPECT_EQ(other.other_records, 3);
  // Another config's fingerprint differs.
  const DatasetSpec bigger = spec_of(kFolder + "pad: 3\n");
  generate_dataset(bigger, quiet(t / "b"));
  EXPECT_NE(Journal::read_all(t / "b")[0]["config"], fp);
}

TEST(Pipeline, TheManifestReadAnEntryAtATimeIsTheWholeParse) {
  test::TempDir t("pipeline");
  generate_dataset(spec_of(kFolder), quiet(t / "out"));
  const nlohmann::json whole = nlohmann::json::parse(read_text_file(t / "out" / "manifest.json"));
  std::vector<nlohmann::json> entries;
  nlohmann::json head =
      read_manifest(t / "out" / "manifest.json", [&](const nlohmann::json& f) { entries.push_back(f); });
  ASSERT_EQ(entries.size(), 36u);
  EXPECT_EQ(nlohmann::json(entries), whole["files"]);
  EXPECT_TRUE(head["files"].is_array() && head["files"].empty());
  head["files"] = whole["files"];
  EXPECT_EQ(head, whole);  // nested lists and objects (categories, config) kept whole
  EXPECT_TRUE(verify_dataset(t / "out", VerifyOptions{1}).problems.empty());

  // Damage: text that is not JSON is unreadable; an entry without its size, or no file list, is
  // malformed; each named on manifest.json.
  const std::string text = read_text_file(t / "out" / "manifest.json");
  const auto problem_of = [&](const std::string& manifest) {
    write_file_atomic(t / "out" / "manifest.json", manifest);
    const VerifyReport r = verify_dataset(t / "out", VerifyOptions{1});
    return r.problems.empty() || r.problems[0].path != "manifest.json" ? std::string("none") : r.problems[0].problem;
  };
  EXPECT_EQ(problem_of(text.substr(0, text.size() / 2)).rfind("missing or unreadable", 0), 0u);
  std::string no_bytes = text;
  const std::size_t at = no_bytes.find(", \"bytes\": ");
  no_bytes.replace(at, no_bytes.find(',', at + 2) - at, "");
  EXPECT_EQ(problem_of(no_bytes).rfind("malformed", 0), 0u);
  nlohmann::json no_list = whole;
  no_list.erase("files");
  EXPECT_EQ(problem_of(no_list.dump()).rfind("malformed", 0), 0u);
  no_list["files"] = 3;
  EXPECT_EQ(problem_of(no_list.dump()).rfind("malformed", 0), 0u);
  EXPECT_EQ(problem_of(text), "none");
}

TEST(Pipeline, SplitPartsMergeIntoTheWholeDataset) {
  test::TempDir t("pipeline");
  const DatasetSpec spec = spec_of(kFolder + "output_format: tar\nshard_samples: 5\n");
  generate_dataset(spec, quiet(t / "whole"));
  GenerateOptions o = quiet(t / "split");
  o.part = parse_shard("0/2");
  const GenerateSummary first = generate_dataset(spec, o);
  EXPECT_FALSE(first.complete);
  MergeSummary m = merge_dataset(spec, t / "split");
  EXPECT_FALSE(m.complete);
  EXPECT_EQ(m.parts_total, 8);
  EXPECT_EQ(m.parts_done, 4);
  EXPECT_EQ(m.missing.front(), "train-000004.tar");
  o.part = parse_shard("1/2");
  const GenerateSummary second = generate_dataset(spec, o);
  EXPECT_TRUE(second.complete && second.manifest_written);
  EXPECT_EQ(test::snapshot(t / "split"), test::snapshot(t / "whole"));
}

// The card's samples measured while a run has them: the same report as made again from scratch,
// and the cache is what the card reads (a wrong size recorded shows in the report).
TEST(Pipeline, TheCardReadsTheSamplesTheRunMeasured) {
  const DatasetSpec spec = spec_of(kFolder);
  const Generator& gen = *spec.generator;
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  const std::vector<std::pair<std::int64_t, std::int64_t>> which = {{0, 1}, {1, 5}, {2, 11}};
  SampleStatsCache cache(which, "cloud"), wrong(which, "cloud");
  SinkRun run(gen, settings, {});
  run.card_stats = &cache;
  std::vector<EncodedFile> files;
  for (std::int64_t c = 0; c < 3; ++c)
    gen.make_range(c, 0, gen.instances_per_class(), [&](Sample&& s) {
      encode_sample(s, settings, files);
      note_encoded(run, s, files);
      wrong.record(gen, s, {7});
    });
  EXPECT_EQ(cache.size(), 3u);
  const StatsThresholds t;
  const auto fresh = memory_stats(gen, which, settings.png, "cloud", t, 1);
  EXPECT_EQ(memory_stats(gen, which, settings.png, "cloud", t, 1, {}, nullptr, &cache).dump(), fresh.dump());
  EXPECT_NE(memory_stats(gen, which, settings.png, "cloud", t, 1, {}, nullptr, &wrong).dump(), fresh.dump());
}

}  // namespace
}  // namespace fdsl
