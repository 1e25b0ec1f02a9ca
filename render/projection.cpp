#include "fdsl/render/projection.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <sstream>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/render/color.h"

namespace fdsl {

namespace {

using Vec3 = std::array<double, 3>;

Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 unit(const Vec3& a) {
  const double n = std::sqrt(dot(a, a));
  return {a[0] / n, a[1] / n, a[2] / n};
}
double radians(double deg) { return deg * std::numbers::pi / 180.0; }

const char* projection_name(Projection p) { return p == Projection::Perspective ? "perspective" : "orthographic"; }

}  // namespace

Camera orbit_camera(const CameraRig& rig, double azimuth_deg, double elevation_deg) {
  if (!(elevation_deg > -90.0 && elevation_deg < 90.0))
    throw_bad_input("camera elevation " + std::to_string(elevation_deg) +
                    " deg is outside (-90, 90): the view direction would be parallel to the up axis");
  check_image_size(rig.width, rig.height, "camera image");
  if (!(rig.distance > 0)) throw_bad_input("camera distance must be positive");
  if (!(rig.near > 0 && rig.near < rig.far)) throw_bad_input("camera near and far must satisfy 0 < near < far");
  if (rig.projection == Projection::Perspective && !(rig.fov_deg > 0 && rig.fov_deg < 180))
    throw_bad_input("field of view " + std::to_string(rig.fov_deg) + " deg is outside (0, 180)");
  if (rig.projection == Projection::Orthographic && !(rig.ortho_extent > 0))
    throw_bad_input("orthographic extent must be positive");

  Camera cam;
  cam.projection = rig.projection;
  cam.width = rig.width;
  cam.height = rig.height;
  cam.near = rig.near;
  cam.far = rig.far;
  cam.fov_deg = rig.projection == Projection::Perspective ? rig.fov_deg : 0.0;
  cam.ortho_extent = rig.projection == Projection::Orthographic ? rig.ortho_extent : 0.0;
  cam.azimuth_deg = azimuth_deg;
  cam.elevation_deg = elevation_deg;
  cam.distance = rig.distance;
  cam.target = rig.target;

  const double az = radians(azimuth_deg), el = radians(elevation_deg);
  const double ce = std::cos(el), se = std::sin(el), ca = std::cos(az), sa = std::sin(az);
  Vec3 offset, up;
  if (rig.up == UpAxis::Y) {
    offset = {ce * sa, se, ce * ca};
    up = {0, 1, 0};
  } else {
    offset = {ce * ca, ce * sa, se};
    up = {0, 0, 1};
  }
  for (int a = 0; a < 3; ++a) cam.eye[a] = rig.target[a] + rig.distance * offset[a];
  // Camera axes in world coordinates: forward (z), right (x), down (y).
  const Vec3 f = unit(sub(rig.target, cam.eye));
  const Vec3 r = unit(cross(f, up));
  const Vec3 d = cross(f, r);
  const Vec3 rows[3] = {r, d, f};
  cam.world_to_camera.fill(0.0);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) cam.world_to_camera[4 * i + j] = rows[i][j];
    cam.world_to_camera[4 * i + 3] = -dot(rows[i], cam.eye);
  }
  cam.world_to_camera[15] = 1.0;

  const double fy = rig.projection == Projection::Perspective ? 0.5 * rig.height / std::tan(0.5 * radians(rig.fov_deg))
                                                              : rig.height / rig.ortho_extent;
  cam.K = {fy, 0.0, 0.5 * rig.width, 0.0, fy, 0.5 * rig.height, 0.0, 0.0, 1.0};
  return cam;
}

nlohmann::ordered_json camera_to_json(const Camera& cam) {
  // -0.0 written as 0.0: the same value, and a file a person reads more easily.
  Camera c = cam;
  for (double& v : c.K) v += 0.0;
  for (double& v : c.world_to_camera) v += 0.0;
  for (double& v : c.eye) v += 0.0;
  nlohmann::ordered_json j;
  j["projection"] = projection_name(c.projection);
  j["width"] = c.width;
  j["height"] = c.height;
  j["near"] = c.near;
  j["far"] = c.far;
  j["K"] = {{c.K[0], c.K[1], c.K[2]}, {c.K[3], c.K[4], c.K[5]}, {c.K[6], c.K[7], c.K[8]}};
  nlohmann::ordered_json m = nlohmann::ordered_json::array();
  for (int i = 0; i < 4; ++i)
    m.push_back({c.world_to_camera[4 * i], c.world_to_camera[4 * i + 1], c.world_to_camera[4 * i + 2],
                 c.world_to_camera[4 * i + 3]});
  j["world_to_camera"] = std::move(m);
  j["azimuth_deg"] = c.azimuth_deg;
  j["elevation_deg"] = c.elevation_deg;
  j["distance"] = c.distance;
  if (c.projection == Projection::Perspective)
    j["fov_deg"] = c.fov_deg;
  else
    j["ortho_extent"] = c.ortho_extent;
  j["eye"] = c.eye;
  j["target"] = c.target;
  return j;
}

