// HDF5 files in the ModelNet40 layout (modelnet40_ply_hdf5_2048): the files PointNet, PointNet++,
// DGCNN and their descendants read with h5py unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdsl {

/// B clouds of N points each, for one file.
struct ModelNetBatch {
  std::size_t points = 0;                  ///< N, the same for every cloud
  std::vector<float> data;                 ///< B*N*3, cloud after cloud
  std::vector<float> normal;               ///< empty, or B*N*3
  std::vector<std::int32_t> label;         ///< B class indices
  std::vector<std::int32_t> sample_index;  ///< empty, or B*2: (category, instance) of each cloud
  std::vector<std::uint8_t> pid;           ///< empty, or B*N per-point part ids (ShapeNetPart's `pid`)
  std::size_t size() const { return label.size(); }
};

/// Encodes the batch as the bytes of an HDF5 file (built in memory with HDF5's core driver, so
/// it can be written atomically or into an archive): `data` (B,N,3) float32, `label` (B,1) int32,
/// `normal` (B,N,3) float32 when the batch has normals, `sample_index` (B,2) int32 when it has
/// them, `pid` (B,N) uint8 when it has part ids (ShapeNetPart's HDF5 files). Throws Error(BadInput) for inconsistent
/// sizes, Error(Runtime) when HDF5 fails. Thread-safe (HDF5 calls are serialized).
void encode_modelnet_h5(const ModelNetBatch& batch, std::vector<std::uint8_t>& out);

}  // namespace fdsl
