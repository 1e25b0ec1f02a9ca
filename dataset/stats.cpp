#include "fdsl/dataset/stats.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <numeric>

#include <Eigen/Eigenvalues>

#include "fdsl/core/error.h"
#include "fdsl/core/memory.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/stop.h"
#include "fdsl/core/version.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/guard.h"
#include "fdsl/dataset/manifest.h"
#include "fdsl/io/cloud_read.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "fdsl/io/tar_reader.h"
#include "sinks.h"

namespace fdsl {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

// ---- one sample -------------------------------------------------------------------------------

namespace {

struct Pixels {
  const std::uint8_t* data;
  int w, h, c;
};

std::uint32_t pixel_at(const Pixels& im, std::size_t i) {
  const std::uint8_t* p = im.data + i * im.c;
  return im.c == 1 ? p[0] : (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
}

/// The most frequent value on the border (ties: the smallest value).
std::uint32_t border_mode(const Pixels& im) {
  std::vector<std::uint32_t> v;
  const int w = im.w, h = im.h;
  v.reserve(2 * static_cast<std::size_t>(w + h));
  for (int x = 0; x < w; ++x) {
    v.push_back(pixel_at(im, x));
    if (h > 1) v.push_back(pixel_at(im, static_cast<std::size_t>(h - 1) * w + x));
  }
  for (int y = 1; y + 1 < h; ++y) {
    v.push_back(pixel_at(im, static_cast<std::size_t>(y) * w));
    if (w > 1) v.push_back(pixel_at(im, static_cast<std::size_t>(y) * w + w - 1));
  }
  std::sort(v.begin(), v.end());
  std::uint32_t best = v[0];
  std::size_t best_n = 0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    if (j - i > best_n) best_n = j - i, best = v[i];
    i = j;
  }
  return best;
}

std::uint32_t border_mode(const Image& im) {
  return border_mode(Pixels{im.pixels.data(), im.width, im.height, im.channels});
}

/// The covariance eigenvalues of a cloud's points, descending (l1 >= l2 >= l3 >= 0).
std::array<double, 3> pca_eigenvalues(const float* p, std::size_t n, const double mean[3]) {
  double cov[3][3] = {};
  for (std::size_t i = 0; i < n; ++i) {
    const double d[3] = {p[3 * i] - mean[0], p[3 * i + 1] - mean[1], p[3 * i + 2] - mean[2]};
    for (int a = 0; a < 3; ++a)
      for (int b = a; b < 3; ++b) cov[a][b] += d[a] * d[b];
  }
  Eigen::Matrix3d m;
  for (int a = 0; a < 3; ++a)
    for (int b = a; b < 3; ++b) m(a, b) = m(b, a) = cov[a][b] / static_cast<double>(n);
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(m, Eigen::EigenvaluesOnly);
  const Eigen::Vector3d ev = eig.eigenvalues();  // ascending
  return {std::max(ev(2), 0.0), std::max(ev(1), 0.0), std::max(ev(0), 0.0)};
}

}  // namespace

namespace {
SampleStats image_stats_on(const Image& image, std::string name, std::string klass, std::uint32_t bg);
}

SampleStats image_stats(const Image& image, std::string name, std::string klass) {
  if (image.empty() || image.width <= 0 || image.height <= 0) return image_stats_on(image, name, klass, 0);
  return image_stats_on(image, std::move(name), std::move(klass), border_mode(image));
}

SampleStats image_stats(const Image& image, std::string name, std::string klass, const Image& shape_mask) {
  SampleStats s = image_stats(image, name, klass);
  if (shape_mask.width != image.width || shape_mask.height != image.height || shape_mask.channels != 1)
    throw_runtime(name + ": the shape mask is " + std::to_string(shape_mask.width) + "x" +
                  std::to_string(shape_mask.height) + "x" + std::to_string(shape_mask.channels) + ", the image " +
                  std::to_string(image.width) + "x" + std::to_string(image.height));
  const SampleStats m = image_stats_on(shape_mask, name, klass, 0);
  s.ink = m.ink;
  s.bbox_w = m.bbox_w;
  s.bbox_h = m.bbox_h;
  s.descriptor = m.descriptor;
  return s;
}

namespace {
/// image_stats with the background value `bg` (packed as border_mode packs it).
SampleStats image_stats_on(const Image& image, std::string name, std::string klass, std::uint32_t bg) {
  SampleStats s;
  s.name = std::move(name);
  s.klass = std::move(klass);
  s.width = image.width;
  s.height = image.height;
  s.channels = image.channels;
  constexpr int G = kStatsImageGrid;
  s.descriptor.assign(G * G, 0.f);
  if (image.empty() || image.width <= 0 || image.height <= 0) return s;
  const int w = image.width, h = image.height, c = image.channels;
  // Cell k of a row spans columns [bx[k], bx[k+1]); the pixel count of a cell follows from the
  // spans, so the pixel loop only counts ink (branch-free) and sums bytes.
  std::vector<int> bx(G + 1), by(G + 1);
  for (int k = 0; k <= G; ++k) {
    bx[k] = static_cast<int>((static_cast<std::int64_t>(k) * w + G - 1) / G);
    by[k] = static_cast<int>((static_cast<std::int64_t>(k) * h + G - 1) / G);
  }
  std::vector<std::int64_t> cell_ink(G * G, 0);
  const std::uint8_t b0 = c == 1 ? static_cast<std::uint8_t>(bg) : static_cast<std::uint8_t>(bg >> 16);
  const std::uint8_t b1 = static_cast<std::uint8_t>(bg >> 8), b2 = static_cast<std::uint8_t>(bg);
  auto is_ink = [&](const std::uint8_t* p) -> std::uint32_t {
    return c == 1 ? p[0] != b0 : ((p[0] ^ b0) | (p[1] ^ b1) | (p[2] ^ b2)) != 0;
  };
  std::int64_t ink = 0;
  int x0 = w, x1 = -1, y0 = h, y1 = -1;
  std::uint64_t sum = 0;
  double sum2 = 0;
  const std::size_t row_bytes = static_cast<std::size_t>(w) * c;
  std::vector<std::uint8_t> bg_row(row_bytes);
  for (std::size_t i = 0; i < row_bytes; i += c) {
    bg_row[i] = b0;
    if (c == 3) bg_row[i + 1] = b1, bg_row[i + 2] = b2;
  }
  for (int cy = 0; cy < G; ++cy)
    for (int y = by[cy]; y < by[cy + 1]; ++y) {
      const std::uint8_t* row = image.row(y);
      std::int64_t* ci = cell_ink.data() + cy * G;
      std::int64_t row_ink = 0;
      for (int k = 0; k < G; ++k) {
        std::uint32_t seg = 0;
        const std::size_t b = static_cast<std::size_t>(bx[k]) * c, e = static_cast<std::size_t>(bx[k + 1]) * c;
        // Most cells of a sparse render are background: one memcmp settles them.
        if (std::memcmp(row + b, bg_row.data() + b, e - b) == 0) continue;
        if (c == 1) {
          for (int x = bx[k]; x < bx[k + 1]; ++x) seg += row[x] != b0;
        } else {
          for (int x = bx[k]; x < bx[k + 1]; ++x) seg += is_ink(row + static_cast<std::size_t>(x) * c);
        }
        ci[k] += seg;
        row_ink += seg;
      }
      // 32-bit sums over blocks small enough not to overflow (16384 x 255^2 < 2^32): they vectorize.
      for (std::size_t i0 = 0; i0 < row_bytes; i0 += 16384) {
        const std::size_t i1 = std::min(row_bytes, i0 + 16384);
        std::uint32_t block_sum = 0, block_sum2 = 0;
        for (std::size_t i = i0; i < i1; ++i) {
          const std::uint32_t v = row[i];
          block_sum += v;
          block_sum2 += v * v;
        }
        sum += block_sum;
        sum2 += static_cast<double>(block_sum2);
      }
      if (row_ink == 0) continue;
      ink += row_ink;
      y0 = std::min(y0, y), y1 = y;
      // Only columns outside the box found so far can widen it.
      for (int x = 0; x < x0; ++x)
        if (is_ink(row + static_cast<std::size_t>(x) * c)) {
          x0 = x;
          break;
        }
      for (int x = w - 1; x > x1; --x)
        if (is_ink(row + static_cast<std::size_t>(x) * c)) {
          x1 = x;
          break;
        }
    }
  const double n = static_cast<double>(w) * h;
  const double bytes = n * c;
  s.ink = ink / n;
  if (ink > 0) {
    s.bbox_w = (x1 - x0 + 1) / static_cast<double>(w);
    s.bbox_h = (y1 - y0 + 1) / static_cast<double>(h);
  }
  s.mean = sum / bytes;
  s.std = std::sqrt(std::max(0.0, sum2 / bytes - s.mean * s.mean));
  for (int i = 0; i < G * G; ++i) {
    const std::int64_t cells = static_cast<std::int64_t>(bx[i % G + 1] - bx[i % G]) * (by[i / G + 1] - by[i / G]);
    s.descriptor[i] = cells ? static_cast<float>(static_cast<double>(cell_ink[i]) / cells) : 0.f;
  }
  return s;
}
}  // namespace

SampleStats cloud_stats(const PointCloud& cloud, std::string name, std::string klass) {
  SampleStats s;
  s.name = std::move(name);
  s.klass = std::move(klass);
  s.is_cloud = true;
  constexpr int G = kStatsCloudGrid;
  s.descriptor.assign(G * G * G, 0.f);
  const std::size_t n = cloud.size();
  s.points = static_cast<std::int64_t>(n);
  if (n == 0) return s;
  const float* p = cloud.xyz.data();
  double lo[3], hi[3], mean[3] = {0, 0, 0};
  for (int a = 0; a < 3; ++a) lo[a] = hi[a] = p[a];
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) {
      const double v = p[3 * i + a];
      lo[a] = std::min(lo[a], v), hi[a] = std::max(hi[a], v);
      mean[a] += v;
    }
  for (int a = 0; a < 3; ++a) mean[a] /= static_cast<double>(n);
  double var[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) {
      const double d = p[3 * i + a] - mean[a];
      var[a] += d * d;
    }
  for (int a = 0; a < 3; ++a) {
    s.var[a] = var[a] / static_cast<double>(n);
    s.extent[a] = hi[a] - lo[a];
  }
  const std::array<double, 3> l = pca_eigenvalues(p, n, mean);
  s.l21 = l[0] > 0 ? l[1] / l[0] : 0;
  s.l31 = l[0] > 0 ? l[2] / l[0] : 0;
  // Distinct points: exact float triples.
  std::vector<std::array<float, 3>> pts(n);
  for (std::size_t i = 0; i < n; ++i) pts[i] = {p[3 * i], p[3 * i + 1], p[3 * i + 2]};
  std::sort(pts.begin(), pts.end());
  s.distinct = static_cast<double>(std::unique(pts.begin(), pts.end()) - pts.begin()) / static_cast<double>(n);
  // Occupancy in the bounding cube around the box centre.
  const double side = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  double origin[3];
  for (int a = 0; a < 3; ++a) origin[a] = (lo[a] + hi[a]) / 2 - side / 2;
  std::vector<std::int64_t> cells(G * G * G, 0);
  for (std::size_t i = 0; i < n; ++i) {
    int idx[3];
    for (int a = 0; a < 3; ++a) {
      const double t = side > 0 ? (p[3 * i + a] - origin[a]) / side : 0.5;
      idx[a] = std::clamp(static_cast<int>(t * G), 0, G - 1);
    }
    ++cells[(idx[2] * G + idx[1]) * G + idx[0]];
  }
  for (int i = 0; i < G * G * G; ++i) s.descriptor[i] = static_cast<float>(static_cast<double>(cells[i]) / n);
  return s;
}

