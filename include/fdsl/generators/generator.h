// The generator interface: a family of formula-driven samples addressed by (category, instance).
// make() is const, thread-safe and pure: everything random comes from streams keyed by
// (seed, category, instance, purpose).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fdsl/core/ifs.h"
#include "fdsl/core/image.h"
#include "fdsl/core/label_map.h"
#include "fdsl/core/params.h"
#include "fdsl/core/point_cloud.h"

namespace fdsl {

/// One generated sample.
struct Sample {
  std::int64_t category = 0;
  std::int64_t instance = 0;
  std::int64_t label = 0;            ///< the class index
  std::vector<std::int64_t> labels;  ///< multi-label target (multi-instance images); empty otherwise
  Image image;                       ///< empty for families without images
  /// Multi-view families: one image per view, view k written as view_names[k] + ".png" (paths
  /// relative to the dataset root, like `name`). Empty otherwise.
  std::vector<Image> views;
  std::vector<std::string> view_names;
  /// Dense labels (the `masks` key), as wide and high as `image`; empty unless masks are on.
  /// semantic: the mask category (MaskInfo::categories) + 1 per pixel, 0 = background;
  /// instances: 1, 2, ... per object in drawing order (occlusion resolved: a pixel belongs to the
  /// object drawn last over it), 0 = background.
  LabelMap semantic;
  LabelMap instances;
  PointCloud cloud;               ///< empty for families without point clouds
  nlohmann::ordered_json meta;    ///< extra per-sample data (cameras, boxes), written as JSON
  std::string meta_ext = "json";  ///< the meta file's extension after `name.` ("camera.json" for cameras)
  /// Family files written beside the sample as name + suffix, e.g. a scene's "_bbox.npy".
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> extra_files;
  /// Whether the cloud is written in cloud_format (false: a layout whose extra files hold it).
  bool cloud_file = true;
  std::string name;  ///< relative path without extension, e.g. "00003/00003_00017"
  /// Generation guards (dataset/guard.h): the draw this sample is (0: the first), and the guards
  /// it still fails when no draw passed them (then it is draw 0).
  int draw = 0;
  std::vector<std::string> guard_failed;
};

/// What a family's masks are (the `masks` key): the categories their semantic ids stand for and
/// the PNG depth each map is written in (16 bits where ids may exceed 255).
struct MaskInfo {
  bool on = false;                      ///< masks: true, and the family makes them
  std::vector<std::string> categories;  ///< semantic id k + 1 is categories[k] (COCO's category k + 1)
  int semantic_bits = 8, instance_bits = 8;
  std::string objects;  ///< what one instance is, for the card: "fractal", "shape"
  /// The trees of a folder dataset: images, class masks, instance masks (SegRCDB's official
  /// layout names them image/ and mask/).
  std::string images_dir = "images/", semantic_dir = "masks/", instances_dir = "instances/";
};

/// What one sample takes in memory while it is made and encoded (its images, clouds and scratch
/// buffers, measured per family), so that work too large for the machine is refused up front.
struct SampleMemory {
  double bytes = 0;         ///< peak bytes of one sample in flight
  double output_bytes = 0;  ///< the sample's images and clouds as raw arrays (its files are at most about this)
  std::string what;         ///< the keys that drive it, e.g. "size 16384 x 3 channels, views 12"
};

/// The shape of a sample's image: height x width x channels (row-major, as Image).
struct ImageShape {
  int height = 0, width = 0, channels = 0;
  bool operator==(const ImageShape&) const = default;
};

/// What a generator may use while it is built (category search, imports).
struct GeneratorContext {
  int threads = 0;                   ///< 0: all cores
  std::filesystem::path config_dir;  ///< relative paths in the config are relative to this
  /// The run uses categories [0, search_limit) only (-1: all): a family whose categories are a
  /// prefix-stable search may build just those. num_classes() stays the configured count.
  std::int64_t search_limit = -1;
  /// Told when a long build phase starts ("category search: 1,000 categories"), for progress
  /// messages; may be empty.
  std::function<void(const std::string&)> on_phase;
};

class Generator {
 public:
  virtual ~Generator() = default;

  virtual std::string family() const = 0;
  virtual std::int64_t num_classes() const = 0;
  virtual std::int64_t instances_per_class() const = 0;

