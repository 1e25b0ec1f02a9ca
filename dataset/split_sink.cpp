// A dataset of several splits in one folder (splits: train,val): one sink per split, each with a
// generator of its own (the same categories, the split's streams and instance count). Folders
// train/ val/ side by side, tar shards {split}-NNNNNN.tar with every split in _info.json, HDF5
// ply_data_{split}N.h5 with {split}_files.txt. Work items are the splits' items, keyed
// "<split>:<item>"; the journal, resume, manifest and repair see one dataset.
#include <algorithm>
#include <set>

#include "fdsl/core/error.h"
#include "sinks.h"

namespace fdsl::detail {

namespace {

/// Instances per class of a held-out split: its key, or a tenth of the train count (at least 1).
std::int64_t split_instances(const DatasetSpec& spec, const std::string& split) {
  const std::int64_t train = spec.generator->instances_per_class();
  if (split == "train") return train;
  const std::int64_t given = spec.params.get_int(split + "_instances");
  return given > 0 ? given : std::max<std::int64_t>(1, train / 10);
}

}  // namespace

DatasetSpec split_spec(const DatasetSpec& spec, const std::string& split) {
  // The resolved config (paths already absolute), with this split's streams and count.
  nlohmann::json config = nlohmann::json::parse(spec.resolved_config().dump());
  config["split"] = split;
  config["splits"] = "";
  config["instances"] = split_instances(spec, split);
  SpecOptions o;
  o.search_limit = -1;
  return make_dataset_spec(config_from_json(config, spec.source + " (split " + split + ")"), o, "/");
}

namespace {

class SplitSink final : public Sink {
 public:
  SplitSink(const DatasetSpec& spec, const OutputSettings& settings, const std::vector<std::string>& splits)
      : Sink(*spec.generator) {
    const bool folder = settings.format == OutputFormat::Folder;
    for (const std::string& split : splits) {
      Part part;
      part.name = split;
      part.spec = std::make_unique<DatasetSpec>(split_spec(spec, split));
      part.settings = OutputSettings::from_params(part.spec->params);
      part.sink = make_layout_sink(*part.spec, part.settings, folder ? split + "/" : std::string());
      parts_.push_back(std::move(part));
    }
    if (settings.format == OutputFormat::Tar && !spec.params.get_string("shard_prefix").empty())
      spec.params.fail("shard_prefix",
                       "names every shard of one split; with several splits each split's shards "
                       "are named after it ({split}-NNNNNN.tar): leave shard_prefix out");
    layout_ = parts_.front().sink->layout();
    format_ = parts_.front().sink->format();
  }

  std::string layout() const override { return layout_; }
  std::string format() const override { return format_; }
  bool partial_runs() const override { return parts_.front().sink->partial_runs(); }
  std::string unit_noun() const override { return parts_.front().sink->unit_noun(); }
  std::int64_t chunk() const override { return parts_.front().sink->chunk(); }
  double manifest_entries() const override {
    double n = 0;
    for (const Part& p : parts_) n += p.sink->manifest_entries();
    return n;
  }
  std::string count_key() const override { return parts_.front().sink->count_key(); }

  std::vector<WorkItem> items(const Selection& s) const override {
    std::vector<WorkItem> out;
    for (const Part& p : parts_)
      for (WorkItem item : p.sink->items(s)) {
        item.key = p.name + ":" + item.key;
        out.push_back(std::move(item));
      }
    return out;
  }

  void write(const std::vector<WorkItem>& items, SinkRun& run) const override {
    for (const Part& p : parts_) {
      const std::string tag = p.name + ":";
      std::vector<WorkItem> mine;
      for (const WorkItem& item : items)
        if (item.key.compare(0, tag.size(), tag) == 0) {
          mine.push_back(item);
          mine.back().key = item.key.substr(tag.size());
        }
      if (mine.empty()) continue;
      SinkRun sub{*p.spec->generator, p.settings, run.dir};
      sub.threads = run.threads;
      sub.fsync_files = run.fsync_files;
      sub.stop = run.stop;
      sub.progress = run.progress;
      sub.split = p.name;
      sub.on_guard = run.on_guard;
      if (run.done)
        sub.done = [&](const WorkItem& item, std::vector<FileRecord>&& files) {
          WorkItem keyed = item;
          keyed.key = tag + item.key;
          run.done(keyed, std::move(files));
        };
      p.sink->write(mine, sub);
      run.samples += sub.samples.load();
      run.bytes += sub.bytes.load();
      if (sub.blank.load() > 0 && run.blank.fetch_add(sub.blank.load()) == 0) run.first_blank = sub.first_blank;
      run.guard_redrawn += sub.guard_redrawn.load();
      if (sub.guard_failed.load() > 0 && run.guard_failed.fetch_add(sub.guard_failed.load()) == 0)
        run.first_guard_failed = sub.first_guard_failed;
      if (sub.stopped) {
        run.stopped = true;
        return;
      }
    }
  }