double ink_fraction(const std::uint8_t* pixels, int width, int height, int channels) {
  if (!pixels || width <= 0 || height <= 0 || channels <= 0) return 0;
  const Pixels im{pixels, width, height, channels};
  const std::uint32_t bg = border_mode(im);
  const int c = channels;
  const std::uint8_t b0 = c == 1 ? static_cast<std::uint8_t>(bg) : static_cast<std::uint8_t>(bg >> 16);
  const std::uint8_t b1 = static_cast<std::uint8_t>(bg >> 8), b2 = static_cast<std::uint8_t>(bg);
  const std::size_t row_bytes = static_cast<std::size_t>(width) * c;
  std::vector<std::uint8_t> bg_row(row_bytes);
  for (std::size_t i = 0; i < row_bytes; i += c) {
    bg_row[i] = b0;
    if (c >= 3) bg_row[i + 1] = b1, bg_row[i + 2] = b2;
  }
  std::int64_t ink = 0;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = pixels + static_cast<std::size_t>(y) * row_bytes;
    if (std::memcmp(row, bg_row.data(), row_bytes) == 0) continue;
    if (c == 1) {
      std::int64_t n = 0;
      for (int x = 0; x < width; ++x) n += row[x] != b0;
      ink += n;
    } else {
      for (int x = 0; x < width; ++x) {
        const std::uint8_t* q = row + static_cast<std::size_t>(x) * c;
        ink += ((q[0] ^ b0) | (q[1] ^ b1) | (q[2] ^ b2)) != 0;
      }
    }
  }
  return static_cast<double>(ink) / (static_cast<double>(width) * height);
}

double ink_fraction(const Image& image) {
  return ink_fraction(image.pixels.data(), image.width, image.height, image.channels);
}

double shape_ink_fraction(const Image& mask) {
  if (mask.pixels.empty()) return 0;
  const auto ink = std::count_if(mask.pixels.begin(), mask.pixels.end(), [](std::uint8_t v) { return v != 0; });
  return static_cast<double>(ink) / static_cast<double>(mask.pixels.size());
}

double cloud_flatness(const PointCloud& cloud) {
  const std::size_t n = cloud.size();
  if (n == 0) return 0;
  const float* p = cloud.xyz.data();
  double mean[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) mean[a] += p[3 * i + a];
  for (int a = 0; a < 3; ++a) mean[a] /= static_cast<double>(n);
  const std::array<double, 3> l = pca_eigenvalues(p, n, mean);
  return l[0] > 0 ? l[2] / l[0] : 0;
}

// ---- the report -------------------------------------------------------------------------------

namespace {

ojson summary_of(std::vector<double> v) {
  ojson j;
  j["count"] = v.size();
  if (v.empty()) return j;
  const double n = static_cast<double>(v.size());
  double sum = 0;
  for (double x : v) sum += x;
  const double mean = sum / n;
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  std::sort(v.begin(), v.end());
  auto q = [&](double f) { return v[static_cast<std::size_t>(std::llround(f * (n - 1)))]; };
  j["mean"] = mean;
  j["std"] = std::sqrt(ss / n);
  j["min"] = v.front();
  j["p05"] = q(0.05);
  j["p50"] = q(0.5);
  j["p95"] = q(0.95);
  j["max"] = v.back();
  return j;
}

/// Class keys in a natural order: numerically when every key is a whole number, else as text.
bool all_numeric(const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    if (k.empty() || k.size() > 18) return false;
    for (char ch : k)
      if (ch < '0' || ch > '9') return false;
  }
  return true;
}

struct ClassGroup {
  std::string key;
  std::vector<std::size_t> members;  // indices into the samples of one kind
  std::vector<double> mean_desc;
  double spread = 0;
};

constexpr std::size_t kMaxNames = 1000;  // flagged names listed per kind (the count is always exact)

ojson names_json(const std::vector<std::string>& names) {
  ojson j = ojson::array();
  for (std::size_t i = 0; i < names.size() && i < kMaxNames; ++i) j.push_back(names[i]);
  return j;
}

