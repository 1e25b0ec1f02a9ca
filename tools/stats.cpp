// fdsl stats DIR | CONFIG --sample N [-o DIR]: what is in a dataset. Measures every image and
// cloud (ink fraction, bounding box, intensity, file size; cloud variance, extent, distinct points,
// flatness), summarizes them per class, lists blank, saturated and degenerate samples by name,
// classes that do not vary and the closest class pairs; writes stats.json and prints a summary.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/stop.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/preview.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/stats.h"
#include "fdsl/io/cloud_read.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "fdsl/io/tar_reader.h"

namespace fdsl::cli {

namespace {

namespace fs = std::filesystem;

struct StatsArgs {
  ConfigOptions config;
  std::int64_t sample = 0;
  std::string output;
  std::string progress = "auto";
  StatsThresholds thresholds;
};

ProgressOptions progress_options(const std::string& mode) {
  ProgressOptions po;
  po.bar = mode == "bar" || (mode == "auto" && ::isatty(STDERR_FILENO));
  po.quiet = mode == "quiet";
  return po;
}

/// Samples rendered in memory (stats_sample_selection), and their plot.
nlohmann::ordered_json config_stats(const StatsArgs& a, Image& plot) {
  // At most n classes are rendered: only those are searched (categories are prefix-stable).
  SpecOptions so = spec_options(a.config);
  so.search_limit = a.sample;
  const DatasetSpec spec = load_dataset_spec(a.config.config, so);
  const Generator& gen = *spec.generator;
  const StatsSelection sel = stats_sample_selection(gen, a.sample);
  Progress progress(gen.sample_noun(), static_cast<std::int64_t>(sel.samples.size()), progress_options(a.progress));
  std::map<std::string, std::size_t> index;  // sample file name -> its position in sel.samples
  nlohmann::ordered_json report = sample_stats(
      gen, spec.params, a.config.config, a.sample, a.thresholds, a.config.threads, [&] { progress.add(1); }, &index);
  progress.finish();
  // The pair pictures: each example named in the report is rendered again.
  plot = stats_plot(report, [&](const std::string& name, int tile) {
    const auto it = index.find(name);
    if (it == index.end()) return Image();
    const auto [c, i] = sel.samples[it->second];
    return sample_picture(gen.make(c, i), tile);
  });
  return report;
}

/// The examples of a dataset read from its files, for the pair pictures: a PNG or a cloud file of
/// a folder, a member of a WebDataset shard (the shard found by dataset_stats), a cloud of a
/// ModelNet-style HDF5 file (named file:index). An example that cannot be read again draws as
/// nothing (a grey box): the report already lists it as unreadable.
class DatasetPictures {
 public:
  explicit DatasetPictures(fs::path dir) : dir_(std::move(dir)) {}
  std::map<std::string, std::string>* shards() { return &shards_; }

  Image operator()(const std::string& name, int tile) {
    try {
      return picture(name, tile);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Interrupted) throw;
      return Image();
    }
  }

 private:
  Image decoded(const std::uint8_t* data, std::size_t size, const std::string& ext, const std::string& where,
                int tile) {
    if (ext == "png") return decode_png(data, size, where);
    Sample s;
    s.cloud = decode_cloud(data, size, ext, where);
    return sample_picture(s, tile);
  }

  Image picture(const std::string& name, int tile) {
    std::error_code ec;
    if (const auto it = shards_.find(name); it != shards_.end()) {
      TarReader reader(dir_ / it->second);
      TarMember m;
      std::vector<std::uint8_t> data;
      while (reader.next(m, data))
        if (m.name == name) {
          const auto dot = name.rfind('.');
          return decoded(data.data(), data.size(), dot == std::string::npos ? "" : name.substr(dot + 1),
                         it->second + ":" + name, tile);
        }
      return Image();
    }
    const fs::path p = dir_ / name;
    if (fs::is_regular_file(p, ec)) {
      const std::string ext = p.extension().string();
      const std::vector<std::uint8_t> bytes = read_file(p);
      return decoded(bytes.data(), bytes.size(), ext.empty() ? "" : ext.substr(1), p.string(), tile);
    }
    // file.h5:index
    const auto colon = name.rfind(':');
    if (colon == std::string::npos) return Image();
    const std::string file = name.substr(0, colon), index = name.substr(colon + 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos || index.size() > 12)
      return Image();
    if (file != h5_name_) {
      h5_ = read_modelnet_h5(dir_ / file);
      h5_name_ = file;
    }
    const std::size_t j = std::stoull(index);
    if (j >= h5_.count) return Image();
    Sample s;
    const float* first = h5_.xyz.data() + j * h5_.points * 3;
    s.cloud.xyz.assign(first, first + h5_.points * 3);
    return sample_picture(s, tile);
  }

