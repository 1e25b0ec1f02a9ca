// Classes of the noise families (spectral_noise, dead_leaves): the published recipes have one class
// of samples whose exponent is drawn from a range; `classes: K` splits that range into K equal bins,
// class k drawing its exponent inside bin k, so a classifier has something to learn.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "fdsl/core/params.h"
#include "fdsl/core/rng.h"
#include "fdsl/generators/generator.h"

namespace fdsl::detail {

struct ExponentClasses {
  double lo = 0, hi = 0;
  std::int64_t classes = 1;

  /// Reads `<key>_min`/`<key>_max`; refuses several classes over an empty range (they would be
  /// one distribution under several labels).
  void read(const Params& p, const std::string& key, std::int64_t count) {
    lo = p.get_float(key + "_min");
    hi = p.get_float(key + "_max");
    classes = count;
    if (classes > 1 && !(hi > lo))
      p.fail("classes", std::to_string(classes) + " classes split [" + key + "_min, " + key +
                            "_max] into bins, and that range is empty (" + p.value_text(key + "_min") + " to " +
                            p.value_text(key + "_max") + "): every class would be the same distribution; give " + key +
                            "_min < " + key + "_max or classes: 1");
  }
  double bin_lo(std::int64_t c) const { return lo + (hi - lo) * static_cast<double>(c) / static_cast<double>(classes); }
  double bin_hi(std::int64_t c) const {
    return c + 1 == classes ? hi : lo + (hi - lo) * static_cast<double>(c + 1) / static_cast<double>(classes);
  }
  double draw(std::int64_t c, Rng& rng) const { return rng.uniform(bin_lo(c), bin_hi(c)); }
};

/// What the two noise families share: square images of `size` with 1 or 3 channels, classes as
/// ExponentClasses over `<key>_min`/`<key>_max`, and samples drawn by Derived::render(cat, inst,
/// out) onto a black canvas from the per-sample seed (which redrawn() replaces).
template <class Derived>
class ExponentClassGenerator : public Generator {
 public:
  ExponentClassGenerator(const Params& p, std::string family, std::string key)
      : family_(std::move(family)), key_(std::move(key)) {
    sample_seed_ = sample_seed(p);
    size_ = static_cast<int>(p.get_int("size"));
    channels_ = output_channels(p) == 1 ? 1 : 3;
    instances_ = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances(family_);
    exponents_.read(p, key_, p.get_int("classes") > 0 ? p.get_int("classes") : default_classes(family_));
  }

  std::string family() const override { return family_; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<Derived>(static_cast<const Derived&>(*this));
    g->sample_seed_ = redraw_seed(sample_seed_, draw);
    return g;
  }
  std::int64_t num_classes() const override { return exponents_.classes; }
  std::int64_t instances_per_class() const override { return instances_; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{size_, size_, channels_}; }

  Sample make(std::int64_t cat, std::int64_t inst) const override {
    Sample s = start_sample(cat, inst);
    s.image = Image(size_, size_, channels_, 0);
    static_cast<const Derived&>(*this).render(cat, inst, s.image.pixels.data(), &s);
    return s;
  }

  std::int64_t make_image_into(std::int64_t cat, std::int64_t inst, std::uint8_t* pixels, int width, int height,
                               int channels) const override {
    check_index(cat, inst);
    if (width != size_ || height != size_ || channels != channels_)
      return Generator::make_image_into(cat, inst, pixels, width, height, channels);
    std::memset(pixels, 0, static_cast<std::size_t>(size_) * size_ * channels_);
    static_cast<const Derived&>(*this).render(cat, inst, pixels, nullptr);
    return cat;
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    check_index(cat, 0);
    nlohmann::ordered_json j;
    j["category"] = cat;
    j[key_ + "_min"] = exponents_.bin_lo(cat);
    j[key_ + "_max"] = exponents_.bin_hi(cat);
    return j;
  }

  std::string describe_category(std::int64_t cat) const override {
    check_index(cat, 0);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%05lld %s %.2f-%.2f", static_cast<long long>(cat), key_.c_str(),
                  exponents_.bin_lo(cat), exponents_.bin_hi(cat));
    return buf;
  }

 protected:
  std::string family_, key_;
  std::uint64_t sample_seed_ = 0;
  int size_ = 256, channels_ = 3;
  std::int64_t instances_ = 1;
  ExponentClasses exponents_;
};

}  // namespace fdsl::detail
