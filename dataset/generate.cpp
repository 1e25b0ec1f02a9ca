#include "fdsl/dataset/generate.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <unistd.h>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/hdf5_dataset.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

struct Unit {
  std::int64_t category, begin, end;
};

struct FileEntry {
  std::string path;
  std::int64_t label = 0;
  std::vector<std::int64_t> labels;
  std::uint32_t crc = 0;
  std::int64_t bytes = 0;
};

// The bookkeeping lives in hidden files, not folders: torchvision's ImageFolder takes every
// folder of the root, hidden ones included, for a class.
fs::path state_path(const fs::path& out) { return out / ".fdsl-state.json"; }
fs::path journal_path(const fs::path& out) { return out / ".fdsl-journal.jsonl"; }

std::string unit_key(std::int64_t category, std::int64_t begin, std::int64_t end) {
  return std::to_string(category) + ":" + std::to_string(begin) + "-" + std::to_string(end);
}

/// The journal: one JSON line per finished work unit, appended with a single write() after the
/// unit's files are in place. A torn last line (a crash inside that write) is ignored, and its
/// unit is redone.
class Journal {
 public:
  explicit Journal(const fs::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_runtime(path.string() + ": cannot open the journal: " + std::strerror(errno));
  }
  ~Journal() {
    if (fd_ >= 0) ::close(fd_);
  }
  void append(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw_runtime(path_.string() + ": cannot append to the journal: " + std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
  }
  /// Every complete, parseable line.
  static std::vector<nlohmann::json> read(const fs::path& path) {
    std::vector<nlohmann::json> records;
    if (!fs::exists(path)) return records;
    const std::string text = read_text_file(path);
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      if (end == std::string::npos) break;  // torn last line
      try {
        records.push_back(nlohmann::json::parse(text.substr(start, end - start)));
      } catch (const nlohmann::json::exception&) {
      }
      start = end + 1;
    }
    return records;
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::mutex mutex_;
};

nlohmann::ordered_json state_json(const DatasetSpec& spec) {
  nlohmann::ordered_json j;
  j["fdsl_version"] = kVersion;
  j["config"] = spec.resolved_config();
  return j;
}

/// Refuses a folder that belongs to another config or version, or a dataset folder without --resume.
void check_state(const DatasetSpec& spec, const GenerateOptions& o) {
  const fs::path state = state_path(o.output);
  if (!fs::exists(state)) return;
  if (!o.resume)
    throw_bad_input("output folder " + o.output.string() +
                    " already holds an fdsl dataset; pass --resume to continue or extend it, or choose another "
                    "folder with -o");
  nlohmann::json old;
  try {
    old = nlohmann::json::parse(read_text_file(state));
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(state.string() + ": unreadable state (" + e.what() + "); cannot resume this folder");
  }
  const nlohmann::json now = nlohmann::json::parse(state_json(spec).dump());
  if (old.value("fdsl_version", "") != now["fdsl_version"])
    throw_bad_input("cannot resume " + o.output.string() + ": it was made by fdsl " +
                    old.value("fdsl_version", "?") + ", this is fdsl " + std::string(kVersion));
  const nlohmann::json& a = old["config"];
  const nlohmann::json& b = now["config"];
  if (a == b) return;
  std::string diff;
  for (auto it = b.begin(); it != b.end() && diff.empty(); ++it)
    if (!a.contains(it.key()) || a[it.key()] != it.value())
      diff = "key '" + it.key() + "' was " + (a.contains(it.key()) ? a[it.key()].dump() : "absent") + ", now " +
             it.value().dump();
  for (auto it = a.begin(); it != a.end() && diff.empty(); ++it)
    if (!b.contains(it.key())) diff = "key '" + it.key() + "' is no longer set";
  throw_bad_input("cannot resume " + o.output.string() + ": it was made by a different config (" + diff +
                  "); use the same config or another output folder");
}

std::string record_line(const Unit& u, const std::vector<FileEntry>& files) {
  nlohmann::ordered_json j;
  j["category"] = u.category;
  j["begin"] = u.begin;
  j["end"] = u.end;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    nlohmann::ordered_json e;
    e["path"] = f.path;
    e["label"] = f.label;
    if (!f.labels.empty()) e["labels"] = f.labels;
    e["bytes"] = f.bytes;
    e["crc32"] = crc32_hex(f.crc);
    list.push_back(std::move(e));
  }
  j["files"] = std::move(list);
  return j.dump();
}

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(); }

