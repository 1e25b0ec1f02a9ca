// PLY point clouds (Stanford polygon format, vertices only), as Open3D, PCL, trimesh and the
// official PC-FractalDB files use it.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/point_cloud.h"

namespace fdsl {

enum class PlyEncoding { BinaryLittleEndian, Ascii };

/// Encodes a cloud as one `vertex` element with `float x, y, z`; then `float nx, ny, nz` when the
/// cloud has normals, `int label` (the class id) when it has class ids and `int instance` when
/// it has instance ids, in that order (int: Open3D's tensor reader takes int, not uint). ASCII writes each float with
/// the fewest digits that read back to the same value. `out` is overwritten. Throws Error(BadInput) for per-point
/// arrays whose lengths disagree with the point count.
void encode_ply(const PointCloud& cloud, PlyEncoding encoding, std::vector<std::uint8_t>& out);

}  // namespace fdsl
