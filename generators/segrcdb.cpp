// segrcdb generator (Shinoda et al., ICCV 2023; compat: official replays SegRCDB_params.py and
// SegRCDB_render.py). Categories are RCDB contour formulas drawn with random.seed(0); every image
// holds `objects` contour stacks, each of a category drawn per object, its contours drawn in gray
// lines on black and the category's gray level (category + 1) in the class mask:
//   mode M1  the mask holds each contour's lines (the published dataset)
//   mode M2  the ring between the first and the last contour (filled, with both outlines)
//   mode M3  the last contour filled
// formula: visual_atom (faithful) draws VisualAtom's contours instead (Perlin noise plus two sine
// waves of frequencies n1, n2 per category): a multi-object VisualAtom with the same masks.
// Defaults are make_SegRCDB.sh's: 254 categories, 20,000 images, 32 objects an image, 40 workers,
// vertices int(Exp(mean 100)) in 3..500, K ~ U{1..50}, eta ~ U(0, 4), w ~ U(0, 0.1), r0 ~ U{0..50},
// ox, oy ~ U(1, 2), centres (512 + U{-512..512}) / 2.
#include "fdsl/generators/segrcdb.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <type_traits>

#include "contour_generator.h"
#include "fdsl/core/stop.h"
#include "fdsl/generators/rcdb.h"
#include "fdsl/render/color.h"
#include "fdsl/render/raster.h"

