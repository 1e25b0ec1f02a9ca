// Internal to dataset/: the sinks' factories and what they share with the pipeline.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "fdsl/dataset/partition.h"
#include "fdsl/dataset/sink.h"

namespace fdsl::detail {

/// The folder sink; `prefix` ("val/") goes before every path in a dataset of several splits.
std::unique_ptr<Sink> make_folder_sink(const DatasetSpec& spec, const OutputSettings& settings,
                                       const std::string& prefix = "");
std::unique_ptr<Sink> make_tar_sink(const DatasetSpec& spec, const OutputSettings& settings);
std::unique_ptr<Sink> make_hdf5_sink(const DatasetSpec& spec, const OutputSettings& settings);
/// A dataset of several splits: one sink per split, each with its own generator.
std::unique_ptr<Sink> make_split_sink(const DatasetSpec& spec, const OutputSettings& settings,
                                      const std::vector<std::string>& splits);
/// A single-split sink of the spec's layout (the split names its tar shards and HDF5 files).
std::unique_ptr<Sink> make_layout_sink(const DatasetSpec& spec, const OutputSettings& settings,
                                       const std::string& folder_prefix);
/// _info.json of tar shards with the given splits (name -> split_info()).
void write_tar_info(const DatasetSpec& spec, const nlohmann::ordered_json& splits, const std::filesystem::path& dir);
/// The splits a dataset folder holds: `splits`, or just `split` (checked: names, no repeats).
std::vector<std::string> dataset_splits(const Params& params);
/// The spec of one split of a dataset of several (`splits`): the same config with that split's
/// streams and instance count, as its part of the dataset was made.
DatasetSpec split_spec(const DatasetSpec& spec, const std::string& split);

/// Reads a work-unit key "unit C B-E"; false for any other key.
bool parse_unit_key(const std::string& key, std::int64_t& category, std::int64_t& begin, std::int64_t& end);

/// make_range, with running out of memory reported as an error that names the samples.
void make_range_checked(const Generator& gen, std::int64_t category, std::int64_t begin, std::int64_t end,
                        const std::function<void(Sample&&)>& emit);

/// Samples a piece of a tar shard holds: the generator's chunk (work shared across it), fewer
/// when their raw outputs pass 32 MB (large images), so the queued pieces stay bounded.
std::int64_t piece_samples(const Generator& gen);

/// The bound of the folder sink's queue of encoded files waiting for a writer thread: two raw
/// samples per render thread, at least 8 MiB, at most 64 MiB (a larger file still goes, alone).
double queue_bytes(const Generator& gen, int threads);
/// The tar sink: encoded pieces that may wait for its shard writer thread (one per render thread).
int writer_queue(int threads);

/// "" for a single process, "-I-of-N" for part I of N: each process has its own bookkeeping files.
std::string part_suffix(const ShardAssignment& part);

/// An exclusive lock on DIR/.fdsl-lock for the time of a scope (flock: local filesystems and NFS),
/// held briefly: the processes of a split run take it to decide which one writes the manifest.
/// Where the filesystem has no locks, it goes on without one.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

/// The lock of a process writing a dataset folder, held for the whole run: a single process (or
/// merge, or a repair) takes DIR/.fdsl-run.lock exclusively; part I of N takes it shared and its
/// own DIR/.fdsl-run-I-of-N.lock exclusively. A second writer is refused at once with an error
/// naming the holder's pid (flock, never waits). The pid is written into the lock file.
class RunLock {
 public:
  RunLock(const std::filesystem::path& dir, const ShardAssignment& part);
  ~RunLock();
  /// Whether another process holds DIR's run lock now (a part of a split run writing into it).
  static bool held_by_another(const std::filesystem::path& dir);
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int whole_ = -1, own_ = -1;
};

/// The fingerprint of a resolved config and the fdsl version: 16 hex digits, recorded with every
/// journal record and in the manifest, so that work of another config is never taken for this one.
std::string config_fingerprint(const DatasetSpec& spec);

}  // namespace fdsl::detail
