#include "fdsl/dataset/guard.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

constexpr const char* kGuardNames[3] = {"min_ink", "max_ink", "min_flatness"};

unsigned ink_bits(double ink, const GuardSettings& g) {
  return (ink < g.min_ink ? 1u : 0u) | (ink > g.max_ink ? 2u : 0u);
}

/// Bit k set: sample `s`, made by `gen`, fails guard kGuardNames[k]. Its image's ink is the
/// family's shape mask where it has one (a plasma background), else measured from the pixels.
unsigned failure_bits(const Generator& gen, const Sample& s, const GuardSettings& g) {
  unsigned bits = 0;
  if (g.images()) {
    if (!s.image.empty()) {
      thread_local Image mask;
      bits |= ink_bits(
          gen.shape_mask(s.category, s.instance, &s, mask) ? shape_ink_fraction(mask) : ink_fraction(s.image), g);
    }
    for (const Image& v : s.views)
      if (!v.empty()) bits |= ink_bits(ink_fraction(v), g);
  }
  if (g.clouds() && s.cloud.size() > 0 && cloud_flatness(s.cloud) < g.min_flatness) bits |= 4u;
  return bits;
}

unsigned image_failure_bits(const Generator& gen, std::int64_t category, std::int64_t instance,
                            const std::uint8_t* pixels, int w, int h, int c, const GuardSettings& g) {
  if (!g.images()) return 0;
  thread_local Image mask;
  if (gen.shape_mask(category, instance, nullptr, mask)) return ink_bits(shape_ink_fraction(mask), g);
  return ink_bits(ink_fraction(pixels, w, h, c), g);
}

std::vector<std::string> names_of(unsigned bits) {
  std::vector<std::string> out;
  for (int k = 0; k < 3; ++k)
    if (bits & (1u << k)) out.emplace_back(kGuardNames[k]);
  return out;
}

class GuardedGenerator final : public Generator {
 public:
  GuardedGenerator(std::unique_ptr<Generator> inner, const GuardSettings& g)
      : inner_(std::move(inner)),
        g_(g),
        redraws_(static_cast<std::size_t>(g.draws)),
        once_(std::make_unique<std::once_flag[]>(static_cast<std::size_t>(g.draws))) {}

  const GuardSettings& settings() const { return g_; }
  GuardCounts counts() const {
    GuardCounts c;
    c.samples = samples_.load();
    c.draws = draws_.load();
    c.redrawn = redrawn_.load();
    c.failed = failed_.load();
    for (int k = 0; k < 3; ++k) c.rejected[k] = rejected_[k].load();
    return c;
  }

  std::string family() const override { return inner_->family(); }
  std::int64_t num_classes() const override { return inner_->num_classes(); }
  std::int64_t instances_per_class() const override { return inner_->instances_per_class(); }
  bool makes_point_clouds() const override { return inner_->makes_point_clouds(); }
  std::string sample_noun() const override { return inner_->sample_noun(); }

  Sample make(std::int64_t category, std::int64_t instance) const override {
    return guarded(inner_->make(category, instance));
  }

  std::int64_t make_image_into(std::int64_t category, std::int64_t instance, std::uint8_t* pixels, int width,
                               int height, int channels) const override {
    const std::int64_t label = inner_->make_image_into(category, instance, pixels, width, height, channels);
    unsigned bits = image_failure_bits(*inner_, category, instance, pixels, width, height, channels, g_);
    count_draw(bits, true);
    if (bits == 0) return label;
    const std::size_t bytes = static_cast<std::size_t>(width) * height * channels;
    std::vector<std::uint8_t> first(pixels, pixels + bytes);
    for (int k = 1; k < g_.draws; ++k) {
      const Generator& r = redraw(k);
      r.make_image_into(category, instance, pixels, width, height, channels);
      bits = image_failure_bits(r, category, instance, pixels, width, height, channels, g_);
      count_draw(bits, false);
      if (bits == 0) {
        ++redrawn_;
        return label;
      }
    }
    std::memcpy(pixels, first.data(), bytes);
    ++failed_;
    return label;
  }

  void make_range(std::int64_t category, std::int64_t begin, std::int64_t end,
                  const std::function<void(Sample&&)>& emit) const override {
    inner_->make_range(category, begin, end, [&](Sample&& s) { emit(guarded(std::move(s))); });
  }

  std::optional<ImageShape> image_shape() const override { return inner_->image_shape(); }
  // A rejected sample is kept while its redraws are made: two samples in flight.
  SampleMemory sample_memory() const override {
    SampleMemory m = inner_->sample_memory();
    m.bytes *= 2;
    m.what += ", guards (a sample and its redraw)";
    return m;
  }
  std::int64_t preferred_chunk() const override { return inner_->preferred_chunk(); }
  std::string sample_name(std::int64_t category, std::int64_t instance) const override {
    return inner_->sample_name(category, instance);
  }
  nlohmann::ordered_json category_json(std::int64_t category) const override { return inner_->category_json(category); }
  const Ifs2* ifs_category(std::int64_t category) const override { return inner_->ifs_category(category); }
  std::vector<std::pair<std::string, std::string>> category_files(
      const std::vector<std::int64_t>& categories) const override {
    return inner_->category_files(categories);
  }
  using Generator::save_categories;
  std::vector<std::string> save_categories(const std::filesystem::path& dir,
                                           const std::vector<std::int64_t>& categories) const override {
    return inner_->save_categories(dir, categories);
  }
  void export_categories(const std::filesystem::path& dir) const override { inner_->export_categories(dir); }
  std::string describe_category(std::int64_t category) const override { return inner_->describe_category(category); }
  nlohmann::ordered_json stats() const override { return inner_->stats(); }
  std::string blank_hint() const override { return inner_->blank_hint(); }
  MaskInfo masks() const override { return inner_->masks(); }
  /// The mask of the draw `made` is (draw 0 without it).
  bool shape_mask(std::int64_t category, std::int64_t instance, const Sample* made, Image& mask) const override {
    const int k = made ? made->draw : 0;
    return (k > 0 ? redraw(k) : *inner_).shape_mask(category, instance, made, mask);
  }
  std::vector<std::string> layout_file_names() const override { return inner_->layout_file_names(); }
  void write_layout_files(const std::filesystem::path& root, const std::vector<std::string>& paths) const override {
    inner_->write_layout_files(root, paths);
  }

