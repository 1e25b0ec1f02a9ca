// Internal to the generators: PC-FractalDB's categories and object clouds, shared by the object
// family (pc_fractal) and the scene family (pc_scenes), which places those same objects.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/core/ifs.h"
#include "fdsl/core/params.h"
#include "fdsl/core/point_cloud.h"
#include "fdsl/generators/generator.h"
#include "fdsl/generators/pc_fractal.h"

namespace fdsl::detail {

enum class PcInstanceMode { NoiseMix, MvWeights, Resample };

/// The shared main cloud of FractalNoiseMix for one category, kept across instances of a range.
struct MainCloudCache {
  std::int64_t category = -1;
  std::vector<float> xyz;
  std::vector<std::uint8_t> map_ids;  ///< filled when the objects are made with map ids
};

class PcObjects {
 public:
  /// Reads the object keys of `p`, then searches or imports the categories. The key
  /// `instances_key` holds the number of instances per category (0: the mode's own count).
  /// `for_scenes`: fps_points and normals apply to whole scenes (fps_points may exceed points).
  PcObjects(const Params& p, const GeneratorContext& ctx, const std::string& instances_key, bool for_scenes);

  std::int64_t classes() const { return classes_; }
  std::int64_t instances() const { return instances_; }
  /// The categories built: all, or the first search_limit (see GeneratorContext).
  const std::vector<Ifs3>& systems() const { return systems_; }
  /// Category `cat`'s system; throws when it was not built.
  const Ifs3& system(std::int64_t cat) const;

  /// The object cloud (category, instance), normalized as configured, without normals or sampling;
  /// with `map_ids`, also the IFS map that made each point (out.map_ids), for coloring by map.
  void object(std::int64_t category, std::int64_t instance, PointCloud& out, MainCloudCache* cache,
              bool map_ids = false) const;
  /// Normals and farthest point sampling, as configured, on a finished cloud.
  void finish(PointCloud& cloud) const;
  /// The point order as configured (point_order): a random permutation keyed by the sample, or
  /// the order the points were made in.
  void order(PointCloud& cloud, std::int64_t category, std::int64_t instance) const;

  nlohmann::ordered_json category_json(std::int64_t category) const;
  /// categories.json (with `family`) and, for a prefix 0..k-1, categories.csv (the 13-column
  /// table) of the given categories into `dir`.
  std::vector<std::string> save_categories(const std::filesystem::path& dir, const std::string& family,
                                           const std::vector<std::int64_t>& categories) const;
  std::string describe_category(std::int64_t category) const;
  nlohmann::ordered_json stats() const;
  std::int64_t fps_points() const { return fps_points_; }
  /// Points of an object cloud drawn from its own category (the rest, in noise_mix, come after
  /// them from another category).
  std::int64_t own_points() const { return mode_ == PcInstanceMode::NoiseMix ? main_points_ : points_; }
  /// part_labels: each point's part from the map ids object() made (the category's map for its
  /// own points; noise_mix's borrowed points one part after the maps), before finish and order.
  void parts_from_maps(std::int64_t category, PointCloud& cloud) const {
    const std::size_t own = static_cast<std::size_t>(own_points());
    const auto noise = static_cast<std::int32_t>(system(category).maps.size());
    cloud.part_ids.resize(cloud.map_ids.size());
    for (std::size_t i = 0; i < cloud.map_ids.size(); ++i) cloud.part_ids[i] = i < own ? cloud.map_ids[i] : noise;
  }
  /// Memory of a cloud of `points` points while it is made and finished (measured: 51 bytes a
  /// point, normals 34 more, farthest point sampling 20 more).
  SampleMemory cloud_memory(std::int64_t points) const {
    SampleMemory m;
    m.bytes = static_cast<double>(points) * (60.0 + (normals_ ? 40.0 : 0.0) + (fps_points_ > 0 ? 24.0 : 0.0));
    m.output_bytes =
        static_cast<double>(fps_points_ > 0 ? std::min(fps_points_, points) : points) * (normals_ ? 24.0 : 12.0);
    m.what =
        "points " + std::to_string(points) + (normals_ ? ", normals" : "") + (fps_points_ > 0 ? ", fps_points" : "");
    return m;
  }
  std::int64_t points() const { return points_; }
  /// Switches the per-sample streams to those of redraw `draw` (Generator::redrawn).
  void redraw(std::uint64_t draw) { sample_seed_ = redraw_seed(sample_seed_, draw); }

 private:
  /// `points` points of `ifs` normalized into xyz; retries a diverging orbit with child streams and
  /// throws Error(Runtime) naming the category if every try diverges. Returns the stream that made
  /// the points; with `maps`, writes the map of each point there.
  Rng sample(const Ifs3& ifs, std::int64_t category, std::int64_t points, const Rng& rng, float* xyz,
             std::uint8_t* maps = nullptr) const;

  std::uint64_t seed_ = 0, sample_seed_ = 0;  ///< categories; the split's per-sample streams
  std::int64_t points_ = 10000;
  PcInstanceMode mode_ = PcInstanceMode::NoiseMix;
  std::int64_t main_points_ = 8000;
  bool shared_main_ = true;
  bool unit_sphere_ = false;
  bool normals_ = false;
  bool shuffle_points_ = true;
  int normal_k_ = 16;
  std::int64_t fps_points_ = 0;
  std::int64_t instances_ = 0;
  std::int64_t classes_ = 0;
  std::vector<Ifs3> systems_;
  PcSearchResult search_;
};

/// A family whose samples are built from PcObjects clouds (pc_fractal, vg_fractal): the
/// categories, names, ranges and reports they share. Subclasses make one sample in make_one.
class PcObjectFamily : public Generator {
 public:
  PcObjectFamily(const Params& p, const GeneratorContext& ctx) : objects_(p, ctx, "instances", false) {}

  bool makes_point_clouds() const override { return true; }
  std::int64_t num_classes() const override { return objects_.classes(); }
  std::int64_t instances_per_class() const override { return objects_.instances(); }
  std::int64_t preferred_chunk() const override { return 50; }
  SampleMemory sample_memory() const override { return objects_.cloud_memory(objects_.points()); }
  std::optional<ImageShape> image_shape() const override { return std::nullopt; }
  /// The official layout {cat:06d}/{cat:06d}_{inst:04d}.
  std::string sample_name(std::int64_t category, std::int64_t instance) const override;

  Sample make(std::int64_t category, std::int64_t instance) const override;
  /// Shares FractalNoiseMix's main cloud across the range: made once per range.
  void make_range(std::int64_t category, std::int64_t begin, std::int64_t end,
                  const std::function<void(Sample&&)>& emit) const override;

  nlohmann::ordered_json category_json(std::int64_t category) const override;
  std::string describe_category(std::int64_t category) const override;
  nlohmann::ordered_json stats() const override;
  using Generator::save_categories;
  std::vector<std::string> save_categories(const std::filesystem::path& dir,
                                           const std::vector<std::int64_t>& categories) const override;
  void export_categories(const std::filesystem::path& dir) const override;

 protected:
  /// The sample (category, instance), indices already checked; `cache` may be null.
  virtual Sample make_one(std::int64_t category, std::int64_t instance, MainCloudCache* cache) const = 0;

  PcObjects objects_;
};

}  // namespace fdsl::detail