namespace fdsl {

const ParamTable& segrcdb_params() {
  static const ParamTable table = {
      enum_param("compat", "faithful", {"faithful", "official"},
                 "faithful: fdsl's seeded streams; official: SegRCDB_render.py's images and masks pixel for pixel"),
      int_param("workers", 40, 1, 100000,
                "the official run's worker count (make_SegRCDB.sh: 40): worker t renders images [t N/T, (t+1) N/T) "
                "from random.seed(t + 1)")
          .when("compat", {"official"}),
      int_param("mask_classes", 254, 1, 65535,
                "segmentation categories, category k's value in the class mask k (an 8-bit PNG up to 255 categories, "
                "16-bit above; compat: official at most 255, the official masks' gray levels)"),
      int_param("objects", 32, 1, 255,
                "contour stacks per image (instance_num), each of a category drawn for it (the 8-bit instance mask's "
                "ids)"),
      enum_param("mode", "M1", {"M1", "M2", "M3"},
                 "mask type: M1 the contour lines, M2 the ring between the first and last contour, M3 the last "
                 "contour filled"),
      int_param("vertices_max", 500, 3, 100000, "most contour vertices (vertex_num; q = int(Exp(mean)) in 3..max)"),
      float_param("vertices_mean", 100.0, 0.0, 1e9,
                  "mean of the exponential the vertex count is drawn from "
                  "(the official vertex_num / 5)",
                  true, false),
      int_param("orbits_min", 1, 1, 100000, "fewest contours per object (line_num_min)").at_most("orbits_max"),
      int_param("orbits_max", 50, 1, 100000, "most contours per object (line_num_max)"),
      float_param("perlin_min", 0.0, -1e6, 1e6, "Perlin amplitude eta ~ U(perlin_min, perlin_max)")
          .at_most("perlin_max"),
      float_param("perlin_max", 4.0, -1e6, 1e6, "largest Perlin amplitude"),
      float_param("line_width", 0.1, 0.0, 1e6, "line-width offset w ~ U(0, line_width) (make_SegRCDB.sh: 0.1)"),
      int_param("radius_min", 0, 0, 1000000, "start radius r0 ~ U{radius_min..radius_max}").at_most("radius_max"),
      int_param("radius_max", 50, 0, 1000000, "largest start radius"),
      float_param("oval_rate", 2.0, 1.0, 1e6, "oval factors ox, oy ~ U(1, oval_rate)"),
      int_param("center_range", 512, 0, 1000000, "object centres (size + U{-range..range}) / 2 (start_pos)"),
      enum_param("formula", "rcdb", {"rcdb", "visual_atom"},
                 "the objects' contours: rcdb (SegRCDB's, Perlin noise alone) or visual_atom (VisualAtom's, Perlin "
                 "noise and two sine waves of frequencies n1, n2 drawn per category: a multi-object VisualAtom); "
                 "visual_atom is faithful only"),
      int_param("n1_min", 0, 0, 1000000, "visual_atom formula: first wave frequency n1 ~ U{n1_min..n1_max}")
          .at_most("n1_max")
          .when("formula", {"visual_atom"}),
      int_param("n1_max", 20, 0, 1000000, "upper end of n1 (VisualAtom-1k: 20)").when("formula", {"visual_atom"}),
      int_param("n2_min", 0, 0, 1000000,
                "visual_atom formula: second wave frequency n2 ~ U{n2_min..n2_max}, redrawn until n2 != n1 (n1 = 0 "
                "accepts n2 = 0)")
          .at_most("n2_max")
          .when("formula", {"visual_atom"}),
      int_param("n2_max", 20, 0, 1000000, "upper end of n2").when("formula", {"visual_atom"}),
  };
  return table;
}

namespace {

using detail::contour::NoOrbitHook;
using detail::contour::PyDraw;
using detail::contour::PySource;
using detail::contour::RngDraw;
using detail::contour::RngSource;
using detail::contour::Scratch;
using detail::contour::Shape;
using detail::contour::Tables;

enum class Mode { M1, M2, M3 };

/// One category, as SegRCDB_params.py draws it and param/NNNNN.csv records it.
struct SegCategory {
  std::int64_t q = 3, orbits = 1, r0 = 0;
  double eta = 0, w = 0, ox = 1, oy = 1;
  int gray = 1;                 ///< its level in the mask: category + 1
  std::int64_t n1 = 0, n2 = 0;  ///< formula visual_atom: the wave frequencies
};

class SegRcdb final : public Generator {
 public:
  SegRcdb(const Params& p, const GeneratorContext& ctx) {
    seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
    sample_seed_ = sample_seed(p);
    size_ = static_cast<int>(p.get_int("size"));
    channels_ = output_channels(p) == 1 ? 1 : 3;  // auto: RGB, as the official images
    const std::int64_t classes = p.get_int("classes");
    if (classes > 1)
      p.fail("classes",
             "segrcdb images carry no class label (one class); mask_classes sets the segmentation "
             "categories");
    images_ = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances("segrcdb");
    categories_ = p.get_int("mask_classes");
    objects_ = p.get_int("objects");
    const std::string& mode = p.get_string("mode");
    mode_ = mode == "M2" ? Mode::M2 : mode == "M3" ? Mode::M3 : Mode::M1;
    official_ = p.get_string("compat") == "official";
    if (official_ && categories_ > 255)
      p.fail("mask_classes", "compat: official draws category k in the mask's gray level k, 1..255; " +
                                 std::to_string(categories_) +
                                 " categories need a 16-bit class mask, which compat: faithful writes");
    workers_ = p.get_int("workers");
    center_ = p.get_int("center_range");
    threads_ = ctx.threads;
    if (official_ && images_ % workers_ != 0)
      p.fail("workers", "compat: official splits the " + std::to_string(images_) + " images evenly over " +
                            std::to_string(workers_) +
                            " workers (worker t renders images [t N/T, (t+1) N/T)); "
                            "the worker count must divide instances");
    vmax_ = p.get_int("vertices_max");
    vmean_ = p.get_float("vertices_mean");
    kmin_ = p.get_int("orbits_min");
    kmax_ = p.get_int("orbits_max");
    pmin_ = p.get_float("perlin_min");
    pmax_ = p.get_float("perlin_max");
    wmax_ = p.get_float("line_width");
    rmin_ = p.get_int("radius_min");
    rmax_ = p.get_int("radius_max");
    oval_ = p.get_float("oval_rate");
    atoms_ = p.get_string("formula") == "visual_atom";
    if (atoms_ && official_)
      p.fail("formula",
             "compat: official replays SegRCDB's own (rcdb) contours; formula: visual_atom is faithful "
             "only (set compat: faithful)");
    if (atoms_) {
      n1min_ = p.get_int("n1_min");
      n1max_ = p.get_int("n1_max");
      n2min_ = p.get_int("n2_min");
      n2max_ = p.get_int("n2_max");
      // n2 is redrawn until it differs from a non-zero n1: a single n2 value n1 can take never passes.
      if (n2min_ == n2max_ && n2min_ != 0 && n1min_ <= n2min_ && n2min_ <= n1max_)
        p.fail("n2_min", "n2 ranges over the single value " + std::to_string(n2min_) + ", which n1 (U{" +
                             std::to_string(n1min_) + ".." + std::to_string(n1max_) +
                             "}) can take, and n2 must differ from a non-zero n1: the draw would never end; widen "
                             "n2_min..n2_max or keep n1 off that value");
    }
    const double hit = std::exp(-3.0 / vmean_) - std::exp(-static_cast<double>(vmax_ + 1) / vmean_);
    if (!(hit >= 1e-4))
      p.fail("vertices_mean", "q = int(Exp(mean)) falls in [3, " + std::to_string(vmax_) + "] with probability " +
                                  std::to_string(hit) + ": the redraw would practically never end");
    draw_categories(p);
    if (official_) {
      check_category_memory(p, "instances", images_ / kCheckpoint + 1, static_cast<double>(sizeof(Mt19937)));
      checkpoints_->at.resize(static_cast<std::size_t>(images_ / kCheckpoint + 1));
    }
  }

