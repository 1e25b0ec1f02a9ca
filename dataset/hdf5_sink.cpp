// The HDF5 sink: point clouds in the ModelNet40 layout, files of B clouds that PointNet-family
// loaders read. A file is one work item: its clouds are made in parallel, the file is assembled
// in memory and written atomically.
#include <algorithm>
#include <atomic>
#include <cstdio>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/rng.h"
#include "fdsl/core/stop.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/generators/generator.h"
#include "fdsl/io/files.h"
#include "fdsl/io/hdf5.h"
#include "sinks.h"

namespace fdsl::detail {

namespace {

/// The file order of the clouds: position j holds cloud order[j], a seeded permutation
/// (h5_shuffle: PointNet-style loaders read batches from one file at a time) or the identity.
std::vector<std::int64_t> hdf5_cloud_order(std::int64_t clouds, bool shuffle, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(clouds));
  for (std::int64_t k = 0; k < clouds; ++k) order[static_cast<std::size_t>(k)] = k;
  if (!shuffle) return order;
  // Fisher-Yates from the dataset's own stream (no sample uses this key).
  Rng rng(seed, ~std::uint64_t{0}, ~std::uint64_t{0}, Purpose::Layout);
  for (std::int64_t i = clouds - 1; i > 0; --i) {
    if ((i & 0xfffff) == 0) throw_if_stopped("the HDF5 cloud order");  // 2e8 clouds take seconds
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng.uniform_int(0, i))]);
  }
  return order;
}

/// Memory a file may take while it is assembled (clouds plus the HDF5 image).
constexpr double kMaxFileAssemblyBytes = 16e9;

class Hdf5Sink final : public Sink {
 public:
  Hdf5Sink(const DatasetSpec& spec, const OutputSettings&) : Sink(*spec.generator) {
    split_ = spec.params.get_string("split");
    list_prefix_ = spec.params.get_string("h5_list_prefix");
    clouds_ = gen_.num_classes() * gen_.instances_per_class();
    per_file_ = spec.params.get_int("h5_clouds_per_file");
    files_ = (clouds_ + per_file_ - 1) / per_file_;
    // The order of every cloud is held while the run lasts (8 bytes a cloud).
    char count[32];
    std::snprintf(count, sizeof count, "%.3g", static_cast<double>(clouds_));
    check_table_memory(spec.params, "instances", 8.0 * static_cast<double>(clouds_),
                       std::string("cloud_format: hdf5's file order of its ") + count + " clouds (8 bytes each)",
                       "use fewer classes or instances, or another cloud_format (ply, pcd, npy: a file a cloud, in tar "
                       "shards too)");
    order_ = hdf5_cloud_order(clouds_, spec.params.get_bool("h5_shuffle"),
                              static_cast<std::uint64_t>(spec.params.get_int("seed")));
  }

  std::string layout() const override { return "modelnet40_hdf5"; }
  std::string format() const override { return "hdf5"; }
  std::string count_key() const override { return "clouds"; }
  std::int64_t chunk() const override { return per_file_; }

  std::vector<WorkItem> items(const Selection&) const override {
    std::vector<WorkItem> out;
    for (std::int64_t k = 0; k < files_; ++k) out.push_back(file_item(k));
    return out;
  }

