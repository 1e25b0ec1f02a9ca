// Writing a dataset: ImageFolder PNGs, categories, manifest; resumable and partial runs.
//
// Layout of an output folder:
//   {class:05d}/<sample name>.png     the images (ImageFolder: one folder per class, no other folder)
//   categories.csv                    FractalDB-style category table (2D IFS families)
//   categories.json                   every category's parameters
//   fdsl.yaml                         the resolved config: `fdsl generate DIR` regenerates
//   manifest.json                     written last: config, version, categories, checksums
//   .fdsl-state.json                  the config this folder belongs to (resume checks it)
//   .fdsl-journal.jsonl               one line per finished work unit (class, instances B..E)
//   .fdsl-last-run.json               the last run's summary (samples, bytes, time)
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "fdsl/dataset/spec.h"

namespace fdsl {

enum class ProgressMode { Auto, Bar, Log, Quiet };

struct GenerateOptions {
  std::filesystem::path output;                              ///< the dataset folder
  int threads = 0;                                           ///< 0: all cores
  bool resume = false;                                       ///< continue a folder made by the same config
  std::optional<std::pair<std::int64_t, std::int64_t>> classes;    ///< only classes [A, B)
  std::optional<std::pair<std::int64_t, std::int64_t>> instances;  ///< only instances [A, B) of each class
  ProgressMode progress = ProgressMode::Auto;                ///< Auto: a bar on a terminal, log lines otherwise
  const std::atomic<bool>* stop = nullptr;                   ///< set (e.g. by SIGINT) to stop after in-flight work
};

struct GenerateSummary {
  std::int64_t samples_written = 0;  ///< images written by this run
  std::int64_t samples_skipped = 0;  ///< images already done (resume)
  std::int64_t bytes_written = 0;
  double seconds = 0;
  bool complete = false;   ///< every class and instance of the dataset is present
  bool interrupted = false;
  std::string to_json() const;
};

/// Generates (part of) the dataset into options.output. Throws Error(BadInput) for an unusable
/// folder (not writable; holds another config's dataset; holds a dataset and resume is off).
GenerateSummary generate_dataset(const DatasetSpec& spec, const GenerateOptions& options);

}  // namespace fdsl
