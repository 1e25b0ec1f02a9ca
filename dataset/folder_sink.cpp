// The folder sink: every file of every sample under its own name (an ImageFolder of class
// folders, or the family's official tree), written atomically; work units are a class x a chunk
// of instances on a fixed grid, made in parallel.
#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/dataset/coco.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/io/files.h"
#include "file_writer.h"
#include "sinks.h"

namespace fdsl::detail {

namespace {

class FolderSink final : public Sink {
 public:
  FolderSink(const DatasetSpec& spec, const OutputSettings& settings, std::string prefix)
      : Sink(*spec.generator),
        settings_(settings),
        prefix_(std::move(prefix)),
        split_(prefix_.empty() ? spec.params.get_string("split") : prefix_.substr(0, prefix_.size() - 1)),
        masks_(spec.generator->masks()) {
    settings_.images_dir = masks_.images_dir;
    settings_.masks_dir = masks_.semantic_dir;
    settings_.instances_dir = masks_.instances_dir;
    coco_ = masks_.on && settings_.coco;  // coco: false without masks is refused by make_layout_sink
  }

  std::string layout() const override { return "imagefolder"; }
  std::string format() const override { return "folder"; }
  bool partial_runs() const override { return true; }
  std::int64_t chunk() const override { return std::max<std::int64_t>(1, gen_.preferred_chunk()); }
  // A file a sample, and its two masks.
  double manifest_entries() const override {
    return static_cast<double>(gen_.num_classes()) * static_cast<double>(gen_.instances_per_class()) *
           (masks_.on ? 3.0 : 1.0);
  }

  /// Classes x instance chunks on a fixed grid, so a resumed, partial or split run cuts the same
  /// units as a full one.
  /// A partial run's ranges are cut to this generator's counts (a val split holds fewer
  /// instances than the train range asked for).
  std::vector<WorkItem> items(const Selection& s) const override {
    const auto cut = [](std::pair<std::int64_t, std::int64_t> r, std::int64_t n) {
      return std::pair<std::int64_t, std::int64_t>{std::min(r.first, n), std::min(r.second, n)};
    };
    const auto classes =
        s.whole ? std::pair<std::int64_t, std::int64_t>{0, gen_.num_classes()} : cut(s.classes, gen_.num_classes());
    const auto instances = s.whole ? std::pair<std::int64_t, std::int64_t>{0, gen_.instances_per_class()}
                                   : cut(s.instances, gen_.instances_per_class());
    const std::int64_t step = chunk();
    std::vector<WorkItem> units;
    for (std::int64_t c = classes.first; c < classes.second; ++c)
      for (std::int64_t b = instances.first; b < instances.second;) {
        const std::int64_t e = std::min(instances.second, (b / step + 1) * step);
        units.push_back(unit(c, b, e));
        b = e;
      }
    return units;
  }

