#include "fdsl/core/parallel.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "fdsl/core/error.h"
#include "fdsl/core/stop.h"

namespace fdsl {

int default_thread_count() {
  if (const char* env = std::getenv("SLURM_CPUS_PER_TASK")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  // The cores this process may run on: mpirun and Slurm bind each rank to its own cores.
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

int check_thread_count(std::int64_t threads, const std::string& what) {
  if (threads < 0 || threads > kMaxThreads)
    throw_bad_input(what + " " + std::to_string(threads) + " is out of range; valid: 0 (all cores, " +
                    std::to_string(default_thread_count()) + " here) or 1.." + std::to_string(kMaxThreads));
  return static_cast<int>(threads);
}

int effective_thread_count(int threads) {
  // An arena asked for many more threads than TBB runs prints a warning, or fails.
  if (threads <= 0) threads = default_thread_count();
  static const int machine = std::max(1, tbb::info::default_concurrency());
  return std::min(threads, machine);
}

namespace {
int arena_size(int threads) { return effective_thread_count(threads); }
}  // namespace

void parallel_for(std::int64_t begin, std::int64_t end, int threads, const std::function<void(std::int64_t)>& body) {
  if (end <= begin) return;
  threads = arena_size(threads);
  // Every loop stops at a signal: no index starts once a stop is requested.
  if (threads == 1) {
    for (std::int64_t i = begin; i < end; ++i) {
      throw_if_stopped("");
      body(i);
    }
    return;
  }
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(begin, end, 1), [&](const tbb::blocked_range<std::int64_t>& r) {
      for (std::int64_t i = r.begin(); i != r.end(); ++i) {
        throw_if_stopped("");
        body(i);
      }
    });
  });
}

std::int64_t ordered_pipeline(std::int64_t count, int threads, std::size_t slots, const PipelineStages& stages) {
  if (count <= 0) return 0;
  threads = arena_size(threads);
  if (slots == 0) slots = 1;
  auto slot_of = [slots](std::int64_t item) { return static_cast<std::size_t>(item) % slots; };
  std::int64_t written = 0;
  if (threads == 1 || slots == 1) {
    for (std::int64_t i = 0; i < count; ++i) {
      if (stages.stop && stages.stop()) break;
      stages.work(i, slot_of(i));
      stages.write(i, slot_of(i));
      ++written;
    }
    return written;
  }
  // Items leave the serial in-order stage in order, so the items in flight are always a window
  // of at most `slots` consecutive numbers: item % slots is free when an item enters.
  std::int64_t next = 0;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        slots, tbb::make_filter<void, std::int64_t>(tbb::filter_mode::serial_in_order,
                                                    [&](tbb::flow_control& fc) -> std::int64_t {
                                                      if (next >= count || (stages.stop && stages.stop())) {
                                                        fc.stop();
                                                        return 0;
                                                      }
                                                      return next++;
                                                    }) &
                   tbb::make_filter<std::int64_t, std::int64_t>(tbb::filter_mode::parallel,
                                                                [&](std::int64_t i) {
                                                                  stages.work(i, slot_of(i));
                                                                  return i;
                                                                }) &
                   tbb::make_filter<std::int64_t, void>(tbb::filter_mode::serial_in_order, [&](std::int64_t i) {
                     stages.write(i, slot_of(i));
                     ++written;
                   }));
  });
  return written;
}

}  // namespace fdsl
