// manifest.json: what a dataset holds (config and its fingerprint, categories, every data file
// with its size and CRC-32), written last from the journal records, after the category files
// and the layout's own files (_info.json for timm, train_files.txt for PointNet).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "fdsl/dataset/sink.h"
#include "fdsl/dataset/spec.h"

namespace fdsl {

/// Writes the category files of the classes `done` holds (categories.json, ...), the sink's
/// layout files and DIR/manifest.json, in that order. Returns whether every sample is present.
bool write_manifest(const DatasetSpec& spec, const Sink& sink, const std::filesystem::path& dir,
                    const std::map<std::string, ItemRecord>& done, const std::string& fingerprint);

}  // namespace fdsl
