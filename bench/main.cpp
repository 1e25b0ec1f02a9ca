#include <sys/resource.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness.h"

namespace fdsl::bench {

std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

double default_seconds() {
  const char* env = std::getenv("FDSL_BENCH_SECONDS");
  return env ? std::atof(env) : 2.0;
}

DatasetSpec load_recipe(const std::string& file, const std::vector<std::string>& overrides) {
  const std::filesystem::path configs = std::filesystem::path(FDSL_SOURCE_DIR) / "configs";
  RawConfig raw = load_config_file((configs / file).string());
  for (const auto& o : overrides) apply_override(raw, o);
  SpecOptions so;
  so.threads = 1;
  return make_dataset_spec(raw, so, configs);
}

DatasetSpec spec_from_text(const std::string& yaml) {
  SpecOptions so;
  so.threads = 1;
  return make_dataset_spec(parse_config_text(yaml, "bench"), so, ".");
}

GenerateSummary generate_scratch(const DatasetSpec& spec, GenerateOptions o, const std::string& tag) {
  const char* base = std::getenv("FDSL_BENCH_DIR");
  const std::filesystem::path dir =
      std::filesystem::path(base ? base : ".") / ("fdsl-bench-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  o.output = dir;
  o.progress = ProgressMode::Quiet;
  const GenerateSummary s = generate_dataset(spec, o);
  std::filesystem::remove_all(dir);
  return s;
}

Report dataset_report(const GenerateSummary& s, const std::string& unit, int threads) {
  Report r;
  r.items = static_cast<double>(s.samples_written);
  r.unit = unit;
  r.bytes = static_cast<double>(s.bytes_written);
  r.seconds = s.seconds;
  r.threads = threads;
  return r;
}

}  // namespace fdsl::bench

int main(int argc, char** argv) {
  using namespace fdsl::bench;
  std::string filter = argc > 1 ? argv[1] : "";
  if (filter == "--list") {
    for (auto& c : registry()) std::printf("%s\n", c.name.c_str());
    return 0;
  }
  std::printf("%-44s %8s %14s %10s %12s %s\n", "case", "threads", "rate", "MB/s", "x reference", "reference");
  for (auto& c : registry()) {
    if (!filter.empty() && c.name.find(filter) == std::string::npos) continue;
    Report r = c.run();
    double rate = r.items / r.seconds;
    double mbs = r.bytes > 0 ? r.bytes / r.seconds / 1e6 : 0;
    char ratio[32] = "-";
    if (r.reference_rate > 0) {
      const double x = rate / r.reference_rate;
      std::snprintf(ratio, sizeof ratio, x < 10 ? "%.2fx" : "%.0fx", x);
    }
    char rate_s[64];
    std::snprintf(rate_s, sizeof rate_s, "%.1f %s/s", rate, r.unit.c_str());
    std::printf("%-44s %8d %22s %10.1f %12s %s\n", c.name.c_str(), r.threads, rate_s, mbs, ratio, r.reference.c_str());
    if (!r.extra.empty()) std::printf("    %s\n", r.extra.c_str());
    std::fflush(stdout);
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak memory (max RSS): %.1f MB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