/// Reads every done record and writes manifest.json (sorted by path); returns whether every
/// (class, instance) of the dataset is present.
bool write_manifest(const DatasetSpec& spec, const fs::path& out) {
  const Generator& gen = *spec.generator;
  std::map<std::string, FileEntry> files;
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> covered;
  {
    for (const nlohmann::json& j : Journal::read(journal_path(out))) {
      covered[j["category"].get<std::int64_t>()].push_back({j["begin"].get<std::int64_t>(), j["end"].get<std::int64_t>()});
      for (const auto& f : j["files"]) {
        FileEntry e;
        e.path = f["path"].get<std::string>();
        e.label = f["label"].get<std::int64_t>();
        if (f.contains("labels")) e.labels = f["labels"].get<std::vector<std::int64_t>>();
        e.bytes = f["bytes"].get<std::int64_t>();
        e.crc = static_cast<std::uint32_t>(std::stoul(f["crc32"].get<std::string>(), nullptr, 16));
        files[e.path] = std::move(e);
      }
    }
  }
  bool complete = true;
  for (std::int64_t c = 0; c < gen.num_classes() && complete; ++c) {
    auto& v = covered[c];
    std::sort(v.begin(), v.end());
    std::int64_t reach = 0;
    for (auto [b, e] : v)
      if (b <= reach) reach = std::max(reach, e);
    complete = reach >= gen.instances_per_class();
  }
  std::int64_t total_bytes = 0;
  for (const auto& [p, f] : files) total_bytes += f.bytes;

  nlohmann::ordered_json head;
  head["format"] = "fdsl-dataset";
  head["fdsl_version"] = kVersion;
  head["name"] = spec.params.get_string("name");
  head["generator"] = gen.family();
  head["layout"] = "imagefolder";
  head["num_classes"] = gen.num_classes();
  head["instances_per_class"] = gen.instances_per_class();
  head["complete"] = complete;
  head["num_files"] = files.size();
  head["total_bytes"] = total_bytes;
  head["config"] = spec.resolved_config();
  head["category_stats"] = gen.stats();
  nlohmann::ordered_json cats = nlohmann::ordered_json::array();
  for (std::int64_t c = 0; c < gen.num_classes(); ++c) cats.push_back(gen.category_json(c));
  head["categories"] = std::move(cats);
  std::string text = head.dump(1);
  text.pop_back();  // the closing brace: the file list follows
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  text += ",\n \"files\": [";
  bool first = true;
  char buf[64];
  for (const auto& [p, f] : files) {
    text += first ? "\n  " : ",\n  ";
    first = false;
    text += "{\"path\": " + json_escape(f.path) + ", \"label\": " + std::to_string(f.label);
    if (!f.labels.empty()) {
      text += ", \"labels\": [";
      for (std::size_t i = 0; i < f.labels.size(); ++i) text += (i ? ", " : "") + std::to_string(f.labels[i]);
      text += "]";
    }
    std::snprintf(buf, sizeof buf, ", \"bytes\": %lld, \"crc32\": \"%08x\"}", static_cast<long long>(f.bytes), f.crc);
    text += buf;
  }
  text += "\n ]\n}\n";
  write_file_atomic(out / "manifest.json", text, true);
  return complete;
}

}  // namespace

std::string GenerateSummary::to_json() const {
  nlohmann::ordered_json j;
  j["samples_written"] = samples_written;
  j["samples_skipped"] = samples_skipped;
  j["bytes_written"] = bytes_written;
  j["seconds"] = seconds;
  j["samples_per_second"] = seconds > 0 ? samples_written / seconds : 0.0;
  j["megabytes_per_second"] = seconds > 0 ? bytes_written / seconds / 1e6 : 0.0;
  j["complete"] = complete;
  j["interrupted"] = interrupted;
  return j.dump();
}

