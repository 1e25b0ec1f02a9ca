#include "fdsl/dataset/manifest.h"

#include <cstdio>

#include "fdsl/core/version.h"
#include "fdsl/dataset/journal.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(); }

nlohmann::ordered_json manifest_head(const DatasetSpec& spec, const char* layout, bool complete) {
  const Generator& gen = *spec.generator;
  nlohmann::ordered_json head;
  head["format"] = "fdsl-dataset";
  head["fdsl_version"] = kVersion;
  head["name"] = spec.params.get_string("name");
  head["generator"] = gen.family();
  head["layout"] = layout;
  head["num_classes"] = gen.num_classes();
  head["instances_per_class"] = gen.instances_per_class();
  head["complete"] = complete;
  return head;
}

/// The head as pretty JSON with the (long) file list appended one entry per line.
std::string manifest_text(const DatasetSpec& spec, nlohmann::ordered_json head, const std::vector<std::string>& entries,
                          const std::vector<std::int64_t>& categories) {
  const Generator& gen = *spec.generator;
  head["config"] = spec.resolved_config();
  head["category_stats"] = gen.stats();
  nlohmann::ordered_json cats = nlohmann::ordered_json::array();
  for (std::int64_t c : categories) cats.push_back(gen.category_json(c));
  head["categories"] = std::move(cats);
  std::string text = head.dump(1);
  text.pop_back();  // the closing brace: the file list follows
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  text += ",\n \"files\": [";
  for (std::size_t i = 0; i < entries.size(); ++i) text += (i ? ",\n  " : "\n  ") + entries[i];
  text += "\n ]\n}\n";
  return text;
}

bool write_folder_manifest(const DatasetSpec& spec, const fs::path& out) {
  const Generator& gen = *spec.generator;
  const DoneWork done = read_done_work(out);
  const bool complete = units_cover(done, gen.num_classes(), gen.instances_per_class());
  std::int64_t total_bytes = 0;
  std::vector<std::string> entries;
  entries.reserve(done.files.size());
  char buf[64];
  for (const auto& [p, f] : done.files) {
    total_bytes += f.bytes;
    std::string e = "{\"path\": " + json_escape(f.path) + ", \"label\": " + std::to_string(f.label);
    if (!f.labels.empty()) {
      e += ", \"labels\": [";
      for (std::size_t i = 0; i < f.labels.size(); ++i) e += (i ? ", " : "") + std::to_string(f.labels[i]);
      e += "]";
    }
    std::snprintf(buf, sizeof buf, ", \"bytes\": %lld, \"crc32\": \"%08x\"}", static_cast<long long>(f.bytes), f.crc);
    entries.push_back(e + buf);
  }
  nlohmann::ordered_json head = manifest_head(spec, "imagefolder", complete);
  head["num_files"] = done.files.size();
  head["total_bytes"] = total_bytes;
  const std::vector<std::int64_t> cats = present_categories(done);
  gen.save_categories(out, cats);
  write_file_atomic(out / "manifest.json", manifest_text(spec, std::move(head), entries, cats), true);
  return complete;
}

bool write_tar_manifest(const DatasetSpec& spec, const TarLayout& layout, const fs::path& out) {
  const auto shards = shards_in_place(out, read_done_work(out));
  std::int64_t total_bytes = 0, samples = 0;
  bool complete = true;
  for (std::int64_t k = 0; k < layout.num_shards(); ++k) complete = complete && shards.count(k);
  std::vector<std::string> entries;
  nlohmann::ordered_json info_files = nlohmann::ordered_json::array(), info_lengths = nlohmann::ordered_json::array();
  char buf[96];
  for (const auto& [k, s] : shards) {
    if (k >= layout.num_shards()) continue;
    total_bytes += s.bytes;
    samples += s.samples;
    std::snprintf(buf, sizeof buf, ", \"samples\": %lld, \"bytes\": %lld, \"crc32\": \"%08x\"}",
                  static_cast<long long>(s.samples), static_cast<long long>(s.bytes), s.crc);
    entries.push_back("{\"path\": " + json_escape(s.path) + buf);
    info_files.push_back(s.path);
    info_lengths.push_back(s.samples);
  }
  nlohmann::ordered_json head = manifest_head(spec, "webdataset", complete);
  head["num_samples"] = samples;
  head["shard_samples"] = layout.shard_samples();
  head["shuffle"] = layout.shuffled();
  head["split"] = layout.prefix();
  head["num_files"] = entries.size();
  head["total_bytes"] = total_bytes;
  std::error_code ec;
  if (complete) {
    // timm reads this file to train from the shards: splits[name] with name, num_samples,
    // filenames and shard_lengths.
    nlohmann::ordered_json split;
    split["name"] = layout.prefix();
    split["num_samples"] = samples;
    split["filenames"] = std::move(info_files);
    split["shard_lengths"] = std::move(info_lengths);
    nlohmann::ordered_json info;
    info["name"] = spec.params.get_string("name");
    info["fdsl_version"] = kVersion;
    info["num_classes"] = spec.generator->num_classes();
    info["splits"][layout.prefix()] = std::move(split);
    write_file_atomic(out / "_info.json", info.dump(1) + "\n", true);
  } else {
    fs::remove(out / "_info.json", ec);
  }
  const std::vector<std::int64_t> cats = all_categories(*spec.generator);
  spec.generator->save_categories(out, cats);
  write_file_atomic(out / "manifest.json", manifest_text(spec, std::move(head), entries, cats), true);
  return complete;
}

}  // namespace

std::vector<std::int64_t> present_categories(const DoneWork& done) {
  std::vector<std::int64_t> cats;
  for (const auto& [c, ranges] : done.units)
    if (!ranges.empty()) cats.push_back(c);
  return cats;
}

bool write_manifest(const DatasetSpec& spec, const TarLayout* layout, const fs::path& dir) {
  return layout ? write_tar_manifest(spec, *layout, dir) : write_folder_manifest(spec, dir);
}

bool dataset_complete(const DatasetSpec& spec, const TarLayout* layout, const fs::path& dir) {
  const DoneWork done = read_done_work(dir);
  if (!layout) return units_cover(done, spec.generator->num_classes(), spec.generator->instances_per_class());
  const auto shards = shards_in_place(dir, done);
  for (std::int64_t k = 0; k < layout->num_shards(); ++k)
    if (!shards.count(k)) return false;
  return true;
}

}  // namespace fdsl
