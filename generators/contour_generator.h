// The generator both contour families share: categories drawn from fdsl's streams (faithful) or
// replayed from the official scripts' CPython `random` streams (compat: official), instances
// rendered by the contour engine. A family supplies its parameter ranges, its category and
// per-instance draws in the official order, and its names.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "contour_engine.h"
#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/core/stop.h"
#include "fdsl/generators/generator.h"
#include "fdsl/render/color.h"

namespace fdsl::detail::contour {

/// A category's parameters (the union of both families'; a family leaves the others at zero).
struct Category {
  std::int64_t q = 0;           ///< vertices
  std::int64_t orbits = 0;      ///< K, contours per image
  double eta = 0;               ///< Perlin amplitude
  double w = 0;                 ///< line-width offset
  std::int64_t r0 = 0;          ///< start radius
  std::int64_t n1 = 0, n2 = 0;  ///< VisualAtom wave frequencies
  double ox = 1, oy = 1;        ///< oval factors
  double cy = 0, cx = 0;        ///< centre of instance 0
  std::int64_t worker = -1;     ///< compat: the official worker that renders the class
};

/// Draws as the official scripts make them, from CPython's `random`.
struct PyDraw {
  PyRandom& r;
  std::int64_t randint(std::int64_t a, std::int64_t b) { return r.randint(a, b); }
  double uniform(double a, double b) { return r.uniform(a, b); }
  double expovariate(double lambd) { return r.expovariate(lambd); }
};

/// The same draws from an fdsl stream.
struct RngDraw {
  Rng& r;
  std::int64_t randint(std::int64_t a, std::int64_t b) { return r.uniform_int(a, b); }
  double uniform(double a, double b) { return r.uniform(a, b); }
  double expovariate(double lambd) { return -std::log(1.0 - r.uniform()) / lambd; }
};

/// The keys both contour families declare, with each family's defaults and words.
struct ContourDefaults {
  std::int64_t workers = 1;
  std::string recipe;  ///< "RCDB-1k", for the workers' help
  std::int64_t vertices_min = 3, vertices_max = 3;
  std::string vertices_min_help;
  std::string contour = "contour";  ///< what the family calls one outline ("orbit" in VisualAtom)
  std::int64_t radius_min = 0, radius_max = 100;
  bool instance_draws = false;  ///< the centre, radius and oval are drawn again per instance
  std::int64_t center_range = 400;
  std::int64_t gray_max = 255, gray_limit = 255;
  std::string gray_max_help;
  std::int64_t background = 0;
  std::string background_help;
};

/// The shared table: compat, workers, vertices, [after_vertices], orbits, perlin, line width,
/// radius, [after_radius], oval, centre, gray, background, antialias, stroke width.
inline ParamTable contour_params(const ContourDefaults& d, const ParamTable& after_vertices,
                                 const ParamTable& after_radius) {
  const std::string per_instance = d.instance_draws ? ", new per instance" : "";
  ParamTable t = {
      enum_param("compat", "faithful", {"faithful", "official"},
                 "faithful: fdsl's seeded streams; official: the official script's images pixel for pixel"),
      int_param("workers", d.workers, 1, 1000000,
                "the official run's worker count (" + d.recipe + ": " + std::to_string(d.workers) +
                    "); worker t renders classes [t C/W, (t+1) C/W) from random.seed(t + 1)")
          .when("compat", {"official"}),
      int_param("vertices_min", d.vertices_min, 3, 1000000, d.vertices_min_help).at_most("vertices_max"),
      int_param("vertices_max", d.vertices_max, 3, 1000000, "most contour vertices"),
  };
  t.insert(t.end(), after_vertices.begin(), after_vertices.end());
  const ParamTable middle = {
      int_param("orbits_min", 1, 1, 1000000, "fewest " + d.contour + "s per image (K ~ U{orbits_min..orbits_max})")
          .at_most("orbits_max"),
      int_param("orbits_max", 200, 1, 1000000, "most " + d.contour + "s per image"),
      float_param("perlin_min", 0.0, 0.0, 10000.0, "Perlin noise amplitude eta ~ U(perlin_min, perlin_max)")
          .at_most("perlin_max"),
      float_param("perlin_max", 4.0, 0.0, 10000.0, "upper end of the Perlin amplitude"),
      float_param("line_width", 0.1, 0.0, 10000.0,
                  "line-width offset w ~ U(0, line_width): outward drift per " + d.contour),
      int_param("radius_min", d.radius_min, 0, 1000000,
                "smallest start radius (r0 ~ U{radius_min..radius_max}" + per_instance + ")")
          .at_most("radius_max"),
      int_param("radius_max", d.radius_max, 0, 1000000, "largest start radius"),
  };
  t.insert(t.end(), middle.begin(), middle.end());
  t.insert(t.end(), after_radius.begin(), after_radius.end());
  const ParamTable tail = {
      float_param("oval_min", 1.0, 0.0, 10000.0, "oval factors ox, oy ~ U(oval_min, oval_max)" + per_instance)
          .at_most("oval_max"),
      float_param("oval_max", 2.0, 0.0, 10000.0, "upper end of the oval factors"),
      int_param("center_range", d.center_range, 0, 1000000,
                "centre coordinates (size + U{-center_range..center_range}) / 2, cy then cx, new per instance"),
      int_param("gray_min", 0, 0, d.gray_limit,
                "contour gray ~ U{gray_min..gray_max}" +
                    std::string(d.gray_limit > 255 ? "; values above 255 draw as 255" : ""))
          .at_most("gray_max"),
      int_param("gray_max", d.gray_max, 0, d.gray_limit, d.gray_max_help),
      int_param("background", d.background, 0, 255, d.background_help),
      bool_param("antialias", false, "anti-aliased strokes instead of Pillow's 1 px lines")
          .when("compat", {"faithful"}),
      float_param("stroke_width", 1.0, 0.0, 64.0, "antialiased stroke width in pixels", true, false)
          .when("antialias", {"true"}),
  };
  t.insert(t.end(), tail.begin(), tail.end());
  return t;
}

/// Settings every contour family has.
struct CommonSettings {
  std::uint64_t seed = 0;         ///< categories
  std::uint64_t sample_seed = 0;  ///< the split's per-instance streams
  int size = 512;
  int channels = 1;
  std::uint8_t background = 0;
  std::int64_t classes = 1000, instances = 1000;
  bool official = false;
  std::int64_t workers = 1;
  Stroke stroke;
  int threads = 0;
};

/// Reads the keys both families declare and checks them together.
inline CommonSettings read_common(const Params& p, const GeneratorContext& ctx, std::int64_t default_classes,
                                  std::int64_t default_instances) {
  CommonSettings s;
  s.seed = static_cast<std::uint64_t>(p.get_int("seed"));
  s.sample_seed = sample_seed(p);
  s.size = static_cast<int>(p.get_int("size"));
  s.channels = output_channels(p) == 3 ? 3 : 1;  // auto: gray
  s.background = static_cast<std::uint8_t>(p.get_int("background"));
  s.classes = p.get_int("classes") > 0 ? p.get_int("classes") : default_classes;
  s.instances = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances;
  s.official = p.get_string("compat") == "official";
  s.workers = p.get_int("workers");
  s.stroke.antialias = p.get_bool("antialias");
  s.stroke.width = p.get_float("stroke_width");
  s.threads = ctx.threads;
  // antialias (faithful only) and stroke_width (antialiased only) are checked by their declarations.
  if (s.official && s.classes % s.workers != 0)
    p.fail("workers", "compat: official splits the " + std::to_string(s.classes) + " classes evenly over " +
                          std::to_string(s.workers) + " workers (worker t renders classes [t C/W, (t+1) C/W)); " +
                          "the worker count must divide the number of classes");
  return s;
}

/// The ranges both families draw from, under the same keys, and what both make from them alike.
/// A family derives from it and adds its own. read() sets every field (each family's defaults live
/// in its ParamTable).
struct Ranges {
  int size = 512;
  std::int64_t vmin = 3, vmax = 3;  ///< q
  std::int64_t kmin = 1, kmax = 1;  ///< K
  double pmin = 0, pmax = 0;        ///< eta
  double lw = 0;                    ///< w ~ U(0, lw)
  std::int64_t rmin = 0, rmax = 0;  ///< r0
  double omin = 1, omax = 1;        ///< ox, oy
  std::int64_t center_range = 0;
  std::int64_t gmin = 0, gmax = 255;  ///< orbit gray

