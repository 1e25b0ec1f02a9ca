// The journal: one JSON line per finished piece of work (a folder work unit with its files, or a
// tar shard), appended with a single write() after the work's files are in place. A torn last
// line (a crash inside that write) is ignored and its work redone. Each process of a split run
// has its own journal file, so no two processes (or machines) append to one file; readers take
// the union of all of them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/dataset/partition.h"

namespace fdsl {

/// One file of a folder dataset, as recorded and listed in the manifest.
struct FileEntry {
  std::string path;
  std::int64_t label = 0;
  std::vector<std::int64_t> labels;
  std::uint32_t crc = 0;
  std::int64_t bytes = 0;
};

/// One finished tar shard.
struct ShardEntry {
  std::int64_t shard = 0;
  std::string path;
  std::int64_t samples = 0;
  std::int64_t bytes = 0;
  std::uint32_t crc = 0;
};

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

  /// Every complete, parseable record of every journal in `dir`.
  static std::vector<nlohmann::json> read_all(const std::filesystem::path& dir);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::mutex mutex_;
};

/// The journal line of a folder work unit: class, instances [begin, end), its files.
std::string unit_record(std::int64_t category, std::int64_t begin, std::int64_t end, const std::vector<FileEntry>& files);
/// The journal line of a finished shard.
std::string shard_record(const ShardEntry& shard);

/// What the journals of a folder say is done.
struct DoneWork {
  std::map<std::string, FileEntry> files;  ///< folder: every recorded file, by path
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> units;  ///< class -> instance ranges
  std::map<std::int64_t, ShardEntry> shards;  ///< tar: every recorded shard (a later record wins)
};
DoneWork read_done_work(const std::filesystem::path& dir);

/// True if the recorded instance ranges of every class cover [0, instances).
bool units_cover(const DoneWork& done, std::int64_t classes, std::int64_t instances);

/// The recorded shards whose file is in place with the recorded size; the others (missing,
/// truncated, grown) go to `damaged` as shard -> "name: why".
std::map<std::int64_t, ShardEntry> shards_in_place(const std::filesystem::path& dir, const DoneWork& done,
                                                   std::map<std::int64_t, std::string>* damaged = nullptr);

}  // namespace fdsl
