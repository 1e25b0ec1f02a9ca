// Writing a dataset through its sink (ImageFolder files, WebDataset tar shards, HDF5 files):
// categories, manifest; resumable, partial and split (many processes or machines) runs.
//
// Layout of an output folder:
//   {class:05d}/<sample name>.png     folder output: the images (one folder per class, no other folder)
//   {prefix}-{shard:06d}.tar          tar output: WebDataset shards (<key>.png, <key>.cls, <key>.json)
//   _info.json                        tar output: the split for timm (name, num_samples, filenames, shard_lengths)
//   ply_data_train{k}.h5, train_files.txt, shape_names.txt   cloud_format hdf5 (ModelNet40)
//   categories.csv                    FractalDB-style category table (2D IFS families)
//   categories.json                   the parameters of the categories the folder holds
//   fdsl.yaml                         the resolved config: `fdsl generate DIR` regenerates
//   manifest.json                     written last: config and fingerprint, version, categories, checksums
//   .fdsl-state.json                  the config this folder belongs to (resume checks it)
//   .fdsl-journal[-I-of-N].jsonl      one line per finished work item, with the config's fingerprint
//   .fdsl-last-run[-I-of-N].json      the last run's summary (samples, bytes, time)
//   .fdsl-run[-I-of-N].lock           held by the process writing the folder (or part), with its pid
//   .fdsl-lock                        taken briefly by the parts of a split run to elect the manifest writer
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fdsl/dataset/partition.h"
#include "fdsl/dataset/spec.h"

namespace fdsl {

enum class ProgressMode { Auto, Bar, Log, Quiet };

struct GenerateOptions {
  std::filesystem::path output;                                    ///< the dataset folder
  int threads = 0;                                                 ///< 0: all cores (or SLURM_CPUS_PER_TASK)
  bool resume = false;                                             ///< continue a folder made by the same config
  std::optional<std::pair<std::int64_t, std::int64_t>> classes;    ///< only classes [A, B) (folder output)
  std::optional<std::pair<std::int64_t, std::int64_t>> instances;  ///< only instances [A, B) of each class
  ShardAssignment part;                                            ///< the part of a split run this process makes
  bool fsync_files = false;                    ///< folder output: fsync every file (shards always are)
  ProgressMode progress = ProgressMode::Auto;  ///< Auto: a bar on a terminal, log lines otherwise
  const std::atomic<bool>* stop = nullptr;     ///< set (e.g. by SIGINT) to stop after in-flight work
  double max_memory = 0;                       ///< bytes the run may take (0: what the machine leaves)
  bool force = false;                          ///< write into a non-empty folder that holds no fdsl dataset
  bool check = false;  ///< resume: also check the CRC-32 of every recorded file (not only its size)
};

struct GenerateSummary {
  std::string output_format;         ///< "folder", "tar" or "hdf5"
  ShardAssignment part;              ///< this process's part
  std::int64_t samples_written = 0;  ///< samples written by this run
  std::int64_t samples_skipped = 0;  ///< samples of this part already done (resume)
  std::int64_t bytes_written = 0;
  std::int64_t shards_written = 0;  ///< tar: shards written by this run
  std::int64_t shards_skipped = 0;  ///< tar: shards of this part already done
  std::vector<std::string> redone;  ///< recorded items whose files were missing or changed, made again
  std::int64_t blank_samples = 0;   ///< samples written whose image (or a view) is one flat color
  std::string first_blank;          ///< the first of them
  std::int64_t guard_redrawn = 0;   ///< samples written from a later draw by a generation guard
  std::int64_t guard_failed = 0;    ///< samples written that no draw of guard_draws passed
  std::string first_guard_failed;   ///< the first of them
  double seconds = 0;
  bool complete = false;          ///< every class and instance of the dataset is present
  bool manifest_written = false;  ///< this process wrote manifest.json (the last of a split run to finish)
  bool interrupted = false;
  std::string to_json() const;
};

/// Generates (part of) the dataset into options.output. Throws Error(BadInput) for an unusable
/// folder (not writable; holds another config's or version's work, by its state, manifest,
/// fdsl.yaml or any journal record; holds a dataset and resume is off; is not empty and holds no
/// dataset, without force; is being written by another process) or options that cannot go
/// together (tar output with --classes, a split run with --classes). Resume remakes the recorded
/// items whose files are missing or have another size (or CRC-32, with check).
/// A split run (part.count > 1) joins a folder that holds the same config; the process that finds
/// every part done when it finishes writes the manifest (and _info.json).
GenerateSummary generate_dataset(const DatasetSpec& spec, const GenerateOptions& options);

/// What merge_dataset found.
struct MergeSummary {
  bool complete = false;
  std::int64_t parts_done = 0, parts_total = 0;  ///< shards (tar) or work units (folder)
  std::vector<std::string> missing;              ///< the first missing shards or units, for messages
  std::size_t temporary_files_removed = 0;
};

/// After a split run: reads every journal in `dir` and, when every part is done, writes the
/// manifest (and _info.json) and removes leftover temporary files. Writes nothing when parts are
/// missing (`missing` says which).
MergeSummary merge_dataset(const DatasetSpec& spec, const std::filesystem::path& dir);

/// Makes the data files `paths` of a dataset again from its config, with the bytes of the
/// original run (the items that make them: samples, shards, HDF5 files), then the manifest and
/// the layout's files from the journals. A path no item makes is a bad-input error. Returns how
/// many items it made.
std::int64_t regenerate_files(const DatasetSpec& spec, const std::filesystem::path& dir,
                              const std::vector<std::string>& paths, int threads);

}  // namespace fdsl