/// Per-class figures, the closest class pairs and the classes that do not vary, for one kind.
void class_analysis(const std::vector<const SampleStats*>& s, const StatsThresholds& t, int threads, ojson& out) {
  std::map<std::string, std::size_t> index;
  std::vector<ClassGroup> groups;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto [it, fresh] = index.emplace(s[i]->klass, groups.size());
    if (fresh) groups.push_back({s[i]->klass, {}, {}, 0});
    groups[it->second].members.push_back(i);
  }
  std::vector<std::string> keys;
  for (const auto& g : groups) keys.push_back(g.key);
  const bool numeric = all_numeric(keys);
  std::sort(groups.begin(), groups.end(), [numeric](const ClassGroup& a, const ClassGroup& b) {
    if (numeric && a.key.size() != b.key.size()) {
      return std::stoll(a.key) < std::stoll(b.key) || (std::stoll(a.key) == std::stoll(b.key) && a.key < b.key);
    }
    return a.key < b.key;
  });
  const std::size_t C = groups.size();
  if (C == 0) return;
  // Many classes: compare 2 x 2 (2 x 2 x 2) pooled descriptors, so the pairs stay quick.
  const std::size_t full_dim = s[0]->descriptor.size();
  const bool pool = C > 4000;
  const int G = s[0]->is_cloud ? kStatsCloudGrid : kStatsImageGrid;
  auto pooled = [&](const std::vector<float>& d, std::vector<double>& out_d) {
    if (!pool) {
      out_d.assign(d.begin(), d.end());
      return;
    }
    const int H = G / 2;
    if (s[0]->is_cloud) {
      out_d.assign(H * H * H, 0.0);
      for (int z = 0; z < G; ++z)
        for (int y = 0; y < G; ++y)
          for (int x = 0; x < G; ++x) out_d[((z / 2) * H + y / 2) * H + x / 2] += d[(z * G + y) * G + x];
    } else {
      out_d.assign(H * H, 0.0);
      for (int y = 0; y < G; ++y)
        for (int x = 0; x < G; ++x) out_d[(y / 2) * H + x / 2] += d[y * G + x] / 4.0;
    }
  };
  std::size_t dim = 0;
  parallel_for(0, static_cast<std::int64_t>(C), threads, [&](std::int64_t gi) {
    ClassGroup& g = groups[gi];
    std::vector<double> acc, d;
    for (std::size_t m : g.members) {
      pooled(s[m]->descriptor, d);
      if (acc.empty()) acc.assign(d.size(), 0.0);
      for (std::size_t k = 0; k < d.size(); ++k) acc[k] += d[k];
    }
    for (double& v : acc) v /= static_cast<double>(g.members.size());
    double spread = 0;
    for (std::size_t m : g.members) {
      pooled(s[m]->descriptor, d);
      double dd = 0;
      for (std::size_t k = 0; k < d.size(); ++k) dd += (d[k] - acc[k]) * (d[k] - acc[k]);
      spread += std::sqrt(dd);
    }
    g.spread = spread / static_cast<double>(g.members.size());
    g.mean_desc = std::move(acc);
  });
  dim = groups[0].mean_desc.size();
  (void)full_dim;
  // Nearest class of every class, and each row's closest pairs (a < b), in parallel by row.
  struct Pair {
    double d;
    std::size_t a, b;
    bool operator<(const Pair& o) const { return d < o.d || (d == o.d && (a < o.a || (a == o.a && b < o.b))); }
  };
  const std::size_t K = static_cast<std::size_t>(std::max(0, t.similar_pairs));
  std::vector<double> nearest_d(C, -1);
  std::vector<std::size_t> nearest(C, 0);
  std::vector<std::vector<Pair>> row_pairs(C);
  if (C > 1) {
    parallel_for(0, static_cast<std::int64_t>(C), threads, [&](std::int64_t ai) {
      if ((ai & 63) == 0) throw_if_stopped("class distances");
      const std::size_t a = static_cast<std::size_t>(ai);
      const double* ma = groups[a].mean_desc.data();
      std::vector<Pair> best;
      double nd = -1;
      std::size_t nb = 0;
      for (std::size_t b = 0; b < C; ++b) {
        if (b == a) continue;
        const double* mb = groups[b].mean_desc.data();
        double dd = 0;
        for (std::size_t k = 0; k < dim; ++k) dd += (ma[k] - mb[k]) * (ma[k] - mb[k]);
        const double d = std::sqrt(dd);
        if (nd < 0 || d < nd) nd = d, nb = b;
        if (b > a && K > 0) {
          best.push_back({d, a, b});
          if (best.size() > 4 * K) {
            std::nth_element(best.begin(), best.begin() + K, best.end());
            best.resize(K);
          }
        }
      }
      std::sort(best.begin(), best.end());
      if (best.size() > K) best.resize(K);
      nearest_d[a] = nd;
      nearest[a] = nb;
      row_pairs[a] = std::move(best);
    });
  }
  std::vector<Pair> pairs;
  for (auto& r : row_pairs) pairs.insert(pairs.end(), r.begin(), r.end());
  std::sort(pairs.begin(), pairs.end());
  if (pairs.size() > K) pairs.resize(K);

  std::vector<double> spreads;
  for (const auto& g : groups)
    if (g.members.size() > 1) spreads.push_back(g.spread);
  double median_spread = 0;
  if (!spreads.empty()) {
    std::vector<double> v = spreads;
    std::sort(v.begin(), v.end());
    median_spread = v[v.size() / 2];
  }
  ojson classes = ojson::array();
  std::vector<std::string> static_classes;
  std::int64_t overlapping = 0;
  for (std::size_t gi = 0; gi < C; ++gi) {
    const ClassGroup& g = groups[gi];
    std::vector<double> ink, mean, bytes;
    for (std::size_t m : g.members) {
      ink.push_back(s[m]->is_cloud ? s[m]->distinct : s[m]->ink);
      mean.push_back(s[m]->is_cloud ? s[m]->l31 : s[m]->mean);
      if (s[m]->file_bytes >= 0) bytes.push_back(static_cast<double>(s[m]->file_bytes));
    }
    ojson c;
    c["class"] = g.key;
    c["samples"] = g.members.size();
    const ojson a = summary_of(ink), b = summary_of(mean);
    if (s[0]->is_cloud) {
      c["distinct_mean"] = a["mean"];
      c["l31_mean"] = b["mean"];
    } else {
      c["ink_mean"] = a["mean"];
      c["ink_std"] = a["std"];
      c["intensity_mean"] = b["mean"];
    }
    if (!bytes.empty()) c["file_bytes_mean"] = summary_of(bytes)["mean"];
    c["spread"] = g.spread;
    if (C > 1) {
      c["nearest"] = groups[nearest[gi]].key;
      c["nearest_distance"] = nearest_d[gi];
      const double own = (g.spread + groups[nearest[gi]].spread) / 2;
      if (nearest_d[gi] < own) ++overlapping;
    }
    if (g.members.size() > 1 && g.spread <= t.static_spread * median_spread) static_classes.push_back(g.key);
    classes.push_back(std::move(c));
  }
  ojson pj = ojson::array();
  for (const Pair& p : pairs) {
    const double own = (groups[p.a].spread + groups[p.b].spread) / 2;
    pj.push_back({{"a", groups[p.a].key},
                  {"b", groups[p.b].key},
                  {"distance", p.d},
                  {"ratio", own > 0 ? ojson(p.d / own) : ojson(nullptr)},
                  {"example_a", s[groups[p.a].members[0]]->name},
                  {"example_b", s[groups[p.b].members[0]]->name}});
  }
  out["num_classes"] = C;
  out["descriptor_dim"] = dim;
  out["spread"] = summary_of(spreads);
  out["similar_pairs"] = std::move(pj);
  out["overlapping_classes"] = overlapping;
  out["static_classes_count"] = static_classes.size();
  out["static_classes"] = names_json(static_classes);
  out["classes"] = std::move(classes);
}

}  // namespace

