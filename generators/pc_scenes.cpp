// PC-FractalDB scenes for 3D detection pre-training (pc_scenes): fractal objects of the pc_fractal
// family placed on a floor by the official layout procedure, written as one cloud with per-point
// class and instance ids plus oriented boxes. Parameters: every pc_fractal key (the objects; but
// fps_points and normals apply to the whole scene, which keeps all its points when it has no more
// than fps_points), and object_instances, objects_base, objects_poisson, scene_size,
// object_size_min/max, aspect_min/max, placement_gap, placement_tries
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "fdsl/core/error.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/generators/pc_scenes.h"
#include "fdsl/io/npy.h"
#include "fdsl/io/pc_category_csv.h"
#include "fdsl/render/point_ops.h"
#include "pc_objects.h"

namespace fdsl {

const ParamTable& pc_scenes_params() {
  static const ParamTable table = [] {
    ParamTable t = pc_fractal_params();  // the objects' keys, declared once there
    const ParamTable scene = {
        int_param("object_instances", 0, 0, 100000000,
                  "objects are drawn from instances 0..N-1 of every category (0: the instance mode's own count)"),
        int_param("objects_base", 5, 0, 100000,
                  "objects per scene: objects_base + Poisson(objects_poisson), at least 1"),
        float_param("objects_poisson", 5.0, 0.0, 10000.0, "mean of the Poisson part of the object count"),
        float_param("scene_size", 15.0, 0.0, 100000.0, "side of the square floor; centres x, y ~ U(-side/2, side/2)",
                    true, false),
        float_param("object_size_min", 0.75, 0.0, 10000.0, "object size s ~ U(min, max) (box edge along x)", true,
                    false)
            .at_most("object_size_max"),
        float_param("object_size_max", 1.25, 0.0, 10000.0, "largest object size", true, false),
        float_param("aspect_min", 0.9, 0.0, 100.0, "y and z edges are s times U(aspect_min, aspect_max)", true, false)
            .at_most("aspect_max"),
        float_param("aspect_max", 1.1, 0.0, 100.0, "largest aspect factor", true, false),
        float_param("placement_gap", 0.25, 0.0, 10000.0,
                    "a centre closer to an earlier one than (norm(s1_xy) + norm(s2_xy))/2 + gap is redrawn"),
        int_param("placement_tries", 100, 1, 1000000, "draws per object before the scene stops adding objects"),
    };
    t.insert(t.end(), scene.begin(), scene.end());
    return t;
  }();
  return table;
}

namespace {

/// One placed object: an oriented box resting on the floor.
struct Placed {
  double center[3];
  double size[3];  ///< full edge lengths along the box's own x, y, z
  double yaw;      ///< counter-clockwise about +z
  std::int64_t category, instance;
};

/// The object's box as a row of VoteNet's SUN RGB-D *_bbox.npy: (cx, cy, cz, dx/2, dy/2, dz/2,
/// heading, class) with heading = -yaw (VoteNet turns boxes by rotz(-heading)).
std::array<double, 8> votenet_row(const Placed& o) {
  return {o.center[0],   o.center[1],   o.center[2], o.size[0] / 2,
          o.size[1] / 2, o.size[2] / 2, -o.yaw,      static_cast<double>(o.category)};
}

class PcScenes final : public Generator {
 public:
  PcScenes(const Params& p, const GeneratorContext& ctx) : objects_(p, ctx, "object_instances", true) {
    seed_ = sample_seed(p);  // scenes are all per-sample draws
    scenes_ = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances("pc_scenes");
    base_ = p.get_int("objects_base");
    poisson_ = p.get_float("objects_poisson");
    side_ = p.get_float("scene_size");
    size_lo_ = p.get_float("object_size_min");
    size_hi_ = p.get_float("object_size_max");
    aspect_lo_ = p.get_float("aspect_min");
    aspect_hi_ = p.get_float("aspect_max");
    gap_ = p.get_float("placement_gap");
    tries_ = p.get_int("placement_tries");
    if (p.get_string("cloud_format") == "hdf5")
      p.fail("cloud_format",
             "hdf5 (the ModelNet40 layout) holds labelled clouds of one size for classification; "
             "write scenes as ply, pcd or npy");
    bbox_npy_ = p.get_string("cloud_format") == "npy";
  }

