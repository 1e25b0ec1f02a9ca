#include "fdsl/dataset/card.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "fdsl/core/error.h"
#include "fdsl/core/memory.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/guard.h"
#include "fdsl/dataset/preview.h"
#include "fdsl/dataset/stats.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "sinks.h"

namespace fdsl {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::vector<std::pair<std::int64_t, std::int64_t>> card_samples(const std::vector<std::int64_t>& classes,
                                                                std::int64_t instances, std::int64_t budget) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  const auto C = static_cast<std::int64_t>(classes.size());
  if (C == 0 || instances <= 0) return out;
  const std::int64_t k = std::min<std::int64_t>({C, 64, std::max<std::int64_t>(budget, 1)});
  const std::int64_t m = std::clamp<std::int64_t>(budget / k, 1, instances);
  for (std::int64_t a = 0; a < k; ++a) {
    const std::int64_t c = classes[static_cast<std::size_t>(a * C / k)];
    for (std::int64_t b = 0; b < m; ++b) out.emplace_back(c, b * instances / m);
  }
  return out;
}

namespace {

/// libjpeg's errors end in longjmp back to the encoder, never in exit().
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf back;
};

/// The card's pictures are JPEG (quality 92, libjpeg): no .png beside the samples, so nothing that
/// collects a dataset's PNGs (a glob, a count) takes them for samples. libjpeg rather than
/// OpenCV's imgcodecs, which would load ~140 shared libraries (GDAL, GDCM, ...) into every fdsl
/// process and Python import.
std::string encode_jpeg(const Image& rgb) {
  jpeg_compress_struct c{};
  JpegError err{};
  c.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = [](j_common_ptr info) { std::longjmp(reinterpret_cast<JpegError*>(info->err)->back, 1); };
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  if (setjmp(err.back)) {
    jpeg_destroy_compress(&c);
    std::free(buf);
    throw_runtime("dataset card: JPEG encoding failed");
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = static_cast<JDIMENSION>(rgb.width);
  c.image_height = static_cast<JDIMENSION>(rgb.height);
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 92, TRUE);
  jpeg_start_compress(&c, TRUE);
  const std::size_t stride = static_cast<std::size_t>(rgb.width) * 3;
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<std::uint8_t*>(rgb.pixels.data()) + c.next_scanline * stride;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::string out(reinterpret_cast<const char*>(buf), size);
  jpeg_destroy_compress(&c);
  std::free(buf);
  return out;
}

std::string count_text(std::int64_t n) {
  const std::string d = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0 && d[i - 1] != '-') out += ',';
    out += d[i];
  }
  return out;
}

std::string code(const std::string& s) { return "`" + s + "`"; }

/// Keys whose value differs from the declared default (the generator's and the dataset's), in
/// declaration order, as markdown table rows.
std::string changed_keys(const Params& p) {
  std::string rows;
  for (const std::string& name : p.order()) {
    if (name == "generator" || name == "name") continue;
    const ParamSpec& spec = p.spec(name);
    const std::string value = p.value_text(name);
    std::string def;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>)
            def = v ? "true" : "false";
          else if constexpr (std::is_same_v<T, std::string>)
            def = v;
          else if constexpr (std::is_same_v<T, double>) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g", v);
            def = buf;
          } else
            def = std::to_string(v);
        },
        spec.default_value);
    // Numbers compare as numbers (0.5 and 0.50 are one value).
    bool same = value == def;
    if (!same && (spec.type == ParamType::Float || spec.type == ParamType::Int)) {
      try {
        same = std::stod(value) == std::stod(def);
      } catch (const std::exception&) {
      }
    }
    if (same) continue;
    rows += "| " + code(name) + " | " + code(value.empty() ? "\"\"" : value) + " | " +
            code(def.empty() ? "\"\"" : def) + " |\n";
  }
  return rows;
}

/// "train-{000000..000011}.tar" for each run of shards of one prefix.
std::vector<std::string> shard_patterns(const std::map<std::string, ItemRecord>& done) {
  std::map<std::string, std::pair<std::string, std::string>> ranges;  // prefix -> (first, last) numbers
  for (const auto& [key, r] : done)
    for (const FileRecord& f : r.files) {
      if (f.path.size() < 12 || f.path.compare(f.path.size() - 4, 4, ".tar") != 0) continue;
      const std::size_t dash = f.path.rfind('-');
      if (dash == std::string::npos) continue;
      const std::string prefix = f.path.substr(0, dash), number = f.path.substr(dash + 1, f.path.size() - dash - 5);
      auto [it, fresh] = ranges.emplace(prefix, std::make_pair(number, number));
      if (!fresh) {
        it->second.first = std::min(it->second.first, number);
        it->second.second = std::max(it->second.second, number);
      }
    }
  std::vector<std::string> out;
  for (const auto& [prefix, r] : ranges)
    out.push_back(prefix + "-" + (r.first == r.second ? r.first : "{" + r.first + ".." + r.second + "}") + ".tar");
  return out;
}