  void write(const std::vector<WorkItem>& files, SinkRun& run) const override {
    for (const WorkItem& item : files) {
      if (run.stop && run.stop->load()) {
        run.stopped = true;
        return;
      }
      std::vector<std::uint8_t> bytes;
      bool assembled = false;
      try {
        assembled = assemble(item.index, run, bytes);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Interrupted) throw;
      }
      if (!assembled) {
        run.stopped = true;
        return;
      }
      FileRecord f;
      f.path = file_name(item.index);
      f.samples = item.samples;
      f.bytes = static_cast<std::int64_t>(bytes.size());
      f.crc = crc32(bytes);
      write_file_atomic(run.dir / f.path, bytes);
      run.samples += f.samples;
      run.bytes += f.bytes;
      std::vector<FileRecord> records{std::move(f)};
      if (run.done) run.done(item, std::move(records));
    }
  }

  std::string item_name(const WorkItem& item) const override { return file_name(item.index); }

  std::vector<WorkItem> items_of(const std::vector<std::string>& paths,
                                 std::vector<std::string>& unknown) const override {
    std::vector<WorkItem> out;
    for (const std::string& p : paths) {
      std::int64_t found = -1;
      for (std::int64_t k = 0; k < files_ && found < 0; ++k)
        if (file_name(k) == p) found = k;
      if (found < 0)
        unknown.push_back(p);
      else
        out.push_back(file_item(found));
    }
    return out;
  }

  void describe(nlohmann::ordered_json& head, const std::map<std::string, ItemRecord>&) const override {
    head["clouds_per_file"] = per_file_;
    head["num_h5_files"] = files_;
    head["file_list"] = split_ + "_files.txt";
    head["shape_names"] = "shape_names.txt";
  }

  /// {split}_files.txt (ModelNet40's list of the .h5 files) and shape_names.txt (the class names).
  /// The list names each file as "<this folder's name>/ply_data_train0.h5", as ModelNet40's lists
  /// do ("data/modelnet40_ply_hdf5_2048/..."): PointNet's train.py opens the lines as they are,
  /// so it reads them from the dataset's parent folder (h5_list_prefix sets another prefix).
  void finish(const std::map<std::string, ItemRecord>&, const std::filesystem::path& dir, bool) const override {
    std::string prefix = list_prefix_;
    if (prefix.empty()) {
      std::filesystem::path abs = std::filesystem::absolute(dir).lexically_normal();
      if (abs.filename().empty()) abs = abs.parent_path();
      prefix = abs.filename().string() + "/";
    }
    std::string list, names;
    for (std::int64_t k = 0; k < files_; ++k) list += prefix + file_name(k) + "\n";
    char buf[32];
    for (std::int64_t c = 0; c < gen_.num_classes(); ++c) {
      std::snprintf(buf, sizeof buf, "%06lld\n", static_cast<long long>(c));
      names += buf;
    }
    write_file_atomic(dir / (split_ + "_files.txt"), list);
    write_file_atomic(dir / "shape_names.txt", names);
  }

  std::vector<std::string> layout_files() const override { return {split_ + "_files.txt", "shape_names.txt"}; }

 private:
  std::string file_name(std::int64_t k) const { return "ply_data_" + split_ + std::to_string(k) + ".h5"; }

  WorkItem file_item(std::int64_t k) const {
    WorkItem w;
    w.key = "h5 " + std::to_string(k);
    w.index = k;
    w.begin = k * per_file_;
    w.end = std::min(clouds_, w.begin + per_file_);
    w.samples = w.end - w.begin;
    return w;
  }

  /// Renders the clouds of file k (positions k * per_file ... of the order) in parallel and
  /// encodes the file into `bytes`. Returns false when a stop came before the file was complete.
  bool assemble(std::int64_t k, SinkRun& run, std::vector<std::uint8_t>& bytes) const {
    const std::int64_t instances = gen_.instances_per_class();
    const std::int64_t first = k * per_file_, count = std::min(per_file_, clouds_ - first);
    ModelNetBatch batch;
    batch.label.resize(static_cast<std::size_t>(count));
    batch.sample_index.resize(static_cast<std::size_t>(2 * count));
    std::atomic<std::int64_t> points{-1};
    std::atomic<bool> with_normals{false}, with_parts{false};
    std::atomic<bool> mismatch{false}, stopped{false};
    // The first cloud fixes N and whether normals are written; the rest follow in parallel.
    auto fill = [&](std::int64_t j, Sample&& s) {
      const std::size_t n = s.cloud.size();
      if (static_cast<std::int64_t>(n) != points.load() || s.cloud.normals.empty() == with_normals.load() ||
          s.cloud.part_ids.empty() == with_parts.load()) {
        mismatch = true;
        return;
      }
      const std::size_t at = static_cast<std::size_t>(j) * n * 3;
      std::copy(s.cloud.xyz.begin(), s.cloud.xyz.end(), batch.data.begin() + static_cast<std::ptrdiff_t>(at));
      if (!batch.normal.empty())
        std::copy(s.cloud.normals.begin(), s.cloud.normals.end(),
                  batch.normal.begin() + static_cast<std::ptrdiff_t>(at));
      if (!batch.pid.empty())
        for (std::size_t i = 0; i < n; ++i) {
          if (s.cloud.part_ids[i] > 255) {
            mismatch = true;
            return;
          }
          batch.pid[static_cast<std::size_t>(j) * n + i] = static_cast<std::uint8_t>(s.cloud.part_ids[i]);
        }
      batch.label[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(s.label);
      batch.sample_index[static_cast<std::size_t>(2 * j)] = static_cast<std::int32_t>(s.category);
      batch.sample_index[static_cast<std::size_t>(2 * j + 1)] = static_cast<std::int32_t>(s.instance);
      if (run.progress) run.progress->add(1);
    };
    auto make = [&](std::int64_t j) {
      const std::int64_t id = order_[static_cast<std::size_t>(first + j)];
      Sample out;
      make_range_checked(gen_, id / instances, id % instances, id % instances + 1,
                         [&](Sample&& s) { out = std::move(s); });
      note_sample(run, out);
      return out;
    };
    Sample head = make(0);
    // The file is assembled in memory (its clouds, then the HDF5 image): refuse what cannot fit.
    const double need = static_cast<double>(count) * static_cast<double>(head.cloud.size()) * 12.0 *
                        (head.cloud.normals.empty() ? 1.0 : 2.0) * 2.0;
    if (need > kMaxFileAssemblyBytes)
      throw_bad_input("h5_clouds_per_file " + std::to_string(per_file_) + " clouds of " +
                      std::to_string(head.cloud.size()) + " points need " + std::to_string(need / 1e9).substr(0, 5) +
                      " GB to assemble one file; lower h5_clouds_per_file");
    points = static_cast<std::int64_t>(head.cloud.size());
    with_normals = !head.cloud.normals.empty();
    with_parts = !head.cloud.part_ids.empty();
    batch.points = head.cloud.size();
    batch.data.resize(static_cast<std::size_t>(count) * batch.points * 3);
    if (with_normals) batch.normal.resize(batch.data.size());
    if (with_parts) batch.pid.resize(static_cast<std::size_t>(count) * batch.points);
    fill(0, std::move(head));
    parallel_for(1, count, run.threads, [&](std::int64_t j) {
      if (run.stop && run.stop->load()) {
        stopped = true;
        return;
      }
      fill(j, make(j));
    });
    if (mismatch)
      throw_bad_input(
          "cloud_format hdf5 needs clouds of one size (and normals in all or none); set fps_points "
          "or use ply, pcd or npy");
    if (stopped) return false;
    encode_modelnet_h5(batch, bytes);
    return true;
  }

  std::int64_t clouds_ = 0, per_file_ = 1, files_ = 0;
  std::vector<std::int64_t> order_;
  std::string split_ = "train";
  std::string list_prefix_;
};

}  // namespace

std::unique_ptr<Sink> make_hdf5_sink(const DatasetSpec& spec, const OutputSettings& settings) {
  return std::make_unique<Hdf5Sink>(spec, settings);
}

}  // namespace fdsl::detail
