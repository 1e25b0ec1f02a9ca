// Generation guards: samples a config does not want (blank or saturated images, flat clouds) are
// drawn again, deterministically, so a dataset made with min_ink holds none that a redraw could
// fix. A guarded generator wraps the family's: sample (c, i) is the first of draws 0, 1, ... of
// (c, i) that passes every guard (draw k from the family's Generator::redrawn(k)); when none of
// `guard_draws` draws passes, draw 0 is kept and marked as failing, so a dataset never silently
// holds fewer samples or samples of another distribution than its recipe.
//
// The measures are fdsl stats' (dataset/stats.h): the ink fraction (pixels unlike the border's
// most frequent value, in any channel; for a family whose background is not flat, the share its
// shapes cover, Generator::shape_mask), and for clouds the PCA ratio l3/l1 ("flatness": 0 for a
// plane or a line, 1 for a ball).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/core/image.h"
#include "fdsl/core/params.h"
#include "fdsl/core/point_cloud.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

/// The guard keys of a config (all off by default).
struct GuardSettings {
  double min_ink = 0;       ///< reject an image (or any view) with less ink than this share
  double max_ink = 1;       ///< reject one with more
  double min_flatness = 0;  ///< reject a cloud whose l3/l1 is below this
  int draws = 8;            ///< draws tried per sample, the first included
  bool images() const { return min_ink > 0 || max_ink < 1; }
  bool clouds() const { return min_flatness > 0; }
  bool active() const { return images() || clouds(); }
};

/// Reads min_ink, max_ink, min_flatness and guard_draws.
GuardSettings guard_settings(const Params& params);

/// The ink fraction of an image as fdsl stats measures it.
double ink_fraction(const Image& image);
double ink_fraction(const std::uint8_t* pixels, int width, int height, int channels);
/// The ink fraction of a shape mask (Generator::shape_mask): the share of its nonzero pixels, the
/// ink image_stats(image, name, klass, shape_mask) reports.
double shape_ink_fraction(const Image& mask);
/// A cloud's PCA eigenvalue ratio l3/l1 (0 for fewer than 2 distinct points).
double cloud_flatness(const PointCloud& cloud);

/// The guards `s`, made by `gen`, fails ("min_ink", "max_ink", "min_flatness"), in that order;
/// empty when it passes. The image's ink is gen's shape mask where it has one
/// (Generator::shape_mask: a plasma background), else measured from the pixels.
std::vector<std::string> guard_failures(const Generator& gen, const Sample& s, const GuardSettings& g);

/// What a guarded generator has checked so far in this process (not part of any sample: counts
/// depend on what was made, resumed or retried).
struct GuardCounts {
  std::int64_t samples = 0;       ///< samples checked
  std::int64_t draws = 0;         ///< draws checked (samples + redraws)
  std::int64_t redrawn = 0;       ///< samples kept from a later draw
  std::int64_t failed = 0;        ///< samples no draw passed (draw 0 kept)
  std::int64_t rejected[3] = {};  ///< draws rejected by min_ink, max_ink, min_flatness
};

/// `inner` under the guards of `params` (returned unchanged when none is set). Refuses, through
/// params.fail naming the key, guards the family cannot use: image guards for a family without
/// images, min_flatness for one without clouds, any guard where the samples cannot be drawn
/// again (compat: official), min_ink >= max_ink.
std::unique_ptr<Generator> guard_generator(std::unique_ptr<Generator> inner, const Params& params);

/// The counts so far of a generator made by guard_generator; none when it is not guarded.
std::optional<GuardCounts> guard_counts(const Generator& gen);
/// The guard settings of a guarded generator; null when it is not guarded.
const GuardSettings* guard_of(const Generator& gen);

/// The counts as JSON: {"samples", "draws", "redrawn", "failed", "rejected": {guard: {"draws", "share"}}}.
nlohmann::ordered_json guard_counts_json(const GuardCounts& counts, const GuardSettings& settings);

}  // namespace fdsl
