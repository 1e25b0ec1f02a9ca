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

namespace fdsl::detail {

/// Scores candidates 0, 1, ... in blocks of `block` until `count` are accepted. `score(i)` returns
/// the candidate's score (called concurrently), `accepts(score)` decides, `take(i, score)` records an
/// accepted one (called in order). Never examines more than `limit` candidates: when they run out,
/// throws a bad-input error "category search found only F of C categories in L candidates; " +
/// `advice`. Returns the number of candidates examined (up to and including the last accepted one).
template <class Score, class ScoreFn, class AcceptsFn, class TakeFn>
std::int64_t search_candidates(std::int64_t count, std::int64_t limit, std::int64_t block, int threads,
                               ScoreFn&& score, AcceptsFn&& accepts, TakeFn&& take, const std::string& advice) {
  std::vector<Score> scores(static_cast<std::size_t>(block));
  std::int64_t found = 0, tried = 0, next = 0;
  while (found < count) {
    if (next >= limit)
      throw_bad_input("category search found only " + std::to_string(found) + " of " + std::to_string(count) +
                      " categories in " + std::to_string(limit) + " candidates; " + advice);
    const std::int64_t size = std::min(block, limit - next);
    parallel_for(0, size, threads,
                 [&](std::int64_t i) { scores[static_cast<std::size_t>(i)] = score(next + i); });
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

}  // namespace fdsl::detail
