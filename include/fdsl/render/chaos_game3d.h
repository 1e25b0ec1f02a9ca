// The chaos game for 3D IFS (PC-FractalDB): 8 interleaved chains in SIMD lanes, single precision,
// followed by one vectorized pass for the bounding box and the first and second moments, which
// is all that normalizing and the variance test need.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/ifs.h"
#include "fdsl/core/rng.h"

namespace fdsl {

/// Points of one orbit, structure of arrays, with their box and moments.
struct Orbit3 {
  std::vector<float> x, y, z;
  float lo[3] = {0, 0, 0};   ///< per-axis minimum
  float hi[3] = {0, 0, 0};   ///< per-axis maximum
  double sum[3] = {0, 0, 0};    ///< per-axis sum of the coordinates
  double sum_sq[3] = {0, 0, 0}; ///< per-axis sum of the squared coordinates
  /// false if a coordinate became NaN or infinite, or so large (beyond about 1e19) that its square
  /// overflows single precision: the system diverges
  bool finite = true;

  std::size_t size() const { return x.size(); }
};

/// Runs the chaos game for `points` stored points with 8 chains whose map choices come from `rng`.
/// Every chain starts at the origin, which is not stored (PC-FractalDB keeps T-1 of T points):
/// stored point k is step k/8 + 1 of chain k%8. The map is chosen with 32-bit thresholds on the
/// running sum of p, as in the 2D game. The result depends only on the system, `points` and the
/// stream (not on the machine's SIMD width); `out` is reused. Systems of more than 8 maps take a
/// scalar path with the same arithmetic.
void chaos_game3d(const Ifs3& ifs, std::int64_t points, Rng rng, Orbit3& out);

}  // namespace fdsl