/// The folder that holds the class folders (ImageFolder's root), from the first labelled file.
std::string class_root(const std::map<std::string, ItemRecord>& done) {
  for (const auto& [key, r] : done)
    for (const FileRecord& f : r.files)
      if (f.label >= 0) return fs::path(f.path).parent_path().parent_path().generic_string();
  return "";
}

std::string loading_section(const DatasetSpec& spec, const Sink& sink, const JournalState& journal) {
  const Generator& gen = *spec.generator;
  const std::string layout = sink.layout();
  std::string s = "## Loading it\n\n";
  if (layout == "webdataset") {
    const std::vector<std::string> shards = shard_patterns(journal.done);
    const std::string first = shards.empty() ? "train-{000000..000009}.tar" : shards.front();
    s += "WebDataset shards: each sample is `<key>.png` (or its cloud) with `<key>.cls` (the class) and, where "
         "the family has them, `<key>.json`. `_info.json` describes the splits for timm.\n\n";
    s += "```python\nimport webdataset as wds\nds = wds.WebDataset(\"" + first +
         "\", shardshuffle=True).shuffle(1000).decode(\"pil\").to_tuple(\"png\", \"cls\")\n```\n\n";
    s += "timm: `python train.py --data-dir THIS_FOLDER --dataset wds/ --train-split train --num-classes " +
         std::to_string(gen.num_classes()) + "`\n\n";
    if (shards.size() > 1) {
      s += "Shards:";
      for (const std::string& p : shards) s += " `" + p + "`";
      s += "\n\n";
    }
  } else if (layout == "modelnet40_hdf5") {
    s += "ModelNet40-style HDF5 files (`data` N x P x 3 float32, `label` N x 1; `shape_names.txt` names the "
         "classes; `train_files.txt` lists the files, as PointNet-style loaders read them):\n\n";
    s += "```python\nimport h5py, numpy as np\nfiles = [l.strip() for l in open(\"train_files.txt\")]\n"
         "with h5py.File(\"THIS_FOLDER/\" + files[0].split(\"/\")[-1]) as f:\n"
         "    points, labels = np.asarray(f[\"data\"]), np.asarray(f[\"label\"]).ravel()\n```\n\n";
  } else if (gen.makes_point_clouds()) {
    const std::string fmt = spec.params.has("cloud_format") ? spec.params.get_string("cloud_format") : "ply";
    s += "One folder per class of point clouds (" + code(fmt) + "):\n\n";
    if (fmt == "npy")
      s += "```python\nimport numpy as np, glob\nclouds = sorted(glob.glob(\"THIS_FOLDER/*/*.npy\"))\n"
           "points = np.load(clouds[0])  # (N, 3) float32\n```\n\n";
    else
      s += "```python\nimport open3d as o3d, glob\nclouds = sorted(glob.glob(\"THIS_FOLDER/*/*." +
           std::string(fmt.rfind("pcd", 0) == 0 ? "pcd" : "ply") +
           "\"))\npcd = o3d.io.read_point_cloud(clouds[0])\n```\n\n";
    s += "The class of a file is the folder that holds it; `classes.json` maps folder names to fdsl's labels.\n\n";
  } else {
    const std::string root = class_root(journal.done);
    const std::string where = root.empty() ? "THIS_FOLDER" : "THIS_FOLDER/" + root;
    s += "An ImageFolder tree: one folder per class. `classes.json` maps each class folder to fdsl's label (they "
         "agree with the sorted folder order unless only some classes were made).\n\n";
    s += "```python\nfrom torchvision.datasets import ImageFolder\nds = ImageFolder(\"" + where + "\")\n```\n\n";
    s += "timm: `python train.py --data-dir " + where + " --num-classes " + std::to_string(gen.num_classes()) +
         "` (an ImageFolder; with several splits, `--train-split train --val-split val`)\n\n";
  }
  s += "Or skip the files: `fdsl.Generator.from_config(\"THIS_FOLDER\")` (Python) renders the same samples in "
       "memory, and `fdsl.torch` wraps it as a PyTorch dataset.\n\n";
  return s;
}