 private:
  const Generator& redraw(int k) const {
    const auto i = static_cast<std::size_t>(k);
    std::call_once(once_[i], [&] {
      redraws_[i] = inner_->redrawn(static_cast<std::uint64_t>(k));
      if (!redraws_[i]) throw_runtime(inner_->family() + " cannot draw its samples again");
    });
    return *redraws_[i];
  }

  void count_draw(unsigned bits, bool first) const {
    if (first) ++samples_;
    ++draws_;
    for (int k = 0; k < 3; ++k)
      if (bits & (1u << k)) ++rejected_[k];
  }

  Sample guarded(Sample&& s) const {
    unsigned bits = failure_bits(*inner_, s, g_);
    count_draw(bits, true);
    if (bits == 0) return std::move(s);
    const unsigned first_bits = bits;
    for (int k = 1; k < g_.draws; ++k) {
      Sample r = redraw(k).make(s.category, s.instance);
      bits = failure_bits(redraw(k), r, g_);
      count_draw(bits, false);
      if (bits == 0) {
        ++redrawn_;
        r.draw = k;
        return r;
      }
    }
    ++failed_;
    s.guard_failed = names_of(first_bits);
    return std::move(s);
  }

  std::unique_ptr<Generator> inner_;
  GuardSettings g_;
  mutable std::vector<std::unique_ptr<Generator>> redraws_;
  std::unique_ptr<std::once_flag[]> once_;
  mutable std::atomic<std::int64_t> samples_{0}, draws_{0}, redrawn_{0}, failed_{0};
  mutable std::atomic<std::int64_t> rejected_[3] = {};
};

}  // namespace

GuardSettings guard_settings(const Params& p) {
  GuardSettings g;
  if (!p.has("min_ink")) return g;
  g.min_ink = p.get_float("min_ink");
  g.max_ink = p.get_float("max_ink");
  g.min_flatness = p.get_float("min_flatness");
  g.draws = static_cast<int>(p.get_int("guard_draws"));
  return g;
}

std::vector<std::string> guard_failures(const Generator& gen, const Sample& s, const GuardSettings& g) {
  return names_of(failure_bits(gen, s, g));
}

std::unique_ptr<Generator> guard_generator(std::unique_ptr<Generator> inner, const Params& p) {
  const GuardSettings g = guard_settings(p);
  if (!g.active()) return inner;
  const std::string key = g.min_ink > 0 ? "min_ink" : g.max_ink < 1 ? "max_ink" : "min_flatness";
  if (g.images() && g.min_ink >= g.max_ink)
    p.fail("min_ink", "must be below max_ink (" + std::to_string(g.max_ink) + "): no image could pass both");
  const bool has_images =
      inner->image_shape().has_value() || !inner->makes_point_clouds() || inner->family() == "vg_fractal";
  if (g.images() && !has_images)
    p.fail(g.min_ink > 0 ? "min_ink" : "max_ink",
           "applies to images; " + inner->family() + " makes point clouds (use min_flatness)");
  if (g.clouds() && !inner->makes_point_clouds())
    p.fail("min_flatness", "applies to point clouds; " + inner->family() + " makes images (use min_ink, max_ink)");
  if (!inner->redrawn(1))
    p.fail(key, "needs samples that can be drawn again, and " + inner->family() +
                    " in this mode replays a published stream (compat: official): set compat: faithful, or leave "
                    "the guards off to keep the published data");
  return std::make_unique<GuardedGenerator>(std::move(inner), g);
}

std::optional<GuardCounts> guard_counts(const Generator& gen) {
  if (const auto* g = dynamic_cast<const GuardedGenerator*>(&gen)) return g->counts();
  return std::nullopt;
}

const GuardSettings* guard_of(const Generator& gen) {
  if (const auto* g = dynamic_cast<const GuardedGenerator*>(&gen)) return &g->settings();
  return nullptr;
}

nlohmann::ordered_json guard_counts_json(const GuardCounts& c, const GuardSettings& g) {
  nlohmann::ordered_json j;
  j["samples"] = c.samples;
  j["draws"] = c.draws;
  j["redrawn"] = c.redrawn;
  j["failed"] = c.failed;
  nlohmann::ordered_json r = nlohmann::ordered_json::object();
  const bool on[3] = {g.min_ink > 0, g.max_ink<1, g.min_flatness> 0};
  for (int k = 0; k < 3; ++k) {
    if (!on[k]) continue;
    r[kGuardNames[k]]["draws"] = c.rejected[k];
    r[kGuardNames[k]]["share"] = c.draws > 0 ? static_cast<double>(c.rejected[k]) / static_cast<double>(c.draws) : 0.0;
  }
  j["rejected"] = std::move(r);
  return j;
}

}  // namespace fdsl
