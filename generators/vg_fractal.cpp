// vg_fractal: PC-FractalDB object clouds and their projections through saved cameras.
//   layout paired  {cat:06d}/{cat:06d}_{inst:04d}.{npy|ply|pcd} + .png (one view) or
//                  .view{k:03d}.png (several) + .camera.json: one key per (class, instance)
//   layout views   images/{cat:05d}/{cat:05d}_{inst:05d}_{view:03d}.png (MV-FractalDB), with
//                  images/{cat:05d}/{cat:05d}_{inst:05d}.camera.json (and the cloud, if written)
#include "fdsl/generators/vg_fractal.h"

#include <cmath>
#include <cstdio>

#include "fdsl/core/error.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/io/npy.h"
#include "fdsl/io/pc_category_csv.h"
#include "fdsl/render/color.h"
#include "fdsl/render/projection.h"
#include "pc_objects.h"

namespace fdsl {

const ParamTable& vg_fractal_params() {
  static const ParamTable table = [] {
    ParamTable t = pc_fractal_family_params();  // the objects' keys, declared once there
    for (ParamSpec& p : t) {
      if (p.name == "points") {
        p.default_value = std::int64_t{8192};
        p.help = "points per cloud (FSVGP: 8,192)";
      }
      if (p.name == "part_labels")
        p.help =
            "per-point part labels (the IFS map that placed each point) in the written cloud, and each view's "
            "parts through the z-buffer: <image>.parts.npy (H, W) int32, 1 + the nearest point's part, 0 empty";
    }
    const ParamTable views = {
        enum_param("projection", "perspective", {"perspective", "orthographic"},
                   "camera model: pinhole perspective or orthographic"),
        float_param("fov", 45.0, 0.0, 180.0, "vertical field of view in degrees", true, true)
            .when("projection", {"perspective"})
            .explorer_knob(5),
        float_param("ortho_extent", 4.0, 0.0, 1000.0, "world units across the image height", true, false)
            .when("projection", {"orthographic"}),
        float_param("camera_distance", 4.0, 0.0, 10000.0,
                    "eye to look_at; the eye must be outside the cloud (clouds reach sqrt(3) from the origin with "
                    "normalize: official, 1 with unit_sphere)",
                    true, false),
        float_param("near", 1.0, 0.0, 10000.0, "near clipping depth (points nearer are not drawn)", true, false),
        float_param("far", 100.0, 0.0, 1000000.0, "far clipping depth", true, false),
        string_param("look_at", "0,0,0", "the point the cameras look at, x,y,z"),
        enum_param("up_axis", "y", {"y", "z"}, "the world's up axis: views turn about it, elevation rises along it"),
        int_param("views", 1, 1, 1000, "views per cloud (VG-FractalDB 1, MV-FractalDB 12)"),
        enum_param("view_mode", "ring", {"ring", "random"},
                   "ring: view k at azimuth_start + 360 k / views (+ jitter); random: azimuth uniform in [0, 360) "
                   "(ExFractalDB)"),
        float_param("azimuth_start", 30.0, -360.0, 360.0, "azimuth of view 0, degrees (MV-FractalDB: 30)")
            .when("view_mode", {"ring"})
            .explorer_knob(3),
        float_param("azimuth_jitter", 0.0, 0.0, 180.0, "each view's azimuth moves by U(-jitter, jitter) degrees")
            .when("view_mode", {"ring"}),
        enum_param("elevation_mode", "fixed", {"fixed", "random"},
                   "fixed: every view at `elevation`; random: U(elevation_min, elevation_max)"),
        float_param("elevation", 0.0, -90.0, 90.0, "fixed elevation in degrees above the horizon", true, true)
            .when("elevation_mode", {"fixed"})
            .explorer_knob(4),
        float_param("elevation_min", -45.0, -90.0, 90.0, "lowest random elevation, degrees", true, true)
            .when("elevation_mode", {"random"})
            .at_most("elevation_max"),
        float_param("elevation_max", 45.0, -90.0, 90.0, "highest random elevation, degrees", true, true)
            .when("elevation_mode", {"random"}),
        int_param("splat_radius", 0, 0, 16, "0: one pixel per point; r: a disc of radius r px"),
        enum_param("shading", "white", {"white", "depth", "height", "map"},
                   "white: 255 dots on black (MV-FractalDB); depth: nearer brighter; height: hue by height (RGB); "
                   "map: hue by IFS map (RGB)")
            .explorer_knob(2),
        int_param("supersample", 1, 1, 4, "anti-aliasing: render s times larger and average s x s blocks"),
        enum_param("layout", "paired", {"paired", "views"},
                   "paired: cloud, image(s) and camera JSON under one key {cat:06d}/{cat:06d}_{inst:04d}; views: "
                   "images/{cat:05d}/{cat:05d}_{inst:05d}_{view:03d}.png (MV-FractalDB, an ImageFolder at images/)"),
        bool_param("write_cloud", true, "write each cloud beside its images (false: images and cameras only)"),
    };
    t.insert(t.end(), views.begin(), views.end());
    return t;
  }();
  return table;
}

namespace {

/// The camera, view, shading and layout settings, read (and checked) before the category search
/// so a bad camera is reported at once.
struct ViewSetup {
  std::uint64_t seed_ = 0;
  CameraRig rig_;
  ViewSpec spec_;
  SplatOptions splat_;
  int channels_ = 0;
  bool views_layout_ = false;
  bool write_cloud_ = true;
  bool part_labels_ = false;

