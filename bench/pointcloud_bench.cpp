// Point-cloud benchmarks: PC-FractalDB clouds in memory, the category search, FPS and normals,
// and the recipe end to end to binary PLY files.
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "fdsl/dataset/generate.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/render/normals.h"
#include "fdsl/render/point_ops.h"
#include "harness.h"

namespace fdsl::bench {
namespace {

namespace fs = std::filesystem;

// The official Python scripts, measured on this class of machine (the official PC-FractalDB scripts): about
// 38 ms per 10,000-point FractalNoiseMix PLY instance (26 clouds/s) and about 2 s per accepted
// category in the search (0.5 categories/s), one core.
constexpr double kOfficialCloudsPerSecond = 1.0 / 0.038;
constexpr double kOfficialCategoriesPerSecond = 0.5;

/// The PC-FractalDB-1k recipe with its first `classes` categories, categories searched on 1 thread.
DatasetSpec recipe(int classes, std::vector<std::string> extra = {}) {
  extra.insert(extra.begin(), "classes=" + std::to_string(classes));
  return load_recipe("pc-fractaldb-1k.yaml", extra);
}

/// make(category, instance) one sample at a time: all the work of one cloud, nothing shared.
Report clouds_make(const std::vector<std::string>& extra, const char* what) {
  const DatasetSpec spec = recipe(32, extra);
  const Generator& g = *spec.generator;
  std::int64_t i = 0;
  double points = 0;
  auto [iters, secs] = time_loop(
      [&] {
        const Sample s = g.make(i % 32, (i / 32) % g.instances_per_class());
        points += static_cast<double>(s.cloud.size());
        ++i;
      },
      default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "clouds";
  r.bytes = points * 12;
  r.seconds = secs;
  r.reference_rate = kOfficialCloudsPerSecond;
  r.reference = "official Python (38 ms per cloud)";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s; %.1f us per cloud; MB/s of xyz float32", what, secs / iters * 1e6);
  r.extra = buf;
  return r;
}

/// make_range over chunks of 50 instances, as the dataset writer calls it (FractalNoiseMix's shared
/// main cloud is made once per chunk).
Report clouds_range() {
  const DatasetSpec spec = recipe(32);
  const Generator& g = *spec.generator;
  std::int64_t chunk = 0;
  double clouds = 0;
  auto [iters, secs] = time_loop(
      [&] {
        const std::int64_t c = chunk % 32, b = (chunk / 32 * 50) % 1000;
        g.make_range(c, b, b + 50, [&](Sample&&) { clouds += 1; });
        ++chunk;
      },
      default_seconds());
  (void)iters;
  Report r;
  r.items = clouds;
  r.unit = "clouds";
  r.bytes = clouds * 10000 * 12;
  r.seconds = secs;
  r.reference_rate = kOfficialCloudsPerSecond;
  r.reference = "official Python (38 ms per cloud)";
  char buf[128];
  std::snprintf(buf, sizeof buf, "FractalNoiseMix via make_range (chunks of 50); %.1f us per cloud",
                secs / clouds * 1e6);
  r.extra = buf;
  return r;
}

Report search() {
  PcSearchOptions o;
  o.seed = 1;
  const auto start = std::chrono::steady_clock::now();
  const PcSearchResult found = search_pc_fractal(o, 300, 1);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Report r;
  r.items = static_cast<double>(found.systems.size());
  r.unit = "categories";
  r.seconds = secs;
  r.reference_rate = kOfficialCategoriesPerSecond;
  r.reference = "official Python (2 s per category)";
  char buf[128];
  std::snprintf(buf, sizeof buf, "%lld candidates (%.0f/s), acceptance %.2f%%; 1000 categories: %.1f s",
                static_cast<long long>(found.tried), found.tried / secs, 100.0 * r.items / found.tried,
                1000.0 / (r.items / secs));
  r.extra = buf;
  return r;
}

/// One officially normalized 10,000-point cloud from a searched category.
std::vector<float> one_cloud() {
  const PcSearchResult found = search_pc_fractal(PcSearchOptions{}, 1, 1);
  std::vector<float> xyz(30000);
  Orbit3 scratch;
  sample_normalized(found.systems[0], 10000, Rng(3), xyz.data(), scratch);
  return xyz;
}

Report fps() {
  const std::vector<float> xyz = one_cloud();
  auto [iters, secs] = time_loop([&] { farthest_point_sampling(xyz.data(), 10000, 1024); }, default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "clouds";
  r.seconds = secs;
  r.extra = "farthest point sampling 10,000 -> 1,024 points";
  return r;
}

Report normals() {
  const std::vector<float> xyz = one_cloud();
  std::vector<float> n(xyz.size());
  auto [iters, secs] = time_loop([&] { estimate_normals(xyz.data(), 10000, 16, n.data()); }, default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "clouds";
  r.seconds = secs;
  r.extra = "normals of 10,000 points from 16 nearest neighbours";
  return r;
}

Report to_ply(int threads, int classes) {
  const DatasetSpec spec = recipe(classes);
  GenerateOptions o;
  o.threads = threads;
  const GenerateSummary s = generate_scratch(spec, o, "pc");
  Report r = dataset_report(s, "clouds", threads);
  r.reference_rate = kOfficialCloudsPerSecond * threads;
  r.reference = "official Python (38 ms per cloud per core)";
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%lld binary PLY files of 10,000 points (%.0f bytes each); 1M clouds at this rate: %.1f min",
                static_cast<long long>(s.samples_written), s.bytes_written / std::max(1.0, r.items),
                1e6 / (r.items / r.seconds) / 60.0);
  r.extra = buf;
  return r;
}

FDSL_BENCH("pc/cloud10k_resample_make",
           [] { return clouds_make({"instance_mode=resample"}, "one 10,000-point orbit, official normalization"); });
FDSL_BENCH("pc/cloud10k_noise_mix_make",
           [] { return clouds_make({}, "FractalNoiseMix 8,000 + 2,000 points, both orbits per call"); });
FDSL_BENCH("pc/cloud10k_noise_mix_range", clouds_range);
FDSL_BENCH("pc/category_search_1thread", search);
FDSL_BENCH("pc/fps_10k_to_1024", fps);
FDSL_BENCH("pc/normals_10k_k16", normals);
FDSL_BENCH("e2e/pc_fractaldb1k_to_ply_1thread", [] { return to_ply(1, 4); });
FDSL_BENCH("e2e/pc_fractaldb1k_to_ply_2threads", [] { return to_ply(2, 8); });

}  // namespace
}  // namespace fdsl::bench