  /// Reads the shared keys (the caller has checked each _min <= _max).
  void read(const Params& p) {
    size = static_cast<int>(p.get_int("size"));
    vmin = p.get_int("vertices_min");
    vmax = p.get_int("vertices_max");
    kmin = p.get_int("orbits_min");
    kmax = p.get_int("orbits_max");
    pmin = p.get_float("perlin_min");
    pmax = p.get_float("perlin_max");
    lw = p.get_float("line_width");
    rmin = p.get_int("radius_min");
    rmax = p.get_int("radius_max");
    omin = p.get_float("oval_min");
    omax = p.get_float("oval_max");
    center_range = p.get_int("center_range");
    gmin = p.get_int("gray_min");
    gmax = p.get_int("gray_max");
  }

  /// One centre coordinate, as both scripts draw it: (size + randint(-range, range)) / 2.
  template <class D>
  double centre(D& d) const {
    return static_cast<double>(size + d.randint(-center_range, center_range)) / 2;
  }

  /// K, eta, w, r0, in this order: both scripts draw them right after q.
  template <class D>
  void draw_orbit_params(D& d, Category& c) const {
    c.orbits = d.randint(kmin, kmax);
    c.eta = d.uniform(pmin, pmax);
    c.w = d.uniform(0.0, lw);
    c.r0 = d.randint(rmin, rmax);
  }

