// Point-cloud writers, read back by independent parsers: PLY and PCD headers and records, the NPY
// header NumPy expects, HDF5 through the HDF5 library itself; the format table and its errors.
// (Open3D, PCL, NumPy and h5py read the same files in tests/pcl and tests/python.)
#include "fdsl/io/cloud_formats.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <sstream>
#include <string>

#include <hdf5.h>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/io/files.h"
#include "fdsl/io/hdf5.h"
#include "fdsl/io/npy.h"
#include "fdsl/io/pcd.h"
#include "fdsl/io/ply.h"
#include "test_support.h"

namespace fdsl {
namespace {

PointCloud test_cloud(std::size_t n, bool normals, bool ids, std::uint64_t key = 1) {
  Rng rng(key);
  PointCloud c;
  for (std::size_t i = 0; i < 3 * n; ++i) c.xyz.push_back(static_cast<float>(rng.uniform(-1, 1) * 1e3));
  c.xyz[0] = 1e-30f;  // tiny and huge values survive too
  if (n > 1) c.xyz[3] = -3.4e38f;
  if (normals)
    for (std::size_t i = 0; i < 3 * n; ++i) c.normals.push_back(static_cast<float>(rng.uniform(-1, 1)));
  if (ids)
    for (std::size_t i = 0; i < n; ++i) {
      c.class_ids.push_back(static_cast<std::int32_t>(rng.uniform_int(0, 999)));
      c.instance_ids.push_back(static_cast<std::int32_t>(i % 7));
    }
  return c;
}

/// Splits "header ... end_header\n" (or "DATA ...\n") from the payload.
std::pair<std::string, std::string> split(const std::vector<std::uint8_t>& bytes, const std::string& last_line) {
  const std::string s(bytes.begin(), bytes.end());
  const std::size_t at = s.find(last_line);
  EXPECT_NE(at, std::string::npos);
  const std::size_t end = s.find('\n', at) + 1;
  return {s.substr(0, end), s.substr(end)};
}

float parse_float(const std::string& token) {
  float v = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  EXPECT_TRUE(ec == std::errc() && p == token.data() + token.size()) << token;
  return v;
}

/// Compares text records (one point per line, whitespace-separated) with the cloud, exactly.
void expect_text_records(const std::string& body, const PointCloud& c) {
  std::istringstream lines(body);
  std::string line;
  std::size_t i = 0;
  while (std::getline(lines, line)) {
    std::istringstream tok(line);
    std::vector<std::string> t;
    for (std::string w; tok >> w;) t.push_back(w);
    std::size_t k = 0;
    for (int a = 0; a < 3; ++a) EXPECT_EQ(parse_float(t[k++]), c.xyz[3 * i + a]);
    for (int a = 0; a < 3 && !c.normals.empty(); ++a) EXPECT_EQ(parse_float(t[k++]), c.normals[3 * i + a]);
    if (!c.class_ids.empty()) {
      EXPECT_EQ(std::stol(t[k++]), c.class_ids[i]);
    }
    if (!c.instance_ids.empty()) {
      EXPECT_EQ(std::stol(t[k++]), c.instance_ids[i]);
    }
    EXPECT_EQ(k, t.size());
    ++i;
  }
  EXPECT_EQ(i, c.size());
}

/// Compares packed little-endian records with the cloud, exactly.
void expect_binary_records(const std::string& body, const PointCloud& c) {
  const std::size_t record =
      12 + (c.normals.empty() ? 0 : 12) + (c.class_ids.empty() ? 0 : 4) + (c.instance_ids.empty() ? 0 : 4);
  ASSERT_EQ(body.size(), record * c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    const char* r = body.data() + i * record;
    EXPECT_EQ(std::memcmp(r, &c.xyz[3 * i], 12), 0);
    r += 12;
    if (!c.normals.empty()) {
      EXPECT_EQ(std::memcmp(r, &c.normals[3 * i], 12), 0);
      r += 12;
    }
    if (!c.class_ids.empty()) {
      EXPECT_EQ(std::memcmp(r, &c.class_ids[i], 4), 0);
      r += 4;
    }
    if (!c.instance_ids.empty()) {
      EXPECT_EQ(std::memcmp(r, &c.instance_ids[i], 4), 0);
    }
  }
}

TEST(Ply, BinaryHeaderNamesThePropertiesAndRecordsArePacked) {
  for (bool normals : {false, true})
    for (bool ids : {false, true}) {
      const PointCloud c = test_cloud(257, normals, ids);
      std::vector<std::uint8_t> out;
      encode_ply(c, PlyEncoding::BinaryLittleEndian, out);
      const auto [header, body] = split(out, "end_header");
      EXPECT_EQ(header.rfind("ply\nformat binary_little_endian 1.0\n", 0), 0u);
      EXPECT_NE(header.find("element vertex 257\nproperty float x\nproperty float y\nproperty float z\n"),
                std::string::npos);
      EXPECT_EQ(header.find("property float nx") != std::string::npos, normals);
      EXPECT_EQ(header.find("property int label\nproperty int instance\n") != std::string::npos, ids);
      expect_binary_records(body, c);
    }
}

TEST(Ply, AsciiWritesValuesThatReadBackExactly) {
  const PointCloud c = test_cloud(300, true, true);
  std::vector<std::uint8_t> out;
  encode_ply(c, PlyEncoding::Ascii, out);
  const auto [header, body] = split(out, "end_header");
  EXPECT_EQ(header.rfind("ply\nformat ascii 1.0\n", 0), 0u);
  expect_text_records(body, c);
}

TEST(Pcd, HeaderIsVersion07WithPclFieldNames) {
  const PointCloud c = test_cloud(100, true, true);
  std::vector<std::uint8_t> out;
  encode_pcd(c, PcdEncoding::Binary, out);
  const auto [header, body] = split(out, "DATA binary");
  EXPECT_EQ(header,
            "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\n"
            "FIELDS x y z normal_x normal_y normal_z label instance\nSIZE 4 4 4 4 4 4 4 4\n"
            "TYPE F F F F F F U U\nCOUNT 1 1 1 1 1 1 1 1\nWIDTH 100\nHEIGHT 1\n"
            "VIEWPOINT 0 0 0 1 0 0 0\nPOINTS 100\nDATA binary\n");
  expect_binary_records(body, c);
  const PointCloud plain = test_cloud(10, false, false);
  encode_pcd(plain, PcdEncoding::Ascii, out);
  const auto [h2, b2] = split(out, "DATA ascii");
  EXPECT_NE(h2.find("FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\n"), std::string::npos);
  expect_text_records(b2, plain);
}

TEST(Npy, HeaderIsNumpyVersion1PaddedTo64) {
  const PointCloud c = test_cloud(1000, false, false);
  std::vector<std::uint8_t> out;
  encode_npy(c.xyz.data(), NpyType::Float32, {1000, 3}, out);
  ASSERT_GT(out.size(), 10u);
  EXPECT_EQ(std::memcmp(out.data(), "\x93NUMPY\x01\x00", 8), 0);
  const std::size_t len = out[8] | (out[9] << 8);
  EXPECT_EQ((10 + len) % 64, 0u);
  const std::string header(out.begin() + 10, out.begin() + 10 + static_cast<long>(len));
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 3), }", 0), 0u);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(out.size(), 10 + len + 12000);
  EXPECT_EQ(std::memcmp(out.data() + 10 + len, c.xyz.data(), 12000), 0);
  std::vector<std::int32_t> ids = {1, 2, 3};
  encode_npy(ids.data(), NpyType::Int32, {3}, out);
  EXPECT_NE(std::string(out.begin(), out.end()).find("'<i4', 'fortran_order': False, 'shape': (3,), }"),
            std::string::npos);
}

