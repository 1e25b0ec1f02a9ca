// FractalDB generator. Parameters:
//   categories  search | official | <folder of NNNNN.csv>
//   compat      faithful | official (point mode replayed pixel for pixel)
//   render      point | patch | color
//   points, pad, weight_k, patch_draws, flips, ink
//   maps_min, maps_max, fill_threshold, fill_points, fill_size (category search)
#include "fdsl/generators/fractaldb.h"

#include <unistd.h>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "candidate_search.h"
#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/io/category_csv.h"
#include "fdsl/io/files.h"
#include "fdsl/render/chaos_game.h"
#include "fdsl/render/color.h"
#include "fdsl/render/fractaldb_official.h"
#include "fdsl/render/image_ops.h"
#include "fdsl/render/raster.h"

namespace fdsl {

const ParamTable& fractaldb_params() {
  static const ParamTable table = {
      string_param("categories", "search",
                   "where categories come from: search (sample by filling rate), official (the 1000 FractalDB-1k "
                   "categories shipped with fdsl), a folder of NNNNN.csv files, or a dataset's categories.csv"),
      enum_param("compat", "faithful", {"faithful", "official"},
                 "faithful: fdsl's seeded streams; official: the official point renderer pixel for pixel"),
      enum_param("render", "patch", {"point", "patch", "color"},
                 "point: 1 px per point; patch: fresh random 3x3 mask per point; color: FractalDB hue cycle")
          .explorer_knob(2),
      int_param("points", 200000, 2, 100000000, "chaos-game points per image").explorer_knob(1, 1000, 400000),
      int_param("pad", 6, 0, 4096, "padding in pixels around the normalized attractor"),
      float_param("weight_k", 0.4, 0.0, 0.5, "intra-category weight step k: multipliers {1-2k, 1-k, 1+k, 1+2k}", true,
                  false)
          .explorer_knob(3),
      int_param("patch_draws", 10, 1, 100000, "patch renders per weight row (the official 'count')"),
      int_param("flips", 4, 1, 4, "flips per render: the first n of none, top-bottom, left-right, both"),
      int_param("ink", 127, 1, 255, "gray value of the fractal (the official scripts use 127)"),
      int_param("maps_min", 2, 1, 8, "fewest maps per system").when("categories", {"search"}).at_most("maps_max"),
      int_param("maps_max", 7, 1, 8, "most maps per system").when("categories", {"search"}),
      float_param("fill_threshold", 0.2, 0.0, 1.0, "accept a system whose filling rate reaches this")
          .when("categories", {"search"})
          .explorer_knob(4),
      int_param("fill_points", 100000, 100, 100000000, "chaos-game points for the filling rate")
          .when("categories", {"search"}),
      int_param("fill_size", 512, 16, kMaxImageSide, "canvas side for the filling rate").when("categories", {"search"}),
  };
  return table;
}

std::vector<std::vector<double>> fractaldb_weights(double k) {
  // Rounded to 8 decimals so the rows equal the official weight CSVs parsed as text
  // (1 - 2 * 0.4 is 0.19999999999999996 in binary; the CSV says 0.2). Where 1 - 2k reaches 0
  // (k = 0.5) the official table uses 0.01, so a weight row never zeroes a parameter.
  auto w = [&](int m) { return std::max(0.01, std::round((1.0 + m * k) * 1e8) / 1e8); };
  std::vector<std::vector<double>> rows;
  for (int param = 0; param < 6; ++param) {
    for (int m : {-2, -1, 0, 1, 2}) {
      if (m == 0 && param != 0) continue;
      std::vector<double> row(6, 1.0);
      row[param] = w(m);
      rows.push_back(row);
    }
  }
  return rows;
}

Ifs2 apply_weights(const Ifs2& ifs, const std::vector<double>& row) {
  Ifs2 out = ifs;
  for (auto& m : out.maps) {
    m.a = m.a * row[0];
    m.b = m.b * row[1];
    m.c = m.c * row[2];
    m.d = m.d * row[3];
    m.e = m.e * row[4];
    m.f = m.f * row[5];
  }
  return out;
}

Ifs2 fractaldb_candidate(const FractalSearchOptions& o, std::int64_t index) {
  Rng rng(o.seed, static_cast<std::uint64_t>(index), 0, Purpose::Search);
  const int n = static_cast<int>(rng.uniform_int(o.maps_min, o.maps_max));
  Ifs2 ifs;
  ifs.maps.resize(n);
  ifs.probs.resize(n);
  double total = 0;
  for (int i = 0; i < n; ++i) {
    AffineMap2& m = ifs.maps[i];
    m.a = rng.uniform(-1, 1);
    m.b = rng.uniform(-1, 1);
    m.c = rng.uniform(-1, 1);
    m.d = rng.uniform(-1, 1);
    m.e = rng.uniform(-1, 1);
    m.f = rng.uniform(-1, 1);
    ifs.probs[i] = std::fabs(m.a * m.d - m.b * m.c);
    total += ifs.probs[i];
  }
  for (double& p : ifs.probs) p = total > 0 ? p / total : 0.0;
  return ifs;
}

double fractaldb_filling_rate(const Ifs2& ifs, const FractalSearchOptions& o, std::int64_t index) {
  thread_local Orbit2 orbit;
  thread_local std::vector<std::uint8_t> scratch;
  double total = 0;
  for (double p : ifs.probs) total += p;
  if (!(total > 0)) return -1;
  chaos_game(ifs, o.points, Rng(o.seed, static_cast<std::uint64_t>(index), 0, Purpose::Orbit), ChaosStart::Origin,
             orbit);
  if (!orbit.finite) return -1;
  return filling_rate(orbit, fractaldb_transform(orbit, o.size, o.size, o.pad), scratch);
}

FractalSearchResult search_fractaldb(const FractalSearchOptions& o, std::int64_t count, int threads) {
  const double reachable = static_cast<double>(o.points) / (static_cast<double>(o.size) * o.size);
  if (o.threshold > reachable)
    throw_bad_input("fill_threshold " + std::to_string(o.threshold) + " cannot be reached: " +
                    std::to_string(o.points) + " points cover at most " + std::to_string(reachable) + " of a " +
                    std::to_string(o.size) + "x" + std::to_string(o.size) + " canvas (raise fill_points)");
  if (o.maps_min > o.maps_max)
    throw_bad_input("maps_min " + std::to_string(o.maps_min) + " is larger than maps_max " +
                    std::to_string(o.maps_max));
  const std::int64_t limit = o.max_candidates > 0 ? o.max_candidates : std::max<std::int64_t>(1000000, 1000 * count);
  FractalSearchResult result;
  result.tried = detail::search_candidates<double>(
      count, limit, 256, threads,
      [&](std::int64_t i) { return fractaldb_filling_rate(fractaldb_candidate(o, i), o, i); },
      [&](double fill) { return fill >= o.threshold; },
      [&](std::int64_t i, double fill) {
        result.systems.push_back(fractaldb_candidate(o, i));
        result.fill.push_back(fill);
        result.candidate.push_back(i);
      },
      "lower fill_threshold (now " + std::to_string(o.threshold) + ")");
  return result;
}

std::filesystem::path official_fractaldb_dir() {
  namespace fs = std::filesystem;
  const fs::path rel = fs::path("fractaldb") / "csv_rate0.2_category1000";
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("FDSL_DATA_DIR")) roots.emplace_back(env);
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    const fs::path bin = fs::path(exe).parent_path();
    roots.push_back(bin.parent_path() / "share" / "fdsl" / "data");
  }
