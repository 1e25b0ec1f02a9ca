#include "fdsl/dataset/verify.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "fdsl/core/error.h"
#include "fdsl/core/version.h"
#include "fdsl/core/parallel.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/hdf5_dataset.h"
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
    return std::to_string(size) + " bytes, expected " + std::to_string(e.bytes) + (static_cast<std::int64_t>(size) < e.bytes ? " (truncated)" : "");
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
    if (s.at("filenames").get<std::vector<std::string>>() != names) return "filenames differ from the manifest's shards";
    if (s.at("shard_lengths").get<std::vector<std::int64_t>>() != lengths) return "shard_lengths differ from the manifest";
    if (s.at("num_samples").get<std::int64_t>() != total) return "num_samples differs from the manifest";
  } catch (const nlohmann::json::exception& e) {
    return std::string("malformed: ") + e.what();
  }
  return "";
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
  j["seconds"] = seconds;
  return j.dump();
}

VerifyReport verify_dataset(const fs::path& dir, const VerifyOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  VerifyReport report;
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(read_text_file(dir / "manifest.json"));
  } catch (const std::exception& e) {
    report.problems.push_back({"manifest.json",
                               std::string("missing or unreadable (") + e.what() +
                                   "): the run did not finish; run `fdsl generate DIR --resume`, or `fdsl merge DIR` "
                                   "after a split run"});
    return report;
  }
  std::vector<Expected> expected;
  std::int64_t num_classes = 0;
  try {
    report.layout = manifest.at("layout").get<std::string>();
    report.complete = manifest.at("complete").get<bool>();
    num_classes = manifest.at("num_classes").get<std::int64_t>();
    for (const auto& f : manifest.at("files")) {
      Expected e;
      e.path = f.at("path").get<std::string>();
      e.bytes = f.at("bytes").get<std::int64_t>();
      e.crc = parse_crc(f);
      if (f.contains("samples")) e.samples = f["samples"].get<std::int64_t>();
      if (f.contains("clouds")) e.samples = f["clouds"].get<std::int64_t>();  // an HDF5 file of many clouds
      expected.push_back(std::move(e));
    }
  } catch (const std::exception& e) {
    report.problems.push_back({"manifest.json", std::string("malformed: ") + e.what()});
    return report;
  }
  const bool tar = report.layout == "webdataset";
  const bool hdf5 = report.layout == "modelnet40_hdf5";
  // A folder's samples: its distinct keys (the path up to the first dot of the file name, as
  // WebDataset groups files), so a pair's cloud, image and camera count once.
  std::int64_t folder_samples = 0;
  if (!tar && !hdf5) {
    std::set<std::string> keys;
    for (const Expected& e : expected) {
      const std::size_t slash = e.path.rfind('/');
      const std::size_t dot = e.path.find('.', slash == std::string::npos ? 0 : slash + 1);
      keys.insert(e.path.substr(0, dot));
    }
    folder_samples = static_cast<std::int64_t>(keys.size());
  }
  std::mutex mutex;
  std::atomic<std::int64_t> samples{0}, bytes{0};
  parallel_for(0, static_cast<std::int64_t>(expected.size()), options.threads, [&](std::int64_t i) {
    const Expected& e = expected[static_cast<std::size_t>(i)];
    std::int64_t n = 0;
    const std::string problem = tar ? check_shard(dir / e.path, e, num_classes, n) : check_file(dir / e.path, e, num_classes);
    if (tar) samples += n;
    else if (hdf5) samples += std::max<std::int64_t>(e.samples, 0);
    bytes += e.bytes;
    if (!problem.empty()) {
      std::lock_guard<std::mutex> lock(mutex);
      report.problems.push_back({e.path, problem});
    }
  });
  if (tar && report.complete) {
    const std::string problem = check_info(dir, manifest.value("split", "train"), expected);
    if (!problem.empty()) report.problems.push_back({"_info.json", problem});
  }
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
  // Only the version that made the dataset is sure to make the same bytes (0.2.0 changed the
  // ifs_sigma backgrounds, for one): another version would write files that fail the manifest.
  const std::string made_by =
      nlohmann::json::parse(read_text_file(dir / "manifest.json")).value("fdsl_version", std::string("?"));
  if (made_by != kVersion)
    throw_bad_input("cannot repair " + dir.string() + ": it was made by fdsl " + made_by + ", this is fdsl " +
                    kVersion + ", whose output may differ; repair it with fdsl " + made_by);
  const DatasetSpec spec = load_dataset_spec(dir.string(), SpecOptions{{}, std::nullopt, threads});
  if (report.layout == "modelnet40_hdf5") {
    // Every problem is an .h5 file of the manifest (the file lists are not checked).
    std::vector<std::string> paths;
    for (const auto& p : report.problems) paths.push_back(p.path);
    return regenerate_hdf5_files(spec, dir, paths, threads);
  }
  const Generator& gen = *spec.generator;
  std::vector<std::int64_t> shards;
  std::vector<std::pair<std::int64_t, std::int64_t>> samples;
  bool info = false;
  if (report.layout == "webdataset") {
    const TarLayout layout(spec, OutputSettings::from_params(spec.params));
    for (const auto& p : report.problems) {
      if (p.path == "_info.json") {
        info = true;
        continue;
      }
      for (std::int64_t k = 0; k < layout.num_shards(); ++k)
        if (layout.shard_name(k) == p.path) shards.push_back(k);
    }
  } else {
    // A file's sample is found by its name: the sample's name followed by a suffix that starts
    // with '.' or '_' (x.png, x.camera.json, x.view003.png, x_sem_label.npy, views x_003.png).
    std::unordered_set<std::string> names;
    for (const auto& p : report.problems) {
      const std::size_t slash = p.path.rfind('/');
      for (std::size_t at = slash == std::string::npos ? 0 : slash + 1; at < p.path.size(); ++at)
        if (p.path[at] == '.' || p.path[at] == '_') names.insert(p.path.substr(0, at));
    }
    for (std::int64_t c = 0; c < gen.num_classes() && !names.empty(); ++c)
      for (std::int64_t i = 0; i < gen.instances_per_class(); ++i)
        if (names.count(gen.sample_name(c, i))) samples.push_back({c, i});
  }
  regenerate_items(spec, dir, shards, samples, threads);
  if (info) merge_dataset(spec, dir);  // _info.json is written from the journals with the manifest
  return static_cast<std::int64_t>(shards.size() + samples.size()) + (info ? 1 : 0);
}

}  // namespace fdsl
