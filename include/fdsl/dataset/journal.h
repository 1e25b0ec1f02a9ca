// The journal: one JSON line per finished work item (a folder work unit, a tar shard, an HDF5
// file) with its files and the fingerprint of the config that made it, appended with a single
// write() after the item's files are in place. A torn last line (a crash inside that write) is
// ignored and its work redone. Each process of a split run has its own journal file, so no two
// processes (or machines) append to one file; readers take the union of all of them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/dataset/partition.h"
#include "fdsl/dataset/sink.h"

namespace fdsl {

class Journal {
 public:
  /// Opens (creating) the journal of `part` in `dir`: .fdsl-journal.jsonl for a single process,
  /// .fdsl-journal-I-of-N.jsonl for part I of N. Ends a torn last line first.
  Journal(const std::filesystem::path& dir, const ShardAssignment& part);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  /// Appends one record (thread-safe); with `sync`, fsyncs the journal before returning.
  void append(const std::string& line, bool sync = false);
  /// Makes every record appended so far durable (and visible to readers on other NFS clients).
  void sync();

  /// Every complete, parseable line of every journal in `dir`.
  static std::vector<nlohmann::json> read_all(const std::filesystem::path& dir);
  /// The same records handed to `f` one at a time, in the same order (only one is parsed at a
  /// time: a folder dataset's journal holds a record a unit of files).
  static void for_each(const std::filesystem::path& dir, const std::function<void(const nlohmann::json&)>& f);
  /// Whether `dir` holds a journal file.
  static bool exists_in(const std::filesystem::path& dir);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::mutex mutex_;
};

/// The journal line of a finished item: {"item", "config" (the fingerprint), "files": [...]}.
std::string item_record(const WorkItem& item, const std::vector<FileRecord>& files, const std::string& fingerprint);

/// A sample a generation guard redrew, or that no draw passed (dataset/guard.h), as journalled.
struct GuardRecord {
  std::string split;  ///< "" unless the dataset has several splits
  std::string name;   ///< the sample's name
  std::int64_t category = 0, instance = 0;
  int draw = 0;                     ///< the draw kept
  std::vector<std::string> failed;  ///< the guards it still fails (draw 0 kept)
};

/// The journal line of a guarded sample: {"guard": name, "config", "split", "category", "instance",
/// "draw", "failed"}.
std::string guard_record(const std::string& split, const Sample& s, const std::string& fingerprint);

/// What the journals of a folder hold.
struct JournalState {
  std::map<std::string, ItemRecord> done;  ///< items of this config, by key (a later record wins)
  /// Guarded samples of this config, by split and sample (category, instance): once each.
  std::map<std::tuple<std::string, std::int64_t, std::int64_t>, GuardRecord> guarded;
  std::set<std::string> other_configs;  ///< fingerprints of records made by other configs ("" for none)
  std::int64_t other_records = 0;       ///< how many such records
};
/// Reads every journal of `dir`, sorting records by whether `fingerprint` made them.
JournalState read_journals(const std::filesystem::path& dir, const std::string& fingerprint);

}  // namespace fdsl