  std::string family() const override { return "segrcdb"; }
  std::int64_t num_classes() const override { return 1; }
  std::int64_t instances_per_class() const override { return images_; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{size_, size_, channels_}; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    if (official_) return nullptr;
    auto g = std::make_unique<SegRcdb>(*this);
    g->sample_seed_ = redraw_seed(sample_seed_, draw);
    return g;
  }
  // The canvas, the mask canvases, the RGB copy and the PNG rows: about 12 bytes a pixel.
  SampleMemory sample_memory() const override { return image_memory(size_, channels_, 12.0); }
  // compat: a worker's images are one unit, replayed once from the worker's seed.
  std::int64_t preferred_chunk() const override { return official_ ? images_ / workers_ : 16; }

  MaskInfo masks() const override {
    MaskInfo m;
    m.on = true;
    m.semantic_bits = semantic_bits();
    for (std::int64_t c = 1; c <= categories_; ++c) m.categories.push_back("class" + std::to_string(c));
    m.objects = "contour";
    m.images_dir = "image/";
    m.semantic_dir = "mask/";
    m.instances_dir = "instance/";
    return m;
  }

  /// The official name: image/NNNNNN.png (the tree is the mask layout's), NNNNNN the image index.
  std::string sample_name(std::int64_t cat, std::int64_t inst) const override {
    check_index(cat, inst);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(inst));
    return buf;
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override { return make_via_range(cat, inst); }

  void make_range(std::int64_t cat, std::int64_t begin, std::int64_t end,
                  const std::function<void(Sample&&)>& emit) const override {
    check_index(cat, begin);
    check_index(cat, end - 1);
    const bool held_out = sample_seed_ != seed_;
    if (official_ && !held_out) {
      // Worker t's stream from random.seed(t + 1): the images before `begin` are skipped (their
      // draws taken, nothing drawn), then the range is rendered.
      const std::int64_t per = images_ / workers_;
      for (std::int64_t i = begin; i < end;) {
        const std::int64_t last = std::min(end, (i / per + 1) * per);
        PyRandom r;
        for (std::int64_t k = resume_at(i, r); k < i; ++k) {
          if ((k & 63) == 0) throw_if_stopped("the compat: official stream replay");
          remember(k, r);
          PyDraw d{r};
          PySource src{r};
          image(k, d, src, false, nullptr);
        }
        for (; i < last; ++i) {
          remember(i, r);
          PyDraw d{r};
          PySource src{r};
          Sample s;
          image(i, d, src, true, &s);
          emit(std::move(s));
        }
      }
      return;
    }
    for (std::int64_t i = begin; i < end; ++i) {
      Rng layout(sample_seed_, 0, static_cast<std::uint64_t>(i), Purpose::Layout);
      Rng noise(sample_seed_, 0, static_cast<std::uint64_t>(i), Purpose::Noise);
      RngDraw d{layout};
      RngSource src{noise};
      Sample s;
      image(i, d, src, true, &s);
      emit(std::move(s));
    }
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    check_index(cat, 0);
    nlohmann::ordered_json j;
    j["category"] = cat;
    j["mask_classes"] = categories_;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const SegCategory& c : cats_)
      list.push_back({{"gray", c.gray},
                      {"vertices", c.q},
                      {"perlin", c.eta},
                      {"line_width", c.w},
                      {"radius", c.r0},
                      {"contours", c.orbits},
                      {"oval_x", c.ox},
                      {"oval_y", c.oy}});
    if (atoms_)
      for (std::size_t k = 0; k < cats_.size(); ++k) {
        list[k]["n1"] = cats_[k].n1;
        list[k]["n2"] = cats_[k].n2;
      }
    j["mask_categories"] = std::move(list);
    j["formula"] = atoms_ ? "visual_atom" : "rcdb";
    if (official_) j["compat"] = "official";
    return j;
  }

