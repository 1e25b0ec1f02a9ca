// The tar sink: WebDataset shards, each a fixed slice of the sample order (TarLayout). Pieces of
// shards are rendered and encoded in parallel and written in order by one writer, so a shard's
// bytes do not depend on the thread count; a shard is renamed into place when complete.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/coco.h"
#include "fdsl/dataset/progress.h"
#include "fdsl/dataset/tar_layout.h"
#include "fdsl/io/files.h"
#include "fdsl/io/tar_reader.h"
#include "fdsl/io/tar_writer.h"
#include "sinks.h"

namespace fdsl::detail {

namespace {

/// Positions [begin, end) of one shard: one item of the pipeline.
struct Piece {
  std::int64_t shard, begin, end;
};

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

class TarSink final : public Sink {
 public:
  TarSink(const DatasetSpec& spec, const OutputSettings& settings)
      : Sink(*spec.generator),
        spec_(spec),
        settings_(settings),
        layout_(spec, settings),
        masks_(spec.generator->masks()),
        coco_(masks_.on && settings.coco) {}  // coco: false without masks is refused by make_layout_sink

  std::string layout() const override { return "webdataset"; }
  std::string format() const override { return "tar"; }
  std::string unit_noun() const override { return "shards"; }
  std::int64_t chunk() const override { return piece_samples(gen_); }

  std::vector<WorkItem> items(const Selection&) const override {
    std::vector<WorkItem> out;
    for (std::int64_t k = 0; k < layout_.num_shards(); ++k) out.push_back(shard_item(k));
    return out;
  }

  /// Render threads make and encode pieces in parallel; a writer thread of its own appends them
  /// to their shards in order (the copy into the page cache, a finished shard's fsync, rename and
  /// journal record), so no render thread waits on the disk. At most `threads` pieces wait for it.
  void write(const std::vector<WorkItem>& shards, SinkRun& run) const override {
    const std::vector<Piece> pieces = cut_pieces(shards, chunk());
    const int threads = effective_thread_count(run.threads);
    const std::size_t slots = static_cast<std::size_t>(std::max(2, 4 * threads));
    const auto max_queued = static_cast<std::size_t>(writer_queue(run.threads));
    std::vector<PieceBuffer> buffers(slots);

    // Shared with the writer thread, under `mutex`.
    std::mutex mutex;
    std::condition_variable has_work, has_room;
    std::deque<std::pair<std::int64_t, PieceBuffer>> queue;
    std::vector<PieceBuffer> spare;  // written buffers, handed back to the slots
    bool closing = false;
    std::exception_ptr error;
    std::int64_t written = 0;

    std::thread writer([&] {
      // The shard being written: only this thread touches these.
      std::unique_ptr<AtomicFileWriter> file;
      std::optional<TarWriter> tar;
      for (;;) {
        std::pair<std::int64_t, PieceBuffer> job;
        {
          std::unique_lock<std::mutex> lock(mutex);
          has_work.wait(lock, [&] { return !queue.empty() || closing; });
          if (queue.empty()) break;
          job = std::move(queue.front());
          queue.pop_front();
          if (error) {
            spare.push_back(std::move(job.second));
            has_room.notify_all();
            continue;
          }
        }
        has_room.notify_all();
        try {
          write_piece(pieces[static_cast<std::size_t>(job.first)], job.second, run, file, tar);
          const std::lock_guard<std::mutex> lock(mutex);
          ++written;
        } catch (...) {
          const std::lock_guard<std::mutex> lock(mutex);
          if (!error) error = std::current_exception();
        }
        {
          const std::lock_guard<std::mutex> lock(mutex);
          spare.push_back(std::move(job.second));
        }
        has_room.notify_all();
      }
      // A shard cut short by a stop or an error is not kept: its temporary file goes with the writer.
      tar.reset();
      file.reset();
    });
    const auto stop_writer = [&] {
      {
        const std::lock_guard<std::mutex> lock(mutex);
        closing = true;
      }
      has_work.notify_all();
      writer.join();
    };

    PipelineStages stages;
    stages.work = [&](std::int64_t i, std::size_t slot) {
      make_piece(pieces[static_cast<std::size_t>(i)], buffers[slot], run);
    };
    stages.write = [&](std::int64_t i, std::size_t slot) {
      PieceBuffer filled;
      {
        std::unique_lock<std::mutex> lock(mutex);
        has_room.wait(lock, [&] { return queue.size() < max_queued || error; });
        if (error) return;  // the writer failed: nothing more is written (stop() ends the run)
        if (!spare.empty()) {
          filled = std::move(spare.back());
          spare.pop_back();
        }
        // The slot keeps a written buffer (its allocations reused); the writer takes the new one.
        std::swap(filled, buffers[slot]);
        queue.emplace_back(i, std::move(filled));
      }
      has_work.notify_one();
    };
    stages.stop = [&] {
      if (run.stop && run.stop->load()) return true;
      const std::lock_guard<std::mutex> lock(mutex);
      return static_cast<bool>(error);
    };
    try {
      ordered_pipeline(static_cast<std::int64_t>(pieces.size()), run.threads, slots, stages);
    } catch (...) {
      stop_writer();
      throw;
    }
    stop_writer();
    if (error) std::rethrow_exception(error);
    if (written < static_cast<std::int64_t>(pieces.size())) run.stopped = true;
  }

