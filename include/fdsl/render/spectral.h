// Random-phase noise with a prescribed amplitude spectrum (Baradad et al., NeurIPS 2021, the
// "spectrum" image model): the DFT magnitude is exactly 1 / (|fx / n|^slope_x + |fy / n|^slope_y)
// (0 at DC) and the phases are uniform and independent, Hermitian-paired so the fields are real.
#pragma once

#include <cstdint>
#include <vector>

#include "fdsl/core/rng.h"

namespace fdsl {

/// Two independent real fields of side n (a power of two), row-major n x n, from one complex
/// inverse FFT (a is the real part, b the imaginary part). Their DFT magnitude is the spectrum
/// above times n^2, exactly up to float rounding. `work` holds the planes and is reused. With
/// `want_second` false only a (work.re) is made.
struct SpectralWork {
  std::vector<float> re, im, scratch, px, py;
  struct Pair {
    std::uint32_t i, j;  ///< a frequency and its mirror
    float m;             ///< their magnitude
  };
  std::vector<Pair> pairs;  ///< a row's pairs waiting for their phasors
  std::vector<float> pc, ps, pm;
};
void spectral_pair(int n, double slope_x, double slope_y, Rng& rng, SpectralWork& work, bool want_second = true);

/// The side of the field an image of side `size` is cut from: the next power of two, at least 2.
int spectral_field(int size);

/// The slope of the radially averaged amplitude spectrum of a real field (side n, a power of two),
/// a least-squares fit of log amplitude against log frequency over radii [f_lo, f_hi] cycles per
/// image: a field made with slope s on both axes measures about s.
double measured_spectral_slope(const float* field, int n, double f_lo, double f_hi);

/// A random palette's colour statistics as the spectrum model's colour step takes them: `count`
/// colours of random RGB in pixel shares `shares`, rescaled to [0, 255] jointly; their weighted mean
/// and the eigenvectors of their weighted covariance (columns of `basis`, row-major 3 x 3).
struct PaletteModel {
  int count = 0;
  double mean[3] = {0, 0, 0};
  double basis[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
};
PaletteModel random_palette_model(Rng& rng);

}  // namespace fdsl

namespace fdsl {

/// The axis slopes of an image of slope s: s + d and s - d (at least 0), d ~ N(0, anisotropy)
/// (no draw when anisotropy is 0).
struct AxisSlopes {
  double x = 0, y = 0;
};
AxisSlopes draw_axis_slopes(double s, double anisotropy, Rng& rng);

/// One spectral-noise image of side `size` (any; a corner of the next power of two's field) with
/// 1 or 3 channels, interleaved, into `out`: the fields rescaled to mean 128 and standard deviation
/// 256 / sqrt(12), for 3 channels with `pca` rotated by a random palette's principal axes and
/// shifted by its mean colour, then min-max scaled to [0, 255] over the whole image and truncated.
/// Draws the palette from rng.child(1) and the phases from rng.child(2).
void render_spectral_image(std::uint8_t* out, int size, int channels, double slope_x, double slope_y, bool pca,
                           Rng& rng);

}  // namespace fdsl
