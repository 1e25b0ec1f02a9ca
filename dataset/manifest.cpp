#include "fdsl/dataset/manifest.h"

#include <cstdio>

#include "fdsl/core/version.h"
#include "fdsl/dataset/card.h"
#include "fdsl/dataset/guard.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

/// classes.json: each class folder's name -> the fdsl label of its files, so a reader that numbers
/// the folders it finds (torchvision's ImageFolder: sorted names -> 0, 1, ...) can map a partial
/// run (--classes 1:3) back to fdsl's labels. A class folder is the folder that holds a labelled
/// file (train/00001/x.png -> 00001); layouts without one folder per label write no table.
void write_class_folders(const std::vector<const FileRecord*>& files, const fs::path& dir) {
  std::map<std::string, std::int64_t> classes;
  bool one_label_per_folder = true;
  for (const FileRecord* f : files) {
    if (f->label < 0) continue;
    const fs::path parent = fs::path(f->path).parent_path();
    if (parent.empty()) {
      one_label_per_folder = false;
      break;
    }
    const auto [it, fresh] = classes.emplace(parent.filename().string(), f->label);
    if (!fresh && it->second != f->label) {
      one_label_per_folder = false;
      break;
    }
  }
  std::error_code ec;
  if (!one_label_per_folder || classes.empty()) {
    fs::remove(dir / "classes.json", ec);
    return;
  }
  nlohmann::ordered_json table = nlohmann::ordered_json::object();
  for (const auto& [name, label] : classes) table[name] = label;
  write_file_atomic(dir / "classes.json", table.dump(1) + "\n", true);
}

}  // namespace

bool write_manifest(const DatasetSpec& spec, const Sink& sink, const fs::path& dir, const JournalState& journal,
                    const std::string& fingerprint, const SampleStatsCache* card_stats) {
  const std::map<std::string, ItemRecord>& done = journal.done;
  const Generator& gen = *spec.generator;
  const bool complete = sink.complete(done);
  const std::vector<std::int64_t> cats = sink.categories(done);
  const std::vector<std::string> category_files = gen.save_categories(dir, cats);
  sink.finish(done, dir, complete);

  // The data files by path, once each (a later record of a path wins: a unit made again). A
  // folder dataset has a record a file, all held here: pointers into the journal's records, and
  // the manifest's text built once (about 0.5 KB a file in all).
  std::vector<const FileRecord*> files;
  for (const auto& [key, r] : done)
    for (const FileRecord& f : r.files) files.push_back(&f);
  std::stable_sort(files.begin(), files.end(),
                   [](const FileRecord* a, const FileRecord* b) { return a->path < b->path; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i + 1 < files.size() && files[i + 1]->path == files[i]->path) continue;  // the later one follows
    files[kept++] = files[i];
  }
  files.resize(kept);
  if (sink.format() == "folder") write_class_folders(files, dir);
  std::int64_t total_bytes = 0;
  for (const FileRecord* f : files) total_bytes += f->bytes;

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
  head["layout_files"] = sink.layout_files();
  head["category_stats"] = gen.stats();
  if (const GuardSettings* g = guard_of(gen)) {
    nlohmann::ordered_json guards;
    if (g->min_ink > 0) guards["min_ink"] = g->min_ink;
    if (g->max_ink < 1) guards["max_ink"] = g->max_ink;
    if (g->min_flatness > 0) guards["min_flatness"] = g->min_flatness;
    guards["guard_draws"] = g->draws;
    std::int64_t redrawn = 0, failed = 0;
    nlohmann::ordered_json samples = nlohmann::ordered_json::array();
    for (const auto& [key, r] : journal.guarded) {
      (r.failed.empty() ? redrawn : failed) += 1;
      nlohmann::ordered_json e;
      if (!r.split.empty()) e["split"] = r.split;
      e["name"] = r.name;
      e["category"] = r.category;
      e["instance"] = r.instance;
      e["draw"] = r.draw;
      if (!r.failed.empty()) e["failed"] = r.failed;
      samples.push_back(std::move(e));
    }
    guards["redrawn"] = redrawn;
    guards["failed"] = failed;
    guards["samples"] = std::move(samples);
    head["guards"] = std::move(guards);
  }
  nlohmann::ordered_json categories = nlohmann::ordered_json::array();
  for (std::int64_t c : cats) categories.push_back(gen.category_json(c));
  head["categories"] = std::move(categories);
  if (spec.params.has("card") && spec.params.get_bool("card"))
    head["card_files"] = write_dataset_card(spec, sink, dir, head, journal, card_stats);
  // The (long) file list goes one entry per line after the pretty head, into the same text.
  std::string text = head.dump(1);
  text.pop_back();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  text += ",\n \"files\": [";
  text.reserve(text.size() + 100 * files.size() + 16);
  const std::string count_key = sink.count_key();
  char buf[96];
  for (std::size_t k = 0; k < files.size(); ++k) {
    const FileRecord* f = files[k];
    text += k == 0 ? "\n  {\"path\": " : ",\n  {\"path\": ";
    text += nlohmann::json(f->path).dump();
    if (f->label >= 0) text += ", \"label\": " + std::to_string(f->label);
    if (!f->labels.empty()) {
      text += ", \"labels\": [";
      for (std::size_t i = 0; i < f->labels.size(); ++i) text += (i ? ", " : "") + std::to_string(f->labels[i]);
      text += "]";
    }
    if (f->samples > 0) text += ", \"" + count_key + "\": " + std::to_string(f->samples);
    std::snprintf(buf, sizeof buf, ", \"bytes\": %lld, \"crc32\": \"%08x\"}", static_cast<long long>(f->bytes), f->crc);
    text += buf;
  }
  text += "\n ]\n}\n";
  write_file_atomic(dir / "manifest.json", text, true);
  return complete;
}

nlohmann::json read_manifest(const fs::path& path, const std::function<void(const nlohmann::json&)>& on_file) {
  const std::string text = read_text_file(path);
  using Event = nlohmann::json::parse_event_t;
  bool in_files = false;  // inside the top-level "files" array
  // Depths as the parser reports them: 1 for the top object's keys and its arrays' starts, 2 for
  // the elements of such an array (an object's end, or a plain value).
  const nlohmann::json::parser_callback_t keep = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth == 1 && event == Event::key) {
      in_files = parsed == "files";
      return true;
    }
    if (in_files && depth == 2 && (event == Event::object_end || event == Event::value)) {
      on_file(parsed);
      return false;  // not kept in the tree
    }
    return true;
  };
  return nlohmann::json::parse(text, keep);
}

}  // namespace fdsl
