#include "fdsl/dataset/verify.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/journal.h"
#include "fdsl/dataset/manifest.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/tar_layout.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "fdsl/io/tar_reader.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

struct Expected {
  std::string path;
  std::int64_t bytes = 0;
  std::uint32_t crc = 0;
  std::int64_t samples = 0;  ///< shards
};

std::uint32_t parse_crc(const nlohmann::json& e) {
  return static_cast<std::uint32_t>(std::stoul(e.at("crc32").get<std::string>(), nullptr, 16));
}

/// The problem of a manifest that cannot be read: the run did not finish, and how to finish it.
std::string unreadable_manifest(const fs::path& dir, const std::string& why) {
  const std::string d = dir.string();
  return "missing or unreadable (" + why + "): the run did not finish; run `fdsl generate " + d + " -o " + d +
         " --resume`, or `fdsl merge " + d + "` after a split run";
}

/// Checks the bytes of one sample file by its extension; "" if fine, else the problem.
std::string check_content(const std::string& name, const std::vector<std::uint8_t>& data, std::int64_t num_classes) {
  const auto dot = name.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  try {
    if (ext == "png") {
      decode_png(data.data(), data.size(), name);
    } else if (ext == "cls") {
      std::int64_t label = -1;
      const char* b = reinterpret_cast<const char*>(data.data());
      auto [p, ec] = std::from_chars(b, b + data.size(), label);
      if (ec != std::errc() || p != b + data.size() || label < 0 || label >= num_classes)
        return "label '" + std::string(b, data.size()) + "' is not a class in [0, " + std::to_string(num_classes) + ")";
    } else if (ext == "json") {
      if (nlohmann::json::parse(data.begin(), data.end()).is_discarded()) return "unreadable json";
    }
  } catch (const std::exception& e) {
    return std::string("unreadable ") + ext + ": " + e.what();
  }
  return "";
}

/// One shard: size and CRC-32 as recorded, a valid tar, members grouped the WebDataset way
/// (consecutive, key up to the first dot) into `samples` samples, each member readable.
std::string check_shard(const fs::path& path, const Expected& e, std::int64_t num_classes, std::int64_t& samples) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return "missing";
  if (static_cast<std::int64_t>(size) != e.bytes)
    return std::to_string(size) + " bytes, expected " + std::to_string(e.bytes) +
           (static_cast<std::int64_t>(size) < e.bytes ? " (truncated)" : "");
  std::string problem;
  try {
    TarReader reader(path);
    TarMember m;
    std::vector<std::uint8_t> data;
    std::set<std::string> keys;
    std::string key;
    bool has_payload = true;  // a sample needs a member besides its label and JSON
    while (reader.next(m, data)) {
      if (m.type != '0' && m.type != '\0') {
        problem = "member '" + m.name + "' is not a regular file";
        break;
      }
      const auto dot = m.name.find('.');
      if (dot == std::string::npos || dot == 0) {
        problem = "member '" + m.name + "' has no <key>.<ext> name";
        break;
      }
      const std::string k = m.name.substr(0, dot);
      if (k != key) {
        if (!has_payload) {
          problem = "sample '" + key + "' has only label or JSON members";
          break;
        }
        if (!keys.insert(k).second) {
          problem = "sample '" + k + "' appears twice (its members are not adjacent)";
          break;
        }
        key = k;
        has_payload = false;
        ++samples;
      }
      const std::string ext = m.name.substr(dot + 1);
      has_payload = has_payload || (ext != "cls" && ext != "json");
      const std::string bad = check_content(m.name, data, num_classes);
      if (!bad.empty()) {
        problem = m.name + ": " + bad;
        break;
      }
    }
    if (problem.empty() && !has_payload) problem = "sample '" + key + "' has only label or JSON members";
    reader.read_to_end();
    if (problem.empty() && reader.crc() != e.crc)
      problem = "CRC-32 " + crc32_hex(reader.crc()) + ", expected " + crc32_hex(e.crc);
    if (problem.empty() && samples != e.samples)
      problem = std::to_string(samples) + " samples, expected " + std::to_string(e.samples);
  } catch (const Error& err) {
    problem = err.what();
  }
  return problem;
}

