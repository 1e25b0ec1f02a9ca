// PC-FractalDB object generator (pc_fractal). Parameters:
//   categories      search | <folder of NNNNNN.csv> | <categories.csv>
//   instance_mode   noise_mix | mv_weights | resample
//   points, mix_ratio, mix_shared_main, normalize, fps_points, normals, normal_k
//   maps_min, maps_max, var_threshold, search_points (category search)
#include "fdsl/generators/pc_fractal.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "candidate_search.h"
#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/io/files.h"
#include "fdsl/io/pc_category_csv.h"
#include "fdsl/render/normals.h"
#include "fdsl/render/point_ops.h"
#include "pc_objects.h"

namespace fdsl {

const ParamTable& pc_fractal_params() {
  static const ParamTable table = {
      string_param("categories", "search",
                   "where categories come from: search (per-axis variance), a folder of NNNNNN.csv (the official "
                   "3DIFS_param layout, 13 values a..l,p per row) or a dataset's categories.csv"),
      enum_param("instance_mode", "noise_mix", {"noise_mix", "mv_weights", "resample"},
                 "noise_mix: FractalNoiseMix (PC-FractalDB); mv_weights: MV-FractalDB's 145 coefficient scalings; "
                 "resample: a fresh orbit per instance"),
      int_param("points", 10000, 1, 10000000, "points per object cloud (trainers often use 1024, 2048 or 8192)")
          .explorer_knob(1, 1000, 400000),
      float_param("mix_ratio", 0.8, 0.0, 1.0,
                  "share of the points drawn from the class system; the rest come from another category", true, false)
          .when("instance_mode", {"noise_mix"}),
      bool_param("mix_shared_main", true,
                 "the class's main cloud is shared by its instances, as in the official script (false: a fresh main "
                 "orbit per instance)")
          .when("instance_mode", {"noise_mix"}),
      enum_param("normalize", "official", {"official", "unit_sphere"},
                 "official: global min-max to [-1, 1], then minus the centroid; unit_sphere: pc_norm (centre, scale "
                 "into the unit sphere)"),
      int_param("fps_points", 0, 0, 10000000, "farthest point sampling down to this many points (0: keep all)"),
      enum_param("point_order", "shuffled", {"shuffled", "generated"},
                 "shuffled: each cloud's points in a seeded random order, so the first N rows (what PointNet and "
                 "DGCNN loaders take) are a uniform subsample; generated: in the order they were made (a "
                 "FractalNoiseMix cloud's shared main part first)"),
      bool_param("normals", false, "estimate normals (k nearest neighbours, oriented away from the centroid)"),
      int_param("normal_k", 16, 3, 256, "neighbours per normal").when("normals", {"true"}),
      int_param("maps_min", 2, 1, 32, "fewest maps per system").when("categories", {"search"}).at_most("maps_max"),
      int_param("maps_max", 7, 1, 32, "most maps per system").when("categories", {"search"}),
      float_param("var_threshold", 0.05, 0.0, 1.0, "accept a system whose variance along each of x, y, z exceeds this",
                  true, true)
          .when("categories", {"search"}),
      int_param("search_points", 10000, 100, 10000000, "chaos-game points for the variance")
          .when("categories", {"search"}),
  };
  return table;
}

const ParamTable& pc_fractal_family_params() {
  static const ParamTable table = [] {
    ParamTable t = pc_fractal_params();
    t.push_back(bool_param("part_labels", false,
                           "per-point part labels, ShapeNetPart-style: the IFS map that placed each point (noise_mix's "
                           "points from another category: one part after the maps), as PLY/PCD `part`, NPY "
                           "_part_label.npy, HDF5 `pid`"));
    return t;
  }();
  return table;
}

// ---- category search ------------------------------------------------------------------------

Ifs3 pc_fractal_candidate(const PcSearchOptions& o, std::int64_t index) {
  Rng rng(o.seed, static_cast<std::uint64_t>(index), 0, Purpose::Search);
  const int n = static_cast<int>(rng.uniform_int(o.maps_min, o.maps_max));
  Ifs3 ifs;
  ifs.maps.resize(static_cast<std::size_t>(n));
  ifs.probs.resize(static_cast<std::size_t>(n));
  double total = 0;
  for (int i = 0; i < n; ++i) {
    for (double& v : ifs.maps[i].m) v = rng.uniform(-1, 1);
    ifs.probs[i] = std::fabs(ifs.maps[i].det());
    total += ifs.probs[i];
  }
  for (double& p : ifs.probs) p = total > 0 ? p / total : 0.0;
  return ifs;
}

void pc_fractal_search_orbit(const Ifs3& ifs, const PcSearchOptions& o, std::int64_t index, Orbit3& out) {
  // Candidate parameters use instance 0 of the search stream, the orbit instance 1.
  chaos_game3d(ifs, o.points, Rng(o.seed, static_cast<std::uint64_t>(index), 1, Purpose::Search), out);
}

std::array<double, 3> pc_fractal_variance(const Ifs3& ifs, const PcSearchOptions& o, std::int64_t index) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double total = 0;
  for (double p : ifs.probs) total += p;
  if (!(total > 0)) return {nan, nan, nan};
  thread_local Orbit3 orbit;
  pc_fractal_search_orbit(ifs, o, index, orbit);
  if (!orbit.finite) return {nan, nan, nan};
  return normalized_variance(orbit);
}

