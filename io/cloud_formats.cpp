#include "fdsl/io/cloud_formats.h"

#include "fdsl/core/error.h"
#include "fdsl/core/params.h"
#include "fdsl/io/npy.h"
#include "fdsl/io/pcd.h"
#include "fdsl/io/ply.h"

namespace fdsl {

namespace {

void one_file(std::vector<CloudFile>& files, const char* suffix) {
  files.resize(1);
  files[0].suffix = suffix;
}

void ply_binary(const PointCloud& c, std::vector<CloudFile>& f) {
  one_file(f, ".ply");
  encode_ply(c, PlyEncoding::BinaryLittleEndian, f[0].bytes);
}
void ply_ascii(const PointCloud& c, std::vector<CloudFile>& f) {
  one_file(f, ".ply");
  encode_ply(c, PlyEncoding::Ascii, f[0].bytes);
}
void pcd_binary(const PointCloud& c, std::vector<CloudFile>& f) {
  one_file(f, ".pcd");
  encode_pcd(c, PcdEncoding::Binary, f[0].bytes);
}
void pcd_ascii(const PointCloud& c, std::vector<CloudFile>& f) {
  one_file(f, ".pcd");
  encode_pcd(c, PcdEncoding::Ascii, f[0].bytes);
}

/// (N, 3) float32, or (N, 6) xyz + normals; per-point labels in VoteNet's file names beside it.
void npy(const PointCloud& c, std::vector<CloudFile>& f) {
  check_cloud_arrays(c, "NPY writer");
  const std::size_t n = c.size();
  std::size_t count = 1 + !c.class_ids.empty() + !c.instance_ids.empty() + !c.part_ids.empty();
  f.resize(count);
  f[0].suffix = ".npy";
  if (c.normals.empty()) {
    encode_npy(c.xyz.data(), NpyType::Float32, {n, 3}, f[0].bytes);
  } else {
    std::vector<float> rows(n * 6);
    for (std::size_t i = 0; i < n; ++i)
      for (int a = 0; a < 3; ++a) {
        rows[6 * i + a] = c.xyz[3 * i + a];
        rows[6 * i + 3 + a] = c.normals[3 * i + a];
      }
    encode_npy(rows.data(), NpyType::Float32, {n, 6}, f[0].bytes);
  }
  std::size_t k = 1;
  if (!c.class_ids.empty()) {
    f[k].suffix = "_sem_label.npy";
    encode_npy(c.class_ids.data(), NpyType::Int32, {n}, f[k++].bytes);
  }
  if (!c.instance_ids.empty()) {
    f[k].suffix = "_ins_label.npy";
    encode_npy(c.instance_ids.data(), NpyType::Int32, {n}, f[k++].bytes);
  }
  if (!c.part_ids.empty()) {
    f[k].suffix = "_part_label.npy";
    encode_npy(c.part_ids.data(), NpyType::Int32, {n}, f[k++].bytes);
  }
}

}  // namespace

const std::vector<CloudFormat>& cloud_formats() {
  static const std::vector<CloudFormat> table = {
      {"ply", "PLY, binary little-endian: float x y z [nx ny nz] [int label instance part]", &ply_binary},
      {"ply_ascii", "PLY, ASCII: same properties, shortest exact decimal floats", &ply_ascii},
      {"pcd", "PCD v0.7 (PCL), binary: x y z [normal_x normal_y normal_z] [label instance part]", &pcd_binary},
      {"pcd_ascii", "PCD v0.7 (PCL), ASCII", &pcd_ascii},
      {"npy", "NumPy float32 (N,3), (N,6) with normals; labels in _sem_label.npy / _ins_label.npy / _part_label.npy",
       &npy},
      {"hdf5", "HDF5 in the ModelNet40 layout: files of h5_clouds_per_file clouds, data (B,N,3), label (B,1)", nullptr},
  };
  return table;
}

std::vector<std::string> cloud_format_names() {
  std::vector<std::string> names;
  for (const auto& f : cloud_formats()) names.push_back(f.name);
  return names;
}

const CloudFormat& find_cloud_format(const std::string& name) {
  for (const auto& f : cloud_formats())
    if (f.name == name) return f;
  const std::string hint = closest_name(name, cloud_format_names());
  std::string all;
  for (const auto& f : cloud_formats()) all += (all.empty() ? "" : ", ") + f.name;
  throw_bad_input("unknown point-cloud format '" + name + "'" +
                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; available: " + all);
}

void check_cloud_arrays(const PointCloud& c, const char* writer) {
  const std::size_t n = c.size();
  auto fail = [&](const std::string& what) { throw_bad_input(std::string(writer) + ": " + what); };
  if (c.xyz.size() % 3 != 0) fail(std::to_string(c.xyz.size()) + " coordinates is not a whole number of points");
  if (!c.normals.empty() && c.normals.size() != 3 * n)
    fail(std::to_string(c.normals.size() / 3) + " normals for " + std::to_string(n) + " points");
  if (!c.class_ids.empty() && c.class_ids.size() != n)
    fail(std::to_string(c.class_ids.size()) + " class ids for " + std::to_string(n) + " points");
  if (!c.instance_ids.empty() && c.instance_ids.size() != n)
    fail(std::to_string(c.instance_ids.size()) + " instance ids for " + std::to_string(n) + " points");
  for (std::int32_t v : c.class_ids)
    if (v < 0) fail("a class id is negative (" + std::to_string(v) + "); ids are written unsigned");
  for (std::int32_t v : c.instance_ids)
    if (v < 0) fail("an instance id is negative (" + std::to_string(v) + "); ids are written unsigned");
  if (!c.part_ids.empty() && c.part_ids.size() != n)
    fail(std::to_string(c.part_ids.size()) + " part ids for " + std::to_string(n) + " points");
  for (std::int32_t v : c.part_ids)
    if (v < 0) fail("a part id is negative (" + std::to_string(v) + "); ids are written unsigned");
}

}  // namespace fdsl