  /// ox, oy, cy, cx, in this order: the last draws of a category in both scripts.
  template <class D>
  void draw_oval_and_centre(D& d, Category& c) const {
    c.ox = d.uniform(omin, omax);
    c.oy = d.uniform(omin, omax);
    c.cy = centre(d);
    c.cx = centre(d);
  }

  /// Instance 0's geometry: the category's own, perturbed the family's way.
  Shape shape_of(const Category& c, Noise noise) const {
    Shape s;
    s.noise = noise;
    s.eta = c.eta;
    s.w = c.w;
    s.r0 = c.r0;
    s.ox = c.ox;
    s.oy = c.oy;
    s.cy = c.cy;
    s.cx = c.cx;
    s.orbits = c.orbits;
    s.gray_lo = gmin;
    s.gray_hi = gmax;
    return s;
  }
};

/// A category's parameters as category_json lists them; n1 and n2 only where the family has waves.
inline void add_category_json(nlohmann::ordered_json& j, const Category& c, bool waves) {
  j["vertices"] = c.q;
  j["orbits"] = c.orbits;
  j["perlin"] = c.eta;
  j["line_width"] = c.w;
  j["radius"] = c.r0;
  if (waves) {
    j["n1"] = c.n1;
    j["n2"] = c.n2;
  }
  j["oval_x"] = c.ox;
  j["oval_y"] = c.oy;
  j["center_y"] = c.cy;
  j["center_x"] = c.cx;
}

/// One family of contour datasets. F provides:
///   std::string family() const;
///   bool waves() const;                                            // VisualAtom's sine terms
///   template <class D> Category draw_category(D&) const;          // the category's draws
///   Shape first_shape(const Category&) const;                      // instance 0's geometry
///   template <class D> void next_instance(D&, Shape&) const;       // the draws after an instance
///   std::string sample_name(std::int64_t cat, std::int64_t inst, const Category&) const;
///   std::vector<std::pair<std::string, std::string>> files(const std::vector<std::pair<std::int64_t, Category>>&)
///   const;
template <class F>
class ContourGenerator final : public Generator {
 public:
  ContourGenerator(F family, CommonSettings s, const Params& p) : f_(std::move(family)), s_(s) {
    // compat keeps each class's start in its worker's stream (an MT19937 state), faithful its draws.
    check_category_memory(p, "classes", s_.classes,
                          static_cast<double>(sizeof(Category)) + (s_.official ? sizeof(Mt19937) : 0));
    replay_ = make_replay();
    if (!s_.official) {
      cats_.resize(static_cast<std::size_t>(s_.classes));
      parallel_for(0, s_.classes, s_.threads, [&](std::int64_t c) {
        Rng rng(s_.seed, static_cast<std::uint64_t>(c), 0, Purpose::Category);
        RngDraw d{rng};
        cats_[static_cast<std::size_t>(c)] = f_.draw_category(d);
      });
    }
  }

