// manifest.json: what a dataset holds (config and its fingerprint, categories, every data file
// with its size and CRC-32), written last from the journal records, after the category files
// and the layout's own files (_info.json for timm, train_files.txt for PointNet).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/sink.h"
#include "fdsl/dataset/spec.h"

namespace fdsl {

/// Writes the category files of the classes the journals' finished items hold (categories.json,
/// ...), the sink's layout files and DIR/manifest.json, in that order; with generation guards,
/// the manifest's "guards" lists every sample they redrew or could not pass. Returns whether
/// every sample is present. `card_stats` (may be null): the card's samples as the run measured them.
bool write_manifest(const DatasetSpec& spec, const Sink& sink, const std::filesystem::path& dir,
                    const JournalState& journal, const std::string& fingerprint,
                    const SampleStatsCache* card_stats = nullptr);

/// Reads DIR/manifest.json a file entry at a time: returns the manifest with its "files" list
/// left empty, and hands each entry of that list to `on_file` as it is parsed (a folder
/// dataset's list holds a line a file; the whole tree would take ~0.6 KB a file). Throws
/// nlohmann::json::parse_error for text that is not JSON, fdsl::Error for a file it cannot read,
/// and what `on_file` throws.
nlohmann::json read_manifest(const std::filesystem::path& path,
                             const std::function<void(const nlohmann::json&)>& on_file);

}  // namespace fdsl