ojson summarize_stats(const std::vector<SampleStats>& samples, const StatsThresholds& t, int threads) {
  std::vector<const SampleStats*> images, clouds;
  for (const auto& s : samples) (s.is_cloud ? clouds : images).push_back(&s);
  ojson report;
  report["measured"] = samples.size();
  report["thresholds"] = {
      {"blank_ink", t.blank_ink}, {"full_ink", t.full_ink},           {"flat", t.flat},
      {"distinct", t.distinct},   {"static_spread", t.static_spread}, {"similar_pairs", t.similar_pairs}};
  if (!images.empty()) {
    ojson im;
    im["count"] = images.size();
    std::vector<double> ink, bw, bh, mean, sd, bytes;
    std::vector<std::string> blank, full;
    ojson cols;
    std::vector<std::string> names, klass;
    for (const SampleStats* s : images) {
      ink.push_back(s->ink), bw.push_back(s->bbox_w), bh.push_back(s->bbox_h);
      mean.push_back(s->mean), sd.push_back(s->std);
      if (s->file_bytes >= 0) bytes.push_back(static_cast<double>(s->file_bytes));
      if (s->ink < t.blank_ink) blank.push_back(s->name);
      if (s->ink > t.full_ink) full.push_back(s->name);
      names.push_back(s->name), klass.push_back(s->klass);
    }
    ojson sum;
    sum["ink"] = summary_of(ink);
    sum["bbox_w"] = summary_of(bw);
    sum["bbox_h"] = summary_of(bh);
    sum["intensity_mean"] = summary_of(mean);
    sum["intensity_std"] = summary_of(sd);
    if (!bytes.empty()) sum["file_bytes"] = summary_of(bytes);
    im["summary"] = std::move(sum);
    im["blank_count"] = blank.size();
    im["blank"] = names_json(blank);
    im["saturated_count"] = full.size();
    im["saturated"] = names_json(full);
    class_analysis(images, t, threads, im);
    cols["name"] = names;
    cols["class"] = klass;
    cols["ink"] = ink;
    cols["bbox_w"] = bw;
    cols["bbox_h"] = bh;
    cols["intensity_mean"] = mean;
    cols["intensity_std"] = sd;
    std::vector<std::int64_t> fb;
    for (const SampleStats* s : images) fb.push_back(s->file_bytes);
    cols["file_bytes"] = fb;
    im["per_sample"] = std::move(cols);
    report["images"] = std::move(im);
  }
  if (!clouds.empty()) {
    ojson cl;
    cl["count"] = clouds.size();
    std::vector<double> pts, var[3], ext[3], distinct, l21, l31;
    std::vector<std::string> lines, planes, repeats, empty, names, klass;
    for (const SampleStats* s : clouds) {
      pts.push_back(static_cast<double>(s->points));
      for (int a = 0; a < 3; ++a) var[a].push_back(s->var[a]), ext[a].push_back(s->extent[a]);
      distinct.push_back(s->distinct), l21.push_back(s->l21), l31.push_back(s->l31);
      if (s->points == 0)
        empty.push_back(s->name);
      else if (s->l21 < t.flat)
        lines.push_back(s->name);
      else if (s->l31 < t.flat)
        planes.push_back(s->name);
      if (s->points > 0 && s->distinct < t.distinct) repeats.push_back(s->name);
      names.push_back(s->name), klass.push_back(s->klass);
    }
    ojson sum;
    sum["points"] = summary_of(pts);
    const char* axes[3] = {"x", "y", "z"};
    for (int a = 0; a < 3; ++a) sum[std::string("var_") + axes[a]] = summary_of(var[a]);
    for (int a = 0; a < 3; ++a) sum[std::string("extent_") + axes[a]] = summary_of(ext[a]);
    sum["distinct"] = summary_of(distinct);
    sum["l21"] = summary_of(l21);
    sum["l31"] = summary_of(l31);
    cl["summary"] = std::move(sum);
    cl["empty_count"] = empty.size();
    cl["empty"] = names_json(empty);
    cl["lines_count"] = lines.size();
    cl["lines"] = names_json(lines);
    cl["planes_count"] = planes.size();
    cl["planes"] = names_json(planes);
    cl["repeats_count"] = repeats.size();
    cl["repeats"] = names_json(repeats);
    class_analysis(clouds, t, threads, cl);
    ojson cols;
    cols["name"] = names;
    cols["class"] = klass;
    cols["points"] = pts;
    for (int a = 0; a < 3; ++a) cols[std::string("var_") + axes[a]] = var[a];
    cols["distinct"] = distinct;
    cols["l21"] = l21;
    cols["l31"] = l31;
    cl["per_sample"] = std::move(cols);
    report["clouds"] = std::move(cl);
  }
  return report;
}

// ---- text -------------------------------------------------------------------------------------

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string row(const std::string& label, const ojson& s, double scale = 1, const char* f = "%9.3f") {
  std::string line = label;
  line.resize(18, ' ');
  if (!s.contains("mean")) return line + "  (none)\n";
  for (const char* k : {"mean", "std", "min", "p05", "p50", "p95", "max"}) line += fmt(f, s[k].get<double>() * scale);
  return line + "\n";
}

std::string flagged(const std::string& what, const ojson& kind, const std::string& key, const std::string& noun) {
  const std::size_t n = kind.value(key + "_count", std::size_t(0));
  std::string line = what + ": " + std::to_string(n) + " " + noun;
  if (n > 0) {
    line += ", e.g.";
    const auto& names = kind[key];
    for (std::size_t i = 0; i < names.size() && i < 3; ++i) line += " " + names[i].get<std::string>();
    if (n > 3) line += " ...";
  }
  return line + "\n";
}

std::string classes_text(const ojson& kind, const char* noun) {
  std::string out;
  if (!kind.contains("num_classes")) return out;
  const std::size_t C = kind["num_classes"].get<std::size_t>();
  out += std::to_string(C) + " classes; descriptor spread within a class: ";
  const ojson& sp = kind["spread"];
  out += sp.contains("mean")
             ? "median " + fmt("%.4f", sp["p50"].get<double>()) + ", min " + fmt("%.4f", sp["min"].get<double>()) +
                   ", max " + fmt("%.4f", sp["max"].get<double>())
             : std::string("(one ") + noun + " per class)";
  out += "\n";
  out += "classes whose " + std::string(noun) +
         " do not vary: " + std::to_string(kind["static_classes_count"].get<std::size_t>());
  const auto& st = kind["static_classes"];
  for (std::size_t i = 0; i < st.size() && i < 8; ++i) out += (i ? ", " : " (") + st[i].get<std::string>();
  if (!st.empty()) out += st.size() > 8 ? ", ...)" : ")";
  out += "\n";
  if (C > 1) {
    out += "classes nearer another class than their own spread: " +
           std::to_string(kind["overlapping_classes"].get<std::int64_t>()) + "\n";
    out += "closest class pairs (distance of the mean descriptors; / mean spread):\n";
    for (const auto& p : kind["similar_pairs"]) {
      out += "  " + p["a"].get<std::string>() + " ~ " + p["b"].get<std::string>() + "  " +
             fmt("%.4f", p["distance"].get<double>());
      if (!p["ratio"].is_null()) out += "  (" + fmt("%.2f", p["ratio"].get<double>()) + ")";
      out += "\n";
    }
  }
  return out;
}

}  // namespace

