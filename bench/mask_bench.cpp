// Dense labels (issue 19): what masks cost on top of the image alone (goal: at most 30%, a ratio
// of at least 0.77 to the same config without masks, in the same run), COCO RLE encoding (goal:
// 20,000 object masks/s per core), and a folder dataset with masks and its COCO file end to end.
#include <cstdio>

#include "fdsl/dataset/coco.h"
#include "harness.h"

namespace fdsl::bench {
namespace {

/// SegRCDB_render.py, make_SegRCDB.sh's settings (512 px, 32 stacks, M1), one process on the
/// 2-core Intel Xeon VM, 2026-12-05: 40 images in 8.93 s, PNG writes included (Python 3.11,
/// noise 1.2.2, Pillow 9.4).
constexpr double kOfficialSegRcdbSeconds = 8.93 / 40;

const char* kObjects =
    "generator: ifs_sigma\nclasses: 100\ninstances: 1000\nsize: 224\nobjects_min: 2\nobjects_max: 5\n";
const char* kLeaves = "generator: dead_leaves\ninstances: 100000\nsize: 256\n";

/// make() samples per second of `yaml`.
double make_rate(const std::string& yaml) {
  const DatasetSpec spec = spec_from_text(yaml);
  const Generator& g = *spec.generator;
  std::int64_t i = 0;
  auto [iters, secs] = time_loop(
      [&] {
        const Sample s = g.make(i % g.num_classes(), (i / g.num_classes()) % g.instances_per_class());
        ++i;
      },
      default_seconds());
  return static_cast<double>(iters) / secs;
}

Report with_masks(const std::string& yaml) {
  const double without = make_rate(yaml);
  const DatasetSpec spec = spec_from_text(yaml + "masks: true\n");
  const Generator& g = *spec.generator;
  std::int64_t i = 0;
  auto [iters, secs] = time_loop(
      [&] {
        const Sample s = g.make(i % g.num_classes(), (i / g.num_classes()) % g.instances_per_class());
        ++i;
      },
      default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "images";
  r.seconds = secs;
  r.reference_rate = without;
  r.reference = "the same config without masks in this run (goal: ratio >= 0.77, masks at most 30% more)";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.3f ms per image with masks, %.3f ms without", secs / r.items * 1e3, 1e3 / without);
  r.extra = buf;
  return r;
}

Report coco_rle(const std::string& yaml) {
  const DatasetSpec spec = spec_from_text(yaml + "masks: true\n");
  const Generator& g = *spec.generator;
  std::vector<Sample> samples;
  for (std::int64_t k = 0; k < 64; ++k) samples.push_back(g.make(k % g.num_classes(), k / g.num_classes()));
  std::int64_t i = 0;
  double objects = 0, text_bytes = 0;
  auto [iters, secs] = time_loop(
      [&] {
        const Sample& s = samples[static_cast<std::size_t>(i++ % 64)];
        for (const CocoObject& o : coco_objects(s.instances, s.semantic, "bench")) {
          objects += 1;
          text_bytes += static_cast<double>(coco_rle_string(o.counts).size());
        }
      },
      default_seconds());
  Report r;
  r.items = objects;
  r.unit = "object masks";
  r.seconds = secs;
  r.reference_rate = 20000;
  r.reference = "issue 19's goal, 20,000 masks/s per core";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.1f objects per image, %.0f RLE bytes each, %.3f ms per image (runs, bbox, text)",
                objects / static_cast<double>(iters), text_bytes / std::max(1.0, objects),
                secs / static_cast<double>(iters) * 1e3);
  r.extra = buf;
  return r;
}

Report folder_with_masks(const std::string& yaml, std::int64_t images) {
  GenerateOptions o;
  o.threads = 1;
  o.instances = std::pair<std::int64_t, std::int64_t>{0, images};
  o.classes = std::pair<std::int64_t, std::int64_t>{0, 1};
  const GenerateSummary plain = generate_scratch(spec_from_text(yaml), o, "masks-off");
  const GenerateSummary s = generate_scratch(spec_from_text(yaml + "masks: true\n"), o, "masks-on");
  Report r = dataset_report(s, "images", 1);
  r.reference_rate = static_cast<double>(plain.samples_written) / plain.seconds;
  r.reference = "the same folder dataset without masks in this run";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%.0f bytes per sample with masks (image + 2 masks), %.0f without",
                s.bytes_written / std::max(1.0, static_cast<double>(s.samples_written)),
                plain.bytes_written / std::max(1.0, static_cast<double>(plain.samples_written)));
  r.extra = buf;
  return r;
}

/// segrcdb compat: official at the published settings (512 px, 32 stacks, M1), one worker's images
/// in order, in memory, against the official SegRCDB_render.py measured on this machine.
Report segrcdb_official(const char* mode, double official_seconds) {
  const DatasetSpec spec = spec_from_text(std::string("generator: segrcdb\ncompat: official\ninstances: 400\nworkers: "
                                                      "1\nmode: ") +
                                          mode + "\n");
  const Generator& g = *spec.generator;
  std::int64_t next = 0;
  auto [iters, secs] = time_loop(
      [&] {
        g.make_range(0, next % 400, next % 400 + 8, [](Sample&&) {});
        next += 8;
      },
      default_seconds());
  Report r;
  r.items = 8.0 * static_cast<double>(iters);
  r.unit = "images";
  r.seconds = secs;
  r.reference_rate = 1.0 / official_seconds;
  r.reference = "SegRCDB_render.py on this machine, one process (goal: 100x)";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.2f ms per image and its masks in memory; official %.0f ms", secs / r.items * 1e3,
                official_seconds * 1e3);
  r.extra = buf;
  return r;
}