  std::string family() const override { return f_.family(); }
  // compat: official replays the published stream (the train split); faithful redraws from fdsl's.
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    if (s_.official) return nullptr;
    std::unique_ptr<ContourGenerator> g(new ContourGenerator(*this, 0));
    g->s_.sample_seed = redraw_seed(s_.sample_seed, draw);
    return g;
  }
  std::int64_t num_classes() const override { return s_.classes; }
  std::int64_t instances_per_class() const override { return s_.instances; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{s_.size, s_.size, s_.channels}; }
  /// The geometry keys are pixels of the 512 px recipe: on a smaller canvas the centre and radius
  /// ranges put many contours outside it.
  std::string blank_hint() const override {
    if (s_.size >= 512) return "";
    const double k = s_.size / 512.0;
    const auto scaled = [k](std::int64_t v) { return std::to_string(std::llround(static_cast<double>(v) * k)); };
    return "center_range (" + std::to_string(f_.center_range) + ") and radius_min/radius_max (" +
           std::to_string(f_.rmin) + ", " + std::to_string(f_.rmax) + ") are pixels of the 512 px recipe, so at size " +
           std::to_string(s_.size) +
           " many contours fall outside the canvas; scale them with the size (center_range: " +
           scaled(f_.center_range) + ", radius_min: " + scaled(f_.rmin) + ", radius_max: " + scaled(f_.rmax) +
           ") or render at 512 and resize";
  }
  // The canvas, the stroke scratch, the RGB copy and the PNG rows. Measured 2026-12-08 at 4096 px,
  // one thread, the process's peak less its ~30 MB base (the dataset card's copies included):
  // RGB 6.4 bytes a pixel (compat), 7.5 anti-aliased at stroke width 8; gray 1.5. (The 9.5 and
  // 14 bytes of 2026-12-03 were 3-4x what a run takes now.)
  SampleMemory sample_memory() const override {
    return image_memory(s_.size, s_.channels, 5.5 + 2.5 * (s_.channels - 1));
  }
  // compat: a class is one work unit: its instances share one replay of the stream.
  std::int64_t preferred_chunk() const override { return s_.official ? s_.instances : 16; }

  std::string sample_name(std::int64_t cat, std::int64_t inst) const override {
    check_index(cat, inst);
    return f_.sample_name(cat, inst, category(cat));
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override { return make_via_range(cat, inst); }

  void make_range(std::int64_t cat, std::int64_t begin, std::int64_t end,
                  const std::function<void(Sample&&)>& emit) const override {
    check_index(cat, begin);
    check_index(cat, end - 1);
    thread_local Scratch scratch;
    const Category& c = category(cat);
    Tables tables;
    tables.build(static_cast<int>(c.q), f_.waves(), c.n1, c.n2);
    // compat: official replays the official images (the train split); val and test draw fresh
    // instances of the official categories from fdsl's streams.
    const bool held_out = s_.sample_seed != s_.seed;
    if (s_.official && !held_out) {
      // Replay worker t's stream from the class's start: the category draws, then every earlier
      // instance's draws without drawing, then the range.
      PyRandom r;
      r.set_state(replay_->starts[static_cast<std::size_t>(cat)]);
      PyDraw d{r};
      const Category again = f_.draw_category(d);
      Shape shape = f_.first_shape(again);
      for (std::int64_t i = 0; i < end; ++i) {
        if (i < begin) {
          skip_orbits(shape.orbits, static_cast<int>(c.q), shape.gray_lo, shape.gray_hi, r);
        } else {
          PySource src{r};
          emit(render(cat, i, shape, tables, src, scratch));
        }
        if (i + 1 < end) f_.next_instance(d, shape);
      }
      return;
    }
    for (std::int64_t i = begin; i < end; ++i) {
      Shape shape = f_.first_shape(c);
      if (i > 0 || held_out) {
        Rng layout(s_.sample_seed, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(i), Purpose::Layout);
        RngDraw d{layout};
        f_.next_instance(d, shape);
      }
      Rng noise(s_.sample_seed, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(i), Purpose::Noise);
      RngSource src{noise};
      emit(render(cat, i, shape, tables, src, scratch));
    }
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    check_index(cat, 0);
    const Category& c = category(cat);
    nlohmann::ordered_json j;
    j["category"] = cat;
    add_category_json(j, c, f_.waves());
    if (c.worker >= 0) j["worker"] = c.worker;
    return j;
  }

  std::vector<std::pair<std::string, std::string>> category_files(
      const std::vector<std::int64_t>& classes) const override {
    std::vector<std::pair<std::int64_t, Category>> cats;
    cats.reserve(classes.size());
    for (std::int64_t c : classes) cats.emplace_back(c, category(c));
    return f_.files(cats);
  }

  std::string describe_category(std::int64_t cat) const override {
    check_index(cat, 0);
    const Category& c = category(cat);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%05lld q=%lld K=%lld eta=%.2f", static_cast<long long>(cat),
                  static_cast<long long>(c.q), static_cast<long long>(c.orbits), c.eta);
    return buf;
  }