bool pc_fractal_accepts(const std::array<double, 3>& v, double threshold) {
  return v[0] > threshold && v[1] > threshold && v[2] > threshold;
}

PcSearchResult search_pc_fractal(const PcSearchOptions& o, std::int64_t count, int threads) {
  if (o.maps_min > o.maps_max)
    throw_bad_input("maps_min " + std::to_string(o.maps_min) + " is larger than maps_max " +
                    std::to_string(o.maps_max));
  const std::int64_t limit = o.max_candidates > 0 ? o.max_candidates : std::max<std::int64_t>(1000000, 1000 * count);
  PcSearchResult result;
  result.tried = detail::search_candidates<std::array<double, 3>>(
      count, limit, 1024, threads,
      [&](std::int64_t i) { return pc_fractal_variance(pc_fractal_candidate(o, i), o, i); },
      [&](const std::array<double, 3>& v) { return pc_fractal_accepts(v, o.threshold); },
      [&](std::int64_t i, const std::array<double, 3>& v) {
        result.systems.push_back(pc_fractal_candidate(o, i));
        result.variance.push_back(v);
        result.candidate.push_back(i);
      },
      "lower var_threshold (now " + std::to_string(o.threshold) + ")");
  return result;
}

// ---- instances ---------------------------------------------------------------------------------

const std::vector<std::array<double, 12>>& mv_fractaldb_weights() {
  static const std::vector<std::array<double, 12>> rows = [] {
    std::vector<std::array<double, 12>> r;
    std::array<double, 12> identity;
    identity.fill(1.0);
    r.push_back(identity);
    for (int c = 0; c < 12; ++c) {
      for (int step = 4; step <= 16; ++step) {
        if (step == 10) continue;
        std::array<double, 12> row = identity;
        row[static_cast<std::size_t>(c)] = step / 10.0;  // exactly the decimal 0.4, 0.5, ... as parsed from text
        r.push_back(row);
      }
    }
    return r;
  }();
  return rows;
}

Ifs3 apply_weights(const Ifs3& ifs, const std::array<double, 12>& row) {
  Ifs3 out = ifs;
  for (auto& m : out.maps)
    for (int q = 0; q < 12; ++q) m.m[q] *= row[static_cast<std::size_t>(q)];
  return out;
}

bool sample_normalized(const Ifs3& ifs, std::int64_t points, Rng rng, float* xyz, Orbit3& scratch) {
  chaos_game3d(ifs, points, rng, scratch, kCloudBurnIn);
  if (!scratch.finite || !std::isfinite(official_scale(scratch))) return false;
  normalize_official(scratch, xyz);
  return true;
}

std::int64_t noise_category(std::uint64_t seed, std::int64_t category, std::int64_t instance, std::int64_t classes) {
  if (classes < 2) throw_bad_input("noise_mix needs at least 2 categories (the noise comes from another one)");
  Rng rng(seed, static_cast<std::uint64_t>(category), static_cast<std::uint64_t>(instance), Purpose::Noise);
  const std::int64_t k = rng.uniform_int(0, classes - 2);
  return k >= category ? k + 1 : k;
}

