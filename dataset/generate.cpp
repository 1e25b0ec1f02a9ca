#include "fdsl/dataset/generate.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/manifest.h"
#include "fdsl/dataset/memory_plan.h"
#include "fdsl/dataset/hdf5_dataset.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/dataset/tar_layout.h"
#include "fdsl/io/files.h"
#include "fdsl/io/tar_writer.h"
#include "split_run.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

using detail::FolderLock;
using detail::part_suffix;

struct Unit {
  std::int64_t category, begin, end;
};

// The bookkeeping lives in hidden files, not folders: torchvision's ImageFolder takes every
// folder of the root, hidden ones included, for a class.
fs::path state_path(const fs::path& out) { return out / ".fdsl-state.json"; }

std::string unit_key(std::int64_t category, std::int64_t begin, std::int64_t end) {
  return std::to_string(category) + ":" + std::to_string(begin) + "-" + std::to_string(end);
}

nlohmann::ordered_json state_json(const DatasetSpec& spec) {
  nlohmann::ordered_json j;
  j["fdsl_version"] = kVersion;
  j["config"] = spec.resolved_config();
  return j;
}

/// Refuses a folder that belongs to another config or version, or a dataset folder without
/// --resume. The processes of a split run share one folder: they join it without --resume.
void check_state(const DatasetSpec& spec, const fs::path& out, bool resume, const ShardAssignment& part) {
  const fs::path state = state_path(out);
  if (!fs::exists(state)) return;
  if (!resume && part.count == 1)
    throw_bad_input("output folder " + out.string() +
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
    throw_bad_input("cannot resume " + out.string() + ": it was made by fdsl " + old.value("fdsl_version", "?") +
                    ", this is fdsl " + std::string(kVersion));
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
  throw_bad_input("cannot resume " + out.string() + ": it was made by a different config (" + diff +
                  "); use the same config or another output folder");
}

/// Work units: classes x instance chunks on a fixed grid, so a resumed, partial or split run cuts
/// the same units as a full one.
std::vector<Unit> unit_grid(std::pair<std::int64_t, std::int64_t> classes, std::pair<std::int64_t, std::int64_t> instances,
                            std::int64_t chunk) {
  std::vector<Unit> units;
  for (std::int64_t c = classes.first; c < classes.second; ++c)
    for (std::int64_t b = instances.first; b < instances.second;) {
      const std::int64_t e = std::min(instances.second, (b / chunk + 1) * chunk);
      units.push_back({c, b, e});
      b = e;
    }
  return units;
}

/// What the stages of a run share.
struct RunContext {
  const Generator& gen;
  const OutputSettings& settings;
  const fs::path& out;
  int threads = 0;
  bool fsync_files = false;
  const std::atomic<bool>* stop = nullptr;
  Journal* journal = nullptr;    ///< null: record nothing (regeneration)
  Progress* progress = nullptr;  ///< null: report nothing
  std::atomic<std::int64_t> samples{0}, bytes{0}, shards{0};
  bool stopped = false;
};

/// make_range, with running out of memory reported as an error that names the samples.
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

// ---- folder output: work units -> encode_sample -> one file per encoded file ----------------

void write_units(RunContext& ctx, const std::vector<Unit>& units) {
  std::atomic<bool> stopped{false};
  parallel_for(0, static_cast<std::int64_t>(units.size()), ctx.threads, [&](std::int64_t k) {
    if (ctx.stop && ctx.stop->load()) {
      stopped = true;
      return;
    }
    const Unit& u = units[static_cast<std::size_t>(k)];
    std::vector<FileEntry> files;
    thread_local std::vector<EncodedFile> encoded;
    make_range_checked(ctx.gen, u.category, u.begin, u.end, [&](Sample&& s) {
      encode_sample(s, ctx.settings, encoded);
      std::int64_t sample_bytes = 0;
      for (const EncodedFile& e : encoded) {
        FileEntry f;
        f.path = e.path;
        f.label = s.label;
        f.labels = s.labels;
        f.crc = crc32(e.bytes);
        f.bytes = static_cast<std::int64_t>(e.bytes.size());
        write_file_atomic(ctx.out / f.path, e.bytes, ctx.fsync_files);
        sample_bytes += f.bytes;
        files.push_back(std::move(f));
      }
      ctx.bytes += sample_bytes;
      ++ctx.samples;
      if (ctx.progress) ctx.progress->add(1, sample_bytes);
    });
    // The record goes last: a unit without one is redone on resume.
    if (ctx.journal) ctx.journal->append(unit_record(u.category, u.begin, u.end, files));
  });
  if (stopped) ctx.stopped = true;
}

// ---- tar output: pieces of shards -> encode_sample -> in-order tar writer -> shard file ------

/// Samples a piece of a tar shard holds: the generator's chunk (work shared across it), fewer
/// when their raw outputs pass 32 MB (large images), so the queued pieces stay bounded.
std::int64_t piece_samples(const Generator& gen) {
  const double out = std::max(1.0, gen.sample_memory().output_bytes);
  const auto cap = static_cast<std::int64_t>(std::max(1.0, 32e6 / out));
  return std::max<std::int64_t>(1, std::min(gen.preferred_chunk(), cap));
}

/// Positions [begin, end) of one shard: one item of the pipeline.
struct Piece {
  std::int64_t shard, begin, end;
};

/// Cuts shards into pieces of at most `chunk` samples; in class-major order also at the
/// generator's chunk grid, so make_range shares work (FractalDB: one orbit per weight row) as it
/// does for folder output.
std::vector<Piece> cut_pieces(const TarLayout& layout, const std::vector<std::int64_t>& shards, std::int64_t chunk) {
  std::vector<Piece> pieces;
  for (std::int64_t k : shards) {
    const std::int64_t end = layout.shard_end(k);
    for (std::int64_t p = layout.shard_begin(k); p < end;) {
      std::int64_t q = p + 1;
      if (layout.shuffled()) q = std::min(end, p + chunk);
      else
        while (q < end && q - p < chunk && layout.sample_at(q).second % chunk != 0) ++q;
      pieces.push_back({k, p, q});
      p = q;
    }
  }
  return pieces;
}

/// The encoded samples of one piece; buffers are reused from piece to piece.
struct PieceBuffer {
  std::vector<std::vector<EncodedFile>> samples;
  std::size_t count = 0;
};

/// WebDataset groups consecutive members by the name up to the first dot: a sample's key (its
/// name) must hold no dot and every file must be "<key>.<ext>".
void check_webdataset_names(const std::string& key, const std::vector<EncodedFile>& files) {
  if (key.empty() || key.find('.') != std::string::npos)
    throw_bad_input("sample name '" + key +
                    "' cannot be a WebDataset key: keys end at the first dot, so a name must hold none");
  for (const EncodedFile& f : files)
    if (f.path.size() <= key.size() + 1 || f.path.compare(0, key.size(), key) != 0 || f.path[key.size()] != '.')
      throw_runtime("file '" + f.path + "' of sample '" + key + "' is not named <key>.<ext>");
}

void make_piece(const RunContext& ctx, const TarLayout& layout, const Piece& piece, PieceBuffer& buffer) {
  buffer.count = 0;
  for (std::int64_t p = piece.begin; p < piece.end;) {
    // Consecutive instances of one class are made together.
    const auto [c, i] = layout.sample_at(p);
    std::int64_t q = p + 1;
    while (q < piece.end && layout.sample_at(q) == std::pair<std::int64_t, std::int64_t>{c, i + (q - p)}) ++q;
    make_range_checked(ctx.gen, c, i, i + (q - p), [&](Sample&& s) {
      if (buffer.samples.size() <= buffer.count) buffer.samples.emplace_back();
      std::vector<EncodedFile>& files = buffer.samples[buffer.count++];
      encode_sample(s, ctx.settings, files);
      check_webdataset_names(s.name, files);
    });
    p = q;
  }
}

void write_shards(RunContext& ctx, const TarLayout& layout, const std::vector<std::int64_t>& shards) {
  const std::vector<Piece> pieces = cut_pieces(layout, shards, piece_samples(ctx.gen));
  const int threads = ctx.threads > 0 ? ctx.threads : default_thread_count();
  const std::size_t slots = static_cast<std::size_t>(std::max(2, 4 * threads));
  std::vector<PieceBuffer> buffers(slots);
  // The shard being written: only the serial stage touches these.
  std::unique_ptr<AtomicFileWriter> file;
  std::optional<TarWriter> tar;

  PipelineStages stages;
  stages.work = [&](std::int64_t i, std::size_t slot) {
    make_piece(ctx, layout, pieces[static_cast<std::size_t>(i)], buffers[slot]);
  };
  stages.write = [&](std::int64_t i, std::size_t slot) {
    const Piece& piece = pieces[static_cast<std::size_t>(i)];
    if (piece.begin == layout.shard_begin(piece.shard)) {
      file = std::make_unique<AtomicFileWriter>(ctx.out / layout.shard_name(piece.shard));
      tar.emplace(*file);
    }
    const PieceBuffer& buffer = buffers[slot];
    for (std::size_t s = 0; s < buffer.count; ++s) {
      const std::uint64_t before = tar->size();
      for (const EncodedFile& f : buffer.samples[s]) tar->add(f.path, f.bytes);
      if (ctx.progress) ctx.progress->add(1, static_cast<std::int64_t>(tar->size() - before));
    }
    if (piece.end == layout.shard_end(piece.shard)) {
      // Complete: end marker, fsync, rename; the done record goes last.
      tar->finish();
      file->commit(true);
      ShardEntry entry;
      entry.shard = piece.shard;
      entry.path = layout.shard_name(piece.shard);
      entry.samples = piece.end - layout.shard_begin(piece.shard);
      entry.bytes = static_cast<std::int64_t>(file->size());
      entry.crc = file->crc();
      tar.reset();
      file.reset();
      if (ctx.journal) ctx.journal->append(shard_record(entry), true);
      ctx.samples += entry.samples;
      ctx.bytes += entry.bytes;
      ++ctx.shards;
      if (ctx.progress) ctx.progress->add_unit();
    }
  };
  stages.stop = [&] { return ctx.stop && ctx.stop->load(); };
  const std::int64_t written = ordered_pipeline(static_cast<std::int64_t>(pieces.size()), ctx.threads, slots, stages);
  if (written < static_cast<std::int64_t>(pieces.size())) ctx.stopped = true;
  // A shard cut short by a stop is not kept: its temporary file goes with the writer.
  tar.reset();
  file.reset();
}

/// Buffers of the run beyond the samples in flight: the encoded pieces queued for the tar writer
/// (a piece's files are at most its samples' raw size, a quarter of their working memory), or an
/// HDF5 file assembled in memory.
double run_buffer_bytes(const DatasetSpec& spec, const OutputSettings& settings, int threads) {
  const Generator& gen = *spec.generator;
  if (gen.makes_point_clouds() && settings.cloud && settings.cloud->batch()) {
    // The clouds, then the file's bytes.
    return 2.0 * static_cast<double>(spec.params.get_int("h5_clouds_per_file")) * gen.sample_memory().output_bytes;
  }
  if (settings.format != OutputFormat::Tar) return 0;
  const double slots = std::max(2, 4 * effective_thread_count(threads));
  return slots * static_cast<double>(piece_samples(gen)) * gen.sample_memory().output_bytes;
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
    if (!redone.empty()) j["shards_redone"] = redone;
  }
  j["seconds"] = seconds;
  j["samples_per_second"] = seconds > 0 ? samples_written / seconds : 0.0;
  j["megabytes_per_second"] = seconds > 0 ? bytes_written / seconds / 1e6 : 0.0;
  j["complete"] = complete;
  j["manifest_written"] = manifest_written;
  j["interrupted"] = interrupted;
  return j.dump();
}

