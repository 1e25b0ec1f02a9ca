#include "fdsl/dataset/hdf5_dataset.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <unistd.h>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/rng.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/io/files.h"
#include "fdsl/io/hdf5.h"
#include "split_run.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

/// Memory a file may take while it is assembled (clouds plus the HDF5 image).
constexpr double kMaxFileAssemblyBytes = 16e9;

std::string file_name(std::int64_t k) { return "ply_data_train" + std::to_string(k) + ".h5"; }

struct FileRecord {
  std::string path;
  std::int64_t clouds = 0, bytes = 0;
  std::string crc32;
};

/// The finished files of the journal (records with "h5_file"); a torn last line is ignored.
std::map<std::int64_t, FileRecord> read_journal(const fs::path& path) {
  std::map<std::int64_t, FileRecord> done;
  if (!fs::exists(path)) return done;
  const std::string text = read_text_file(path);
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;
    try {
      const auto j = nlohmann::json::parse(text.substr(start, end - start));
      if (j.contains("h5_file"))
        done[j["h5_file"].get<std::int64_t>()] = {j["path"].get<std::string>(), j["clouds"].get<std::int64_t>(),
                                                   j["bytes"].get<std::int64_t>(), j["crc32"].get<std::string>()};
    } catch (const nlohmann::json::exception&) {
    }
    start = end + 1;
  }
  return done;
}

/// Appends one line with a single write(), after the file it names is in place.
void append_journal(const fs::path& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw_runtime(path.string() + ": cannot open the journal: " + std::strerror(errno));
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw_runtime(path.string() + ": cannot append to the journal: " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

/// The finished files of every part's journal (.fdsl-journal*.jsonl) in `dir`.
std::map<std::int64_t, FileRecord> read_all_journals(const fs::path& dir) {
  std::map<std::int64_t, FileRecord> done;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(".fdsl-journal", 0) == 0 && e.path().extension() == ".jsonl") done.merge(read_journal(e.path()));
  }
  return done;
}

void write_manifest(const DatasetSpec& spec, const fs::path& out, const std::map<std::int64_t, FileRecord>& done,
                    std::int64_t files, std::int64_t per_file, bool complete) {
  const Generator& gen = *spec.generator;
  std::int64_t total = 0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& [k, f] : done) {
    total += f.bytes;
    list.push_back({{"path", f.path}, {"clouds", f.clouds}, {"bytes", f.bytes}, {"crc32", f.crc32}});
  }
  nlohmann::ordered_json head;
  head["format"] = "fdsl-dataset";
  head["fdsl_version"] = kVersion;
  head["name"] = spec.params.get_string("name");
  head["generator"] = gen.family();
  head["layout"] = "modelnet40_hdf5";
  head["num_classes"] = gen.num_classes();
  head["instances_per_class"] = gen.instances_per_class();
  head["clouds_per_file"] = per_file;
  head["num_h5_files"] = files;
  head["file_list"] = "train_files.txt";
  head["shape_names"] = "shape_names.txt";
  head["complete"] = complete;
  head["num_files"] = done.size();
  head["total_bytes"] = total;
  head["config"] = spec.resolved_config();
  head["category_stats"] = gen.stats();
  nlohmann::ordered_json cats = nlohmann::ordered_json::array();
  for (std::int64_t c = 0; c < gen.num_classes(); ++c) cats.push_back(gen.category_json(c));
  head["categories"] = std::move(cats);
  head["files"] = std::move(list);
  write_file_atomic(out / "manifest.json", head.dump(1) + "\n", true);
}

/// train_files.txt, shape_names.txt and the manifest, from the files done.
void finish_dataset(const DatasetSpec& spec, const fs::path& out, const std::map<std::int64_t, FileRecord>& done,
                    std::int64_t files, std::int64_t per_file) {
  const Generator& gen = *spec.generator;
  std::string list, names;
  for (std::int64_t k = 0; k < files; ++k) list += file_name(k) + "\n";
  char buf[32];
  for (std::int64_t c = 0; c < gen.num_classes(); ++c) {
    std::snprintf(buf, sizeof buf, "%06lld\n", static_cast<long long>(c));
    names += buf;
  }
  gen.save_categories(out);
  write_file_atomic(out / "train_files.txt", list);
  write_file_atomic(out / "shape_names.txt", names);
  write_manifest(spec, out, done, files, per_file, static_cast<std::int64_t>(done.size()) == files);
}

struct Geometry {
  std::int64_t clouds = 0, per_file = 0, files = 0;
};

Geometry geometry(const DatasetSpec& spec) {
  Geometry g;
  g.clouds = spec.generator->num_classes() * spec.generator->instances_per_class();
  g.per_file = spec.params.get_int("h5_clouds_per_file");
  g.files = (g.clouds + g.per_file - 1) / g.per_file;
  return g;
}

