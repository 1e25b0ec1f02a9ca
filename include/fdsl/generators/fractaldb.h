// FractalDB (Kataoka et al.): 2D IFS categories searched by filling rate or imported from the
// official CSVs; instances = weight rows x patch draws x flips.
#pragma once

#include <memory>
#include <vector>

#include "fdsl/core/ifs.h"
#include "fdsl/core/parallel.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

/// The family's parameters (declared once).
const ParamTable& fractaldb_params();

std::unique_ptr<Generator> make_fractaldb(const Params& params, const GeneratorContext& context);

/// FractalDB's weight table for k: the identity row plus, for each of a..f, the multipliers
/// {1-2k, 1-k, 1+k, 1+2k}; 25 rows in the official order (the identity is row 2).
std::vector<std::vector<double>> fractaldb_weights(double k);

/// A system with one weight row applied to every map (p unchanged).
Ifs2 apply_weights(const Ifs2& ifs, const std::vector<double>& row);

/// Category search settings (the spec's defaults).
struct FractalSearchOptions {
  int maps_min = 2;  ///< N ~ U{maps_min..maps_max}
  int maps_max = 7;
  double threshold = 0.2;        ///< accept when the filling rate reaches this
  std::int64_t points = 100000;  ///< chaos-game points for the filling rate
  int size = 512;                ///< canvas side for the filling rate
  int pad = 6;
  std::uint64_t seed = 0;
  std::int64_t max_candidates = 0;  ///< 0: 1000 per wanted category, at least 10^6
};

struct FractalSearchResult {
  std::vector<Ifs2> systems;
  std::vector<double> fill;             ///< filling rate of each accepted system
  std::vector<std::int64_t> candidate;  ///< index of the candidate each came from
  std::int64_t tried = 0;               ///< candidates examined
};

/// A random candidate system: N ~ U{min..max} maps, a..f ~ U(-1, 1), p ~ |det|.
Ifs2 fractaldb_candidate(const FractalSearchOptions& options, std::int64_t index);

/// Filling rate of a system: the chaos game (fdsl's own streams) rendered one pixel per point
/// with FractalDB's normalization; -1 for a system with a non-finite coordinate.
double fractaldb_filling_rate(const Ifs2& ifs, const FractalSearchOptions& options, std::int64_t index);

/// The first `count` accepted candidates in candidate order: deterministic for any thread count.
/// Throws Error(BadInput) when the threshold cannot be reached with these settings.
FractalSearchResult search_fractaldb(const FractalSearchOptions& options, std::int64_t count, int threads);

/// The shipped official categories (data/fractaldb/csv_rate0.2_category1000): FDSL_DATA_DIR,
/// then the source tree's data/, then <prefix>/share/fdsl/data next to the executable.
std::filesystem::path official_fractaldb_dir();

}  // namespace fdsl
