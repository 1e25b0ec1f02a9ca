#include "fdsl/dataset/memory_plan.h"

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"

namespace fdsl {

namespace {
/// The process before any sample: code, libraries, TBB, the generator's categories (measured
/// ~30 MB resident here).
constexpr double kBaseBytes = 64e6;

std::string singular(std::string noun) {
  if (noun.size() > 1 && noun.back() == 's') noun.pop_back();
  return noun;
}
}  // namespace

std::string MemoryPlan::text() const {
  std::string t = "about " + format_bytes(total) + " (" + std::to_string(threads) + " x " + format_bytes(sample.bytes) +
                  " a" + (noun.empty() || std::string("aeiou").find(noun[0]) == std::string::npos ? "" : "n") + " " +
                  noun + ": " + sample.what + ")";
  if (budget.bytes < 1e17) t += " of " + format_bytes(budget.bytes) + " available (" + budget.source + ")";
  return t;
}

MemoryPlan plan_memory(const Generator& gen, int threads, double extra, double max_memory) {
  MemoryPlan plan;
  plan.sample = gen.sample_memory();
  plan.threads = effective_thread_count(threads);
  plan.extra = extra;
  plan.total = kBaseBytes + plan.threads * plan.sample.bytes + extra;
  plan.budget = max_memory > 0 ? MemoryBudget{max_memory, "--max-memory"} : available_memory();
  plan.noun = singular(gen.sample_noun());
  return plan;
}

void check_memory(const MemoryPlan& plan) {
  if (plan.fits()) return;
  throw_bad_input("not enough memory: this run needs " + plan.text() + "; lower the keys that drive it (" +
                  plan.sample.what + ") or --threads" +
                  (plan.budget.source == "--max-memory" ? std::string(", or raise --max-memory")
                                                        : std::string(", or give --max-memory if more is free")));
}

}  // namespace fdsl
