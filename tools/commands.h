// The subcommands of the fdsl tool: each adds itself to the CLI11 app and runs through the library.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fdsl/dataset/spec.h"

namespace fdsl::cli {

/// Options shared by every command that reads a config.
struct ConfigOptions {
  std::string config;                  ///< YAML file or dataset folder
  std::vector<std::string> overrides;  ///< --set key=value
  std::string seed;                    ///< --seed as given (empty: from the config)
  int threads = 0;                     ///< --threads (0: all cores, or SLURM_CPUS_PER_TASK)
};

void add_config_options(CLI::App& cmd, ConfigOptions& o);
/// --threads/-j with the library's rule (check_thread_count).
CLI::Option* add_threads_option(CLI::App& cmd, int& threads);
SpecOptions spec_options(const ConfigOptions& o);

void add_generate(CLI::App& app);
void add_search(CLI::App& app);
void add_list(CLI::App& app);
void add_preview(CLI::App& app);
void add_merge(CLI::App& app);
void add_verify(CLI::App& app);
void add_stats(CLI::App& app);

}  // namespace fdsl::cli
