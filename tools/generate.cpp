// fdsl generate CONFIG [-o DIR] [--threads N] [--seed S] [--set k=v]... [--resume]
//                      [--classes A:B] [--instances A:B] [--shard I/N] [--ignore-shard-env]
//                      [--fsync] [--max-memory SIZE] [--force] [--check] [--progress auto|bar|log|quiet]
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/core/memory.h"
#include "fdsl/core/stop.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/guard.h"

namespace fdsl::cli {

namespace {

struct GenerateArgs {
  ConfigOptions config;
  std::string output;
  bool resume = false;
  std::string classes, instances;
  std::string shard;
  bool ignore_shard_env = false;
  bool fsync = false;
  std::string max_memory;
  bool force = false, check = false;
  std::string progress = "auto";
};

void run_generate(const GenerateArgs& a) {
  // The split first: a bad --shard or environment is reported before any category search.
  const ShardAssignment part = resolve_shard(a.shard, a.ignore_shard_env, process_environment());
  SpecOptions so = spec_options(a.config);
  // A run of classes A:B uses the first B categories only: a search or an acceptance test of
  // those alone (the bytes are the full run's). The range is checked once the count is known.
  if (!a.classes.empty()) so.search_limit = index_range_end(a.classes);
  if (a.progress == "quiet") so.on_phase = nullptr;
  DatasetSpec spec = load_dataset_spec(a.config.config, so);
  GenerateOptions o;
  o.output = a.output.empty() ? std::filesystem::path("out") / std::filesystem::path(a.config.config).stem()
                              : std::filesystem::path(a.output);
  o.threads = a.config.threads;
  o.resume = a.resume;
  o.part = part;
  o.fsync_files = a.fsync;
  o.force = a.force;
  o.check = a.check;
  if (!a.max_memory.empty()) o.max_memory = parse_bytes(a.max_memory, "--max-memory");
  if (!a.classes.empty()) o.classes = parse_index_range(a.classes, spec.generator->num_classes(), "--classes");
  if (!a.instances.empty())
    o.instances = parse_index_range(a.instances, spec.generator->instances_per_class(), "--instances");
  o.progress = a.progress == "bar"     ? ProgressMode::Bar
               : a.progress == "log"   ? ProgressMode::Log
               : a.progress == "quiet" ? ProgressMode::Quiet
                                       : ProgressMode::Auto;
  o.stop = &stop_flag();
  const GenerateSummary s = generate_dataset(spec, o);
  const std::string noun = spec.generator->sample_noun();
  const char* what = noun.c_str();
  const std::string who = part.count > 1 ? "fdsl [part " + part.text() + "]" : "fdsl";
  if (s.interrupted) {
    std::fprintf(stderr, "%s: interrupted after %lld %s; run the same command with --resume to finish\n", who.c_str(),
                 static_cast<long long>(s.samples_written), what);
  } else {
    std::string shards;
    if (s.output_format == "tar")
      shards = " in " + std::to_string(s.shards_written) + " shards" +
               (s.shards_skipped ? " (" + std::to_string(s.shards_skipped) + " already done)" : "");
    std::string state = s.complete ? "" : "; dataset partial";
    if (part.count > 1)
      state = s.manifest_written ? "; every part is done: wrote manifest.json"
                                 : "; other parts still running (the last to finish writes manifest.json, or run "
                                   "`fdsl merge " +
                                       o.output.string() + "`)";
    std::fprintf(stderr, "%s: wrote %lld %s%s (%.1f MB) to %s in %.2f s (%.0f %s/s)%s\n", who.c_str(),
                 static_cast<long long>(s.samples_written), what, shards.c_str(), s.bytes_written / 1e6,
                 o.output.string().c_str(), s.seconds, s.seconds > 0 ? s.samples_written / s.seconds : 0.0, what,
                 state.c_str());
  }
  if (s.blank_samples > 0) {
    const std::string hint = spec.generator->blank_hint();
    std::fprintf(stderr,
                 "%s: warning: %lld of %lld %s are one flat color (the formula drew nothing on the canvas; first: "
                 "%s)%s%s\n",
                 who.c_str(), static_cast<long long>(s.blank_samples), static_cast<long long>(s.samples_written), what,
                 s.first_blank.c_str(), hint.empty() ? "" : ": ", hint.c_str());
  }
  if (const GuardSettings* g = guard_of(*spec.generator); g && (s.guard_redrawn > 0 || s.guard_failed > 0)) {
    std::fprintf(stderr, "%s: guards: %lld of %lld %s drawn again", who.c_str(),
                 static_cast<long long>(s.guard_redrawn + s.guard_failed), static_cast<long long>(s.samples_written),
                 what);
    if (s.guard_failed > 0)
      std::fprintf(stderr,
                   "; warning: %lld passed no guard in %d draws and were kept as drawn first (listed under \"guards\" "
                   "in manifest.json; first: %s)",
                   static_cast<long long>(s.guard_failed), g->draws, s.first_guard_failed.c_str());
    std::fprintf(stderr, "\n");
  }
  std::printf("%s\n", s.to_json().c_str());
}

}  // namespace

void add_generate(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "generate a dataset (ImageFolder PNGs, point-cloud files or WebDataset tar shards + manifest)");
  add_config_options(*cmd, args->config);
  cmd->add_option("-o,--output", args->output, "output folder (default: out/<config name>)");
  cmd->add_flag("--resume", args->resume, "continue an interrupted run in the same folder (same config)");
  cmd->add_option("--classes", args->classes, "generate only classes A:B (same bytes as the full run; folder output)");
  cmd->add_option("--instances", args->instances, "generate only instances A:B of each class (folder output)");
  cmd->add_option("--shard", args->shard,
                  "make part I of N of the dataset (default: from SLURM_ARRAY_TASK_ID/COUNT, SLURM_PROCID/NTASKS, "
                  "OMPI_COMM_WORLD_RANK/SIZE or PMI_RANK/SIZE)");
  cmd->add_flag("--ignore-shard-env", args->ignore_shard_env,
                "ignore Slurm/MPI variables: one process makes everything, or the part --shard gives");
  cmd->add_option("--max-memory", args->max_memory,
                  "memory the run may take, e.g. 8G (default: what the machine, its cgroup and ulimit -v leave); "
                  "a run estimated above it is refused before it starts");
  cmd->add_flag("--force", args->force,
                "write into a non-empty folder that holds no fdsl dataset (its other files stay)");
  cmd->add_flag("--check", args->check,
                "with --resume: check the CRC-32 of every recorded file too, not only its size (reads them all)");
  cmd->add_flag("--fsync", args->fsync, "folder output: fsync every file (slow; tar shards are always fsynced)");
  cmd->add_option("--progress", args->progress, "auto (bar on a terminal), bar, log or quiet")
      ->check(CLI::IsMember({"auto", "bar", "log", "quiet"}));
  cmd->callback([args] { run_generate(*args); });
}

}  // namespace fdsl::cli
