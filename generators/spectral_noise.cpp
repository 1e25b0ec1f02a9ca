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

#include "exponent_classes.h"
#include "fdsl/core/error.h"
#include "fdsl/render/spectral.h"

namespace fdsl {

const ParamTable& spectral_noise_params() {
  static const ParamTable table = {
      float_param("slope_min", 0.5, 0.0, 8.0, "lower end of the spectral slope s (the paper: 0.5)")
          .at_most("slope_max")
          .explorer_knob(1),
      float_param("slope_max", 3.5, 0.0, 8.0, "upper end of the spectral slope s (the paper: 3.5)").explorer_knob(2),
      float_param("anisotropy", 0.05, 0.0, 2.0,
                  "standard deviation of d, slope_x = s + d, slope_y = s - d (the paper: (3.5 - 0.5) / 60)")
          .explorer_knob(3),
      enum_param("color_model", "pca", {"pca", "independent"},
                 "pca: channels rotated by a random palette's principal axes and shifted by its mean colour (the "
                 "paper's correlate_channels); independent: three independent fields")
          .when("channels", {"auto", "3"}),
  };
  return table;
}

namespace {

class SpectralNoise final : public Generator {
 public:
  SpectralNoise(const Params& p, const GeneratorContext&) {
    sample_seed_ = sample_seed(p);
    size_ = static_cast<int>(p.get_int("size"));
    field_ = 2;
    while (field_ < size_) field_ *= 2;
    channels_ = output_channels(p) == 1 ? 1 : 3;
    instances_ = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances("spectral_noise");
    slopes_.read(p, "slope", p.get_int("classes") > 0 ? p.get_int("classes") : default_classes("spectral_noise"));
    anisotropy_ = p.get_float("anisotropy");
    pca_ = channels_ == 3 && p.get_string("color_model") == "pca";
  }

  std::string family() const override { return "spectral_noise"; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<SpectralNoise>(*this);
    g->sample_seed_ = redraw_seed(sample_seed_, draw);
    return g;
  }
  std::int64_t num_classes() const override { return slopes_.classes; }
  std::int64_t instances_per_class() const override { return instances_; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{size_, size_, channels_}; }
  // The complex planes, the FFT's scratch and the image (and its PNG rows).
  SampleMemory sample_memory() const override {
    const double side = static_cast<double>(size_), f = static_cast<double>(field_);
    SampleMemory m = image_memory(size_, channels_, 2.5 * channels_ + 12.0 * f * f / (side * side) + 4.0 * channels_);
    m.what += ", field " + std::to_string(field_) + " px";
    return m;
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override {
    Sample s = start_sample(cat, inst);
    s.image = Image(size_, size_, channels_, 0);
    render(cat, inst, s.image.pixels.data());
    return s;
  }

  std::int64_t make_image_into(std::int64_t cat, std::int64_t inst, std::uint8_t* pixels, int width, int height,
                               int channels) const override {
    check_index(cat, inst);
    if (width != size_ || height != size_ || channels != channels_)
      return Generator::make_image_into(cat, inst, pixels, width, height, channels);
    render(cat, inst, pixels);
    return cat;
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    check_index(cat, 0);
    nlohmann::ordered_json j;
    j["category"] = cat;
    j["slope_min"] = slopes_.bin_lo(cat);
    j["slope_max"] = slopes_.bin_hi(cat);
    return j;
  }

  std::string describe_category(std::int64_t cat) const override {
    check_index(cat, 0);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%05lld slope %.2f-%.2f", static_cast<long long>(cat), slopes_.bin_lo(cat),
                  slopes_.bin_hi(cat));
    return buf;
  }

 private:
  void render(std::int64_t cat, std::int64_t inst, std::uint8_t* out) const {
    Rng rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Noise);
    const double s = slopes_.draw(cat, rng);
    const double d = anisotropy_ > 0 ? rng.normal() * anisotropy_ : 0.0;
    const double sx = std::max(0.0, s + d), sy = std::max(0.0, s - d);
    render_spectral_image(out, size_, channels_, sx, sy, pca_, rng);
  }

  std::uint64_t sample_seed_ = 0;
  int size_ = 256, field_ = 256, channels_ = 3;
  std::int64_t instances_ = 1;
  detail::ExponentClasses slopes_;
  double anisotropy_ = 0.05;
  bool pca_ = true;
};

}  // namespace

std::unique_ptr<Generator> make_spectral_noise(const Params& params, const GeneratorContext& context) {
  return std::make_unique<SpectralNoise>(params, context);
}

}  // namespace fdsl
