// ifs_sigma generator. Parameters: maps_min, maps_max, sigma_lo, sigma_hi, points, render
// (binary | graded), patch, color, background, jitter, random_window, flips, blur,
// objects_min, objects_max, object_scale_min, object_scale_max.
#include "fdsl/generators/ifs_sigma.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/generators/sigma_ifs.h"
#include "fdsl/io/category_csv.h"
#include "fdsl/render/chaos_game.h"
#include "fdsl/render/color.h"
#include "fdsl/render/image_ops.h"
#include "fdsl/render/plasma.h"
#include "fdsl/render/raster.h"

namespace fdsl {

const ParamTable& ifs_sigma_params() {
  static const ParamTable table = {
      int_param("maps_min", 2, 1, 8, "fewest maps per system (N ~ U{maps_min..maps_max})").at_most("maps_max"),
      int_param("maps_max", 4, 1, 8, "most maps per system"),
      float_param("sigma_lo", 0, 0, 24,
                  "lower end of the sigma-factor range; 0: the paper's (5+N)/2. Must lie in (0, 3N)")
          .explorer_knob(3),
      float_param("sigma_hi", 0, 0, 24, "upper end of the sigma-factor range; 0: the paper's (6+N)/2"),
      int_param("points", 100000, 2, 100000000, "chaos-game points per fractal").explorer_knob(1, 1000, 400000),
      enum_param("render", "binary", {"binary", "graded"}, "binary ink, or graded by hit count / max").explorer_knob(2),
      bool_param("patch", true, "dilate by one random 3x3 patch per image (OR)"),
      bool_param("color", true, "colorize: hue from the grade plus a random offset, random saturation and value"),
      bool_param("background", true, "diamond-square plasma background, colorized"),
      bool_param("jitter", true, "jitter one random map's 6 parameters by U(0.8, 1.1), keeping it contractive"),
      bool_param("random_window", true, "random view window: centre shift U(-0.2, 0.2), extent scale U(0.5, 2)"),
      bool_param("flips", true, "random transpose, vertical and horizontal flip, p = 0.5 each"),
      bool_param("blur", true, "3x3 Gaussian blur, sigma U(0.5, 1), p = 0.5"),
      int_param("objects_min", 1, 1, 64, "fewest fractals per image (1 = single-object images)").at_most("objects_max"),
      int_param("objects_max", 1, 1, 64, "most fractals per image; above 1 images get multi-label targets"),
      float_param("object_scale_min", 0.15, 0.01, 1.0, "multi-object: smallest fractal side as a fraction of size")
          .at_most("object_scale_max"),
      float_param("object_scale_max", 0.6, 0.01, 1.0, "multi-object: largest fractal side as a fraction of size"),
  };
  return table;
}

namespace {

struct ObjectStyle {
  bool graded = false, patch = true, color = true, random_window = true;
  std::int64_t points = 100000;
};

/// The augmentation draws of one fractal, in the order they are taken from the stream.
struct ObjectDraws {
  double shx = 0, shy = 0, scale = 1;  ///< random window
  std::uint32_t mask = 0;              ///< the 3x3 patch
  double hue0 = 0, sat = 0, val = 0;   ///< color
};

ObjectDraws object_draws(const ObjectStyle& st, Rng& aug) {
  ObjectDraws d;
  if (st.random_window) {
    d.shx = aug.uniform(-0.2, 0.2);
    d.shy = aug.uniform(-0.2, 0.2);
    d.scale = aug.uniform(0.5, 2.0);
  }
  d.mask = st.patch ? random_patch_mask(aug) : 0;
  d.hue0 = aug.uniform(0, 255);
  d.sat = aug.uniform(0.3, 1.0);
  d.val = aug.uniform(0.5, 1.0);
  return d;
}

/// Draws one fractal onto `dst` (size x size x channels bytes, 1 or 3 channels, holding a
/// background or black), with window, patch and color `d` and its orbit from `orbit_rng`: only
/// the fractal's pixels are written, the same as pasting its nonzero pixels, since every inked
/// pixel has a nonzero color (value >= 0.5, or grade >= 1). Binary renders can be drawn in
/// orientation `o` (the points and the patch oriented; the same pixels as orienting the result
/// afterwards); graded ones take the identity.
void ink_object(const Ifs2& ifs, int size, int channels, const ObjectStyle& st, Rng orbit_rng, const ObjectDraws& d,
                std::uint8_t* dst, Orientation o = {}) {
  thread_local Orbit2 orbit;
  thread_local std::vector<std::uint32_t> counts;
  thread_local Image grade;
  if (st.graded && !o.identity()) throw_runtime("ink_object: graded renders are oriented afterwards");
  chaos_game(ifs, st.points, orbit_rng, ChaosStart::FixedPoint0, orbit);
  const double shx = d.shx, shy = d.shy, scale = d.scale, hue0 = d.hue0, sat = d.sat, val = d.val;
  const std::uint32_t mask = orient_mask(d.mask, o);
  if (!orbit.finite) return;
  const PixelTransform t = window_transform(orbit, size, size, shx, shy, scale);
  // The color of grade v in 1..255 (ink[0] is the gray value when channels is 1).
  auto color_of = [&](int v, std::uint8_t ink[3]) {
    // fmod(x, 256) for x = v + hue0 in [0, 510): x, or x - 256 (exact), without the libm call.
    const double x = v + hue0;
    if (channels == 3 && st.color)
      hsv_to_rgb((x >= 256.0 ? x - 256.0 : x) / 256.0, sat, val, ink);
    else
      ink[0] = ink[1] = ink[2] = static_cast<std::uint8_t>(v);
  };
  if (!st.graded) {
    // Binary: the inked pixels as a bitmap (7 KB at 224 px, in L1 while 100k points land on it),
    // dilated by the patch, then every set bit written in the one color of grade 255.
    thread_local Bitmap bits, dilated;
    bits.reset(size, size);
    splat_bits(orbit, t, bits, o);
    const Bitmap* inked = &bits;
    if (st.patch) {
      dilate_bits(bits, mask, dilated);
      inked = &dilated;
    }
    std::uint8_t ink[3];
    color_of(255, ink);
    for (int y = 0; y < size; ++y) {
      const std::uint64_t* row = inked->words.data() + static_cast<std::size_t>(y) * inked->words_per_row;
      std::uint8_t* line = dst + static_cast<std::size_t>(y) * size * channels;
      for (int i = 0; i < inked->words_per_row; ++i)
        for (std::uint64_t v = row[i]; v; v &= v - 1) {
          const int x = 64 * i + __builtin_ctzll(v);
          if (channels == 1)
            line[x] = ink[0];
          else
            std::memcpy(line + 3 * x, ink, 3);
        }
    }
    return;
  }
  // Graded: hit counts, dilated by the patch, scaled to 1..255 by the busiest pixel.
  if (grade.width == size && grade.height == size)
    std::fill(grade.pixels.begin(), grade.pixels.end(), std::uint8_t{0});
  else
    grade = Image(size, size, 1, 0);
  count_hits(orbit, t, counts);
  if (st.patch) dilate_counts(counts, size, size, mask);
  std::uint32_t peak = 0;
  for (std::uint32_t c : counts) peak = std::max(peak, c);
  for (std::size_t i = 0; peak > 0 && i < counts.size(); ++i)
    if (counts[i]) grade.pixels[i] = static_cast<std::uint8_t>(std::max(1, static_cast<int>(255.0 * counts[i] / peak)));
  std::uint8_t lut[256][3];
  for (int v = 1; v < 256; ++v) color_of(v, lut[v]);
  // Only inked pixels are written; eight grade bytes at a time are skipped while all are empty
  // (most of the canvas), so the per-pixel branch runs only near the fractal.
  const std::uint8_t* g = grade.pixels.data();
  const std::size_t n = grade.pixels.size();
  for (std::size_t i = 0; i < n; i += 8) {
    const std::size_t m = std::min<std::size_t>(8, n - i);
    if (m == 8) {
      std::uint64_t word;
      std::memcpy(&word, g + i, 8);
      if (!word) continue;
    }
    for (std::size_t j = i; j < i + m; ++j) {
      if (!g[j]) continue;
      if (channels == 1)
        dst[j] = g[j];
      else
        std::memcpy(dst + 3 * j, lut[g[j]], 3);
    }
  }
}

/// One fractal on black at side `size` into `out`, its buffer reused when the size matches.
void render_object(const Ifs2& ifs, int size, int channels, const ObjectStyle& st, Rng orbit_rng, const ObjectDraws& d,
                   Image& out) {
  if (out.width == size && out.height == size && out.channels == channels)
    std::fill(out.pixels.begin(), out.pixels.end(), std::uint8_t{0});
  else
    out = Image(size, size, channels, 0);
  ink_object(ifs, size, channels, st, orbit_rng, d, out.pixels.data());
}

class IfsSigma final : public Generator {
 public:
  IfsSigma(const Params& p, const GeneratorContext& ctx) {
    seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
    sample_seed_ = sample_seed(p);
    size_ = static_cast<int>(p.get_int("size"));
    classes_ = p.get_int("classes") > 0 ? p.get_int("classes") : default_classes("ifs_sigma");
    instances_ = p.get_int("instances") > 0 ? p.get_int("instances") : default_instances("ifs_sigma");
    style_.points = p.get_int("points");
    style_.graded = p.get_string("render") == "graded";
    style_.patch = p.get_bool("patch");
    style_.color = p.get_bool("color");
    style_.random_window = p.get_bool("random_window");
    background_ = p.get_bool("background");
    jitter_ = p.get_bool("jitter");
    flips_ = p.get_bool("flips");
    blur_ = p.get_bool("blur");
    masks_ = p.get_bool("masks");
    if (masks_ && classes_ > 65535)
      p.fail("masks", "class masks hold at most 65,535 classes (16-bit PNG), classes is " + std::to_string(classes_));
    objects_min_ = p.get_int("objects_min");
    objects_max_ = p.get_int("objects_max");
    scale_min_ = p.get_float("object_scale_min");
    scale_max_ = p.get_float("object_scale_max");
    const int nmin = static_cast<int>(p.get_int("maps_min")), nmax = static_cast<int>(p.get_int("maps_max"));
    lo_ = p.get_float("sigma_lo");
    hi_ = p.get_float("sigma_hi");
    // sigma = sum(s1 + 2 s2) with s2 <= s1 <= 1 lies in (0, 3N) for every N the config allows.
    for (const char* key : {"sigma_lo", "sigma_hi"}) {
      const double v = p.get_float(key);
      if (v != 0 && !(v > 0 && v < 3.0 * nmin))
        p.fail(key, "sigma outside (0, 3N) = (0, " + std::to_string(3 * nmin) +
                        ") for N = maps_min = " + std::to_string(nmin));
    }
    if ((lo_ == 0) != (hi_ == 0))
      p.fail(lo_ == 0 ? "sigma_lo" : "sigma_hi", "set both sigma_lo and sigma_hi, or neither");
    if (lo_ > hi_) p.fail("sigma_lo", "must not exceed sigma_hi");
    const int channels = output_channels(p);
    channels_ = channels == 0 ? ((style_.color || background_) ? 3 : 1) : channels;
    if (channels_ == 1 && (style_.color || background_))
      p.fail("channels", "color and background images need channels 3 (or auto)");

    check_category_memory(p, "classes", classes_, static_cast<double>(sizeof(SigmaIfs)) + 80.0 * nmax);
    systems_.resize(static_cast<std::size_t>(classes_));
    parallel_for(0, classes_, ctx.threads, [&](std::int64_t c) {
      Rng rng(seed_, static_cast<std::uint64_t>(c), 0, Purpose::Category);
      const int n = static_cast<int>(rng.uniform_int(nmin, nmax));
      const double alpha = lo_ > 0 ? rng.uniform(lo_, hi_) : rng.uniform(sigma_default_lo(n), sigma_default_hi(n));
      systems_[static_cast<std::size_t>(c)] = sample_sigma_ifs(rng, n, std::min(alpha, 3.0 * n - 1e-9));
    });
  }