/// What the masks are and how trainers read them.
std::string mask_section(const Generator& gen, const Sink& sink, const std::string& split) {
  const MaskInfo m = gen.masks();
  if (!m.on) return "";
  std::string s = "## Masks\n\nEvery image has a class mask (the " + m.objects +
                  "'s category id per pixel, 0 = background, " + std::to_string(m.semantic_bits) +
                  "-bit PNG) and an instance mask (the " + m.objects + "s numbered 1, 2, ... in drawing order, " +
                  std::to_string(m.instance_bits) +
                  "-bit PNG; a pixel belongs to the one drawn last over it). Category ids are 1-based: id 1 is `" +
                  (m.categories.empty() ? std::string("?") : m.categories.front()) + "`";
  if (m.categories.size() > 1)
    s += ", ..., id " + std::to_string(m.categories.size()) + " is `" + m.categories.back() + "`";
  s += ".\n\n";
  const std::vector<std::string> layout = sink.layout_files();
  const bool coco = std::any_of(layout.begin(), layout.end(), [](const std::string& f) {
    return f.find("annotations/instances_") != std::string::npos;
  });
  if (sink.layout() == "webdataset") {
    s += "In the shards they are the members `<key>.seg.png` and `<key>.inst.png`:\n\n```python\nimport "
         "webdataset as wds, numpy as np, io\nfrom PIL import Image\nds = wds.WebDataset(\"...\").to_tuple(\"png\", "
         "\"seg.png\", \"inst.png\")\n# masks: np.array(Image.open(io.BytesIO(seg)))\n```\n\n";
    if (coco)
      s += "`annotations/instances_" + split +
           ".json` beside the shards holds the objects in COCO format (compressed RLE, bbox, area), each image "
           "named by its member (`file_name`) and the shard that holds it (`shard`).\n\n";
    else
      s += "No COCO file was written (`coco: false`).\n\n";
    return s;
  }
  s += "The tree is `images/` (the class folders, as ImageFolder reads them), `masks/` and `instances/` (the "
       "same names)";
  if (coco)
    s += ", and `annotations/instances_" + split +
         ".json`: COCO instance annotations (compressed RLE, bbox, area) with file names relative to `images/`.\n\n"
         "```python\nfrom pycocotools.coco import COCO\ncoco = COCO(\"THIS_FOLDER/annotations/instances_" +
         split + ".json\")\nann = coco.loadAnns(coco.getAnnIds(imgIds=[1]))[0]\nmask = coco.annToMask(ann)\n```\n\n";
  else
    s += "; no COCO file was written (`coco: false`).\n\n";
  s += "mmsegmentation: `img_dir='images', ann_dir='masks'` (both `.png`, searched recursively)";
  s += coco ? "; detectron2: `register_coco_instances(name, {}, json_file, 'THIS_FOLDER/images')`.\n\n" : ".\n\n";
  return s;
}

std::string guard_section(const Generator& gen, const JournalState& journal) {
  const GuardSettings* g = guard_of(gen);
  if (!g) return "";
  std::int64_t redrawn = 0, failed = 0;
  for (const auto& [key, r] : journal.guarded) (r.failed.empty() ? redrawn : failed) += 1;
  std::string s = "## Guards\n\nSamples that failed a guard were drawn again from their next streams (up to " +
                  std::to_string(g->draws) + " draws):";
  char buf[160];
  if (g->min_ink > 0) std::snprintf(buf, sizeof buf, " `min_ink: %g`", g->min_ink), s += buf;
  if (g->max_ink < 1) std::snprintf(buf, sizeof buf, " `max_ink: %g`", g->max_ink), s += buf;
  if (g->min_flatness > 0) std::snprintf(buf, sizeof buf, " `min_flatness: %g`", g->min_flatness), s += buf;
  s += ". " + count_text(redrawn) + " samples are a later draw; " + count_text(failed) +
       " passed no draw and are kept as drawn first. `manifest.json` lists them all under `guards`.\n\n";
  return s;
}

}  // namespace

