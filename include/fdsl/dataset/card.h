// The dataset card: README.md in every dataset folder, so a folder explains itself when shared:
// the recipe, the keys set away from the family's defaults, the counts and layout, statistics of
// samples spread over the dataset (rendered again in memory: the same bytes as the files), the
// preview sheet (card-preview.jpg) and the statistics plot (card-stats.jpg; JPEG, so that no PNG
// but the samples' lies in a dataset), the guards, how to
// load it with torchvision, timm, webdataset, h5py or Open3D, and how to check and make it again.
// Written with the manifest (key `card`, on by default); nothing in it depends on the thread
// count, the machine, the output path or the way the work was split.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/sink.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/stats.h"

namespace fdsl {

/// The card's files, relative to the dataset root.
inline const std::vector<std::string>& dataset_card_files() {
  static const std::vector<std::string> files = {"README.md", "card-preview.jpg", "card-stats.jpg"};
  return files;
}

/// Writes the card of the dataset in `dir` (README.md last), from the manifest's head (its
/// counts, layout and completeness) and the journals. Returns the files written.
/// Counts measured by the run (`card_stats`, may be null) are used instead of making those samples again.
std::vector<std::string> write_dataset_card(const DatasetSpec& spec, const Sink& sink, const std::filesystem::path& dir,
                                            const nlohmann::ordered_json& head, const JournalState& journal,
                                            const SampleStatsCache* card_stats = nullptr);

/// The samples the card of a dataset holding `done` measures (card_samples over the classes
/// present, about a quarter of the samples present, at most 1,024); `budget` (may be null)
/// receives the sample budget, which also sizes the preview.
std::vector<std::pair<std::int64_t, std::int64_t>> card_selection(const Generator& gen, const Sink& sink,
                                                                  const std::map<std::string, ItemRecord>& done,
                                                                  std::int64_t* budget = nullptr);

/// The samples the card measures: up to 64 classes spread evenly over `classes`, instances spread
/// evenly over each, about `budget` in all (at least one per class).
std::vector<std::pair<std::int64_t, std::int64_t>> card_samples(const std::vector<std::int64_t>& classes,
                                                                std::int64_t instances, std::int64_t budget);

}  // namespace fdsl