std::string stats_text(const ojson& r) {
  std::string out;
  out += "fdsl stats: " + r.value("source", std::string("?"));
  if (r.contains("layout")) out += " (" + r["layout"].get<std::string>() + ")";
  std::vector<std::string> what;
  if (r.contains("images")) what.push_back(std::to_string(r["images"]["count"].get<std::size_t>()) + " images");
  if (r.contains("clouds")) what.push_back(std::to_string(r["clouds"]["count"].get<std::size_t>()) + " clouds");
  if (what.empty()) what.push_back("nothing");
  out += ": " + what[0] + (what.size() > 1 ? " and " + what[1] : std::string()) + " measured\n";
  const std::string head = std::string(18, ' ') + "     mean      std      min      p05      p50      p95      max\n";
  if (r.contains("images")) {
    const ojson& im = r["images"];
    const ojson& s = im["summary"];
    out += "images: " + std::to_string(im["count"].get<std::size_t>()) + "\n" + head;
    out += row("ink fraction", s["ink"]);
    if (r.contains("ink_from")) {
      const ojson& f = r["ink_from"];
      if (f.value("shape_masks", std::int64_t{0}) > 0)
        out += "  ink of " + std::to_string(f["shape_masks"].get<std::int64_t>()) +
               " images from their shapes drawn again from the manifest's config (no flat background)\n";
      if (f.contains("note")) out += "  note: " + f["note"].get<std::string>() + "\n";
    }
    out += row("bbox width", s["bbox_w"]);
    out += row("bbox height", s["bbox_h"]);
    out += row("intensity mean", s["intensity_mean"], 1, "%9.2f");
    out += row("intensity std", s["intensity_std"], 1, "%9.2f");
    if (s.contains("file_bytes")) out += row("PNG KB", s["file_bytes"], 1e-3, "%9.2f");
    const ojson& th = r["thresholds"];
    out += flagged("blank (ink < " + fmt("%g", th["blank_ink"].get<double>()) + ")", im, "blank", "images");
    out += flagged("saturated (ink > " + fmt("%g", th["full_ink"].get<double>()) + ")", im, "saturated", "images");
    out += classes_text(im, "images");
  }
  if (r.contains("clouds")) {
    const ojson& cl = r["clouds"];
    const ojson& s = cl["summary"];
    out += "clouds: " + std::to_string(cl["count"].get<std::size_t>()) + "\n" + head;
    out += row("points", s["points"], 1, "%9.0f");
    for (const char* a : {"x", "y", "z"}) out += row(std::string("variance ") + a, s[std::string("var_") + a]);
    for (const char* a : {"x", "y", "z"}) out += row(std::string("extent ") + a, s[std::string("extent_") + a]);
    out += row("distinct points", s["distinct"]);
    out += row("PCA l2/l1", s["l21"], 1, "%9.4f");
    out += row("PCA l3/l1", s["l31"], 1, "%9.4f");
    const ojson& th = r["thresholds"];
    const std::string flat = fmt("%g", th["flat"].get<double>());
    out += flagged("empty", cl, "empty", "clouds");
    out += flagged("lines (l2/l1 < " + flat + ")", cl, "lines", "clouds");
    out += flagged("planes (l3/l1 < " + flat + ")", cl, "planes", "clouds");
    out += flagged("repeated points (distinct < " + fmt("%g", th["distinct"].get<double>()) + ")", cl, "repeats",
                   "clouds");
    out += classes_text(cl, "clouds");
  }
  if (r.contains("masks") && !r["masks"].is_null()) {
    const ojson& m = r["masks"];
    const ojson& s = m["summary"];
    out += "masks: " + std::to_string(m["class_masks"].get<std::size_t>()) + " class, " +
           std::to_string(m["instance_masks"].get<std::size_t>()) + " instance\n" + head;
    if (s.contains("coverage")) out += row("mask coverage", s["coverage"]);
    if (s.contains("categories_per_image")) out += row("categories/image", s["categories_per_image"], 1, "%9.2f");
    if (s.contains("objects_per_image")) out += row("objects/image", s["objects_per_image"], 1, "%9.2f");
    if (s.contains("object_area")) out += row("object area", s["object_area"], 1, "%9.4f");
    out += std::to_string(m["categories"].size()) + " categories present";
    if (m["empty"]["count"].get<std::size_t>() > 0)
      out += "; " + std::to_string(m["empty"]["count"].get<std::size_t>()) + " class masks are empty";
    out += "\n";
  }
  if (r.contains("unreadable") && !r["unreadable"].empty())
    out += std::to_string(r["unreadable"].size()) +
           " files could not be read (see stats.json; `fdsl verify` checks them)\n";
  return out;
}

// ---- masks -----------------------------------------------------------------------------------

namespace {

/// What the masks of some samples hold: per class mask its coverage and categories, per instance
/// mask its objects and their sizes, and the pixels of each category.
struct MaskTally {
  std::vector<double> coverage, categories, objects, object_area;
  std::map<std::uint32_t, double> category_pixels;  ///< category id -> pixels
  std::map<std::uint32_t, std::int64_t> category_images;
  std::vector<std::string> empty;  ///< class masks with no object pixel

  void add_semantic(const LabelMap& m, const std::string& name) {
    std::map<std::uint32_t, std::int64_t> count;
    std::int64_t covered = 0;
    for (std::uint16_t v : m.values)
      if (v) ++count[v], ++covered;
    const double area = static_cast<double>(m.values.size());
    coverage.push_back(area > 0 ? static_cast<double>(covered) / area : 0.0);
    categories.push_back(static_cast<double>(count.size()));
    for (const auto& [c, n] : count) category_pixels[c] += static_cast<double>(n), ++category_images[c];
    if (covered == 0) empty.push_back(name);
  }
  void add_instances(const LabelMap& m) {
    std::map<std::uint32_t, std::int64_t> count;
    for (std::uint16_t v : m.values)
      if (v) ++count[v];
    objects.push_back(static_cast<double>(count.size()));
    const double area = static_cast<double>(m.values.size());
    for (const auto& [id, n] : count) object_area.push_back(static_cast<double>(n) / area);
  }
  void merge(MaskTally&& o) {
    coverage.insert(coverage.end(), o.coverage.begin(), o.coverage.end());
    categories.insert(categories.end(), o.categories.begin(), o.categories.end());
    objects.insert(objects.end(), o.objects.begin(), o.objects.end());
    object_area.insert(object_area.end(), o.object_area.begin(), o.object_area.end());
    for (const auto& [c, n] : o.category_pixels) category_pixels[c] += n;
    for (const auto& [c, n] : o.category_images) category_images[c] += n;
    empty.insert(empty.end(), o.empty.begin(), o.empty.end());
  }
  /// The report's "masks" block (null when no mask was read).
  ojson json() const {
    if (coverage.empty() && objects.empty()) return nullptr;
    ojson j;
    j["class_masks"] = coverage.size();
    j["instance_masks"] = objects.size();
    ojson sum;
    if (!coverage.empty()) {
      sum["coverage"] = summary_of(coverage);
      sum["categories_per_image"] = summary_of(categories);
    }
    if (!objects.empty()) {
      sum["objects_per_image"] = summary_of(objects);
      if (!object_area.empty()) sum["object_area"] = summary_of(object_area);
    }
    j["summary"] = std::move(sum);
    double total = 0;
    for (const auto& [c, n] : category_pixels) total += n;
    ojson cats = ojson::array();
    for (const auto& [c, n] : category_pixels)
      cats.push_back({{"id", c}, {"pixel_share", total > 0 ? n / total : 0.0}, {"images", category_images.at(c)}});
    j["categories"] = std::move(cats);
    j["empty"] = {{"count", empty.size()}, {"samples", names_json(empty)}};
    return j;
  }
};

/// A mask file's kind from its name: 1 a class mask, 2 an instance mask, 0 neither.
int mask_kind(const std::string& path) {
  auto ends = [&](const char* x) {
    const std::size_t n = std::strlen(x);
    return path.size() >= n && path.compare(path.size() - n, n, x) == 0;
  };
  if (ends(".seg.png")) return 1;
  if (ends(".inst.png")) return 2;
  if (!is_mask_file(path)) return 0;
  const std::string plain = strip_mask_tree(path);
  const std::size_t at = path.size() - plain.size();  // where the tree folder ends
  const std::string tree = path.substr(0, at);
  return tree.find("instance") != std::string::npos ? 2 : 1;
}

}  // namespace

// ---- reading a dataset ------------------------------------------------------------------------