namespace detail {

namespace {

/// Key of the stream of a class's shared main cloud: no instance index reaches it.
constexpr std::uint64_t kSharedInstance = ~std::uint64_t{0};
constexpr int kOrbitTries = 8;

}  // namespace

PcObjects::PcObjects(const Params& p, const GeneratorContext& ctx, const std::string& instances_key, bool for_scenes) {
  seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
  sample_seed_ = sample_seed(p);
  points_ = p.get_int("points");
  const std::string& mode = p.get_string("instance_mode");
  mode_ = mode == "mv_weights" ? PcInstanceMode::MvWeights
          : mode == "resample" ? PcInstanceMode::Resample
                               : PcInstanceMode::NoiseMix;
  const double ratio = p.get_float("mix_ratio");
  main_points_ = std::llround(static_cast<double>(points_) * ratio);
  if (mode_ == PcInstanceMode::NoiseMix && main_points_ < 1)
    p.fail("mix_ratio",
           "leaves no main point: points * mix_ratio must be at least 0.5 (points = " + std::to_string(points_) + ")");
  shared_main_ = p.get_bool("mix_shared_main");
  unit_sphere_ = p.get_string("normalize") == "unit_sphere";
  normals_ = p.get_bool("normals");
  shuffle_points_ = p.get_string("point_order") == "shuffled";
  normal_k_ = static_cast<int>(p.get_int("normal_k"));
  fps_points_ = p.get_int("fps_points");
  if (fps_points_ > points_ && !for_scenes)
    p.fail("fps_points", "cannot sample more points than a cloud has (points = " + std::to_string(points_) + ")");
  if (normals_ && normal_k_ > points_)
    p.fail("normal_k", "needs at least that many points per cloud (points = " + std::to_string(points_) + ")");

  if (!for_scenes && p.get_string("cloud_format") == "hdf5") {
    // An HDF5 file is assembled in memory: its clouds, then the file image.
    const double points = static_cast<double>(fps_points_ > 0 ? fps_points_ : points_);
    const double need = static_cast<double>(p.get_int("h5_clouds_per_file")) * points * 12.0 * (normals_ ? 2 : 1) * 2;
    if (need > 16e9)
      p.fail("h5_clouds_per_file", "files of this many clouds of " + std::to_string(static_cast<long long>(points)) +
                                       " points need more than 16 GB to assemble; lower h5_clouds_per_file");
  }

  const std::int64_t natural = mode_ == PcInstanceMode::MvWeights ? 145 : default_instances("pc_fractal");
  instances_ = p.get_int(instances_key) > 0 ? p.get_int(instances_key) : natural;
  if (mode_ == PcInstanceMode::MvWeights && instances_ > 145)
    p.fail(instances_key,
           "instance_mode: mv_weights has 145 instances per category (the identity and 12 coefficients x 12 scales)");

  const std::string& source = p.get_string("categories");
  const std::int64_t classes = p.get_int("classes");
  if (source == "search") {
    if (classes <= 0) p.fail("classes", "categories: search needs the number of classes to search for");
    PcSearchOptions o;
    o.maps_min = static_cast<int>(p.get_int("maps_min"));
    o.maps_max = static_cast<int>(p.get_int("maps_max"));
    o.threshold = p.get_float("var_threshold");
    o.points = p.get_int("search_points");
    o.seed = seed_;
    // The search accepts candidates in order (the first k categories are the same whatever the
    // count), so a run of the first classes searches only those, unless its samples draw on
    // other categories too (FractalNoiseMix's noise, scenes).
    const bool cross = for_scenes || (mode_ == PcInstanceMode::NoiseMix && main_points_ < points_);
    const std::int64_t wanted = ctx.search_limit >= 0 && !cross ? std::min(classes, ctx.search_limit) : classes;
    search_ =
        run_category_search(p, ctx, "PC-FractalDB", wanted, sizeof(Ifs3) + 7.0 * sizeof(AffineMap3) + 64,
                            "var_threshold", [&](std::int64_t n) { return search_pc_fractal(o, n, ctx.threads); });
    systems_ = search_.systems;
    classes_ = classes;
  } else {
    std::filesystem::path path(source);
    if (path.is_relative()) path = ctx.config_dir / path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      p.fail("categories", "is neither search, a folder of NNNNNN.csv nor a categories.csv (" + path.string() +
                               (ec ? ": " + ec.message() : std::string(" does not exist")) + ")");
    std::vector<std::string> sources;
    systems_ = read_pc_categories(path, &sources);
    if (classes > static_cast<std::int64_t>(systems_.size()))
      p.fail("classes", path.string() + " holds only " + std::to_string(systems_.size()) + " categories");
    if (classes > 0) systems_.resize(static_cast<std::size_t>(classes));
    // An imported system whose orbits all diverge (a value like 1e308) can make no cloud: say so
    // now, naming its file and line, rather than as a failure in the middle of a run.
    std::vector<char> diverges(systems_.size(), 0);
    parallel_for(0, static_cast<std::int64_t>(systems_.size()), ctx.threads, [&](std::int64_t c) {
      thread_local Orbit3 orbit;
      std::vector<float> xyz(3 * 1024);
      const Rng rng(seed_, static_cast<std::uint64_t>(c), 0, Purpose::Search);
      bool ok = false;
      for (int attempt = 0; attempt < kOrbitTries && !ok; ++attempt)
        ok = sample_normalized(systems_[static_cast<std::size_t>(c)], 1024,
                               attempt == 0 ? rng : rng.child(static_cast<std::uint64_t>(attempt)), xyz.data(), orbit);
      diverges[static_cast<std::size_t>(c)] = !ok;
    });
    for (std::size_t c = 0; c < systems_.size(); ++c)
      if (diverges[c])
        p.fail("categories", sources[c] + ": category " + std::to_string(c) +
                                 ": every orbit of its maps diverges or collapses to a point (a coefficient far "
                                 "outside [-1, 1]?), so it can make no cloud");
    classes_ = static_cast<std::int64_t>(systems_.size());
  }
  if (mode_ == PcInstanceMode::NoiseMix && main_points_ < points_ && classes_ < 2)
    p.fail("instance_mode", "noise_mix takes its noise from another category: it needs at least 2 classes");
}

Rng PcObjects::sample(const Ifs3& ifs, std::int64_t category, std::int64_t points, const Rng& rng, float* xyz,
                      std::uint8_t* maps) const {
  thread_local Orbit3 orbit;
  for (int attempt = 0; attempt < kOrbitTries; ++attempt) {
    const Rng used = attempt == 0 ? rng : rng.child(static_cast<std::uint64_t>(attempt));
    if (sample_normalized(ifs, points, used, xyz, orbit)) {
      if (maps) chaos_game3d_map_ids(ifs, points, used, maps, kCloudBurnIn);
      return used;
    }
  }
  throw_runtime("category " + std::to_string(category) + ": " + std::to_string(kOrbitTries) + " orbits of " +
                std::to_string(points) + " points all diverge or collapse; this system cannot make clouds");
}

void PcObjects::object(std::int64_t cat, std::int64_t inst, PointCloud& out, MainCloudCache* cache,
                       bool map_ids) const {
  const Ifs3& sys = system(cat);
  const auto c = static_cast<std::uint64_t>(cat), i = static_cast<std::uint64_t>(inst);
  out = PointCloud{};
  out.xyz.resize(static_cast<std::size_t>(3 * points_));
  if (map_ids) out.map_ids.resize(static_cast<std::size_t>(points_));
  float* xyz = out.xyz.data();
  std::uint8_t* maps = map_ids ? out.map_ids.data() : nullptr;
  switch (mode_) {
    case PcInstanceMode::NoiseMix: {
      // Main and noise are each normalized and centred on their own, then joined and re-centred.
      const std::size_t main_floats = static_cast<std::size_t>(3 * main_points_);
      if (shared_main_ && cache) {
        if (cache->category != cat || (map_ids && cache->map_ids.empty())) {
          cache->xyz.resize(main_floats);
          cache->map_ids.resize(map_ids ? static_cast<std::size_t>(main_points_) : 0);
          sample(sys, cat, main_points_, Rng(sample_seed_, c, kSharedInstance, Purpose::Orbit), cache->xyz.data(),
                 map_ids ? cache->map_ids.data() : nullptr);
          cache->category = cat;
        }
        std::copy(cache->xyz.begin(), cache->xyz.end(), xyz);
        if (maps) std::copy(cache->map_ids.begin(), cache->map_ids.end(), maps);
      } else if (shared_main_) {
        sample(sys, cat, main_points_, Rng(sample_seed_, c, kSharedInstance, Purpose::Orbit), xyz, maps);
      } else {
        sample(sys, cat, main_points_, Rng(sample_seed_, c, i, Purpose::Orbit), xyz, maps);
      }
      const std::int64_t noise_points = points_ - main_points_;
      if (noise_points > 0) {
        const std::int64_t other = noise_category(sample_seed_, cat, inst, classes());
        const Rng noise_rng = Rng(sample_seed_, c, i, Purpose::Noise).child(1);
        sample(system(other), other, noise_points, noise_rng, xyz + main_floats, maps ? maps + main_points_ : nullptr);
      }
      recenter(xyz, static_cast<std::size_t>(points_));
      break;
    }
    case PcInstanceMode::MvWeights: {
      const Rng rng(sample_seed_, c, i, Purpose::Orbit);
      thread_local Orbit3 orbit;
      // A scaled system may diverge (the official script then writes no file); fdsl falls back
      // to the category's own system, so every instance exists.
      const Ifs3 scaled = apply_weights(sys, mv_fractaldb_weights()[static_cast<std::size_t>(inst)]);
      if (sample_normalized(scaled, points_, rng, xyz, orbit)) {
        if (maps) chaos_game3d_map_ids(scaled, points_, rng, maps);
      } else {
        sample(sys, cat, points_, rng, xyz, maps);
      }
      break;
    }
    case PcInstanceMode::Resample:
      sample(sys, cat, points_, Rng(sample_seed_, c, i, Purpose::Orbit), xyz, maps);
      break;
  }
  if (unit_sphere_) normalize_unit_sphere(xyz, static_cast<std::size_t>(points_));
}

void PcObjects::order(PointCloud& cloud, std::int64_t category, std::int64_t instance) const {
  if (shuffle_points_)
    shuffle_points(cloud, Rng(sample_seed_, static_cast<std::uint64_t>(category), static_cast<std::uint64_t>(instance),
                              Purpose::Order));
}

void PcObjects::finish(PointCloud& cloud) const {
  const std::size_t n = cloud.size();
  if (normals_ && n >= static_cast<std::size_t>(normal_k_)) {
    cloud.normals.resize(3 * n);
    estimate_normals(cloud.xyz.data(), n, normal_k_, cloud.normals.data());
  }
  if (fps_points_ > 0 && static_cast<std::size_t>(fps_points_) < n)
    select_points(cloud, farthest_point_sampling(cloud.xyz.data(), n, static_cast<std::size_t>(fps_points_)));
}

nlohmann::ordered_json PcObjects::category_json(std::int64_t cat) const {
  const Ifs3& ifs = system(cat);
  nlohmann::ordered_json j;
  j["category"] = cat;
  nlohmann::ordered_json maps = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < ifs.maps.size(); ++i) {
    nlohmann::ordered_json row = nlohmann::ordered_json::array();
    for (double v : ifs.maps[i].m) row.push_back(v);
    row.push_back(ifs.probs[i]);
    maps.push_back(std::move(row));
  }
  j["maps"] = std::move(maps);
  if (!search_.variance.empty()) {
    const auto& v = search_.variance[static_cast<std::size_t>(cat)];
    j["variance"] = {v[0], v[1], v[2]};
    j["candidate"] = search_.candidate[static_cast<std::size_t>(cat)];
  }
  return j;
}

