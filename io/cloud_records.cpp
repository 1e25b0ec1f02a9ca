#include "cloud_records.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

/// Shortest text that reads back as the same float.
void append_float(std::vector<std::uint8_t>& out, float v, const char* writer) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) throw_runtime(std::string(writer) + ": cannot format a number");
  out.insert(out.end(), buf, ptr);
}

void append_int(std::vector<std::uint8_t>& out, std::int32_t v) {
  char buf[16];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.insert(out.end(), buf, ptr);
}

}  // namespace

void encode_cloud_records(const PointCloud& cloud, const std::string& header, bool ascii, const char* writer,
                          std::vector<std::uint8_t>& out) {
  const std::size_t n = cloud.size();
  const CloudFields has(cloud);
  const std::size_t record = has.record_bytes();
  out.clear();
  if (ascii) {
    out.reserve(header.size() + n * record * 3);
    out.insert(out.end(), header.begin(), header.end());
    for (std::size_t i = 0; i < n; ++i) {
      for (int a = 0; a < 3; ++a) {
        if (a) out.push_back(' ');
        append_float(out, cloud.xyz[3 * i + a], writer);
      }
      for (int a = 0; has.normals && a < 3; ++a) {
        out.push_back(' ');
        append_float(out, cloud.normals[3 * i + a], writer);
      }
      if (has.labels) {
        out.push_back(' ');
        append_int(out, cloud.class_ids[i]);
      }
      if (has.instances) {
        out.push_back(' ');
        append_int(out, cloud.instance_ids[i]);
      }
      if (has.parts) {
        out.push_back(' ');
        append_int(out, cloud.part_ids[i]);
      }
      out.push_back('\n');
    }
    return;
  }
  // Binary: x86-64 is little-endian, so records are the values' own bytes.
  static_assert(std::endian::native == std::endian::little, "the cloud writers assume a little-endian host");
  out.resize(header.size() + n * record);
  std::memcpy(out.data(), header.data(), header.size());
  std::uint8_t* p = out.data() + header.size();
  if (!has.normals && !has.labels && !has.instances && !has.parts) {
    std::memcpy(p, cloud.xyz.data(), n * 12);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(p, &cloud.xyz[3 * i], 12);
    p += 12;
    if (has.normals) {
      std::memcpy(p, &cloud.normals[3 * i], 12);
      p += 12;
    }
    if (has.labels) {
      std::memcpy(p, &cloud.class_ids[i], 4);
      p += 4;
    }
    if (has.instances) {
      std::memcpy(p, &cloud.instance_ids[i], 4);
      p += 4;
    }
    if (has.parts) {
      std::memcpy(p, &cloud.part_ids[i], 4);
      p += 4;
    }
  }
}

}  // namespace fdsl
