// Surface normals of a point cloud: the eigenvector of the smallest eigenvalue of the covariance
// of each point's k nearest neighbours (the method of PCL's NormalEstimation, which the tests use
// as the reference), oriented away from the cloud's centroid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdsl {

/// k-nearest-neighbour queries over a fixed set of points: a kd-tree with median splits on the
/// widest axis, searched with incremental box distances. Deterministic (same points, same answers, ties included);
/// const queries are thread-safe.
class KnnIndex {
 public:
  /// Indexes `n` interleaved points; the caller keeps `xyz` alive while the index is used.
  KnnIndex(const float* xyz, std::size_t n);

  /// The `k` nearest points to `q` (itself included when q is one of the points), nearest first,
  /// written to `index` and their squared distances to `dist2`. Returns how many were found
  /// (min(k, n)).
  std::size_t nearest(const float q[3], std::size_t k, std::uint32_t* index, float* dist2) const;

  /// The points in the tree's order (neighbours in space are close in this order): querying in
  /// this order keeps the tree in cache.
  const std::vector<std::uint32_t>& order() const { return order_; }

 private:
  struct Node {
    float split = 0;
    std::uint32_t begin = 0, end = 0;    ///< range of order_ (leaves)
    std::int32_t left = -1, right = -1;  ///< children (-1: leaf)
    std::uint8_t axis = 0;
  };
  std::int32_t build(std::uint32_t begin, std::uint32_t end);
  /// Depth-first search below `id`, nearer side first; `region_d2` bounds the squared distance from
  /// q to the node's box, `offset` holds q's per-axis gaps to it. `best` is the result set.
  void search(std::int32_t id, const float q[3], float region_d2, float offset[3], void* best) const;

  const float* xyz_;
  std::vector<std::uint32_t> order_;  ///< tree order -> point index
  std::vector<float> sorted_;         ///< the points in tree order (leaves are contiguous)
  std::vector<Node> nodes_;
};

/// Normals for `n` interleaved points from their `k` nearest neighbours (k >= 3), written to
/// `normals` (3 floats per point), unit length, oriented so that n . (p - centroid) >= 0. A point
/// whose neighbourhood spans no plane (all neighbours coincide) gets the direction from the
/// centroid to it, or +z at the centroid itself.
void estimate_normals(const float* xyz, std::size_t n, int k, float* normals);

}  // namespace fdsl