/// Renders the clouds of file k (positions k * per_file ... of `order`) in parallel and encodes the
/// file into `bytes`. `on_cloud` is called once per cloud rendered. Returns false when `stop` was
/// raised before the file was complete (nothing is encoded then).
bool assemble_file(const DatasetSpec& spec, const std::vector<std::int64_t>& order, std::int64_t k, int threads,
                   const std::atomic<bool>* stop, const std::function<void()>& on_cloud,
                   std::vector<std::uint8_t>& bytes) {
  const Generator& gen = *spec.generator;
  const std::int64_t instances = gen.instances_per_class();
  const Geometry g = geometry(spec);
  const std::int64_t per_file = g.per_file, first = k * per_file, count = std::min(per_file, g.clouds - first);
  ModelNetBatch batch;
  batch.label.resize(static_cast<std::size_t>(count));
  batch.sample_index.resize(static_cast<std::size_t>(2 * count));
  std::atomic<std::int64_t> points{-1};
  std::atomic<bool> with_normals{false};
  std::atomic<bool> mismatch{false}, stopped{false};
  // The first cloud fixes N and whether normals are written; the rest follow in parallel.
  auto fill = [&](std::int64_t j, Sample&& s) {
    const std::size_t n = s.cloud.size();
    if (static_cast<std::int64_t>(n) != points.load() || s.cloud.normals.empty() == with_normals.load()) {
      mismatch = true;
      return;
    }
    const std::size_t at = static_cast<std::size_t>(j) * n * 3;
    std::copy(s.cloud.xyz.begin(), s.cloud.xyz.end(), batch.data.begin() + static_cast<std::ptrdiff_t>(at));
    if (!batch.normal.empty())
      std::copy(s.cloud.normals.begin(), s.cloud.normals.end(), batch.normal.begin() + static_cast<std::ptrdiff_t>(at));
    batch.label[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(s.label);
    batch.sample_index[static_cast<std::size_t>(2 * j)] = static_cast<std::int32_t>(s.category);
    batch.sample_index[static_cast<std::size_t>(2 * j + 1)] = static_cast<std::int32_t>(s.instance);
    if (on_cloud) on_cloud();
  };
  auto make = [&](std::int64_t j) {
    const std::int64_t id = order[static_cast<std::size_t>(first + j)];
    return gen.make(id / instances, id % instances);
  };
  Sample head = make(0);
  // The file is assembled in memory (its clouds, then the HDF5 image): refuse what cannot fit.
  const double need = static_cast<double>(count) * static_cast<double>(head.cloud.size()) * 12.0 *
                      (head.cloud.normals.empty() ? 1.0 : 2.0) * 2.0;
  if (need > kMaxFileAssemblyBytes)
    throw_bad_input("h5_clouds_per_file " + std::to_string(per_file) + " clouds of " +
                    std::to_string(head.cloud.size()) + " points need " + std::to_string(need / 1e9).substr(0, 5) +
                    " GB to assemble one file; lower h5_clouds_per_file");
  points = static_cast<std::int64_t>(head.cloud.size());
  with_normals = !head.cloud.normals.empty();
  batch.points = head.cloud.size();
  batch.data.resize(static_cast<std::size_t>(count) * batch.points * 3);
  if (with_normals) batch.normal.resize(batch.data.size());
  fill(0, std::move(head));
  parallel_for(1, count, threads, [&](std::int64_t j) {
    if (stop && stop->load()) {
      stopped = true;
      return;
    }
    fill(j, make(j));
  });
  if (mismatch)
    throw_bad_input("cloud_format hdf5 needs clouds of one size (and normals in all or none); set fps_points "
                    "or use ply, pcd or npy");
  if (stopped) return false;
  encode_modelnet_h5(batch, bytes);
  return true;
}

}  // namespace

std::vector<std::int64_t> hdf5_cloud_order(std::int64_t clouds, bool shuffle, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(clouds));
  for (std::int64_t k = 0; k < clouds; ++k) order[static_cast<std::size_t>(k)] = k;
  if (!shuffle) return order;
  // Fisher-Yates from the dataset's own stream (no sample uses this key).
  Rng rng(seed, ~std::uint64_t{0}, ~std::uint64_t{0}, Purpose::Layout);
  for (std::int64_t i = clouds - 1; i > 0; --i)
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng.uniform_int(0, i))]);
  return order;
}

