// DatasetSpec: a config resolved against the dataset and generator parameter tables, with the
// generator built from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/core/params.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

struct SpecOptions {
  std::vector<std::string> overrides;  ///< --set key=value, applied in order
  std::optional<std::int64_t> seed;    ///< --seed, wins over the config
  int threads = 0;                     ///< for category search (0: all cores)
  /// The run uses categories [0, search_limit) only (-1: all); see GeneratorContext.
  std::int64_t search_limit = -1;
  /// Told when a long build phase of the generator starts (see GeneratorContext); may be empty.
  std::function<void(const std::string&)> on_phase;
};

struct DatasetSpec {
  std::string source;  ///< config file name (for messages)
  RawConfig raw;       ///< as written, overrides applied
  Params params;       ///< resolved values
  const GeneratorInfo* info = nullptr;
  std::unique_ptr<Generator> generator;

  /// The resolved config: every key of the dataset and generator tables with its value.
  nlohmann::ordered_json resolved_config() const { return params.to_json(); }
  /// The resolved config as YAML text that `fdsl generate` accepts.
  std::string resolved_yaml() const;
};

/// Parameters every dataset has (generator, seed, classes, instances, size, output options).
const ParamTable& dataset_params();

/// Reads a YAML config, a JSON config (or a manifest.json's "config"), or a dataset folder's fdsl.yaml,
/// without resolving it; `config_dir` receives the folder relative paths in it are taken from.
RawConfig load_dataset_config(const std::string& path, std::filesystem::path* config_dir = nullptr);
/// Loads a YAML config (or a dataset folder's manifest.json / fdsl.yaml) and builds the generator.
DatasetSpec load_dataset_spec(const std::string& path, const SpecOptions& options = {});
/// The same from an in-memory config; relative paths in it are taken from `config_dir`.
DatasetSpec make_dataset_spec(RawConfig raw, const SpecOptions& options, const std::filesystem::path& config_dir);
/// Resolves parameters only (no generator built): what `fdsl list`-style checks need.
Params resolve_dataset_params(const RawConfig& raw, const GeneratorInfo** info = nullptr);

/// The end B of an "A:B" range (A + 1 for "A") when it is written and valid, else -1 (open ends
/// and bad text are left to parse_index_range).
std::int64_t index_range_end(const std::string& text);
/// Parses "A:B" (also "A", ":B", "A:") into [A, B) within [0, limit); throws BadInput naming `what`.
std::pair<std::int64_t, std::int64_t> parse_index_range(const std::string& text, std::int64_t limit,
                                                        const std::string& what);

}  // namespace fdsl
