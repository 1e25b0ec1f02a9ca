// PCL itself as the consumer and the reference: it loads fdsl's PCD files (binary and ASCII) into
// its own point types with the values written, its writer makes the same bytes as fdsl's, and its
// NormalEstimation agrees with fdsl's normals on PC-FractalDB clouds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <pcl/common/centroid.h>
#include <pcl/features/normal_3d.h>
#include <pcl/io/pcd_io.h>
#include <pcl/point_types.h>
#include <pcl/search/kdtree.h>
#include <Eigen/Eigenvalues>

#include "fdsl/core/rng.h"
#include "fdsl/generators/pc_fractal.h"
#include "fdsl/io/cloud_read.h"
#include "fdsl/io/files.h"
#include "fdsl/io/pcd.h"
#include "fdsl/render/normals.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

PointCloud cloud_with(std::size_t n, bool normals, bool labels, std::uint64_t key) {
  Rng rng(key);
  PointCloud c;
  for (std::size_t i = 0; i < 3 * n; ++i) c.xyz.push_back(static_cast<float>(rng.uniform(-2, 2)));
  if (normals)
    for (std::size_t i = 0; i < 3 * n; ++i) c.normals.push_back(static_cast<float>(rng.uniform(-1, 1)));
  if (labels)
    for (std::size_t i = 0; i < n; ++i) c.class_ids.push_back(static_cast<std::int32_t>(rng.uniform_int(0, 999)));
  return c;
}

fs::path write_pcd(const test::TempDir& dir, const std::string& name, const PointCloud& c, PcdEncoding e) {
  std::vector<std::uint8_t> bytes;
  encode_pcd(c, e, bytes);
  write_file_atomic(dir / name, bytes);
  return dir / name;
}

class PclReadsPcd : public ::testing::TestWithParam<PcdEncoding> {};

TEST_P(PclReadsPcd, IntoPointXYZ) {
  test::TempDir dir("fdsl-pcl");
  const PointCloud c = cloud_with(1000, false, false, 1);
  pcl::PointCloud<pcl::PointXYZ> got;
  ASSERT_EQ(pcl::io::loadPCDFile(write_pcd(dir, "a.pcd", c, GetParam()).string(), got), 0);
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.width, 1000u);
  EXPECT_EQ(got.height, 1u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].x, c.xyz[3 * i]);
    EXPECT_EQ(got[i].y, c.xyz[3 * i + 1]);
    EXPECT_EQ(got[i].z, c.xyz[3 * i + 2]);
  }
}

TEST_P(PclReadsPcd, IntoPointNormalAndPointXYZL) {
  test::TempDir dir("fdsl-pcl");
  const PointCloud c = cloud_with(500, true, true, 2);
  const fs::path path = write_pcd(dir, "b.pcd", c, GetParam());
  pcl::PointCloud<pcl::PointNormal> with_normals;
  ASSERT_EQ(pcl::io::loadPCDFile(path.string(), with_normals), 0);
  ASSERT_EQ(with_normals.size(), 500u);
  pcl::PointCloud<pcl::PointXYZL> with_labels;
  ASSERT_EQ(pcl::io::loadPCDFile(path.string(), with_labels), 0);
  ASSERT_EQ(with_labels.size(), 500u);
  for (std::size_t i = 0; i < 500; ++i) {
    EXPECT_EQ(with_normals[i].x, c.xyz[3 * i]);
    EXPECT_EQ(with_normals[i].normal_x, c.normals[3 * i]);
    EXPECT_EQ(with_normals[i].normal_y, c.normals[3 * i + 1]);
    EXPECT_EQ(with_normals[i].normal_z, c.normals[3 * i + 2]);
    EXPECT_EQ(with_labels[i].z, c.xyz[3 * i + 2]);
    EXPECT_EQ(with_labels[i].label, static_cast<std::uint32_t>(c.class_ids[i]));
  }
}

INSTANTIATE_TEST_SUITE_P(Encodings, PclReadsPcd, ::testing::Values(PcdEncoding::Binary, PcdEncoding::Ascii),
                         [](const ::testing::TestParamInfo<PcdEncoding>& i) {
                           return std::string(i.param == PcdEncoding::Binary ? "Binary" : "Ascii");
                         });

TEST(PclWritesPcd, TheSameBytesAsFdslForXyzAndXyzl) {
  test::TempDir dir("fdsl-pcl");
  for (bool labels : {false, true}) {
    const PointCloud c = cloud_with(777, false, labels, 3);
    std::vector<std::uint8_t> ours;
    encode_pcd(c, PcdEncoding::Binary, ours);
    const std::string path = (dir / "pcl.pcd").string();
    if (labels) {
      pcl::PointCloud<pcl::PointXYZL> p;
      for (std::size_t i = 0; i < c.size(); ++i) {
        pcl::PointXYZL q;
        q.x = c.xyz[3 * i];
        q.y = c.xyz[3 * i + 1];
        q.z = c.xyz[3 * i + 2];
        q.label = static_cast<std::uint32_t>(c.class_ids[i]);
        p.push_back(q);
      }
      ASSERT_EQ(pcl::io::savePCDFileBinary(path, p), 0);
    } else {
      pcl::PointCloud<pcl::PointXYZ> p;
      for (std::size_t i = 0; i < c.size(); ++i)
        p.push_back(pcl::PointXYZ(c.xyz[3 * i], c.xyz[3 * i + 1], c.xyz[3 * i + 2]));
      ASSERT_EQ(pcl::io::savePCDFileBinary(path, p), 0);
    }
    const std::vector<std::uint8_t> theirs = read_file(path);
    EXPECT_EQ(std::string(ours.begin(), ours.end()), std::string(theirs.begin(), theirs.end())) << "labels " << labels;
  }
}