std::string check_file(const fs::path& path, const Expected& e, std::int64_t num_classes) {
  std::vector<std::uint8_t> data;
  try {
    data = read_file(path);
  } catch (const Error&) {
    return "missing";
  }
  if (static_cast<std::int64_t>(data.size()) != e.bytes)
    return std::to_string(data.size()) + " bytes, expected " + std::to_string(e.bytes);
  const std::uint32_t crc = crc32(data);
  if (crc != e.crc) return "CRC-32 " + crc32_hex(crc) + ", expected " + crc32_hex(e.crc);
  return check_content(path.filename().string(), data, num_classes);
}

/// _info.json must list exactly the manifest's shards, lengths and total.
std::string check_info(const fs::path& dir, const std::string& split, const std::vector<Expected>& shards) {
  nlohmann::json info;
  try {
    info = nlohmann::json::parse(read_text_file(dir / "_info.json"));
  } catch (const std::exception& e) {
    return std::string("unreadable or missing: ") + e.what();
  }
  try {
    const auto& s = info.at("splits").at(split);
    std::vector<std::string> names;
    std::vector<std::int64_t> lengths;
    std::int64_t total = 0;
    for (const Expected& e : shards) {
      names.push_back(e.path);
      lengths.push_back(e.samples);
      total += e.samples;
    }
    if (s.at("name").get<std::string>() != split) return "splits." + split + ".name is not '" + split + "'";
    if (s.at("filenames").get<std::vector<std::string>>() != names)
      return "filenames differ from the manifest's shards";
    if (s.at("shard_lengths").get<std::vector<std::int64_t>>() != lengths)
      return "shard_lengths differ from the manifest";
    if (s.at("num_samples").get<std::int64_t>() != total) return "num_samples differs from the manifest";
  } catch (const nlohmann::json::exception& e) {
    return std::string("malformed: ") + e.what();
  }
  return "";
}

/// Files and folders the manifest does not account for. In a class folder (the folder of a
/// listed file) a stray file is read as a sample by ImageFolder-style loaders, and a folder beside
/// the class folders is taken for a class: problems. Anything else (a preview sheet, notes) is
/// told as an extra file. Bookkeeping, category files and the layout's own files are known.
void find_extra_files(const fs::path& dir, const std::string& layout, const std::vector<Expected>& expected,
                      const nlohmann::json& manifest, VerifyReport& report) {
  std::set<std::string> listed,
      known = {"manifest.json",   "fdsl.yaml",     "categories.json", "categories.csv",  "_info.json",
               "train_files.txt", "val_files.txt", "test_files.txt",  "shape_names.txt", "classes.json"};
  for (const char* field : {"category_files", "layout_files", "card_files"})
    if (manifest.contains(field) && manifest[field].is_array())
      for (const auto& f : manifest[field])
        if (f.is_string()) known.insert(f.get<std::string>());
  // A dataset of several splits keeps the same bookkeeping in each split root.
  if (manifest.contains("splits") && manifest["splits"].is_object()) {
    const std::set<std::string> top = known;
    for (auto it = manifest["splits"].begin(); it != manifest["splits"].end(); ++it)
      for (const std::string& f : top) known.insert(it.key() + "/" + f);
  }
  std::set<std::string> class_dirs, roots;
  for (const Expected& e : expected) {
    listed.insert(e.path);
    const fs::path parent = fs::path(e.path).parent_path();
    if (!parent.empty()) {
      class_dirs.insert(parent.generic_string());
      roots.insert(parent.parent_path().generic_string());
    }
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    if (it.depth() == 0 && name.rfind(".fdsl", 0) == 0) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos) continue;  // a write in flight
    if (it->is_directory(ec)) {
      // ImageFolder takes every folder of its root for a class (hidden ones too).
      const std::string parent = fs::path(rel).parent_path().generic_string();
      if (layout == "imagefolder" && roots.count(parent) && !class_dirs.count(rel))
        report.problems.push_back({rel + "/",
                                   "a folder beside the class folders that holds no sample of the manifest: "
                                   "an ImageFolder reading " +
                                       (parent.empty() ? std::string(".") : parent) +
                                       " would take it for a class; remove it",
                                   false});
      continue;
    }
    if (listed.count(rel) || known.count(rel)) continue;
    const std::string parent = fs::path(rel).parent_path().generic_string();
    if (!parent.empty() && class_dirs.count(parent))
      report.problems.push_back({rel,
                                 "not in the manifest, in a class folder: a loader would read it as a sample; "
                                 "remove it (fdsl did not write it)",
                                 false});
    else
      report.extra_files.push_back(rel);
  }
  std::sort(report.extra_files.begin(), report.extra_files.end());
}

}  // namespace