  explicit ViewSetup(const Params& p) {
    seed_ = sample_seed(p);  // the views are per-sample draws
    rig_.projection = p.get_string("projection") == "orthographic" ? Projection::Orthographic : Projection::Perspective;
    rig_.width = rig_.height = static_cast<int>(p.get_int("size"));
    rig_.fov_deg = p.get_float("fov");
    rig_.ortho_extent = p.get_float("ortho_extent");
    rig_.distance = p.get_float("camera_distance");
    rig_.near = p.get_float("near");
    rig_.far = p.get_float("far");
    rig_.up = p.get_string("up_axis") == "z" ? UpAxis::Z : UpAxis::Y;
    try {
      rig_.target = parse_vec3(p.get_string("look_at"), "look_at");
    } catch (const Error& e) {
      p.fail("look_at", e.what());
    }
    if (!(rig_.near < rig_.far)) p.fail("near", "must be below far (" + std::to_string(rig_.far) + ")");
    // The clouds lie within `reach` of the origin; an eye inside that ball sits inside the cloud.
    const bool unit_sphere = p.get_string("normalize") == "unit_sphere";
    const double reach = unit_sphere ? 1.0 : std::sqrt(3.0);
    const double off =
        std::sqrt(rig_.target[0] * rig_.target[0] + rig_.target[1] * rig_.target[1] + rig_.target[2] * rig_.target[2]);
    if (!(rig_.distance - off > reach)) {
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "%g puts the camera inside the cloud: clouds reach %.3f from the origin (normalize: %s), so "
                    "camera_distance - |look_at| must exceed %.3f (it is %g)",
                    rig_.distance, reach, unit_sphere ? "unit_sphere" : "official", reach, rig_.distance - off);
      p.fail("camera_distance", buf);
    }

    spec_.mode = p.get_string("view_mode") == "random" ? ViewMode::Random : ViewMode::Ring;
    spec_.count = static_cast<int>(p.get_int("views"));
    spec_.azimuth_start_deg = p.get_float("azimuth_start");
    spec_.azimuth_jitter_deg = p.get_float("azimuth_jitter");
    spec_.random_elevation = p.get_string("elevation_mode") == "random";
    spec_.elevation_deg = p.get_float("elevation");
    spec_.elevation_min_deg = p.get_float("elevation_min");
    spec_.elevation_max_deg = p.get_float("elevation_max");