  std::string family() const override { return "ifs_sigma"; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<IfsSigma>(*this);
    g->sample_seed_ = redraw_seed(sample_seed_, draw);
    return g;
  }
  std::int64_t num_classes() const override { return classes_; }
  std::int64_t instances_per_class() const override { return instances_; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{size_, size_, channels_}; }
  // Measured at 4096 px: color images 9.3 bytes a pixel (the image, the fractal layers, blur rows,
  // PNG rows), gray 3.5, several objects 2 more; a plasma background adds its grid (4 bytes a cell
  // of the 2^k + 1 square) and a level per pixel (4 bytes).
  SampleMemory sample_memory() const override {
    SampleMemory m = image_memory(size_, channels_,
                                  (channels_ == 3 ? 10.0 : 4.0) + (objects_max_ > 1 ? 3.0 : 0.0) +
                                      (background_ ? 4.5 : 0.0) + (masks_ ? 8.0 : 0.0));
    if (background_) {
      double side = 1;
      while (side + 1 < size_) side *= 2;
      m.bytes += 4.0 * (side + 1) * (side + 1);
      m.what += ", background";
    }
    m.bytes += 16.0 * static_cast<double>(style_.points);
    m.what += ", points " + std::to_string(style_.points);
    if (objects_max_ > 1) m.what += ", objects_max " + std::to_string(objects_max_);
    return m;
  }

