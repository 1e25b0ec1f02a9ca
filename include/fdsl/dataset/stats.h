// Dataset statistics: what is in a dataset, measured per sample and per class, so a user can see
// blank, saturated and degenerate samples, classes whose instances do not vary, and classes that
// are near-duplicates of each other, without looking at every image (`fdsl stats`).
//
// Definitions (the same for a folder, tar shards and samples rendered in memory):
// - background of an image: the most frequent pixel value on its border (ties: the smallest);
//   ink: the pixels that differ from it in any channel; ink fraction: their share of the image.
//   A family whose background is not one flat colour (ifs_sigma's plasma) says its ink itself
//   (Generator::shape_mask): samples measured in memory use that, and so do the files of a dataset
//   whose manifest holds the config that made them (the shapes drawn again); other files, pixels.
// - bbox: the ink's bounding box, as fractions of the width and height (0 when there is no ink).
// - mean and std: over every byte of the image (all channels), in 0..255.
// - descriptor: the ink fraction in each cell of a 16 x 16 grid over the image (clouds: the share
//   of points in each cell of an 8 x 8 x 8 grid over the cloud's bounding cube).
// - a class's spread: the mean distance of its samples' descriptors to the class mean; the
//   distance between two classes: between their mean descriptors.
// - clouds: per-axis variance and extent, the share of distinct points, and the PCA eigenvalue
//   ratios l2/l1 and l3/l1 of the covariance (l1 >= l2 >= l3): near 0 is a line or a plane.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/core/image.h"
#include "fdsl/core/point_cloud.h"
#include "fdsl/generators/generator.h"
#include "fdsl/io/png.h"

namespace fdsl {

inline constexpr int kStatsImageGrid = 16;  ///< image descriptor: 16 x 16 cells
inline constexpr int kStatsCloudGrid = 8;   ///< cloud descriptor: 8 x 8 x 8 cells

/// The measurements of one image or cloud.
struct SampleStats {
  std::string name;   ///< path of the file relative to the dataset (or the sample name), with extension
  std::string klass;  ///< the class: folder name, .cls label, or the category index
  bool is_cloud = false;
  // images
  int width = 0, height = 0, channels = 0;
  double ink = 0;                 ///< ink fraction
  double bbox_w = 0, bbox_h = 0;  ///< ink bounding box, fractions of width and height
  double mean = 0, std = 0;       ///< intensity over all bytes
  std::int64_t file_bytes = -1;   ///< the PNG (or cloud file) size; -1 when not known
  // clouds
  std::int64_t points = 0;
  double var[3] = {0, 0, 0}, extent[3] = {0, 0, 0};
  double distinct = 0;      ///< distinct points / points
  double l21 = 0, l31 = 0;  ///< PCA eigenvalue ratios
  std::vector<float> descriptor;
};

/// The class of a sample file: the folder that holds it (00000/x.png; image/00000/x.png in RCDB's
/// tree; train/00000/x.png in a split), "" for a file at the top.
std::string stats_class_of(const std::string& path);

/// Measures an image; `name` and `klass` are copied into the result.
SampleStats image_stats(const Image& image, std::string name, std::string klass);
/// The same, with the ink (fraction, bbox, descriptor) measured on `shape_mask` (one channel as
/// large as the image, nonzero where the family's shapes lie: Generator::shape_mask) instead of
/// the pixels; mean and std stay the image's.
SampleStats image_stats(const Image& image, std::string name, std::string klass, const Image& shape_mask);
/// Measures a point cloud (xyz only).
SampleStats cloud_stats(const PointCloud& cloud, std::string name, std::string klass);

/// What counts as blank, saturated or degenerate.
struct StatsThresholds {
  double blank_ink = 0.0005;   ///< an image with less ink is "blank" (one flat colour has 0)
  double full_ink = 0.95;      ///< an image with more ink is "saturated": the shape fills the frame
  double flat = 1e-4;          ///< a cloud with l3/l1 (l2/l1) below this is a plane (a line)
  double distinct = 0.9;       ///< a cloud with fewer distinct points than this share "repeats points"
  double static_spread = 0.1;  ///< a class whose spread is below this share of the median spread "does not vary"
  int similar_pairs = 10;      ///< how many of the closest class pairs to list
};

/// Per-sample measurements (in a fixed order) aggregated into the report: per-figure summaries
/// (mean, std, min, 5/50/95 percentiles, max), per-class means and spreads, the flagged samples by
/// name, the closest class pairs and the classes that do not vary. Every figure depends only on
/// the samples and their order, never on the thread count.
nlohmann::ordered_json summarize_stats(const std::vector<SampleStats>& samples, const StatsThresholds& thresholds,
                                       int threads);

/// The one-screen text summary of a report made by summarize_stats.
std::string stats_text(const nlohmann::ordered_json& report);

struct StatsOptions {
  int threads = 0;  ///< 0: all cores
  StatsThresholds thresholds;
  /// Told once the files to read are known: how many (files and shards), and the layout.
  std::function<void(std::int64_t, const std::string&)> on_start;
  /// Told as each file or shard is done (from worker threads); may be empty.
  std::function<void(std::int64_t)> on_progress;
  /// When given: filled with the shard (its path relative to the dataset) of each example the
  /// report's class pairs name that is a member of a WebDataset shard, so its picture can be drawn.
  std::map<std::string, std::string>* example_shards = nullptr;
};

/// Measures every PNG image and PLY/PCD/NPY/HDF5 cloud of the dataset `dir` (ImageFolder or
/// WebDataset shards, by its manifest; without one, every such file under it, sorted by path). Files
/// that cannot be read are listed in the report's "unreadable" and skipped. Throws Error(BadInput)
/// when `dir` holds no sample fdsl can measure (naming the formats it reads).
nlohmann::ordered_json dataset_stats(const std::filesystem::path& dir, const StatsOptions& options);

/// What `fdsl stats CONFIG --sample N` renders: the first classes of `gen` (categories are
/// prefix-stable), m instances each with m at least min(instances, 8) so every class has a spread,
/// about `n` samples in all, in class order.
struct StatsSelection {
  std::int64_t classes = 0, instances_per_class = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> samples;  ///< (category, instance)
};
StatsSelection stats_sample_selection(const Generator& gen, std::int64_t n);

/// The report of `fdsl stats CONFIG --sample N` (stats.json): about `n` samples of `gen`
/// (stats_sample_selection) rendered in memory and measured, PNG sizes from `params`' output
/// settings, "source" naming the config. `index` as in memory_stats.
nlohmann::ordered_json sample_stats(const Generator& gen, const Params& params, const std::string& source,
                                    std::int64_t n, const StatsThresholds& thresholds, int threads,
                                    const std::function<void()>& on_sample = {},
                                    std::map<std::string, std::size_t>* index = nullptr);

/// The measurements memory_stats takes of chosen samples, taken instead while a run has them in
/// hand (the dataset card's samples: then the card need not make them again). Thread-safe.
class SampleStatsCache {
 public:
  using Key = std::pair<std::int64_t, std::int64_t>;  ///< (category, instance)
  /// Keeps the measurements of `wanted` only; `cloud_ext` names clouds as memory_stats does.
  SampleStatsCache(std::vector<Key> wanted, std::string cloud_ext);
  ~SampleStatsCache();
  SampleStatsCache(const SampleStatsCache&) = delete;
  SampleStatsCache& operator=(const SampleStatsCache&) = delete;

