// What the PLY and PCD writers share: the per-point fields a cloud carries and the point records
// after each format's header, which both lay out alike. Internal to fdsl_io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fdsl/core/point_cloud.h"

namespace fdsl {

/// The per-point arrays a cloud carries besides x y z; each record holds x y z, then normals
/// (3 floats), class id, instance id, part id (int32 each) where present, in that order.
struct CloudFields {
  bool normals = false, labels = false, instances = false, parts = false;

  explicit CloudFields(const PointCloud& cloud)
      : normals(!cloud.normals.empty()),
        labels(!cloud.class_ids.empty()),
        instances(!cloud.instance_ids.empty()),
        parts(!cloud.part_ids.empty()) {}

  /// Bytes of one binary record.
  std::size_t record_bytes() const {
    return 12 + (normals ? 12 : 0) + (labels ? 4 : 0) + (instances ? 4 : 0) + (parts ? 4 : 0);
  }
};

/// Sets `out` to `header` and then the cloud's records: in ASCII one line a point, values
/// separated by single spaces, each float in the fewest digits that read back to the same value;
/// in binary the values' own little-endian bytes, packed. The cloud must have passed
/// check_cloud_arrays (ids non-negative, so int and unsigned print alike). `writer` names the
/// caller in errors.
void encode_cloud_records(const PointCloud& cloud, const std::string& header, bool ascii, const char* writer,
                          std::vector<std::uint8_t>& out);

}  // namespace fdsl