  std::string item_name(const WorkItem& shard) const override { return layout_.shard_name(shard.index); }

  std::vector<WorkItem> items_of(const std::vector<std::string>& paths,
                                 std::vector<std::string>& unknown) const override {
    std::vector<WorkItem> out;
    for (const std::string& p : paths) {
      bool found = false;
      for (std::int64_t k = 0; k < layout_.num_shards() && !found; ++k)
        if (layout_.shard_name(k) == p) {
          out.push_back(shard_item(k));
          found = true;
        }
      if (!found) unknown.push_back(p);
    }
    return out;
  }

  void describe(nlohmann::ordered_json& head, const std::map<std::string, ItemRecord>& done) const override {
    std::int64_t samples = 0;
    for (const auto& [key, r] : done)
      for (const FileRecord& f : r.files) samples += f.samples;
    head["num_samples"] = samples;
    head["shard_samples"] = layout_.shard_samples();
    head["shuffle"] = layout_.shuffled();
    head["split"] = layout_.prefix();
  }

  void finish(const std::map<std::string, ItemRecord>& done, const std::filesystem::path& dir,
              bool complete) const override {
    std::error_code ec;
    if (!complete) {
      std::filesystem::remove(dir / "_info.json", ec);
      if (coco_) std::filesystem::remove(dir / coco_file(), ec);
      return;
    }
    if (coco_) write_coco(dir);
    nlohmann::ordered_json splits;
    splits[layout_.prefix()] = split_info(done);
    write_tar_info(spec_, splits, dir);
  }

  /// The split as timm reads it from _info.json: name, num_samples, filenames, shard_lengths.
  nlohmann::ordered_json split_info(const std::map<std::string, ItemRecord>& done) const override {
    nlohmann::ordered_json files = nlohmann::ordered_json::array(), lengths = nlohmann::ordered_json::array();
    std::int64_t samples = 0;
    for (std::int64_t k = 0; k < layout_.num_shards(); ++k) {
      const FileRecord& f = done.at(shard_item(k).key).files.at(0);
      files.push_back(f.path);
      lengths.push_back(f.samples);
      samples += f.samples;
    }
    nlohmann::ordered_json split;
    split["name"] = layout_.prefix();
    split["num_samples"] = samples;
    split["filenames"] = std::move(files);
    split["shard_lengths"] = std::move(lengths);
    return split;
  }

  std::vector<std::string> layout_files() const override {
    if (coco_) return {"_info.json", coco_file()};
    return {"_info.json"};
  }

 private:
  std::string coco_file() const { return "annotations/instances_" + layout_.prefix() + ".json"; }

  /// annotations/instances_{split}.json beside the shards: every sample's objects, read back from
  /// its members <key>.seg.png and <key>.inst.png, images in shard order, each named by its image
  /// member with the shard that holds it ("shard").
  void write_coco(const std::filesystem::path& dir) const {
    CocoWriter coco(dir / coco_file(), masks_);
    std::vector<CocoEncodedImage> block;
    constexpr std::size_t kBlock = 256;
    for (std::int64_t k = 0; k < layout_.num_shards(); ++k) {
      const std::string shard = layout_.shard_name(k);
      const std::string extra = "\"shard\":" + nlohmann::json(shard).dump();
      TarReader reader(dir / shard);
      TarMember m;
      std::vector<std::uint8_t> data;
      CocoEncodedImage cur;
      std::string key;
      const auto close = [&] {
        if (!key.empty() && !cur.semantic_png.empty() && !cur.instances_png.empty()) {
          block.push_back(std::move(cur));
          if (block.size() >= kBlock) {
            coco.add(block, 0);
            block.clear();
          }
        }
        cur = CocoEncodedImage();
      };
      while (reader.next(m, data)) {
        const std::size_t dot = m.name.find('.');
        if (dot == std::string::npos) continue;
        const std::string name_key = m.name.substr(0, dot), ext = m.name.substr(dot);
        if (name_key != key) {
          close();
          key = name_key;
          cur.extra = extra;
        }
        if (ext == ".png")
          cur.file_name = m.name;
        else if (ext == ".seg.png")
          cur.semantic_png = std::move(data);
        else if (ext == ".inst.png")
          cur.instances_png = std::move(data);
        data.clear();
      }
      close();
    }
    if (!block.empty()) coco.add(block, 0);
    coco.commit();
  }

