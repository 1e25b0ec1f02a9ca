// moire generator. Per sample, with n ~ U{gratings_min..gratings_max} gratings, each:
//   kind lines or circles (kind: mixed draws either with p = 0.5);
//   frequency f_k = f U(1 - detune, 1 + detune) cycles per image side, f = size / period, the
//   period in pixels drawn in the class's bin of [period_min, period_max];
//   phase U(0, 2 pi); lines at angle theta + N(0, angle_spread) about the sample's common angle
//   theta ~ U(0, pi), circles about a centre uniform in the image;
//   g_k(x, y) = (1 + cos(2 pi f_k u_k(x, y) + phase_k)) / 2, u across the stripes
//   (x cos a + y sin a) or the distance to the centre, in units of the side.
// The image is prod_k g_k, min-max stretched to [0, 1]: gray 255 v, colour a ramp between two
// random colours c0 + v (c1 - c0). Near-equal frequencies and angles (small detune and
// angle_spread) make the low-frequency beat fringes that give moire its look.
#include "fdsl/generators/moire.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "exponent_classes.h"
#include "fdsl/core/error.h"

namespace fdsl {

const ParamTable& moire_params() {
  static const ParamTable table = {
      int_param("gratings_min", 2, 2, 8, "fewest gratings per image").at_most("gratings_max"),
      int_param("gratings_max", 3, 2, 8, "most gratings per image"),
      float_param("period_min", 4.0, 2.0, 4096.0, "shortest base period of the gratings, in pixels")
          .at_most("period_max")
          .explorer_knob(1),
      float_param("period_max", 32.0, 2.0, 4096.0, "longest base period of the gratings, in pixels").explorer_knob(2),
      float_param(
          "detune", 0.08, 0.0, 0.9,
          "each grating's frequency is the base frequency times U(1 - detune, 1 + detune): the beat fringes' spacing")
          .explorer_knob(3),
      float_param("angle_spread", 5.0, 0.0, 90.0,
                  "standard deviation, in degrees, of each line grating's angle about the sample's common angle"),
      enum_param("kind", "mixed", {"mixed", "lines", "circles"},
                 "lines: straight stripes; circles: rings about a random centre; mixed: each grating either, p = 0.5"),
  };
  return table;
}

namespace {

constexpr double kTwoPi = 6.283185307179586;

class Moire final : public detail::ExponentClassGenerator<Moire> {
 public:
  Moire(const Params& p, const GeneratorContext&) : ExponentClassGenerator(p, "moire", "period") {
    n_min_ = static_cast<int>(p.get_int("gratings_min"));
    n_max_ = static_cast<int>(p.get_int("gratings_max"));
    detune_ = p.get_float("detune");
    spread_ = p.get_float("angle_spread") * kTwoPi / 360.0;
    kind_ = p.get_string("kind");
    // Below two pixels a period aliases into a pattern that is not its own.
    if (p.get_float("period_min") / (1.0 + detune_) < 2.0)
      p.fail("detune", "period_min / (1 + detune) = " + std::to_string(p.get_float("period_min") / (1.0 + detune_)) +
                           " px is below 2 px, where the gratings alias; lower detune or raise period_min");
  }

  // The product plane (float), the per-axis tables and the image with its PNG rows.
  SampleMemory sample_memory() const override { return image_memory(size_, channels_, 4.0 + 2.5 * channels_); }