  /// The official param/NNNNN.csv of every mask category (csv.writer rows key,value with \r\n,
  /// values as Python prints them), whatever image classes are asked for.
  std::vector<std::pair<std::string, std::string>> category_files(
      const std::vector<std::int64_t>& /*classes*/) const override {
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t k = 0; k < cats_.size(); ++k) {
      const SegCategory& c = cats_[k];
      char name[32];
      std::snprintf(name, sizeof name, "param/%05zu.csv", k + 1);
      std::string t;
      t += "Category_num," + std::to_string(k + 1) + "\r\n";
      t += "Vertex," + std::to_string(c.q) + "\r\n";
      t += "Perlin_noise," + python_float_repr(c.eta) + "\r\n";
      t += "line_width," + python_float_repr(c.w) + "\r\n";
      t += "Center_rad," + std::to_string(c.r0) + "\r\n";
      t += "Line_num," + std::to_string(c.orbits) + "\r\n";
      t += "Oval_rate_x," + python_float_repr(c.ox) + "\r\n";
      t += "Oval_rate_y," + python_float_repr(c.oy) + "\r\n";
      t += "Color_Gray," + std::to_string(c.gray) + "\r\n";
      if (atoms_) {  // not in the official files: VisualAtom's wave frequencies
        t += "Freq_1," + std::to_string(c.n1) + "\r\n";
        t += "Freq_2," + std::to_string(c.n2) + "\r\n";
      }
      out.emplace_back(name, std::move(t));
    }
    return out;
  }

  std::string describe_category(std::int64_t /*cat*/) const override {
    return std::to_string(categories_) + (atoms_ ? " VisualAtom" : "") + " categories, " + std::to_string(objects_) +
           " objects, " +
           (mode_ == Mode::M1   ? "M1"
            : mode_ == Mode::M2 ? "M2"
                                : "M3");
  }

  std::string blank_hint() const override {
    return size_ < 512 ? "center_range and radius_min/radius_max are pixels of the 512 px recipe; scale them with "
                         "the size"
                       : "";
  }

 private:
  /// compat: where the replay of image i may start: its worker's seed, or the latest checkpoint
  /// (the stream's state before every kCheckpoint-th image, kept as replays pass them) at or
  /// before i in the same worker. Sets `r` and returns that image.
  std::int64_t resume_at(std::int64_t i, PyRandom& r) const {
    const std::int64_t per = images_ / workers_, first = i / per * per;
    {
      std::lock_guard<std::mutex> lock(checkpoints_->mutex);
      for (std::int64_t k = i / kCheckpoint; k >= 0 && k * kCheckpoint >= first; --k) {
        const auto& state = checkpoints_->at[static_cast<std::size_t>(k)];
        if (state) {
          r.set_state(*state);
          return k * kCheckpoint;
        }
      }
    }
    r = PyRandom(static_cast<std::uint64_t>(first / per) + 1);  // random.seed(thread_num + 1)
    return first;
  }

  /// Keeps the state before image k when k is a checkpoint.
  void remember(std::int64_t k, const PyRandom& r) const {
    if (k % kCheckpoint != 0) return;
    std::lock_guard<std::mutex> lock(checkpoints_->mutex);
    auto& state = checkpoints_->at[static_cast<std::size_t>(k / kCheckpoint)];
    if (!state) state = std::make_unique<Mt19937>(r.state());
  }

