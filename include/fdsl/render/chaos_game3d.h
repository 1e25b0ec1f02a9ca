// The chaos game for 3D IFS (PC-FractalDB): 8 interleaved chains in SIMD lanes, single precision,
// followed by one vectorized pass for the bounding box and the mean, which is all that the
// official normalization needs; the variance test takes one more pass (orbit_variance).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "fdsl/core/ifs.h"
#include "fdsl/core/rng.h"

namespace fdsl {

/// Points of one orbit, structure of arrays, with their box and moments.
struct Orbit3 {
  std::vector<float> x, y, z;
  float lo[3] = {0, 0, 0};     ///< per-axis minimum
  float hi[3] = {0, 0, 0};     ///< per-axis maximum
  double mean[3] = {0, 0, 0};  ///< per-axis mean (relative error about 1e-7 of the largest |coordinate|)
  bool finite = true;          ///< false if a coordinate became NaN or infinite: the system diverges

  std::size_t size() const { return x.size(); }
};

/// Runs the chaos game for `points` stored points with 8 chains whose map choices come from `rng`.
/// Every chain starts at the origin, which is not stored (PC-FractalDB keeps T-1 of T points):
/// stored point k is step k/8 + 1 of chain k%8. The map is chosen with 32-bit thresholds on the
/// running sum of p, as in the 2D game. The result depends only on the system, `points` and the
/// stream (not on the machine's SIMD width); `out` is reused. Systems of more than 8 maps take a
/// scalar path with the same arithmetic. With `burn_in` > 0 every chain first takes that many
/// steps that are not stored: chains that start at the origin and happen to choose the same maps
/// first would otherwise store the same points (the search's variance keeps them; clouds do not).
void chaos_game3d(const Ifs3& ifs, std::int64_t points, Rng rng, Orbit3& out, int burn_in = 0);

/// The map that made each stored point of chaos_game3d(ifs, points, rng): the same map choices
/// replayed without the arithmetic (map indices above 255 are stored modulo 256). `out` holds
/// `points` bytes.
void chaos_game3d_map_ids(const Ifs3& ifs, std::int64_t points, Rng rng, std::uint8_t* out, int burn_in = 0);

/// Per-axis population variance (divide by N, as np.var) of a finite orbit, about its mean: one
/// more pass, accurate to about 1e-6 relative whatever the offset of the attractor.
std::array<double, 3> orbit_variance(const Orbit3& orbit);

}  // namespace fdsl
