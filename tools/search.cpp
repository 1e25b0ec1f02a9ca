// fdsl search CONFIG [-o DIR]: builds the categories only (FractalDB: the filling-rate search;
// PC-FractalDB: the variance search) and writes them in the official CSV layout plus categories.json.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/stop.h"
#include "fdsl/dataset/guard.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/io/files.h"

namespace fdsl::cli {

void add_search(CLI::App& app) {
  struct Args {
    ConfigOptions config;
    std::string output;
    std::int64_t guard_probe = 4;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "search", "build the categories only (FractalDB: filling-rate search, PC-FractalDB: variance search)");
  add_config_options(*cmd, args->config);
  cmd->add_option(
      "-o,--output", args->output,
      "folder for categories/NNNNN.csv, categories.csv and categories.json (default: out/<config>-categories)");
  cmd->add_option("--guard-probe", args->guard_probe,
                  "with generation guards (min_ink, max_ink, min_flatness): make N instances of every "
                  "category (spread over its instances) and report the share of draws each guard rejected (0: skip)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  cmd->callback([args] {
    namespace fs = std::filesystem;
    const DatasetSpec spec = load_dataset_spec(args->config.config, spec_options(args->config));
    const fs::path out = args->output.empty()
                             ? fs::path("out") / (fs::path(args->config.config).stem().string() + "-categories")
                             : fs::path(args->output);
    ensure_writable_dir(out);
    spec.generator->save_categories(out);
    // The family's official layout as well: one CSV per category (FractalDB NNNNN.csv,
    // PC-FractalDB NNNNNN.csv).
    spec.generator->export_categories(out / "categories");
    nlohmann::ordered_json report;
    report["categories"] = spec.generator->num_classes();
    report["output"] = out.string();
    report["stats"] = spec.generator->stats();
    const Generator& gen = *spec.generator;
    if (const GuardSettings* g = guard_of(gen); g && args->guard_probe > 0) {
      const std::int64_t per = std::min(args->guard_probe, gen.instances_per_class());
      const std::int64_t n = gen.num_classes() * per;
      parallel_for(0, n, spec_options(args->config).threads, [&](std::int64_t k) {
        throw_if_stopped("the guard probe");
        // Spread over the instances (FractalDB's first ones share a weight row).
        (void)gen.make(k / per, (k % per) * gen.instances_per_class() / per);
      });
      nlohmann::ordered_json probe = guard_counts_json(*guard_counts(gen), *g);
      probe["instances_per_category"] = per;
      report["guards"] = std::move(probe);
    }
    std::printf("%s\n", report.dump().c_str());
  });
}

}  // namespace fdsl::cli