  std::vector<WorkItem> items_of(const std::vector<std::string>& paths,
                                 std::vector<std::string>& unknown) const override {
    std::vector<WorkItem> out;
    std::vector<std::string> left = paths;
    for (const Part& p : parts_) {
      std::vector<std::string> not_mine;
      for (WorkItem item : p.sink->items_of(left, not_mine)) {
        item.key = p.name + ":" + item.key;
        out.push_back(std::move(item));
      }
      left.swap(not_mine);
    }
    unknown.insert(unknown.end(), left.begin(), left.end());
    return out;
  }

  std::string item_name(const WorkItem& item) const override {
    for (const Part& p : parts_) {
      const std::string tag = p.name + ":";
      if (item.key.compare(0, tag.size(), tag) != 0) continue;
      WorkItem inner = item;
      inner.key = item.key.substr(tag.size());
      return p.name + " " + p.sink->item_name(inner);
    }
    return item.key;
  }

  bool complete(const std::map<std::string, ItemRecord>& done) const override {
    for (const Part& p : parts_)
      if (!p.sink->complete(of(p, done))) return false;
    return true;
  }

  std::vector<std::int64_t> categories(const std::map<std::string, ItemRecord>& done) const override {
    std::set<std::int64_t> all;
    for (const Part& p : parts_)
      for (std::int64_t c : p.sink->categories(of(p, done))) all.insert(c);
    return {all.begin(), all.end()};
  }

  void describe(nlohmann::ordered_json& head, const std::map<std::string, ItemRecord>& done) const override {
    nlohmann::ordered_json splits = nlohmann::ordered_json::object();
    for (const Part& p : parts_) {
      nlohmann::ordered_json one;
      one["instances_per_class"] = p.spec->generator->instances_per_class();
      p.sink->describe(one, of(p, done));
      splits[p.name] = std::move(one);
    }
    head["splits"] = std::move(splits);
  }

  void finish(const std::map<std::string, ItemRecord>& done, const std::filesystem::path& dir,
              bool complete) const override {
    nlohmann::ordered_json infos = nlohmann::ordered_json::object();
    for (const Part& p : parts_) {
      const auto mine = of(p, done);
      const bool part_complete = p.sink->complete(mine);
      if (format_ == "tar") {
        if (part_complete) infos[p.name] = p.sink->split_info(mine);
      } else {
        p.sink->finish(mine, dir, part_complete);
      }
    }
    std::error_code ec;
    if (format_ == "tar") {
      if (complete)
        write_tar_info(*parts_.front().spec, infos, dir);
      else
        std::filesystem::remove(dir / "_info.json", ec);
    }
  }

  std::vector<std::string> layout_files() const override {
    std::set<std::string> all;
    for (const Part& p : parts_)
      for (const std::string& f : p.sink->layout_files()) all.insert(f);
    return {all.begin(), all.end()};
  }

 private:
  struct Part {
    std::string name;
    std::unique_ptr<DatasetSpec> spec;
    OutputSettings settings;
    std::unique_ptr<Sink> sink;
  };

  /// The records of part p, with its own keys.
  static std::map<std::string, ItemRecord> of(const Part& p, const std::map<std::string, ItemRecord>& done) {
    std::map<std::string, ItemRecord> mine;
    const std::string tag = p.name + ":";
    for (const auto& [key, r] : done)
      if (key.compare(0, tag.size(), tag) == 0) mine.emplace(key.substr(tag.size()), r);
    return mine;
  }

  std::vector<Part> parts_;
  std::string layout_, format_;
};

}  // namespace

std::unique_ptr<Sink> make_split_sink(const DatasetSpec& spec, const OutputSettings& settings,
                                      const std::vector<std::string>& splits) {
  return std::make_unique<SplitSink>(spec, settings, splits);
}

}  // namespace fdsl::detail
