// The statistical image models of Baradad et al. (NeurIPS 2021, "Learning to See by Looking at
// Noise") beyond the plain spectrum: a colour-histogram model and the wavelet marginal model (WMM),
// imposed in turn on uniform noise for a number of iterations, as the official
// generate_datasets/statistical/generate_datasets.py does (its sample_image):
//   spectrum: every channel's DFT magnitude replaced by 1 / (|fx/n|^sx + |fy/n|^sy), its phases
//     kept, mean and standard deviation restored;
//   wmm: every subband of a steerable pyramid (4 orientations, the highpass residual included, the
//     lowpass residual kept) matched to a generalized Gaussian marginal exp(-|x / 4^scale|^r),
//     r ~ U(0.4, 0.8) per channel and band, on the grid -200:0.5:200, then standardized to its mean
//     and standard deviation;
//   colour: every decorrelated channel matched to the histogram of a random "Mondrian" palette
//     image (3-22 colours in random shares, box-blurred), decorrelated by its colour PCA.
// The pyramid is the frequency-domain steerable pyramid the official port builds (pyrtools'
// SteerablePyramidFreq, order 3, twidth 1, real bands): its masks are computed once per size.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "fdsl/core/rng.h"

namespace fdsl {

/// A real steerable pyramid of n x n images (n a power of two, at least 2^(levels + 2)) with
/// `levels` scales of 4 orientations. Bands run from fine to coarse: the highpass residual
/// (n x n), then level i's four bands ((n >> i) squared), then the lowpass residual
/// ((n >> levels) squared), as pyrtools' pyr_coeffs in key order.
class SteerablePyramid {
 public:
  SteerablePyramid(int n, int levels);

  int size() const { return n_; }
  int levels() const { return levels_; }
  int band_count() const { return 2 + 4 * levels_; }
  /// The side of band b.
  int band_side(int b) const;
  /// Where band b starts in the bands' buffer, and the buffer's length.
  std::size_t band_offset(int b) const { return offsets_[static_cast<std::size_t>(b)]; }
  std::size_t total() const { return offsets_.back(); }
  /// Bytes of the masks (held once) and of one thread's work buffers.
  double mask_bytes() const;
  static double work_bytes(int n);

  struct Work {
    std::vector<float> re, im, lre, lim, sre, sim, scratch;
  };
  /// The bands of the n x n image `x` into `bands` (total() floats).
  void build(const float* x, float* bands, Work& w) const;
  /// The image of `bands` into x (n x n).
  void reconstruct(const float* bands, float* x, Work& w) const;

 private:
  int n_, levels_;
  std::vector<std::size_t> offsets_;
  std::vector<float> hi0_, lo0_;                       // n x n, unshifted
  std::vector<std::array<std::vector<float>, 4>> ah_;  // level i: angle x high masks, (n >> i)^2
  std::vector<std::vector<float>> lo_;                 // level i: low mask, (n >> (i + 1))^2
};

/// Reorders the values of v[0..count) to follow the distribution with cumulative shares
/// `quantiles` at `values` (both increasing, `points` long): each value becomes the piecewise
/// linear interpolation of its own cumulative share (ties share the share of their last), as
/// the official match_cumulative_cdf (numpy's interp, clamped at both ends) does.
struct QuantileWork {
  std::vector<std::uint64_t> packed, packed2;
  std::vector<double> slopes;
};
void match_quantiles(float* v, std::size_t count, const double* quantiles, const double* values, std::size_t points,
                     QuantileWork& w);

enum class StatisticalModel { Spectrum, SpectrumColor, Wmm, SpectrumColorWmm };

/// Per-sample settings of the iterative models.
struct StatisticalImage {
  StatisticalModel model = StatisticalModel::SpectrumColor;
  int iterations = 10;
  bool pca = true;                            ///< rotate the channels back by the colour model's axes
  double slope_x = 1, slope_y = 1;            ///< the spectrum's (unused by wmm)
  const SteerablePyramid* pyramid = nullptr;  ///< the field's pyramid (wmm models)
};

/// One image of side `size` (a corner of the next power of two's field, the field the models
/// run on) with 1 or 3 channels, interleaved, into out: uniform noise U(0, 256), the model's
/// steps `iterations` times, the channels rotated back, min-max scaled to [0, 255] and truncated.
/// Draws the colour model from rng.child(3), the marginals from rng.child(4) and the noise from
/// rng.child(5). The colour models need 3 channels.
void render_statistical_image(std::uint8_t* out, int size, int channels, const StatisticalImage& s, Rng& rng);

/// The pyramid's scales for a field of side n: the official 3 at 128 px and 4 at 256 px, that is
/// log2(n) - 4, at least 1 (and at most log2(n) - 2).
int wmm_levels(int n);

/// Bytes a thread holds while making one image of the field n with `channels` channels.
double statistical_work_bytes(int n, int channels);

}  // namespace fdsl
