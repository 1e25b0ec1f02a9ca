// The registry: an explicit table from family name to parameter table and factory.
#include "fdsl/core/error.h"
#include "fdsl/generators/fractaldb.h"
#include "fdsl/generators/generator.h"
#include "fdsl/generators/ifs_sigma.h"
#include "fdsl/generators/one_frac.h"
#include "fdsl/generators/rcdb.h"
#include "fdsl/generators/visual_atom.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/generators/vg_fractal.h"
#include "fdsl/io/cloud_formats.h"

namespace fdsl {

const ParamTable& dataset_params() {
  static const ParamTable table = {
      string_param("generator", "", "the formula family (`fdsl list` shows them)"),
      string_param("name", "", "a name for the dataset (written to the manifest and preview titles)"),
      int_param("seed", 0, 0, 9007199254740991LL, "dataset seed: every sample is a function of (seed, class, instance)"),
      int_param("classes", 0, 0, 100000000, "number of classes (0: the recipe's own count)"),
      int_param("instances", 0, 0, 100000000, "instances per class (0: the recipe's own count)"),
      int_param("size", 256, 8, kMaxImageSide, "image width and height in pixels"),
      enum_param("channels", "auto", {"auto", "1", "3"},
                 "output channels: 1 gray, 3 RGB, auto (gray unless the render is colour)"),
      enum_param("png_encoder", "libdeflate", {"libdeflate", "libpng"}, "PNG encoder (same pixels; speed differs)"),
      int_param("png_level", 2, 0, 12, "PNG deflate level (libpng: at most 9)"),
      enum_param("output_format", "folder", {"folder", "tar"},
                 "folder: ImageFolder PNGs, one folder per class; tar: WebDataset shards with _info.json (timm)"),
      int_param("shard_samples", 1000, 1, 1000000000, "tar: samples per shard (the last shard may hold fewer)"),
      int_param("shard_bytes", 0, 0, 1099511627776LL,
                "tar: target bytes per shard instead (0: off); samples per shard fixed from the mean size of 64 "
                "samples spread over the dataset, so every machine cuts the same shards"),
      string_param("shard_prefix", "train", "tar: shard names {shard_prefix}-{shard:06d}.tar; the split name in _info.json"),
      bool_param("shuffle", false, "tar: shuffle the sample order across shards (a fixed permutation keyed by seed)"),
      enum_param("cloud_format", "ply", cloud_format_names(),
                 "point-cloud files: ply (binary), ply_ascii, pcd (binary), pcd_ascii, npy, or hdf5 (ModelNet40 layout)"),
      int_param("h5_clouds_per_file", 2048, 1, 1000000, "hdf5: clouds per file (ModelNet40's files hold 2048)"),
      bool_param("h5_shuffle", true,
                 "hdf5: spread the clouds over the files in a seeded random order (PointNet-style loaders read "
                 "batches from one file at a time); false: class by class"),
  };
  return table;
}

int output_channels(const Params& params) {
  const std::string& c = params.get_string("channels");
  return c == "auto" ? 0 : std::stoi(c);
}

const std::vector<GeneratorInfo>& generator_registry() {
  static const std::vector<GeneratorInfo> registry = {
      {"fractaldb", "FractalDB 2D IFS categories (search or official CSVs), weight x patch x flip instances",
       &fractaldb_params(), &make_fractaldb},
      {"ifs_sigma", "Anderson & Farrell sigma-factor fractals with colour, backgrounds and augmentation",
       &ifs_sigma_params(), &make_ifs_sigma},
      {"one_frac", "1p-frac: one sigma-factor fractal perturbed into classes", &one_frac_params(), &make_one_frac},
      {"visual_atom", "VisualAtom: Perlin-perturbed contours with two sine waves, faithful or the official images",
       &visual_atom_params(), &make_visual_atom},
      {"rcdb", "RCDB: radial contours perturbed by Perlin noise, faithful or the official images", &rcdb_params(),
       &make_rcdb},
      {"pc_fractal", "PC-FractalDB 3D IFS point clouds: variance search or CSVs; FractalNoiseMix, MV-FractalDB or resampled instances",
       &pc_fractal_params(), &make_pc_fractal},
      {"pc_scenes", "PC-FractalDB scenes for 3D detection: placed fractal objects, per-point ids, oriented boxes",
       &pc_scenes_params(), &make_pc_scenes},
      {"vg_fractal", "Aligned images and clouds: PC-FractalDB clouds seen by saved cameras (VG-FractalDB / FSVGP, "
                     "MV-FractalDB views, ExFractalDB random views)",
       &vg_fractal_params(), &make_vg_fractal},
  };
  return registry;
}

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
