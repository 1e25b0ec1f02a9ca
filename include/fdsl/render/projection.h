// Point clouds seen through a camera: the renderer of MV-FractalDB, ExFractalDB and FSVGP
// (VG-FractalDB) images. Software only (no OpenGL, no display): pinhole or orthographic cameras,
// 1 px or disc splats, a z-buffer, four shadings and optional supersampling.
//
// Conventions (those of OpenCV and of the saved camera JSON):
//   camera frame  x right, y down, z forward (along the viewing direction);
//   world to camera  X_c = R X_w + t, a 4x4 row-major matrix [R t; 0 0 0 1];
//   pinhole  u = fx X_c/Z_c + cx, v = fy Y_c/Z_c + cy, i.e. [u v 1]^T ~ K X_c;
//   orthographic  u = fx X_c + cx, v = fy Y_c + cy, i.e. [u v 1]^T = K [X_c Y_c 1]^T;
//   pixels  pixel (column i, row j) covers u in [i, i+1) and v in [j, j+1); row 0 on top;
//   visibility  near <= Z_c <= far and the pixel lies in the image.
// A point is drawn into pixel (floor(u), floor(v)), so projecting a cloud with its saved camera
// lands every visible point on an inked pixel.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fdsl/core/image.h"
#include "fdsl/core/label_map.h"
#include "fdsl/core/point_cloud.h"
#include "fdsl/core/rng.h"

namespace fdsl {

enum class Projection { Perspective, Orthographic };
/// Which world axis points up (the axis the view ring turns about).
enum class UpAxis { Y, Z };

/// A camera ready to project: intrinsics, extrinsics and image size.
struct Camera {
  Projection projection = Projection::Perspective;
  int width = 0;
  int height = 0;
  double near = 1.0;
  double far = 100.0;
  std::array<double, 9> K{};                 ///< row-major 3x3
  std::array<double, 16> world_to_camera{};  ///< row-major 4x4
  // How it was made (written to the JSON for people; the matrices above are what counts).
  double fov_deg = 0;       ///< pinhole: vertical field of view
  double ortho_extent = 0;  ///< orthographic: world units across the image height
  double azimuth_deg = 0;
  double elevation_deg = 0;
  double distance = 0;
  std::array<double, 3> eye{};
  std::array<double, 3> target{};
};

/// Where cameras are put and what they see: the view-independent settings.
struct CameraRig {
  Projection projection = Projection::Perspective;
  int width = 224;
  int height = 224;
  double fov_deg = 45.0;      ///< pinhole: vertical field of view, in (0, 180)
  double ortho_extent = 4.0;  ///< orthographic: world units across the image height
  double distance = 4.0;      ///< eye to target
  double near = 1.0;
  double far = 100.0;
  std::array<double, 3> target{0, 0, 0};
  UpAxis up = UpAxis::Y;
};

/// The camera of `rig` at (azimuth, elevation) in degrees about the target: azimuth turns about
/// the up axis (0: the eye on +z for up y, on +x for up z), elevation raises the eye towards up.
/// Throws Error(BadInput) for an elevation outside (-90, 90) or a degenerate rig.
Camera orbit_camera(const CameraRig& rig, double azimuth_deg, double elevation_deg);

/// The camera as saved with a sample: projection, width, height, near, far, K (3x3 rows),
/// world_to_camera (4x4 rows), and how it was placed (azimuth, elevation, distance, eye, target,
/// fov or extent).
nlohmann::ordered_json camera_to_json(const Camera& camera);
/// Reads camera_to_json's output (throws Error(BadInput) naming the missing or bad field).
Camera camera_from_json(const nlohmann::json& j);

/// Projects one world point: false when it is not visible (outside [near, far] or the image),
/// else its continuous image coordinates and depth Z_c. Double precision, for checks and tests.
bool project_point(const Camera& camera, const double world[3], double& u, double& v, double& depth);

/// How views are placed around a cloud.
enum class ViewMode {
  Ring,    ///< view k at azimuth start + 360 k / count (+ jitter): MV-FractalDB; count 1: one view
  Random,  ///< azimuth uniform in [0, 360): ExFractalDB
};

struct ViewSpec {
  ViewMode mode = ViewMode::Ring;
  int count = 1;
  double azimuth_start_deg = 30.0;
  double azimuth_jitter_deg = 0.0;  ///< ring: each view's azimuth moves by U(-jitter, jitter)
  bool random_elevation = false;    ///< false: every view at `elevation_deg`
  double elevation_deg = 0.0;
  double elevation_min_deg = -45.0;  ///< random elevation: U(min, max)
  double elevation_max_deg = 45.0;
};

struct ViewAngles {
  double azimuth_deg = 0;
  double elevation_deg = 0;
};

/// View k of `spec`, its random parts drawn from `rng` (the sample's view stream): a pure
/// function of (spec, k, rng), whatever views are drawn before it.
ViewAngles view_angles(const ViewSpec& spec, int k, const Rng& rng);

/// How a drawn point is colored.
enum class Shading {
  White,     ///< 255 on black (gray): the MV-FractalDB look
  Depth,     ///< gray, nearest 255 to farthest 64 over the image's drawn depth range
  Height,    ///< RGB, hue by the height along the up axis over the cloud's range (blue low, red high)
  MapIndex,  ///< RGB, one hue per IFS map (the cloud's map_ids; gray where it has none)
};

struct SplatOptions {
  int radius = 0;  ///< 0: one pixel per point; r: every pixel centre within r px of the point
  Shading shading = Shading::White;
  int supersample = 1;    ///< render s times larger and average s x s blocks (anti-aliasing), 1..4
  UpAxis up = UpAxis::Y;  ///< the height axis for Shading::Height
};

/// Renders `cloud` through `camera` into `out` (width x height; 1 channel for White and Depth,
/// 3 for Height and MapIndex), nearer points over farther ones. `out` is reused across calls.
void render_points(const PointCloud& cloud, const Camera& camera, const SplatOptions& options, Image& out);

/// The same render, and the cloud's per-point part ids seen through the z-buffer: `labels` gets,
/// per pixel, 1 + the part of the nearest point drawn there (with supersampling, the nearest of
/// the pixel's samples), 0 where nothing is drawn. The cloud must have part_ids.
void render_points(const PointCloud& cloud, const Camera& camera, const SplatOptions& options, Image& out,
                   LabelMap& labels);

/// Parses "x,y,z" (three finite numbers) for config keys such as look_at; throws Error(BadInput)
/// naming `what` otherwise.
std::array<double, 3> parse_vec3(const std::string& text, const std::string& what);

}  // namespace fdsl
