// fdsl stats: over a folder of FractalDB-1k PNGs at 362 px (the reference: reading and decoding
// the same files alone, the floor any measurement pays), and on samples rendered in memory (the
// reference: rendering them alone).
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "fdsl/core/parallel.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/stats.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "harness.h"

namespace fdsl::bench {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

/// A folder of the first `classes` x 1000 FractalDB-1k images, made once per process.
const fs::path& fractaldb_folder(int classes) {
  static const fs::path dir = [&] {
    const char* base = std::getenv("FDSL_BENCH_DIR");
    const fs::path d = fs::path(base ? base : ".") / ("fdsl-bench-stats-" + std::to_string(::getpid()));
    fs::remove_all(d);
    const DatasetSpec spec = load_recipe("fractaldb-1k.yaml");
    GenerateOptions o;
    o.output = d;
    o.progress = ProgressMode::Quiet;
    o.classes = std::pair<std::int64_t, std::int64_t>{0, classes};
    generate_dataset(spec, o);
    return d;
  }();
  return dir;
}

/// Removes the folder at exit.
struct FolderCleanup {
  ~FolderCleanup() {
    const char* base = std::getenv("FDSL_BENCH_DIR");
    std::error_code ec;
    fs::remove_all(fs::path(base ? base : ".") / ("fdsl-bench-stats-" + std::to_string(::getpid())), ec);
  }
} cleanup;

Report folder_stats(int threads) {
  const fs::path& dir = fractaldb_folder(2);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".png" && e.path().filename() != "preview.png") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  // The reference: read and decode every file, nothing measured.
  std::atomic<std::int64_t> pixels{0};
  auto t = clock_type::now();
  parallel_for(0, static_cast<std::int64_t>(files.size()), threads, [&](std::int64_t i) {
    const std::vector<std::uint8_t> b = read_file(files[static_cast<std::size_t>(i)]);
    const Image im = decode_png(b.data(), b.size(), files[static_cast<std::size_t>(i)].string());
    pixels.fetch_add(static_cast<std::int64_t>(im.pixels.size()), std::memory_order_relaxed);
  });
  const double decode_s = since(t);
  // And libpng alone (decode_png's fallback), for the figure the fast path is measured against.
  t = clock_type::now();
  parallel_for(0, static_cast<std::int64_t>(files.size()), threads, [&](std::int64_t i) {
    const std::vector<std::uint8_t> b = read_file(files[static_cast<std::size_t>(i)]);
    (void)detail::decode_png_with_libpng(b.data(), b.size(), "bench");
  });
  const double libpng_s = since(t);
  StatsOptions o;
  o.threads = threads;
  t = clock_type::now();
  const auto report = dataset_stats(dir, o);
  const double stats_s = since(t);
  Report r;
  r.items = static_cast<double>(report["images"]["count"].get<std::int64_t>());
  r.unit = "images";
  r.seconds = stats_s;
  r.threads = threads;
  r.reference_rate = static_cast<double>(files.size()) / decode_s;
  r.reference = "read + decode_png of the same files alone";
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "%zu FractalDB-1k PNGs of 362x362; %.0f images/s per core (goal 5,000); decode alone %.0f/s "
                "(libdeflate fast path), libpng alone %.0f/s",
                files.size(), r.items / r.seconds / threads, r.reference_rate,
                static_cast<double>(files.size()) / libpng_s);
  r.extra = buf;
  return r;
}

Report in_memory_stats(int threads) {
  const DatasetSpec spec = load_recipe("fractaldb-1k.yaml");
  const Generator& gen = *spec.generator;
  const std::int64_t classes = 2, per = gen.instances_per_class();
  // The reference: render alone.
  auto t = clock_type::now();
  parallel_for(0, classes * per, threads, [&](std::int64_t j) { (void)gen.make(j / per, j % per); });
  const double render_s = since(t);
  std::vector<SampleStats> all(static_cast<std::size_t>(classes * per));
  t = clock_type::now();
  parallel_for(0, classes * per, threads, [&](std::int64_t j) {
    const Sample s = gen.make(j / per, j % per);
    all[static_cast<std::size_t>(j)] = image_stats(s.image, gen.sample_name(j / per, j % per), std::to_string(j / per));
  });
  const auto report = summarize_stats(all, StatsThresholds{}, threads);
  Report r;
  r.items = static_cast<double>(all.size());
  r.unit = "images";
  r.seconds = since(t);
  r.threads = threads;
  r.reference_rate = static_cast<double>(all.size()) / render_s;
  r.reference = "rendering the same samples alone";
  char buf[160];
  std::snprintf(buf, sizeof buf, "FractalDB-1k at 362x362, render + measure + report (%d classes found)",
                static_cast<int>(report["images"]["classes"].size()));
  r.extra = buf;
  return r;
}

FDSL_BENCH("stats/fractaldb1k_folder_362px_1thread", [] { return folder_stats(1); });
FDSL_BENCH("stats/fractaldb1k_folder_362px_2threads", [] { return folder_stats(2); });
FDSL_BENCH("stats/fractaldb1k_in_memory_1thread", [] { return in_memory_stats(1); });

}  // namespace
}  // namespace fdsl::bench