    const std::string& shading = p.get_string("shading");
    splat_.shading = shading == "depth"    ? Shading::Depth
                     : shading == "height" ? Shading::Height
                     : shading == "map"    ? Shading::MapIndex
                                           : Shading::White;
    splat_.radius = static_cast<int>(p.get_int("splat_radius"));
    splat_.supersample = static_cast<int>(p.get_int("supersample"));
    splat_.up = rig_.up;
    const bool color = splat_.shading == Shading::Height || splat_.shading == Shading::MapIndex;
    channels_ = output_channels(p);
    if (channels_ == 1 && color) p.fail("channels", "shading: " + shading + " is color; use channels: 3 or auto");
    const std::int64_t pixels =
        static_cast<std::int64_t>(rig_.width) * rig_.height * splat_.supersample * splat_.supersample;
    if (pixels > (std::int64_t{1} << 28))
      p.fail("supersample", "a " + std::to_string(rig_.width) + " px image supersampled " +
                                std::to_string(splat_.supersample) + "x needs too large a buffer; lower one of them");

    views_layout_ = p.get_string("layout") == "views";
    write_cloud_ = p.get_bool("write_cloud");
    part_labels_ = p.get_bool("part_labels");
    if (views_layout_ && p.get_string("output_format") == "tar")
      p.fail("layout",
             "views writes an ImageFolder of single views; tar shards keep a sample's files under one "
             "key: use layout: paired with output_format: tar");
    if (p.get_string("cloud_format") == "hdf5")
      p.fail("cloud_format",
             "hdf5 gathers clouds into batch files, away from their images; paired samples use "
             "npy, ply or pcd");
    // A first camera now, so a bad rig is reported against the config rather than mid-run.
    try {
      (void)orbit_camera(rig_, 0.0, spec_.random_elevation ? spec_.elevation_min_deg : spec_.elevation_deg);
    } catch (const Error& e) {
      p.fail("projection", e.what());
    }
  }
};

class VgFractal final : private ViewSetup, public detail::PcObjectFamily {
 public:
  // ViewSetup comes first, so a bad camera is reported before the category search runs.
  VgFractal(const Params& p, const GeneratorContext& ctx) : ViewSetup(p), PcObjectFamily(p, ctx) {}

  std::string family() const override { return "vg_fractal"; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<VgFractal>(*this);
    g->objects_.redraw(draw);
    return g;
  }

  // A single paired view is the sample's image; several views (or the views layout) are not one image.
  std::optional<ImageShape> image_shape() const override {
    if (views_layout_ || spec_.count != 1) return std::nullopt;
    return ImageShape{rig_.height, rig_.width, output_channels()};
  }

  // Every view is kept until the sample is written (its image and PNG rows, c + 1 bytes a pixel);
  // one view at a time is rendered on the supersampled canvas with its z-buffer (measured with 12
  // views at 2048 px and one at 4096 px).
  SampleMemory sample_memory() const override {
    const int c = output_channels();
    const double px = static_cast<double>(rig_.width) * rig_.height;
    const double ss = static_cast<double>(splat_.supersample) * splat_.supersample;
    SampleMemory m = objects_.cloud_memory(objects_.points());
    m.bytes += px * (spec_.count * (c + 1.0) + ss * (8.0 + c));
    m.output_bytes += px * spec_.count * c;
    m.what = "size " + std::to_string(rig_.width) + " x " + std::to_string(c) + (c == 1 ? " channel" : " channels") +
             ", views " + std::to_string(spec_.count) +
             (splat_.supersample > 1 ? ", supersample " + std::to_string(splat_.supersample) : "") + ", " + m.what;
    return m;
  }
  std::string sample_noun() const override { return views_layout_ ? "instances" : write_cloud_ ? "pairs" : "samples"; }