  bool wants(std::int64_t category, std::int64_t instance) const;
  /// Measures `s` (made by `gen`) as memory_stats would, when it is wanted; `png_bytes[k]` is the
  /// encoded size of its k-th picture (the image, then its views, as encode_sample writes them).
  void record(const Generator& gen, const Sample& s, const std::vector<std::int64_t>& png_bytes);
  std::size_t size() const;

  struct Entry;
  /// The measurements of (category, instance), or null.
  const Entry* find(std::int64_t category, std::int64_t instance) const;

 private:
  std::vector<Key> wanted_;  ///< sorted
  std::string cloud_ext_;
  mutable std::mutex mutex_;
  std::map<Key, std::unique_ptr<Entry>> entries_;
};

/// Measures samples of `gen` rendered in memory, in the order given (category, instance): their
/// images and views (PNG sizes as encoded with `png`) and clouds (named with `cloud_ext`), as
/// summarize_stats reports them; `on_sample` is told as each is done (from worker threads; may be
/// empty). `index` (may be null) receives each measured file name -> its position in `samples`,
/// so a plot can render an example again. Samples `cache` (may be null) holds are not made again.
/// The same report for any thread count.
nlohmann::ordered_json memory_stats(const Generator& gen,
                                    const std::vector<std::pair<std::int64_t, std::int64_t>>& samples,
                                    const PngOptions& png, const std::string& cloud_ext,
                                    const StatsThresholds& thresholds, int threads,
                                    const std::function<void()>& on_sample = {},
                                    std::map<std::string, std::size_t>* index = nullptr,
                                    const SampleStatsCache* cache = nullptr);

/// A picture of the sample named in a report (its file name), `tile` pixels high, RGB; empty
/// when there is none to show.
using StatsPicture = std::function<Image(const std::string& name, int tile)>;

/// The plots of a report, as one RGB image (stats.png): for images and for clouds, histograms of
/// the ink fraction and file size (clouds: distinct points and l3/l1), each class's spread sorted,
/// with the median and the static threshold marked, and the closest class pairs side by side
/// (`picture` draws an example of each; without it, or where it gives nothing, a grey box).
Image stats_plot(const nlohmann::ordered_json& report, const StatsPicture& picture = {});

}  // namespace fdsl
