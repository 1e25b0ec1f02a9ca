// A small benchmark harness: each bench/*.cpp registers named cases; `fdsl-bench [filter]` runs the
// cases whose name contains the filter and prints throughput and the ratio to a stated reference.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/spec.h"

namespace fdsl::bench {

struct Report {
  double items = 0;           ///< work items done (images, points, clouds, ...)
  std::string unit;           ///< what an item is, e.g. "images"
  double bytes = 0;           ///< bytes produced, 0 if not meaningful
  double seconds = 0;         ///< wall time measured
  int threads = 1;            ///< threads the case used
  double reference_rate = 0;  ///< items/s of the reference (0: none)
  std::string reference;      ///< what the reference is, e.g. "official FractalDB renderer, 1 core"
  std::string extra;          ///< any further figure, printed as it is
};

struct Case {
  std::string name;
  std::function<Report()> run;
};

std::vector<Case>& registry();

struct Register {
  Register(std::string name, std::function<Report()> run) { registry().push_back({std::move(name), std::move(run)}); }
};

/// Runs `body` repeatedly until at least `min_seconds` have passed; returns (iterations, seconds).
template <class F>
std::pair<long, double> time_loop(F&& body, double min_seconds = 1.0) {
  using clock = std::chrono::steady_clock;
  long iterations = 0;
  auto start = clock::now();
  double elapsed = 0;
  do {
    body();
    ++iterations;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < min_seconds);
  return {iterations, elapsed};
}

/// Seconds a bench case should run for (FDSL_BENCH_SECONDS, default 2).
double default_seconds();

/// The shipped recipe configs/<file> with `overrides` (key=value), its categories built on one thread.
DatasetSpec load_recipe(const std::string& file, const std::vector<std::string>& overrides = {});
/// A config given as YAML text, built on one thread.
DatasetSpec spec_from_text(const std::string& yaml);

/// Generates `spec` with `options` (output and progress are set here) into a fresh folder under
/// FDSL_BENCH_DIR (default: the current folder; file creation costs differ a lot between
/// filesystems, e.g. 15 us on this machine's /work and 140 us on its /tmp), then removes it.
GenerateSummary generate_scratch(const DatasetSpec& spec, GenerateOptions options, const std::string& tag);

/// A report of a dataset run: samples written as items, bytes, wall seconds, threads.
Report dataset_report(const GenerateSummary& summary, const std::string& unit, int threads);

}  // namespace fdsl::bench

#define FDSL_BENCH_CONCAT2(a, b) a##b
#define FDSL_BENCH_CONCAT(a, b) FDSL_BENCH_CONCAT2(a, b)
#define FDSL_BENCH(name, fn) static ::fdsl::bench::Register FDSL_BENCH_CONCAT(fdsl_bench_reg_, __LINE__)(name, fn)
