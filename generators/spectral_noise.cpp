// spectral_noise generator. Per sample (the official generate_datasets.py, impose_spectrum with
// correlate_channels, the defaults of its small/large-scale runs):
//   s ~ U(slope_min, slope_max) (the class's bin of it), d ~ N(0, anisotropy),
//   slope_x = s + d, slope_y = s - d (at least 0);
//   each channel a real field with DFT magnitude 1 / (|fx/n|^slope_x + |fy/n|^slope_y), DC 0, and
//   uniform phases, rescaled to the mean 128 and standard deviation 256 / sqrt(12) of the official
//   script's U(0, 256) starting noise; colour_model pca: rotated by the principal axes V of a random
//   palette and shifted by its mean colour (out = V^T y + mean, the official inv_colorPCA),
//   independent: the channels as they are; gray (channels: 1): one field;
//   then the whole image min-max scaled to [0, 255] and truncated, as the official script does.
// Sizes that are not a power of two are the top-left corner of the next power of two's field.
#include "fdsl/generators/spectral_noise.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "exponent_classes.h"
#include "fdsl/core/error.h"
#include "fdsl/render/spectral.h"
#include "fdsl/render/statistical.h"

namespace fdsl {

const ParamTable& spectral_noise_params() {
  static const ParamTable table = {
      enum_param("model", "spectrum", {"spectrum", "spectrum_color", "wmm", "spectrum_color_wmm"},
                 "the paper's statistical image model: spectrum (random phases under the 1/f^s magnitude), "
                 "spectrum_color (and each decorrelated channel matched to a random palette image's histogram), wmm "
                 "(steerable-pyramid subbands matched to generalized Gaussian marginals), spectrum_color_wmm (all "
                 "three, the textures of the paper's textured dead leaves); the last three are imposed in turn on "
                 "uniform noise `iterations` times"),
      int_param("iterations", 10, 1, 100,
                "how many times the models of spectrum_color, wmm and spectrum_color_wmm are imposed in turn (the "
                "paper: 10)")
          .when("model", {"spectrum_color", "wmm", "spectrum_color_wmm"}),
      float_param("slope_min", 0.5, 0.0, 8.0, "lower end of the spectral slope s (the paper: 0.5)")
          .at_most("slope_max")
          .when("model", {"spectrum", "spectrum_color", "spectrum_color_wmm"})
          .explorer_knob(1),
      float_param("slope_max", 3.5, 0.0, 8.0, "upper end of the spectral slope s (the paper: 3.5)")
          .when("model", {"spectrum", "spectrum_color", "spectrum_color_wmm"})
          .explorer_knob(2),
      float_param("anisotropy", 0.05, 0.0, 2.0,
                  "standard deviation of d, slope_x = s + d, slope_y = s - d (the paper: (3.5 - 0.5) / 60)")
          .when("model", {"spectrum", "spectrum_color", "spectrum_color_wmm"})
          .explorer_knob(3),
      enum_param("color_model", "pca", {"pca", "independent"},
                 "pca: channels rotated by a random palette's principal axes and shifted by its mean colour (the "
                 "paper's correlate_channels); independent: three independent fields")
          .when("channels", {"auto", "3"}),
  };
  return table;
}

namespace {

class SpectralNoise final : public detail::ExponentClassGenerator<SpectralNoise> {
 public:
  SpectralNoise(const Params& p, const GeneratorContext&) : ExponentClassGenerator(p, "spectral_noise", "slope") {
    field_ = spectral_field(size_);
    anisotropy_ = p.get_float("anisotropy");
    pca_ = channels_ == 3 && p.get_string("color_model") == "pca";
    const std::string model = p.get_string("model");
    if (model == "spectrum_color")
      model_ = StatisticalModel::SpectrumColor;
    else if (model == "wmm")
      model_ = StatisticalModel::Wmm;
    else if (model == "spectrum_color_wmm")
      model_ = StatisticalModel::SpectrumColorWmm;
    if (model_ == StatisticalModel::Spectrum) return;
    iterations_ = static_cast<int>(p.get_int("iterations"));
    if (channels_ != 3 && model_ != StatisticalModel::Wmm)
      p.fail("model", model + " matches the channels to a colour palette's histograms and needs channels: 3 (or auto)");
    if (model_ == StatisticalModel::Wmm && exponents_.classes > 1)
      p.fail("classes", "model: wmm draws no spectral slope, so there is nothing to split into " +
                            std::to_string(exponents_.classes) + " classes; give classes: 1");
    if (size_ > kMaxIterativeSide)
      p.fail("size", "is at most " + std::to_string(kMaxIterativeSide) + " for model " + model + " (valid: [8, " +
                         std::to_string(kMaxIterativeSide) + "]; the iterative models take about " +
                         "a second per image at 1024 px)");
    if (model_ != StatisticalModel::SpectrumColor)
      pyramid_ = std::make_shared<const SteerablePyramid>(field_, wmm_levels(field_));
  }

  // The complex planes, the FFT's two transposed planes and the image (and its PNG rows).
  SampleMemory sample_memory() const override {
    const double side = static_cast<double>(size_), f = static_cast<double>(field_);
    if (model_ != StatisticalModel::Spectrum) {
      const double bytes = statistical_work_bytes(field_, channels_) + (pyramid_ ? pyramid_->mask_bytes() : 0.0);
      SampleMemory m = image_memory(size_, channels_, bytes / (side * side) + channels_);
      m.what += ", field " + std::to_string(field_) + " px";
      return m;
    }
    SampleMemory m = image_memory(size_, channels_, 2.5 * channels_ + 16.0 * f * f / (side * side) + 4.0 * channels_);
    m.what += ", field " + std::to_string(field_) + " px";
    return m;
  }

  /// The image of (cat, inst) into `out` (no masks: `sample` is unused).
  void render(std::int64_t cat, std::int64_t inst, std::uint8_t* out, Sample* /*sample*/) const {
    Rng rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Noise);
    if (model_ != StatisticalModel::Spectrum) {
      StatisticalImage s;
      s.model = model_;
      s.iterations = iterations_;
      s.pca = pca_;
      s.pyramid = pyramid_.get();
      if (model_ != StatisticalModel::Wmm) {
        const AxisSlopes a = draw_axis_slopes(exponents_.draw(cat, rng), anisotropy_, rng);
        s.slope_x = a.x;
        s.slope_y = a.y;
      }
      render_statistical_image(out, size_, channels_, s, rng);
      return;
    }
    const AxisSlopes a = draw_axis_slopes(exponents_.draw(cat, rng), anisotropy_, rng);
    render_spectral_image(out, size_, channels_, a.x, a.y, pca_, rng);
  }

 private:
  int field_ = 256;
  double anisotropy_ = 0.05;
  bool pca_ = true;
  static constexpr int kMaxIterativeSide = 2048;
  StatisticalModel model_ = StatisticalModel::Spectrum;
  int iterations_ = 10;
  std::shared_ptr<const SteerablePyramid> pyramid_;
};

}  // namespace

std::unique_ptr<Generator> make_spectral_noise(const Params& params, const GeneratorContext& context) {
  return std::make_unique<SpectralNoise>(params, context);
}

}  // namespace fdsl
