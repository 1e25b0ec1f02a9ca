// PCD v0.7 point clouds (the Point Cloud Library's format), byte-compatible with what PCL writes
// and reads: one unorganized cloud (HEIGHT 1), fields in PCL's standard names.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/point_cloud.h"

namespace fdsl {

enum class PcdEncoding { Binary, Ascii };

/// Encodes a cloud with FIELDS x y z (F 4); normal_x normal_y normal_z (F 4) when it has normals;
/// label (U 4, the class id, as pcl::PointXYZL) when it has class ids; instance (U 4) when it has
/// instance ids. Binary records are packed in field order right after `DATA binary`. ASCII writes
/// the fewest digits that read back to the same float. `out` is overwritten.
void encode_pcd(const PointCloud& cloud, PcdEncoding encoding, std::vector<std::uint8_t>& out);

}  // namespace fdsl
