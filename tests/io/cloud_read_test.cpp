// The cloud readers `fdsl stats` uses: every encoding fdsl writes reads back to the same points;
// foreign layouts (other property types and orders, big-endian, faces, COUNT > 1 fields) read;
// every truncation and every hostile count is an fdsl::Error, never a crash or a huge allocation.
// (PCL's binary_compressed files are read in tests/pcl; Open3D's and h5py's in test_stats.py.)
#include "fdsl/io/cloud_read.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/io/cloud_formats.h"
#include "fdsl/io/files.h"
#include "fdsl/io/hdf5.h"
#include "fdsl/io/pcd.h"
#include "fdsl/io/ply.h"
#include "test_support.h"

namespace fdsl {
namespace {

PointCloud random_cloud(std::size_t n, bool extras, std::uint64_t key) {
  Rng rng(key);
  PointCloud c;
  for (std::size_t i = 0; i < 3 * n; ++i) c.xyz.push_back(static_cast<float>(rng.uniform(-1, 1) * 100));
  if (n > 1) c.xyz[1] = 1e-30f, c.xyz[3] = -3.4e38f;
  if (extras) {
    for (std::size_t i = 0; i < 3 * n; ++i) c.normals.push_back(static_cast<float>(rng.uniform(-1, 1)));
    for (std::size_t i = 0; i < n; ++i) {
      c.class_ids.push_back(static_cast<std::int32_t>(i % 13));
      c.instance_ids.push_back(static_cast<std::int32_t>(i % 5));
    }
  }
  return c;
}

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

PointCloud read_as(const std::vector<std::uint8_t>& b, const std::string& ext) {
  return decode_cloud(b.data(), b.size(), ext, "test." + ext);
}

TEST(CloudRead, EveryFormatFdslWritesReadsBackTheSamePoints) {
  for (bool extras : {false, true})
    for (const CloudFormat& f : cloud_formats()) {
      if (f.batch()) continue;
      const PointCloud c = random_cloud(301, extras, 7);
      std::vector<CloudFile> files;
      f.encode(c, files);
      ASSERT_FALSE(files.empty());
      const std::string& suffix = files[0].suffix;
      const PointCloud got = read_as(files[0].bytes, suffix.substr(suffix.rfind('.') + 1));
      ASSERT_EQ(got.xyz.size(), c.xyz.size()) << f.name << " extras " << extras;
      for (std::size_t i = 0; i < c.xyz.size(); ++i) ASSERT_EQ(got.xyz[i], c.xyz[i]) << f.name << " value " << i;
    }
}

TEST(CloudRead, AnEmptyCloudIsEmpty) {
  for (const CloudFormat& f : cloud_formats()) {
    if (f.batch()) continue;
    std::vector<CloudFile> files;
    f.encode(PointCloud{}, files);
    const std::string& suffix = files[0].suffix;
    EXPECT_TRUE(read_as(files[0].bytes, suffix.substr(suffix.rfind('.') + 1)).empty()) << f.name;
  }
}

TEST(CloudRead, PlyOfOtherWritersTypesOrdersAndEndianness) {
  // ASCII with a color before the coordinates, doubles, a face element after the vertices.
  const auto ascii = bytes_of(
      "ply\r\nformat ascii 1.0\r\ncomment made by hand\r\nelement vertex 2\r\nproperty uchar red\r\n"
      "property double z\r\nproperty double y\r\nproperty double x\r\nelement face 1\r\n"
      "property list uchar int vertex_indices\r\nend_header\r\n255 3 2 1\r\n0 -6.5 5e-1 +4\r\n3 0 1 1\r\n");
  PointCloud c = read_as(ascii, "ply");
  ASSERT_EQ(c.xyz, (std::vector<float>{1, 2, 3, 4, 0.5f, -6.5f}));

  // Big-endian int16 coordinates after an element of two non-list records.
  std::string h =
      "ply\nformat binary_big_endian 1.0\nelement camera 2\nproperty float fx\nelement vertex 2\n"
      "property short x\nproperty short y\nproperty short z\nend_header\n";
  std::vector<std::uint8_t> b = bytes_of(h);
  b.insert(b.end(), 8, 0xAB);  // the camera records
  for (std::int16_t v : {1, -2, 300, 4, 5, -32768}) {
    b.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(v) >> 8));
    b.push_back(static_cast<std::uint8_t>(v & 0xff));
  }
  c = read_as(b, "ply");
  ASSERT_EQ(c.xyz, (std::vector<float>{1, -2, 300, 4, 5, -32768}));

