// rcdb generator (Kataoka et al., CVPR 2022; compat: official replays make_rcdb.py). Parameters, with the
// official defaults (RCDB_render.sh):
//   vertices_min..vertices_max, vertices_mean   q = int(Exp(mean 100)) redrawn until 3 <= q <= 200
//   orbits_min..orbits_max  K ~ U{1..200}       perlin_min..perlin_max  eta ~ U(0, 4)
//   line_width              w ~ U(0, 0.1)       radius_min..radius_max  r0 ~ U{0..100}
//   oval_min..oval_max      ox, oy ~ U(1, 2)    center_range            centre (size + U{-400..400}) / 2
//   gray_min..gray_max      contour gray U{0..256} (the script's randint(0, image_size / 2); 256 draws as 255)
//   background              255 (white)
//   compat (faithful | official), workers (10), antialias, stroke_width
#include "fdsl/generators/rcdb.h"

#include <charconv>
#include <cmath>

#include "contour_generator.h"

namespace fdsl {

const ParamTable& rcdb_params() {
  static const ParamTable table = [] {
    detail::contour::ContourDefaults d;
    d.workers = 10;
    d.recipe = "RCDB-1k";
    d.vertices_min = 3;
    d.vertices_max = 200;
    d.vertices_min_help = "fewest contour vertices (the official script: q > 2)";
    d.radius_min = 0;
    d.radius_max = 100;
    d.instance_draws = true;
    d.center_range = 400;
    d.gray_max = 256;
    d.gray_limit = 65535;
    d.gray_max_help = "upper end of the contour gray (the official script: image_size / 2, i.e. 256 at 512 px)";
    d.background = 255;
    d.background_help = "canvas gray (the official images are white)";
    return detail::contour::contour_params(
        d,
        {float_param("vertices_mean", 100.0, 0.0, 1e9,
                     "q = int(Exp(mean)) redrawn until vertices_min <= q <= vertices_max", true, false)},
        {});
  }();
  return table;
}

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  // The shortest round-trip digits, then Python's layout: positional for exponents -4..15 with
  // at least one digit after the point, otherwise d[.ddd]e[+-]XX.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string text(buf, res.ptr);
  std::string sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  const std::size_t e = text.find('e');
  const int exponent = std::stoi(text.substr(e + 1));
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (exponent >= -4 && exponent < 16) {
    std::string out;
    if (exponent < 0) {
      out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
      out = digits + std::string(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
            digits.substr(static_cast<std::size_t>(exponent) + 1);
    }
    return sign + out;
  }
  std::string mant = digits.substr(0, 1);
  if (digits.size() > 1) mant += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return sign + mant + ebuf;
}

namespace {

using detail::contour::Category;
using detail::contour::Shape;

struct RcdbFamily : detail::contour::Ranges {
  double vmean = 100;  ///< q = int(Exp(mean vmean)), redrawn into vmin..vmax

  std::string family() const { return "rcdb"; }
  bool waves() const { return false; }

  /// The category's draws in the official order (make_rcdb.py).
  template <class D>
  Category draw_category(D& d) const {
    Category c;
    const double lambd = 1 / vmean;  // the script's expovariate(1 / 100)
    do {
      c.q = static_cast<std::int64_t>(d.expovariate(lambd));
    } while (c.q < vmin || c.q > vmax);
    draw_orbit_params(d, c);     // K, eta, w, r0
    draw_oval_and_centre(d, c);  // ox, oy, cy, cx
    return c;
  }

  Shape first_shape(const Category& c) const { return shape_of(c, detail::contour::Noise::Rcdb); }

  /// After every instance: ox, oy, r0, cy, cx drawn again, in that order.
  template <class D>
  void next_instance(D& d, Shape& s) const {
    s.ox = d.uniform(omin, omax);
    s.oy = d.uniform(omin, omax);
    s.r0 = d.randint(rmin, rmax);
    s.cy = centre(d);
    s.cx = centre(d);
  }

  std::string sample_name(std::int64_t cat, std::int64_t inst, const Category&) const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "image/%05lld/%05lld_%04lld", static_cast<long long>(cat),
                  static_cast<long long>(cat), static_cast<long long>(inst));
    return buf;
  }

  /// The official param/NNNNN.csv: csv.writer rows key,value (\r\n), values as Python prints them.
  std::vector<std::pair<std::string, std::string>> files(
      const std::vector<std::pair<std::int64_t, Category>>& cats) const {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(cats.size());
    for (const auto& [k, c] : cats) {
      char name[64];
      std::snprintf(name, sizeof name, "param/%05lld.csv", static_cast<long long>(k));
      std::string text;
      text += "Vertex," + std::to_string(c.q) + "\r\n";
      text += "Perlin_noise," + python_float_repr(c.eta) + "\r\n";
      text += "line_width," + python_float_repr(c.w) + "\r\n";
      text += "Center_rad," + std::to_string(c.r0) + "\r\n";
      text += "Line_num," + std::to_string(c.orbits) + "\r\n";
      text += "Oval_rate_x," + python_float_repr(c.ox) + "\r\n";
      text += "Oval_rate_y," + python_float_repr(c.oy) + "\r\n";
      text += "start_pos_h," + python_float_repr(c.cy) + "\r\n";
      text += "start_pos_w," + python_float_repr(c.cx) + "\r\n";
      out.emplace_back(name, std::move(text));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Generator> make_rcdb(const Params& p, const GeneratorContext& ctx) {
  RcdbFamily f;
  f.read(p);
  f.vmean = p.get_float("vertices_mean");
  // q = int(X), X ~ Exp(mean), lands in [vmin, vmax] when vmin <= X < vmax + 1.
  const double hit =
      std::exp(-static_cast<double>(f.vmin) / f.vmean) - std::exp(-static_cast<double>(f.vmax + 1) / f.vmean);
  if (!(hit >= 1e-4))
    p.fail("vertices_min", "q = int(Exp(mean " + p.value_text("vertices_mean") + ")) falls in [" +
                               std::to_string(f.vmin) + ", " + std::to_string(f.vmax) + "] with probability " +
                               std::to_string(hit) +
                               ": the redraw would practically never end; widen the range or change vertices_mean");
  detail::contour::CommonSettings s =
      detail::contour::read_common(p, ctx, default_classes("rcdb"), default_instances("rcdb"));
  return std::make_unique<detail::contour::ContourGenerator<RcdbFamily>>(f, s, p);
}

}  // namespace fdsl
