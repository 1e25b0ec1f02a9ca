#include "fdsl/io/ply.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/io/cloud_formats.h"

namespace fdsl {

namespace {

void append(std::vector<std::uint8_t>& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

/// Shortest text that reads back as the same float.
void append_float(std::vector<std::uint8_t>& out, float v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) throw_runtime("PLY writer: cannot format a number");
  out.insert(out.end(), buf, ptr);
}

void append_int(std::vector<std::uint8_t>& out, std::int32_t v) {
  char buf[16];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.insert(out.end(), buf, ptr);
}

}  // namespace

void encode_ply(const PointCloud& cloud, PlyEncoding encoding, std::vector<std::uint8_t>& out) {
  check_cloud_arrays(cloud, "PLY writer");
  const std::size_t n = cloud.size();
  const bool normals = !cloud.normals.empty();
  const bool labels = !cloud.class_ids.empty();
  const bool instances = !cloud.instance_ids.empty();

  std::string header = "ply\nformat ";
  header += encoding == PlyEncoding::Ascii ? "ascii 1.0\n" : "binary_little_endian 1.0\n";
  header += "comment fdsl point cloud\n";
  header += "element vertex " + std::to_string(n) + "\n";
  header += "property float x\nproperty float y\nproperty float z\n";
  if (normals) header += "property float nx\nproperty float ny\nproperty float nz\n";
  if (labels) header += "property int label\n";
  if (instances) header += "property int instance\n";
  header += "end_header\n";

  out.clear();
  const std::size_t record = 12 + (normals ? 12 : 0) + (labels ? 4 : 0) + (instances ? 4 : 0);
  if (encoding == PlyEncoding::Ascii) {
    out.reserve(header.size() + n * record * 3);
    append(out, header);
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < 3; ++a) {
        if (a) out.push_back(' ');
        append_float(out, cloud.xyz[3 * i + a]);
      }
      for (int a = 0; normals && a < 3; ++a) {
        out.push_back(' ');
        append_float(out, cloud.normals[3 * i + a]);
      }
      if (labels) {
        out.push_back(' ');
        append_int(out, cloud.class_ids[i]);
      }
      if (instances) {
        out.push_back(' ');
        append_int(out, cloud.instance_ids[i]);
      }
      out.push_back('\n');
    }
    return;
  }
  // Binary: x86-64 is little-endian, so records are the values' own bytes.
  static_assert(std::endian::native == std::endian::little, "the PLY writer assumes a little-endian host");
  out.resize(header.size() + n * record);
  std::memcpy(out.data(), header.data(), header.size());
  std::uint8_t* p = out.data() + header.size();
  if (!normals && !labels && !instances) {
    std::memcpy(p, cloud.xyz.data(), n * 12);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(p, &cloud.xyz[3 * i], 12);
    p += 12;
    if (normals) {
      std::memcpy(p, &cloud.normals[3 * i], 12);
      p += 12;
    }
    if (labels) {
      std::memcpy(p, &cloud.class_ids[i], 4);
      p += 4;
    }
    if (instances) {
      std::memcpy(p, &cloud.instance_ids[i], 4);
      p += 4;
    }
  }
}

}  // namespace fdsl
