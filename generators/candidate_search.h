// Internal to the generators: the search loop shared by the category searches of FractalDB (filling
// rate) and PC-FractalDB (per-axis variance). Candidates are numbered 0, 1, 2, ...; each is scored
// on its own, so blocks are scored in parallel, and accepted strictly in candidate order, so the
// result does not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/generators/generator.h"

namespace fdsl::detail {

/// Candidates a search examines before it judges its acceptance rate.
inline constexpr std::int64_t kSearchProbe = 20000;

/// Scores candidates 0, 1, ... in blocks of `block` until `count` are accepted. `score(i)` returns
/// the candidate's score (called concurrently), `accepts(score)` decides, `take(i, score)` records an
/// accepted one (called in order). Never examines more than `limit` candidates: when they run out,
/// throws a bad-input error "category search found only F of C categories in L candidates; " +
/// `advice`. It gives up early, with the same advice, when the acceptance rate cannot make it:
/// none of the first kSearchProbe candidates accepted, or (later) even the optimistic rate
/// (found + 3) / examined, the upper end of its 95% interval, needing more than `limit`
/// candidates. Judged at block ends, so the outcome does not depend on the thread count.
/// Returns the number of candidates examined (up to and including the last accepted one).
template <class Score, class ScoreFn, class AcceptsFn, class TakeFn>
std::int64_t search_candidates(std::int64_t count, std::int64_t limit, std::int64_t block, int threads, ScoreFn&& score,
                               AcceptsFn&& accepts, TakeFn&& take, const std::string& advice) {
  std::vector<Score> scores(static_cast<std::size_t>(block));
  std::int64_t found = 0, tried = 0, next = 0;
  while (found < count) {
    if (next >= limit)
      throw_bad_input("category search found only " + std::to_string(found) + " of " + std::to_string(count) +
                      " categories in " + std::to_string(limit) + " candidates; " + advice);
    if (next >= kSearchProbe && next < limit) {
      if (found == 0)
        throw_bad_input("category search: none of the first " + std::to_string(next) +
                        " candidates was accepted (the acceptance rate is about 0, so " + std::to_string(count) +
                        " categories would not be found in " + std::to_string(limit) + " candidates); " + advice);
      const double optimistic = static_cast<double>(found + 3) / static_cast<double>(next);
      const double needed = static_cast<double>(count) / optimistic;
      if (needed > static_cast<double>(limit))
        throw_bad_input("category search: " + std::to_string(found) + " of the first " + std::to_string(next) +
                        " candidates were accepted; at that rate " + std::to_string(count) + " categories need about " +
                        std::to_string(static_cast<std::int64_t>(static_cast<double>(count) * next / found)) +
                        " candidates, more than the " + std::to_string(limit) + " a search may examine; " + advice);
    }
    const std::int64_t size = std::min(block, limit - next);
    parallel_for(0, size, threads, [&](std::int64_t i) { scores[static_cast<std::size_t>(i)] = score(next + i); });
    for (std::int64_t i = 0; i < size && found < count; ++i) {
      tried = next + i + 1;
      if (accepts(scores[static_cast<std::size_t>(i)])) {
        take(next + i, scores[static_cast<std::size_t>(i)]);
        ++found;
      }
    }
    next += size;
  }
  return tried;
}

/// A family's category search as a config asks for it: `wanted` categories of about `bytes_each`
/// bytes refused up front when they would not fit in memory, the phase told (ctx.on_phase), and a
/// search that cannot succeed reported against the key `key` (its threshold). `search(wanted)`
/// runs the search.
template <class Search>
auto run_category_search(const Params& p, const GeneratorContext& ctx, const std::string& what, std::int64_t wanted,
                         double bytes_each, const std::string& key, Search&& search) -> decltype(search(wanted)) {
  check_category_memory(p, "classes", wanted, bytes_each);
  if (ctx.on_phase) ctx.on_phase(what + " category search: " + std::to_string(wanted) + " categories");
  try {
    return search(wanted);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadInput) throw;
    p.fail(key, e.what());
  }
}

}  // namespace fdsl::detail