  // A face element before the vertices (binary): walked record by record.
  h = "ply\nformat binary_little_endian 1.0\nelement face 2\nproperty list uchar int vertex_indices\n"
      "element vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n";
  b = bytes_of(h);
  const std::uint8_t faces[] = {1, 9, 0, 0, 0, 0};  // a face of one index, then a face of none
  b.insert(b.end(), faces, faces + sizeof faces);
  for (float v : {7.f, 8.f, 9.f}) {
    std::uint8_t q[4];
    std::memcpy(q, &v, 4);
    b.insert(b.end(), q, q + 4);
  }
  c = read_as(b, "ply");
  ASSERT_EQ(c.xyz, (std::vector<float>{7, 8, 9}));
}

TEST(CloudRead, PcdOfOtherWritersDoublesCountsAndNanPoints) {
  // ASCII: an rgb field before x, a 3-value field between, a NaN point (dropped, as PCL does).
  const auto ascii = bytes_of(
      "# .PCD v0.7\nVERSION 0.7\nFIELDS rgb x hist y z\nSIZE 4 8 4 8 8\nTYPE F F F F F\nCOUNT 1 1 3 1 1\n"
      "WIDTH 3\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 3\nDATA ascii\n0 1 9 9 9 2 3\n0 nan 9 9 9 nan nan\n"
      "0 -4 9 9 9 5.25 6\n");
  PointCloud c = read_as(ascii, "pcd");
  ASSERT_EQ(c.xyz, (std::vector<float>{1, 2, 3, -4, 5.25f, 6}));

  // Binary with uint8 x, int16 y, float z, and no POINTS line (WIDTH x HEIGHT).
  std::vector<std::uint8_t> b =
      bytes_of("VERSION .7\nFIELDS x y z\nSIZE 1 2 4\nTYPE U I F\nWIDTH 2\nHEIGHT 1\nDATA binary\n");
  const float z0 = 0.5f, z1 = -1.5f;
  b.push_back(200);
  b.push_back(0xFE), b.push_back(0xFF);  // -2
  b.insert(b.end(), reinterpret_cast<const std::uint8_t*>(&z0), reinterpret_cast<const std::uint8_t*>(&z0) + 4);
  b.push_back(1);
  b.push_back(3), b.push_back(0);
  b.insert(b.end(), reinterpret_cast<const std::uint8_t*>(&z1), reinterpret_cast<const std::uint8_t*>(&z1) + 4);
  c = read_as(b, "pcd");
  ASSERT_EQ(c.xyz, (std::vector<float>{200, -2, 0.5f, 1, 3, -1.5f}));
}

TEST(CloudRead, PcdBinaryCompressedLiteralsAndBackReferences) {
  // Two points, fields x y z float: column layout x0 x1 y0 y1 z0 z1 (24 bytes), all 1.0f so the
  // LZF stream is one literal of 4 bytes and one back-reference of 20.
  const float one = 1.0f;
  std::vector<std::uint8_t> lzf = {3};
  lzf.insert(lzf.end(), reinterpret_cast<const std::uint8_t*>(&one), reinterpret_cast<const std::uint8_t*>(&one) + 4);
  // Back-reference: length 20 = (7 + extra) + 2 -> extra 11; distance 4 -> offset byte 3.
  lzf.push_back(static_cast<std::uint8_t>((7 << 5) | 0));
  lzf.push_back(11);
  lzf.push_back(3);
  std::vector<std::uint8_t> b = bytes_of(
      "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 2\nHEIGHT 1\nPOINTS 2\n"
      "DATA binary_compressed\n");
  const std::uint32_t packed = static_cast<std::uint32_t>(lzf.size()), unpacked = 24;
  b.insert(b.end(), reinterpret_cast<const std::uint8_t*>(&packed), reinterpret_cast<const std::uint8_t*>(&packed) + 4);
  b.insert(b.end(), reinterpret_cast<const std::uint8_t*>(&unpacked),
           reinterpret_cast<const std::uint8_t*>(&unpacked) + 4);
  b.insert(b.end(), lzf.begin(), lzf.end());
  const PointCloud c = read_as(b, "pcd");
  ASSERT_EQ(c.xyz, std::vector<float>(6, 1.0f));
  // A reference before the start of the output is refused.
  std::vector<std::uint8_t> bad = b;
  bad[bad.size() - 1] = 200;
  EXPECT_THROW(read_as(bad, "pcd"), Error);
}