  MaskInfo masks() const override {
    MaskInfo m;
    m.on = masks_;
    if (!masks_) return m;
    m.categories.reserve(static_cast<std::size_t>(classes_));
    for (std::int64_t c = 0; c < classes_; ++c) {
      const std::string name = sample_name(c, 0);
      m.categories.push_back(name.substr(0, name.find('/')));
    }
    m.semantic_bits = classes_ + 1 > 255 ? 16 : 8;
    m.instance_bits = objects_max_ > 255 ? 16 : 8;
    m.objects = "fractal";
    return m;
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override {
    Sample s = start_sample(cat, inst);
    if (objects_max_ == 1) {
      s.image = Image(size_, size_, channels_, 0);
      draw_single(cat, inst, s.image.pixels.data(), true);
      if (masks_) single_masks(cat, inst, s);
      return s;
    }
    if (masks_) start_masks(s);
    // Several fractals, each drawn on its own canvas and pasted, then the background and flips.
    Rng aug(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Augment);
    paste_objects(cat, inst, aug, masks_, s);
    if (background_) {
      Image bg = plasma_background(size_, size_, background_rng(cat, inst), Orientation{});
      paste_nonzero(s.image, bg, 0, 0);
      s.image = std::move(bg);
    }
    const Orientation o = draw_flips(aug);
    orient(s.image, o.transpose, o.flip_v, o.flip_h);
    if (masks_) {
      orient(s.semantic, o);
      orient(s.instances, o);
    }
    if (blur_ && aug.bernoulli(0.5)) gaussian_blur3(s.image, aug.uniform(0.5, 1.0));
    return s;
  }

  /// Single fractals are drawn straight into the caller's buffer (a batch slot): no image
  /// allocated and copied per sample.
  std::int64_t make_image_into(std::int64_t cat, std::int64_t inst, std::uint8_t* pixels, int width, int height,
                               int channels) const override {
    if (objects_max_ != 1) return Generator::make_image_into(cat, inst, pixels, width, height, channels);
    check_index(cat, inst);
    if (width != size_ || height != size_ || channels != channels_)
      throw Error(ErrorKind::Runtime, "ifs_sigma makes " + std::to_string(size_) + "x" + std::to_string(size_) + "x" +
                                          std::to_string(channels_) + " images, not " + std::to_string(width) + "x" +
                                          std::to_string(height) + "x" + std::to_string(channels));
    draw_single(cat, inst, pixels, false);
    return cat;
  }

  /// With a plasma background every pixel differs from the border, so the fractals' ink is
  /// said from the fractals: the class mask when the sample has one, else the ink drawn again on
  /// black (one channel), oriented as the image is.
  bool shape_mask(std::int64_t cat, std::int64_t inst, const Sample* made, Image& mask) const override {
    if (!background_) return false;
    check_index(cat, inst);
    mask = Image(size_, size_, 1, 0);
    const std::size_t n = static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_);
    if (made && made->semantic.width == size_ && made->semantic.height == size_) {
      for (std::size_t i = 0; i < n; ++i) mask.pixels[i] = made->semantic.values[i] != 0 ? 255 : 0;
      return true;
    }
    Rng aug(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Augment);
    Orientation o;
    if (objects_max_ == 1) {
      const Rng orbit(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Orbit);
      const Ifs2 ifs = system_for(cat, aug);
      const ObjectDraws d = object_draws(style_, aug);
      o = draw_flips(aug);
      ink_object(ifs, size_, 1, style_, orbit, d, mask.pixels.data(), Orientation{});
    } else {
      Sample t;
      paste_objects(cat, inst, aug, false, t);
      o = draw_flips(aug);
      const int c = t.image.channels;
      for (std::size_t i = 0; i < n; ++i) {
        mask.pixels[i] = inked(t.image.pixels.data() + i * static_cast<std::size_t>(c), c) ? 255 : 0;
      }
    }
    orient(mask, o.transpose, o.flip_v, o.flip_h);
    return true;
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    const SigmaIfs& sys = systems_.at(static_cast<std::size_t>(cat));
    nlohmann::ordered_json j;
    j["category"] = cat;
    j["sigma"] = sys.alpha;
    j["maps"] = ifs_maps_json(sys.ifs);
    j["s1"] = sys.s1;
    j["s2"] = sys.s2;
    return j;
  }