  /// Render threads make and encode the samples of a unit; writer threads create the files
  /// (file_writer.h), so a slow create does not stall rendering. A unit is recorded once all its
  /// files are in place.
  void write(const std::vector<WorkItem>& units, SinkRun& run) const override {
    std::atomic<bool> stopped{false};
    // One writer to begin with: on a local disk a create is CPU work in the kernel, and writers
    // in one folder contend for its lock (4 writers beside 2 render threads on 2 cores: 0.23 of
    // the render rate, 1 writer: 0.27-0.35). The pool grows, to twice the render threads, at
    // least 4, where a create waits on the filesystem (milliseconds on a network filesystem) or
    // the writers cannot keep up and the render threads wait (large files: clouds, pairs).
    FileWriterPool writers(1, static_cast<std::size_t>(queue_bytes(gen_, run.threads)), run.fsync_files,
                           std::max(4, 2 * effective_thread_count(run.threads)));
    try {
      parallel_for(0, static_cast<std::int64_t>(units.size()), run.threads, [&](std::int64_t k) {
        if ((run.stop && run.stop->load()) || writers.failed()) {
          stopped = true;
          return;
        }
        const WorkItem& u = units[static_cast<std::size_t>(k)];
        auto files = std::make_shared<std::vector<FileRecord>>();
        FileWriterPool::Unit out = writers.unit([&run, u, files] {
          if (run.done) run.done(u, std::move(*files));
        });
        thread_local std::vector<EncodedFile> encoded;
        make_range_checked(gen_, u.index, u.begin, u.end, [&](Sample&& s) {
          note_sample(run, s);
          encode_sample(s, settings_, encoded);
          note_encoded(run, s, encoded);
          std::int64_t sample_bytes = 0;
          for (EncodedFile& e : encoded) {
            FileRecord f;
            f.path = prefix_ + e.path;
            f.label = s.label;
            f.labels = s.labels;
            f.crc = crc32(e.bytes);
            f.bytes = static_cast<std::int64_t>(e.bytes.size());
            sample_bytes += f.bytes;
            // The record is complete before its file is queued: the unit's on_done may run as
            // soon as the last file is written.
            files->push_back(f);
            out.add(run.dir / f.path, std::move(e.bytes));
          }
          run.bytes += sample_bytes;
          ++run.samples;
          if (run.progress) run.progress->add(1, sample_bytes);
        });
        out.close();
      });
    } catch (...) {
      // A render or encode error: the files in flight still land (or fail) before it is told.
      try {
        writers.finish();
      } catch (...) {
      }
      throw;
    }
    writers.finish();
    if (stopped && !writers.failed()) run.stopped = true;
  }

  /// Every class's recorded instance ranges cover all its instances (units of partial runs
  /// count too: --instances 0:3 and 3:16 cover 16).
  bool complete(const std::map<std::string, ItemRecord>& done) const override {
    std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> ranges;
    for (const auto& [key, r] : done) {
      std::int64_t c, b, e;
      if (parse_unit_key(key, c, b, e)) ranges[c].push_back({b, e});
    }
    for (std::int64_t c = 0; c < gen_.num_classes(); ++c) {
      auto it = ranges.find(c);
      if (it == ranges.end()) return false;
      std::sort(it->second.begin(), it->second.end());
      std::int64_t reach = 0;
      for (auto [b, e] : it->second)
        if (b <= reach) reach = std::max(reach, e);
      if (reach < gen_.instances_per_class()) return false;
    }
    return true;
  }

  std::vector<std::int64_t> categories(const std::map<std::string, ItemRecord>& done) const override {
    std::set<std::int64_t> present;
    for (const auto& [key, r] : done) {
      std::int64_t c, b, e;
      if (parse_unit_key(key, c, b, e) && c >= 0 && c < gen_.num_classes()) present.insert(c);
    }
    return {present.begin(), present.end()};
  }

  std::string item_name(const WorkItem& u) const override {
    return "class " + std::to_string(u.index) + " instances " + std::to_string(u.begin) + ":" + std::to_string(u.end);
  }

  /// The family's own layout files (VoteNet class tables and split lists), beside the samples of
  /// this root.
  void finish(const std::map<std::string, ItemRecord>& done, const std::filesystem::path& dir,
              bool /*complete*/) const override {
    if (masks_.on) write_coco(done, dir);
    if (gen_.layout_file_names().empty()) return;
    std::vector<std::string> paths;
    for (const auto& [key, r] : done)
      for (const FileRecord& f : r.files)
        if (f.path.compare(0, prefix_.size(), prefix_) == 0) paths.push_back(f.path.substr(prefix_.size()));
    gen_.write_layout_files(prefix_.empty() ? dir : dir / prefix_, paths);
  }
  std::vector<std::string> layout_files() const override {
    std::vector<std::string> out;
    if (masks_.on) {
      if (coco_) out.push_back(prefix_ + coco_file());
      out.push_back(prefix_ + split_list());
    }
    for (const std::string& f : gen_.layout_file_names()) out.push_back(prefix_ + f);
    return out;
  }