TEST(CloudRead, EveryTruncationAndCorruptionIsAnErrorNotACrash) {
  const PointCloud c = random_cloud(20, true, 3);
  for (const CloudFormat& f : cloud_formats()) {
    if (f.batch()) continue;
    std::vector<CloudFile> files;
    f.encode(c, files);
    const auto& full = files[0].bytes;
    const std::string ext = files[0].suffix.substr(files[0].suffix.rfind('.') + 1);
    for (std::size_t n = 0; n < full.size(); ++n) {
      const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      try {
        const PointCloud got = read_as(cut, ext);
        // An ASCII file cut in its last number can still parse: never more points than written.
        EXPECT_LE(got.size(), c.size()) << f.name << " cut at " << n;
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      }
    }
    Rng rng(11);
    for (int k = 0; k < 2000; ++k) {
      std::vector<std::uint8_t> bad = full;
      for (int j = 0; j < 3; ++j)
        bad[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(bad.size()) - 1))] =
            static_cast<std::uint8_t>(rng.uniform_int(0, 255));
      try {
        read_as(bad, ext);
      } catch (const Error&) {
      }
    }
  }
}

TEST(CloudRead, HostileCountsAreRefusedBeforeAllocating) {
  const char* files[][2] = {
      {"ply",
       "ply\nformat binary_little_endian 1.0\nelement vertex 18446744073709551615\nproperty float x\n"
       "property float y\nproperty float z\nend_header\n"},
      {"ply",
       "ply\nformat ascii 1.0\nelement vertex 99999999999\nproperty float x\nproperty float y\n"
       "property float z\nend_header\n1 2 3\n"},
      {"ply",
       "ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
       "end_header\n"},
      {"ply", "ply\nformat ascii 1.0\nelement vertex 1\nproperty quaternion x\nend_header\n"},
      {"ply", "ply\nelement vertex 0\nend_header\n"},
      {"pcd", "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 4294967295\nHEIGHT 4294967295\nDATA binary\n"},
      {"pcd",
       "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS 1000000000\nDATA binary_compressed\n"
       "\x01\x00\x00\x00\x00\x5a\x62\x02\x00"},
      {"pcd", "FIELDS x y z\nSIZE 4 4 3\nTYPE F F F\nPOINTS 1\nDATA binary\n"},
      {"pcd", "FIELDS x y\nSIZE 4 4\nTYPE F F\nPOINTS 1\nDATA ascii\n1 2\n"},
      {"pcd", "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 0\nPOINTS 1\nDATA ascii\n1 2 3\n"},
      {"pcd", "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS 1\nDATA lzma\n"},
      {"pcd", "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nPOINTS 1\nDATA ascii\n1 2 zebra\n"},
      {"npy", "\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 3), }   \n"},
      {"npy", "\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }        \n"},
      {"xyz", "1 2 3\n"},
  };
  for (const auto& [ext, text] : files) {
    const std::vector<std::uint8_t> b = bytes_of(text);
    try {
      read_as(b, ext);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find("test."), std::string::npos) << "the file is named: " << e.what();
    }
  }
}

TEST(CloudRead, ModelNetHdf5ReadsBackAndOtherFilesAreRefused) {
  test::TempDir dir("fdsl-cloud-read");
  ModelNetBatch batch;
  batch.points = 5;
  for (int i = 0; i < 3 * 5 * 3; ++i) batch.data.push_back(static_cast<float>(i) * 0.5f);
  batch.label = {4, 0, 39};
  std::vector<std::uint8_t> bytes;
  encode_modelnet_h5(batch, bytes);
  write_file_atomic(dir.path() / "a.h5", bytes);
  const ModelNetClouds got = read_modelnet_h5(dir.path() / "a.h5");
  EXPECT_EQ(got.count, 3u);
  EXPECT_EQ(got.points, 5u);
  EXPECT_EQ(got.xyz, batch.data);
  EXPECT_EQ(got.label, (std::vector<std::int64_t>{4, 0, 39}));

  write_file_atomic(dir.path() / "b.h5", bytes_of("not hdf5 at all"));
  EXPECT_THROW(read_modelnet_h5(dir.path() / "b.h5"), Error);
  bytes.resize(bytes.size() / 2);
  write_file_atomic(dir.path() / "c.h5", bytes);
  EXPECT_THROW(read_modelnet_h5(dir.path() / "c.h5"), Error);
  EXPECT_THROW(read_modelnet_h5(dir.path() / "missing.h5"), Error);
}

}  // namespace
}  // namespace fdsl
