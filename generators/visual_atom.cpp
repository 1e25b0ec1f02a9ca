// visual_atom generator (ALGORITHMS.md section 6; compat: official, section 8). Parameters, with
// the authors' best-practice defaults (make_VisualAtom.sh):
//   vertices_min..vertices_max   q ~ U{200..1000}       orbits_min..orbits_max  K ~ U{1..200}
//   perlin_min..perlin_max       eta ~ U(0, 4)          line_width              w ~ U(0, 0.1)
//   radius_min..radius_max       r0 ~ U{10..60}         n1_min..n1_max, n2_min..n2_max  U{0..20}
//   oval_min..oval_max           ox, oy ~ U(1, 2)       center_range            centre (size + U{-512..512}) / 2
//   gray_min..gray_max           orbit gray U{0..255}   background              0 (black)
//   compat (faithful | official), workers (20), antialias, stroke_width
#include "fdsl/generators/visual_atom.h"

#include "contour_generator.h"

namespace fdsl {

const ParamTable& visual_atom_params() {
  static const ParamTable table = {
      enum_param("compat", "faithful", {"faithful", "official"},
                 "faithful: fdsl's seeded streams; official: the official script's images pixel for pixel"),
      int_param("workers", 20, 1, 1000000,
                "compat: official: the official run's worker count (VisualAtom-1k: 20); worker t renders classes "
                "[t C/W, (t+1) C/W) from random.seed(t + 1)"),
      int_param("vertices_min", 200, 3, 1000000, "fewest contour vertices (q ~ U{vertices_min..vertices_max})"),
      int_param("vertices_max", 1000, 3, 1000000, "most contour vertices"),
      int_param("orbits_min", 1, 1, 1000000, "fewest orbits (contours) per image (K ~ U{orbits_min..orbits_max})"),
      int_param("orbits_max", 200, 1, 1000000, "most orbits per image"),
      float_param("perlin_min", 0.0, 0.0, 10000.0, "Perlin noise amplitude eta ~ U(perlin_min, perlin_max)"),
      float_param("perlin_max", 4.0, 0.0, 10000.0, "upper end of the Perlin amplitude"),
      float_param("line_width", 0.1, 0.0, 10000.0, "line-width offset w ~ U(0, line_width): outward drift per orbit"),
      int_param("radius_min", 10, 0, 1000000, "smallest start radius (r0 ~ U{radius_min..radius_max})"),
      int_param("radius_max", 60, 0, 1000000, "largest start radius"),
      int_param("n1_min", 0, 0, 1000000, "first wave frequency n1 ~ U{n1_min..n1_max}"),
      int_param("n1_max", 20, 0, 1000000, "upper end of n1"),
      int_param("n2_min", 0, 0, 1000000, "second wave frequency n2 ~ U{n2_min..n2_max}, redrawn until n2 != n1 "
                                         "(n1 = 0 accepts n2 = 0)"),
      int_param("n2_max", 20, 0, 1000000, "upper end of n2"),
      float_param("oval_min", 1.0, 0.0, 10000.0, "oval factors ox, oy ~ U(oval_min, oval_max)"),
      float_param("oval_max", 2.0, 0.0, 10000.0, "upper end of the oval factors"),
      int_param("center_range", 512, 0, 1000000,
                "centre coordinates (size + U{-center_range..center_range}) / 2, cy then cx, new per instance"),
      int_param("gray_min", 0, 0, 255, "orbit gray ~ U{gray_min..gray_max}"),
      int_param("gray_max", 255, 0, 255, "upper end of the orbit gray"),
      int_param("background", 0, 0, 255, "canvas gray (the official images are black)"),
      bool_param("antialias", false, "faithful only: anti-aliased strokes instead of Pillow's 1 px lines"),
      float_param("stroke_width", 1.0, 0.0, 64.0, "antialiased stroke width in pixels", true, false),
  };
  return table;
}

namespace {

using contour::Category;
using contour::Shape;

struct AtomFamily : contour::Ranges {
  std::int64_t n1min = 0, n1max = 20, n2min = 0, n2max = 20;  ///< the wave frequencies

  std::string family() const { return "visual_atom"; }
  bool waves() const { return true; }

  /// The category's draws in the official order (render_VisualAtom.py).
  template <class D>
  Category draw_category(D& d) const {
    Category c;
    c.q = d.randint(vmin, vmax);
    draw_orbit_params(d, c);  // K, eta, w, r0
    c.n1 = d.randint(n1min, n1max);
    do {
      c.n2 = d.randint(n2min, n2max);
    } while (c.n2 == c.n1 && c.n1 != 0);
    draw_oval_and_centre(d, c);  // ox, oy, cy, cx
    return c;
  }

  Shape first_shape(const Category& c) const { return shape_of(c, contour::Noise::VisualAtom); }

  /// After every instance a new centre (cy, then cx); r0, ox, oy stay.
  template <class D>
  void next_instance(D& d, Shape& s) const {
    s.cy = centre(d);
    s.cx = centre(d);
  }

  std::string sample_name(std::int64_t cat, std::int64_t inst, const Category& c) const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%05lld/vertex_%04lld_instance_%04lld", static_cast<long long>(cat),
                  static_cast<long long>(c.q), static_cast<long long>(inst));
    return buf;
  }

  std::vector<std::pair<std::string, std::string>> files(const std::vector<std::pair<std::int64_t, Category>>&) const {
    return {};
  }
};

}  // namespace

std::unique_ptr<Generator> make_visual_atom(const Params& p, const GeneratorContext& ctx) {
  using contour::check_range;
  for (const char* k : {"vertices", "orbits", "perlin", "radius", "n1", "n2", "oval", "gray"})
    check_range(p, std::string(k) + "_min", std::string(k) + "_max");
  AtomFamily f;
  f.read(p);
  f.n1min = p.get_int("n1_min");
  f.n1max = p.get_int("n1_max");
  f.n2min = p.get_int("n2_min");
  f.n2max = p.get_int("n2_max");
  // n2 is redrawn until it differs from n1 (n1 = 0 accepts 0): a single n2 value that n1 can take
  // would never be accepted.
  if (f.n2min == f.n2max && f.n2min != 0 && f.n1min <= f.n2min && f.n2min <= f.n1max)
    p.fail("n2_min", "n2 ranges over the single value " + std::to_string(f.n2min) + ", which n1 (U{" +
                         std::to_string(f.n1min) + ".." + std::to_string(f.n1max) +
                         "}) can take, and n2 must differ from a non-zero n1: the draw would never end; widen "
                         "n2_min..n2_max or keep n1 off that value");
  contour::CommonSettings s = contour::read_common(p, ctx, 1000, 1000);
  return std::make_unique<contour::ContourGenerator<AtomFamily>>(f, s, p);
}

}  // namespace fdsl
