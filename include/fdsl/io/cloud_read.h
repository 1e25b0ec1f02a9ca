// Reading point clouds back: the points of PLY, PCD and NPY files, whoever wrote them (fdsl,
// Open3D, PCL, trimesh, NumPy), and the clouds of ModelNet40-style HDF5 files. The readers check
// every count against the bytes present, so a damaged or hostile file is an error, never a crash
// or a huge allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fdsl/core/point_cloud.h"

namespace fdsl {

/// The x, y, z of a PLY file's `vertex` element: ascii, binary_little_endian or binary_big_endian,
/// any scalar property types (char .. double), other properties and other non-list elements
/// before it skipped. `what` names the file in errors (Error(BadInput)).
PointCloud decode_ply(const std::uint8_t* data, std::size_t size, const std::string& what);

/// The x, y, z fields of a PCD v0.5-0.7 file: DATA ascii, binary or binary_compressed (PCL's LZF
/// column layout); any field sizes and types, COUNT > 1 fields skipped.
PointCloud decode_pcd(const std::uint8_t* data, std::size_t size, const std::string& what);

/// The first three columns of a float32 NPY array of shape (N, k), 3 <= k <= 64 (C order).
PointCloud decode_npy_cloud(const std::uint8_t* data, std::size_t size, const std::string& what);

/// By extension (.ply, .pcd, .npy); Error(BadInput) for any other.
PointCloud decode_cloud(const std::uint8_t* data, std::size_t size, const std::string& extension,
                        const std::string& what);

/// The clouds of an HDF5 file in the ModelNet40 layout: `data` (B, N, 3) float32 and `label`
/// (B,) or (B, 1) integers. Error(BadInput) when the file is not HDF5 or lacks them.
struct ModelNetClouds {
  std::size_t count = 0, points = 0;
  std::vector<float> xyz;           ///< count * points * 3
  std::vector<std::int64_t> label;  ///< count
};
ModelNetClouds read_modelnet_h5(const std::filesystem::path& path);

}  // namespace fdsl