Camera camera_from_json(const nlohmann::json& j) {
  auto field = [&](const char* key) -> const nlohmann::json& {
    if (!j.is_object() || !j.contains(key)) throw_bad_input(std::string("camera JSON: missing field '") + key + "'");
    return j.at(key);
  };
  auto number = [&](const nlohmann::json& v, const std::string& what) {
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      throw_bad_input("camera JSON: field '" + what + "' must be a finite number");
    return v.get<double>();
  };
  Camera c;
  const nlohmann::json& p = field("projection");
  if (p == "perspective")
    c.projection = Projection::Perspective;
  else if (p == "orthographic")
    c.projection = Projection::Orthographic;
  else
    throw_bad_input("camera JSON: projection must be perspective or orthographic");
  c.width = static_cast<int>(number(field("width"), "width"));
  c.height = static_cast<int>(number(field("height"), "height"));
  check_image_size(c.width, c.height, "camera JSON image");
  c.near = number(field("near"), "near");
  c.far = number(field("far"), "far");
  const nlohmann::json& k = field("K");
  const nlohmann::json& m = field("world_to_camera");
  if (!k.is_array() || k.size() != 3 || !m.is_array() || m.size() != 4)
    throw_bad_input("camera JSON: K must be 3x3 and world_to_camera 4x4");
  for (int i = 0; i < 3; ++i) {
    if (!k[i].is_array() || k[i].size() != 3) throw_bad_input("camera JSON: K must be 3x3");
    for (int jj = 0; jj < 3; ++jj) c.K[3 * i + jj] = number(k[i][jj], "K");
  }
  for (int i = 0; i < 4; ++i) {
    if (!m[i].is_array() || m[i].size() != 4) throw_bad_input("camera JSON: world_to_camera must be 4x4");
    for (int jj = 0; jj < 4; ++jj) c.world_to_camera[4 * i + jj] = number(m[i][jj], "world_to_camera");
  }
  return c;
}

bool project_point(const Camera& c, const double w[3], double& u, double& v, double& depth) {
  const auto& M = c.world_to_camera;
  const double x = M[0] * w[0] + M[1] * w[1] + M[2] * w[2] + M[3];
  const double y = M[4] * w[0] + M[5] * w[1] + M[6] * w[2] + M[7];
  const double z = M[8] * w[0] + M[9] * w[1] + M[10] * w[2] + M[11];
  depth = z;
  if (!(z >= c.near && z <= c.far)) return false;
  const double px = c.projection == Projection::Perspective ? x / z : x;
  const double py = c.projection == Projection::Perspective ? y / z : y;
  u = c.K[0] * px + c.K[1] * py + c.K[2];
  v = c.K[4] * py + c.K[5];
  return u >= 0 && u < c.width && v >= 0 && v < c.height;
}

ViewAngles view_angles(const ViewSpec& spec, int k, const Rng& rng) {
  Rng r = rng.child(static_cast<std::uint64_t>(k));
  ViewAngles a;
  if (spec.mode == ViewMode::Ring) {
    a.azimuth_deg = spec.azimuth_start_deg + 360.0 * k / std::max(spec.count, 1);
    if (spec.azimuth_jitter_deg > 0) a.azimuth_deg += r.uniform(-spec.azimuth_jitter_deg, spec.azimuth_jitter_deg);
  } else {
    a.azimuth_deg = r.uniform(0.0, 360.0);
  }
  a.elevation_deg =
      spec.random_elevation ? r.uniform(spec.elevation_min_deg, spec.elevation_max_deg) : spec.elevation_deg;
  return a;
}