/// The same end to end: `fdsl generate` of 200 images to a folder (image/, mask/, instance/ PNGs,
/// param/ files, the COCO file), one thread, against the in-memory rate of this run.
Report segrcdb_to_folder(const std::string& format) {
  const std::string yaml =
      "generator: segrcdb\ncompat: official\ninstances: 400\nworkers: 1\ncard: false\noutput_format: " + format + "\n";
  const Report mem = segrcdb_official("M1", kOfficialSegRcdbSeconds);
  GenerateOptions o;
  o.threads = 1;
  o.instances = std::pair<std::int64_t, std::int64_t>{0, 200};
  if (format == "tar") o.instances.reset();
  const GenerateSummary s = generate_scratch(spec_from_text(yaml), o, "segrcdb");
  Report r = dataset_report(s, "images", 1);
  r.reference_rate = mem.items / mem.seconds;
  r.reference = "the in-memory render of the same recipe in this run";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%.1fx the official script end to end; %.0f bytes per sample (image + masks)",
                r.items / r.seconds * kOfficialSegRcdbSeconds,
                s.bytes_written / std::max(1.0, static_cast<double>(s.samples_written)));
  r.extra = buf;
  return r;
}

}  // namespace

FDSL_BENCH("e2e/segrcdb_official_M1_512px_folder_1thread", [] { return segrcdb_to_folder("folder"); });
FDSL_BENCH("e2e/segrcdb_official_M1_512px_tar_1thread", [] { return segrcdb_to_folder("tar"); });
FDSL_BENCH("render/segrcdb_official_M1_512px", [] { return segrcdb_official("M1", kOfficialSegRcdbSeconds); });
FDSL_BENCH("masks/ifs_sigma_objects_224px_make", [] { return with_masks(kObjects); });
FDSL_BENCH("masks/dead_leaves_256px_make", [] { return with_masks(kLeaves); });
FDSL_BENCH("masks/coco_rle_ifs_sigma_objects_224px", [] { return coco_rle(kObjects); });
FDSL_BENCH("masks/coco_rle_dead_leaves_256px", [] { return coco_rle(kLeaves); });
FDSL_BENCH("e2e/dead_leaves_256px_folder_with_masks_and_coco_1thread", [] { return folder_with_masks(kLeaves, 300); });

}  // namespace fdsl::bench