  /// SegRCDB_params.py: random.seed(0) (faithful: fdsl's category stream), then per category
  /// q (redrawn into 3..vertices_max), K, eta, w, r0, ox, oy in that order.
  void draw_categories(const Params& p) {
    cats_.resize(static_cast<std::size_t>(categories_));
    tables_.resize(cats_.size());
    PyRandom py(0);
    Rng rng(seed_, 0, 0, Purpose::Category);
    for (std::int64_t k = 0; k < categories_; ++k) {
      SegCategory c = official_ ? draw_category(PyDraw{py}) : draw_category(RngDraw{rng});
      c.gray = static_cast<int>(k + 1);
      cats_[static_cast<std::size_t>(k)] = c;
    }
    // Each category's vertex tables: cos and sin (and the two waves) of its q vertices.
    double vertices = 0;
    for (const SegCategory& c : cats_) vertices += static_cast<double>(c.q);
    check_category_memory(p, "mask_classes", categories_,
                          (vertices / static_cast<double>(categories_)) * (atoms_ ? 32.0 : 16.0) + sizeof(Tables));
    parallel_for(0, categories_, threads_, [&](std::int64_t k) {
      const SegCategory& c = cats_[static_cast<std::size_t>(k)];
      tables_[static_cast<std::size_t>(k)].build(static_cast<int>(c.q), atoms_, c.n1, c.n2);
    });
  }

  template <class D>
  SegCategory draw_category(D d) const {
    SegCategory c;
    const double lambd = 1 / vmean_;  // expovariate(1 / (vertex_num / 5))
    do {
      c.q = static_cast<std::int64_t>(d.expovariate(lambd));
    } while (!(c.q > 2 && c.q <= vmax_));
    c.orbits = d.randint(kmin_, kmax_);
    c.eta = d.uniform(pmin_, pmax_);
    c.w = d.uniform(0.0, wmax_);
    c.r0 = d.randint(rmin_, rmax_);
    c.ox = d.uniform(1, oval_);
    c.oy = d.uniform(1, oval_);
    if (atoms_) {  // VisualAtom's wave frequencies, after the rest (rcdb's draws stay as they are)
      c.n1 = d.randint(n1min_, n1max_);
      do {
        c.n2 = d.randint(n2min_, n2max_);
      } while (c.n2 == c.n1 && c.n1 != 0);
    }
    return c;
  }