TEST(PclNormals, AgreeWithFdslOnPcFractalDbClouds) {
  PcSearchOptions o;
  const PcSearchResult found = search_pc_fractal(o, 3, 1);
  for (std::size_t c = 0; c < found.systems.size(); ++c) {
    std::vector<float> xyz(3 * 8000);
    Orbit3 scratch;
    ASSERT_TRUE(sample_normalized(found.systems[c], 8000, Rng(4, c, 0, Purpose::Orbit), xyz.data(), scratch));
    std::vector<float> ours(xyz.size());
    estimate_normals(xyz.data(), 8000, 16, ours.data());

    pcl::PointCloud<pcl::PointXYZ>::Ptr cloud(new pcl::PointCloud<pcl::PointXYZ>);
    double centroid[3] = {0, 0, 0};
    for (std::size_t i = 0; i < 8000; ++i) {
      cloud->push_back(pcl::PointXYZ(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]));
      for (int a = 0; a < 3; ++a) centroid[a] += xyz[3 * i + a] / 8000.0;
    }
    pcl::NormalEstimation<pcl::PointXYZ, pcl::Normal> ne;
    ne.setInputCloud(cloud);
    ne.setSearchMethod(pcl::search::KdTree<pcl::PointXYZ>::Ptr(new pcl::search::KdTree<pcl::PointXYZ>));
    ne.setKSearch(16);
    // PCL turns normals towards the viewpoint; fdsl turns them away from the centroid.
    ne.setViewPoint(static_cast<float>(centroid[0]), static_cast<float>(centroid[1]), static_cast<float>(centroid[2]));
    pcl::PointCloud<pcl::Normal> theirs;
    ne.compute(theirs);
    // Only where a normal is defined: the neighbourhood spans a surface patch (its middle eigenvalue
    // is not float noise beside the largest) and the smallest eigenvalue is well below the middle
    // one; and it is not a cluster of near-duplicates. Across a filament every direction is a
    // valid answer, and the two programs pick different ones.
    pcl::search::KdTree<pcl::PointXYZ> tree;
    tree.setInputCloud(cloud);
    std::vector<int> nb;
    std::vector<float> d2;
    std::size_t compared = 0, agree = 0;
    for (std::size_t i = 0; i < 8000; ++i) {
      if (!std::isfinite(theirs[i].normal_x)) continue;  // PCL gives NaN for degenerate neighbourhoods
      tree.nearestKSearch((*cloud)[i], 16, nb, d2);
      Eigen::Matrix3f cov = Eigen::Matrix3f::Zero();
      Eigen::Vector4f mean = Eigen::Vector4f::Zero();
      pcl::computeMeanAndCovarianceMatrix(*cloud, nb, cov, mean);
      const Eigen::Vector3f ev = Eigen::SelfAdjointEigenSolver<Eigen::Matrix3f>(cov).eigenvalues();
      if (!(ev[2] > 1e-12f && ev[1] > 1e-3f * ev[2] && ev[1] > 4 * ev[0])) continue;
      ++compared;
      const double dot = ours[3 * i] * theirs[i].normal_x + ours[3 * i + 1] * theirs[i].normal_y +
                         ours[3 * i + 2] * theirs[i].normal_z;
      agree += dot < -0.99;
    }
    EXPECT_GT(compared, 1000u) << "category " << c;
    EXPECT_GE(static_cast<double>(agree), 0.99 * static_cast<double>(compared)) << "category " << c;
  }
}

// The other direction: fdsl's reader (fdsl stats) reads what PCL writes, in all three encodings,
// binary_compressed (LZF, column layout) included, with PCL's fields around x y z.
TEST(FdslReadsPcl, EveryEncodingOfPointXYZRGBNormal) {
  test::TempDir dir("fdsl-pcl");
  Rng rng(5);
  pcl::PointCloud<pcl::PointXYZRGBNormal> cloud;
  for (int i = 0; i < 5000; ++i) {
    pcl::PointXYZRGBNormal p;
    // Repeated values make long LZF back-references; random ones literals.
    p.x = i % 3 == 0 ? 1.0f : static_cast<float>(rng.uniform(-5, 5));
    p.y = static_cast<float>(rng.uniform(-5, 5));
    p.z = static_cast<float>(i % 100);
    p.r = p.g = p.b = static_cast<std::uint8_t>(i);
    p.normal_x = p.normal_y = 0;
    p.normal_z = 1;
    p.curvature = 0;
    cloud.push_back(p);
  }
  for (int mode = 0; mode < 3; ++mode) {
    const fs::path path = dir / ("pcl" + std::to_string(mode) + ".pcd");
    pcl::PCDWriter writer;
    const int rc = mode == 0   ? writer.writeASCII(path.string(), cloud, 9)
                   : mode == 1 ? writer.writeBinary(path.string(), cloud)
                               : writer.writeBinaryCompressed(path.string(), cloud);
    ASSERT_EQ(rc, 0);
    const std::vector<std::uint8_t> bytes = read_file(path);
    const PointCloud got = decode_pcd(bytes.data(), bytes.size(), path.string());
    ASSERT_EQ(got.size(), cloud.size()) << "mode " << mode;
    for (std::size_t i = 0; i < cloud.size(); ++i) {
      ASSERT_EQ(got.xyz[3 * i], cloud[i].x) << "mode " << mode << " point " << i;
      ASSERT_EQ(got.xyz[3 * i + 1], cloud[i].y) << "mode " << mode << " point " << i;
      ASSERT_EQ(got.xyz[3 * i + 2], cloud[i].z) << "mode " << mode << " point " << i;
    }
  }
}

}  // namespace
}  // namespace fdsl
