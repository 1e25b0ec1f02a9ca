// Render benchmarks: the chaos game, the splat modes, and whole images in memory.
#include <cstdio>

#include "fdsl/dataset/spec.h"
#include "fdsl/generators/fractaldb.h"
#include "fdsl/io/category_csv.h"
#include "fdsl/render/chaos_game.h"
#include "fdsl/render/image_ops.h"
#include "fdsl/render/raster.h"
#include "harness.h"

namespace fdsl::bench {
namespace {

std::vector<Ifs2> official_systems(int count) {
  auto all = read_fractaldb_category_dir(official_fractaldb_dir());
  all.resize(static_cast<std::size_t>(count));
  return all;
}

// Reference figures measured on this class of machine: the sigma-factor authors' numba renderer
// about 70 images/s per core at 256 px / 100k points; the official FractalDB script 0.93 images
// written per second (bench/peers.py, 2026-12-06, Intel Xeon VM: 8 images of 362 px in 8.55 s,
// each render of 200k points, ~4.3 s, written in 4 flips). bench/peers.py measures both again.
constexpr double kNumbaImagesPerSecond = 70.0;
constexpr double kOfficialFractalDBImagesPerSecond = 0.935;

Report chaos_points() {
  const auto systems = official_systems(16);
  Orbit2 orbit;
  std::int64_t i = 0;
  auto [iters, secs] = time_loop(
      [&] {
        chaos_game(systems[i % 16], 100000, Rng(0, i, 0, Purpose::Orbit), ChaosStart::Origin, orbit);
        ++i;
      },
      default_seconds());
  Report r;
  r.items = iters * 100000.0;
  r.unit = "points";
  r.seconds = secs;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3f ns per chaos-game point", secs / r.items * 1e9);
  r.extra = buf;
  return r;
}

/// One 256x256 image, 100k points, gray: `fresh` patches with a new 3x3 mask per point (FractalDB
/// style), else one 3x3 patch per image OR-ed (sigma-factor style).
Report render_patch_256(bool fresh) {
  const auto systems = official_systems(16);
  Orbit2 orbit;
  Image img(256, 256, 1);
  std::int64_t i = 0;
  auto [iters, secs] = time_loop(
      [&] {
        chaos_game(systems[i % 16], 100000, Rng(0, i, 0, Purpose::Orbit), ChaosStart::Origin, orbit);
        std::fill(img.pixels.begin(), img.pixels.end(), 0);
        const PixelTransform t = fractaldb_transform(orbit, 256, 256, 6);
        if (fresh) {
          splat_fresh_patches(orbit, t, img, 127, Rng(0, i, 0, Purpose::Patch));
        } else {
          splat_points(orbit, t, img, 127);
          img = dilate_mask(img, 0x1ffu & (0x5au + static_cast<std::uint32_t>(i)));
        }
        ++i;
      },
      default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "images";
  r.seconds = secs;
  r.reference_rate = kNumbaImagesPerSecond;
  r.reference = "sigma-factor numba renderer, 1 core (~70/s)";
  return r;
}

/// The FractalDB-1k recipe in memory (362 px, 200k points, fresh patches, one orbit per weight
/// row shared by 10 patch draws x 4 flips), through the generator.
Report fractaldb_1k_render() {
  DatasetSpec spec = spec_from_text(
      "generator: fractaldb\ncategories: official\nclasses: 4\nsize: 362\npoints: 200000\nrender: patch\n");
  std::int64_t images = 0, cat = 0;
  auto [iters, secs] =
      time_loop([&] { spec.generator->make_range(cat++ % 4, 0, 40, [&](Sample&&) { ++images; }); }, default_seconds());
  (void)iters;
  Report r;
  r.items = static_cast<double>(images);
  r.unit = "images";
  r.seconds = secs;
  r.reference_rate = kOfficialFractalDBImagesPerSecond;
  r.reference = "official FractalDB script, 1 core (0.93 images/s, bench/peers.py)";
  return r;
}

/// The sigma-factor recipe as its authors train on it: 224 px color, plasma background, jitter,
/// random window, flips and blur, 100k points (configs/ifs-sigma.yaml), through the generator.
Report ifs_sigma_recipe() {
  DatasetSpec spec = load_recipe("ifs-sigma.yaml");
  std::int64_t i = 0;
  auto [iters, secs] = time_loop(
      [&] {
        const Sample s = spec.generator->make(i % 1000, (i / 1000) % 100);
        ++i;
      },
      default_seconds());
  Report r;
  r.items = static_cast<double>(iters);
  r.unit = "images";
  r.seconds = secs;
  r.reference_rate = 1.0 / 0.016;
  r.reference = "sigma-factor numba generator, augmented 224 px color (16 ms/image)";
  return r;
}

FDSL_BENCH("render/chaos_game_100k", chaos_points);
FDSL_BENCH("render/ifs_sigma_recipe_224px_100k", ifs_sigma_recipe);
FDSL_BENCH("render/fresh_patch_256px_100k", [] { return render_patch_256(true); });
FDSL_BENCH("render/fixed_patch_256px_100k", [] { return render_patch_256(false); });
FDSL_BENCH("render/fractaldb1k_recipe_362px_200k", fractaldb_1k_render);

}  // namespace
}  // namespace fdsl::bench
