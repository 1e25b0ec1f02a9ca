// The point-cloud file formats, in one table from format name to writer (Open3D's pattern), so
// the config key `cloud_format`, `fdsl list` and the encoder all read the same list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fdsl/core/point_cloud.h"

namespace fdsl {

/// One file a writer makes for a cloud: its name is the sample name + `suffix`.
struct CloudFile {
  std::string suffix;  ///< ".ply", "_sem_label.npy", ...
  std::vector<std::uint8_t> bytes;
};

/// A per-sample writer: fills `files` (resized to the number of files; buffers are reused).
using CloudEncoder = void (*)(const PointCloud& cloud, std::vector<CloudFile>& files);

struct CloudFormat {
  std::string name;               ///< the value of `cloud_format`
  std::string help;               ///< one line for `fdsl list` and the README
  CloudEncoder encode = nullptr;  ///< null for batch formats (HDF5), which the dataset writer handles
  bool batch() const { return encode == nullptr; }
};

/// Every format: ply, ply_ascii, pcd, pcd_ascii, npy, hdf5.
const std::vector<CloudFormat>& cloud_formats();
/// The names, in table order (for the enum parameter).
std::vector<std::string> cloud_format_names();
/// The entry for `name`; throws Error(BadInput) naming the closest valid one.
const CloudFormat& find_cloud_format(const std::string& name);

/// Throws Error(BadInput) naming `writer` unless xyz holds whole points, normals, class ids and
/// instance ids are each empty or one per point, and every id is non-negative (written unsigned).
void check_cloud_arrays(const PointCloud& cloud, const char* writer);

}  // namespace fdsl