#ifdef FDSL_SOURCE_DATA_DIR
  roots.emplace_back(FDSL_SOURCE_DATA_DIR);
#endif
  for (const auto& r : roots) {
    std::error_code ec;
    if (fs::is_directory(r / rel, ec)) return r / rel;
  }
  throw_bad_input("categories: official: cannot find the shipped FractalDB categories (" + rel.string() +
                  "); set FDSL_DATA_DIR to the fdsl data folder");
}

namespace {

class FractalDB final : public Generator {
 public:
  FractalDB(const Params& p, const GeneratorContext& ctx) : params_(p) {
    seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
    sample_seed_ = sample_seed(p);
    split_ = split_index(p);
    size_ = static_cast<int>(p.get_int("size"));
    points_ = p.get_int("points");
    pad_ = static_cast<int>(p.get_int("pad"));
    draws_ = p.get_int("patch_draws");
    flips_ = p.get_int("flips");
    ink_ = static_cast<std::uint8_t>(p.get_int("ink"));
    render_ = p.get_string("render");
    official_ = p.get_string("compat") == "official";
    weights_ = fractaldb_weights(p.get_float("weight_k"));
    if (2 * pad_ + 4 > size_) p.fail("pad", "leaves no room: 2*pad + 4 must not exceed size " + std::to_string(size_));
    if (official_ && render_ != "point")
      p.fail("compat",
             "compat: official reproduces the official renderer in point mode only (its patch masks are "
             "unseeded); set render: point or compat: faithful");
    const int channels = output_channels(p);
    channels_ = channels == 0 ? (render_ == "color" ? 3 : 1) : channels;
    if (render_ == "color" && channels_ != 3) p.fail("channels", "render: color needs channels 3 (or auto)");

    const std::int64_t natural = static_cast<std::int64_t>(weights_.size()) * draws_ * flips_;
    instances_ = p.get_int("instances") > 0 ? p.get_int("instances") : natural;
    if (instances_ > natural)
      p.fail("instances", "FractalDB has " + std::to_string(natural) + " instances per category (25 weight rows x " +
                              std::to_string(draws_) + " patch draws x " + std::to_string(flips_) + " flips)");

    const std::string& source = p.get_string("categories");
    std::int64_t classes = p.get_int("classes");
    if (source == "search") {
      if (classes <= 0) p.fail("classes", "categories: search needs the number of classes to search for");
      FractalSearchOptions o;
      o.maps_min = static_cast<int>(p.get_int("maps_min"));
      o.maps_max = static_cast<int>(p.get_int("maps_max"));
      o.threshold = p.get_float("fill_threshold");
      o.points = p.get_int("fill_points");
      o.size = static_cast<int>(p.get_int("fill_size"));
      o.seed = seed_;
      // The search accepts candidates in order, so the first k categories are the same whatever
      // the count: a run of the first classes searches only those.
      const std::int64_t wanted = ctx.search_limit >= 0 ? std::min(classes, ctx.search_limit) : classes;
      search_ = detail::run_category_search(p, ctx, "FractalDB", wanted,
                                            sizeof(Ifs2) + 8.0 * (sizeof(AffineMap2) + 8) + 32, "fill_threshold",
                                            [&](std::int64_t n) { return search_fractaldb(o, n, ctx.threads); });
      systems_ = search_.systems;
      classes_ = classes;
    } else {
      std::filesystem::path dir = source == "official" ? official_fractaldb_dir() : std::filesystem::path(source);
      if (dir.is_relative() && source != "official") dir = ctx.config_dir / dir;
      std::error_code ec;
      if (!std::filesystem::exists(dir, ec))
        p.fail("categories", "is neither search, official, a category folder nor a categories.csv (" + dir.string() +
                                 (ec ? ": " + ec.message() : std::string(" does not exist")) + ")");
      systems_ = read_categories(dir);
      if (classes > static_cast<std::int64_t>(systems_.size()))
        p.fail("classes",
               "the folder " + dir.string() + " holds only " + std::to_string(systems_.size()) + " categories");
      if (classes > 0) systems_.resize(static_cast<std::size_t>(classes));
      classes_ = static_cast<std::int64_t>(systems_.size());
    }
  }

