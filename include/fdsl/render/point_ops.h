// Operations on point clouds: PC-FractalDB's normalization, the unit-sphere `pc_norm`, per-axis
// variance, farthest point sampling, rigid placement. Plain loops over contiguous floats.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fdsl/core/point_cloud.h"
#include "fdsl/core/rng.h"
#include "fdsl/render/chaos_game3d.h"

namespace fdsl {

/// The factor of the official normalization: 2 / (max - min) over all coordinates of all axes
/// (one global min-max, aspect kept). Not finite for an orbit whose points all coincide.
double official_scale(const Orbit3& orbit);

/// Writes the orbit normalized the official way (PC-FractalDB): global min-max to [-1, 1], then
/// minus the centroid; `xyz` receives 3 * orbit.size() interleaved floats. The two steps fold into
/// one: (p - mean) * official_scale.
void normalize_official(const Orbit3& orbit, float* xyz);

/// Per-axis population variance (divide by N, as NumPy's var) of the officially normalized orbit:
/// orbit_variance times the scale squared. NaN for an orbit that is not finite or has one point.
std::array<double, 3> normalized_variance(const Orbit3& orbit);

/// Per-axis population variance of interleaved points, computed directly in long double.
std::array<double, 3> axis_variance(const float* xyz, std::size_t n);

/// Subtracts the centroid (mean in double) of `n` interleaved points.
void recenter(float* xyz, std::size_t n);

/// `pc_norm` as point-cloud trainers write it: subtract the centroid, then divide by the largest
/// distance from it, so the cloud fits the unit sphere and touches it. A cloud of one point (or of
/// coincident points) ends at the origin.
void normalize_unit_sphere(float* xyz, std::size_t n);

/// Farthest point sampling: `count` indices into the `n` interleaved points, starting at point 0
/// (as PointNet++'s sampler does) and then always the point farthest from those chosen so far;
/// ties go to the lowest index. Deterministic. Requires 1 <= count <= n.
std::vector<std::uint32_t> farthest_point_sampling(const float* xyz, std::size_t n, std::size_t count);

/// Keeps the points `index` (in that order) of every per-point array of the cloud.
/// Puts the points (and their normals and ids) in a uniformly random order drawn from `rng`
/// (Fisher-Yates), so any prefix of the cloud is a uniform subsample.
void shuffle_points(PointCloud& cloud, Rng rng);

void select_points(PointCloud& cloud, const std::vector<std::uint32_t>& index);

/// Axis-aligned box of interleaved points: lo[3], hi[3].
void bounding_box(const float* xyz, std::size_t n, float lo[3], float hi[3]);

}  // namespace fdsl
