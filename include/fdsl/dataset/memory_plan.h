// Memory a run will take, from the config, before anything is made: refused up front when it
// exceeds what the machine (its cgroup, ulimit -v) leaves, or a limit the user gives.
#pragma once

#include <string>

#include "fdsl/core/memory.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

struct MemoryPlan {
  SampleMemory sample;  ///< one sample in flight
  int threads = 1;      ///< samples in flight at once
  double extra = 0;     ///< buffers of the run itself (queued shards, a batch's array, an HDF5 file)
  double total = 0;     ///< the process's base + threads x sample + extra
  MemoryBudget budget;  ///< what may be taken
  std::string noun;     ///< "image", "cloud", ...

  bool fits() const { return total <= budget.bytes; }
  /// "about 70 MB (2 x 3.4 MB an image: size 362 x 1 channel, points 200000) of 23 GB available (MemAvailable)"
  std::string text() const;
};

/// The plan for `threads` samples of `gen` in flight (0: all cores) plus `extra` bytes; with
/// `max_memory` > 0 that is the budget instead of the machine's.
MemoryPlan plan_memory(const Generator& gen, int threads, double extra = 0, double max_memory = 0);

/// Throws Error(BadInput) naming the keys that drive the estimate when the plan does not fit.
void check_memory(const MemoryPlan& plan);

}  // namespace fdsl
