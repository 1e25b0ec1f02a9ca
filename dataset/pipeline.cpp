// The one output pipeline: a plan (the work items this part still owes), a sink that makes them,
// one journal, one resume logic, one manifest writer, for every layout (dataset/*_sink.cpp).
#include "fdsl/dataset/generate.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <system_error>

#include "fdsl/core/error.h"
#include "fdsl/core/memory.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/card.h"
#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/manifest.h"
#include "fdsl/dataset/memory_plan.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/dataset/stats.h"
#include "fdsl/io/files.h"
#include "sinks.h"

namespace fdsl {

namespace fs = std::filesystem;

// ---- what the sinks share -------------------------------------------------------------------

namespace detail {

void make_range_checked(const Generator& gen, std::int64_t category, std::int64_t begin, std::int64_t end,
                        const std::function<void(Sample&&)>& emit) {
  try {
    gen.make_range(category, begin, end, emit);
  } catch (const std::bad_alloc&) {
    const SampleMemory m = gen.sample_memory();
    throw_runtime("out of memory while making " + gen.sample_name(category, begin) +
                  (end - begin > 1 ? " (and the next " + std::to_string(end - begin - 1) + ")" : std::string()) +
                  ": each takes about " + format_bytes(m.bytes) + " (" + m.what +
                  "); lower them or --threads, or free memory");
  }
}

}  // namespace detail

namespace {

bool flat(const Image& im) {
  if (im.pixels.empty()) return false;
  // Every pixel equals the first exactly when the bytes repeat with the pixel's period: one
  // memcmp of the image against itself shifted by a pixel (vectorised; stops at the first ink).
  const std::size_t c = static_cast<std::size_t>(im.channels);
  if (im.pixels.size() <= c) return true;
  return std::memcmp(im.pixels.data() + c, im.pixels.data(), im.pixels.size() - c) == 0;
}

}  // namespace

void note_sample(SinkRun& run, const Sample& s) {
  if (s.draw > 0 || !s.guard_failed.empty()) {
    if (s.draw > 0) ++run.guard_redrawn;
    if (!s.guard_failed.empty() && run.guard_failed.fetch_add(1) == 0) {
      const std::lock_guard<std::mutex> lock(run.blank_mutex);
      run.first_guard_failed = s.name;
    }
    if (run.on_guard) run.on_guard(run.split, s);
  }
  bool blank = flat(s.image);
  for (const Image& v : s.views) blank = blank || flat(v);
  if (!blank) return;
  if (run.blank.fetch_add(1) == 0) {
    const std::lock_guard<std::mutex> lock(run.blank_mutex);
    run.first_blank = s.name;
  }
}

void note_encoded(SinkRun& run, const Sample& s, const std::vector<EncodedFile>& files) {
  if (!run.card_stats || !run.card_stats->wants(s.category, s.instance)) return;
  // encode_sample writes the image first, then the views.
  const std::size_t pictures = (s.image.empty() ? 0 : 1) + s.views.size();
  std::vector<std::int64_t> sizes;
  for (std::size_t k = 0; k < pictures && k < files.size(); ++k)
    sizes.push_back(static_cast<std::int64_t>(files[k].bytes.size()));
  run.card_stats->record(run.gen, s, sizes);
}

namespace detail {

std::int64_t piece_samples(const Generator& gen) {
  const double out = std::max(1.0, gen.sample_memory().output_bytes);
  const auto cap = static_cast<std::int64_t>(std::max(1.0, 32e6 / out));
  return std::max<std::int64_t>(1, std::min(gen.preferred_chunk(), cap));
}

double queue_bytes(const Generator& gen, int threads) {
  const double sample = std::max(1.0, gen.sample_memory().output_bytes);
  return std::min(64.0 * (1 << 20), std::max(8.0 * (1 << 20), 2.0 * effective_thread_count(threads) * sample));
}

int writer_queue(int threads) { return std::max(1, effective_thread_count(threads)); }

std::string part_suffix(const ShardAssignment& part) {
  if (part.count == 1) return "";
  // Built by append: GCC 12 gives a false -Wrestrict warning for `"-" + std::string`.
  std::string s = "-";
  s += std::to_string(part.index);
  s += "-of-";
  s += std::to_string(part.count);
  return s;
}

/// The memory the manifest of a folder dataset takes while it is written: each file's journal
/// record and its line of the text (measured 2026-12-08: the peak grows 250 bytes a file from
/// 100,000 to 400,000 files; 800 before the journal was read a record at a time).
constexpr double kManifestBytesPerEntry = 400;

void check_manifest_memory(const DatasetSpec& spec, const Sink& sink, const MemoryPlan& memory) {
  const double entries = sink.manifest_entries();
  const double need = entries * kManifestBytesPerEntry;
  if (need <= memory.budget.bytes) return;
  char count[32];
  std::snprintf(count, sizeof count, "%.3g", entries);
  spec.params.fail("instances",
                   std::string("a folder dataset of ") + count +
                       " files: its manifest lists every file and takes about " + format_bytes(need) +
                       " (0.4 KB a file) when it is written, more than the " + format_bytes(memory.budget.bytes) +
                       " available (" + memory.budget.source +
                       "); use output_format: tar (an entry a shard), or fewer classes or instances" +
                       (memory.budget.source == "--max-memory" ? ", or raise --max-memory"
                                                               : ", or give --max-memory if more is free"));
}

bool parse_unit_key(const std::string& key, std::int64_t& category, std::int64_t& begin, std::int64_t& end) {
  long long c = 0, b = 0, e = 0;
  int used = 0;
  if (std::sscanf(key.c_str(), "unit %lld %lld-%lld%n", &c, &b, &e, &used) != 3 || used != static_cast<int>(key.size()))
    return false;
  category = c;
  begin = b;
  end = e;
  return true;
}

namespace {
int open_lock_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw_runtime("cannot open " + path.string() + ": " + std::generic_category().message(errno));
  return fd;
}

/// flock without waiting: 0 when taken (or the filesystem has no locks), else EWOULDBLOCK.
int try_flock(int fd, int how) {
  int r;
  do {
    r = ::flock(fd, how | LOCK_NB);
  } while (r != 0 && errno == EINTR);
  if (r == 0 || errno == ENOLCK || errno == EOPNOTSUPP || errno == ENOSYS) return 0;
  return errno;
}

std::string holder_of(const fs::path& path) {
  std::string text;
  try {
    text = read_text_file(path);
  } catch (const Error&) {
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "another process" : "pid " + text;
}

void write_pid(int fd) {
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
}
}  // namespace

FolderLock::FolderLock(const fs::path& dir) {
  fd_ = open_lock_file(dir / ".fdsl-lock");
  int r;
  do {
    r = ::flock(fd_, LOCK_EX);
  } while (r != 0 && errno == EINTR);
}
FolderLock::~FolderLock() { ::close(fd_); }

RunLock::RunLock(const fs::path& dir, const ShardAssignment& part) {
  const fs::path whole = dir / ".fdsl-run.lock";
  whole_ = open_lock_file(whole);
  const bool single = part.count == 1;
  if (try_flock(whole_, single ? LOCK_EX : LOCK_SH) != 0) {
    const std::string who = holder_of(whole);
    ::close(whole_);
    whole_ = -1;
    throw_bad_input(dir.string() + " is being written by another fdsl process (" + who +
                    (single ? "" : ", a whole-dataset run") +
                    "); wait for it to finish or stop it, then run again (with --resume to continue)");
  }
  if (single) {
    write_pid(whole_);
    return;
  }
  const fs::path own = dir / (".fdsl-run" + part_suffix(part) + ".lock");
  own_ = open_lock_file(own);
  if (try_flock(own_, LOCK_EX) != 0) {
    const std::string who = holder_of(own);
    ::close(own_);
    ::close(whole_);
    own_ = whole_ = -1;
    throw_bad_input(dir.string() + ": part " + part.text() + " is being written by another fdsl process (" + who +
                    "); each part runs once at a time");
  }
  write_pid(own_);
}

RunLock::~RunLock() {
  if (own_ >= 0) ::close(own_);
  if (whole_ >= 0) ::close(whole_);
}

bool RunLock::held_by_another(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir / ".fdsl-run.lock", ec)) return false;
  const int fd = open_lock_file(dir / ".fdsl-run.lock");
  const bool free = try_flock(fd, LOCK_EX) == 0;
  ::close(fd);
  return !free;
}

