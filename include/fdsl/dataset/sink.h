// Output layouts as sinks. A dataset is cut into work items, the unit of the journal, of resume
// and of split runs: a folder's work units (a class x a chunk of instances), tar shards, HDF5
// files. A sink knows its items, makes them (with the parallelism that suits it) and reports
// each finished item with its files; everything else (plan, journal, resume, locks, manifest,
// verify, repair, merge) is the pipeline's, written once for every sink (dataset/pipeline.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/spec.h"

namespace fdsl {

class Progress;
class SampleStatsCache;

/// One file of a finished item, as the journal and the manifest record it.
struct FileRecord {
  std::string path;  ///< relative to the dataset root
  std::int64_t bytes = 0;
  std::uint32_t crc = 0;
  std::int64_t label = -1;           ///< folder files: the class (-1: none)
  std::vector<std::int64_t> labels;  ///< folder files of multi-label samples
  std::int64_t samples = 0;          ///< shards and HDF5 files: the samples (clouds) inside
};

/// One piece of work. Keys are stable across runs and machines: "unit 3 0-40" (class 3,
/// instances [0, 40)), "shard 12", "h5 4".
struct WorkItem {
  std::string key;
  std::int64_t index = 0;           ///< class (units), shard or file number
  std::int64_t begin = 0, end = 0;  ///< units: the instances [begin, end)
  std::int64_t samples = 0;         ///< samples the item makes
};

/// A finished item as recorded: its key and its files.
struct ItemRecord {
  std::string key;
  std::vector<FileRecord> files;
};

/// Which samples a run makes: every class and instance, or a block (folder output only).
struct Selection {
  std::pair<std::int64_t, std::int64_t> classes{0, 0};
  std::pair<std::int64_t, std::int64_t> instances{0, 0};
  bool whole = true;  ///< the whole dataset
};

/// What a sink's write() works with.
struct SinkRun {
  SinkRun(const Generator& g, const OutputSettings& s, std::filesystem::path d)
      : gen(g), settings(s), dir(std::move(d)) {}
  const Generator& gen;
  const OutputSettings& settings;
  std::filesystem::path dir;
  int threads = 0;
  bool fsync_files = false;
  const std::atomic<bool>* stop = nullptr;  ///< raised: stop after the work in flight
  Progress* progress = nullptr;             ///< may be null
  /// Called once per finished item, from any thread (the pipeline serializes), after its files
  /// are in place; the journal record goes last.
  std::function<void(const WorkItem&, std::vector<FileRecord>&&)> done = {};
  std::atomic<std::int64_t> samples{0}, bytes{0};
  /// Samples whose image (or a view) is one flat color: a formula that drew nothing on the
  /// canvas. Counted by note_sample(); the run warns about them.
  std::atomic<std::int64_t> blank{0};
  std::string first_blank;  ///< the first such sample's name (under blank_mutex)
  std::mutex blank_mutex;
  /// Generation guards: samples kept from a later draw, and samples no draw passed (the first
  /// such sample's name under blank_mutex). Counted by note_sample().
  std::atomic<std::int64_t> guard_redrawn{0}, guard_failed{0};
  std::string first_guard_failed;
  /// The split the samples belong to in a dataset of several splits ("" otherwise).
  std::string split;
  /// Told of every sample a guard redrew or could not pass (split, sample), from any thread; the
  /// pipeline journals it for the manifest. May be empty.
  std::function<void(const std::string&, const Sample&)> on_guard = {};
  bool stopped = false;  ///< set by write() when it stopped before every item was done
  /// The dataset card's samples, measured as the sinks encode them (note_encoded); may be null.
  SampleStatsCache* card_stats = nullptr;
};

/// Counts `s` in run.blank when its image or any view is one flat color, and in the guard counts
/// when a guard redrew it or no draw passed (telling run.on_guard); sinks call it for every sample
/// they write.
void note_sample(SinkRun& run, const Sample& s);
/// After encode_sample: hands the sample and the sizes of its encoded pictures to run.card_stats
/// when the card wants it.
void note_encoded(SinkRun& run, const Sample& s, const std::vector<EncodedFile>& files);

class Sink {
 public:
  explicit Sink(const Generator& gen) : gen_(gen) {}
  virtual ~Sink() = default;
  /// The manifest's `layout`: "imagefolder", "webdataset", "modelnet40_hdf5".
  virtual std::string layout() const = 0;
  /// The `output_format` the summary reports: "folder", "tar", "hdf5".
  virtual std::string format() const = 0;
  /// Whether a run may make part of the classes or instances (--classes, --instances).
  virtual bool partial_runs() const { return false; }
  /// The items of `selection` (of the whole dataset unless the sink allows partial runs), in
  /// order; the same list on every machine and for every thread count.
  virtual std::vector<WorkItem> items(const Selection& selection) const = 0;
  /// Makes `items` into run.dir, calling run.done for each finished one; stops after the work in
  /// flight when run.stop is raised (setting run.stopped).
  virtual void write(const std::vector<WorkItem>& items, SinkRun& run) const = 0;
  /// The items that remake damaged data files (`fdsl verify --regenerate`), each once; paths no
  /// item makes go to `unknown`.
  virtual std::vector<WorkItem> items_of(const std::vector<std::string>& paths,
                                         std::vector<std::string>& unknown) const = 0;
  /// Whether `done` holds every sample of the dataset (by default: every item of the whole grid).
  virtual bool complete(const std::map<std::string, ItemRecord>& done) const;
  /// The classes `done` holds samples of, ascending (by default every class).
  virtual std::vector<std::int64_t> categories(const std::map<std::string, ItemRecord>& done) const;
  /// An item as a person names it: "class 3 instances 0:40", "train-000012.tar".
  virtual std::string item_name(const WorkItem& item) const { return item.key; }
  /// The manifest's name for a file's sample count ("samples"; HDF5 files: "clouds").
  virtual std::string count_key() const { return "samples"; }
  /// Layout fields of the manifest's head (after the common ones).
  virtual void describe(nlohmann::ordered_json& /*head*/, const std::map<std::string, ItemRecord>& /*done*/) const {}
  /// Files beside the samples that the layout's readers need, written with the manifest
  /// (_info.json, train_files.txt, ...); `complete`: every item is done.
  virtual void finish(const std::map<std::string, ItemRecord>& /*done*/, const std::filesystem::path& /*dir*/,
                      bool /*complete*/) const {}
  /// A tar split's entry of _info.json (name, num_samples, filenames, shard_lengths); null for
  /// other layouts. `done` holds every item.
  virtual nlohmann::ordered_json split_info(const std::map<std::string, ItemRecord>& /*done*/) const { return {}; }
  /// The layout's own files beside the samples (kept by verify, not data): "_info.json", ...
  virtual std::vector<std::string> layout_files() const { return {}; }
  /// The work units of a grid, for progress: "shards", "" when items are not worth counting.
  virtual std::string unit_noun() const { return ""; }
  /// How many samples make_range shares work across when the sink renders a run of them.
  virtual std::int64_t chunk() const = 0;
  /// The file entries the manifest of the finished dataset lists when they grow with its samples
  /// (a folder's files: they are all held in memory while it is written); 0 where they are few
  /// (tar shards, HDF5 files).
  virtual double manifest_entries() const { return 0; }

 protected:
  const Generator& gen_;
};

/// The sink of a dataset spec: tar shards (output_format: tar), HDF5 files (cloud_format: hdf5)
/// or an ImageFolder-style tree of files.
std::unique_ptr<Sink> make_sink(const DatasetSpec& spec, const OutputSettings& settings);

/// The work-unit key "unit C B-E".
std::string unit_key(std::int64_t category, std::int64_t begin, std::int64_t end);

}  // namespace fdsl
