// one_frac generator (1p-frac). Parameters: sigma, delta, fill_threshold, points, pad, ink,
// render (patch | point), max_tries.
#include "fdsl/generators/one_frac.h"

#include <cstdio>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/stop.h"
#include "fdsl/generators/sigma_ifs.h"
#include "fdsl/io/category_csv.h"
#include "fdsl/render/chaos_game.h"
#include "fdsl/render/raster.h"

namespace fdsl {

const ParamTable& one_frac_params() {
  static const ParamTable table = {
      float_param("sigma", 3.5, 0.1, 5.9,
                  "sigma factor of the base system (N = 2; alpha ~ U(sigma-0.1, sigma+0.1), inside (0, 3N))", true,
                  true)
          .explorer_knob(1),
      float_param("delta", 0.1, 0.0, 1.0, "perturbation: each parameter of each map times U(1-delta, 1+delta)")
          .explorer_knob(2),
      float_param("fill_threshold", 0.05, 0.0, 1.0, "accept a perturbation whose inked-pixel fraction exceeds this"),
      int_param("points", 100000, 2, 100000000, "chaos-game points per image").explorer_knob(3, 1000, 400000),
      int_param("pad", 6, 0, 4096, "padding in pixels (FractalDB normalization)"),
      int_param("ink", 127, 1, 255, "gray value of the fractal"),
      enum_param("render", "patch", {"point", "patch"}, "patch: fresh random 3x3 mask per point; point: 1 px")
          .explorer_knob(4),
      int_param("max_tries", 1000, 1, 1000000, "perturbation draws per class before giving up"),
  };
  return table;
}

namespace {

class OneFrac final : public Generator {
 public:
  OneFrac(const Params& p, const GeneratorContext& ctx) {
    seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
    sample_seed_ = sample_seed(p);
    size_ = static_cast<int>(p.get_int("size"));
    classes_ = p.get_int("classes") > 0 ? p.get_int("classes") : default_classes("one_frac");
    instances_ = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances("one_frac");
    points_ = p.get_int("points");
    pad_ = static_cast<int>(p.get_int("pad"));
    ink_ = static_cast<std::uint8_t>(p.get_int("ink"));
    patch_ = p.get_string("render") == "patch";
    delta_ = p.get_float("delta");
    threshold_ = p.get_float("fill_threshold");
    if (output_channels(p) == 3) channels_ = 3;
    if (2 * pad_ + 4 > size_) p.fail("pad", "leaves no room: 2*pad + 4 must not exceed size " + std::to_string(size_));
    const double sigma = p.get_float("sigma");
    // beta = (sigma - 0.1, sigma + 0.1) lies inside (0, 3N) = (0, 6): the declared range (0.1, 5.9).
    Rng base_rng(seed_, 0, 0, Purpose::Category);
    const double alpha = base_rng.uniform(sigma - 0.1, sigma + 0.1);
    base_ = sample_sigma_ifs(base_rng, 2, alpha);

    // A fill that the points cannot reach would try every perturbation of every class in vain.
    const double side = static_cast<double>(size_);
    const double reachable = static_cast<double>(points_) * (patch_ ? 9.0 : 1.0) / (side * side);
    if (threshold_ >= reachable)
      p.fail("fill_threshold", "cannot be reached: " + std::to_string(points_) + " points " +
                                   (patch_ ? "(3x3 patches) " : "") + "ink at most " + std::to_string(reachable) +
                                   " of a " + std::to_string(size_) +
                                   " px image; raise points or lower fill_threshold");
    // Each class is accepted on its own streams, so a run of the first classes tests only those.
    const std::int64_t built = ctx.search_limit >= 0 ? std::min(classes_, ctx.search_limit) : classes_;
    check_category_memory(p, "classes", built, sizeof(Ifs2) + 2 * 80.0 + 16);
    systems_.resize(static_cast<std::size_t>(built));
    fill_.resize(static_cast<std::size_t>(built));
    tries_.resize(static_cast<std::size_t>(built));
    const std::int64_t max_tries = p.get_int("max_tries");
    std::vector<std::int64_t> failed(static_cast<std::size_t>(built), 0);
    if (ctx.on_phase) ctx.on_phase("1p-frac acceptance test: " + std::to_string(built) + " classes");
    parallel_for(0, built, ctx.threads, [&](std::int64_t c) {
      for (std::int64_t t = 0; t < max_tries; ++t) {
        throw_if_stopped("the 1p-frac acceptance test");
        Ifs2 sys = perturb(c, t);
        // The acceptance render is instance 0 of the class as it will be generated.
        // (on the train streams: every split accepts the same systems)
        const Image img = render(sys, c, 0, seed_);
        std::size_t inked = 0;
        for (std::uint8_t v : img.pixels) inked += v > 1;
        const double fill = static_cast<double>(inked) / static_cast<double>(img.pixels.size());
        if (fill > threshold_) {
          systems_[static_cast<std::size_t>(c)] = std::move(sys);
          fill_[static_cast<std::size_t>(c)] = fill;
          tries_[static_cast<std::size_t>(c)] = t + 1;
          return;
        }
      }
      failed[static_cast<std::size_t>(c)] = 1;
    });
    for (std::int64_t c = 0; c < built; ++c)
      if (failed[static_cast<std::size_t>(c)])
        p.fail("fill_threshold", "class " + std::to_string(c) + " found no perturbation above the threshold in " +
                                     std::to_string(max_tries) + " tries; lower fill_threshold or delta");
  }

