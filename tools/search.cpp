// fdsl search CONFIG [-o DIR]: builds the categories only (FractalDB: the filling-rate search;
// PC-FractalDB: the variance search) and writes them in the official CSV layout plus categories.json.
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/io/files.h"

namespace fdsl::cli {

void add_search(CLI::App& app) {
  struct Args {
    ConfigOptions config;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "search", "build the categories only (FractalDB: filling-rate search, PC-FractalDB: variance search)");
  add_config_options(*cmd, args->config);
  cmd->add_option(
      "-o,--output", args->output,
      "folder for categories/NNNNN.csv, categories.csv and categories.json (default: out/<config>-categories)");
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
    std::printf("%s\n", report.dump().c_str());
  });
}

}  // namespace fdsl::cli
