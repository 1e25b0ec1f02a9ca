#include "fdsl/dataset/manifest.h"

#include <cstdio>

#include "fdsl/core/version.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

bool write_manifest(const DatasetSpec& spec, const Sink& sink, const fs::path& dir,
                    const std::map<std::string, ItemRecord>& done, const std::string& fingerprint) {
  const Generator& gen = *spec.generator;
  const bool complete = sink.complete(done);
  const std::vector<std::int64_t> cats = sink.categories(done);
  const std::vector<std::string> category_files = gen.save_categories(dir, cats);
  sink.finish(done, dir, complete);

  // The data files, once each (a later record of a path wins: a unit made again).
  std::map<std::string, const FileRecord*> files;
  for (const auto& [key, r] : done)
    for (const FileRecord& f : r.files) files[f.path] = &f;
  std::int64_t total_bytes = 0;
  std::string list;
  const std::string count_key = sink.count_key();
  char buf[96];
  for (const auto& [path, f] : files) {
    total_bytes += f->bytes;
    std::string e = "{\"path\": " + nlohmann::json(path).dump();
    if (f->label >= 0) e += ", \"label\": " + std::to_string(f->label);
    if (!f->labels.empty()) {
      e += ", \"labels\": [";
      for (std::size_t i = 0; i < f->labels.size(); ++i) e += (i ? ", " : "") + std::to_string(f->labels[i]);
      e += "]";
    }
    if (f->samples > 0) e += ", \"" + count_key + "\": " + std::to_string(f->samples);
    std::snprintf(buf, sizeof buf, ", \"bytes\": %lld, \"crc32\": \"%08x\"}", static_cast<long long>(f->bytes), f->crc);
    list += (list.empty() ? "\n  " : ",\n  ") + e + buf;
  }

  nlohmann::ordered_json head;
  head["format"] = "fdsl-dataset";
  head["fdsl_version"] = kVersion;
  head["name"] = spec.params.get_string("name");
  head["generator"] = gen.family();
  head["layout"] = sink.layout();
  head["num_classes"] = gen.num_classes();
  head["instances_per_class"] = gen.instances_per_class();
  head["complete"] = complete;
  sink.describe(head, done);
  head["num_files"] = files.size();
  head["total_bytes"] = total_bytes;
  head["config"] = spec.resolved_config();
  head["config_fingerprint"] = fingerprint;
  head["category_files"] = category_files;
  head["category_stats"] = gen.stats();
  nlohmann::ordered_json categories = nlohmann::ordered_json::array();
  for (std::int64_t c : cats) categories.push_back(gen.category_json(c));
  head["categories"] = std::move(categories);
  // The (long) file list goes one entry per line after the pretty head.
  std::string text = head.dump(1);
  text.pop_back();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  text += ",\n \"files\": [" + list + "\n ]\n}\n";
  write_file_atomic(dir / "manifest.json", text, true);
  return complete;
}

}  // namespace fdsl