GenerateSummary generate_hdf5_dataset(const DatasetSpec& spec, const OutputSettings&, const GenerateOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.classes || o.instances)
    throw_bad_input("cloud_format hdf5 writes files that mix every class; --classes and --instances are not "
                    "available (an interrupted run continues with --resume)");
  const auto [clouds, per_file, files] = geometry(spec);
  const ShardAssignment& part = o.part;
  const std::string suffix = detail::part_suffix(part);
  const fs::path journal = o.output / (".fdsl-journal" + suffix + ".jsonl");
  const std::vector<std::int64_t> order =
      hdf5_cloud_order(clouds, spec.params.get_bool("h5_shuffle"), static_cast<std::uint64_t>(spec.params.get_int("seed")));

  std::map<std::int64_t, FileRecord> done = read_journal(journal);
  GenerateSummary summary;
  summary.part = part;
  summary.output_format = "hdf5";
  std::vector<std::int64_t> pending;
  for (std::int64_t k = part.index; k < files; k += part.count) {
    if (done.count(k)) summary.samples_skipped += done[k].clouds;
    else pending.push_back(k);
  }
  std::int64_t todo = 0;
  for (std::int64_t k : pending) todo += std::min(per_file, clouds - k * per_file);
  const bool bar = o.progress == ProgressMode::Bar || (o.progress == ProgressMode::Auto && ::isatty(STDERR_FILENO));
  ProgressOptions po;
  po.bar = bar;
  po.quiet = o.progress == ProgressMode::Quiet;
  Progress progress("clouds", todo, po);

  std::atomic<bool> stopped{false};
  for (std::int64_t k : pending) {
    if (o.stop && o.stop->load()) {
      stopped = true;
      break;
    }
    std::vector<std::uint8_t> bytes;
    bool assembled = false;
    try {
      assembled = assemble_file(spec, order, k, o.threads, o.stop, [&] { progress.add(1); }, bytes);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Interrupted) throw;
    }
    if (!assembled) {
      stopped = true;
      break;
    }
    const std::int64_t count = std::min(per_file, clouds - k * per_file);
    FileRecord r{file_name(k), count, static_cast<std::int64_t>(bytes.size()), crc32_hex(crc32(bytes))};
    write_file_atomic(o.output / r.path, bytes);
    nlohmann::ordered_json line;
    line["h5_file"] = k;
    line["path"] = r.path;
    line["clouds"] = r.clouds;
    line["bytes"] = r.bytes;
    line["crc32"] = r.crc32;
    append_journal(journal, line.dump());
    done[k] = r;
    summary.samples_written += count;
    summary.bytes_written += r.bytes;
  }
  progress.finish();
  summary.interrupted = stopped;
  if (!stopped && part.count == 1) {
    finish_dataset(spec, o.output, done, files, per_file);
    summary.complete = static_cast<std::int64_t>(done.size()) == files;
    summary.manifest_written = true;
  } else if (!stopped) {
    // The first part to find every file done writes the lists and the manifest: the last to finish.
    const detail::FolderLock lock(o.output);
    const auto all = read_all_journals(o.output);
    if (static_cast<std::int64_t>(all.size()) == files) {
      summary.complete = true;
      if (!fs::exists(o.output / "manifest.json")) {
        finish_dataset(spec, o.output, all, files, per_file);
        summary.manifest_written = true;
      }
    }
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(o.output / (".fdsl-last-run" + suffix + ".json"), summary.to_json());
  return summary;
}

std::int64_t regenerate_hdf5_files(const DatasetSpec& spec, const fs::path& dir, const std::vector<std::string>& paths,
                                   int threads) {
  const Geometry g = geometry(spec);
  std::vector<std::int64_t> ks;
  for (const std::string& path : paths) {
    std::int64_t found = -1;
    for (std::int64_t k = 0; k < g.files && found < 0; ++k)
      if (file_name(k) == path) found = k;
    if (found < 0)
      throw_bad_input(dir.string() + ": " + path + " is not one of the dataset's " + std::to_string(g.files) +
                      " files (ply_data_train0.h5 ... ply_data_train" + std::to_string(g.files - 1) + ".h5)");
    ks.push_back(found);
  }
  const std::vector<std::int64_t> order =
      hdf5_cloud_order(g.clouds, spec.params.get_bool("h5_shuffle"), static_cast<std::uint64_t>(spec.params.get_int("seed")));
  for (std::int64_t k : ks) {
    std::vector<std::uint8_t> bytes;
    assemble_file(spec, order, k, threads, nullptr, {}, bytes);
    write_file_atomic(dir / file_name(k), bytes);
  }
  return static_cast<std::int64_t>(ks.size());
}

MergeSummary merge_hdf5_dataset(const DatasetSpec& spec, const fs::path& dir) {
  const Geometry g = geometry(spec);
  const std::int64_t files = g.files;
  MergeSummary m;
  const detail::FolderLock lock(dir);
  const auto all = read_all_journals(dir);
  m.parts_total = files;
  for (std::int64_t k = 0; k < files; ++k) {
    if (all.count(k)) ++m.parts_done;
    else if (m.missing.size() < 10) m.missing.push_back(file_name(k));
  }
  m.complete = m.parts_done == m.parts_total;
  if (m.complete) finish_dataset(spec, dir, all, files, g.per_file);
  return m;
}

}  // namespace fdsl