  std::string family() const override { return "pc_scenes"; }
  bool makes_point_clouds() const override { return true; }
  std::int64_t num_classes() const override { return 1; }
  std::int64_t instances_per_class() const override { return scenes_; }
  std::optional<ImageShape> image_shape() const override { return std::nullopt; }
  // A scene holds objects_base + Poisson(objects_poisson) objects: sized for a count the Poisson
  // part rarely passes (mean + 6 standard deviations).
  SampleMemory sample_memory() const override {
    const double objects =
        static_cast<double>(std::max<std::int64_t>(1, base_)) + poisson_ + 6.0 * std::sqrt(poisson_) + 1;
    SampleMemory m = objects_.cloud_memory(static_cast<std::int64_t>(objects * static_cast<double>(objects_.points())));
    m.what += " (objects_base + objects_poisson objects of points)";
    return m;
  }
  std::int64_t preferred_chunk() const override { return 4; }

  std::string sample_name(std::int64_t, std::int64_t inst) const override {
    char buf[64];
    std::snprintf(buf, sizeof buf, "scenes/scene_%05lld", static_cast<long long>(inst));
    return buf;
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override {
    check_index(cat, inst);
    Sample s;
    s.category = cat;
    s.instance = inst;
    s.label = 0;
    s.name = sample_name(cat, inst);
    const std::vector<Placed> layout = place(inst);
    PointCloud object;
    for (std::size_t k = 0; k < layout.size(); ++k) {
      const Placed& o = layout[k];
      objects_.object(o.category, o.instance, object, nullptr);
      append(s.cloud, object, o, static_cast<std::int32_t>(k));
    }
    objects_.finish(s.cloud);
    objects_.order(s.cloud, cat, inst);
    s.meta = scene_json(inst, layout, s.cloud);
    if (bbox_npy_) {
      // VoteNet's SUN RGB-D loader reads the boxes from <scan>_bbox.npy beside the points: (K, 8) rows.
      std::vector<double> rows;
      for (const Placed& o : layout) {
        const auto row = votenet_row(o);
        rows.insert(rows.end(), row.begin(), row.end());
      }
      std::vector<std::uint8_t> bytes;
      encode_npy(rows.data(), NpyType::Float64, {layout.size(), 8}, bytes);
      s.extra_files.emplace_back("_bbox.npy", std::move(bytes));
    }
    return s;
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    nlohmann::ordered_json j;
    j["category"] = cat;
    j["scenes"] = scenes_;
    j["object_categories"] = objects_.classes();
    j["object_instances"] = objects_.instances();
    return j;
  }
  std::string describe_category(std::int64_t) const override {
    return "scenes of " + std::to_string(objects_.classes()) + " categories";
  }
  nlohmann::ordered_json stats() const override { return objects_.stats(); }
  // The object categories the scenes place, all of them, whatever scene classes are listed.
  using Generator::save_categories;
  std::vector<std::string> save_categories(const std::filesystem::path& dir,
                                           const std::vector<std::int64_t>&) const override {
    std::vector<std::int64_t> all(static_cast<std::size_t>(objects_.classes()));
    for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<std::int64_t>(k);
    return objects_.save_categories(dir, family(), all);
  }
  void export_categories(const std::filesystem::path& dir) const override {
    write_pc_fractal_category_dir(dir, objects_.systems());
  }

 private:
  /// The official layout procedure, from the scene's own stream: the object count, then per
  /// object its size, centre (redrawn while too close to an earlier one), yaw and source.
  std::vector<Placed> place(std::int64_t scene) const {
    Rng rng(seed_, 0, static_cast<std::uint64_t>(scene), Purpose::Layout);
    const std::int64_t count = std::max<std::int64_t>(1, base_ + rng.poisson(poisson_));
    std::vector<Placed> out;
    for (std::int64_t k = 0; k < count; ++k) {
      Placed o;
      const double s = rng.uniform(size_lo_, size_hi_);
      o.size[0] = s;
      o.size[1] = s * rng.uniform(aspect_lo_, aspect_hi_);
      o.size[2] = s * rng.uniform(aspect_lo_, aspect_hi_);
      bool placed = false;
      for (std::int64_t t = 0; t < tries_ && !placed; ++t) {
        o.center[0] = rng.uniform(-side_ / 2, side_ / 2);
        o.center[1] = rng.uniform(-side_ / 2, side_ / 2);
        placed = true;
        for (const Placed& e : out) {
          const double d = std::hypot(o.center[0] - e.center[0], o.center[1] - e.center[1]);
          const double need = (std::hypot(o.size[0], o.size[1]) + std::hypot(e.size[0], e.size[1])) / 2 + gap_;
          if (d < need) {
            placed = false;
            break;
          }
        }
      }
      if (!placed) break;           // as the official script: the scene keeps the objects placed so far
      o.center[2] = o.size[2] / 2;  // resting on the floor
      o.yaw = rng.uniform(-std::numbers::pi, std::numbers::pi);
      o.category = rng.uniform_int(0, objects_.classes() - 1);
      o.instance = rng.uniform_int(0, objects_.instances() - 1);
      out.push_back(o);
    }
    return out;
  }

  /// Fits the object's own bounding box onto the placed box (per axis), turns it by the yaw and
  /// moves it to the box centre; appends the points with their ids.
  static void append(PointCloud& scene, const PointCloud& object, const Placed& o, std::int32_t id) {
    const std::size_t n = object.size();
    float lo[3], hi[3];
    bounding_box(object.xyz.data(), n, lo, hi);
    double mid[3], scale[3];
    for (int a = 0; a < 3; ++a) {
      mid[a] = 0.5 * (static_cast<double>(lo[a]) + hi[a]);
      const double extent = static_cast<double>(hi[a]) - lo[a];
      scale[a] = extent > 0 ? o.size[a] / extent : 0.0;
    }
    const double c = std::cos(o.yaw), s = std::sin(o.yaw);
    const std::size_t at = scene.size();
    scene.xyz.resize(3 * (at + n));
    scene.class_ids.resize(at + n, static_cast<std::int32_t>(o.category));
    scene.instance_ids.resize(at + n, id);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = (object.xyz[3 * i] - mid[0]) * scale[0];
      const double y = (object.xyz[3 * i + 1] - mid[1]) * scale[1];
      const double z = (object.xyz[3 * i + 2] - mid[2]) * scale[2];
      scene.xyz[3 * (at + i) + 0] = static_cast<float>(o.center[0] + (c * x - s * y));
      scene.xyz[3 * (at + i) + 1] = static_cast<float>(o.center[1] + (s * x + c * y));
      scene.xyz[3 * (at + i) + 2] = static_cast<float>(o.center[2] + z);
    }
  }