  const Ifs2* ifs_category(std::int64_t cat) const override { return &systems_.at(static_cast<std::size_t>(cat)).ifs; }

  std::string describe_category(std::int64_t cat) const override {
    const SigmaIfs& sys = systems_.at(static_cast<std::size_t>(cat));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%05lld N=%zu s=%.2f", static_cast<long long>(cat), sys.ifs.maps.size(), sys.alpha);
    return buf;
  }

 private:
  Rng background_rng(std::int64_t cat, std::int64_t inst) const {
    return Rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Background);
  }

  /// The fractals of a multi-object sample, each drawn on its own canvas and pasted on black
  /// into s.image (and its masks when `masks`), their classes into s.labels; `aug` goes on past
  /// their draws (the flips and the blur come next).
  void paste_objects(std::int64_t cat, std::int64_t inst, Rng& aug, bool masks, Sample& s) const {
    const Rng orbit(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Orbit);
    Rng layout(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Layout);
    thread_local Image object;
    s.image = Image(size_, size_, channels_, 0);
    const std::int64_t k = layout.uniform_int(objects_min_, objects_max_);
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t cls = j == 0 ? cat : layout.uniform_int(0, classes_ - 1);
      const int side = std::max(8, static_cast<int>(std::lround(layout.uniform(scale_min_, scale_max_) * size_)));
      const int x = static_cast<int>(layout.uniform_int(-side / 2, size_ - side / 2));
      const int y = static_cast<int>(layout.uniform_int(-side / 2, size_ - side / 2));
      Rng obj_aug = aug.child(static_cast<std::uint64_t>(j));
      const Ifs2 ifs = system_for(cls, obj_aug);
      render_object(ifs, side, channels_, style_, orbit.child(static_cast<std::uint64_t>(j)),
                    object_draws(style_, obj_aug), object);
      paste_nonzero(object, s.image, x, y);
      if (masks) paste_masks(object, x, y, static_cast<std::uint16_t>(cls + 1), static_cast<std::uint16_t>(j + 1), s);
      s.labels.push_back(cls);
    }
    std::sort(s.labels.begin(), s.labels.end());
    s.labels.erase(std::unique(s.labels.begin(), s.labels.end()), s.labels.end());
  }

