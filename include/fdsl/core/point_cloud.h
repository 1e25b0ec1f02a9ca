// PointCloud: N points, xyz float32 interleaved, with optional normals and per-point labels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdsl {

struct PointCloud {
  std::vector<float> xyz;                  ///< 3 floats per point
  std::vector<float> normals;              ///< empty, or 3 floats per point
  std::vector<std::int32_t> instance_ids;  ///< empty, or one per point (scenes)
  std::vector<std::int32_t> class_ids;     ///< empty, or one per point (scenes)
  /// Empty, or each point's part (part_labels: the IFS map that placed it), ShapeNetPart-style.
  std::vector<std::int32_t> part_ids;
  std::vector<std::uint8_t> map_ids;  ///< empty, or the IFS map that made each point (for coloring; not written)

  std::size_t size() const { return xyz.size() / 3; }
  bool empty() const { return xyz.empty(); }
};

}  // namespace fdsl