  nlohmann::ordered_json scene_json(std::int64_t scene, const std::vector<Placed>& layout,
                                    const PointCloud& cloud) const {
    std::vector<std::int64_t> counts(layout.size(), 0);
    for (std::int32_t id : cloud.instance_ids) ++counts[static_cast<std::size_t>(id)];
    nlohmann::ordered_json j;
    j["scene"] = scene;
    j["conventions"] =
        "z up, floor at z = 0, metres. Box: center (x, y, z), size = full edge lengths (dx, dy, dz) along the "
        "box's own axes, yaw = counter-clockwise angle about +z from +x to the box's x axis. Points carry "
        "label (class) and instance (index into objects). votenet_bbox rows are VoteNet's SUN RGB-D *_bbox.npy: "
        "(cx, cy, cz, dx/2, dy/2, dz/2, heading, class) with heading = -yaw (VoteNet turns boxes by rotz(-heading)).";
    j["scene_size"] = side_;
    j["num_points"] = cloud.size();
    nlohmann::ordered_json objects = nlohmann::ordered_json::array(), votenet = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < layout.size(); ++k) {
      const Placed& o = layout[k];
      nlohmann::ordered_json e;
      e["instance_id"] = k;
      e["class"] = o.category;
      e["source_instance"] = o.instance;
      e["center"] = {o.center[0], o.center[1], o.center[2]};
      e["size"] = {o.size[0], o.size[1], o.size[2]};
      e["yaw"] = o.yaw;
      e["num_points"] = counts[k];
      objects.push_back(std::move(e));
      const auto row = votenet_row(o);  // the class stays an integer in the JSON
      votenet.push_back({row[0], row[1], row[2], row[3], row[4], row[5], row[6], o.category});
    }
    j["objects"] = std::move(objects);
    j["votenet_bbox"] = std::move(votenet);
    return j;
  }

  detail::PcObjects objects_;
  std::uint64_t seed_ = 0;
  std::int64_t scenes_ = 10000;
  std::int64_t base_ = 5;
  double poisson_ = 5, side_ = 15, size_lo_ = 0.75, size_hi_ = 1.25, aspect_lo_ = 0.9, aspect_hi_ = 1.1, gap_ = 0.25;
  std::int64_t tries_ = 100;
  bool bbox_npy_ = false;  ///< cloud_format npy: also <name>_bbox.npy
};

}  // namespace

std::unique_ptr<Generator> make_pc_scenes(const Params& params, const GeneratorContext& context) {
  return std::make_unique<PcScenes>(params, context);
}

}  // namespace fdsl
