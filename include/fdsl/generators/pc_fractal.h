// PC-FractalDB (Yamada et al., CVPR 2022): 3D IFS categories searched by per-axis variance or
// imported from the official 13-column CSVs; instances by FractalNoiseMix, MV-FractalDB's 145
// coefficient scalings or plain re-sampling. (The scenes of placed fractals: pc_scenes.h.)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "fdsl/core/ifs.h"
#include "fdsl/core/point_cloud.h"
#include "fdsl/core/rng.h"
#include "fdsl/generators/generator.h"
#include "fdsl/render/chaos_game3d.h"

namespace fdsl {

/// The family's parameters (declared once).
const ParamTable& pc_fractal_params();
/// pc_fractal's own table: the object keys and part_labels.
const ParamTable& pc_fractal_family_params();

std::unique_ptr<Generator> make_pc_fractal(const Params& params, const GeneratorContext& context);

/// Category search settings (the spec's defaults).
struct PcSearchOptions {
  int maps_min = 2;  ///< N ~ U{maps_min..maps_max}
  int maps_max = 7;
  double threshold = 0.05;      ///< accept when the variance along each of x, y, z exceeds this
  std::int64_t points = 10000;  ///< chaos-game points for the variance
  std::uint64_t seed = 0;
  std::int64_t max_candidates = 0;  ///< 0: 1000 per wanted category, at least 10^6
};

struct PcSearchResult {
  std::vector<Ifs3> systems;
  std::vector<std::array<double, 3>> variance;  ///< per-axis variance of each accepted system
  std::vector<std::int64_t> candidate;          ///< index of the candidate each came from
  std::int64_t tried = 0;                       ///< candidates examined
};

/// Candidate `index`: N ~ U{min..max} maps, a..l ~ U(-1, 1), p = |det A| normalized.
Ifs3 pc_fractal_candidate(const PcSearchOptions& options, std::int64_t index);

/// Per-axis variance (population, as np.var) of candidate `index`'s search orbit after the
/// official normalization; all NaN when the orbit is not finite or collapses to a point.
std::array<double, 3> pc_fractal_variance(const Ifs3& ifs, const PcSearchOptions& options, std::int64_t index);

/// The search's orbit of candidate `index` (options.points points), for checking.
void pc_fractal_search_orbit(const Ifs3& ifs, const PcSearchOptions& options, std::int64_t index, Orbit3& out);

/// True when every component exceeds the threshold (NaN never does).
bool pc_fractal_accepts(const std::array<double, 3>& variance, double threshold);

/// The first `count` accepted candidates in candidate order: deterministic for any thread count.
/// Throws Error(BadInput) when too few candidates pass.
PcSearchResult search_pc_fractal(const PcSearchOptions& options, std::int64_t count, int threads);

/// MV-FractalDB's 145 instance rows: row 0 is the identity; row 1 + 12*c + j scales coefficient
/// c (a..l) alone by the j-th of {0.4, 0.5, ..., 0.9, 1.1, ..., 1.6}.
const std::vector<std::array<double, 12>>& mv_fractaldb_weights();

/// The system with every map's coefficients multiplied by `row` (p unchanged).
Ifs3 apply_weights(const Ifs3& ifs, const std::array<double, 12>& row);

/// Runs the chaos game for `points` points from `rng` and writes them officially normalized to
/// `xyz` (3*points floats). Returns false, leaving `xyz` undefined, when the orbit is not finite
/// or collapses to one point.
bool sample_normalized(const Ifs3& ifs, std::int64_t points, Rng rng, float* xyz, Orbit3& scratch);

/// Steps every chain of a cloud's chaos game takes before it stores points: enough that chains
/// which choose the same first maps have parted (two chains agree on 16 choices with probability
/// below 1e-4 for two equal maps), so a cloud repeats a point about as rarely as the official
/// single-chain generator.
inline constexpr int kCloudBurnIn = 16;

/// The noise category of FractalNoiseMix for (category, instance): uniform over the other
/// `classes - 1` categories, drawn from the (seed, category, instance) noise stream.
std::int64_t noise_category(std::uint64_t seed, std::int64_t category, std::int64_t instance, std::int64_t classes);

}  // namespace fdsl