GenerateSummary generate_dataset(const DatasetSpec& spec, const GenerateOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const Generator& gen = *spec.generator;
  GenerateSummary summary;
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  const bool tar = settings.format == OutputFormat::Tar;
  const ShardAssignment& part = o.part;
  summary.output_format = tar ? "tar" : "folder";
  summary.part = part;
  const bool batch_files = gen.makes_point_clouds() && settings.cloud && settings.cloud->batch();
  if (batch_files && (o.classes || o.instances || settings.format == OutputFormat::Tar))
    throw_bad_input("cloud_format " + settings.cloud->name + " writes files that mix every class; --classes, "
                    "--instances and tar shards are not available (split runs with --shard are; an interrupted run "
                    "continues with --resume)");

  if (part.count < 1 || part.index < 0 || part.index >= part.count)
    throw_bad_input("part " + part.text() + " is out of range (need 0 <= I < N)");
  if (tar && (o.classes || o.instances))
    throw_bad_input("--classes/--instances cannot be used with output_format: tar: every shard holds a fixed slice "
                    "of the whole dataset, so a partial run cannot make the full run's shards; try a recipe with "
                    "folder output, or with smaller classes:/instances: in the config");
  if (part.count > 1 && (o.classes || o.instances))
    throw_bad_input("--classes/--instances cannot be combined with a split run (" + part.source +
                    "): split the whole dataset, or run the pieces one by one");
  const auto classes = o.classes.value_or(std::pair<std::int64_t, std::int64_t>{0, gen.num_classes()});
  const auto instances = o.instances.value_or(std::pair<std::int64_t, std::int64_t>{0, gen.instances_per_class()});
  if (classes.first < 0 || classes.second > gen.num_classes() || classes.first >= classes.second)
    throw_bad_input("--classes " + std::to_string(classes.first) + ":" + std::to_string(classes.second) +
                    " is outside the dataset's classes 0:" + std::to_string(gen.num_classes()));
  if (instances.first < 0 || instances.second > gen.instances_per_class() || instances.first >= instances.second)
    throw_bad_input("--instances " + std::to_string(instances.first) + ":" + std::to_string(instances.second) +
                    " is outside the dataset's instances 0:" + std::to_string(gen.instances_per_class()));
  std::optional<TarLayout> layout;
  if (tar) layout.emplace(spec, settings);

  // Work that cannot fit in memory is refused before the folder is touched.
  const MemoryPlan memory = plan_memory(gen, o.threads, run_buffer_bytes(spec, settings, o.threads), o.max_memory);
  check_memory(memory);
  if (o.progress != ProgressMode::Quiet)
    std::fprintf(stderr, "%s: memory: %s\n", part.count > 1 ? ("fdsl [part " + part.text() + "]").c_str() : "fdsl",
                 memory.text().c_str());

  ensure_writable_dir(o.output);
  check_state(spec, o.output, o.resume, part);
  // From here on the folder is ours. Leftover temporary files of a killed run go; in a split run
  // they may be another process's files in flight, and the last process to finish removes them.
  if (part.count == 1) remove_temporary_files(o.output);
  write_file_atomic(state_path(o.output), state_json(spec).dump(1));
  write_file_atomic(o.output / "fdsl.yaml", spec.resolved_yaml());
  // The category files come with the manifest, for the classes the folder then holds: a run of
  // a few classes needs only their categories (a compat replay, a search, of those alone).
  // Batch formats (HDF5, ModelNet40 layout) write files of many clouds: hdf5_dataset.cpp.
  if (batch_files) return generate_hdf5_dataset(spec, settings, o);

  // What this part still has to do.
  std::vector<Unit> pending_units;
  std::vector<std::int64_t> pending_shards;
  std::int64_t todo = 0;
  const std::int64_t chunk = std::max<std::int64_t>(1, gen.preferred_chunk());
  std::int64_t owned_items = 0;
  if (!tar) {
    std::set<std::string> done;
    for (const auto& [c, ranges] : read_done_work(o.output).units)
      for (const auto& [b, e] : ranges) done.insert(unit_key(c, b, e));
    const std::vector<Unit> units = unit_grid(classes, instances, chunk);
    const auto [first, last] = part.range(static_cast<std::int64_t>(units.size()));
    owned_items = last - first;
    for (std::int64_t k = first; k < last; ++k) {
      const Unit& u = units[static_cast<std::size_t>(k)];
      if (done.count(unit_key(u.category, u.begin, u.end))) summary.samples_skipped += u.end - u.begin;
      else {
        pending_units.push_back(u);
        todo += u.end - u.begin;
      }
    }
  } else {
    const DoneWork done = read_done_work(o.output);
    std::map<std::int64_t, std::string> damaged;
    const auto in_place = shards_in_place(o.output, done, &damaged);
    const auto [first, last] = part.range(layout->num_shards());
    owned_items = last - first;
    for (std::int64_t k = first; k < last; ++k) {
      const std::int64_t n = layout->shard_end(k) - layout->shard_begin(k);
      if (in_place.count(k)) {
        ++summary.shards_skipped;
        summary.samples_skipped += n;
      } else {
        pending_shards.push_back(k);
        todo += n;
        if (damaged.count(k)) summary.redone.push_back(damaged[k]);
      }
    }
  }
  const bool quiet = o.progress == ProgressMode::Quiet;
  const std::string prefix = part.count > 1 ? "fdsl [part " + part.text() + "]" : std::string("fdsl");
  for (const std::string& d : summary.redone)
    if (!quiet) std::fprintf(stderr, "%s: %s; writing it again\n", prefix.c_str(), d.c_str());
  if (!quiet && part.count > 1)
    std::fprintf(stderr, "%s: this part owns %s %s (%s); %s samples to write, %s done before (%s)\n", prefix.c_str(),
                 count_text(owned_items).c_str(), tar ? "tar shards" : "work units",
                 owned_items == 0 ? "nothing to do: more parts than pieces of work" : "a contiguous block",
                 count_text(todo).c_str(), count_text(summary.samples_skipped).c_str(), part.source.c_str());
  if (todo > 0) {
    // An old manifest would claim a completeness this run has not checked yet: remove it first,
    // write the new one last.
    std::error_code ec;
    fs::remove(o.output / "manifest.json", ec);
    fs::remove(o.output / "_info.json", ec);
  }

  Journal journal(o.output, part);
  ProgressOptions po;
  po.bar = o.progress == ProgressMode::Bar || (o.progress == ProgressMode::Auto && ::isatty(STDERR_FILENO));
  po.quiet = quiet;
  po.prefix = prefix;
  if (tar) {
    po.units = "shards";
    po.units_total = static_cast<std::int64_t>(pending_shards.size());
  }
  Progress progress(gen.sample_noun(), todo, po);
  RunContext ctx{gen, settings, o.output};
  ctx.threads = o.threads;
  ctx.fsync_files = o.fsync_files;
  ctx.stop = o.stop;
  ctx.journal = &journal;
  ctx.progress = &progress;
  try {
    if (tar) write_shards(ctx, *layout, pending_shards);
    else write_units(ctx, pending_units);
  } catch (const Error& e) {
    // A stop inside a sample (a long normal estimation) or between loop items: the finished
    // work is recorded, the rest is redone by --resume.
    if (e.kind() != ErrorKind::Interrupted) throw;
    ctx.stopped = true;
  }
  progress.finish();

  summary.samples_written = ctx.samples;
  summary.bytes_written = ctx.bytes;
  summary.shards_written = ctx.shards;
  summary.interrupted = ctx.stopped;
  if (!ctx.stopped) {
    const TarLayout* l = layout ? &*layout : nullptr;
    if (part.count == 1) {
      summary.complete = write_manifest(spec, l, o.output);
      summary.manifest_written = true;
    } else {
      // The first process to find every part done writes the manifest: the last one to finish.
      // (Leftover temporary files of crashed parts stay until `fdsl merge`: here another part
      // may still be writing its report.)
      journal.sync();
      const FolderLock lock(o.output);
      if (dataset_complete(spec, l, o.output)) {
        summary.complete = true;
        if (!fs::exists(o.output / "manifest.json")) {
          write_manifest(spec, l, o.output);
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
  if (!fs::exists(state_path(dir)))
    throw_bad_input(dir.string() + " holds no fdsl dataset (no .fdsl-state.json): nothing to merge");
  check_state(spec, dir, true, ShardAssignment{});
  const Generator& gen = *spec.generator;
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  MergeSummary m;
  if (gen.makes_point_clouds() && settings.cloud && settings.cloud->batch()) {
    MergeSummary m = merge_hdf5_dataset(spec, dir);
    if (m.complete) m.temporary_files_removed = remove_temporary_files(dir);
    return m;
  }
  const DoneWork done = read_done_work(dir);
  std::optional<TarLayout> layout;
  if (settings.format == OutputFormat::Tar) {
    layout.emplace(spec, settings);
    const auto in_place = shards_in_place(dir, done);
    m.parts_total = layout->num_shards();
    for (std::int64_t k = 0; k < layout->num_shards(); ++k) {
      if (in_place.count(k)) ++m.parts_done;
      else if (m.missing.size() < 10) m.missing.push_back(layout->shard_name(k));
    }
  } else {
    const auto units = unit_grid({0, gen.num_classes()}, {0, gen.instances_per_class()},
                                 std::max<std::int64_t>(1, gen.preferred_chunk()));
    m.parts_total = static_cast<std::int64_t>(units.size());
    for (const Unit& u : units) {
      bool covered = false;
      if (auto it = done.units.find(u.category); it != done.units.end())
        for (const auto& [b, e] : it->second) covered = covered || (b <= u.begin && u.end <= e);
      if (covered) ++m.parts_done;
      else if (m.missing.size() < 10)
        m.missing.push_back("class " + std::to_string(u.category) + " instances " + std::to_string(u.begin) + ":" +
                            std::to_string(u.end));
    }
  }
  m.complete = m.parts_done == m.parts_total;
  if (m.complete) {
    const FolderLock lock(dir);
    write_manifest(spec, layout ? &*layout : nullptr, dir);
    m.temporary_files_removed = remove_temporary_files(dir);
  }
  return m;
}

void regenerate_items(const DatasetSpec& spec, const fs::path& dir, const std::vector<std::int64_t>& shards,
                      const std::vector<std::pair<std::int64_t, std::int64_t>>& samples, int threads) {
  const OutputSettings settings = OutputSettings::from_params(spec.params);
  RunContext ctx{*spec.generator, settings, dir};
  ctx.threads = threads;
  if (!shards.empty()) {
    const TarLayout layout(spec, settings);
    write_shards(ctx, layout, shards);
  }
  if (!samples.empty()) {
    std::vector<Unit> units;
    for (const auto& [c, i] : samples) units.push_back({c, i, i + 1});
    write_units(ctx, units);
  }
}

}  // namespace fdsl