  nlohmann::ordered_json stats() const override {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (s_.official) {
      j["compat"] = "official";
      j["workers"] = s_.workers;
    }
    return j;
  }

 private:
  /// compat: where each class starts in its worker's stream, and its parameters, found on first
  /// use worker by worker and class by class: a run replays only the workers it renders, each up
  /// to the last class it needs (the first class of every worker starts at the worker's seed).
  struct Worker {
    std::mutex mutex;
    std::atomic<std::int64_t> built{0};  ///< classes of this worker whose start and draws are known
    PyRandom cursor;                     ///< the stream where class `built` starts
  };
  struct Replay {
    std::vector<Mt19937> starts;
    std::vector<Category> cats;
    std::vector<std::unique_ptr<Worker>> workers;
  };

  const Category& category(std::int64_t cat) const {
    if (!s_.official) return cats_.at(static_cast<std::size_t>(cat));
    check_index(cat, 0);
    replay_to(cat);
    return replay_->cats[static_cast<std::size_t>(cat)];
  }

  /// Replays class `cat`'s worker up to and including `cat`'s category draws (once; thread-safe).
  void replay_to(std::int64_t cat) const {
    const std::int64_t per = s_.classes / s_.workers, t = cat / per, k = cat - t * per;
    Worker& w = *replay_->workers[static_cast<std::size_t>(t)];
    if (k < w.built.load(std::memory_order_acquire)) return;
    std::lock_guard<std::mutex> lock(w.mutex);
    PyDraw d{w.cursor};
    for (std::int64_t b = w.built.load(std::memory_order_relaxed); b <= k; ++b) {
      const std::int64_t c = t * per + b;
      replay_->starts[static_cast<std::size_t>(c)] = w.cursor.state();
      Category drawn = f_.draw_category(d);
      drawn.worker = t;
      replay_->cats[static_cast<std::size_t>(c)] = drawn;
      if (b + 1 < per) {
        // Skip the class's instances without drawing: the next class starts after them.
        Shape shape = f_.first_shape(drawn);
        for (std::int64_t i = 0; i < s_.instances; ++i) {
          if ((i & 255) == 0) throw_if_stopped("the compat: official stream replay");
          skip_orbits(shape.orbits, static_cast<int>(drawn.q), shape.gray_lo, shape.gray_hi, w.cursor);
          f_.next_instance(d, shape);
        }
      }
      w.built.store(b + 1, std::memory_order_release);
    }
  }

  std::unique_ptr<Replay> make_replay() const {
    auto rp = std::make_unique<Replay>();
    if (!s_.official) return rp;
    rp->starts.resize(static_cast<std::size_t>(s_.classes));
    rp->cats.resize(static_cast<std::size_t>(s_.classes));
    for (std::int64_t t = 0; t < s_.workers; ++t) {
      rp->workers.push_back(std::make_unique<Worker>());
      rp->workers.back()->cursor = PyRandom(static_cast<std::uint64_t>(t) + 1);  // random.seed(thread_num + 1)
    }
    return rp;
  }

  template <class Source>
  Sample render(std::int64_t cat, std::int64_t inst, const Shape& shape, const Tables& tables, Source& src,
                Scratch& scratch) const {
    Sample s;
    s.category = cat;
    s.instance = inst;
    s.label = cat;
    s.name = f_.sample_name(cat, inst, category(cat));
    Image canvas(s_.size, s_.size, 1, s_.background);
    render_orbits(shape, tables, src, s_.stroke, canvas, scratch);
    s.image = s_.channels == 3 ? gray_to_rgb(canvas) : std::move(canvas);
    return s;
  }

  F f_;
  CommonSettings s_;
  std::vector<Category> cats_;  ///< faithful: drawn at construction
  std::unique_ptr<Replay> replay_;

  /// A copy for redrawn() (faithful only: the replay state is not copied).
  ContourGenerator(const ContourGenerator& o, int) : f_(o.f_), s_(o.s_), cats_(o.cats_), replay_(make_replay()) {}
};

}  // namespace fdsl::detail::contour