  std::string sample_name(std::int64_t cat, std::int64_t inst) const override {
    if (!views_layout_) return PcObjectFamily::sample_name(cat, inst);
    char buf[96];
    std::snprintf(buf, sizeof buf, "images/%05lld/%05lld_%05lld", static_cast<long long>(cat),
                  static_cast<long long>(cat), static_cast<long long>(inst));
    return buf;
  }

 private:
  /// The channels of the images as written: the shading's (color shadings are RGB) or the
  /// channels key's.
  int output_channels() const {
    const bool color = splat_.shading == Shading::Height || splat_.shading == Shading::MapIndex;
    return channels_ == 3 || color ? 3 : 1;
  }

  std::string view_name(const std::string& name, int k) const {
    char buf[16];
    std::snprintf(buf, sizeof buf, views_layout_ ? "_%03d" : ".view%03d", k);
    return name + buf;
  }

  Sample make_one(std::int64_t cat, std::int64_t inst, detail::MainCloudCache* cache) const override {
    Sample s = start_sample(cat, inst);
    objects_.object(cat, inst, s.cloud, cache, splat_.shading == Shading::MapIndex || part_labels_);
    if (part_labels_) objects_.parts_from_maps(cat, s.cloud);
    objects_.finish(s.cloud);
    const Rng view_rng(seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::View);
    const bool single = !views_layout_ && spec_.count == 1;
    nlohmann::ordered_json cameras = nlohmann::ordered_json::array();
    for (int k = 0; k < spec_.count; ++k) {
      const ViewAngles a = view_angles(spec_, k, view_rng);
      const Camera cam = orbit_camera(rig_, a.azimuth_deg, a.elevation_deg);
      Image img;
      const std::string name = single ? s.name : view_name(s.name, k);  // the image, without .png
      if (part_labels_) {
        // The parts seen in this view, through the z-buffer: name.parts.npy (H, W) int32,
        // 1 + the part of the nearest point, 0 where nothing is drawn.
        LabelMap parts;
        render_points(s.cloud, cam, splat_, img, parts);
        std::vector<std::int32_t> values(parts.values.begin(), parts.values.end());
        std::vector<std::uint8_t> bytes;
        encode_npy(values.data(), NpyType::Int32,
                   {static_cast<std::size_t>(parts.height), static_cast<std::size_t>(parts.width)}, bytes);
        s.extra_files.emplace_back(name.substr(s.name.size()) + ".parts.npy", std::move(bytes));
      } else {
        render_points(s.cloud, cam, splat_, img);
      }
      if (channels_ == 3 && img.channels == 1) img = gray_to_rgb(img);
      nlohmann::ordered_json cj;
      cj["view"] = k;
      cj["image"] = name.substr(name.rfind('/') + 1) + ".png";
      const nlohmann::ordered_json camera = camera_to_json(cam);
      for (auto it = camera.begin(); it != camera.end(); ++it) cj[it.key()] = *it;
      cameras.push_back(std::move(cj));
      if (single) {
        s.image = std::move(img);
      } else {
        s.views.push_back(std::move(img));
        s.view_names.push_back(name);
      }
    }
    s.meta["category"] = cat;
    s.meta["instance"] = inst;
    s.meta["label"] = s.label;
    s.meta["points"] = s.cloud.size();
    s.meta["cameras"] = std::move(cameras);
    s.meta_ext = "camera.json";
    s.cloud.map_ids.clear();
    s.cloud.map_ids.shrink_to_fit();
    // The views were drawn from the cloud as made; the cloud as written gets its point order.
    if (write_cloud_)
      objects_.order(s.cloud, cat, inst);
    else
      s.cloud = PointCloud{};
    return s;
  }
};

}  // namespace

std::unique_ptr<Generator> make_vg_fractal(const Params& params, const GeneratorContext& context) {
  return std::make_unique<VgFractal>(params, context);
}

}  // namespace fdsl
