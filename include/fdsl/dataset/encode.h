// From a Sample to the bytes of its files: one place that knows the output formats, shared by the
// folder writer and the tar shards, so every sink writes the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fdsl/core/params.h"
#include "fdsl/generators/generator.h"
#include "fdsl/io/cloud_formats.h"
#include "fdsl/io/png.h"

namespace fdsl {

/// The trees of a folder dataset with masks: the images (and every other file of a sample), the
/// class masks and the instance masks, each under the sample's name.
inline const std::string kImagesDir = "images/";
inline const std::string kMasksDir = "masks/";
inline const std::string kInstancesDir = "instances/";

/// Whether `path` (relative to a dataset root) is a mask file: in a folder dataset one under
/// masks/ or instances/ (at the root or a split's train/, val/, test/), in a tar shard a member
/// <key>.seg.png or <key>.inst.png.
bool is_mask_file(const std::string& path);
/// `path` without the images/, masks/ or instances/ tree before its sample's name (at the root
/// or after a split's folder): the same name for a sample's image and masks.
std::string strip_mask_tree(const std::string& path);

/// One encoded file of a sample, its path relative to the dataset root.
struct EncodedFile {
  std::string path;
  std::vector<std::uint8_t> bytes;
};

/// Where the samples go (the `output_format` key).
enum class OutputFormat {
  Folder,  ///< ImageFolder: one file per sample file, one folder per class
  Tar,     ///< WebDataset tar shards
};

/// Output settings, read once from the dataset parameters.
struct OutputSettings {
  PngOptions png;
  OutputFormat format = OutputFormat::Folder;
  /// Also encode the labels as files: <name>.cls (the class, ASCII decimal) and, for multi-label
  /// samples, "labels" in <name>.json. Tar shards carry their labels so; a folder has its class
  /// folders and its manifest.
  bool label_files = false;
  const CloudFormat* cloud = nullptr;  ///< the writer for point clouds (`cloud_format`)
  /// A folder dataset with masks: the trees of its images, class masks and instance masks (the
  /// family's MaskInfo; set by the folder sink).
  std::string images_dir = kImagesDir, masks_dir = kMasksDir, instances_dir = kInstancesDir;
  /// With masks: also the COCO annotations file (the `coco` key).
  bool coco = true;
  /// Reads png_encoder, png_level, png_filter, output_format, the shard keys and cloud_format (throws
  /// Error(BadInput) naming the key for a bad combination, e.g. shuffle with folder output).
  static OutputSettings from_params(const Params& params);
};

/// Encodes a sample's image (<name>.png), its views (<view_names[k]>.png), its point cloud (<name>.ply, .pcd or .npy,
/// by the cloud format; NPY adds _sem_label.npy / _ins_label.npy for per-point ids), its label
/// (<name>.cls, with label_files), its masks (folders: images/<name>.png, masks/<name>.png,
/// instances/<name>.png; tar: <name>.seg.png, <name>.inst.png) and its meta (<name>.<meta_ext>, by default .json) when
/// it has them. `out` is resized to the number of files; its buffers are reused across calls. A cloud with a batch
/// format (hdf5) is an error: the dataset writer assembles those files itself.
void encode_sample(const Sample& sample, const OutputSettings& settings, std::vector<EncodedFile>& out);

}  // namespace fdsl