std::vector<std::pair<std::int64_t, std::int64_t>> card_selection(const Generator& gen, const Sink& sink,
                                                                  const std::map<std::string, ItemRecord>& done,
                                                                  std::int64_t* budget_out) {
  // Statistics of samples spread over the classes present, about 1,000 (fewer when samples are
  // large: at most about 256 MB of raw samples), rendered again in memory unless the run that
  // wrote them measured them (SampleStatsCache).
  const double each = std::max(1.0, gen.sample_memory().output_bytes);
  // A quarter of the samples present at most (at least 16), so the card costs a small share of the run.
  // The samples present: a folder unit's instances; shards and HDF5 files say how many.
  double present = 0;
  for (const auto& [key, r] : done) {
    std::int64_t c, b, e, in_files = 0;
    for (const FileRecord& f : r.files) in_files += f.samples;
    if (in_files > 0)
      present += static_cast<double>(in_files);
    else if (detail::parse_unit_key(key, c, b, e))
      present += static_cast<double>(e - b);
    else
      for (const FileRecord& f : r.files) present += f.label >= 0;
  }
  const auto budget =
      static_cast<std::int64_t>(std::clamp(std::min(256e6 / each, present / 4), std::min(16.0, present), 1024.0));
  if (budget_out) *budget_out = budget;
  return card_samples(sink.categories(done), gen.instances_per_class(), budget);
}

