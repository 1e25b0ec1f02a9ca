// PC-FractalDB scenes for 3D detection pre-training (pc_scenes): fractal objects of the pc_fractal
// family placed on a floor by the official layout procedure, written as one cloud with per-point
// class and instance ids plus oriented boxes. Parameters: every pc_fractal key (the objects; but
// fps_points and normals apply to the whole scene, which keeps all its points when it has no more
// than fps_points), and object_instances, objects_base, objects_poisson, scene_size,
// object_size_min/max, aspect_min/max, placement_gap, placement_tries, scene_layout (fdsl, or
// the files VoteNet's SUN RGB-D or ScanNet loader reads)
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <set>

#include "fdsl/core/error.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/generators/pc_scenes.h"
#include "fdsl/io/files.h"
#include "fdsl/io/npy.h"
#include "fdsl/io/npz.h"
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
        enum_param("scene_layout", "fdsl", {"fdsl", "sunrgbd", "scannet"},
                   "fdsl: scenes/scene_NNNNN in cloud_format with a JSON of boxes; sunrgbd: what VoteNet's SUN RGB-D "
                   "loader reads (sunrgbd_pc_bbox_votes_50k_v1_{split}/NNNNNN_pc.npz, _bbox.npy, _votes.npz, "
                   "{split}_data_idx.txt); scannet: what its ScanNet loader reads "
                   "(scannet_train_detection_data/sceneNNNN_NN_vert.npy, _ins_label.npy, _sem_label.npy, _bbox.npy, "
                   "scannetv2_{split}.txt, scannet_means.npz); both with votenet_classes.json (cloud_format is not "
                   "used by them)"),
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

/// The object's box as a row of VoteNet's SUN RGB-D *_bbox.npy: (cx, cy, cz, half sizes, heading,
/// class) with heading = -yaw (VoteNet turns boxes by rotz(-heading)). The half sizes are padded
/// to hold every stored (float32) point of the object: `reach` is the largest |coordinate| of its
/// points in the box's own frame, per axis; the row takes the larger of it and the half size,
/// times 1 + 1e-6, plus 1e-6.
std::array<double, 8> votenet_row(const Placed& o, const std::array<double, 3>& reach) {
  std::array<double, 3> half;
  for (int a = 0; a < 3; ++a) half[a] = std::max(o.size[a] / 2, reach[a]) * (1 + 1e-6) + 1e-6;
  return {o.center[0], o.center[1], o.center[2], half[0], half[1], half[2], -o.yaw, static_cast<double>(o.category)};
}

/// A point in the box's own frame: minus the centre, turned by -yaw about z.
std::array<double, 3> box_frame(const Placed& o, const float* p) {
  const double x = p[0] - o.center[0], y = p[1] - o.center[1], z = p[2] - o.center[2];
  const double c = std::cos(o.yaw), s = std::sin(o.yaw);
  return {c * x + s * y, -s * x + c * y, z};
}

