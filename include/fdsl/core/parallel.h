// Parallelism through one door: TBB arenas sized by the caller, so a thread count given on the
// command line bounds every parallel loop below it.
#pragma once

#include <cstdint>
#include <functional>

namespace fdsl {

/// Threads to use when the user gave none: SLURM_CPUS_PER_TASK if set, else all hardware threads.
int default_thread_count();

/// Runs body(i) for i in [begin, end) on `threads` threads (0: default_thread_count()).
/// Exceptions thrown by body propagate to the caller (the first one wins).
void parallel_for(std::int64_t begin, std::int64_t end, int threads, const std::function<void(std::int64_t)>& body);

}  // namespace fdsl
