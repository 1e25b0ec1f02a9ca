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
  path_ = dir / (part.count == 1
                     ? std::string(".fdsl-journal.jsonl")
                     : ".fdsl-journal-" + std::to_string(part.index) + "-of-" + std::to_string(part.count) + ".jsonl");
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

void Journal::for_each(const fs::path& dir, const std::function<void(const nlohmann::json&)>& f) {
  std::vector<fs::path> journals;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (is_journal_name(e.path().filename().string())) journals.push_back(e.path());
  std::sort(journals.begin(), journals.end());
  for (const fs::path& path : journals) {
    const std::string text = read_text_file(path);
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      if (end == std::string::npos) break;  // torn last line
      if (end > start) {                    // a line that does not parse (cut by a crash, edited) is skipped
        const nlohmann::json record =
            nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(start),
                                  text.begin() + static_cast<std::ptrdiff_t>(end), nullptr, /*allow_exceptions=*/false);
        if (!record.is_discarded()) f(record);
      }
      start = end + 1;
    }
  }
}

std::vector<nlohmann::json> Journal::read_all(const fs::path& dir) {
  std::vector<nlohmann::json> records;
  for_each(dir, [&](const nlohmann::json& j) { records.push_back(j); });
  return records;
}

bool Journal::exists_in(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (is_journal_name(e.path().filename().string())) return true;
  return false;
}

std::string item_record(const WorkItem& item, const std::vector<FileRecord>& files, const std::string& fingerprint) {
  nlohmann::ordered_json j;
  j["item"] = item.key;
  j["config"] = fingerprint;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const FileRecord& f : files) {
    nlohmann::ordered_json e;
    e["path"] = f.path;
    if (f.label >= 0) e["label"] = f.label;
    if (!f.labels.empty()) e["labels"] = f.labels;
    if (f.samples > 0) e["samples"] = f.samples;
    e["bytes"] = f.bytes;
    e["crc32"] = crc32_hex(f.crc);
    list.push_back(std::move(e));
  }
  j["files"] = std::move(list);
  return j.dump();
}

std::string guard_record(const std::string& split, const Sample& s, const std::string& fingerprint) {
  nlohmann::ordered_json j;
  j["guard"] = s.name;
  j["config"] = fingerprint;
  if (!split.empty()) j["split"] = split;
  j["category"] = s.category;
  j["instance"] = s.instance;
  j["draw"] = s.draw;
  if (!s.guard_failed.empty()) j["failed"] = s.guard_failed;
  return j.dump();
}

JournalState read_journals(const fs::path& dir, const std::string& fingerprint) {
  JournalState state;
  Journal::for_each(dir, [&](const nlohmann::json& j) {
    if (j.is_object() && j.contains("guard")) {
      GuardRecord g;
      try {
        if (j.at("config").get<std::string>() != fingerprint) return;  // its items say whose it is
        g.name = j.at("guard").get<std::string>();
        if (j.contains("split")) g.split = j["split"].get<std::string>();
        g.category = j.at("category").get<std::int64_t>();
        g.instance = j.at("instance").get<std::int64_t>();
        g.draw = j.at("draw").get<int>();
        if (j.contains("failed")) g.failed = j["failed"].get<std::vector<std::string>>();
      } catch (const std::exception&) {
        return;
      }
      state.guarded[{g.split, g.category, g.instance}] = std::move(g);
      return;
    }
    ItemRecord r;
    std::string config;
    try {
      r.key = j.at("item").get<std::string>();
      config = j.at("config").get<std::string>();
      for (const auto& f : j.at("files")) {
        FileRecord e;
        e.path = f.at("path").get<std::string>();
        if (f.contains("label")) e.label = f["label"].get<std::int64_t>();
        if (f.contains("labels")) e.labels = f["labels"].get<std::vector<std::int64_t>>();
        if (f.contains("samples")) e.samples = f["samples"].get<std::int64_t>();
        e.bytes = f.at("bytes").get<std::int64_t>();
        e.crc = static_cast<std::uint32_t>(std::stoul(f.at("crc32").get<std::string>(), nullptr, 16));
        r.files.push_back(std::move(e));
      }
    } catch (const std::exception&) {
      // A record of another shape (another version, a hand edit): not this config's work.
      state.other_configs.insert(config);
      ++state.other_records;
      return;
    }
    if (config != fingerprint) {
      state.other_configs.insert(config);
      ++state.other_records;
      return;
    }
    state.done[r.key] = std::move(r);
  });
  return state;
}

}  // namespace fdsl