const Ifs3& PcObjects::system(std::int64_t cat) const {
  if (cat < 0 || cat >= classes_)
    throw Error(ErrorKind::OutOfRange,
                "category " + std::to_string(cat) + " is out of range [0, " + std::to_string(classes_) + ")");
  if (cat >= static_cast<std::int64_t>(systems_.size()))
    throw_runtime("category " + std::to_string(cat) + " was not searched: this generator was built for the first " +
                  std::to_string(systems_.size()) + " categories only");
  return systems_[static_cast<std::size_t>(cat)];
}

std::vector<std::string> PcObjects::save_categories(const std::filesystem::path& dir, const std::string& family,
                                                    const std::vector<std::int64_t>& categories) const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  bool prefix = true;
  std::vector<Ifs3> systems;
  for (std::size_t k = 0; k < categories.size(); ++k) {
    list.push_back(category_json(categories[k]));
    prefix = prefix && categories[k] == static_cast<std::int64_t>(k);
    if (prefix) systems.push_back(system(categories[k]));
  }
  nlohmann::ordered_json doc;
  doc["family"] = family;
  doc["categories"] = std::move(list);
  write_file_atomic(dir / "categories.json", doc.dump(1));
  if (!prefix) return {"categories.json"};
  write_file_atomic(dir / "categories.csv", format_pc_category_table(systems));
  return {"categories.json", "categories.csv"};
}

