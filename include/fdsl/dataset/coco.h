// COCO instance annotations from fdsl's masks: per object its RLE (the compressed string of
// pycocotools' maskUtils), bbox, area and category, for detectron2/mmdet-style trainers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fdsl/core/label_map.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

/// One object of an instance mask.
struct CocoObject {
  std::uint32_t instance = 0;          ///< its id in the instance mask
  std::int64_t category = 0;           ///< its semantic id (the COCO category id)
  std::int64_t area = 0;               ///< pixels
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  ///< bounding box, inclusive
  std::vector<std::uint32_t> counts;   ///< RLE runs, column-major, starting with background
};

/// Every object (nonzero id) of `instances`, ascending by id, with its category read from
/// `semantic` (same size). Throws Error(BadInput) naming `what` when the maps differ in size or
/// one object's pixels carry several categories.
std::vector<CocoObject> coco_objects(const LabelMap& instances, const LabelMap& semantic, const std::string& what);

/// The runs in COCO's compressed RLE text (pycocotools' rleToString).
std::string coco_rle_string(const std::vector<std::uint32_t>& counts);

/// One image of a COCO file: its file name (relative to the images folder) and its two masks.
struct CocoImage {
  std::string file_name;
  std::filesystem::path semantic, instances;
};

/// Writes a COCO instances file (images, categories, annotations with compressed RLE, bbox, area,
/// iscrowd 0) atomically to `out`: image ids 1, 2, ... in the order given, annotation ids in that
/// order too, so the file is the same for any thread count. Reads the masks with `threads`.
void write_coco_instances(const std::filesystem::path& out, const MaskInfo& masks, const std::vector<CocoImage>& images,
                          int threads);

/// One image given by its encoded masks (a tar shard's members), with extra fields for its entry
/// in "images" (e.g. the shard that holds it), as a JSON object's members without braces.
struct CocoEncodedImage {
  std::string file_name, extra;
  std::vector<std::uint8_t> semantic_png, instances_png;
};

/// The same file made block by block from masks in memory: add() images in order (decoded with
/// `threads`), then commit(). Until commit() nothing is in place at `out`.
class CocoWriter {
 public:
  CocoWriter(const std::filesystem::path& out, const MaskInfo& masks);
  ~CocoWriter();
  CocoWriter(const CocoWriter&) = delete;
  CocoWriter& operator=(const CocoWriter&) = delete;
  void add(const std::vector<CocoEncodedImage>& block, int threads);
  void commit();

 private:
  friend void write_coco_instances(const std::filesystem::path&, const MaskInfo&, const std::vector<CocoImage>&, int);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fdsl
