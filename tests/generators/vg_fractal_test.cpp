// vg_fractal: the recipes (VG-FractalDB, MV-FractalDB, ExFractalDB), the clouds equal to
// pc_fractal's, determinism across threads and runs, and the CLI's errors for bad cameras.
#include "fdsl/generators/vg_fractal.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "fdsl/dataset/spec.h"
#include "fdsl/render/projection.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

DatasetSpec spec_of(const std::string& yaml, int threads = 1) {
  SpecOptions o;
  o.threads = threads;
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), o, fs::temp_directory_path());
}

TEST(VgFractal, RecipesLoadAsPublished) {
  SpecOptions small;
  small.overrides = {"classes=3"};
  const DatasetSpec vg = load_dataset_spec(test::source_path("configs/vg-fractaldb-1k.yaml").string(), small);
  EXPECT_EQ(vg.generator->family(), "vg_fractal");
  EXPECT_EQ(vg.generator->instances_per_class(), 1000);
  const Sample pair = vg.generator->make(2, 999);
  EXPECT_EQ(pair.name, "000002/000002_0999");
  EXPECT_EQ(pair.cloud.size(), 8192u);
  EXPECT_EQ(pair.image.width, 224);
  EXPECT_EQ(pair.image.channels, 1);
  EXPECT_TRUE(pair.views.empty());
  EXPECT_EQ(pair.meta_ext, "camera.json");
  ASSERT_EQ(pair.meta["cameras"].size(), 1u);
  EXPECT_EQ(pair.meta["cameras"][0]["fov_deg"], 45.0);

  const DatasetSpec mv = load_dataset_spec(test::source_path("configs/mv-fractaldb.yaml").string(), small);
  EXPECT_EQ(mv.generator->instances_per_class(), 145);
  const Sample views = mv.generator->make(1, 144);
  EXPECT_TRUE(views.cloud.empty());
  EXPECT_TRUE(views.image.empty());
  ASSERT_EQ(views.views.size(), 12u);
  EXPECT_EQ(views.view_names[0], "images/00001/00001_00144_000");
  EXPECT_EQ(views.view_names[11], "images/00001/00001_00144_011");
  for (int k = 0; k < 12; ++k) {
    const double az = views.meta["cameras"][k]["azimuth_deg"];
    EXPECT_NEAR(az, 30.0 + 30.0 * k, 3.0);
    EXPECT_EQ(views.views[static_cast<std::size_t>(k)].width, 224);
  }

  const DatasetSpec ex = load_dataset_spec(test::source_path("configs/exfractaldb-1k.yaml").string(), small);
  const Sample e = ex.generator->make(0, 5);
  ASSERT_EQ(e.views.size(), 1u);
  EXPECT_EQ(e.view_names[0], "images/00000/00000_00005_000");
  const double el = e.meta["cameras"][0]["elevation_deg"];
  EXPECT_GE(el, -80.0);
  EXPECT_LE(el, 80.0);
}

TEST(VgFractal, CloudsAreThePcFractalClouds) {
  const std::string common = "classes: 3\ninstances: 4\npoints: 1500\n";
  const DatasetSpec pc = spec_of("generator: pc_fractal\n" + common);
  const DatasetSpec vg = spec_of("generator: vg_fractal\nsize: 32\n" + common);
  for (std::int64_t c = 0; c < 3; ++c)
    for (std::int64_t i = 0; i < 4; ++i)
      EXPECT_EQ(pc.generator->make(c, i).cloud.xyz, vg.generator->make(c, i).cloud.xyz);
}

TEST(VgFractal, SamplesDoNotDependOnThreadsOrOrder) {
  const std::string yaml =
      "generator: vg_fractal\nclasses: 3\ninstances: 5\nsize: 40\npoints: 1200\nviews: 3\n"
      "view_mode: random\nelevation_mode: random\nshading: map\nsupersample: 2\n";
  const DatasetSpec a = spec_of(yaml, 1), b = spec_of(yaml, 2);
  std::vector<Sample> ranged;
  a.generator->make_range(1, 0, 5, [&](Sample&& s) { ranged.push_back(std::move(s)); });
  for (std::int64_t i = 4; i >= 0; --i) {
    const Sample x = b.generator->make(1, i);
    const Sample& y = ranged[static_cast<std::size_t>(i)];
    ASSERT_EQ(x.views.size(), 3u);
    for (int k = 0; k < 3; ++k) EXPECT_EQ(x.views[k].pixels, y.views[k].pixels);
    EXPECT_EQ(x.meta, y.meta);
    EXPECT_EQ(x.cloud.xyz, y.cloud.xyz);
  }
  // Another seed moves the cameras.
  const DatasetSpec c = spec_of(yaml + "seed: 9\n");
  EXPECT_NE(c.generator->make(1, 0).meta["cameras"][0]["azimuth_deg"],
            a.generator->make(1, 0).meta["cameras"][0]["azimuth_deg"]);
}

TEST(VgFractal, SavedCamerasReproduceTheImages) {
  const DatasetSpec s = spec_of(
      "generator: vg_fractal\nclasses: 2\ninstances: 2\nsize: 64\npoints: 3000\nviews: 2\n"
      "projection: orthographic\nsplat_radius: 1\nshading: depth\n");
  const Sample x = s.generator->make(1, 1);
  for (int k = 0; k < 2; ++k) {
    const Camera cam = camera_from_json(nlohmann::json::parse(x.meta["cameras"][k].dump()));
    SplatOptions o;
    o.radius = 1;
    o.shading = Shading::Depth;
    Image again;
    render_points(x.cloud, cam, o, again);
    EXPECT_EQ(again.pixels, x.views[static_cast<std::size_t>(k)].pixels);
  }
}

TEST(VgFractal, CliRefusesBadCamerasBeforeWritingAnything) {
  test::TempDir dir;
  const std::string base = "generator: vg_fractal\nclasses: 2\ninstances: 1\nsize: 32\npoints: 400\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"fov: 180\n", "fov"},
      {"views: 0\n", "views"},
      {"size: 0\n", "size"},
      {"camera_distance: 1\n", "inside the cloud"},
  };
  for (const auto& [extra, word] : bad) {
    SCOPED_TRACE(extra);
    test::write_text(dir / "bad.yaml", base + extra);
    const auto r = test::run_cli("generate " + (dir / "bad.yaml").string() + " -o " + (dir / "out").string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find(word), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out" / "manifest.json"));
  }
}

}  // namespace
}  // namespace fdsl
