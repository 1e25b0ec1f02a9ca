// fdsl verify DIR [--regenerate]: checks every file or shard against the manifest (size, CRC-32,
// format); exit 1 if anything is missing or corrupt. --regenerate makes the damaged items again
// from the saved config and verifies again.
#include <cstdio>

#include "commands.h"
#include "fdsl/core/error.h"
#include "fdsl/dataset/verify.h"

namespace fdsl::cli {

namespace {
void print_problems(const VerifyReport& r) {
  const std::size_t shown = std::min<std::size_t>(r.problems.size(), 20);
  for (std::size_t i = 0; i < shown; ++i)
    std::fprintf(stderr, "fdsl: %s: %s\n", r.problems[i].path.c_str(), r.problems[i].problem.c_str());
  if (r.problems.size() > shown) std::fprintf(stderr, "fdsl: ... and %zu more\n", r.problems.size() - shown);
}
}  // namespace

void add_verify(CLI::App& app) {
  struct Args {
    std::string dir;
    bool regenerate = false;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("verify", "check every file or shard against the manifest (size, CRC-32, format)");
  cmd->add_option("dir", args->dir, "the dataset folder")->required();
  cmd->add_flag("--regenerate", args->regenerate, "make missing or corrupt items again from the saved config");
  add_threads_option(*cmd, args->threads);
  cmd->callback([args] {
    VerifyOptions o;
    o.threads = args->threads;
    VerifyReport r = verify_dataset(args->dir, o);
    print_problems(r);
    if (!r.ok() && args->regenerate) {
      const std::int64_t n = repair_dataset(args->dir, r, args->threads);
      std::fprintf(stderr, "fdsl: made %lld items again; verifying again\n", static_cast<long long>(n));
      r = verify_dataset(args->dir, o);
      print_problems(r);
    }
    std::printf("%s\n", r.to_json().c_str());
    if (!r.extra_files.empty())
      std::fprintf(stderr, "fdsl: note: %zu files beside the dataset that its loaders do not read (e.g. %s)\n",
                   r.extra_files.size(), r.extra_files.front().c_str());
    if (!r.ok()) {
      std::size_t repairable = 0;
      for (const auto& p : r.problems) repairable += p.repairable;
      std::string hint;
      if (repairable > 0 && !args->regenerate)
        hint =
            "; `fdsl verify " + args->dir + " --regenerate` makes the damaged files again from the manifest's config";
      if (repairable < r.problems.size()) hint += "; stray files and folders must be removed by hand";
      throw_runtime(std::to_string(r.problems.size()) + (r.problems.size() == 1 ? " problem" : " problems") + " in " +
                    args->dir + " (" + std::to_string(r.files_checked) + " files of the manifest checked)" + hint);
    }
    std::fprintf(stderr, "fdsl: %s: all %lld %s (%lld samples, %.1f MB) match the manifest%s (%.1f s)\n",
                 args->dir.c_str(), static_cast<long long>(r.files_checked),
                 r.layout == "webdataset" ? "shards" : "files", static_cast<long long>(r.samples_checked),
                 r.bytes_checked / 1e6, r.complete ? "" : "; the dataset is partial (complete: false)", r.seconds);
  });
}

}  // namespace fdsl::cli
