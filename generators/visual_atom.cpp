// visual_atom generator (Takashima et al., CVPR 2023; compat: official replays render_VisualAtom.py). Parameters, with
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
  static const ParamTable table = [] {
    detail::contour::ContourDefaults d;
    d.workers = 20;
    d.recipe = "VisualAtom-1k";
    d.vertices_min = 200;
    d.vertices_max = 1000;
    d.vertices_min_help = "fewest contour vertices (q ~ U{vertices_min..vertices_max})";
    d.contour = "orbit";
    d.radius_min = 10;
    d.radius_max = 60;
    d.center_range = 512;
    d.gray_max = 255;
    d.gray_limit = 255;
    d.gray_max_help = "upper end of the orbit gray";
    d.background = 0;
    d.background_help = "canvas gray (the official images are black)";
    return detail::contour::contour_params(
        d, {},
        {int_param("n1_min", 0, 0, 1000000, "first wave frequency n1 ~ U{n1_min..n1_max}").at_most("n1_max"),
         int_param("n1_max", 20, 0, 1000000, "upper end of n1"),
         int_param("n2_min", 0, 0, 1000000,
                   "second wave frequency n2 ~ U{n2_min..n2_max}, redrawn until n2 != n1 (n1 = 0 accepts n2 = 0)")
             .at_most("n2_max"),
         int_param("n2_max", 20, 0, 1000000, "upper end of n2")});
  }();
  return table;
}

namespace {

using detail::contour::Category;
using detail::contour::Shape;

struct AtomFamily : detail::contour::Ranges {
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

  Shape first_shape(const Category& c) const { return shape_of(c, detail::contour::Noise::VisualAtom); }

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
  detail::contour::CommonSettings s =
      detail::contour::read_common(p, ctx, default_classes("visual_atom"), default_instances("visual_atom"));
  return std::make_unique<detail::contour::ContourGenerator<AtomFamily>>(f, s, p);
}

}  // namespace fdsl
