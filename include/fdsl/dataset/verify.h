// Checking a finished dataset against its manifest: every file or shard is there, has the size
// and CRC-32 the manifest gives, and reads as its format says (PNG decodes; a shard is a valid
// tar whose members group into the expected number of WebDataset samples, each with a decodable
// image, a class label in range and parseable JSON). Damaged items can be made again from the
// saved config, with the bytes of the original run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fdsl {

struct VerifyOptions {
  int threads = 0;  ///< 0: all cores
};

struct VerifyProblem {
  std::string path;        ///< relative to the dataset folder
  std::string problem;     ///< "missing", "CRC-32 ... expected ...", ...
  bool repairable = true;  ///< false for what --regenerate cannot undo (a stray file a loader would read)
};

struct VerifyReport {
  std::string layout;              ///< "imagefolder" or "webdataset" (from the manifest)
  bool complete = false;           ///< the manifest says every sample is present
  std::int64_t files_checked = 0;  ///< files or shards
  std::int64_t samples_checked = 0;
  std::int64_t bytes_checked = 0;
  std::vector<VerifyProblem> problems;  ///< missing or corrupt items, stray data files, sorted by path
  /// Files beside the dataset that no loader of its layout reads (a preview sheet, notes): told, not a problem.
  std::vector<std::string> extra_files;
  double seconds = 0;
  bool ok() const { return problems.empty(); }
  std::string to_json() const;
};

/// Checks `dir` against its manifest.json (a missing or unreadable manifest is a problem too), and
/// looks for files the manifest does not list: one in a class folder (an ImageFolder would take
/// it for a sample) or a folder beside the class folders (a class) is a problem. Throws
/// Error(BadInput) when `dir` is no fdsl dataset at all.
VerifyReport verify_dataset(const std::filesystem::path& dir, const VerifyOptions& options = {});

/// Makes the damaged items of `report` again from the config in the manifest (refused when
/// fdsl.yaml says otherwise): shards and HDF5 files whole, folder files by their sample. Returns
/// how many items it rewrote. Throws Error(BadInput) when there is nothing to repair from (no
/// manifest) or the dataset was made by another fdsl version.
std::int64_t repair_dataset(const std::filesystem::path& dir, const VerifyReport& report, int threads);

}  // namespace fdsl
