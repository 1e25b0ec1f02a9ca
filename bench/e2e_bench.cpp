// End to end: the FractalDB-1k recipe written as PNG files or as WebDataset tar shards (class
// order or shuffled), and PNG encoding of real renders.
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "fdsl/core/parallel.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/sink.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "harness.h"

namespace fdsl::bench {
namespace {

namespace fs = std::filesystem;

// The official script on this VM, per image written (bench/peers.py, 2026-12-06).
constexpr double kOfficialFractalDBImagesPerSecond = 0.935;

DatasetSpec fractaldb_1k_spec(const std::vector<std::string>& overrides = {}) {
  return load_recipe("fractaldb-1k.yaml", overrides);
}

/// The same samples as an end-to-end run of `classes` classes rendered in memory only, the way
/// the pipeline renders them (make_range over chunks of the generator's preferred size, in
/// parallel on `threads`), images dropped: the rate the writing is measured against.
double in_memory_rate(const DatasetSpec& spec, int threads, int classes) {
  const Generator& gen = *spec.generator;
  const std::int64_t chunk = std::max<std::int64_t>(1, gen.preferred_chunk());
  const std::int64_t per_class = (gen.instances_per_class() + chunk - 1) / chunk;
  std::atomic<std::int64_t> done{0};
  const auto start = std::chrono::steady_clock::now();
  parallel_for(0, classes * per_class, threads, [&](std::int64_t k) {
    const std::int64_t c = k / per_class, b = (k % per_class) * chunk;
    const std::int64_t e = std::min(gen.instances_per_class(), b + chunk);
    gen.make_range(c, b, e, [&](Sample&&) { done.fetch_add(1, std::memory_order_relaxed); });
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(done.load()) / secs;
}

/// The floor of one render thread that also encodes: the same samples rendered and encoded
/// (note_sample and encode_sample, as the sinks do) one after another, no files.
double render_encode_rate(const DatasetSpec& spec, int classes) {
  const Generator& gen = *spec.generator;
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  const std::int64_t chunk = std::max<std::int64_t>(1, gen.preferred_chunk());
  std::vector<EncodedFile> files;
  std::int64_t done = 0;
  SinkRun run(gen, settings, {});
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t c = 0; c < classes; ++c)
    for (std::int64_t b = 0; b < gen.instances_per_class(); b += chunk)
      gen.make_range(c, b, std::min(gen.instances_per_class(), b + chunk), [&](Sample&& s) {
        note_sample(run, s);
        encode_sample(s, settings, files);
        ++done;
      });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(done) / secs;
}

/// `classes` of the recipe; tar output (with shard_samples 1000, about 10 MB shards) when
/// `overrides` say so. Tar output writes the first `classes` x 1000 samples of the order as whole
/// shards: the dataset is cut to `classes` classes by config.
Report end_to_end(int threads, int classes, const std::vector<std::string>& overrides = {}) {
  std::vector<std::string> o_all = overrides;
  const bool tar = std::find(overrides.begin(), overrides.end(), "output_format=tar") != overrides.end();
  if (tar) o_all.push_back("classes=" + std::to_string(classes));
  const DatasetSpec spec = fractaldb_1k_spec(o_all);
  GenerateOptions o;
  o.threads = threads;
  if (!tar) o.classes = std::pair<std::int64_t, std::int64_t>{0, classes};
  const GenerateSummary s = generate_scratch(spec, o, "e2e");
  Report r = dataset_report(s, "images", threads);
  r.reference_rate = kOfficialFractalDBImagesPerSecond * threads;
  r.reference = "official FractalDB script (0.93 images/s/core, bench/peers.py)";
  const double render = in_memory_rate(spec, threads, classes);
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%lld images of 362x362%s, mean %.0f bytes per sample, %s; %.2f of the in-memory render "
                "(%.0f/s, same samples, this run); 1M images at this rate: %.1f min",
                static_cast<long long>(s.samples_written),
                tar ? (" in " + std::to_string(s.shards_written) + " shards").c_str() : "",
                s.bytes_written / std::max(1.0, r.items), spec.params.get_string("png_encoder").c_str(),
                (r.items / r.seconds) / render, render, 1e6 / (r.items / r.seconds) / 60.0);
  r.extra = buf;
  if (threads == 1) {
    const double serial = render_encode_rate(spec, classes);
    std::snprintf(buf, sizeof buf, "; rendered and encoded one after another, no files: %.0f/s (%.2f)", serial,
                  serial / render);
    r.extra += buf;
  }
  return r;
}

Report encode_only(PngEncoder encoder, int level) {
  const DatasetSpec spec = fractaldb_1k_spec();
  std::vector<Image> images;
  spec.generator->make_range(0, 0, 40, [&](Sample&& s) { images.push_back(std::move(s.image)); });
  std::vector<std::uint8_t> out;
  PngOptions png;
  png.encoder = encoder;
  png.level = level;
  std::size_t i = 0;
  double bytes = 0;
  auto [iters, secs] = time_loop(
      [&] {
        encode_png(images[i++ % images.size()], png, out);
        bytes += static_cast<double>(out.size());
      },
      default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "images";
  r.bytes = static_cast<double>(iters) * 362.0 * 362.0;
  r.seconds = secs;
  char buf[96];
  std::snprintf(buf, sizeof buf, "MB/s of raw pixels; mean PNG %.0f bytes", bytes / iters);
  r.extra = buf;
  return r;
}

FDSL_BENCH("encode/png_fractaldb1k_362px", [] { return encode_only(PngEncoder::Libdeflate, 2); });
FDSL_BENCH("encode/png_isal1_fractaldb1k_362px", [] { return encode_only(PngEncoder::Isal, 1); });
// The cases without an encoder in their name use libdeflate level 2, fdsl's default encoder (the
// recipe's config names runs since 0.4.0: the *_runs_* cases).
const std::vector<std::string> kLibdeflate = {"png_encoder=libdeflate"};
FDSL_BENCH("e2e/fractaldb1k_to_png_1thread", [] { return end_to_end(1, 4, kLibdeflate); });
FDSL_BENCH("e2e/fractaldb1k_to_png_2threads", [] { return end_to_end(2, 8, kLibdeflate); });
const std::vector<std::string> kTar = {"png_encoder=libdeflate", "output_format=tar", "shard_samples=1000"};
const std::vector<std::string> kShuffledTar = {"png_encoder=libdeflate", "output_format=tar", "shard_samples=1000",
                                               "shuffle=true"};
FDSL_BENCH("e2e/fractaldb1k_to_tar_1thread", [] { return end_to_end(1, 4, kTar); });
FDSL_BENCH("e2e/fractaldb1k_to_tar_2threads", [] { return end_to_end(2, 8, kTar); });
FDSL_BENCH("e2e/fractaldb1k_to_shuffled_tar_2threads", [] { return end_to_end(2, 8, kShuffledTar); });

/// Files that cost 2 ms each to create (a network filesystem's create), written from one render
/// thread: with the files written off the render path the rate stays near the local-disk rate;
/// written inline it could not pass 500 images/s.
Report slow_create(const std::vector<std::string>& overrides) {
  set_file_create_delay_for_bench(2000);
  Report r = end_to_end(1, 4, overrides);
  set_file_create_delay_for_bench(0);
  r.extra += "; every file create delayed by 2 ms (inline writing: at most 500 files/s)";
  return r;
}
FDSL_BENCH("e2e/fractaldb1k_to_png_slow_create_1thread", [] { return slow_create(kLibdeflate); });

const std::vector<std::string> kIsal = {"png_encoder=isal", "png_level=1"};
const std::vector<std::string> kIsalTar = {"png_encoder=isal", "png_level=1", "output_format=tar",
                                           "shard_samples=1000"};
FDSL_BENCH("e2e/fractaldb1k_to_png_isal_1thread", [] { return end_to_end(1, 4, kIsal); });
FDSL_BENCH("e2e/fractaldb1k_to_tar_isal_1thread", [] { return end_to_end(1, 4, kIsalTar); });
FDSL_BENCH("e2e/fractaldb1k_to_png_isal_2threads", [] { return end_to_end(2, 8, kIsal); });
FDSL_BENCH("e2e/fractaldb1k_to_tar_isal_2threads", [] { return end_to_end(2, 8, kIsalTar); });

FDSL_BENCH("encode/png_runs1_fractaldb1k_362px", [] { return encode_only(PngEncoder::Runs, 1); });
const std::vector<std::string> kRuns = {"png_encoder=runs", "png_level=1"};
const std::vector<std::string> kRunsTar = {"png_encoder=runs", "png_level=1", "output_format=tar",
                                           "shard_samples=1000"};
FDSL_BENCH("e2e/fractaldb1k_to_png_runs_1thread", [] { return end_to_end(1, 4, kRuns); });
FDSL_BENCH("e2e/fractaldb1k_to_tar_runs_1thread", [] { return end_to_end(1, 4, kRunsTar); });
FDSL_BENCH("e2e/fractaldb1k_to_png_runs_2threads", [] { return end_to_end(2, 8, kRuns); });
FDSL_BENCH("e2e/fractaldb1k_to_tar_runs_2threads", [] { return end_to_end(2, 8, kRunsTar); });
}  // namespace
}  // namespace fdsl::bench