TEST(CloudFormats, NpyWritesNormalsBesideXyzAndLabelsInVoteNetFiles) {
  const PointCloud c = test_cloud(50, true, true);
  std::vector<CloudFile> files;
  find_cloud_format("npy").encode(c, files);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].suffix, ".npy");
  EXPECT_EQ(files[1].suffix, "_sem_label.npy");
  EXPECT_EQ(files[2].suffix, "_ins_label.npy");
  EXPECT_NE(std::string(files[0].bytes.begin(), files[0].bytes.end()).find("'shape': (50, 6)"), std::string::npos);
}

TEST(CloudFormats, TableDispatchesByNameAndSuggestsTheClosest) {
  EXPECT_EQ(cloud_format_names(), (std::vector<std::string>{"ply", "ply_ascii", "pcd", "pcd_ascii", "npy", "hdf5"}));
  EXPECT_TRUE(find_cloud_format("hdf5").batch());
  EXPECT_FALSE(find_cloud_format("pcd").batch());
  std::vector<CloudFile> files;
  find_cloud_format("pcd_ascii").encode(test_cloud(3, false, false), files);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].suffix, ".pcd");
  try {
    find_cloud_format("plyy");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'ply'"), std::string::npos) << e.what();
  }
}

TEST(CloudFormats, InconsistentArraysAreRefusedByEveryWriter) {
  PointCloud c = test_cloud(10, true, true);
  c.normals.pop_back();
  std::vector<CloudFile> files;
  for (const auto& f : cloud_formats())
    if (!f.batch()) {
      EXPECT_THROW(f.encode(c, files), Error) << f.name;
    }
  c = test_cloud(10, false, true);
  c.class_ids[3] = -1;
  EXPECT_THROW(find_cloud_format("ply").encode(c, files), Error);
}