std::string VerifyReport::to_json() const {
  nlohmann::ordered_json j;
  j["layout"] = layout;
  j["ok"] = ok();
  j["complete"] = complete;
  j["files_checked"] = files_checked;
  j["samples_checked"] = samples_checked;
  j["bytes_checked"] = bytes_checked;
  j["problems"] = nlohmann::ordered_json::array();
  for (const auto& p : problems) j["problems"].push_back({{"path", p.path}, {"problem", p.problem}});
  j["extra_files"] = extra_files;
  j["seconds"] = seconds;
  return j.dump();
}

VerifyReport verify_dataset(const fs::path& dir, const VerifyOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  VerifyReport report;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw_bad_input(dir.string() + ": no such folder (give a dataset folder fdsl made)");
  const bool dataset = fs::exists(dir / "manifest.json", ec) || fs::exists(dir / "fdsl.yaml", ec) ||
                       fs::exists(dir / ".fdsl-state.json", ec) || Journal::exists_in(dir);
  if (!dataset)
    throw_bad_input(dir.string() +
                    " is not an fdsl dataset (it has no manifest.json, fdsl.yaml or .fdsl-state.json); "
                    "give the folder `fdsl generate -o` wrote");
  nlohmann::json manifest;
  std::vector<Expected> expected;
  std::int64_t num_classes = 0;
  // The file list is read an entry at a time (a folder dataset's is long). Text that is not JSON,
  // or no file, is unreadable; an entry or a field of the wrong shape makes the manifest malformed.
  const auto problem = [&](const std::string& text) {
    report.problems.push_back({"manifest.json", text});
    return report;
  };
  try {
    manifest = read_manifest(dir / "manifest.json", [&](const nlohmann::json& f) {
      Expected e;
      e.path = f.at("path").get<std::string>();
      e.bytes = f.at("bytes").get<std::int64_t>();
      e.crc = parse_crc(f);
      if (f.contains("samples")) e.samples = f["samples"].get<std::int64_t>();
      if (f.contains("clouds")) e.samples = f["clouds"].get<std::int64_t>();  // an HDF5 file of many clouds
      expected.push_back(std::move(e));
    });
    report.layout = manifest.at("layout").get<std::string>();
    report.complete = manifest.at("complete").get<bool>();
    num_classes = manifest.at("num_classes").get<std::int64_t>();
    if (!manifest.at("files").is_array()) throw std::runtime_error("\"files\" is not a list");
  } catch (const nlohmann::json::parse_error& e) {
    return problem(unreadable_manifest(dir, e.what()));
  } catch (const Error& e) {
    return problem(unreadable_manifest(dir, e.what()));
  } catch (const std::exception& e) {
    return problem(std::string("malformed: ") + e.what());
  }
  const bool tar = report.layout == "webdataset";
  const bool hdf5 = report.layout == "modelnet40_hdf5";
  // A folder's samples: its distinct keys (the path up to the first dot of the file name, as
  // WebDataset groups files), so a pair's cloud, image and camera count once.
  std::int64_t folder_samples = 0;
  if (!tar && !hdf5) {
    std::set<std::string> keys;
    for (const Expected& e : expected) {
      // A dataset with masks: a sample's image and masks sit in three trees under one name.
      const std::string path = strip_mask_tree(e.path);
      const std::size_t slash = path.rfind('/');
      const std::size_t dot = path.find('.', slash == std::string::npos ? 0 : slash + 1);
      keys.insert(path.substr(0, dot));
    }
    folder_samples = static_cast<std::int64_t>(keys.size());
  }
  std::mutex mutex;
  std::atomic<std::int64_t> samples{0}, bytes{0};
  parallel_for(0, static_cast<std::int64_t>(expected.size()), options.threads, [&](std::int64_t i) {
    const Expected& e = expected[static_cast<std::size_t>(i)];
    std::int64_t n = 0;
    const std::string problem =
        tar ? check_shard(dir / e.path, e, num_classes, n) : check_file(dir / e.path, e, num_classes);
    if (tar)
      samples += n;
    else if (hdf5)
      samples += std::max<std::int64_t>(e.samples, 0);
    bytes += e.bytes;
    if (!problem.empty()) {
      std::lock_guard<std::mutex> lock(mutex);
      report.problems.push_back({e.path, problem});
    }
  });
  if (tar && report.complete) {
    // One split, or several (a split's shards are named {split}-NNNNNN.tar).
    std::vector<std::string> splits;
    if (manifest.contains("splits") && manifest["splits"].is_object())
      for (auto it = manifest["splits"].begin(); it != manifest["splits"].end(); ++it) splits.push_back(it.key());
    else
      splits.push_back(manifest.value("split", std::string("train")));
    for (const std::string& split : splits) {
      std::vector<Expected> mine;
      for (const Expected& e : expected)
        if (splits.size() == 1 || e.path.rfind(split + "-", 0) == 0) mine.push_back(e);
      const std::string problem = check_info(dir, split, mine);
      if (!problem.empty()) report.problems.push_back({"_info.json", problem});
    }
  }
  find_extra_files(dir, report.layout, expected, manifest, report);
  std::sort(report.problems.begin(), report.problems.end(),
            [](const VerifyProblem& a, const VerifyProblem& b) { return a.path < b.path; });
  report.files_checked = static_cast<std::int64_t>(expected.size());
  report.samples_checked = tar || hdf5 ? samples.load() : folder_samples;
  report.bytes_checked = bytes;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

std::int64_t repair_dataset(const fs::path& dir, const VerifyReport& report, int threads) {
  for (const auto& p : report.problems)
    if (p.path == "manifest.json")
      throw_bad_input("cannot repair " + dir.string() + " from its manifest: " + p.problem);
  if (report.problems.empty()) return 0;
  const nlohmann::json manifest = nlohmann::json::parse(read_text_file(dir / "manifest.json"));
  // Only the version that made the dataset is sure to make the same bytes (0.2.0 changed the
  // ifs_sigma backgrounds, for one): another version would write files that fail the manifest.
  const std::string made_by = manifest.value("fdsl_version", std::string("?"));
  if (made_by != kVersion)
    throw_bad_input("cannot repair " + dir.string() + ": it was made by fdsl " + made_by + ", this is fdsl " +
                    kVersion + ", whose output may differ; repair it with fdsl " + made_by);
  // The manifest's config made the files it lists: repair from it, and refuse when fdsl.yaml
  // (which `fdsl generate DIR` would use) has been changed since.
  if (!manifest.contains("config") || !manifest["config"].is_object())
    throw_bad_input("cannot repair " + dir.string() + ": its manifest holds no config");
  SpecOptions options;
  options.threads = threads;
  const DatasetSpec spec =
      make_dataset_spec(config_from_json(manifest["config"], (dir / "manifest.json").string()), options, dir);
  std::error_code ec;
  if (fs::exists(dir / "fdsl.yaml", ec)) {
    const Params saved = resolve_dataset_params(load_dataset_config((dir / "fdsl.yaml").string()));
    const nlohmann::json a = nlohmann::json::parse(saved.to_json().dump());
    const nlohmann::json b = nlohmann::json::parse(spec.resolved_config().dump());
    if (a != b) {
      std::string diff;
      for (auto it = b.begin(); it != b.end() && diff.empty(); ++it)
        if (!a.contains(it.key()) || a[it.key()] != it.value())
          diff = "key '" + it.key() + "' is " + (a.contains(it.key()) ? a[it.key()].dump() : "absent") +
                 " in fdsl.yaml, " + it.value().dump() + " in the manifest";
      throw_bad_input("cannot repair " + dir.string() + ": fdsl.yaml differs from the config in manifest.json (" +
                      diff + "); the manifest's config made the files, so restore fdsl.yaml to it first");
    }
  }
  std::vector<std::string> paths;
  bool layout_file = false;
  for (const auto& p : report.problems) {
    if (!p.repairable) continue;
    if (p.path == "_info.json")
      layout_file = true;
    else
      paths.push_back(p.path);
  }
  if (paths.empty() && !layout_file) return 0;
  if (paths.empty()) {
    // _info.json alone: written again with the manifest, from the journals.
    merge_dataset(spec, dir);
    return 1;
  }
  return regenerate_files(spec, dir, paths, threads) + (layout_file ? 1 : 0);
}

}  // namespace fdsl