std::vector<std::string> write_dataset_card(const DatasetSpec& spec, const Sink& sink, const fs::path& dir,
                                            const ojson& head, const JournalState& journal,
                                            const SampleStatsCache* card_stats) {
  const Generator& gen = *spec.generator;
  const Params& p = spec.params;
  const std::vector<std::int64_t> classes = sink.categories(journal.done);
  const std::string name = p.get_string("name").empty() ? gen.family() : p.get_string("name");
  const OutputSettings out = OutputSettings::from_params(p);
  const bool complete = head.value("complete", false);

  std::int64_t budget = 0;
  const std::vector<std::pair<std::int64_t, std::int64_t>> which = card_selection(gen, sink, journal.done, &budget);
  std::map<std::string, std::size_t> index;
  const std::string cloud_ext = p.has("cloud_format") ? p.get_string("cloud_format") : "cloud";
  std::vector<std::string> written;
  std::string stats_block;
#ifdef __GLIBC__
  // The run's threads leave freed memory in their arenas; hand it back first, so the card's own
  // samples do not add to the run's peak.
  ::malloc_trim(0);
#endif
  // No pictures beside an ImageFolder tree of images: timm's folder reader takes every image
  // under the root (any folder, .jpg too) for a sample, so they would be mixed into the data.
  const bool pictures = sink.layout() != "imagefolder" ||
                        (gen.makes_point_clouds() && !gen.image_shape() && gen.family() != "vg_fractal");
  if (!pictures) {
    std::error_code ec;
    fs::remove(dir / "card-preview.jpg", ec);
    fs::remove(dir / "card-stats.jpg", ec);
  }
  if (!which.empty()) {
    StatsThresholds t;
    // Large samples one at a time: the card must not take more memory than the run did.
    const int threads = gen.sample_memory().bytes > 16e6 ? 1 : 0;
    ojson report = memory_stats(gen, which, out.png, cloud_ext, t, threads, {}, &index, card_stats);
    report["source"] = name;
    report["layout"] = "in memory";
    report["family"] = gen.family();
    report["unreadable"] = ojson::array();
    stats_block = stats_text(report);
    if (pictures) {
      const Image plot = stats_plot(report, [&](const std::string& file, int tile) {
        const auto it = index.find(file);
        if (it == index.end()) return Image();
        return sample_picture(gen.make(which[it->second].first, which[it->second].second), tile);
      });
      write_file_atomic(dir / "card-stats.jpg", encode_jpeg(plot), true);
      written.push_back("card-stats.jpg");

      // The preview: up to 8 classes spread over those present, 8 instances spread over each.
      SheetOptions o;
      const auto C = static_cast<std::int64_t>(classes.size()), I = gen.instances_per_class();
      // (at most `budget` tiles, so a small run's card stays small)
      const std::int64_t rows = std::min<std::int64_t>({C, 8, budget});
      const std::int64_t cols = std::clamp<std::int64_t>(budget / rows, 1, std::min<std::int64_t>(I, 8));
      for (std::int64_t a = 0; a < rows; ++a) o.categories.push_back(classes[static_cast<std::size_t>(a * C / rows)]);
      for (std::int64_t b = 0; b < cols; ++b) o.instances.push_back(b * I / cols);
      o.tile = 96;
      o.threads = threads;
      o.title = name + "  (" + gen.family() + ", seed " + std::to_string(p.get_int("seed")) + ")";
      write_file_atomic(dir / "card-preview.jpg", encode_jpeg(contact_sheet(gen, o)), true);
      written.push_back("card-preview.jpg");
    }
  }

  std::string md = "# " + name + "\n\n";
  std::string summary;
  for (const GeneratorInfo& g : generator_registry())
    if (g.name == gen.family()) summary = g.summary;
  md += "A formula-driven dataset made by fdsl " + std::string(kVersion) + ": " + code(gen.family()) +
        (summary.empty() ? "" : ", " + summary) +
        ". No camera took these samples; each is a pure function of (seed, class, instance), so the files can be "
        "made again byte for byte from `fdsl.yaml`. (THIS_FOLDER below stands for this folder's path.)\n\n";
  md += "| | |\n|---|---|\n";
  md += "| family | " + code(gen.family()) + (p.has("compat") ? " (compat: " + p.get_string("compat") + ")" : "") +
        " |\n";
  md += "| seed | " + std::to_string(p.get_int("seed")) + " |\n";
  md += "| classes | " + count_text(gen.num_classes()) +
        (static_cast<std::int64_t>(classes.size()) < gen.num_classes()
             ? " (this folder holds " + count_text(static_cast<std::int64_t>(classes.size())) + ")"
             : std::string()) +
        " |\n";
  md += "| instances per class | " + count_text(gen.instances_per_class()) + " |\n";
  md += "| samples | " + count_text(gen.num_classes() * gen.instances_per_class()) +
        (complete ? " (complete)" : " (not complete: a partial run; `fdsl generate --resume` finishes it)") + " |\n";
  md += "| layout | " + code(sink.layout()) + " (" + sink.format() + ") |\n";
  if (p.has("splits") && !p.get_string("splits").empty()) md += "| splits | " + p.get_string("splits") + " |\n";
  md += "| files | " + count_text(head.value("num_files", std::int64_t{0})) + ", " +
        format_bytes(static_cast<double>(head.value("total_bytes", std::int64_t{0}))) + " |\n";
  if (const auto shape = gen.image_shape())
    md += "| image | " + std::to_string(shape->width) + " x " + std::to_string(shape->height) + ", " +
          (shape->channels == 1 ? std::string("gray") : std::to_string(shape->channels) + " channels") + ", PNG (" +
          p.get_string("png_encoder") + " level " + std::to_string(p.get_int("png_level")) +
          (p.get_string("png_filter") == "none" ? std::string() : ", filter " + p.get_string("png_filter")) + ") |\n";
  if (gen.makes_point_clouds() && p.has("cloud_format"))
    md += "| clouds | " + code(p.get_string("cloud_format")) + " |\n";
  md += "| fdsl | " + std::string(kVersion) + " |\n\n";

  const std::string rows = changed_keys(p);
  md += "## Recipe\n\n";
  if (rows.empty())
    md += "Every key holds fdsl's default for the family.\n\n";
  else
    md +=
        "Keys set away from fdsl's defaults (the rest hold them; `fdsl.yaml` has every key, `fdsl list` what "
        "each means):\n\n| key | value | default |\n|---|---|---|\n" +
        rows + "\n";
  const ojson cat_stats = gen.stats();
  if (!cat_stats.empty()) md += "Category construction: `" + cat_stats.dump() + "`\n\n";

  if (!which.empty()) {
    if (pictures)
      md += "## Preview\n\n![preview: classes in rows, instances in columns](card-preview.jpg)\n\n";
    else
      md +=
          "## Preview\n\nNo pictures are kept beside an ImageFolder tree (timm's folder reader would take them "
          "for samples): `fdsl preview THIS_FOLDER/fdsl.yaml` draws a contact sheet and `fdsl stats THIS_FOLDER "
          "-o OUT` the plots.\n\n";
    md += "## Statistics\n\n" + count_text(static_cast<std::int64_t>(which.size())) + " " + gen.sample_noun() +
          " spread over the classes, rendered again in memory (the bytes of the files; the definitions are "
          "`fdsl stats`'s, and `fdsl stats THIS_FOLDER` measures every file):\n\n```text\n" +
          stats_block + "```\n\n" + (pictures ? "![statistics](card-stats.jpg)\n\n" : "");
  }
  md += guard_section(gen, journal);
  md += loading_section(spec, sink, journal);
  md += mask_section(gen, sink, spec.params.get_string("split"));
  md +=
      "## Checking and making it again\n\n```sh\n"
      "fdsl verify THIS_FOLDER                 # every file against manifest.json (size and CRC-32)\n"
      "fdsl verify THIS_FOLDER --regenerate    # make missing or damaged files again, byte for byte\n"
      "fdsl generate THIS_FOLDER/fdsl.yaml -o COPY   # the whole dataset again\n"
      "```\n\n"
      "`manifest.json` lists every file with its size and CRC-32, the resolved config and its fingerprint, "
      "and the categories' parameters.\n";
  write_file_atomic(dir / "README.md", md, true);
  written.push_back("README.md");
  return written;
}

}  // namespace fdsl