  std::vector<WorkItem> items_of(const std::vector<std::string>& paths,
                                 std::vector<std::string>& unknown) const override {
    // A file's sample is found by its name: the sample's name followed by a suffix that starts
    // with '.' or '_' (x.png, x.camera.json, x.view003.png, x_sem_label.npy, views x_003.png).
    std::unordered_map<std::string, std::vector<std::string>> by_name;
    for (const std::string& full : paths) {
      if (full.compare(0, prefix_.size(), prefix_) != 0) continue;  // another split's file
      // With masks, images/, masks/ or instances/ stands before the sample's name.
      const std::string p = masks_.on ? strip_mask_tree(full.substr(prefix_.size())) : full.substr(prefix_.size());
      const std::size_t slash = p.rfind('/');
      for (std::size_t at = slash == std::string::npos ? 0 : slash + 1; at < p.size(); ++at)
        if (p[at] == '.' || p[at] == '_') by_name[p.substr(0, at)].push_back(full);
    }
    std::vector<WorkItem> out;
    std::unordered_set<std::string> found;
    for (std::int64_t c = 0; c < gen_.num_classes() && found.size() < paths.size(); ++c)
      for (std::int64_t i = 0; i < gen_.instances_per_class(); ++i) {
        const auto it = by_name.find(gen_.sample_name(c, i));
        if (it == by_name.end()) continue;
        out.push_back(unit(c, i, i + 1));
        for (const std::string& p : it->second) found.insert(p);
      }
    for (const std::string& p : paths)
      if (!found.count(p)) unknown.push_back(p);
    return out;
  }

 private:
  static WorkItem unit(std::int64_t c, std::int64_t b, std::int64_t e) {
    WorkItem w;
    w.key = unit_key(c, b, e);
    w.index = c;
    w.begin = b;
    w.end = e;
    w.samples = e - b;
    return w;
  }

  std::string coco_file() const { return "annotations/instances_" + split_ + ".json"; }
  /// mmsegmentation's split list: one image name a line, relative to the images tree, without
  /// the .png (CustomDataset(split=...)).
  std::string split_list() const { return "splits/" + split_ + ".txt"; }

  /// annotations/instances_{split}.json beside the images/ masks/ instances/ trees (unless coco
  /// is off): every finished sample's objects, read back from its masks, images in name order;
  /// and the split list.
  void write_coco(const std::map<std::string, ItemRecord>& done, const std::filesystem::path& dir) const {
    const std::string inst = prefix_ + masks_.instances_dir;
    std::vector<CocoImage> images;
    for (const auto& [key, r] : done)
      for (const FileRecord& f : r.files)
        if (f.path.compare(0, inst.size(), inst) == 0) {
          const std::string rest = f.path.substr(inst.size());
          images.push_back({rest, dir / (prefix_ + masks_.semantic_dir + rest), dir / f.path});
        }
    std::sort(images.begin(), images.end(),
              [](const CocoImage& a, const CocoImage& b) { return a.file_name < b.file_name; });
    if (coco_) write_coco_instances(dir / (prefix_ + coco_file()), masks_, images, 0);
    std::string list;
    for (const CocoImage& im : images) list += im.file_name.substr(0, im.file_name.size() - 4) + "\n";
    write_file_atomic(dir / (prefix_ + split_list()), list);
  }

  OutputSettings settings_;
  std::string prefix_;  ///< "val/" in a dataset of several splits, else ""
  std::string split_;   ///< the split's name, for the COCO file
  MaskInfo masks_;
  bool coco_ = false;  ///< masks and the COCO file
};

}  // namespace

std::unique_ptr<Sink> make_folder_sink(const DatasetSpec& spec, const OutputSettings& settings,
                                       const std::string& prefix) {
  return std::make_unique<FolderSink>(spec, settings, prefix);
}

}  // namespace fdsl::detail
