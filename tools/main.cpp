// fdsl: formula-driven datasets from the command line. Exit codes: 0 ok, 2 bad input, 1 failure,
// 130 stopped by SIGINT or SIGTERM.
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/stop.h"
#include "fdsl/core/version.h"
#include "fdsl/generators/generator.h"

namespace fdsl::cli {

CLI::Option* add_threads_option(CLI::App& cmd, int& threads) {
  // The library's rule, as Python's threads= keyword follows it.
  const CLI::Validator valid(
      [](std::string& text) -> std::string {
        std::int64_t n = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || p != text.data() + text.size()) return "'" + text + "' is not a whole number";
        try {
          check_thread_count(n, "--threads");
        } catch (const Error& e) {
          return e.what();
        }
        return "";
      },
      "0..." + std::to_string(kMaxThreads));
  return cmd
      .add_option("--threads,-j", threads,
                  "threads: 1.." + std::to_string(kMaxThreads) +
                      ", or 0 for all cores (the default: SLURM_CPUS_PER_TASK or the cores this process may use)")
      ->check(valid);
}

void add_config_options(CLI::App& cmd, ConfigOptions& o) {
  cmd.add_option("config", o.config, "YAML config (or a dataset folder, which holds its fdsl.yaml)")->required();
  cmd.add_option("--set", o.overrides, "override a config key: --set key=value (repeatable)");
  cmd.add_option("--seed", o.seed, "dataset seed (overrides the config's seed; same range)");
  add_threads_option(cmd, o.threads);
}

SpecOptions spec_options(const ConfigOptions& o) {
  SpecOptions s;
  s.overrides = o.overrides;
  // --seed is checked like the config key it replaces (an override with its own location).
  if (!o.seed.empty()) s.overrides.push_back("seed=" + o.seed);
  s.threads = o.threads;
  s.on_phase = [](const std::string& phase) { std::fprintf(stderr, "fdsl: %s...\n", phase.c_str()); };
  return s;
}

}  // namespace fdsl::cli

namespace {
void on_stop_signal(int) {
  if (fdsl::stop_flag().exchange(true)) std::_Exit(130);  // a second Ctrl-C stops at once
}
}  // namespace

int main(int argc, char** argv) {
  std::string families;
  for (const fdsl::GeneratorInfo& g : fdsl::generator_registry()) families += (families.empty() ? "" : ", ") + g.name;
  CLI::App app{"fdsl: formula-driven supervised learning datasets (" + families + ")"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fdsl ") + fdsl::kVersion);
  fdsl::cli::add_generate(app);
  fdsl::cli::add_search(app);
  fdsl::cli::add_list(app);
  fdsl::cli::add_preview(app);
  fdsl::cli::add_merge(app);
  fdsl::cli::add_verify(app);
  fdsl::cli::add_stats(app);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const fdsl::Error& e) {
    if (e.kind() == fdsl::ErrorKind::Interrupted) {
      std::fprintf(stderr, "fdsl: %s\n", e.what());
      return 130;
    }
    std::fprintf(stderr, "fdsl: error: %s\n", e.what());
    return e.kind() == fdsl::ErrorKind::Runtime ? 1 : 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the OS refuses (too long, no permission) that no check caught: the OS's words.
    std::fprintf(stderr, "fdsl: error: %s\n", e.what());
    return e.code() == std::errc::filename_too_long || e.code() == std::errc::invalid_argument ? 2 : 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "fdsl: error: out of memory (lower size, points, threads or the work per sample)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fdsl: error: %s\n", e.what());
    return 1;
  }
  if (fdsl::stop_requested()) return 130;
  return 0;
}
