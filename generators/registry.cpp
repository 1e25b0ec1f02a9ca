// The registry: an explicit table from family name to parameter table and factory.
#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/generators/dead_leaves.h"
#include "fdsl/generators/fractaldb.h"
#include "fdsl/generators/generator.h"
#include "fdsl/generators/ifs_sigma.h"
#include "fdsl/generators/moire.h"
#include "fdsl/generators/one_frac.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/generators/pc_scenes.h"
#include "fdsl/generators/rcdb.h"
#include "fdsl/generators/segrcdb.h"
#include "fdsl/generators/spectral_noise.h"
#include "fdsl/generators/vg_fractal.h"
#include "fdsl/generators/visual_atom.h"

namespace fdsl {

int split_index(const Params& params) {
  if (!params.has("split")) return 0;
  const std::string& s = params.get_string("split");
  return s == "val" ? 1 : s == "test" ? 2 : 0;
}

std::uint64_t sample_seed(const Params& params) {
  const auto seed = static_cast<std::uint64_t>(params.get_int("seed"));
  const int split = split_index(params);
  return split == 0
             ? seed
             : detail::mix64(seed ^ (0x53504c4954ULL + static_cast<std::uint64_t>(split) * 0x9e3779b97f4a7c15ULL));
}

std::uint64_t redraw_seed(std::uint64_t seed, std::uint64_t draw) {
  if (draw == 0) return seed;
  return detail::mix64(detail::mix64(seed ^ 0x52454452415753ULL) + draw * 0x9e3779b97f4a7c15ULL);
}

int output_channels(const Params& params) {
  const std::string& c = params.get_string("channels");
  return c == "auto" ? 0 : std::stoi(c);
}

const std::vector<GeneratorInfo>& generator_registry() {
  static const std::vector<GeneratorInfo> registry = {
      {"fractaldb", "FractalDB 2D IFS categories (search or official CSVs), weight x patch x flip instances",
       &fractaldb_params(), &make_fractaldb, 0, 0,
       "classes 0: every category of the categories source (official: 1000); instances 0: 25 weight rows x "
       "patch_draws x flips (1000)"},
      {"ifs_sigma", "Anderson & Farrell sigma-factor fractals with color, backgrounds and augmentation",
       &ifs_sigma_params(), &make_ifs_sigma, 1000, 100, "", true},
      {"one_frac", "1p-frac: one sigma-factor fractal perturbed into classes", &one_frac_params(), &make_one_frac, 1000,
       1, ""},
      {"visual_atom", "VisualAtom: Perlin-perturbed contours with two sine waves, faithful or the official images",
       &visual_atom_params(), &make_visual_atom, 1000, 1000, ""},
      {"rcdb", "RCDB: radial contours perturbed by Perlin noise, faithful or the official images", &rcdb_params(),
       &make_rcdb, 1000, 1000, ""},
      {"pc_fractal",
       "PC-FractalDB 3D IFS point clouds: variance search or CSVs; FractalNoiseMix, MV-FractalDB or resampled "
       "instances",
       &pc_fractal_family_params(), &make_pc_fractal, 0, 1000,
       "classes 0: every category of the categories folder or table (a search needs a count); instances 0: 1000, "
       "145 with instance_mode mv_weights"},
      {"pc_scenes", "PC-FractalDB scenes for 3D detection: placed fractal objects, per-point ids, oriented boxes",
       &pc_scenes_params(), &make_pc_scenes, 1, 10000,
       "one class of scenes; classes counts the object categories; object_instances 0: the instance mode's count"},
      {"vg_fractal",
       "Aligned images and clouds: PC-FractalDB clouds seen by saved cameras (VG-FractalDB / FSVGP, "
       "MV-FractalDB views, ExFractalDB random views)",
       &vg_fractal_params(), &make_vg_fractal, 0, 1000,
       "as pc_fractal: classes 0 takes every category of the source; instances 0: 1000 (145 with mv_weights)"},
      {"spectral_noise",
       "Spectral noise (Learning to See by Looking at Noise): random phase, amplitude 1/(|fx|^a + |fy|^b), palette "
       "colours",
       &spectral_noise_params(), &make_spectral_noise, 1, 105000,
       "one class (the paper's unlabelled set; classes K split [slope_min, slope_max] into K bins); instances 0: the "
       "small-scale set's 105,000"},
      {"dead_leaves",
       "Dead leaves (Learning to See by Looking at Noise): occluding shapes, power-law radii, flat or textured",
       &dead_leaves_params(), &make_dead_leaves, 1, 105000,
       "one class (the paper's unlabelled set; classes K split [sigma_min, sigma_max] into K bins); instances 0: the "
       "small-scale set's 105,000",
       true},
      {"moire", "Moire (MoireDB): products of line and circle gratings whose beat fringes interfere, gray or colour",
       &moire_params(), &make_moire, 1, 10000,
       "one class of mixing images (classes K split [period_min, period_max] into K bins); instances 0: 10,000"},
      {"segrcdb",
       "SegRCDB: images of RCDB contour stacks with semantic masks (M1/M2/M3), faithful or the official images",
       &segrcdb_params(), &make_segrcdb, 1, 20000,
       "one class of images (the masks' categories are mask_classes); instances 0: the published 20,000", true},
  };
  return registry;
}

std::int64_t default_classes(const std::string& name) { return find_generator(name).classes; }
std::int64_t default_instances(const std::string& name) { return find_generator(name).instances; }

const GeneratorInfo& find_generator(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& g : generator_registry()) {
    if (g.name == name) return g;
    names.push_back(g.name);
  }
  std::string hint = closest_name(name, names);
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  throw_bad_input("unknown generator '" + name + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                  "; available: " + all);
}

}  // namespace fdsl
