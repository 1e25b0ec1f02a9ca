#include "fdsl/dataset/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {
std::string os_error(int err) { return std::generic_category().message(err); }

bool is_journal_name(const std::string& name) {
  return name.rfind(".fdsl-journal", 0) == 0 && name.size() > 6 && name.substr(name.size() - 6) == ".jsonl";
}
}  // namespace

Journal::Journal(const fs::path& dir, const ShardAssignment& part) {
  path_ = dir / (part.count == 1 ? std::string(".fdsl-journal.jsonl")
                                 : ".fdsl-journal-" + std::to_string(part.index) + "-of-" +
                                       std::to_string(part.count) + ".jsonl");
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_runtime(path_.string() + ": cannot open the journal: " + os_error(errno));
  // A crash inside an append leaves a line without its newline; end it, so that the next record
  // starts a line of its own (the torn one stays unparseable and is skipped).
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  char last = '\n';
  if (size > 0 && ::pread(fd_, &last, 1, size - 1) == 1 && last != '\n') append("");
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::string& line, bool sync) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_runtime(path_.string() + ": cannot append to the journal: " + os_error(n < 0 ? errno : ENOSPC));
    done += static_cast<std::size_t>(n);
  }
  if (sync && ::fsync(fd_) != 0) throw_runtime(path_.string() + ": cannot fsync the journal: " + os_error(errno));
}

void Journal::sync() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (::fsync(fd_) != 0) throw_runtime(path_.string() + ": cannot fsync the journal: " + os_error(errno));
}

std::vector<nlohmann::json> Journal::read_all(const fs::path& dir) {
  std::vector<fs::path> journals;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (is_journal_name(e.path().filename().string())) journals.push_back(e.path());
  std::sort(journals.begin(), journals.end());
  std::vector<nlohmann::json> records;
  for (const fs::path& path : journals) {
    const std::string text = read_text_file(path);
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      if (end == std::string::npos) break;  // torn last line
      if (end > start) {
        try {
          records.push_back(nlohmann::json::parse(text.substr(start, end - start)));
        } catch (const nlohmann::json::exception&) {
        }
      }
      start = end + 1;
    }
  }
  return records;
}

std::string unit_record(std::int64_t category, std::int64_t begin, std::int64_t end, const std::vector<FileEntry>& files) {
  nlohmann::ordered_json j;
  j["category"] = category;
  j["begin"] = begin;
  j["end"] = end;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    nlohmann::ordered_json e;
    e["path"] = f.path;
    e["label"] = f.label;
    if (!f.labels.empty()) e["labels"] = f.labels;
    e["bytes"] = f.bytes;
    e["crc32"] = crc32_hex(f.crc);
    list.push_back(std::move(e));
  }
  j["files"] = std::move(list);
  return j.dump();
}

std::string shard_record(const ShardEntry& s) {
  nlohmann::ordered_json j;
  j["shard"] = s.shard;
  j["path"] = s.path;
  j["samples"] = s.samples;
  j["bytes"] = s.bytes;
  j["crc32"] = crc32_hex(s.crc);
  return j.dump();
}

DoneWork read_done_work(const fs::path& dir) {
  DoneWork done;
  auto crc_of = [](const nlohmann::json& j) {
    return static_cast<std::uint32_t>(std::stoul(j["crc32"].get<std::string>(), nullptr, 16));
  };
  for (const nlohmann::json& j : Journal::read_all(dir)) {
    try {
      if (j.contains("shard")) {
        ShardEntry s;
        s.shard = j["shard"].get<std::int64_t>();
        s.path = j["path"].get<std::string>();
        s.samples = j["samples"].get<std::int64_t>();
        s.bytes = j["bytes"].get<std::int64_t>();
        s.crc = crc_of(j);
        done.shards[s.shard] = std::move(s);
        continue;
      }
      done.units[j["category"].get<std::int64_t>()].push_back({j["begin"].get<std::int64_t>(), j["end"].get<std::int64_t>()});
      for (const auto& f : j["files"]) {
        FileEntry e;
        e.path = f["path"].get<std::string>();
        e.label = f["label"].get<std::int64_t>();
        if (f.contains("labels")) e.labels = f["labels"].get<std::vector<std::int64_t>>();
        e.bytes = f["bytes"].get<std::int64_t>();
        e.crc = crc_of(f);
        done.files[e.path] = std::move(e);
      }
    } catch (const std::exception&) {
      // A record of another shape (a hand edit, a future version): not ours to trust.
    }
  }
  return done;
}

bool units_cover(const DoneWork& done, std::int64_t classes, std::int64_t instances) {
  for (std::int64_t c = 0; c < classes; ++c) {
    auto it = done.units.find(c);
    if (it == done.units.end()) return false;
    auto ranges = it->second;
    std::sort(ranges.begin(), ranges.end());
    std::int64_t reach = 0;
    for (auto [b, e] : ranges)
      if (b <= reach) reach = std::max(reach, e);
    if (reach < instances) return false;
  }
  return true;
}

std::map<std::int64_t, ShardEntry> shards_in_place(const fs::path& dir, const DoneWork& done,
                                                   std::map<std::int64_t, std::string>* damaged) {
  std::map<std::int64_t, ShardEntry> ok;
  for (const auto& [k, s] : done.shards) {
    std::error_code ec;
    const auto size = fs::file_size(dir / s.path, ec);
    if (ec) {
      if (damaged) (*damaged)[k] = s.path + ": missing";
    } else if (static_cast<std::int64_t>(size) != s.bytes) {
      if (damaged)
        (*damaged)[k] = s.path + ": " + std::to_string(size) + " bytes on disk, " + std::to_string(s.bytes) +
                        " when written (truncated or changed)";
    } else {
      ok.emplace(k, s);
    }
  }
  return ok;
}

}  // namespace fdsl
