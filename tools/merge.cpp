// fdsl merge DIR: after a split run, writes the combined manifest.json (and _info.json) once
// every part is done; says which parts are missing otherwise (exit 1).
#include <cstdio>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/dataset/generate.h"

namespace fdsl::cli {

void add_merge(CLI::App& app) {
  struct Args {
    std::string dir;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("merge", "after a split run (--shard, Slurm, MPI): write the combined manifest");
  cmd->add_option("dir", args->dir, "the dataset folder all parts wrote into")->required();
  add_threads_option(*cmd, args->threads);
  cmd->callback([args] {
    SpecOptions options;
    options.threads = args->threads;
    const DatasetSpec spec = load_dataset_spec(args->dir, options);
    const MergeSummary m = merge_dataset(spec, args->dir);
    nlohmann::ordered_json j;
    j["complete"] = m.complete;
    j["parts_done"] = m.parts_done;
    j["parts_total"] = m.parts_total;
    j["missing"] = m.missing;
    j["temporary_files_removed"] = m.temporary_files_removed;
    std::printf("%s\n", j.dump().c_str());
    if (!m.complete) {
      std::string list;
      for (const auto& s : m.missing) list += (list.empty() ? "" : ", ") + s;
      throw_runtime(std::to_string(m.parts_total - m.parts_done) + " of " + std::to_string(m.parts_total) +
                    " parts of " + args->dir + " are not done (" + list +
                    (m.parts_total - m.parts_done > static_cast<std::int64_t>(m.missing.size()) ? ", ..." : "") +
                    "); run the missing parts again (same command with --resume) and merge again");
    }
    std::fprintf(stderr, "fdsl: %s is complete (%lld parts); wrote manifest.json\n", args->dir.c_str(),
                 static_cast<long long>(m.parts_total));
  });
}

}  // namespace fdsl::cli