namespace {

struct Item {
  std::string path;  // relative to dir
  enum Kind { Png, Cloud, Tar, H5 } kind;
};

std::string ext_of(const std::string& name) {
  const auto slash = name.rfind('/');
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  return name.substr(dot + 1);
}

/// Which files of the dataset are measured: .png images, .ply/.pcd/.npy clouds (not the _label,
/// _bbox and _votes arrays beside scenes), .h5 files of clouds and .tar shards.
bool measured(const std::string& path, Item::Kind& kind) {
  const std::string e = ext_of(path);
  const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  if (base == "preview.png" || base == "stats.png") return false;
  if (is_mask_file(path)) return false;  // class and instance masks are labels, not images
  if (e == "png") return kind = Item::Png, true;
  if (e == "tar") return kind = Item::Tar, true;
  if (e == "h5" || e == "hdf5") return kind = Item::H5, true;
  if (e == "ply" || e == "pcd") return kind = Item::Cloud, true;
  if (e == "npy") {
    auto ends = [&](const char* s) {
      const std::size_t n = std::strlen(s);
      return path.size() >= n && path.compare(path.size() - n, n, s) == 0;
    };
    if (ends("_label.npy") || ends("_bbox.npy") || ends("_votes.npy")) return false;
    return kind = Item::Cloud, true;
  }
  return false;
}

/// The class names of an HDF5 dataset (shape_names.txt beside the files, one per line), or none.
std::vector<std::string> shape_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  const fs::path p = dir / "shape_names.txt";
  if (!fs::exists(p, ec)) return names;
  const std::string text = read_text_file(p);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    names.push_back(line);
    i = j + 1;
  }
  return names;
}

/// The shapes of a dataset's images where the pixels cannot say them (a background that is not
/// one flat colour: ifs_sigma's plasma). The config in the manifest made every sample, a pure
/// function of seed, class and instance, so each image's shape mask is drawn again from it
/// (Generator::shape_mask), as `fdsl stats CONFIG --sample` measures them.
class ShapeSource {
 public:
  /// Null unless the manifest's config builds and its generator has shape masks. `note` says why
  /// the ink is measured from the pixels where those images need shape masks but they cannot be
  /// drawn (another fdsl version made the dataset, or its config does not build here).
  static std::unique_ptr<ShapeSource> of(const nlohmann::json& manifest, const fs::path& dir, int threads,
                                         std::string& note) {
    if (!manifest.contains("config") || !manifest["config"].is_object()) return nullptr;
    auto out = std::make_unique<ShapeSource>();
    DatasetSpec spec;
    try {
      SpecOptions o;
      o.threads = threads;
      spec = make_dataset_spec(config_from_json(manifest["config"], (dir / "manifest.json").string()), o, dir);
      Image probe;
      if (spec.generator->num_classes() <= 0 || spec.generator->instances_per_class() <= 0 ||
          !spec.generator->shape_mask(0, 0, nullptr, probe))
        return nullptr;
      const std::string made_by = manifest.value("fdsl_version", std::string("?"));
      if (made_by != kVersion) {
        note = "fdsl " + made_by + " made this dataset and its images have no flat background; fdsl " +
               std::string(kVersion) +
               " may draw other shapes, so their ink is measured from the pixels (the "
               "background counts as ink)";
        return nullptr;
      }
      if (spec.params.get_string("splits").empty()) {
        out->parts_.push_back({"", std::make_unique<DatasetSpec>(std::move(spec))});
      } else {
        for (const std::string& split : detail::dataset_splits(spec.params))
          out->parts_.push_back({split, std::make_unique<DatasetSpec>(detail::split_spec(spec, split))});
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Interrupted) throw;
      note = std::string("the manifest's config does not build here (") + e.what() +
             "): images without a flat background have their ink measured from the pixels";
      return nullptr;
    }
    return out;
  }

  /// True with `mask` drawn when `file` (a path in the dataset, or a member of the tar shard
  /// `shard`) is the image of one of the config's samples, as large as `image`.
  bool mask(const std::string& shard, const std::string& file, const Image& image, Image& mask) const {
    const Generator* gen = nullptr;
    if (parts_.size() == 1) {
      gen = parts_.front().spec->generator.get();
    } else {
      // A split's files lie under split/ (folder) or in its shards split-NNNNNN.tar.
      const std::string& where = shard.empty() ? file : shard;
      for (const Part& p : parts_)
        if (where.compare(0, p.split.size() + 1, p.split + (shard.empty() ? "/" : "-")) == 0)
          gen = p.spec->generator.get();
    }
    std::int64_t c = 0, i = 0;
    if (!gen || !locate(*gen, file, c, i) || !gen->shape_mask(c, i, nullptr, mask)) return false;
    return mask.width == image.width && mask.height == image.height && mask.channels == 1;
  }

 private:
  /// The sample whose name `file` ends with (before its extension), by the default naming
  /// CLASS/CLASS_INSTANCE, checked against the generator's own name for it.
  static bool locate(const Generator& gen, const std::string& file, std::int64_t& c, std::int64_t& i) {
    const std::size_t slash = file.rfind('/');
    if (slash == std::string::npos || slash == 0) return false;
    const std::string stem = file.substr(0, file.find('.', slash + 1));
    const std::size_t under = stem.rfind('_');
    const std::size_t folder = stem.rfind('/', slash - 1);
    const std::size_t from = folder == std::string::npos ? 0 : folder + 1;
    if (under == std::string::npos || under < slash) return false;
    auto number = [](const std::string& t, std::int64_t& v) {
      const char* end = t.data() + t.size();
      return !t.empty() && std::from_chars(t.data(), end, v).ptr == end && v >= 0;
    };
    if (!number(stem.substr(from, slash - from), c) || !number(stem.substr(under + 1), i)) return false;
    if (c >= gen.num_classes() || i >= gen.instances_per_class()) return false;
    const std::string name = gen.sample_name(c, i);
    if (stem.size() < name.size() || stem.compare(stem.size() - name.size(), name.size(), name) != 0) return false;
    return stem.size() == name.size() || stem[stem.size() - name.size() - 1] == '/';
  }

  struct Part {
    std::string split;  ///< "" for a dataset of one split
    std::unique_ptr<DatasetSpec> spec;
  };
  std::vector<Part> parts_;
};

}  // namespace

std::string stats_class_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  const auto before = path.rfind('/', slash - 1);
  return before == std::string::npos ? path.substr(0, slash) : path.substr(before + 1, slash - before - 1);
}

namespace {

/// Every sample's figures are held until stats.json is written (its entry, its descriptor and
/// the report's tree; measured 2026-12-08: 2.46 KB a sample from 50,000 to 200,000 samples).
constexpr double kStatsBytesPerSample = 3000;

/// Refuses, before any sample is read or rendered, a measurement whose figures would not fit.
void check_stats_memory(double samples, const std::string& what, const std::string& remedy) {
  const double need = 64e6 + samples * kStatsBytesPerSample;
  const MemoryBudget budget = available_memory();
  if (need <= budget.bytes) return;
  char count[32];
  std::snprintf(count, sizeof count, "%.3g", samples);
  throw_bad_input(what + ": fdsl stats holds every sample's figures for stats.json, about 3 KB a sample: " + count +
                  " samples need about " + format_bytes(need) + ", more than the " + format_bytes(budget.bytes) +
                  " available (" + budget.source + "); " + remedy);
}

}  // namespace

