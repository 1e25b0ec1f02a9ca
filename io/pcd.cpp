#include "fdsl/io/pcd.h"

#include <string>

#include "cloud_records.h"
#include "fdsl/io/cloud_formats.h"

namespace fdsl {

void encode_pcd(const PointCloud& cloud, PcdEncoding encoding, std::vector<std::uint8_t>& out) {
  check_cloud_arrays(cloud, "PCD writer");
  const CloudFields has(cloud);
  std::string fields = "x y z", size = "4 4 4", type = "F F F", count = "1 1 1";
  if (has.normals) {
    fields += " normal_x normal_y normal_z";
    size += " 4 4 4";
    type += " F F F";
    count += " 1 1 1";
  }
  if (has.labels) {
    fields += " label";
    size += " 4";
    type += " U";
    count += " 1";
  }
  if (has.instances) {
    fields += " instance";
    size += " 4";
    type += " U";
    count += " 1";
  }
  if (has.parts) {
    fields += " part";
    size += " 4";
    type += " U";
    count += " 1";
  }
  const std::string points = std::to_string(cloud.size());
  const std::string header = "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS " + fields + "\nSIZE " +
                             size + "\nTYPE " + type + "\nCOUNT " + count + "\nWIDTH " + points +
                             "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " + points + "\nDATA " +
                             (encoding == PcdEncoding::Ascii ? "ascii" : "binary") + "\n";
  encode_cloud_records(cloud, header, encoding == PcdEncoding::Ascii, "PCD writer", out);
}

}  // namespace fdsl