std::string config_fingerprint(const DatasetSpec& spec) {
  // FNV-1a over the version and the resolved config as JSON (keys in declaration order).
  const std::string text = std::string(kVersion) + "\n" + spec.resolved_config().dump();
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace detail

namespace detail {

std::unique_ptr<Sink> make_layout_sink(const DatasetSpec& spec, const OutputSettings& settings,
                                       const std::string& folder_prefix) {
  const Generator& gen = *spec.generator;
  if (!settings.coco && !gen.masks().on)
    spec.params.fail("coco", "applies to datasets with masks (masks: true, or generator: segrcdb); " + gen.family() +
                                 " makes none here");
  if (gen.makes_point_clouds() && settings.cloud && settings.cloud->batch()) {
    if (settings.format == OutputFormat::Tar)
      throw_bad_input("cloud_format " + settings.cloud->name +
                      " writes files that mix every class; tar shards are not "
                      "available (use cloud_format ply, pcd or npy in shards)");
    return make_hdf5_sink(spec, settings);
  }
  if (settings.format == OutputFormat::Tar) return make_tar_sink(spec, settings);
  return make_folder_sink(spec, settings, folder_prefix);
}

std::vector<std::string> dataset_splits(const Params& params) {
  const std::string& text = params.get_string("splits");
  if (text.empty()) return {params.get_string("split")};
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    std::string name = text.substr(at, comma - at);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name != "train" && name != "val" && name != "test")
      params.fail("splits", "'" + name + "' is not a split; valid: train, val, test, comma-separated");
    if (std::find(out.begin(), out.end(), name) != out.end()) params.fail("splits", "names split " + name + " twice");
    out.push_back(name);
    at = comma + 1;
  }
  if (params.get_string("split") != "train")
    params.fail("split", "picks one split's streams; with splits, each split has its own (leave split out)");
  return out;
}

}  // namespace detail

