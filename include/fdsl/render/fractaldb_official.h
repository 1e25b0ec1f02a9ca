// FractalDB's official point-mode renderer, replayed exactly (compat: official): the orbit in
// double precision with NumPy's legacy MT19937 seeded with 100, the per-axis normalization
// truncated to uint16, gray 127 points, and the final top-bottom flip ("flip0").
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/ifs.h"
#include "fdsl/core/image.h"

namespace fdsl {

/// The seed of the official scripts' map-choice stream, the same for every image.
inline constexpr std::uint32_t kOfficialFractalDBSeed = 100;

/// T points of the official chaos game: x_0 = (0, 0) kept; for t >= 1 one u = random_sample()
/// chooses the first map whose running sum of p (double, file order) reaches u, or repeats the
/// previous point when u is beyond the last sum.
void official_orbit(const Ifs2& ifs, std::int64_t points, std::vector<double>& xs, std::vector<double>& ys,
                    std::uint32_t mt_seed = kOfficialFractalDBSeed);

/// The official point render of an orbit: width x height, gray (1 channel) with value 127.
Image official_point_render(std::vector<double>& xs, std::vector<double>& ys, int width, int height, int pad);

}  // namespace fdsl
