#include "fdsl/core/parallel.h"

#include <cstdlib>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace fdsl {

int default_thread_count() {
  if (const char* env = std::getenv("SLURM_CPUS_PER_TASK")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

void parallel_for(std::int64_t begin, std::int64_t end, int threads, const std::function<void(std::int64_t)>& body) {
  if (end <= begin) return;
  if (threads <= 0) threads = default_thread_count();
  if (threads == 1) {
    for (std::int64_t i = begin; i < end; ++i) body(i);
    return;
  }
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(begin, end, 1),
                      [&](const tbb::blocked_range<std::int64_t>& r) {
                        for (std::int64_t i = r.begin(); i != r.end(); ++i) body(i);
                      });
  });
}

}  // namespace fdsl
