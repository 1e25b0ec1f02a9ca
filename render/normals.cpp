#include "fdsl/render/normals.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>

#include "fdsl/core/error.h"
#include "fdsl/core/stop.h"

namespace fdsl {

namespace {

constexpr std::uint32_t kLeafSize = 12;

/// The k best (distance, index) pairs seen so far, ascending; (d, i) pairs compare
/// lexicographically, so the result is the same whatever order the tree visits points in.
struct Best {
  std::size_t k, m = 0;
  std::uint32_t* index;
  float* dist2;

  float worst() const { return m < k ? std::numeric_limits<float>::infinity() : dist2[m - 1]; }
  void offer(float d, std::uint32_t i) {
    if (m == k && (d > dist2[m - 1] || (d == dist2[m - 1] && i > index[m - 1]))) return;
    std::size_t at = m < k ? m++ : m - 1;
    while (at > 0 && (dist2[at - 1] > d || (dist2[at - 1] == d && index[at - 1] > i))) {
      dist2[at] = dist2[at - 1];
      index[at] = index[at - 1];
      --at;
    }
    dist2[at] = d;
    index[at] = i;
  }
};

}  // namespace

KnnIndex::KnnIndex(const float* xyz, std::size_t n) : xyz_(xyz) {
  if (n > 0xffffffffu) throw_bad_input("nearest neighbours: more than 2^32 points");
  order_.resize(n);
  for (std::size_t i = 0; i < n; ++i) order_[i] = static_cast<std::uint32_t>(i);
  nodes_.reserve(2 * (n / kLeafSize + 1));
  if (n > 0) build(0, static_cast<std::uint32_t>(n));
  sorted_.resize(3 * n);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) sorted_[3 * i + a] = xyz_[3 * order_[i] + a];
}

std::int32_t KnnIndex::build(std::uint32_t begin, std::uint32_t end) {
  const std::int32_t id = static_cast<std::int32_t>(nodes_.size());
  nodes_.emplace_back();
  Node node;
  node.begin = begin;
  node.end = end;
  if (end - begin > kLeafSize) {
    float lo[3], hi[3];
    for (int a = 0; a < 3; ++a) lo[a] = hi[a] = xyz_[3 * order_[begin] + a];
    for (std::uint32_t i = begin; i < end; ++i)
      for (int a = 0; a < 3; ++a) {
        lo[a] = std::min(lo[a], xyz_[3 * order_[i] + a]);
        hi[a] = std::max(hi[a], xyz_[3 * order_[i] + a]);
      }
    int axis = 0;
    for (int a = 1; a < 3; ++a)
      if (hi[a] - lo[a] > hi[axis] - lo[axis]) axis = a;
    if (hi[axis] > lo[axis]) {
      const std::uint32_t mid = begin + (end - begin) / 2;
      const float* p = xyz_;
      std::nth_element(order_.begin() + begin, order_.begin() + mid, order_.begin() + end,
                       [p, axis](std::uint32_t u, std::uint32_t v) {
                         const float a = p[3 * u + axis], b = p[3 * v + axis];
                         return a < b || (a == b && u < v);
                       });
      node.axis = static_cast<std::uint8_t>(axis);
      node.split = xyz_[3 * order_[mid] + axis];
      node.left = build(begin, mid);
      node.right = build(mid, end);
    }
  }
  nodes_[static_cast<std::size_t>(id)] = node;
  return id;
}

void KnnIndex::search(std::int32_t id, const float q[3], float region_d2, float offset[3], void* best_ptr) const {
  Best& best = *static_cast<Best*>(best_ptr);
  const Node& node = nodes_[static_cast<std::size_t>(id)];
  if (node.left < 0) {
    for (std::uint32_t i = node.begin; i < node.end; ++i) {
      const float* s = &sorted_[3 * static_cast<std::size_t>(i)];
      const float dx = s[0] - q[0], dy = s[1] - q[1], dz = s[2] - q[2];
      const float d = (dx * dx + dy * dy) + dz * dz;
      if (d <= best.worst()) best.offer(d, order_[i]);
    }
    return;
  }
  const float diff = q[node.axis] - node.split;
  search(diff < 0 ? node.left : node.right, q, region_d2, offset, best_ptr);
  // The far side's box is at least as far as the box so far with this axis's gap replaced
  // (the incremental distance of Arya and Mount), a tighter bound than the plane alone.
  const float old = offset[node.axis];
  const float far_d2 = region_d2 - old * old + diff * diff;
  if (far_d2 <= best.worst()) {
    offset[node.axis] = diff;
    search(diff < 0 ? node.right : node.left, q, far_d2, offset, best_ptr);
    offset[node.axis] = old;
  }
}

std::size_t KnnIndex::nearest(const float q[3], std::size_t k, std::uint32_t* index, float* dist2) const {
  if (k == 0 || nodes_.empty()) return 0;
  Best best{std::min(k, order_.size()), 0, index, dist2};
  float offset[3] = {0, 0, 0};
  search(0, q, 0.0f, offset, &best);
  return best.m;
}

void estimate_normals(const float* xyz, std::size_t n, int k, float* normals) {
  if (k < 3) throw_bad_input("normals: need at least 3 neighbours, got " + std::to_string(k));
  if (n == 0) return;
  double c[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) c[a] += xyz[3 * i + a];
  for (double& v : c) v /= static_cast<double>(n);

  const KnnIndex index(xyz, n);
  std::vector<std::uint32_t> nb(static_cast<std::size_t>(k));
  std::vector<float> d2(static_cast<std::size_t>(k));
  std::size_t done = 0;
  for (const std::uint32_t i : index.order()) {
    if ((++done & 4095) == 0) throw_if_stopped("normal estimation");
    const float* p = xyz + 3 * static_cast<std::size_t>(i);
    const std::size_t m = index.nearest(p, static_cast<std::size_t>(k), nb.data(), d2.data());
    // Covariance of the neighbourhood, about its own mean, in double.
    double mean[3] = {0, 0, 0};
    for (std::size_t j = 0; j < m; ++j)
      for (int a = 0; a < 3; ++a) mean[a] += xyz[3 * nb[j] + a];
    for (double& v : mean) v /= static_cast<double>(m);
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    for (std::size_t j = 0; j < m; ++j) {
      const Eigen::Vector3d d(xyz[3 * nb[j]] - mean[0], xyz[3 * nb[j] + 1] - mean[1], xyz[3 * nb[j] + 2] - mean[2]);
      cov += d * d.transpose();
    }
    Eigen::Vector3d out(p[0] - c[0], p[1] - c[1], p[2] - c[2]);
    const Eigen::Vector3d outward = out;
    if (cov.trace() > 0) {
      Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver;
      solver.computeDirect(cov);
      out = solver.eigenvectors().col(0);  // eigenvalues ascending: the surface's normal direction
    }
    double len = out.norm();
    if (!(len > 0)) {
      out = Eigen::Vector3d(0, 0, 1);
      len = 1;
    }
    out /= len;
    if (out.dot(outward) < 0) out = -out;
    for (int a = 0; a < 3; ++a) normals[3 * i + a] = static_cast<float>(out[a]);
  }
}

}  // namespace fdsl