GenerateSummary generate_dataset(const DatasetSpec& spec, const GenerateOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const Generator& gen = *spec.generator;
  GenerateSummary summary;

  const OutputSettings settings = OutputSettings::from_params(spec.params);
  const bool batch_files = gen.makes_point_clouds() && settings.cloud && settings.cloud->batch();
  if (batch_files && (o.classes || o.instances))
    throw_bad_input("cloud_format " + settings.cloud->name + " writes files that mix every class; --classes and "
                    "--instances are not available (an interrupted run continues with --resume)");

  const auto classes = o.classes.value_or(std::pair<std::int64_t, std::int64_t>{0, gen.num_classes()});
  const auto instances = o.instances.value_or(std::pair<std::int64_t, std::int64_t>{0, gen.instances_per_class()});
  if (classes.first < 0 || classes.second > gen.num_classes() || classes.first >= classes.second)
    throw_bad_input("--classes " + std::to_string(classes.first) + ":" + std::to_string(classes.second) +
                    " is outside the dataset's classes 0:" + std::to_string(gen.num_classes()));
  if (instances.first < 0 || instances.second > gen.instances_per_class() || instances.first >= instances.second)
    throw_bad_input("--instances " + std::to_string(instances.first) + ":" + std::to_string(instances.second) +
                    " is outside the dataset's instances 0:" + std::to_string(gen.instances_per_class()));

  ensure_writable_dir(o.output);
  check_state(spec, o);
  // From here on the folder is ours. An old manifest would claim a completeness this run has
  // not checked yet: remove it first, write the new one last.
  std::error_code ec;
  fs::remove(o.output / "manifest.json", ec);
  remove_temporary_files(o.output);
  write_file_atomic(state_path(o.output), state_json(spec).dump(1));
  write_file_atomic(o.output / "fdsl.yaml", spec.resolved_yaml());
  gen.save_categories(o.output);
  // Batch formats (HDF5, ModelNet40 layout) write files of many clouds: hdf5_dataset.cpp.
  if (batch_files) return generate_hdf5_dataset(spec, settings, o, journal_path(o.output));

  // Work units: classes x instance chunks on a fixed grid, so a resumed or partial run cuts the
  // same units as a full one.
  const std::int64_t chunk = std::max<std::int64_t>(1, gen.preferred_chunk());
  std::set<std::string> done;
  for (const nlohmann::json& j : Journal::read(journal_path(o.output)))
    done.insert(unit_key(j["category"].get<std::int64_t>(), j["begin"].get<std::int64_t>(), j["end"].get<std::int64_t>()));
  Journal journal(journal_path(o.output));
  std::vector<Unit> pending;
  for (std::int64_t c = classes.first; c < classes.second; ++c) {
    for (std::int64_t b = instances.first; b < instances.second;) {
      const std::int64_t e = std::min(instances.second, (b / chunk + 1) * chunk);
      Unit u{c, b, e};
      if (done.count(unit_key(c, b, e))) summary.samples_skipped += e - b;
      else pending.push_back(u);
      b = e;
    }
  }
  std::int64_t todo = 0;
  for (const auto& u : pending) todo += u.end - u.begin;

  const bool tty = ::isatty(STDERR_FILENO);
  const bool bar = o.progress == ProgressMode::Bar || (o.progress == ProgressMode::Auto && tty);
  Progress progress("images", todo, bar, o.progress == ProgressMode::Quiet);
  std::atomic<std::int64_t> written{0}, bytes{0};
  std::atomic<bool> stopped{false};
  parallel_for(0, static_cast<std::int64_t>(pending.size()), o.threads, [&](std::int64_t k) {
    if (o.stop && o.stop->load()) {
      stopped = true;
      return;
    }
    const Unit& u = pending[static_cast<std::size_t>(k)];
    std::vector<FileEntry> files;
    thread_local std::vector<EncodedFile> encoded;
    gen.make_range(u.category, u.begin, u.end, [&](Sample&& s) {
      encode_sample(s, settings, encoded);
      for (const EncodedFile& e : encoded) {
        FileEntry f;
        f.path = e.path;
        f.label = s.label;
        f.labels = s.labels;
        f.crc = crc32(e.bytes);
        f.bytes = static_cast<std::int64_t>(e.bytes.size());
        write_file_atomic(o.output / f.path, e.bytes);
        bytes += f.bytes;
        files.push_back(std::move(f));
      }
      progress.add(1);
      ++written;
    });
    // The record goes last: a unit without one is redone on resume.
    journal.append(record_line(u, files));
  });
  progress.finish();
  summary.samples_written = written;
  summary.bytes_written = bytes;
  summary.interrupted = stopped;
  if (!stopped) summary.complete = write_manifest(spec, o.output);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(o.output / ".fdsl-last-run.json", summary.to_json());
  return summary;
}

}  // namespace fdsl