  /// True for families whose samples are point clouds (their files follow `cloud_format`).
  virtual bool makes_point_clouds() const { return false; }
  /// What one sample is called in reports ("images", "clouds", "pairs").
  virtual std::string sample_noun() const { return makes_point_clouds() ? "clouds" : "images"; }

  /// The sample (category, instance); throws Error(OutOfRange) outside the dataset.
  virtual Sample make(std::int64_t category, std::int64_t instance) const = 0;

  /// The image of sample (category, instance), written into `pixels` (height x width x channels
  /// bytes, row-major, as Image), with the pixels make() gives; returns its label. Throws
  /// Error(Runtime) when the image has another size. Families that can draw straight into the
  /// buffer override it (no image allocated and copied per sample); the default copies make()'s.
  virtual std::int64_t make_image_into(std::int64_t category, std::int64_t instance, std::uint8_t* pixels, int width,
                                       int height, int channels) const;

  /// Instances [begin, end) of one category, in order, with exactly the bytes make() gives.
  /// Families that can share work between instances (FractalDB's orbit per weight row) override it.
  virtual void make_range(std::int64_t category, std::int64_t begin, std::int64_t end,
                          const std::function<void(Sample&&)>& emit) const;
  /// The shape of every sample's `image`, fixed by the config; none for families whose samples
  /// have no single image (point clouds, multi-view samples).
  virtual std::optional<ImageShape> image_shape() const = 0;

  /// The memory one sample takes while it is made (and encoded), estimated from the config.
  virtual SampleMemory sample_memory() const = 0;

  /// How many consecutive instances make_range shares work across (a good work-unit size).
  virtual std::int64_t preferred_chunk() const { return 16; }

  /// Relative file name of a sample without extension, e.g. "00003/00003_02_count_1_flip0".
  virtual std::string sample_name(std::int64_t category, std::int64_t instance) const;

  /// The category parameters as JSON (for the manifest and categories.json).
  virtual nlohmann::ordered_json category_json(std::int64_t category) const = 0;
  /// The category as a 2D IFS system, for families that have them (null otherwise).
  virtual const Ifs2* ifs_category(std::int64_t /*category*/) const { return nullptr; }
  /// Family-specific files of the given categories, as (path relative to the dataset root,
  /// contents), e.g. RCDB's official param/NNNNN.csv; written by save_categories.
  virtual std::vector<std::pair<std::string, std::string>> category_files(
      const std::vector<std::int64_t>& /*categories*/) const {
    return {};
  }
  /// Writes the given categories (ascending) so the dataset can be told and regenerated from its
  /// folder: categories.json, for IFS families categories.csv when they are a prefix 0..k-1 (all
  /// systems in one FractalDB-style table: an ImageFolder root must hold no folder but the class
  /// folders), and the family's category_files(). Returns the files written, relative to `dir`.
  virtual std::vector<std::string> save_categories(const std::filesystem::path& dir,
                                                   const std::vector<std::int64_t>& categories) const;
  /// The same for every category.
  std::vector<std::string> save_categories(const std::filesystem::path& dir) const;
  /// Writes the categories in the family's official per-category layout into `dir` (FractalDB:
  /// NNNNN.csv; PC-FractalDB: NNNNNN.csv), for `fdsl search`; nothing for families without one.
  virtual void export_categories(const std::filesystem::path& dir) const;
  /// A short text for previews: the key parameters of a category.
  virtual std::string describe_category(std::int64_t category) const;
  /// Statistics of how the categories were made (search acceptance rate, ...), for reports.
  virtual nlohmann::ordered_json stats() const { return nlohmann::ordered_json::object(); }
  /// Why this config may make images of one flat color, and what to change, for the warning a
  /// run gives when it made some ("" when the family knows no reason).
  virtual std::string blank_hint() const { return ""; }
  /// A copy of this generator, with the same categories, whose per-sample streams are those of
  /// redraw `draw` (>= 1): sample (c, i) of the copy is a fresh draw of (c, i) from the same
  /// distribution, for the generation guards (min_ink, ...). Null for a family or mode whose
  /// samples cannot be drawn again (compat: official replays a published stream).
  virtual std::unique_ptr<Generator> redrawn(std::uint64_t /*draw*/) const { return nullptr; }
  /// Which pixels of sample (category, instance)'s image its shapes cover, for families whose
  /// background is not one flat colour (ifs_sigma's plasma), where the pixels cannot say it:
  /// `mask` becomes a one-channel image as large as the sample's, nonzero where a shape's ink
  /// lies, in the image's final orientation (before any blur), and the result is true. `made` is
  /// the sample when the caller has it (its class mask then answers without drawing again), else
  /// null. fdsl stats and the ink guards measure this mask instead of the pixels. False (the
  /// default): the background is flat, and the pixels unlike it are the ink.
  virtual bool shape_mask(std::int64_t /*category*/, std::int64_t /*instance*/, const Sample* /*made*/,
                          Image& /*mask*/) const {
    return false;
  }
  /// The family's masks (MaskInfo::on false: it makes none, or masks are off).
  virtual MaskInfo masks() const { return {}; }
  /// Files a family's own layout needs beside its samples in a folder dataset (class tables, split
  /// lists a reader takes), named relative to the dataset (or split) root; written by
  /// write_layout_files with the manifest, from `paths`: the data files made so far, relative to
  /// that root. None by default.
  virtual std::vector<std::string> layout_file_names() const { return {}; }
  virtual void write_layout_files(const std::filesystem::path& /*root*/,
                                  const std::vector<std::string>& /*paths*/) const {}

