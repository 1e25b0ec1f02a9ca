// fdsl generate CONFIG [-o DIR] [--threads N] [--seed S] [--set k=v]... [--resume]
//                      [--classes A:B] [--instances A:B] [--progress auto|bar|log|quiet]
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/dataset/generate.h"

namespace fdsl::cli {

namespace {

struct GenerateArgs {
  ConfigOptions config;
  std::string output;
  bool resume = false;
  std::string classes, instances;
  std::string progress = "auto";
};

void run_generate(const GenerateArgs& a) {
  DatasetSpec spec = load_dataset_spec(a.config.config, spec_options(a.config));
  GenerateOptions o;
  o.output = a.output.empty() ? std::filesystem::path("out") / std::filesystem::path(a.config.config).stem()
                              : std::filesystem::path(a.output);
  o.threads = a.config.threads;
  o.resume = a.resume;
  if (!a.classes.empty()) o.classes = parse_index_range(a.classes, spec.generator->num_classes(), "--classes");
  if (!a.instances.empty())
    o.instances = parse_index_range(a.instances, spec.generator->instances_per_class(), "--instances");
  o.progress = a.progress == "bar" ? ProgressMode::Bar
               : a.progress == "log" ? ProgressMode::Log
               : a.progress == "quiet" ? ProgressMode::Quiet
                                       : ProgressMode::Auto;
  o.stop = &g_stop;
  const GenerateSummary s = generate_dataset(spec, o);
  const char* what = spec.generator->makes_point_clouds() ? "clouds" : "images";
  if (s.interrupted) {
    std::fprintf(stderr, "fdsl: interrupted after %lld %s; run the same command with --resume to finish\n",
                 static_cast<long long>(s.samples_written), what);
  } else {
    std::fprintf(stderr, "fdsl: wrote %lld %s (%.1f MB) to %s in %.2f s (%.0f %s/s)%s\n",
                 static_cast<long long>(s.samples_written), what, s.bytes_written / 1e6, o.output.string().c_str(),
                 s.seconds, s.seconds > 0 ? s.samples_written / s.seconds : 0.0, what,
                 s.complete ? "" : "; dataset partial");
  }
  std::printf("%s\n", s.to_json().c_str());
}

}  // namespace

void add_generate(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand("generate", "generate a dataset (ImageFolder PNGs or point-cloud files + manifest)");
  add_config_options(*cmd, args->config);
  cmd->add_option("-o,--output", args->output, "output folder (default: out/<config name>)");
  cmd->add_flag("--resume", args->resume, "continue an interrupted run in the same folder (same config)");
  cmd->add_option("--classes", args->classes, "generate only classes A:B (same bytes as the full run)");
  cmd->add_option("--instances", args->instances, "generate only instances A:B of each class");
  cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, log or quiet")
      ->check(CLI::IsMember({"auto", "bar", "log", "quiet"}));
  cmd->callback([args] { run_generate(*args); });
}

}  // namespace fdsl::cli