  fs::path dir_;
  std::map<std::string, std::string> shards_;
  std::string h5_name_;  // the HDF5 file last read, kept for the next example from it
  ModelNetClouds h5_;
};

}  // namespace

void add_stats(CLI::App& app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stats",
      "measure a dataset (ink, bounding box, intensity, file size; cloud variance, flatness, repeated points), per "
      "class, with blank/degenerate samples and near-duplicate classes; or render N samples of a config in memory");
  cmd->add_option("config", args->config.config,
                  "a dataset folder (read its files), or a YAML config with --sample N (render in memory)")
      ->required();
  cmd->add_option("--set", args->config.overrides, "with --sample: override a config key (repeatable)");
  cmd->add_option("--seed", args->config.seed, "with --sample: dataset seed");
  add_threads_option(*cmd, args->config.threads);
  cmd->add_option("--sample", args->sample,
                  "render about N samples of the config in memory (the first classes, at least 8 instances each) "
                  "instead of reading files: 1..10000000")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000}));
  cmd->add_option("-o,--output", args->output,
                  "folder for stats.json (default: the dataset folder; out/<config>-stats for --sample)");
  cmd->add_option("--progress", args->progress, "auto (a bar on a terminal), bar, log or quiet")
      ->check(CLI::IsMember({"auto", "bar", "log", "quiet"}));
  StatsThresholds& t = args->thresholds;
  cmd->add_option("--blank-ink", t.blank_ink, "an image with less ink is blank: 0..1")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--full-ink", t.full_ink, "an image with more ink is saturated: 0..1")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--flat", t.flat, "a cloud with l2/l1 (l3/l1) below this is a line (a plane): 0..1")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--distinct", t.distinct, "a cloud with a smaller share of distinct points repeats points: 0..1")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--static-spread", t.static_spread,
                  "a class whose spread is below this share of the median spread does not vary: 0..1")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--pairs", t.similar_pairs, "how many of the closest class pairs to list: 0..1000")
      ->check(CLI::Range(0, 1000));
  cmd->callback([args] {
    namespace fs = std::filesystem;
    const StatsArgs& a = *args;
    std::error_code ec;
    const bool is_dir = fs::is_directory(a.config.config, ec);
    if (!is_dir && a.sample == 0)
      throw_bad_input(a.config.config +
                      " is not a dataset folder; to measure a config, render samples in memory with --sample N");
    if (is_dir && a.sample == 0 && (!a.config.overrides.empty() || !a.config.seed.empty()))
      throw_bad_input("--set and --seed change what is rendered: they need --sample N");
    nlohmann::ordered_json report;
    Image plot;
    fs::path out;
    if (a.sample > 0) {
      report = config_stats(a, plot);
      out = a.output.empty() ? fs::path("out") / (fs::path(a.config.config).filename().string() + "-stats")
                             : fs::path(a.output);
      if (a.output.empty() && !is_dir) out = fs::path("out") / (fs::path(a.config.config).stem().string() + "-stats");
    } else {
      StatsOptions o;
      o.threads = a.config.threads;
      o.thresholds = a.thresholds;
      std::unique_ptr<Progress> progress;
      o.on_start = [&](std::int64_t n, const std::string& layout) {
        progress =
            std::make_unique<Progress>(layout == "webdataset" ? "shards" : "files", n, progress_options(a.progress));
      };
      o.on_progress = [&](std::int64_t n) { progress->add(n); };
      DatasetPictures pictures{fs::path(a.config.config)};
      o.example_shards = pictures.shards();
      report = dataset_stats(a.config.config, o);
      if (progress) progress->finish();
      plot = stats_plot(report, [&](const std::string& name, int tile) { return pictures(name, tile); });
      out = a.output.empty() ? fs::path(a.config.config) : fs::path(a.output);
    }
    ensure_writable_dir(out);
    write_file_atomic(out / "stats.json", report.dump(1) + "\n");
    write_file_atomic(out / "stats.png", encode_png(plot));
    std::printf("%s", stats_text(report).c_str());
    std::printf("stats.json: %s\nstats.png: %s\n", (out / "stats.json").string().c_str(),
                (out / "stats.png").string().c_str());
    const std::size_t bad = report["unreadable"].size();
    if (bad > 0)
      throw_runtime(std::to_string(bad) + (bad == 1 ? " file" : " files") + " of " + a.config.config +
                    " could not be read, e.g. " + report["unreadable"][0]["path"].get<std::string>() + ": " +
                    report["unreadable"][0]["problem"].get<std::string>() + " (`fdsl verify` checks every file)");
  });
}

}  // namespace fdsl::cli