/// Reads a whole dataset of an HDF5 file image through the HDF5 library.
template <class T>
std::vector<T> read_dataset(hid_t file, const char* name, hid_t type, std::vector<hsize_t>& dims) {
  const hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  EXPECT_GE(set, 0) << name;
  const hid_t space = H5Dget_space(set);
  dims.assign(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)), 0);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  std::vector<T> out(count);
  EXPECT_GE(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0);
  H5Sclose(space);
  H5Dclose(set);
  return out;
}

TEST(Hdf5, ModelNetLayoutReadsBackThroughTheHdf5Library) {
  test::TempDir dir("fdsl-h5");
  ModelNetBatch b;
  b.points = 64;
  Rng rng(5);
  for (int k = 0; k < 5; ++k) {
    for (std::size_t i = 0; i < 64 * 3; ++i) {
      b.data.push_back(static_cast<float>(rng.uniform(-1, 1)));
      b.normal.push_back(static_cast<float>(rng.uniform(-1, 1)));
    }
    b.label.push_back(100 + k);
    b.sample_index.push_back(k);
    b.sample_index.push_back(7 * k);
  }
  std::vector<std::uint8_t> bytes;
  encode_modelnet_h5(b, bytes);
  write_file_atomic(dir / "f.h5", bytes);
  const hid_t file = H5Fopen((dir / "f.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  std::vector<hsize_t> dims;
  EXPECT_EQ(read_dataset<float>(file, "data", H5T_NATIVE_FLOAT, dims), b.data);
  EXPECT_EQ(dims, (std::vector<hsize_t>{5, 64, 3}));
  EXPECT_EQ(read_dataset<std::int32_t>(file, "label", H5T_NATIVE_INT32, dims), b.label);
  EXPECT_EQ(dims, (std::vector<hsize_t>{5, 1}));
  EXPECT_EQ(read_dataset<float>(file, "normal", H5T_NATIVE_FLOAT, dims), b.normal);
  EXPECT_EQ(read_dataset<std::int32_t>(file, "sample_index", H5T_NATIVE_INT32, dims), b.sample_index);
  EXPECT_EQ(dims, (std::vector<hsize_t>{5, 2}));
  H5Fclose(file);
  // Ragged batches are refused.
  b.data.pop_back();
  EXPECT_THROW(encode_modelnet_h5(b, bytes), Error);
}

}  // namespace
}  // namespace fdsl