ojson dataset_stats(const fs::path& dir, const StatsOptions& o) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw_bad_input(dir.string() + " is not a folder");
  std::vector<Item> items;
  std::vector<std::string> mask_items;  // class and instance masks of a folder dataset
  std::string layout = "files";
  const fs::path manifest_path = dir / "manifest.json";
  std::unique_ptr<ShapeSource> shapes;
  std::string shapes_note;
  double samples = 0;  // what the measured files hold (a shard's count from the manifest)
  if (fs::exists(manifest_path, ec)) {
    nlohmann::json m;
    try {
      m = read_manifest(manifest_path, [&](const nlohmann::json& f) {
        const std::string p = f.at("path").get<std::string>();
        Item::Kind k;
        if (measured(p, k)) {
          items.push_back({p, k});
          samples += static_cast<double>(std::max<std::int64_t>(1, f.value("samples", std::int64_t{1})));
        }
        if (mask_kind(p)) mask_items.push_back(p);
      });
      layout = m.value("layout", layout);
      if (!m.at("files").is_array()) throw std::runtime_error("\"files\" is not a list");
    } catch (const std::exception& e) {
      throw_bad_input(manifest_path.string() + ": unreadable manifest (" + e.what() + ")");
    }
    shapes = ShapeSource::of(m, dir, o.threads, shapes_note);
  } else {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string p = fs::relative(it->path(), dir, ec).generic_string();
      Item::Kind k;
      if (measured(p, k)) items.push_back({p, k});
      if (mask_kind(p)) mask_items.push_back(p);
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.path < b.path; });
    std::sort(mask_items.begin(), mask_items.end());
  }
  check_stats_memory(
      std::max(samples, static_cast<double>(items.size())), dir.string(),
      "measure samples of its config in memory instead (fdsl stats " + (dir / "fdsl.yaml").string() + " --sample N)");
  if (items.empty())
    throw_bad_input(dir.string() +
                    " holds no sample fdsl stats reads (PNG images; PLY, PCD, NPY or ModelNet-style HDF5 clouds; "
                    "WebDataset .tar shards of them)");
  const std::vector<std::string> names = shape_names(dir);
  if (o.on_start) o.on_start(static_cast<std::int64_t>(items.size()), layout);

  // An image's ink: from its shape mask where the manifest's config draws one, else its pixels.
  std::atomic<std::int64_t> drawn{0}, from_pixels{0};
  auto measure_image = [&](const Image& image, const std::string& shard, const std::string& name,
                           const std::string& klass) {
    thread_local Image shape;
    if (shapes && shapes->mask(shard, name, image, shape)) {
      ++drawn;
      return image_stats(image, name, klass, shape);
    }
    ++from_pixels;
    return image_stats(image, name, klass);
  };
  // Each item yields its samples in order; items in parallel, concatenated in item order.
  std::vector<std::vector<SampleStats>> results(items.size());
  std::vector<std::vector<std::pair<std::string, std::string>>> problems(items.size());
  std::vector<MaskTally> tallies(items.size());
  parallel_for(0, static_cast<std::int64_t>(items.size()), o.threads, [&](std::int64_t i) {
    throw_if_stopped("stats");
    const Item& item = items[i];
    const fs::path path = dir / item.path;
    try {
      if (item.kind == Item::Tar) {
        TarReader reader(path);
        TarMember m;
        std::vector<std::uint8_t> data;
        // Members of one sample are adjacent (WebDataset): gather them by key.
        std::string key, cls;
        std::vector<std::pair<std::string, std::vector<std::uint8_t>>> pending;
        // The class: the folder of the member's name, as in a folder dataset (fdsl names members
        // class/sample), else the .cls label.
        auto flush = [&] {
          if (key.find('/') != std::string::npos) cls = stats_class_of(key);
          for (auto& [name, bytes] : pending) {
            const std::string e = ext_of(name);
            SampleStats st;
            if (e == "png") {
              st = measure_image(decode_png(bytes.data(), bytes.size(), item.path + ":" + name), item.path, name, cls);
            } else {
              st = cloud_stats(decode_cloud(bytes.data(), bytes.size(), e, item.path + ":" + name), name, cls);
            }
            st.file_bytes = static_cast<std::int64_t>(bytes.size());
            results[i].push_back(std::move(st));
          }
          pending.clear();
          cls.clear();
        };
        while (reader.next(m, data)) {
          const auto dot = m.name.find('.');
          const std::string k = dot == std::string::npos ? m.name : m.name.substr(0, dot);
          if (k != key) flush(), key = k;
          Item::Kind kind;
          const std::string e = dot == std::string::npos ? "" : m.name.substr(dot + 1);
          if (e == "cls") {
            cls.assign(data.begin(), data.end());
            while (!cls.empty() && (cls.back() == '\n' || cls.back() == ' ')) cls.pop_back();
          } else if (const int mk = mask_kind(m.name)) {
            const LabelMap lm = decode_label_png(data.data(), data.size(), item.path + ":" + m.name);
            if (mk == 1)
              tallies[i].add_semantic(lm, item.path + ":" + m.name);
            else
              tallies[i].add_instances(lm);
          } else if (measured(m.name, kind) && kind != Item::Tar) {
            pending.emplace_back(m.name, data);
          }
        }
        flush();
      } else if (item.kind == Item::H5) {
        const ModelNetClouds h = read_modelnet_h5(path);
        for (std::size_t j = 0; j < h.count; ++j) {
          PointCloud c;
          const float* first = h.xyz.data() + j * h.points * 3;
          c.xyz.assign(first, first + h.points * 3);
          const std::int64_t l = h.label[j];
          const std::string klass = l >= 0 && static_cast<std::size_t>(l) < names.size() ? names[l] : std::to_string(l);
          SampleStats st = cloud_stats(c, item.path + ":" + std::to_string(j), klass);
          st.file_bytes = static_cast<std::int64_t>(h.points * 12);
          results[i].push_back(std::move(st));
        }
      } else {
        const std::vector<std::uint8_t> bytes = read_file(path);
        const std::string klass = stats_class_of(item.path);
        SampleStats st =
            item.kind == Item::Png
                ? measure_image(decode_png(bytes.data(), bytes.size(), item.path), "", item.path, klass)
                : cloud_stats(decode_cloud(bytes.data(), bytes.size(), ext_of(item.path), item.path), item.path, klass);
        st.file_bytes = static_cast<std::int64_t>(bytes.size());
        results[i].push_back(std::move(st));
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Interrupted) throw;
      problems[i].emplace_back(item.path, e.what());
    }
    if (o.on_progress) o.on_progress(1);
  });
  // A folder's masks, in parallel too, merged in name order.
  std::vector<MaskTally> mask_tallies(mask_items.size());
  std::vector<std::string> mask_problems(mask_items.size());
  parallel_for(0, static_cast<std::int64_t>(mask_items.size()), o.threads, [&](std::int64_t i) {
    throw_if_stopped("stats");
    const std::string& p = mask_items[static_cast<std::size_t>(i)];
    try {
      const std::vector<std::uint8_t> bytes = read_file(dir / p);
      const LabelMap lm = decode_label_png(bytes.data(), bytes.size(), p);
      if (mask_kind(p) == 1)
        mask_tallies[static_cast<std::size_t>(i)].add_semantic(lm, p);
      else
        mask_tallies[static_cast<std::size_t>(i)].add_instances(lm);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Interrupted) throw;
      mask_problems[static_cast<std::size_t>(i)] = e.what();
    }
  });
  std::vector<SampleStats> all;
  std::vector<std::uint32_t> item_of;  // all[k] came from items[item_of[k]]
  ojson unreadable = ojson::array();
  MaskTally masks;
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (auto& s : results[i]) all.push_back(std::move(s)), item_of.push_back(static_cast<std::uint32_t>(i));
    for (auto& [p, why] : problems[i]) unreadable.push_back({{"path", p}, {"problem", why}});
    masks.merge(std::move(tallies[i]));
  }
  for (std::size_t i = 0; i < mask_items.size(); ++i) {
    if (!mask_problems[i].empty()) unreadable.push_back({{"path", mask_items[i]}, {"problem", mask_problems[i]}});
    masks.merge(std::move(mask_tallies[i]));
  }
  ojson report;
  report["source"] = dir.string();
  report["layout"] = layout;
  ojson body = summarize_stats(all, o.thresholds, o.threads);
  for (auto it = body.begin(); it != body.end(); ++it) report[it.key()] = it.value();
  if (ojson mj = masks.json(); !mj.is_null()) report["masks"] = std::move(mj);
  if (shapes || !shapes_note.empty()) {
    ojson ink = {{"shape_masks", drawn.load()}, {"pixels", from_pixels.load()}};
    if (!shapes_note.empty()) ink["note"] = shapes_note;
    report["ink_from"] = std::move(ink);
  }
  report["unreadable"] = std::move(unreadable);
  if (o.example_shards) {
    // The examples the pairs name (a few thousand at most), then one pass over the samples.
    std::map<std::string, std::string> wanted;
    for (const char* kind : {"images", "clouds"}) {
      if (!report.contains(kind) || !report[kind].contains("similar_pairs")) continue;
      for (const auto& p : report[kind]["similar_pairs"])
        for (const char* side : {"example_a", "example_b"})
          if (p.contains(side)) wanted.emplace(p[side].get<std::string>(), "");
    }
    for (std::size_t k = 0; k < all.size() && !wanted.empty(); ++k) {
      const Item& item = items[item_of[k]];
      if (item.kind != Item::Tar) continue;
      const auto it = wanted.find(all[k].name);
      if (it != wanted.end() && it->second.empty()) it->second = item.path;
    }
    for (auto& [name, shard] : wanted)
      if (!shard.empty()) o.example_shards->emplace(name, shard);
  }
  return report;
}