 protected:
  /// Throws Error(OutOfRange) unless the indices lie inside the dataset.
  void check_index(std::int64_t category, std::int64_t instance) const;
  /// A checked, empty sample of (category, instance): indices, label = category, and name set.
  Sample start_sample(std::int64_t category, std::int64_t instance) const;
  /// make() for families whose make_range does the work: the checked range of that one instance.
  Sample make_via_range(std::int64_t category, std::int64_t instance) const;
};

/// A registered family: its parameter table (declared once) and its factory.
struct GeneratorInfo {
  std::string name;
  std::string summary;
  const ParamTable* params;
  std::function<std::unique_ptr<Generator>(const Params&, const GeneratorContext&)> create;
  /// The recipe's own counts, taken where `classes` or `instances` is 0 (0 here: see the note).
  std::int64_t classes = 0, instances = 0;
  std::string counts_note;  ///< where a count depends on other keys, how
  bool masks = false;       ///< whether the family makes masks (the `masks` key)
};

/// The recipe's own count of classes (instances) of family `name`, for `classes: 0` (`instances: 0`).
std::int64_t default_classes(const std::string& name);
std::int64_t default_instances(const std::string& name);

/// The memory of images of side `size` with `channels` bytes a pixel, `bytes_per_pixel` bytes a
/// pixel in all (the images, their copies and scratch), for SampleMemory.
SampleMemory image_memory(int size, int channels, double bytes_per_pixel);

/// Refuses, before they are allocated, `count` categories (or other per-class records) of
/// `bytes_each` bytes that would not fit in the memory this process may take: Error(BadInput)
/// through p.fail(key, ...), with the estimate.
void check_category_memory(const Params& p, const std::string& key, std::int64_t count, double bytes_each);
/// The same rule for any table built before the first sample (a sink's cloud order, ...): `need`
/// bytes for `what` ("the file order of its 2e+08 clouds (8 bytes each)"), refused through
/// p.fail(key, ...) with `remedy` appended when given.
void check_table_memory(const Params& p, const std::string& key, double need, const std::string& what,
                        const std::string& remedy = "");

/// 0, 1, ..., num_classes() - 1.
std::vector<std::int64_t> all_categories(const Generator& gen);

/// The maps of a 2D IFS as JSON rows [a, b, c, d, e, f, p] (category_json of the IFS families).
nlohmann::ordered_json ifs_maps_json(const Ifs2& ifs);

/// Every generator, by name (the explicit table in registry.cpp).
const std::vector<GeneratorInfo>& generator_registry();
/// The entry for `name`; throws Error(BadInput) naming the closest valid name.
const GeneratorInfo& find_generator(const std::string& name);

/// The seed of a dataset's per-sample streams: `seed` for the train split, a seed derived from it
/// and the split for val and test, so no sample of one split is one of another. Categories are
/// drawn from `seed` itself: every split has the same.
std::uint64_t sample_seed(const Params& params);
/// The per-sample seed of redraw `draw` of a generator whose per-sample seed is `seed` (draw 0:
/// `seed` itself), for Generator::redrawn.
std::uint64_t redraw_seed(std::uint64_t seed, std::uint64_t draw);
/// 0 for train, 1 for val, 2 for test.
int split_index(const Params& params);

/// The `channels` key: 1, 3, or 0 for auto.
int output_channels(const Params& params);

}  // namespace fdsl