namespace {

/// Pixel index (row * width + column, or -1 when not visible) and depth of every point, with a
/// float 3x4 projection; the loop has no branch, so it vectorizes.
template <bool Perspective>
void project_all(const float* xyz, std::size_t n, const float P[12], float near, float far, float width, float height,
                 int stride, std::int32_t* pix, float* depth) {
  for (std::size_t i = 0; i < n; ++i) {
    const float x = xyz[3 * i], y = xyz[3 * i + 1], z = xyz[3 * i + 2];
    const float a = (P[0] * x + P[1] * y) + (P[2] * z + P[3]);
    const float b = (P[4] * x + P[5] * y) + (P[6] * z + P[7]);
    const float w = (P[8] * x + P[9] * y) + (P[10] * z + P[11]);
    float u = a, v = b;
    if constexpr (Perspective) {
      const float inv = 1.0f / w;
      u = a * inv;
      v = b * inv;
    }
    const bool in = (w >= near) & (w <= far) & (u >= 0.0f) & (u < width) & (v >= 0.0f) & (v < height);
    const std::int32_t iu = in ? static_cast<std::int32_t>(u) : 0;
    const std::int32_t iv = in ? static_cast<std::int32_t>(v) : 0;
    pix[i] = in ? iv * stride + iu : -1;
    depth[i] = w;
  }
}

struct Buffers {
  std::vector<std::int32_t> pix;
  std::vector<float> depth;
  std::vector<std::uint64_t> zbuf;    // per pixel: depth bits << 32 | point index, ~0 when empty
  std::vector<std::int32_t> touched;  // pixels with a winner, in the order first reached
  std::vector<std::pair<int, int>> disc;
  std::vector<std::uint16_t> sums;  // supersampling: per output value, the sum of its samples
};

void shade_rgb(double hue, std::uint8_t rgb[3]) { hsv_to_rgb(hue, 0.85, 1.0, rgb); }

constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

/// P = diag(s, s, 1) K [R | t] (pinhole) or the same on [X_c Y_c 1] with depth from R's third row,
/// in float: the projection onto the s-times supersampled canvas.
void projection_matrix(const Camera& cam, int s, float P[12]) {
  const auto& M = cam.world_to_camera;
  const auto& K = cam.K;
  double Pd[12];
  for (int j = 0; j < 4; ++j) {
    const double xc = M[j], yc = M[4 + j], zc = M[8 + j];
    if (cam.projection == Projection::Perspective) {
      Pd[j] = s * (K[0] * xc + K[1] * yc + K[2] * zc);
      Pd[4 + j] = s * (K[4] * yc + K[5] * zc);
    } else {
      const double one = j == 3 ? 1.0 : 0.0;
      Pd[j] = s * (K[0] * xc + K[1] * yc + K[2] * one);
      Pd[4 + j] = s * (K[4] * yc + K[5] * one);
    }
    Pd[8 + j] = zc;
  }
  for (int q = 0; q < 12; ++q) P[q] = static_cast<float>(Pd[q]);
}

/// Z-buffer: the nearest point of every (supersampled) pixel of the W x H canvas wins it, each
/// point inking a disc of radius r. The buffer stays clean (every pixel empty) between calls: only
/// the pixels a call touches are visited, listed in buf.touched in the order first reached (and
/// reset by the caller), so the cost follows the points, not the image area. Each pixel holds one
/// 64-bit key: the depth's float bits (positive floats order as their bits) above the point
/// index, so "nearer wins" is one compare and one store.
void zbuffer_points(Buffers& buf, std::size_t n, int W, int H, int r) {
  const std::size_t area = static_cast<std::size_t>(W) * H;
  if (buf.zbuf.size() < area) buf.zbuf.assign(area, kEmpty);
  buf.disc.clear();
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx)
      if (dx * dx + dy * dy <= r * r) buf.disc.emplace_back(dx, dy);
  std::uint64_t* zbuf = buf.zbuf.data();
  // Branch-free: the minimum is stored unconditionally, and a pixel's index is always written to
  // the touched list but only kept (count advanced) the first time the pixel is reached.
  buf.touched.resize(std::min(area, n * buf.disc.size()) + 1);
  std::int32_t* touched = buf.touched.data();
  std::size_t count = 0;
  auto offer = [&](std::size_t q, std::uint64_t key) {
    const std::uint64_t old = zbuf[q];
    touched[count] = static_cast<std::int32_t>(q);
    count += old == kEmpty;
    zbuf[q] = key < old ? key : old;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t p = buf.pix[i];
    if (p < 0) continue;
    std::uint32_t bits;
    std::memcpy(&bits, &buf.depth[i], 4);  // depth >= near > 0
    const std::uint64_t key = (static_cast<std::uint64_t>(bits) << 32) | static_cast<std::uint32_t>(i);
    if (r == 0) {
      offer(static_cast<std::size_t>(p), key);
      continue;
    }
    const int cx = p % W, cy = p / W;
    for (const auto& [dx, dy] : buf.disc) {
      const int x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= W || y >= H) continue;
      offer(static_cast<std::size_t>(y) * W + x, key);
    }
  }
  buf.touched.resize(count);
}