  /// Whether a pixel of `c` channels at p has ink (any channel nonzero).
  static bool inked(const std::uint8_t* p, int c) { return p[0] != 0 || (c == 3 && (p[1] != 0 || p[2] != 0)); }

  /// Both masks of `s`, all background, in the depths masks() declares.
  void start_masks(Sample& s) const {
    s.semantic.reset(size_, size_);
    s.semantic.bits = classes_ + 1 > 255 ? 16 : 8;
    s.instances.reset(size_, size_);
    s.instances.bits = objects_max_ > 255 ? 16 : 8;
  }

  /// Marks the object's inked pixels (any channel nonzero), pasted at (x0, y0), in both masks.
  static void paste_masks(const Image& object, int x0, int y0, std::uint16_t cls, std::uint16_t id, Sample& s) {
    LabelMap& sem = s.semantic;
    LabelMap& ins = s.instances;
    const int c = object.channels;
    const int xs = std::max(0, -x0), xe = std::min(object.width, sem.width - x0);
    for (int y = std::max(0, -y0); y < std::min(object.height, sem.height - y0); ++y) {
      const std::uint8_t* p = object.row(y);
      for (int x = xs; x < xe; ++x) {
        if (!inked(p + c * x, c)) continue;
        sem.at(x0 + x, y0 + y) = cls;
        ins.at(x0 + x, y0 + y) = id;
      }
    }
  }

