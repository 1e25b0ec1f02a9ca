// manifest.json: what a finished dataset holds (config, categories, every file or shard with its
// size and CRC-32), written last from the journals. For tar shards also _info.json, the split
// description timm's WebDataset reader takes (splits -> name, num_samples, filenames,
// shard_lengths).
#pragma once

#include <filesystem>

#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/tar_layout.h"

namespace fdsl {

/// Writes DIR/manifest.json from the journals (and, for a complete tar dataset, DIR/_info.json),
/// after the category files of the classes the folder holds (categories.json, ...: every class of
/// a shard dataset, the classes with samples of a folder one); `layout` is null for a folder
/// dataset. Returns whether every sample of the dataset is present.
bool write_manifest(const DatasetSpec& spec, const TarLayout* layout, const std::filesystem::path& dir);

/// The classes a folder's journals hold samples of, ascending.
std::vector<std::int64_t> present_categories(const DoneWork& done);
/// Whether every sample is present according to the journals (and, for shards, the files).
bool dataset_complete(const DatasetSpec& spec, const TarLayout* layout, const std::filesystem::path& dir);

}  // namespace fdsl
