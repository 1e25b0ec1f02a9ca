// Writing a point-cloud dataset as HDF5 files in the ModelNet40 layout, the batch format PointNet-
// family loaders read: files of B clouds, a file list and the class names.
//
// Layout of an output folder (beside fdsl.yaml, categories.*, manifest.json and the .fdsl-* files):
//   ply_data_train{k}.h5   data (B,N,3) float32, label (B,1) int32, [normal (B,N,3) float32],
//                          sample_index (B,2) int32: the (category, instance) of every cloud
//   train_files.txt        the .h5 file names, one per line (ModelNet40's list)
//   shape_names.txt        the class names (000000, 000001, ...), one per line
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/generate.h"

namespace fdsl {

/// Generates every file of the dataset (of this part: files k with k % N == I for part I of N)
/// that the part's journal does not list yet, file by file (the clouds of a file in parallel),
/// each written atomically and then journaled, so an interrupted run resumes at file
/// granularity. Cloud k of the dataset (k = category * instances + instance) goes to position j
/// of the file order: a seeded permutation (h5_shuffle) or the identity, the same for every part.
/// The last part to finish (or a single process) writes the file lists and the manifest. The
/// folder's state and categories are the caller's (generate_dataset); partial runs (--classes,
/// --instances) are refused, since every file mixes classes.
GenerateSummary generate_hdf5_dataset(const DatasetSpec& spec, const OutputSettings& settings,
                                      const GenerateOptions& options);

/// `fdsl merge` for an HDF5 dataset: when the journals of all parts list every file, writes the
/// file lists and the manifest.
MergeSummary merge_hdf5_dataset(const DatasetSpec& spec, const std::filesystem::path& dir);

/// `fdsl verify --regenerate` for an HDF5 dataset: writes the named files (ply_data_train{k}.h5)
/// again, each atomically, byte for byte as the run made them; journals and manifest stay as they
/// are. A name that is not one of the dataset's files is a bad-input error. Returns how many.
std::int64_t regenerate_hdf5_files(const DatasetSpec& spec, const std::filesystem::path& dir,
                                   const std::vector<std::string>& paths, int threads);

/// The file order of the clouds: position j holds cloud order[j]. Deterministic in the seed.
std::vector<std::int64_t> hdf5_cloud_order(std::int64_t clouds, bool shuffle, std::uint64_t seed);

}  // namespace fdsl
