// Anderson & Farrell's sigma-factor sampler: IFS maps built from an SVD whose singular values
// are constrained so that sigma = sum_i (s1_i + 2 s2_i) equals a target alpha.
#pragma once

#include <vector>

#include "fdsl/core/ifs.h"
#include "fdsl/core/rng.h"

namespace fdsl {

/// A sampled system with the singular values it was built from.
struct SigmaIfs {
  Ifs2 ifs;
  std::vector<double> s1, s2;  ///< singular values per map, 0 <= s2 <= s1 <= 1
  double alpha = 0;            ///< the target sigma factor, = sum(s1 + 2 s2)
};

/// The default alpha range for n maps: ((5 + n) / 2, (6 + n) / 2).
inline double sigma_default_lo(int n) { return (5.0 + n) / 2.0; }
inline double sigma_default_hi(int n) { return (6.0 + n) / 2.0; }

/// Samples n maps with sigma factor alpha (0 < alpha < 3n): singular values drawn sequentially
/// as in the paper, rotations theta ~ U(-pi, pi) with random reflections for U and V, offsets
/// ~ U(-1, 1)^2, probabilities proportional to |det A_i| = s1 s2.
SigmaIfs sample_sigma_ifs(Rng& rng, int n, double alpha);

/// Largest singular value of a map's linear part.
double max_singular_value(const AffineMap2& m);

}  // namespace fdsl