enum class SceneLayout { Fdsl, SunRgbd, ScanNet };

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
    const std::string& layout = p.get_string("scene_layout");
    layout_ = layout == "sunrgbd"   ? SceneLayout::SunRgbd
              : layout == "scannet" ? SceneLayout::ScanNet
                                    : SceneLayout::Fdsl;
    split_ = p.get_string("split");
    // A tar member is <key>.<ext> (WebDataset); these layouts name files <scan>_<part>.npy.
    if (p.get_string("output_format") == "tar" && (layout_ != SceneLayout::Fdsl || bbox_npy_))
      p.fail(layout_ != SceneLayout::Fdsl ? "scene_layout" : "cloud_format",
             "writes per-scene files named <scan>_<part> (" +
                 std::string(layout_ != SceneLayout::Fdsl ? "the files VoteNet reads from a folder"
                                                          : "_bbox.npy, _sem_label.npy") +
                 "), which tar shards cannot key; use output_format folder (or cloud_format ply/pcd with the fdsl "
                 "layout)");
    // The loaders take a scan id from the first 6 (SUN RGB-D: NNNNNN) or 12 (ScanNet:
    // sceneNNNN_NN) characters of a file name.
    if (layout_ != SceneLayout::Fdsl && scenes_ > 1000000)
      p.fail("instances", "scene_layout " + layout +
                              " names scenes with 6 digits (VoteNet reads a fixed-width id): "
                              "at most 1000000 scenes");
  }

  std::string family() const override { return "pc_scenes"; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<PcScenes>(*this);
    g->seed_ = redraw_seed(seed_, draw);
    g->objects_.redraw(draw);
    return g;
  }
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
    char buf[96];
    const auto k = static_cast<long long>(inst);
    if (layout_ == SceneLayout::SunRgbd)
      std::snprintf(buf, sizeof buf, "sunrgbd_pc_bbox_votes_50k_v1_%s/%06lld", split_.c_str(), k);
    else if (layout_ == SceneLayout::ScanNet)
      std::snprintf(buf, sizeof buf, "scannet_train_detection_data/scene%04lld_%02lld", k / 100, k % 100);
    else
      std::snprintf(buf, sizeof buf, "scenes/scene_%05lld", k);
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
    const std::vector<std::array<double, 8>> rows = votenet_rows(layout, s.cloud);
    s.meta = scene_json(inst, layout, s.cloud, rows);
    std::vector<std::uint8_t> bytes;
    if (layout_ == SceneLayout::SunRgbd) {
      sunrgbd_files(s, layout, rows);
    } else if (layout_ == SceneLayout::ScanNet) {
      scannet_files(s);
    } else if (bbox_npy_) {
      // VoteNet's SUN RGB-D loader reads the boxes from <scan>_bbox.npy beside the points: (K, 8) rows.
      encode_npy(rows.data(), NpyType::Float64, {rows.size(), 8}, bytes);
      s.extra_files.emplace_back("_bbox.npy", std::move(bytes));
    }
    return s;
  }

  std::vector<std::string> layout_file_names() const override {
    if (layout_ == SceneLayout::SunRgbd) return {"votenet_classes.json", split_ + "_data_idx.txt"};
    if (layout_ == SceneLayout::ScanNet)
      return {"votenet_classes.json", "scannet_means.npz", "scannetv2_" + split_ + ".txt"};
    return {};
  }

  /// The class table a VoteNet dataset config takes (num_class, type2class, the class ids of the
  /// box files, mean sizes for the size clusters) and the split list of the scans made.
  void write_layout_files(const std::filesystem::path& root, const std::vector<std::string>& paths) const override {
    if (layout_ == SceneLayout::Fdsl) return;
    const bool sun = layout_ == SceneLayout::SunRgbd;
    const std::int64_t classes = objects_.classes();
    // Every object's edges are s, s*a, s*a with s ~ U(size), a ~ U(aspect), independent.
    const double s = (size_lo_ + size_hi_) / 2, a = (aspect_lo_ + aspect_hi_) / 2;
    nlohmann::ordered_json table;
    table["layout"] = sun ? "sunrgbd" : "scannet";
    table["how"] = sun ? "VoteNet sunrgbd/model_util_sunrgbd.py SunrgbdDatasetConfig: num_class, "
                         "num_heading_bin, num_size_cluster, type2class, and type_mean_size[name] = mean_size[class]; "
                         "the 8th column of *_bbox.npy is the class"
                       : "VoteNet scannet/model_util_scannet.py ScannetDatasetConfig: num_class, num_heading_bin, "
                         "num_size_cluster, type2class, nyu40ids (the 7th column of *_bbox.npy and _sem_label.npy "
                         "hold class + 1; 0 is no object); mean_size_arr = scannet_means.npz['arr_0']";
    table["num_class"] = classes;
    table["num_heading_bin"] = sun ? 12 : 1;
    table["num_size_cluster"] = classes;
    nlohmann::ordered_json type2class = nlohmann::ordered_json::object(), ids = nlohmann::ordered_json::array(),
                           means = nlohmann::ordered_json::array();
    std::vector<double> mean_rows;
    char name[32];
    for (std::int64_t c = 0; c < classes; ++c) {
      std::snprintf(name, sizeof name, "fractal_%06lld", static_cast<long long>(c));
      type2class[name] = c;
      ids.push_back(sun ? c : c + 1);
      means.push_back({s, s * a, s * a});
      mean_rows.insert(mean_rows.end(), {s, s * a, s * a});
    }
    table["type2class"] = std::move(type2class);
    table[sun ? "class_ids" : "nyu40ids"] = std::move(ids);
    table["mean_size"] = std::move(means);
    write_file_atomic(root / "votenet_classes.json", table.dump(1) + "\n", true);

    // The loaders' scan ids: the first 6 (SUN RGB-D) or 12 (ScanNet) characters of a file name.
    std::set<std::string> scans;
    for (const std::string& p : paths) {
      const std::string base = std::filesystem::path(p).filename().string();
      if (base.size() >= (sun ? 6u : 12u)) scans.insert(base.substr(0, sun ? 6 : 12));
    }
    std::string list;
    for (const std::string& id : scans) list += (sun ? std::to_string(std::stoll(id)) : id) + "\n";
    write_file_atomic(root / (sun ? split_ + "_data_idx.txt" : "scannetv2_" + split_ + ".txt"), list, true);
    if (!sun) {
      std::vector<std::uint8_t> npy, npz;
      encode_npy(mean_rows.data(), NpyType::Float64, {static_cast<std::size_t>(classes), 3}, npy);
      encode_npz({{"arr_0", std::move(npy)}}, npz);
      write_file_atomic(root / "scannet_means.npz", std::string(npz.begin(), npz.end()), true);
    }
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

  /// Each object's VoteNet row, its half sizes padded to hold its stored points (votenet_row).
  static std::vector<std::array<double, 8>> votenet_rows(const std::vector<Placed>& layout, const PointCloud& cloud) {
    std::vector<std::array<double, 3>> reach(layout.size(), {0, 0, 0});
    for (std::size_t i = 0; i < cloud.size(); ++i) {
      const auto id = static_cast<std::size_t>(cloud.instance_ids[i]);
      const auto local = box_frame(layout[id], &cloud.xyz[3 * i]);
      for (int a = 0; a < 3; ++a) reach[id][a] = std::max(reach[id][a], std::abs(local[a]));
    }
    std::vector<std::array<double, 8>> rows;
    for (std::size_t k = 0; k < layout.size(); ++k) rows.push_back(votenet_row(layout[k], reach[k]));
    return rows;
  }

  /// VoteNet's SUN RGB-D files, as its sunrgbd_data.py writes them: NNNNNN_pc.npz['pc'] (N, 6)
  /// (x, y, z and an RGB of 0.5: fractals have no color), _bbox.npy (K, 8) and
  /// _votes.npz['point_votes'] (N, 10): per point an in-box flag and up to three votes (box centre
  /// minus point) from the boxes holding it in object order, the first repeated into empty slots.
  void sunrgbd_files(Sample& s, const std::vector<Placed>& layout,
                     const std::vector<std::array<double, 8>>& rows) const {
    const std::size_t n = s.cloud.size();
    std::vector<float> pc(6 * n), votes(10 * n, 0.0f);
    std::vector<int> slot(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < 3; ++a) pc[6 * i + a] = s.cloud.xyz[3 * i + a];
      for (int a = 3; a < 6; ++a) pc[6 * i + a] = 0.5f;
    }
    for (std::size_t k = 0; k < layout.size(); ++k)
      for (std::size_t i = 0; i < n; ++i) {
        const auto local = box_frame(layout[k], &s.cloud.xyz[3 * i]);
        if (std::abs(local[0]) > rows[k][3] || std::abs(local[1]) > rows[k][4] || std::abs(local[2]) > rows[k][5])
          continue;
        float* v = &votes[10 * i];
        v[0] = 1;
        float d[3];
        for (int a = 0; a < 3; ++a) d[a] = static_cast<float>(layout[k].center[a] - s.cloud.xyz[3 * i + a]);
        for (int a = 0; a < 3; ++a) v[1 + 3 * slot[i] + a] = d[a];
        if (slot[i] == 0)
          for (int a = 0; a < 3; ++a) v[4 + a] = v[7 + a] = d[a];
        slot[i] = std::min(2, slot[i] + 1);
      }
    std::vector<std::uint8_t> npy, npz, bbox;
    encode_npy(pc.data(), NpyType::Float32, {n, 6}, npy);
    encode_npz({{"pc", std::move(npy)}}, npz);
    s.extra_files.emplace_back("_pc.npz", std::move(npz));
    encode_npy(rows.data(), NpyType::Float64, {rows.size(), 8}, bbox);
    s.extra_files.emplace_back("_bbox.npy", std::move(bbox));
    npy.clear();
    npz.clear();
    encode_npy(votes.data(), NpyType::Float32, {n, 10}, npy);
    encode_npz({{"point_votes", std::move(npy)}}, npz);
    s.extra_files.emplace_back("_votes.npz", std::move(npz));
    s.cloud_file = false;
  }

  /// VoteNet's ScanNet files, as its batch_load_scannet_data.py writes them: _vert.npy (N, 6)
  /// (x, y, z and an RGB of 128), _ins_label.npy and _sem_label.npy (N,) int32 (object index + 1,
  /// class + 1; 0 would be no object) and _bbox.npy (K, 7): each object's axis-aligned box from
  /// its points (centre, full sizes) and class + 1.
  static void scannet_files(Sample& s) {
    const std::size_t n = s.cloud.size();
    std::vector<float> vert(6 * n);
    std::vector<std::int32_t> ins(n), sem(n);
    std::int32_t objects = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < 3; ++a) vert[6 * i + a] = s.cloud.xyz[3 * i + a];
      for (int a = 3; a < 6; ++a) vert[6 * i + a] = 128.0f;
      ins[i] = s.cloud.instance_ids[i] + 1;
      sem[i] = s.cloud.class_ids[i] + 1;
      objects = std::max(objects, ins[i]);
    }
    std::vector<std::array<double, 6>> box(static_cast<std::size_t>(objects),
                                           {1e300, 1e300, 1e300, -1e300, -1e300, -1e300});
    std::vector<std::int32_t> box_class(static_cast<std::size_t>(objects), 0);
    for (std::size_t i = 0; i < n; ++i) {
      auto& b = box[static_cast<std::size_t>(ins[i] - 1)];
      box_class[static_cast<std::size_t>(ins[i] - 1)] = sem[i];
      for (int a = 0; a < 3; ++a) {
        b[a] = std::min(b[a], static_cast<double>(s.cloud.xyz[3 * i + a]));
        b[3 + a] = std::max(b[3 + a], static_cast<double>(s.cloud.xyz[3 * i + a]));
      }
    }
    std::vector<double> rows;
    for (std::size_t k = 0; k < box.size(); ++k) {
      if (box[k][0] > box[k][3]) continue;  // an object without points
      for (int a = 0; a < 3; ++a) rows.push_back((box[k][a] + box[k][3 + a]) / 2);
      for (int a = 0; a < 3; ++a) rows.push_back(box[k][3 + a] - box[k][a]);
      rows.push_back(box_class[k]);
    }
    std::vector<std::uint8_t> bytes;
    encode_npy(vert.data(), NpyType::Float32, {n, 6}, bytes);
    s.extra_files.emplace_back("_vert.npy", bytes);
    encode_npy(ins.data(), NpyType::Int32, {n}, bytes);
    s.extra_files.emplace_back("_ins_label.npy", bytes);
    encode_npy(sem.data(), NpyType::Int32, {n}, bytes);
    s.extra_files.emplace_back("_sem_label.npy", bytes);
    encode_npy(rows.data(), NpyType::Float64, {rows.size() / 7, 7}, bytes);
    s.extra_files.emplace_back("_bbox.npy", std::move(bytes));
    s.cloud_file = false;
  }

  nlohmann::ordered_json scene_json(std::int64_t scene, const std::vector<Placed>& layout, const PointCloud& cloud,
                                    const std::vector<std::array<double, 8>>& rows) const {
    std::vector<std::int64_t> counts(layout.size(), 0);
    for (std::int32_t id : cloud.instance_ids) ++counts[static_cast<std::size_t>(id)];
    nlohmann::ordered_json j;
    j["scene"] = scene;
    j["conventions"] =
        "z up, floor at z = 0, metres. Box: center (x, y, z), size = full edge lengths (dx, dy, dz) along the "
        "box's own axes, yaw = counter-clockwise angle about +z from +x to the box's x axis. Points carry "
        "label (class) and instance (index into objects). votenet_bbox rows are VoteNet's SUN RGB-D *_bbox.npy: "
        "(cx, cy, cz, dx/2, dy/2, dz/2, heading, class) with heading = -yaw (VoteNet turns boxes by rotz(-heading)), "
        "the half sizes padded to hold every stored float32 point: max(size/2, the points' reach) * (1 + 1e-6) + 1e-6.";
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
      const auto& row = rows[k];  // the class stays an integer in the JSON
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
  SceneLayout layout_ = SceneLayout::Fdsl;
  std::string split_ = "train";
};

}  // namespace

std::unique_ptr<Generator> make_pc_scenes(const Params& params, const GeneratorContext& context) {
  return std::make_unique<PcScenes>(params, context);
}

}  // namespace fdsl
