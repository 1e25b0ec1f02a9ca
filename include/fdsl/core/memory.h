// How much memory this process may still take: the machine's available memory, a cgroup's limit
// and the address-space limit (ulimit -v), whichever is lowest. Used to refuse work that cannot
// fit before it starts.
#pragma once

#include <string>

namespace fdsl {

struct MemoryBudget {
  double bytes = 0;  ///< what may still be allocated
  std::string
      source;  ///< where the figure comes from ("MemAvailable", "cgroup memory.max", "ulimit -v", "--max-memory")
};

/// The memory this process may still allocate, from /proc/meminfo, the cgroup (v2 or v1) and
/// RLIMIT_AS / RLIMIT_DATA; a huge figure where none of them tells.
MemoryBudget available_memory();

/// "1.5 GB", "640 MB", "12 KB", "512 bytes" (powers of 1000, as disks and free(1) -h --si do).
std::string format_bytes(double bytes);

/// Reads "8G", "512M", "1.5GB", "2T", "4096" (bytes) into bytes (powers of 1024 for K/M/G/T, as
/// ulimit and Slurm's --mem do); throws Error(BadInput) naming `what` for anything else.
double parse_bytes(const std::string& text, const std::string& what);

}  // namespace fdsl