  std::string family() const override { return "fractaldb"; }
  // compat: official draws every orbit from MT19937(100): there is no other draw.
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    if (official_) return nullptr;
    auto g = std::make_unique<FractalDB>(*this);
    g->sample_seed_ = redraw_seed(sample_seed_, draw);
    return g;
  }
  std::int64_t num_classes() const override { return classes_; }
  std::int64_t instances_per_class() const override { return instances_; }
  std::int64_t preferred_chunk() const override { return draws_ * flips_; }
  std::optional<ImageShape> image_shape() const override { return ImageShape{size_, size_, channels_}; }
  // Measured at 4096 px: the base image, the flipped sample and the PNG rows, 3.9 bytes a pixel
  // a channel (4.9 with the official renderer's 16-bit canvas); the orbit 16 bytes a point.
  SampleMemory sample_memory() const override {
    SampleMemory m = image_memory(size_, channels_, (official_ ? 5.0 + channels_ * 4.0 : 4.5 * channels_));
    m.bytes += 16.0 * static_cast<double>(points_);
    m.what += ", points " + std::to_string(points_);
    return m;
  }

  std::string sample_name(std::int64_t cat, std::int64_t inst) const override {
    const std::int64_t w = inst / (draws_ * flips_), c = (inst / flips_) % draws_, f = inst % flips_;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%05lld/%05lld_%02lld_count_%lld_flip%lld", static_cast<long long>(cat),
                  static_cast<long long>(cat), static_cast<long long>(w), static_cast<long long>(c),
                  static_cast<long long>(f));
    return buf;
  }

  Sample make(std::int64_t cat, std::int64_t inst) const override { return make_via_range(cat, inst); }

  void make_range(std::int64_t cat, std::int64_t begin, std::int64_t end,
                  const std::function<void(Sample&&)>& emit) const override {
    check_index(cat, begin);
    check_index(cat, end - 1);
    const std::int64_t per_w = draws_ * flips_;
    Orbit2 orbit;
    PixelTransform transform;
    std::vector<double> ox, oy;
    for (std::int64_t w = begin / per_w; w * per_w < end; ++w) {
      // One orbit per weight row, shared by its patch draws and flips (as the official scripts do).
      const Ifs2 ifs = apply_weights(system(cat), weights_[static_cast<std::size_t>(w)]);
      Image official_image;
      if (official_) {
        // The official renderer draws every orbit from MT19937(100); val and test draw theirs
        // from seeds of their own.
        official_orbit(ifs, points_, ox, oy, kOfficialFractalDBSeed + 1000u * static_cast<std::uint32_t>(split_));
        official_image = official_point_render(ox, oy, size_, size_, pad_);
      } else {
        chaos_game(ifs, points_,
                   Rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(w), Purpose::Orbit),
                   ChaosStart::Origin, orbit);
        transform = fractaldb_transform(orbit, size_, size_, pad_);
      }
      for (std::int64_t c = 0; c < draws_; ++c) {
        const std::int64_t first = w * per_w + c * flips_;
        if (first + flips_ <= begin || first >= end) continue;
        Image base;
        if (official_) {
          base = official_image;
          if (channels_ == 3) base = gray_to_rgb(base);
        } else {
          base = Image(size_, size_, channels_, 0);
          const Rng patch_rng(sample_seed_, static_cast<std::uint64_t>(cat), static_cast<std::uint64_t>(w * draws_ + c),
                              Purpose::Patch);
          if (render_ == "point")
            splat_points(orbit, transform, base, ink_);
          else if (render_ == "patch")
            splat_fresh_patches(orbit, transform, base, ink_, patch_rng);
          else
            splat_color_cycle(orbit, transform, base, true, patch_rng);
        }
        for (std::int64_t f = 0; f < flips_; ++f) {
          const std::int64_t inst = first + f;
          if (inst < begin || inst >= end) continue;
          Sample s = start_sample(cat, inst);
          copy_flipped(base, s.image, static_cast<int>(f));
          emit(std::move(s));
        }
      }
    }
  }

  nlohmann::ordered_json category_json(std::int64_t cat) const override {
    const Ifs2& ifs = system(cat);
    nlohmann::ordered_json j;
    j["category"] = cat;
    j["maps"] = ifs_maps_json(ifs);
    if (!search_.fill.empty()) {
      j["filling_rate"] = search_.fill[static_cast<std::size_t>(cat)];
      j["candidate"] = search_.candidate[static_cast<std::size_t>(cat)];
    }
    return j;
  }

  const Ifs2* ifs_category(std::int64_t cat) const override { return &system(cat); }

  std::string describe_category(std::int64_t cat) const override {
    char buf[64];
    const Ifs2& ifs = system(cat);
    if (!search_.fill.empty())
      std::snprintf(buf, sizeof buf, "%05lld N=%zu fill=%.2f", static_cast<long long>(cat), ifs.maps.size(),
                    search_.fill[static_cast<std::size_t>(cat)]);
    else
      std::snprintf(buf, sizeof buf, "%05lld N=%zu", static_cast<long long>(cat), ifs.maps.size());
    return buf;
  }

  nlohmann::ordered_json stats() const override {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (search_.tried > 0) {
      j["candidates_tried"] = search_.tried;
      j["accepted"] = search_.systems.size();
      j["acceptance_rate"] = static_cast<double>(search_.systems.size()) / static_cast<double>(search_.tried);
    }
    return j;
  }

 private:
  /// Category `cat`'s system; only the first search_limit exist when the search was cut short.
  const Ifs2& system(std::int64_t cat) const {
    if (cat < 0 || cat >= classes_)
      throw Error(ErrorKind::OutOfRange,
                  "category " + std::to_string(cat) + " is out of range [0, " + std::to_string(classes_) + ")");
    if (cat >= static_cast<std::int64_t>(systems_.size()))
      throw_runtime("category " + std::to_string(cat) + " was not searched: this generator was built for the first " +
                    std::to_string(systems_.size()) + " categories only");
    return systems_[static_cast<std::size_t>(cat)];
  }

  Params params_;
  std::int64_t classes_ = 0;
  std::uint64_t seed_ = 0, sample_seed_ = 0;
  int split_ = 0;
  int size_ = 256;
  std::int64_t points_ = 0;
  int pad_ = 6;
  std::int64_t draws_ = 10, flips_ = 4, instances_ = 0;
  std::uint8_t ink_ = 127;
  std::string render_;
  bool official_ = false;
  int channels_ = 1;
  std::vector<std::vector<double>> weights_;
  std::vector<Ifs2> systems_;
  FractalSearchResult search_;
};

}  // namespace

std::unique_ptr<Generator> make_fractaldb(const Params& params, const GeneratorContext& context) {
  return std::make_unique<FractalDB>(params, context);
}

}  // namespace fdsl