  /// The masks of a single fractal: the pixels its ink reaches (drawn again, upright, on black,
  /// then oriented as the image is), before any blur; the image itself when nothing else can
  /// have touched it.
  void single_masks(std::int64_t cat, std::int64_t inst, Sample& s) const {
    start_masks(s);
    const std::uint16_t cls = static_cast<std::uint16_t>(cat + 1);
    const std::size_t n = static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_);
    if (!background_ && !blur_) {
      const std::uint8_t* p = s.image.pixels.data();
      for (std::size_t i = 0; i < n; ++i) {
        if (inked(p + i * static_cast<std::size_t>(channels_), channels_))
          s.semantic.values[i] = cls, s.instances.values[i] = 1;
      }
      return;
    }
    Rng aug(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Augment);
    const Rng orbit(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Orbit);
    const Ifs2 ifs = system_for(cat, aug);
    const ObjectDraws d = object_draws(style_, aug);
    const Orientation o = draw_flips(aug);
    thread_local std::vector<std::uint8_t> ink;
    ink.assign(n, 0);
    ink_object(ifs, size_, 1, style_, orbit, d, ink.data(), Orientation{});
    for (std::size_t i = 0; i < n; ++i)
      if (ink[i]) s.semantic.values[i] = cls, s.instances.values[i] = 1;
    orient(s.semantic, o);
    orient(s.instances, o);
  }

  /// The random transpose and flips (p = 0.5 each), or none.
  Orientation draw_flips(Rng& aug) const {
    Orientation o;
    if (flips_) {
      o.transpose = aug.bernoulli(0.5);
      o.flip_v = aug.bernoulli(0.5);
      o.flip_h = aug.bernoulli(0.5);
    }
    return o;
  }

  /// A single fractal, whole, into `dst` (size x size x channels bytes; `zeroed` when it is
  /// already black): the stream's draws in order (the jittered system, the object's draws, the
  /// flips, the blur), the fractal and its plasma drawn in their final orientation (no pass over
  /// the image to flip it; graded fractals are drawn upright and then oriented), then the blur in
  /// place.
  void draw_single(std::int64_t cat, std::int64_t inst, std::uint8_t* dst, bool zeroed) const {
    Rng aug(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Augment);
    const Rng orbit(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(inst), Purpose::Orbit);
    const Ifs2 ifs = system_for(cat, aug);
    const ObjectDraws d = object_draws(style_, aug);
    const Orientation o = draw_flips(aug);
    const Orientation drawn = style_.graded ? Orientation{} : o;
    const std::size_t bytes = static_cast<std::size_t>(size_) * size_ * channels_;
    if (background_)
      plasma_background_into(size_, size_, background_rng(cat, inst), drawn, dst);
    else if (!zeroed)
      std::memset(dst, 0, bytes);
    ink_object(ifs, size_, channels_, style_, orbit, d, dst, drawn);
    if (style_.graded && !o.identity()) {
      thread_local Image upright;
      if (upright.width != size_ || upright.height != size_ || upright.channels != channels_)
        upright = Image(size_, size_, channels_, 0);
      std::memcpy(upright.pixels.data(), dst, bytes);
      orient(upright, o.transpose, o.flip_v, o.flip_h);
      std::memcpy(dst, upright.pixels.data(), bytes);
    }
    if (blur_ && aug.bernoulli(0.5)) gaussian_blur3(dst, size_, size_, channels_, aug.uniform(0.5, 1.0));
  }

  /// The class system, with one map jittered when jitter is on (kept only if it stays contractive).
  Ifs2 system_for(std::int64_t cat, Rng& aug) const {
    Ifs2 ifs = systems_[static_cast<std::size_t>(cat)].ifs;
    if (!jitter_) return ifs;
    const std::size_t j = static_cast<std::size_t>(aug.uniform_int(0, static_cast<std::int64_t>(ifs.maps.size()) - 1));
    for (int attempt = 0; attempt < 4; ++attempt) {
      AffineMap2 m = ifs.maps[j];
      double* v[6] = {&m.a, &m.b, &m.c, &m.d, &m.e, &m.f};
      for (double* x : v) *x *= aug.uniform(0.8, 1.1);
      if (max_singular_value(m) <= 1.0) {
        ifs.maps[j] = m;
        break;
      }
    }
    return ifs;
  }

  std::uint64_t seed_ = 0, sample_seed_ = 0;
  int size_ = 224;
  int channels_ = 3;
  std::int64_t classes_ = 0, instances_ = 0;
  ObjectStyle style_;
  bool background_ = true, jitter_ = true, flips_ = true, blur_ = true;
  std::int64_t objects_min_ = 1, objects_max_ = 1;
  bool masks_ = false;
  double scale_min_ = 0.15, scale_max_ = 0.6;
  double lo_ = 0, hi_ = 0;
  std::vector<SigmaIfs> systems_;
};

}  // namespace

std::unique_ptr<Generator> make_ifs_sigma(const Params& params, const GeneratorContext& context) {
  return std::make_unique<IfsSigma>(params, context);
}

}  // namespace fdsl