std::unique_ptr<Sink> make_sink(const DatasetSpec& spec, const OutputSettings& settings) {
  const std::vector<std::string> splits = detail::dataset_splits(spec.params);
  if (splits.size() == 1 && splits[0] == spec.params.get_string("split"))
    return detail::make_layout_sink(spec, settings, "");
  return detail::make_split_sink(spec, settings, splits);
}

std::string unit_key(std::int64_t category, std::int64_t begin, std::int64_t end) {
  return "unit " + std::to_string(category) + " " + std::to_string(begin) + "-" + std::to_string(end);
}

bool Sink::complete(const std::map<std::string, ItemRecord>& done) const {
  for (const WorkItem& item : items(Selection{}))
    if (!done.count(item.key)) return false;
  return true;
}

std::vector<std::int64_t> Sink::categories(const std::map<std::string, ItemRecord>&) const {
  return all_categories(gen_);
}

namespace {

using detail::config_fingerprint;
using detail::FolderLock;
using detail::part_suffix;
using detail::RunLock;

// The bookkeeping lives in hidden files, not folders: torchvision's ImageFolder takes every
// folder of the root, hidden ones included, for a class.
fs::path state_path(const fs::path& out) { return out / ".fdsl-state.json"; }

nlohmann::ordered_json state_json(const DatasetSpec& spec) {
  nlohmann::ordered_json j;
  j["fdsl_version"] = kVersion;
  j["config"] = spec.resolved_config();
  j["config_fingerprint"] = config_fingerprint(spec);
  return j;
}

/// The first key where two resolved configs differ, as "key 'size' was 256, now 128".
std::string config_difference(const nlohmann::json& was, const nlohmann::json& now) {
  for (auto it = now.begin(); it != now.end(); ++it)
    if (!was.contains(it.key()) || was[it.key()] != it.value())
      return "key '" + it.key() + "' was " + (was.contains(it.key()) ? was[it.key()].dump() : "absent") + ", now " +
             it.value().dump();
  for (auto it = was.begin(); it != was.end(); ++it)
    if (!now.contains(it.key())) return "key '" + it.key() + "' is no longer set";
  return "";
}

/// Files and folders fdsl itself leaves: bookkeeping (.fdsl-*) and temporary files of atomic writes.
bool fdsl_owned(const std::string& name) {
  return name.rfind(".fdsl", 0) == 0 || (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos);
}

/// Whether `dir` holds an fdsl dataset, whole or in the making: its state, a journal, a
/// manifest or a saved config.
bool holds_dataset(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(state_path(dir), ec) || Journal::exists_in(dir) || fs::exists(dir / "manifest.json", ec) ||
         fs::exists(dir / "fdsl.yaml", ec);
}

/// Refuses a folder that belongs to another config or version, a dataset folder without --resume,
/// and a non-empty folder that is no dataset (without --force). Every record of the folder is
/// checked on its own, so a missing bookkeeping file cannot let another config's work through.
void check_folder(const DatasetSpec& spec, const fs::path& out, const GenerateOptions& o, const JournalState& journal,
                  const std::string& fingerprint) {
  std::error_code ec;
  if (!holds_dataset(out)) {
    if (o.force) return;
    for (const auto& e : fs::directory_iterator(out, ec)) {
      const std::string name = e.path().filename().string();
      if (fdsl_owned(name)) continue;
      throw_bad_input("output folder " + out.string() + " is not empty and holds no fdsl dataset (it has '" + name +
                      "'); choose an empty or new folder with -o, or pass --force to write beside what is there");
    }
    return;
  }
  if (!o.resume && o.part.count == 1)
    throw_bad_input("output folder " + out.string() +
                    " already holds an fdsl dataset; pass --resume to continue or extend it, or choose another "
                    "folder with -o");
  const nlohmann::json now = nlohmann::json::parse(spec.resolved_config().dump());
  auto refuse = [&](const std::string& where, const std::string& why) {
    throw_bad_input("cannot resume " + out.string() + ": " + where + " " + why +
                    "; use the same config or another output folder");
  };
  auto check_config = [&](const std::string& where, const nlohmann::json& version, const nlohmann::json& config) {
    if (version.is_string() && version.get<std::string>() != kVersion)
      throw_bad_input("cannot resume " + out.string() + ": it was made by fdsl " + version.get<std::string>() +
                      ", this is fdsl " + std::string(kVersion));
    if (config.is_object() && config != now)
      refuse(where, "was made by a different config (" + config_difference(config, now) + ")");
  };
  if (fs::exists(state_path(out), ec)) {
    nlohmann::json old;
    try {
      old = nlohmann::json::parse(read_text_file(state_path(out)));
    } catch (const nlohmann::json::exception& e) {
      throw_bad_input(state_path(out).string() + ": unreadable state (" + e.what() + "); cannot resume this folder");
    }
    check_config(".fdsl-state.json says it", old.contains("fdsl_version") ? old["fdsl_version"] : nlohmann::json("?"),
                 old.value("config", nlohmann::json()));
  }
  if (fs::exists(out / "manifest.json", ec)) {
    try {
      const nlohmann::json m = nlohmann::json::parse(read_text_file(out / "manifest.json"));
      check_config("its manifest says it", m.value("fdsl_version", nlohmann::json("?")),
                   m.value("config", nlohmann::json()));
    } catch (const nlohmann::json::exception&) {
      // An unreadable manifest is rewritten at the end; the journals decide.
    }
  }
  if (fs::exists(out / "fdsl.yaml", ec)) {
    try {
      const Params saved = resolve_dataset_params(load_dataset_config((out / "fdsl.yaml").string()));
      check_config("its fdsl.yaml says it", nlohmann::json(), nlohmann::json::parse(saved.to_json().dump()));
    } catch (const Error& e) {
      refuse("its fdsl.yaml", std::string("cannot be read as a config (") + e.what() + ")");
    }
  }
  if (journal.other_records > 0) {
    std::string seen;
    for (const std::string& f : journal.other_configs) seen += (seen.empty() ? "" : ", ") + (f.empty() ? "none" : f);
    refuse("its journal", "holds " + std::to_string(journal.other_records) +
                              " records of another config or fdsl version (fingerprint " + seen +
                              "; this config's is " + fingerprint + ")");
  }
}

/// Whether the files of a recorded item are in place as recorded: the size (a stat), and with
/// `crc` the CRC-32 too (a read). "" when they are, else what is wrong with the first that is not.
std::string item_damage(const fs::path& dir, const ItemRecord& r, bool crc) {
  for (const FileRecord& f : r.files) {
    std::error_code ec;
    const auto size = fs::file_size(dir / f.path, ec);
    if (ec) return f.path + ": missing";
    if (static_cast<std::int64_t>(size) != f.bytes)
      return f.path + ": " + std::to_string(size) + " bytes on disk, " + std::to_string(f.bytes) +
             " when written (truncated or changed)";
    if (crc) {
      const std::uint32_t got = crc32(read_file(dir / f.path));
      if (got != f.crc) return f.path + ": CRC-32 " + crc32_hex(got) + ", " + crc32_hex(f.crc) + " when written";
    }
  }
  return "";
}

/// Buffers of the run beyond the samples in flight: the encoded pieces queued for the tar writer,
/// or an HDF5 file assembled in memory.
double run_buffer_bytes_of_sink(const DatasetSpec& spec, const Sink& sink, int threads);

double run_buffer_bytes(const DatasetSpec& spec, const Sink& sink, int threads) {
  const Generator& gen = *spec.generator;
  const double out = gen.sample_memory().output_bytes;
  // The dataset card, made with the manifest, draws its pictures from full-size RGB copies and
  // holds its plots (about 16 MB).
  const double card = spec.params.has("card") && spec.params.get_bool("card") ? 3.0 * out + 16e6 : 0.0;
  return card + run_buffer_bytes_of_sink(spec, sink, threads);
}

double run_buffer_bytes_of_sink(const DatasetSpec& spec, const Sink& sink, int threads) {
  const Generator& gen = *spec.generator;
  const double out = gen.sample_memory().output_bytes;
  if (sink.format() == "hdf5") return 2.0 * static_cast<double>(sink.chunk()) * out;  // the clouds, then the file
  if (sink.format() == "folder") return detail::queue_bytes(gen, threads);
  if (sink.format() != "tar") return 0;
  // The render threads' slots, the pieces waiting for the shard writer and the one it writes.
  const int pieces = std::max(2, 4 * effective_thread_count(threads)) + detail::writer_queue(threads) + 1;
  return pieces * static_cast<double>(sink.chunk()) * out;
}

/// 1234567 -> "1,234,567".
std::string count_text(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string GenerateSummary::to_json() const {
  nlohmann::ordered_json j;
  j["output_format"] = output_format;
  j["shard"] = part.text();
  j["samples_written"] = samples_written;
  j["samples_skipped"] = samples_skipped;
  j["bytes_written"] = bytes_written;
  if (output_format == "tar") {
    j["shards_written"] = shards_written;
    j["shards_skipped"] = shards_skipped;
  }
  if (!redone.empty()) j["redone"] = redone;
  j["blank_samples"] = blank_samples;
  if (blank_samples > 0) j["first_blank"] = first_blank;
  if (guard_redrawn > 0 || guard_failed > 0) {
    j["guard_redrawn"] = guard_redrawn;
    j["guard_failed"] = guard_failed;
    if (guard_failed > 0) j["first_guard_failed"] = first_guard_failed;
  }
  j["seconds"] = seconds;
  j["samples_per_second"] = seconds > 0 ? samples_written / seconds : 0.0;
  j["megabytes_per_second"] = seconds > 0 ? bytes_written / seconds / 1e6 : 0.0;
  j["complete"] = complete;
  j["manifest_written"] = manifest_written;
  j["interrupted"] = interrupted;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

GenerateSummary generate_dataset(const DatasetSpec& spec, const GenerateOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const Generator& gen = *spec.generator;
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  const std::unique_ptr<Sink> sink = make_sink(spec, settings);
  const ShardAssignment& part = o.part;
  GenerateSummary summary;
  summary.output_format = sink->format();
  summary.part = part;

  if (part.count < 1 || part.index < 0 || part.index >= part.count)
    throw_bad_input("part " + part.text() + " is out of range (need 0 <= I < N)");
  if (!sink->partial_runs() && (o.classes || o.instances)) {
    if (sink->format() == "tar")
      throw_bad_input(
          "--classes/--instances cannot be used with output_format: tar: every shard holds a fixed slice "
          "of the whole dataset, so a partial run cannot make the full run's shards; try a recipe with "
          "folder output, or with smaller classes:/instances: in the config");
    throw_bad_input("cloud_format " + (settings.cloud ? settings.cloud->name : std::string("?")) +
                    " writes files that mix every class; --classes, "
                    "--instances and tar shards are not available (split runs with --shard are; an interrupted run "
                    "continues with --resume)");
  }
  if (part.count > 1 && (o.classes || o.instances))
    throw_bad_input("--classes/--instances cannot be combined with a split run (" + part.source +
                    "): split the whole dataset, or run the pieces one by one");
  Selection selection;
  selection.whole = !o.classes && !o.instances;
  selection.classes = o.classes.value_or(std::pair<std::int64_t, std::int64_t>{0, gen.num_classes()});
  selection.instances = o.instances.value_or(std::pair<std::int64_t, std::int64_t>{0, gen.instances_per_class()});
  const auto [c0, c1] = selection.classes;
  const auto [i0, i1] = selection.instances;
  if (c0 < 0 || c1 > gen.num_classes() || c0 >= c1)
    throw_bad_input("--classes " + std::to_string(c0) + ":" + std::to_string(c1) +
                    " is outside the dataset's classes 0:" + std::to_string(gen.num_classes()));
  if (i0 < 0 || i1 > gen.instances_per_class() || i0 >= i1)
    throw_bad_input("--instances " + std::to_string(i0) + ":" + std::to_string(i1) +
                    " is outside the dataset's instances 0:" + std::to_string(gen.instances_per_class()));

  // Work that cannot fit in memory is refused before the folder is touched.
  const bool quiet = o.progress == ProgressMode::Quiet;
  const std::string prefix = part.count > 1 ? "fdsl [part " + part.text() + "]" : std::string("fdsl");
  const MemoryPlan memory = plan_memory(gen, o.threads, run_buffer_bytes(spec, *sink, o.threads), o.max_memory);
  check_memory(memory);
  detail::check_manifest_memory(spec, *sink, memory);
  if (!quiet) std::fprintf(stderr, "%s: memory: %s\n", prefix.c_str(), memory.text().c_str());

  // The folder: made if new (and removed again if this run is refused before it writes), locked
  // for this process, then checked against everything it records.
  std::error_code ec;
  const bool created = !fs::exists(o.output, ec);
  ensure_writable_dir(o.output);
  const std::string fingerprint = config_fingerprint(spec);
  std::unique_ptr<RunLock> lock;
  JournalState journal_state;
  try {
    lock = std::make_unique<RunLock>(o.output, part);
    // The parts of a split run may start at once: each checks the folder and claims it (its state
    // and saved config) under the folder lock, so a part never sees another's half-made claim.
    const FolderLock claim(o.output);
    journal_state = read_journals(o.output, fingerprint);
    check_folder(spec, o.output, o, journal_state, fingerprint);
    // From here on the folder is ours. Leftover temporary files of a killed run go; in a split run
    // they may be another process's files in flight, and the last process to finish removes them.
    if (part.count == 1) remove_temporary_files(o.output);
    write_file_atomic(state_path(o.output), state_json(spec).dump(1));
    write_file_atomic(o.output / "fdsl.yaml", spec.resolved_yaml());
  } catch (const Error&) {
    lock.reset();
    // A folder this run made goes again, unless another part has started writing into it since.
    if (created && !RunLock::held_by_another(o.output)) fs::remove_all(o.output, ec);
    throw;
  }

  // What this part still has to do: its block of the items, less those recorded with their files
  // in place (the size of each; with --check also its CRC-32).
  const std::vector<WorkItem> items = sink->items(selection);
  const auto [first, last] = part.range(static_cast<std::int64_t>(items.size()));
  std::vector<WorkItem> pending;
  std::int64_t todo = 0;
  for (std::int64_t k = first; k < last; ++k) {
    const WorkItem& item = items[static_cast<std::size_t>(k)];
    const auto it = journal_state.done.find(item.key);
    if (it != journal_state.done.end()) {
      const std::string damage = item_damage(o.output, it->second, o.check);
      if (damage.empty()) {
        summary.samples_skipped += item.samples;
        if (sink->format() == "tar") ++summary.shards_skipped;
        continue;
      }
      summary.redone.push_back(damage);
    }
    pending.push_back(item);
    todo += item.samples;
  }
  for (const std::string& d : summary.redone)
    if (!quiet) std::fprintf(stderr, "%s: %s; making it again\n", prefix.c_str(), d.c_str());
  if (!quiet && part.count > 1)
    std::fprintf(stderr, "%s: this part owns %s %s (%s); %s samples to write, %s done before (%s)\n", prefix.c_str(),
                 count_text(last - first).c_str(), sink->format() == "tar" ? "tar shards" : "work units",
                 last == first ? "nothing to do: more parts than pieces of work" : "a contiguous block",
                 count_text(todo).c_str(), count_text(summary.samples_skipped).c_str(), part.source.c_str());
  if (todo > 0) {
    // An old manifest would claim a completeness this run has not checked yet: remove it first,
    // write the new one last.
    fs::remove(o.output / "manifest.json", ec);
    for (const std::string& f : sink->layout_files()) fs::remove(o.output / f, ec);
  }

  Journal journal(o.output, part);
  ProgressOptions po;
  po.bar = o.progress == ProgressMode::Bar || (o.progress == ProgressMode::Auto && ::isatty(STDERR_FILENO));
  po.quiet = quiet;
  po.prefix = prefix;
  po.units = sink->unit_noun();
  if (!po.units.empty()) po.units_total = static_cast<std::int64_t>(pending.size());
  Progress progress(gen.sample_noun(), todo, po);
  SinkRun run{gen, settings, o.output};
  run.threads = o.threads;
  run.fsync_files = o.fsync_files;
  run.stop = o.stop;
  run.progress = &progress;
  // A file of many samples is worth an fsync of its record; a folder unit's files are not synced.
  const bool sync_records = sink->format() != "folder";
  run.on_guard = [&](const std::string& split, const Sample& s) {
    journal.append(guard_record(split, s, fingerprint));
  };
  run.done = [&](const WorkItem& item, std::vector<FileRecord>&& files) {
    journal.append(item_record(item, files, fingerprint), sync_records);
    if (sink->format() == "tar") ++summary.shards_written;
  };
  // The card's samples, measured as they are written, so the card need not make them again: the
  // card's choice for the dataset as it will be once this run is done (a run that stops short
  // has a card that makes the rest itself).
  std::unique_ptr<SampleStatsCache> card_stats;
  if (todo > 0 && spec.params.has("card") && spec.params.get_bool("card")) {
    std::map<std::string, ItemRecord> after = journal_state.done;
    for (const WorkItem& item : pending) {
      ItemRecord r;
      r.key = item.key;
      std::int64_t c, b, e;
      if (!detail::parse_unit_key(item.key, c, b, e)) {
        FileRecord f;  // a shard or HDF5 file: its samples
        f.samples = item.samples;
        r.files.push_back(f);
      }
      after[item.key] = std::move(r);
    }
    card_stats = std::make_unique<SampleStatsCache>(
        card_selection(gen, *sink, after),
        spec.params.has("cloud_format") ? spec.params.get_string("cloud_format") : "cloud");
    run.card_stats = card_stats.get();
  }
  try {
    sink->write(pending, run);
  } catch (const Error& e) {
    // A stop inside a sample (a long normal estimation) or between loop items: the finished
    // work is recorded, the rest is redone by --resume.
    if (e.kind() != ErrorKind::Interrupted) throw;
    run.stopped = true;
  }
  progress.finish();

  summary.samples_written = run.samples;
  summary.bytes_written = run.bytes;
  summary.blank_samples = run.blank;
  summary.first_blank = run.first_blank;
  summary.guard_redrawn = run.guard_redrawn;
  summary.guard_failed = run.guard_failed;
  summary.first_guard_failed = run.first_guard_failed;
  summary.interrupted = run.stopped;
  if (!run.stopped) {
    if (part.count == 1) {
      summary.complete =
          write_manifest(spec, *sink, o.output, read_journals(o.output, fingerprint), fingerprint, card_stats.get());
      summary.manifest_written = true;
    } else {
      // The first process to find every part done writes the manifest: the last one to finish.
      // (Leftover temporary files of crashed parts stay until `fdsl merge`: here another part
      // may still be writing its report.)
      journal.sync();
      const FolderLock folder_lock(o.output);
      const JournalState all = read_journals(o.output, fingerprint);
      if (sink->complete(all.done)) {
        summary.complete = true;
        if (!fs::exists(o.output / "manifest.json", ec)) {
          write_manifest(spec, *sink, o.output, all, fingerprint, card_stats.get());
          summary.manifest_written = true;
        }
      }
    }
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_file_atomic(o.output / (".fdsl-last-run" + part_suffix(part) + ".json"), summary.to_json());
  return summary;
}

MergeSummary merge_dataset(const DatasetSpec& spec, const fs::path& dir) {
  if (!holds_dataset(dir))
    throw_bad_input(dir.string() + " holds no fdsl dataset (no .fdsl-state.json): nothing to merge");
  const RunLock lock(dir, ShardAssignment{});
  const std::string fingerprint = config_fingerprint(spec);
  const JournalState journal = read_journals(dir, fingerprint);
  GenerateOptions o;
  o.resume = true;
  check_folder(spec, dir, o, journal, fingerprint);
  const std::unique_ptr<Sink> sink = make_sink(spec, OutputSettings::from_params(spec.params));
  MergeSummary m;
  const std::vector<WorkItem> items = sink->items(Selection{});
  m.parts_total = static_cast<std::int64_t>(items.size());
  for (const WorkItem& item : items) {
    if (journal.done.count(item.key))
      ++m.parts_done;
    else if (m.missing.size() < 10)
      m.missing.push_back(sink->item_name(item));
  }
  m.complete = sink->complete(journal.done);
  if (m.complete) {
    write_manifest(spec, *sink, dir, journal, fingerprint);
    m.temporary_files_removed = remove_temporary_files(dir);
  }
  return m;
}

std::int64_t regenerate_files(const DatasetSpec& spec, const fs::path& dir, const std::vector<std::string>& paths,
                              int threads) {
  const RunLock lock(dir, ShardAssignment{});
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  const std::unique_ptr<Sink> sink = make_sink(spec, settings);
  std::vector<std::string> unknown;
  const std::vector<WorkItem> items = sink->items_of(paths, unknown);
  if (!unknown.empty())
    throw_bad_input(dir.string() + ": " + unknown.front() + " is not a file this dataset's config makes" +
                    (unknown.size() > 1 ? " (nor " + std::to_string(unknown.size() - 1) + " more)" : std::string()));
  SinkRun run{*spec.generator, settings, dir};
  run.threads = threads;
  sink->write(items, run);
  // The layout's files and the manifest are written again from the journals, as they were.
  const std::string fingerprint = config_fingerprint(spec);
  const JournalState journal = read_journals(dir, fingerprint);
  if (!journal.done.empty()) write_manifest(spec, *sink, dir, journal, fingerprint);
  return static_cast<std::int64_t>(items.size());
}

}  // namespace fdsl
