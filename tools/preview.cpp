// fdsl preview CONFIG -o sheet.png [--categories A:B] [--instances A:B] [--tile N]
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "fdsl/dataset/preview.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"

namespace fdsl::cli {

void add_preview(CLI::App& app) {
  struct Args {
    ConfigOptions config;
    std::string output = "preview.png";
    std::string categories = "0:8", instances = "0:8";
    int tile = 128;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("preview", "write a contact sheet: categories x instances");
  add_config_options(*cmd, args->config);
  cmd->add_option("-o,--output", args->output, "sheet PNG file (default preview.png)");
  cmd->add_option("--categories", args->categories, "rows: categories A:B (default 0:8)");
  cmd->add_option("--instances", args->instances, "columns: instances A:B (default 0:8)");
  cmd->add_option("--tile", args->tile, "tile side in pixels (default 128)")->check(CLI::Range(16, 1024));
  cmd->callback([args] {
    const DatasetSpec spec = load_dataset_spec(args->config.config, spec_options(args->config));
    const Generator& gen = *spec.generator;
    auto clip = [](const std::string& text, std::int64_t limit, const char* what) {
      // The defaults ask for 8 of each; a smaller dataset shows what it has.
      std::string t = text;
      if (t == "0:8" && limit < 8) t = "0:" + std::to_string(limit);
      return parse_index_range(t, limit, what);
    };
    const auto [c0, c1] = clip(args->categories, gen.num_classes(), "--categories");
    const auto [i0, i1] = clip(args->instances, gen.instances_per_class(), "--instances");
    SheetOptions o;
    for (auto c = c0; c < c1; ++c) o.categories.push_back(c);
    for (auto i = i0; i < i1; ++i) o.instances.push_back(i);
    o.tile = args->tile;
    o.threads = args->config.threads;
    const std::string name = spec.params.get_string("name").empty()
                                 ? std::filesystem::path(args->config.config).stem().string()
                                 : spec.params.get_string("name");
    o.title = name + "  (" + gen.family() + ", seed " + std::to_string(spec.params.get_int("seed")) + ")";
    const Image sheet = contact_sheet(gen, o);
    write_file_atomic(args->output, encode_png(sheet, PngOptions{}));
    std::fprintf(stderr, "fdsl: wrote %s (%dx%d: %zu categories x %zu instances)\n", args->output.c_str(), sheet.width,
                 sheet.height, o.categories.size(), o.instances.size());
  });
}

}  // namespace fdsl::cli
