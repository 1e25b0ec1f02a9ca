#include "fdsl/render/projection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "fdsl/core/error.h"
#include "fdsl/core/ifs.h"
#include "fdsl/render/chaos_game3d.h"

namespace fdsl {
namespace {

PointCloud random_cloud(std::size_t n, std::uint64_t seed, double scale = 1.0) {
  PointCloud c;
  Rng rng(seed, 0, 0, Purpose::Orbit);
  for (std::size_t i = 0; i < 3 * n; ++i) c.xyz.push_back(static_cast<float>(rng.uniform(-scale, scale)));
  return c;
}

bool inked(const Image& im, int x, int y) {
  for (int c = 0; c < im.channels; ++c)
    if (im.at(x, y, c)) return true;
  return false;
}

TEST(Camera, OrbitCameraIsARigidMotionLookingAtTheTarget) {
  for (UpAxis up : {UpAxis::Y, UpAxis::Z}) {
    CameraRig rig;
    rig.up = up;
    rig.target = {0.3, -0.2, 0.1};
    rig.distance = 5;
    const Camera cam = orbit_camera(rig, 75.0, 20.0);
    const auto& M = cam.world_to_camera;
    // Rows of R orthonormal, det +1.
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        double d = 0;
        for (int k = 0; k < 3; ++k) d += M[4 * i + k] * M[4 * j + k];
        EXPECT_NEAR(d, i == j ? 1.0 : 0.0, 1e-12);
      }
    const double det =
        M[0] * (M[5] * M[10] - M[6] * M[9]) - M[1] * (M[4] * M[10] - M[6] * M[8]) + M[2] * (M[4] * M[9] - M[5] * M[8]);
    EXPECT_NEAR(det, 1.0, 1e-12);
    // The eye maps to the camera origin; the target to the optical axis at the distance.
    double u, v, depth;
    const double target[3] = {rig.target[0], rig.target[1], rig.target[2]};
    ASSERT_TRUE(project_point(cam, target, u, v, depth));
    EXPECT_NEAR(depth, 5.0, 1e-12);
    EXPECT_NEAR(u, 112.0, 1e-9);
    EXPECT_NEAR(v, 112.0, 1e-9);
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(M[4 * i] * cam.eye[0] + M[4 * i + 1] * cam.eye[1] + M[4 * i + 2] * cam.eye[2] + M[4 * i + 3], 0.0,
                  1e-12);
    // The elevation raises the eye along the up axis; a point above the target is above the centre.
    const int a = up == UpAxis::Y ? 1 : 2;
    EXPECT_NEAR(cam.eye[a] - rig.target[a], 5.0 * std::sin(20.0 * M_PI / 180.0), 1e-12);
    double above[3] = {target[0], target[1], target[2]};
    above[a] += 0.5;
    ASSERT_TRUE(project_point(cam, above, u, v, depth));
    EXPECT_LT(v, 112.0);
  }
}

TEST(Camera, IntrinsicsFollowTheFieldOfViewAndExtent) {
  CameraRig rig;
  rig.width = 200;
  rig.height = 100;
  rig.fov_deg = 90;
  const Camera p = orbit_camera(rig, 0, 0);
  EXPECT_NEAR(p.K[0], 50.0, 1e-12);  // (H/2) / tan(45 deg)
  EXPECT_NEAR(p.K[4], 50.0, 1e-12);
  EXPECT_EQ(p.K[2], 100.0);
  EXPECT_EQ(p.K[5], 50.0);
  rig.projection = Projection::Orthographic;
  rig.ortho_extent = 4;
  const Camera o = orbit_camera(rig, 0, 0);
  EXPECT_NEAR(o.K[0], 25.0, 1e-12);  // 100 px across 4 units
  // Orthographic: sizes do not shrink with depth.
  const double near_pt[3] = {1, 0, 1}, far_pt[3] = {1, 0, -1};
  double u1, v1, d1, u2, v2, d2;
  ASSERT_TRUE(project_point(o, near_pt, u1, v1, d1));
  ASSERT_TRUE(project_point(o, far_pt, u2, v2, d2));
  EXPECT_NEAR(u1, u2, 1e-9);
  EXPECT_LT(d1, d2);
}

TEST(Camera, JsonRoundTrip) {
  CameraRig rig;
  rig.projection = Projection::Orthographic;
  const Camera cam = orbit_camera(rig, 33, -12);
  const Camera back = camera_from_json(nlohmann::json::parse(camera_to_json(cam).dump()));
  EXPECT_EQ(back.projection, cam.projection);
  EXPECT_EQ(back.K, cam.K);
  EXPECT_EQ(back.world_to_camera, cam.world_to_camera);
  EXPECT_THROW(camera_from_json(nlohmann::json::parse(R"({"projection":"fisheye"})")), Error);
}

TEST(Camera, BadRigsAreRefused) {
  CameraRig rig;
  EXPECT_THROW(orbit_camera(rig, 0, 90), Error);
  EXPECT_THROW(orbit_camera(rig, 0, -90), Error);
  rig.fov_deg = 180;
  EXPECT_THROW(orbit_camera(rig, 0, 0), Error);
  rig.fov_deg = 0;
  EXPECT_THROW(orbit_camera(rig, 0, 0), Error);
  rig.fov_deg = 45;
  rig.width = 0;
  EXPECT_THROW(orbit_camera(rig, 0, 0), Error);
  EXPECT_THROW(parse_vec3("1,2", "look_at"), Error);
  EXPECT_THROW(parse_vec3("1,2,x", "look_at"), Error);
  EXPECT_THROW(parse_vec3("1,2,3,4", "look_at"), Error);
  EXPECT_EQ(parse_vec3("1, -2.5,3e-1", "look_at"), (std::array<double, 3>{1, -2.5, 0.3}));
}

TEST(Views, RingStartsAtTheOffsetAndJitterStaysBounded) {
  ViewSpec spec;
  spec.count = 12;
  const Rng rng(1, 2, 3, Purpose::View);
  for (int k = 0; k < 12; ++k) EXPECT_DOUBLE_EQ(view_angles(spec, k, rng).azimuth_deg, 30.0 + 30.0 * k);
  spec.azimuth_jitter_deg = 4;
  std::set<double> seen;
  for (int k = 0; k < 12; ++k) {
    const double a = view_angles(spec, k, rng).azimuth_deg;
    EXPECT_LE(std::fabs(a - (30.0 + 30.0 * k)), 4.0);
    EXPECT_EQ(a, view_angles(spec, k, rng).azimuth_deg);  // a pure function of (spec, k, stream)
    seen.insert(a - 30.0 * k);
  }
  EXPECT_GT(seen.size(), 10u);
  spec.mode = ViewMode::Random;
  spec.random_elevation = true;
  spec.elevation_min_deg = -10;
  spec.elevation_max_deg = 50;
  for (int k = 0; k < 200; ++k) {
    const ViewAngles a = view_angles(spec, k, rng);
    EXPECT_GE(a.azimuth_deg, 0.0);
    EXPECT_LT(a.azimuth_deg, 360.0);
    EXPECT_GE(a.elevation_deg, -10.0);
    EXPECT_LE(a.elevation_deg, 50.0);
  }
}

/// Every visible point lands on ink and every inked pixel holds a point (radius 0).
void expect_aligned(const PointCloud& cloud, const Camera& cam, const SplatOptions& o) {
  Image im;
  render_points(cloud, cam, o, im);
  ASSERT_EQ(im.width, cam.width);
  ASSERT_EQ(im.height, cam.height);
  std::vector<char> hit(static_cast<std::size_t>(cam.width) * cam.height, 0);
  std::size_t visible = 0, on_ink = 0;
  for (std::size_t i = 0; i < cloud.size(); ++i) {
    const double w[3] = {cloud.xyz[3 * i], cloud.xyz[3 * i + 1], cloud.xyz[3 * i + 2]};
    double u, v, d;
    if (!project_point(cam, w, u, v, d)) continue;
    ++visible;
    const int x = static_cast<int>(u), y = static_cast<int>(v);
    on_ink += inked(im, x, y);
    hit[static_cast<std::size_t>(y) * cam.width + x] = 1;
  }
  ASSERT_GT(visible, cloud.size() / 2);
  EXPECT_GE(static_cast<double>(on_ink), 0.999 * static_cast<double>(visible));
  if (o.radius == 0) {
    std::size_t orphans = 0, ink = 0;
    for (int y = 0; y < cam.height; ++y)
      for (int x = 0; x < cam.width; ++x)
        if (inked(im, x, y)) {
          ++ink;
          orphans += !hit[static_cast<std::size_t>(y) * cam.width + x];
        }
    // Single-precision projection may move a point at a pixel edge to its neighbour.
    EXPECT_LE(orphans, ink / 500 + 1);
  }
}

TEST(RenderPoints, ProjectedPointsLandOnInkForManyCameras) {
  const PointCloud cloud = random_cloud(6000, 7);
  CameraRig rig;
  rig.width = 160;
  rig.height = 120;
  for (Projection proj : {Projection::Perspective, Projection::Orthographic})
    for (UpAxis up : {UpAxis::Y, UpAxis::Z})
      for (double az : {0.0, 47.0, 200.0})
        for (double el : {-35.0, 0.0, 60.0}) {
          rig.projection = proj;
          rig.up = up;
          const Camera cam = orbit_camera(rig, az, el);
          SplatOptions o;
          o.up = up;
          expect_aligned(cloud, cam, o);
          o.shading = Shading::Depth;
          o.supersample = 2;
          expect_aligned(cloud, cam, o);
          o.shading = Shading::Height;
          o.radius = 1;
          o.supersample = 1;
          expect_aligned(cloud, cam, o);
        }
}

TEST(RenderPoints, NearAndFarClipAndNearerPointsWin) {
  CameraRig rig;
  rig.width = rig.height = 64;
  const Camera cam = orbit_camera(rig, 0, 0);  // eye at (0, 0, 4) looking down -z
  PointCloud c;
  // Two points on the optical axis: depth 3 (z = 1) and depth 5 (z = -1); one behind the eye.
  c.xyz = {0, 0, 1, 0, 0, -1, 0, 0, 5};
  Image im;
  SplatOptions o;
  o.shading = Shading::Depth;
  render_points(c, cam, o, im);
  EXPECT_EQ(im.at(32, 32), 255);  // the nearer point, brightest
  int inked_pixels = 0;
  for (auto p : im.pixels) inked_pixels += p != 0;
  EXPECT_EQ(inked_pixels, 1);
  // A lone far point alone is drawn, too: nearest and farthest coincide.
  c.xyz = {0, 0, -1};
  render_points(c, cam, o, im);
  EXPECT_EQ(im.at(32, 32), 255);
  // Beyond far: nothing.
  rig.far = 4.5;
  render_points(c, orbit_camera(rig, 0, 0), o, im);
  for (auto p : im.pixels) EXPECT_EQ(p, 0);
}

TEST(RenderPoints, SplatRadiusDrawsADisc) {
  CameraRig rig;
  rig.width = rig.height = 64;
  const Camera cam = orbit_camera(rig, 0, 0);
  PointCloud c;
  c.xyz = {0, 0, 0};
  Image im;
  SplatOptions o;
  o.radius = 3;
  render_points(c, cam, o, im);
  int n = 0;
  for (auto p : im.pixels) n += p != 0;
  EXPECT_EQ(n, 29);  // lattice points with dx^2 + dy^2 <= 9
  EXPECT_NE(im.at(32 + 3, 32), 0);
  EXPECT_EQ(im.at(32 + 3, 32 + 1), 0);
}

TEST(RenderPoints, SupersamplingAveragesButKeepsInk) {
  const PointCloud cloud = random_cloud(3000, 9);
  CameraRig rig;
  rig.width = rig.height = 48;
  const Camera cam = orbit_camera(rig, 10, 10);
  SplatOptions o;
  o.supersample = 4;
  Image im;
  render_points(cloud, cam, o, im);
  std::set<int> values(im.pixels.begin(), im.pixels.end());
  EXPECT_GT(values.size(), 3u);  // partial coverage gives gray levels
  expect_aligned(cloud, cam, o);
}

TEST(RenderPoints, MapIndexShadingFollowsTheMaps) {
  CameraRig rig;
  rig.width = rig.height = 64;
  const Camera cam = orbit_camera(rig, 0, 0);
  PointCloud c;
  c.xyz = {-0.5f, 0, 0, 0.5f, 0, 0};
  c.map_ids = {0, 1};
  SplatOptions o;
  o.shading = Shading::MapIndex;
  Image im;
  render_points(c, cam, o, im);
  ASSERT_EQ(im.channels, 3);
  double u0, v0, u1, v1, d;
  const double p0[3] = {-0.5, 0, 0}, p1[3] = {0.5, 0, 0};
  ASSERT_TRUE(project_point(cam, p0, u0, v0, d));
  ASSERT_TRUE(project_point(cam, p1, u1, v1, d));
  const int x0 = static_cast<int>(u0), y0 = static_cast<int>(v0), x1 = static_cast<int>(u1), y1 = static_cast<int>(v1);
  bool differ = false;
  for (int k = 0; k < 3; ++k) differ = differ || im.at(x0, y0, k) != im.at(x1, y1, k);
  EXPECT_TRUE(differ);
  EXPECT_TRUE(inked(im, x0, y0));
  EXPECT_TRUE(inked(im, x1, y1));
}

TEST(ChaosGame3dMapIds, ReplayTheMapOfEveryPoint) {
  Ifs3 ifs;
  Rng g(3, 0, 0, Purpose::Category);
  for (int m = 0; m < 4; ++m) {
    AffineMap3 a;
    for (double& v : a.m) v = g.uniform(-0.6, 0.6);
    ifs.maps.push_back(a);
    ifs.probs.push_back(0.1 + 0.2 * m);
  }
  const std::int64_t n = 1003;  // not a multiple of the 8 chains
  Orbit3 orbit;
  const Rng rng(5, 1, 2, Purpose::Orbit);
  chaos_game3d(ifs, n, rng, orbit);
  std::vector<std::uint8_t> ids(static_cast<std::size_t>(n));
  chaos_game3d_map_ids(ifs, n, rng, ids.data());
  std::vector<int> counts(4, 0);
  for (std::int64_t k = 0; k < n; ++k) {
    // Point k is step k/8 + 1 of chain k % 8: its map applied to the chain's previous point.
    const double px = k >= 8 ? orbit.x[k - 8] : 0.0, py = k >= 8 ? orbit.y[k - 8] : 0.0,
                 pz = k >= 8 ? orbit.z[k - 8] : 0.0;
    const auto& c = ifs.maps[ids[static_cast<std::size_t>(k)]].m;
    EXPECT_NEAR(c[0] * px + c[1] * py + c[2] * pz + c[9], orbit.x[k], 1e-5);
    EXPECT_NEAR(c[3] * px + c[4] * py + c[5] * pz + c[10], orbit.y[k], 1e-5);
    EXPECT_NEAR(c[6] * px + c[7] * py + c[8] * pz + c[11], orbit.z[k], 1e-5);
    ++counts[ids[static_cast<std::size_t>(k)]];
  }
  for (int m = 0; m < 4; ++m) EXPECT_GT(counts[m], 0);
}

}  // namespace
}  // namespace fdsl
