// Parallelism through one door: TBB arenas sized by the caller, so a thread count given on the
// command line bounds every parallel loop below it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace fdsl {

/// Threads to use when the user gave none: SLURM_CPUS_PER_TASK if set, else the cores this process
/// may run on (its CPU affinity: mpirun and Slurm bind ranks to cores).
int default_thread_count();

/// The most threads a loop may be asked for.
inline constexpr int kMaxThreads = 4096;

/// A thread count given by a user (the CLI's --threads, Python's threads=): 0 means all cores
/// (default_thread_count()), 1..kMaxThreads that many; anything else throws Error(BadInput)
/// naming `what`. Returns the count as given (0 stays 0).
int check_thread_count(std::int64_t threads, const std::string& what);

/// How many threads a loop asked for `threads` runs on: default_thread_count() for 0, never more
/// than the machine has (TBB runs no more; more would only oversubscribe it).
int effective_thread_count(int threads);

/// Runs body(i) for i in [begin, end) on `threads` threads (0: default_thread_count()).
/// Exceptions thrown by body propagate to the caller (the first one wins).
void parallel_for(std::int64_t begin, std::int64_t end, int threads, const std::function<void(std::int64_t)>& body);

/// The stages of an ordered pipeline over items 0, 1, ..., count-1.
struct PipelineStages {
  /// Parallel stage: makes item `item` into the caller's buffer number `slot`.
  std::function<void(std::int64_t item, std::size_t slot)> work;
  /// Serial stage: consumes item `item` from buffer `slot`, strictly in item order.
  std::function<void(std::int64_t item, std::size_t slot)> write;
  /// Asked before each new item is started; true ends the pipeline after the items in flight.
  std::function<bool()> stop;
};

/// A TBB parallel_pipeline: `work` runs on `threads` threads (0: default_thread_count()), `write`
/// runs serially in item order, and at most `slots` items are in flight. Buffer `slot` is
/// item % slots, never used by two items in flight at once, so the caller can keep `slots`
/// reusable buffers. Returns how many items were written (fewer than `count` only after a stop).
/// Exceptions thrown by a stage propagate to the caller (the first one wins).
std::int64_t ordered_pipeline(std::int64_t count, int threads, std::size_t slots, const PipelineStages& stages);

}  // namespace fdsl