std::string PcObjects::describe_category(std::int64_t cat) const {
  char buf[96];
  const Ifs3& ifs = system(cat);
  if (!search_.variance.empty()) {
    const auto& v = search_.variance[static_cast<std::size_t>(cat)];
    std::snprintf(buf, sizeof buf, "%06lld N=%zu var=%.2f/%.2f/%.2f", static_cast<long long>(cat), ifs.maps.size(),
                  v[0], v[1], v[2]);
  } else {
    std::snprintf(buf, sizeof buf, "%06lld N=%zu", static_cast<long long>(cat), ifs.maps.size());
  }
  return buf;
}

nlohmann::ordered_json PcObjects::stats() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (search_.tried > 0) {
    j["candidates_tried"] = search_.tried;
    j["accepted"] = search_.systems.size();
    j["acceptance_rate"] = static_cast<double>(search_.systems.size()) / static_cast<double>(search_.tried);
  }
  return j;
}

std::string PcObjectFamily::sample_name(std::int64_t cat, std::int64_t inst) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%06lld/%06lld_%04lld", static_cast<long long>(cat), static_cast<long long>(cat),
                static_cast<long long>(inst));
  return buf;
}

Sample PcObjectFamily::make(std::int64_t cat, std::int64_t inst) const {
  check_index(cat, inst);
  return make_one(cat, inst, nullptr);
}

