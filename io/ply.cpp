#include "fdsl/io/ply.h"

#include <string>

#include "cloud_records.h"
#include "fdsl/io/cloud_formats.h"

namespace fdsl {

void encode_ply(const PointCloud& cloud, PlyEncoding encoding, std::vector<std::uint8_t>& out) {
  check_cloud_arrays(cloud, "PLY writer");
  const CloudFields has(cloud);
  std::string header = "ply\nformat ";
  header += encoding == PlyEncoding::Ascii ? "ascii 1.0\n" : "binary_little_endian 1.0\n";
  header += "comment fdsl point cloud\n";
  header += "element vertex " + std::to_string(cloud.size()) + "\n";
  header += "property float x\nproperty float y\nproperty float z\n";
  if (has.normals) header += "property float nx\nproperty float ny\nproperty float nz\n";
  if (has.labels) header += "property int label\n";
  if (has.instances) header += "property int instance\n";
  if (has.parts) header += "property int part\n";
  header += "end_header\n";
  encode_cloud_records(cloud, header, encoding == PlyEncoding::Ascii, "PLY writer", out);
}

}  // namespace fdsl