/// The color of a z-buffer pixel from its winning point, by the shading: white, depth (nearer
/// brighter, over the drawn depth range), height (hue over the cloud's height range) or map.
class Shader {
 public:
  Shader(const SplatOptions& o, const PointCloud& cloud, const Buffers& buf) : o_(o), cloud_(cloud), buf_(buf) {
    dmin_ = std::numeric_limits<float>::infinity(), dmax_ = -dmin_;
    if (o.shading == Shading::Depth)
      for (const std::int32_t q : buf.touched) {
        dmin_ = std::min(dmin_, depth_of(q));
        dmax_ = std::max(dmax_, depth_of(q));
      }
    up_ = o.up == UpAxis::Y ? 1 : 2;
    hmin_ = std::numeric_limits<float>::infinity(), hmax_ = -hmin_;
    const std::size_t n = cloud.size();
    if (o.shading == Shading::Height)
      for (std::size_t i = 0; i < n; ++i) {
        hmin_ = std::min(hmin_, cloud.xyz[3 * i + up_]);
        hmax_ = std::max(hmax_, cloud.xyz[3 * i + up_]);
      }
    have_maps_ = cloud.map_ids.size() == n;
    if (o.shading == Shading::MapIndex)
      for (int k = 0; k < 256; ++k) shade_rgb(std::fmod(0.08 + 0.61803398875 * k, 1.0), palette_[k]);
  }

  void operator()(std::int32_t q, std::uint8_t* dst) const {
    const std::size_t w = static_cast<std::size_t>(buf_.zbuf[q] & 0xffffffffu);
    switch (o_.shading) {
      case Shading::White:
        dst[0] = 255;
        break;
      case Shading::Depth: {
        const float t = dmax_ > dmin_ ? (depth_of(q) - dmin_) / (dmax_ - dmin_) : 0.0f;
        dst[0] = static_cast<std::uint8_t>(255.5f - 191.0f * t);
        break;
      }
      case Shading::Height: {
        const float h = cloud_.xyz[3 * w + up_];
        const double t = hmax_ > hmin_ ? (h - hmin_) / (hmax_ - hmin_) : 0.5;
        shade_rgb(0.66 * (1.0 - t), dst);
        break;
      }
      case Shading::MapIndex:
        if (have_maps_) {
          const std::uint8_t* c = palette_[cloud_.map_ids[w]];
          dst[0] = c[0];
          dst[1] = c[1];
          dst[2] = c[2];
        } else {
          dst[0] = dst[1] = dst[2] = 200;
        }
        break;
    }
  }

 private:
  float depth_of(std::int32_t q) const {
    const std::uint32_t bits = static_cast<std::uint32_t>(buf_.zbuf[q] >> 32);
    float d;
    std::memcpy(&d, &bits, 4);
    return d;
  }

  const SplatOptions& o_;
  const PointCloud& cloud_;
  const Buffers& buf_;
  float dmin_, dmax_, hmin_, hmax_;
  int up_ = 1;
  bool have_maps_ = false;
  std::uint8_t palette_[256][3];
};

/// Writes the touched pixels' colors into `out`: directly, or supersampled (the s x s samples of
/// each output pixel summed, then averaged, rounding up so a pixel with any drawn sample stays inked).
void resolve(Buffers& buf, const Shader& shade, int s, int W, Image& out) {
  const int channels = out.channels;
  std::uint8_t* px = out.pixels.data();
  if (s == 1) {
    for (const std::int32_t q : buf.touched) shade(q, px + static_cast<std::size_t>(q) * channels);
    return;
  }
  const std::size_t out_values = static_cast<std::size_t>(out.width) * out.height * channels;
  buf.sums.assign(out_values, 0);
  // The first value of the output pixel that sample pixel q falls in.
  auto output_at = [&](std::int32_t q) {
    return (static_cast<std::size_t>(q / W / s) * out.width + static_cast<std::size_t>(q % W / s)) * channels;
  };
  std::uint8_t rgb[3] = {0, 0, 0};
  for (const std::int32_t q : buf.touched) {
    shade(q, rgb);
    const std::size_t at = output_at(q);
    for (int c = 0; c < channels; ++c) buf.sums[at + c] = static_cast<std::uint16_t>(buf.sums[at + c] + rgb[c]);
  }
  const int ss = s * s;
  for (const std::int32_t q : buf.touched) {
    const std::size_t at = output_at(q);
    for (int c = 0; c < channels; ++c) px[at + c] = static_cast<std::uint8_t>((buf.sums[at + c] + ss - 1) / ss);
  }
}

}  // namespace

