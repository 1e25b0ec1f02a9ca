#include "fdsl/io/pcd.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/io/cloud_formats.h"

namespace fdsl {

namespace {

void append_float(std::vector<std::uint8_t>& out, float v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) throw_runtime("PCD writer: cannot format a number");
  out.insert(out.end(), buf, ptr);
}

void append_uint(std::vector<std::uint8_t>& out, std::uint32_t v) {
  char buf[16];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.insert(out.end(), buf, ptr);
}

}  // namespace

void encode_pcd(const PointCloud& cloud, PcdEncoding encoding, std::vector<std::uint8_t>& out) {
  check_cloud_arrays(cloud, "PCD writer");
  const std::size_t n = cloud.size();
  const bool normals = !cloud.normals.empty();
  const bool labels = !cloud.class_ids.empty();
  const bool instances = !cloud.instance_ids.empty();

  std::string fields = "x y z", size = "4 4 4", type = "F F F", count = "1 1 1";
  if (normals) {
    fields += " normal_x normal_y normal_z";
    size += " 4 4 4";
    type += " F F F";
    count += " 1 1 1";
  }
  if (labels) {
    fields += " label";
    size += " 4";
    type += " U";
    count += " 1";
  }
  if (instances) {
    fields += " instance";
    size += " 4";
    type += " U";
    count += " 1";
  }
  const std::string points = std::to_string(n);
  const std::string header = "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS " + fields +
                             "\nSIZE " + size + "\nTYPE " + type + "\nCOUNT " + count + "\nWIDTH " + points +
                             "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " + points + "\nDATA " +
                             (encoding == PcdEncoding::Ascii ? "ascii" : "binary") + "\n";
  const std::size_t record = 12 + (normals ? 12 : 0) + (labels ? 4 : 0) + (instances ? 4 : 0);
  out.clear();
  if (encoding == PcdEncoding::Ascii) {
    out.reserve(header.size() + n * record * 3);
    out.insert(out.end(), header.begin(), header.end());
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
        append_uint(out, static_cast<std::uint32_t>(cloud.class_ids[i]));
      }
      if (instances) {
        out.push_back(' ');
        append_uint(out, static_cast<std::uint32_t>(cloud.instance_ids[i]));
      }
      out.push_back('\n');
    }
    return;
  }
  static_assert(std::endian::native == std::endian::little, "the PCD writer assumes a little-endian host");
  out.resize(header.size() + n * record);
  std::memcpy(out.data(), header.data(), header.size());
  std::uint8_t* p = out.data() + header.size();
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
