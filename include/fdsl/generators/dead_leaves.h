// Dead leaves (Baradad et al., NeurIPS 2021, "Learning to See by Looking at Noise"): occluding
// shapes of random colour, each drawn over the ones before, radii from the power law r^-sigma on
// [0.03, 1] of the image side, until every pixel is covered; flat colours or spectral-noise textures.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& dead_leaves_params();
std::unique_ptr<Generator> make_dead_leaves(const Params& params, const GeneratorContext& context);

/// The official radius table: radii linspace(r_min, r_max, levels) (fractions of the side) with the
/// cumulative weights of r^-sigma less r_max^-sigma (sigma > 0), normalized to end at 1; a draw
/// u ~ U(0, 1) takes the radius whose cumulative weight is nearest to u.
struct RadiusTable {
  std::vector<double> radius, cdf;
  RadiusTable(double r_min, double r_max, int levels, double sigma);
  /// The index numpy's argmin(|cdf - u|) picks (the first of equally near ones).
  std::size_t pick(double u) const;
};

namespace detail {
/// The rows {y, x0, x1} dead leaves fills for a convex polygon with integer vertices (boundary
/// included, rows in [0, size), x not clipped); for tests.
std::vector<std::array<long, 3>> dead_leaves_polygon_rows(const long* xs, const long* ys, int n, int size);
}  // namespace detail

}  // namespace fdsl
