// fdsl preview CONFIG -o sheet.png [--categories A:B] [--instances A:B] [--tile N]
//              [--sweep key=lo:hi:count] [--interactive [--frames N] [--save-dir DIR]]
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "commands.h"
#include "explorer.h"
#include "fdsl/core/error.h"
#include "fdsl/dataset/preview.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"

namespace fdsl::cli {

namespace {

struct PreviewArgs {
  ConfigOptions config;
  std::string output = "preview.png";
  std::string categories = "0:8", instances = "0:8";
  int tile = 128;
  std::string sweep;
  bool interactive = false;
  int frames = 0;
  std::string save_dir = ".";
  std::string keys;
};

/// The defaults ask for 8 of each; a smaller dataset shows what it has.
std::pair<std::int64_t, std::int64_t> clipped_range(const std::string& text, std::int64_t limit, const char* what) {
  std::string t = text;
  if (t == "0:8" && limit < 8) t = "0:" + std::to_string(limit);
  return parse_index_range(t, limit, what);
}

void run_preview(const PreviewArgs& a) {
  namespace fs = std::filesystem;
  if (a.interactive) {
    ExplorerOptions e;
    e.config = a.config.config;
    e.spec = spec_options(a.config);
    e.frames = a.frames;
    e.save_dir = a.save_dir;
    e.keys = a.keys;
    run_explorer(e);
    return;
  }
  // Categories are prefix-stable, so a sheet builds only the ones it shows (a 10,000-category
  // search config previews in a moment).
  // The dataset stays as configured; only the categories shown are searched or accepted.
  SpecOptions so = spec_options(a.config);
  so.search_limit = index_range_end(a.categories);
  const DatasetSpec spec = load_dataset_spec(a.config.config, so);
  const Generator& gen = *spec.generator;
  const auto [c0, c1] = clipped_range(a.categories, gen.num_classes(), "--categories");
  const auto [i0, i1] = clipped_range(a.instances, gen.instances_per_class(), "--instances");
  SheetOptions o;
  for (auto c = c0; c < c1; ++c) o.categories.push_back(c);
  for (auto i = i0; i < i1; ++i) o.instances.push_back(i);
  o.tile = a.tile;
  o.threads = a.config.threads;
  const std::string name = spec.params.get_string("name").empty() ? fs::path(a.config.config).stem().string()
                                                                  : spec.params.get_string("name");
  o.title = name + "  (" + gen.family() + ", seed " + std::to_string(spec.params.get_int("seed")) + ")";
  Image sheet;
  if (!a.sweep.empty()) {
    const Sweep sweep = parse_sweep(a.sweep, spec.params);
    o.title += "  sweep " + sweep.key;
    sheet = sweep_sheet(spec.raw, so, fs::path(a.config.config).parent_path().string(), sweep, o);
  } else {
    sheet = contact_sheet(gen, o);
  }
  write_file_atomic(a.output, encode_png(sheet, PngOptions{}));
  std::fprintf(stderr, "fdsl: wrote %s (%dx%d)\n", a.output.c_str(), sheet.width, sheet.height);
}

}  // namespace

void add_preview(CLI::App& app) {
  auto args = std::make_shared<PreviewArgs>();
  CLI::App* cmd = app.add_subcommand("preview", "contact sheets, parameter sweeps and an interactive explorer");
  add_config_options(*cmd, args->config);
  cmd->add_option("-o,--output", args->output, "sheet PNG file (default preview.png)");
  cmd->add_option("--categories", args->categories, "categories A:B (rows; a sweep's columns; default 0:8)");
  cmd->add_option("--instances", args->instances, "instances A:B (columns; a sweep uses the first; default 0:8)");
  cmd->add_option("--tile", args->tile, "tile side in pixels (default 128)")->check(CLI::Range(16, 1024));
  cmd->add_option("--sweep", args->sweep, "one row per value of a numeric key: key=lo:hi:count, e.g. sigma=3.0:5.0:9");
  cmd->add_flag("--interactive", args->interactive, "open the explorer window (OpenCV; needs an X display)");
  cmd->add_option("--frames", args->frames, "explorer: quit after N frames (scripted runs; 0 = until q)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--save-dir", args->save_dir, "explorer: where 's' saves images and 'p' config snippets");
  cmd->add_option("--keys", args->keys, "explorer: keys to act on, one per frame, as if pressed (scripted runs)");
  cmd->callback([args] { run_preview(*args); });
}

}  // namespace fdsl::cli
