// fdsl: formula-driven datasets from the command line. Exit codes: 0 ok, 2 bad input, 1 failure,
// 130 stopped by SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/core/version.h"

namespace fdsl::cli {

std::atomic<bool> g_stop{false};

void add_config_options(CLI::App& cmd, ConfigOptions& o) {
  cmd.add_option("config", o.config, "YAML config (or a dataset folder, which holds its fdsl.yaml)")->required();
  cmd.add_option("--set", o.overrides, "override a config key: --set key=value (repeatable)");
  cmd.add_option("--seed", o.seed, "dataset seed (overrides the config)");
  cmd.add_option("--threads,-j", o.threads, "threads (default: SLURM_CPUS_PER_TASK or all cores)");
}

SpecOptions spec_options(const ConfigOptions& o) {
  SpecOptions s;
  s.overrides = o.overrides;
  if (o.seed >= 0) s.seed = o.seed;
  s.threads = o.threads;
  return s;
}

}  // namespace fdsl::cli

namespace {
void on_stop_signal(int) {
  if (fdsl::cli::g_stop.exchange(true)) std::_Exit(130);  // a second Ctrl-C stops at once
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fdsl: formula-driven supervised learning datasets (FractalDB, sigma-factor IFS, 1p-frac, PC-FractalDB)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fdsl ") + fdsl::kVersion);
  fdsl::cli::add_generate(app);
  fdsl::cli::add_search(app);
  fdsl::cli::add_list(app);
  fdsl::cli::add_preview(app);
  fdsl::cli::add_merge(app);
  fdsl::cli::add_verify(app);
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
    std::fprintf(stderr, "fdsl: error: %s\n", e.what());
    return e.kind() == fdsl::ErrorKind::Runtime ? 1 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fdsl: error: %s\n", e.what());
    return 1;
  }
  if (fdsl::cli::g_stop) return 130;
  return 0;
}
