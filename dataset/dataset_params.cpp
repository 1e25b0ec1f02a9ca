// The keys every dataset has: the family, seed, counts, size, and the output (PNG, folder or tar
// shards, point-cloud format), declared once with their ranges and relations.
#include "fdsl/dataset/spec.h"
#include "fdsl/io/cloud_formats.h"

namespace fdsl {

const ParamTable& dataset_params() {
  static const ParamTable table = {
      string_param("generator", "", "the formula family (`fdsl list` shows them)"),
      string_param("name", "", "a name for the dataset (written to the manifest and preview titles)"),
      int_param("seed", 0, 0, 9007199254740991LL,
                "dataset seed: every sample is a function of (seed, class, instance)"),
      enum_param("split", "train", {"train", "val", "test"},
                 "which split the samples are: the same categories, instances from streams keyed by the split "
                 "(train is the recipe's own, the official data in compat modes)"),
      string_param("splits", "",
                   "the splits one dataset folder holds, e.g. train,val or train,val,test: folders train/ val/ side by "
                   "side, tar shards {split}-NNNNNN.tar, HDF5 ply_data_{split}N.h5 (empty: just `split`)"),
      int_param("val_instances", 0, 0, 100000000,
                "instances per class of the val split in a dataset of several splits (0: a tenth of instances, at "
                "least 1)"),
      int_param("test_instances", 0, 0, 100000000,
                "instances per class of the test split in a dataset of several splits (0: a tenth of instances, at "
                "least 1)"),
      int_param("classes", 0, 0, 100000000, "number of classes (0: the recipe's own count)"),
      int_param("instances", 0, 0, 100000000, "instances per class (0: the recipe's own count)"),
      int_param("size", 256, 8, kMaxImageSide, "image width and height in pixels"),
      enum_param("channels", "auto", {"auto", "1", "3"},
                 "output channels: 1 gray, 3 RGB, auto (gray unless the render is color)"),
      enum_param("png_encoder", "libdeflate", {"libdeflate", "libpng", "isal", "runs"},
                 "PNG encoder (same pixels; speed and size differ; runs: fdsl's own run-matching deflate, levels 0-2, "
                 "the same bytes on every CPU, 2-4x libdeflate's speed, smaller on gray fractals and flat shapes, "
                 "larger on colour gradients: the fractal recipes' configs name it; isal: Intel ISA-L, levels 0-3)"),
      int_param("png_level", 2, 0, 12, "PNG deflate level")
          .limit_when("png_encoder", "libpng", 9)
          .limit_when("png_encoder", "isal", 3)
          .limit_when("png_encoder", "runs", 2),
      enum_param("png_filter", "none", {"none", "sub", "up"},
                 "PNG row filter (same pixels): none suits fractal and contour renders; sub or up make colour noise "
                 "(spectral_noise) ~35% smaller, and faster with libdeflate level 1 or isal"),
      enum_param("output_format", "folder", {"folder", "tar"},
                 "folder: ImageFolder PNGs, one folder per class; tar: WebDataset shards with _info.json (timm)"),
      int_param("shard_samples", 1000, 1, 1000000000, "samples per shard (the last shard may hold fewer)")
          .when("output_format", {"tar"}),
      int_param("shard_bytes", 0, 0, 1099511627776LL,
                "target bytes per shard instead (0: off); samples per shard fixed from the mean size of 64 samples "
                "spread over the dataset, so every machine cuts the same shards")
          .when("output_format", {"tar"}),
      string_param("shard_prefix", "",
                   "shard names {shard_prefix}-{shard:06d}.tar; the split name in _info.json (empty: the split's name)")
          .when("output_format", {"tar"}),
      bool_param("shuffle", false, "shuffle the sample order across shards (a fixed permutation keyed by seed)")
          .when("output_format", {"tar"}),
      enum_param(
          "cloud_format", "ply", cloud_format_names(),
          "point-cloud files: ply (binary), ply_ascii, pcd (binary), pcd_ascii, npy, or hdf5 (ModelNet40 layout)"),
      int_param("h5_clouds_per_file", 2048, 1, 1000000, "clouds per file (ModelNet40's files hold 2048)")
          .when("cloud_format", {"hdf5"}),
      bool_param("h5_shuffle", true,
                 "spread the clouds over the files in a seeded random order (PointNet-style loaders read batches "
                 "from one file at a time); false: class by class")
          .when("cloud_format", {"hdf5"}),
      string_param("h5_list_prefix", "",
                   "what precedes each file name in {split}_files.txt (empty: this folder's name and a slash, so "
                   "the lists open from its parent folder; PointNet: data/modelnet40_ply_hdf5_2048/)")
          .when("cloud_format", {"hdf5"}),
      bool_param("masks", false,
                 "dense labels beside each image: a class mask (mask category + 1 per pixel, 0 background; 16-bit PNG "
                 "above 255 categories) and an instance mask (objects 1, 2, ... in drawing order), COCO instance "
                 "annotations in a folder dataset (families with objects: ifs_sigma, dead_leaves)"),
      bool_param("coco", true,
                 "with masks, also write COCO instance annotations, annotations/instances_{split}.json, built from "
                 "the instance masks when the run ends (false: the class and instance masks only)"),
      bool_param("card", true,
                 "write a dataset card with the manifest: README.md (recipe, counts, statistics, how to load and "
                 "regenerate it), card-preview.jpg and card-stats.jpg"),
      float_param("min_ink", 0, 0, 1,
                  "guard: an image (or any view) with a smaller ink fraction (pixels unlike the border's most "
                  "common value, as fdsl stats measures it; over a plasma background, the fractals' own) is drawn "
                  "again from the sample's next streams (0: off)"),
      float_param("max_ink", 1, 0, 1,
                  "guard: an image (or any view) with a larger ink fraction is drawn again (1: off)"),
      float_param("min_flatness", 0, 0, 1,
                  "guard: a point cloud whose PCA eigenvalue ratio l3/l1 is below this (0 for a plane or a line, 1 "
                  "for a ball) is drawn again (0: off)"),
      int_param("guard_draws", 8, 1, 64,
                "draws a guard tries per sample, the first included; when none passes, the first is kept and the "
                "sample is listed as failing in the manifest and the run's summary"),
  };
  return table;
}

}  // namespace fdsl