namespace {

/// One sample measured as memory_stats reports it: its pictures (PNG sizes from `png_size`),
/// cloud and masks.
struct MeasuredSample {
  std::vector<SampleStats> stats;
  MaskTally masks;
};

MeasuredSample measure_sample(const Generator& gen, const Sample& s, std::int64_t c, std::int64_t i,
                              const std::string& cloud_ext,
                              const std::function<std::int64_t(const Image&, int)>& png_size) {
  MeasuredSample out;
  const std::string name = gen.sample_name(c, i);
  const std::string klass = name.find('/') == std::string::npos ? std::to_string(c) : stats_class_of(name);
  int picture = 0;
  thread_local Image shape;
  auto add_image = [&](const Image& im, const std::string& file) {
    const bool masked = &im == &s.image && gen.shape_mask(c, i, &s, shape);
    SampleStats st = masked ? image_stats(im, file, klass, shape) : image_stats(im, file, klass);
    st.file_bytes = png_size(im, picture++);
    out.stats.push_back(std::move(st));
  };
  if (!s.image.empty()) add_image(s.image, name + ".png");
  for (std::size_t v = 0; v < s.views.size(); ++v)
    add_image(s.views[v], (v < s.view_names.size() ? s.view_names[v] : name + "_" + std::to_string(v)) + ".png");
  if (!s.cloud.empty()) out.stats.push_back(cloud_stats(s.cloud, name + "." + cloud_ext, klass));
  if (!s.semantic.empty()) out.masks.add_semantic(s.semantic, name);
  if (!s.instances.empty()) out.masks.add_instances(s.instances);
  return out;
}

}  // namespace

struct SampleStatsCache::Entry : MeasuredSample {};

SampleStatsCache::SampleStatsCache(std::vector<Key> wanted, std::string cloud_ext)
    : wanted_(std::move(wanted)), cloud_ext_(std::move(cloud_ext)) {
  std::sort(wanted_.begin(), wanted_.end());
}
SampleStatsCache::~SampleStatsCache() = default;

bool SampleStatsCache::wants(std::int64_t category, std::int64_t instance) const {
  return std::binary_search(wanted_.begin(), wanted_.end(), Key{category, instance});
}

void SampleStatsCache::record(const Generator& gen, const Sample& s, const std::vector<std::int64_t>& png_bytes) {
  if (!wants(s.category, s.instance)) return;
  auto e = std::make_unique<Entry>();
  static_cast<MeasuredSample&>(*e) =
      measure_sample(gen, s, s.category, s.instance, cloud_ext_, [&](const Image&, int k) -> std::int64_t {
        return static_cast<std::size_t>(k) < png_bytes.size() ? png_bytes[static_cast<std::size_t>(k)] : -1;
      });
  const std::lock_guard<std::mutex> lock(mutex_);
  entries_[{s.category, s.instance}] = std::move(e);
}

std::size_t SampleStatsCache::size() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

const SampleStatsCache::Entry* SampleStatsCache::find(std::int64_t category, std::int64_t instance) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto it = entries_.find({category, instance});
  return it == entries_.end() ? nullptr : it->second.get();
}

ojson memory_stats(const Generator& gen, const std::vector<std::pair<std::int64_t, std::int64_t>>& samples,
                   const PngOptions& png_options, const std::string& cloud_ext, const StatsThresholds& thresholds,
                   int threads, const std::function<void()>& on_sample, std::map<std::string, std::size_t>* index,
                   const SampleStatsCache* cache) {
  const auto total = static_cast<std::int64_t>(samples.size());
  std::vector<std::vector<SampleStats>> results(samples.size());
  std::vector<MaskTally> tallies(samples.size());
  parallel_for(0, total, threads, [&](std::int64_t j) {
    throw_if_stopped("stats");
    const auto [c, i] = samples[static_cast<std::size_t>(j)];
    MeasuredSample m;
    if (const SampleStatsCache::Entry* e = cache ? cache->find(c, i) : nullptr) {
      m = *e;
    } else {
      std::vector<std::uint8_t> png;
      m = measure_sample(gen, gen.make(c, i), c, i, cloud_ext, [&](const Image& im, int) {
        encode_png(im, png_options, png);
        return static_cast<std::int64_t>(png.size());
      });
    }
    results[static_cast<std::size_t>(j)] = std::move(m.stats);
    tallies[static_cast<std::size_t>(j)] = std::move(m.masks);
    if (on_sample) on_sample();
  });
  if (index)
    for (std::size_t j = 0; j < results.size(); ++j)
      for (const auto& st : results[j]) index->emplace(st.name, j);
  std::vector<SampleStats> all;
  for (auto& r : results)
    for (auto& s : r) all.push_back(std::move(s));
  MaskTally masks;
  for (auto& t : tallies) masks.merge(std::move(t));
  ojson report = summarize_stats(all, thresholds, threads);
  if (ojson mj = masks.json(); !mj.is_null()) report["masks"] = std::move(mj);
  return report;
}

StatsSelection stats_sample_selection(const Generator& gen, std::int64_t n) {
  StatsSelection sel;
  const std::int64_t C = gen.num_classes(), I = gen.instances_per_class();
  if (n <= 0 || C <= 0 || I <= 0) return sel;
  const std::int64_t m = std::min(I, std::max(std::min<std::int64_t>(I, 8), (n + C - 1) / C));
  const std::int64_t k = std::min(C, (n + m - 1) / m);
  const std::int64_t total = std::min(n, k * m);
  sel.classes = k;
  sel.instances_per_class = m;
  sel.samples.reserve(static_cast<std::size_t>(total));
  for (std::int64_t j = 0; j < total; ++j) sel.samples.emplace_back(j / m, j % m);
  return sel;
}

ojson sample_stats(const Generator& gen, const Params& params, const std::string& source, std::int64_t n,
                   const StatsThresholds& thresholds, int threads, const std::function<void()>& on_sample,
                   std::map<std::string, std::size_t>* index) {
  check_stats_memory(static_cast<double>(n), std::to_string(n) + " samples in memory", "ask for fewer samples");
  const StatsSelection sel = stats_sample_selection(gen, n);
  const OutputSettings out = OutputSettings::from_params(params);
  const std::string cloud_ext = params.has("cloud_format") ? params.get_string("cloud_format") : "cloud";
  ojson body = memory_stats(gen, sel.samples, out.png, cloud_ext, thresholds, threads, on_sample, index);
  ojson report;
  report["source"] = source;
  report["layout"] = "in memory";
  report["family"] = gen.family();
  report["rendered"] = {{"classes", sel.classes},
                        {"instances_per_class", sel.instances_per_class},
                        {"samples", static_cast<std::int64_t>(sel.samples.size())}};
  for (auto it = body.begin(); it != body.end(); ++it) report[it.key()] = it.value();
  report["unreadable"] = ojson::array();
  return report;
}

}  // namespace fdsl