  /// Image `index`: `objects` stacks, each a category drawn with d.randint(1, C), its centre
  /// (size + randint(-P, P)) / 2 for y then x, its contours from `src`. With `draw` false the
  /// draws are only taken (skipped images of a worker).
  template <class D, class Source>
  void image(std::int64_t index, D& d, Source& src, bool draw, Sample* out) const {
    thread_local Scratch scratch;
    thread_local Image canvas, ids;
    std::uint16_t level[256] = {};  // the class mask's value of each instance id
    const detail::contour::Stroke stroke;
    if (draw) {
      canvas = Image(size_, size_, 1, 0);
      ids = Image(size_, size_, 1, 0);
    }
    for (std::int64_t k = 0; k < objects_; ++k) {
      const std::int64_t cat = d.randint(1, categories_);
      const SegCategory& c = cats_[static_cast<std::size_t>(cat - 1)];
      const Tables& t = tables_[static_cast<std::size_t>(cat - 1)];
      Shape s;
      s.noise = atoms_ ? detail::contour::Noise::VisualAtom : detail::contour::Noise::SegRcdb;
      s.eta = c.eta;
      s.w = c.w;
      s.r0 = c.r0;
      s.ox = c.ox;
      s.oy = c.oy;
      s.cy = static_cast<double>(size_ + d.randint(-center_, center_)) / 2;
      s.cx = static_cast<double>(size_ + d.randint(-center_, center_)) / 2;
      s.orbits = c.orbits;
      s.gray_lo = 0;
      s.gray_hi = 255;
      if (!draw) {
        if constexpr (std::is_same_v<Source, PySource>)
          detail::contour::skip_orbits(s.orbits, static_cast<int>(c.q), 0, 255, src.r);
        continue;
      }
      // The class mask takes the same drawing operations as the instance mask, with the
      // category's gray for the object's id: it is drawn once, as ids, and looked up at the end.
      const auto id = static_cast<std::uint8_t>(k + 1);
      level[id] = static_cast<std::uint16_t>(c.gray);
      thread_local std::vector<double> hx, hy, px, py;
      auto hook = [&](std::int64_t orbit, const double* x, const double* y, std::size_t n, std::uint8_t ink) {
        if (mode_ == Mode::M1) {  // the mask lines are the image's: one walk draws both
          draw_polyline_pillow2(canvas, ids, x, y, n, false, ink, id);
          return true;
        }
        if (orbit == 0 && mode_ == Mode::M2) segment_points(x, y, n, hx, hy);
        if (orbit + 1 < s.orbits) return false;
        segment_points(x, y, n, px, py);
        const std::size_t m = px.size();
        if (mode_ == Mode::M3) {
          fill_polygon_pillow(ids, px.data(), py.data(), m, id);
        } else if (orbit > 0) {
          fill_polygon_pillow(ids, px.data(), py.data(), m, id);
          fill_polygon_pillow(ids, hx.data(), hy.data(), m, 0);
          draw_polyline_pillow(ids, hx.data(), hy.data(), m, false, id);
          draw_polyline_pillow(ids, px.data(), py.data(), m, false, id);
        }
        return false;
      };
      detail::contour::render_orbits(s, t, src, stroke, canvas, scratch, hook);
    }
    if (!draw) return;
    Sample& o = *out;
    o.category = 0;
    o.instance = index;
    o.label = 0;
    o.name = sample_name(0, index);
    o.image = channels_ == 3 ? gray_to_rgb(canvas) : canvas;
    o.semantic.reset(size_, size_);
    o.semantic.bits = semantic_bits();
    o.instances.reset(size_, size_);
    for (std::size_t i = 0; i < ids.pixels.size(); ++i) {
      o.semantic.values[i] = level[ids.pixels[i]];
      o.instances.values[i] = ids.pixels[i];
    }
  }

  int semantic_bits() const { return categories_ > 255 ? 16 : 8; }

  /// SegRCDB_render.py's point list of a contour: each segment's two ends, 2q points for the
  /// q segments of the n = q + 1 vertices. M2 fills the last contour's list, clears the first's,
  /// then draws the 2q - 1 segments of both lists; M3 fills the last contour's.
  static void segment_points(const double* x, const double* y, std::size_t n, std::vector<double>& ox,
                             std::vector<double>& oy) {
    ox.clear();
    oy.clear();
    for (std::size_t v = 0; v + 1 < n; ++v) {
      ox.push_back(x[v]);
      ox.push_back(x[v + 1]);
      oy.push_back(y[v]);
      oy.push_back(y[v + 1]);
    }
  }

  std::uint64_t seed_ = 0, sample_seed_ = 0;
  int size_ = 512, channels_ = 3, threads_ = 0;
  std::int64_t images_ = 20000, categories_ = 254, objects_ = 32, workers_ = 40, center_ = 512;
  Mode mode_ = Mode::M1;
  bool official_ = false;
  std::int64_t vmax_ = 500, kmin_ = 1, kmax_ = 50, rmin_ = 0, rmax_ = 50;
  double vmean_ = 100, pmin_ = 0, pmax_ = 4, wmax_ = 0.1, oval_ = 2;
  bool atoms_ = false;  ///< formula: visual_atom
  std::int64_t n1min_ = 0, n1max_ = 20, n2min_ = 0, n2max_ = 20;
  std::vector<SegCategory> cats_;
  std::vector<Tables> tables_;
  /// compat: stream states before every kCheckpoint-th image (2.5 KB each), so a sample or a
  /// resumed unit replays at most kCheckpoint - 1 images of its worker.
  static constexpr std::int64_t kCheckpoint = 16;
  struct Checkpoints {
    std::mutex mutex;
    std::vector<std::unique_ptr<Mt19937>> at;
  };
  std::shared_ptr<Checkpoints> checkpoints_ = std::make_shared<Checkpoints>();
};

}  // namespace

std::unique_ptr<Generator> make_segrcdb(const Params& params, const GeneratorContext& context) {
  return std::make_unique<SegRcdb>(params, context);
}

}  // namespace fdsl