void PcObjectFamily::make_range(std::int64_t cat, std::int64_t begin, std::int64_t end,
                                const std::function<void(Sample&&)>& emit) const {
  check_index(cat, begin);
  check_index(cat, end - 1);
  MainCloudCache cache;
  for (std::int64_t i = begin; i < end; ++i) emit(make_one(cat, i, &cache));
}

nlohmann::ordered_json PcObjectFamily::category_json(std::int64_t cat) const { return objects_.category_json(cat); }
std::string PcObjectFamily::describe_category(std::int64_t cat) const { return objects_.describe_category(cat); }
nlohmann::ordered_json PcObjectFamily::stats() const { return objects_.stats(); }
std::vector<std::string> PcObjectFamily::save_categories(const std::filesystem::path& dir,
                                                         const std::vector<std::int64_t>& categories) const {
  return objects_.save_categories(dir, family(), categories);
}
void PcObjectFamily::export_categories(const std::filesystem::path& dir) const {
  write_pc_fractal_category_dir(dir, objects_.systems());
}

}  // namespace detail

// ---- the object family -------------------------------------------------------------------------

namespace {

class PcFractal final : public detail::PcObjectFamily {
 public:
  PcFractal(const Params& p, const GeneratorContext& ctx)
      : PcObjectFamily(p, ctx), part_labels_(p.get_bool("part_labels")) {}

  std::string family() const override { return "pc_fractal"; }
  std::unique_ptr<Generator> redrawn(std::uint64_t draw) const override {
    auto g = std::make_unique<PcFractal>(*this);
    g->objects_.redraw(draw);
    return g;
  }

 private:
  Sample make_one(std::int64_t cat, std::int64_t inst, detail::MainCloudCache* cache) const override {
    Sample s;
    s.category = cat;
    s.instance = inst;
    s.label = cat;
    objects_.object(cat, inst, s.cloud, cache, part_labels_);
    if (part_labels_) {
      objects_.parts_from_maps(cat, s.cloud);
      s.cloud.map_ids.clear();
    }
    objects_.finish(s.cloud);
    objects_.order(s.cloud, cat, inst);
    s.name = sample_name(cat, inst);
    return s;
  }

  bool part_labels_ = false;
};

}  // namespace

std::unique_ptr<Generator> make_pc_fractal(const Params& params, const GeneratorContext& context) {
  return std::make_unique<PcFractal>(params, context);
}

}  // namespace fdsl