  WorkItem shard_item(std::int64_t k) const {
    WorkItem w;
    w.key = "shard " + std::to_string(k);
    w.index = k;
    w.begin = layout_.shard_begin(k);
    w.end = layout_.shard_end(k);
    w.samples = w.end - w.begin;
    return w;
  }

  /// Cuts shards into pieces of at most `chunk` samples; in class-major order also at the
  /// generator's chunk grid, so make_range shares work (FractalDB: one orbit per weight row) as it
  /// does for folder output.
  std::vector<Piece> cut_pieces(const std::vector<WorkItem>& shards, std::int64_t chunk) const {
    std::vector<Piece> pieces;
    for (const WorkItem& shard : shards) {
      const std::int64_t k = shard.index, end = layout_.shard_end(k);
      for (std::int64_t p = layout_.shard_begin(k); p < end;) {
        std::int64_t q = p + 1;
        if (layout_.shuffled())
          q = std::min(end, p + chunk);
        else
          while (q < end && q - p < chunk && layout_.sample_at(q).second % chunk != 0) ++q;
        pieces.push_back({k, p, q});
        p = q;
      }
    }
    return pieces;
  }

  /// Appends a piece to its shard (opened at the shard's first piece); at the shard's last
  /// piece: the end marker, fsync, rename, then the done record.
  void write_piece(const Piece& piece, const PieceBuffer& buffer, SinkRun& run, std::unique_ptr<AtomicFileWriter>& file,
                   std::optional<TarWriter>& tar) const {
    if (piece.begin == layout_.shard_begin(piece.shard)) {
      tar.reset();
      file = std::make_unique<AtomicFileWriter>(run.dir / layout_.shard_name(piece.shard));
      tar.emplace(*file);
    }
    for (std::size_t s = 0; s < buffer.count; ++s) {
      const std::uint64_t before = tar->size();
      for (const EncodedFile& f : buffer.samples[s]) tar->add(f.path, f.bytes);
      if (run.progress) run.progress->add(1, static_cast<std::int64_t>(tar->size() - before));
    }
    if (piece.end == layout_.shard_end(piece.shard)) {
      tar->finish();
      file->commit(true);
      FileRecord f;
      f.path = layout_.shard_name(piece.shard);
      f.samples = piece.end - layout_.shard_begin(piece.shard);
      f.bytes = static_cast<std::int64_t>(file->size());
      f.crc = file->crc();
      tar.reset();
      file.reset();
      run.samples += f.samples;
      run.bytes += f.bytes;
      if (run.progress) run.progress->add_unit();
      std::vector<FileRecord> files{std::move(f)};
      if (run.done) run.done(shard_item(piece.shard), std::move(files));
    }
  }

  void make_piece(const Piece& piece, PieceBuffer& buffer, SinkRun& run) const {
    buffer.count = 0;
    for (std::int64_t p = piece.begin; p < piece.end;) {
      // Consecutive instances of one class are made together.
      const auto [c, i] = layout_.sample_at(p);
      std::int64_t q = p + 1;
      while (q < piece.end && layout_.sample_at(q) == std::pair<std::int64_t, std::int64_t>{c, i + (q - p)}) ++q;
      make_range_checked(gen_, c, i, i + (q - p), [&](Sample&& s) {
        if (buffer.samples.size() <= buffer.count) buffer.samples.emplace_back();
        std::vector<EncodedFile>& files = buffer.samples[buffer.count++];
        note_sample(run, s);
        encode_sample(s, settings_, files);
        note_encoded(run, s, files);
        check_webdataset_names(s.name, files);
      });
      p = q;
    }
  }

  const DatasetSpec& spec_;
  OutputSettings settings_;
  TarLayout layout_;
  MaskInfo masks_;
  bool coco_ = false;  ///< masks and the COCO file
};

}  // namespace

void write_tar_info(const DatasetSpec& spec, const nlohmann::ordered_json& splits, const std::filesystem::path& dir) {
  // timm reads this file to train from the shards: splits[name] with name, num_samples,
  // filenames and shard_lengths.
  nlohmann::ordered_json info;
  info["name"] = spec.params.get_string("name");
  info["fdsl_version"] = kVersion;
  info["num_classes"] = spec.generator->num_classes();
  info["splits"] = splits;
  write_file_atomic(dir / "_info.json", info.dump(1) + "\n", true);
}

std::unique_ptr<Sink> make_tar_sink(const DatasetSpec& spec, const OutputSettings& settings) {
  return std::make_unique<TarSink>(spec, settings);
}

}  // namespace fdsl::detail