  std::string family() const override { return "one_frac"; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<OneFrac>(*this);
    g->sample_seed_ = redraw_seed(sample_seed_, draw);
    return g;
  }
  std::int64_t num_classes() const override { return classes_; }
  std::int64_t instances_per_class() const override { return instances_; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{size_, size_, channels_}; }
  // One image and its PNG rows (measured ~1 byte a pixel at 4096 px, gray), the orbit 16 bytes a point.
  SampleMemory sample_memory() const override {
    SampleMemory m = image_memory(size_, channels_, 2.5 * channels_);
    m.bytes += 16.0 * static_cast<double>(points_);
    m.what += ", points " + std::to_string(points_);
    return m;
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override {
    Sample s = start_sample(cat, inst);
    s.image = render(system(cat), cat, inst, sample_seed_);
    return s;
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    const Ifs2& ifs = system(cat);
    nlohmann::ordered_json j;
    j["category"] = cat;
    j["maps"] = ifs_maps_json(ifs);
    j["fill"] = fill_[static_cast<std::size_t>(cat)];
    j["tries"] = tries_[static_cast<std::size_t>(cat)];
    return j;
  }

  const Ifs2* ifs_category(std::int64_t cat) const override { return &system(cat); }

  std::string describe_category(std::int64_t cat) const override {
    system(cat);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%05lld fill=%.3f", static_cast<long long>(cat),
                  fill_.at(static_cast<std::size_t>(cat)));
    return buf;
  }

  nlohmann::ordered_json stats() const override {
    std::int64_t total = 0;
    for (auto t : tries_) total += t;
    nlohmann::ordered_json j;
    j["base_sigma"] = base_.alpha;
    j["perturbations_tried"] = total;
    j["acceptance_rate"] = total > 0 ? static_cast<double>(tries_.size()) / static_cast<double>(total) : 0.0;
    return j;
  }

 private:
  /// Class `cat`'s accepted system; only the first search_limit exist when the run needs no more.
  const Ifs2& system(std::int64_t cat) const {
    check_index(cat, 0);
    if (cat >= static_cast<std::int64_t>(systems_.size()))
      throw_runtime("class " + std::to_string(cat) + " was not accepted: this generator was built for the first " +
                    std::to_string(systems_.size()) + " classes only");
    return systems_[static_cast<std::size_t>(cat)];
  }

  /// The base system with every parameter of every map times its own U(1-delta, 1+delta);
  /// probabilities stay those of the base system.
  Ifs2 perturb(std::int64_t cls, std::int64_t attempt) const {
    Rng rng(seed_, static_cast<std::uint64_t>(cls), static_cast<std::uint64_t>(attempt), Purpose::Noise);
    Ifs2 ifs = base_.ifs;
    for (auto& m : ifs.maps) {
      double* v[6] = {&m.a, &m.b, &m.c, &m.d, &m.e, &m.f};
      for (double* x : v) *x *= rng.uniform(1.0 - delta_, 1.0 + delta_);
    }
    return ifs;
  }

  Image render(const Ifs2& ifs, std::int64_t cls, std::int64_t inst, std::uint64_t seed) const {
    thread_local Orbit2 orbit;
    Image img(size_, size_, channels_, 0);
    chaos_game(ifs, points_,
               Rng(seed, static_cast<std::uint64_t>(cls), static_cast<std::uint64_t>(inst), Purpose::Orbit),
               ChaosStart::Origin, orbit);
    if (!orbit.finite) return img;
    const PixelTransform t = fractaldb_transform(orbit, size_, size_, pad_);
    if (patch_)
      splat_fresh_patches(orbit, t, img, ink_,
                          Rng(seed, static_cast<std::uint64_t>(cls), static_cast<std::uint64_t>(inst), Purpose::Patch));
    else
      splat_points(orbit, t, img, ink_);
    return img;
  }

  std::uint64_t seed_ = 0, sample_seed_ = 0;
  int size_ = 512, pad_ = 6, channels_ = 1;
  std::int64_t classes_ = 0, instances_ = 1, points_ = 100000;
  std::uint8_t ink_ = 127;
  bool patch_ = true;
  double delta_ = 0.1, threshold_ = 0.05;
  SigmaIfs base_;
  std::vector<Ifs2> systems_;
  std::vector<double> fill_;
  std::vector<std::int64_t> tries_;
};

}  // namespace

std::unique_ptr<Generator> make_one_frac(const Params& params, const GeneratorContext& context) {
  return std::make_unique<OneFrac>(params, context);
}

}  // namespace fdsl