  /// The image of (cat, inst) into `out` (no masks: `sample` is unused).
  void render(std::int64_t cat, std::int64_t inst, std::uint8_t* out, Sample* /*sample*/) const {
    Rng rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Noise);
    const double base = size_ / exponents_.draw(cat, rng);  // cycles per image side
    const int n = static_cast<int>(rng.uniform_int(n_min_, n_max_));
    const double theta = rng.uniform(0.0, kTwoPi / 2.0);
    const int s = size_;
    const double inv = 1.0 / s;
    thread_local std::vector<float> prod, row_c, row_s, col_c, col_s;
    prod.assign(static_cast<std::size_t>(s) * s, 1.0f);
    row_c.resize(s), row_s.resize(s), col_c.resize(s), col_s.resize(s);
    for (int k = 0; k < n; ++k) {
      const bool circles = kind_ == "circles" || (kind_ == "mixed" && rng.uniform() < 0.5);
      const double f = base * rng.uniform(1.0 - detune_, 1.0 + detune_);
      const double phase = rng.uniform(0.0, kTwoPi);
      const double w = kTwoPi * f * inv;  // radians per pixel
      if (!circles) {
        const double a = theta + spread_ * rng.normal();
        const double ca = std::cos(a), sa = std::sin(a);
        // cos(w (x ca + y sa) + phase) = cos(w x ca) cos(w y sa + phase) - sin(w x ca) sin(w y sa + phase).
        for (int i = 0; i < s; ++i) {
          const double cx = w * (i + 0.5) * ca, cy = w * (i + 0.5) * sa + phase;
          col_c[i] = static_cast<float>(std::cos(cx)), col_s[i] = static_cast<float>(std::sin(cx));
          row_c[i] = static_cast<float>(std::cos(cy)), row_s[i] = static_cast<float>(std::sin(cy));
        }
        for (int y = 0; y < s; ++y) {
          float* p = prod.data() + static_cast<std::size_t>(y) * s;
          const float rc = row_c[y], rs = row_s[y];
          for (int x = 0; x < s; ++x) p[x] *= 0.5f + 0.5f * (col_c[x] * rc - col_s[x] * rs);
        }
      } else {
        const double cx = rng.uniform(0.0, s), cy = rng.uniform(0.0, s);
        // cos(w r + phase) in vector lanes: reduced to [-pi, pi] (the argument is never
        // negative) and a Taylor series to t^16 (error below 2e-7, far under a gray level).
        const float wf = static_cast<float>(w), ph = static_cast<float>(phase);
        for (int x = 0; x < s; ++x) col_c[x] = static_cast<float>(x + 0.5 - cx);
        for (int y = 0; y < s; ++y) {
          float* p = prod.data() + static_cast<std::size_t>(y) * s;
          const float dy = static_cast<float>(y + 0.5 - cy), dy2 = dy * dy;
          const float* dxs = col_c.data();
          for (int x = 0; x < s; ++x) {
            const float a = wf * std::sqrt(dxs[x] * dxs[x] + dy2) + ph;
            const float k = static_cast<float>(static_cast<int>(a * 0.15915494f + 0.5f));
            const float t = a - k * 6.2831855f, u = t * t;
            float c = 4.7794773e-14f;
            c = c * u - 1.1470746e-11f;
            c = c * u + 2.0876757e-09f;
            c = c * u - 2.7557319e-07f;
            c = c * u + 2.4801587e-05f;
            c = c * u - 1.3888889e-03f;
            c = c * u + 4.1666668e-02f;
            c = c * u - 0.5f;
            c = c * u + 1.0f;
            p[x] *= 0.5f + 0.5f * c;
          }
        }
      }
    }
    float lo = prod[0], hi = prod[0];
    for (float v : prod) lo = std::min(lo, v), hi = std::max(hi, v);
    const float scale = hi > lo ? 1.0f / (hi - lo) : 0.0f;
    if (channels_ == 1) {
      for (std::size_t i = 0; i < prod.size(); ++i)
        out[i] = static_cast<std::uint8_t>(std::min(255.0f, (prod[i] - lo) * scale * 255.0f + 0.5f));
      return;
    }
    float c0[3], c1[3];
    for (int c = 0; c < 3; ++c) c0[c] = static_cast<float>(rng.uniform(0.0, 255.0));
    for (int c = 0; c < 3; ++c) c1[c] = static_cast<float>(rng.uniform(0.0, 255.0));
    for (std::size_t i = 0; i < prod.size(); ++i) {
      const float v = (prod[i] - lo) * scale;
      for (int c = 0; c < 3; ++c)
        out[3 * i + c] = static_cast<std::uint8_t>(std::clamp(c0[c] + v * (c1[c] - c0[c]) + 0.5f, 0.0f, 255.0f));
    }
  }

 private:
  int n_min_ = 2, n_max_ = 3;
  double detune_ = 0.08, spread_ = 0.0;
  std::string kind_ = "mixed";
};

}  // namespace

std::unique_ptr<Generator> make_moire(const Params& params, const GeneratorContext& context) {
  return std::make_unique<Moire>(params, context);
}

}  // namespace fdsl