namespace {
void render_points_impl(const PointCloud& cloud, const Camera& cam, const SplatOptions& o, Image& out,
                        LabelMap* labels);
}  // namespace

void render_points(const PointCloud& cloud, const Camera& cam, const SplatOptions& o, Image& out) {
  render_points_impl(cloud, cam, o, out, nullptr);
}

void render_points(const PointCloud& cloud, const Camera& cam, const SplatOptions& o, Image& out, LabelMap& labels) {
  if (cloud.part_ids.size() != cloud.size()) throw_runtime("render_points: the cloud has no part ids");
  render_points_impl(cloud, cam, o, out, &labels);
}

namespace {
void render_points_impl(const PointCloud& cloud, const Camera& cam, const SplatOptions& o, Image& out,
                        LabelMap* labels) {
  check_image_size(cam.width, cam.height, "camera image");
  const int s = o.supersample;
  if (s < 1 || s > 4) throw_bad_input("supersample must be in [1, 4] (got " + std::to_string(s) + ")");
  if (o.radius < 0 || o.radius > 64) throw_bad_input("splat radius must be in [0, 64] px");
  const int W = cam.width * s, H = cam.height * s;
  const int channels = (o.shading == Shading::Height || o.shading == Shading::MapIndex) ? 3 : 1;
  if (out.width != cam.width || out.height != cam.height || out.channels != channels)
    out = Image(cam.width, cam.height, channels, 0);
  else
    std::fill(out.pixels.begin(), out.pixels.end(), std::uint8_t{0});

  // Stages: project every point, z-buffer the supersampled canvas, shade the winners, resolve.
  float P[12];
  projection_matrix(cam, s, P);
  const std::size_t n = cloud.size();
  thread_local Buffers buf;
  buf.pix.resize(n);
  buf.depth.resize(n);
  if (cam.projection == Projection::Perspective)
    project_all<true>(cloud.xyz.data(), n, P, static_cast<float>(cam.near), static_cast<float>(cam.far),
                      static_cast<float>(W), static_cast<float>(H), W, buf.pix.data(), buf.depth.data());
  else
    project_all<false>(cloud.xyz.data(), n, P, static_cast<float>(cam.near), static_cast<float>(cam.far),
                       static_cast<float>(W), static_cast<float>(H), W, buf.pix.data(), buf.depth.data());

  // The common case: white dots, one pixel each, no supersampling: no z-buffer needed.
  if (o.shading == Shading::White && o.radius == 0 && s == 1 && !labels) {
    std::uint8_t* px = out.pixels.data();
    for (std::size_t i = 0; i < n; ++i)
      if (buf.pix[i] >= 0) px[buf.pix[i]] = 255;
    return;
  }
  zbuffer_points(buf, n, W, H, o.radius * s);
  resolve(buf, Shader(o, cloud, buf), s, W, out);
  if (labels) {
    // Per output pixel the nearest sample (the smallest depth bits: depths are positive, so
    // their bits order as the floats do; one point wins a tie), then its point's part.
    labels->reset(cam.width, cam.height);
    thread_local std::vector<std::uint64_t> nearest;
    nearest.assign(static_cast<std::size_t>(cam.width) * cam.height, kEmpty);
    for (const std::int32_t q : buf.touched) {
      const std::size_t at = static_cast<std::size_t>(q / W / s) * cam.width + static_cast<std::size_t>(q % W / s);
      nearest[at] = std::min(nearest[at], buf.zbuf[q]);
    }
    for (std::size_t i = 0; i < nearest.size(); ++i)
      if (nearest[i] != kEmpty)
        labels->values[i] = static_cast<std::uint16_t>(cloud.part_ids[nearest[i] & 0xffffffffu] + 1);
  }
  for (const std::int32_t q : buf.touched) buf.zbuf[q] = kEmpty;
}
}  // namespace

std::array<double, 3> parse_vec3(const std::string& text, const std::string& what) {
  std::array<double, 3> v{};
  std::stringstream in(text);
  std::string part;
  int k = 0;
  while (std::getline(in, part, ',')) {
    char* end = nullptr;
    const double x = std::strtod(part.c_str(), &end);
    const char* tail = end;
    const bool blank_tail = tail && std::all_of(tail, part.c_str() + part.size(), [](char ch) { return ch == ' '; });
    if (k >= 3 || end == part.c_str() || !blank_tail || !std::isfinite(x))
      throw_bad_input(what + " must be three finite numbers x,y,z (got '" + text + "')");
    v[static_cast<std::size_t>(k++)] = x;
  }
  if (k != 3) throw_bad_input(what + " must be three finite numbers x,y,z (got '" + text + "')");
  return v;
}

}  // namespace fdsl
