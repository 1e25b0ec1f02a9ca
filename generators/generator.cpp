#include "fdsl/generators/generator.h"

#include <cstdio>
#include <cstring>

#include "fdsl/core/error.h"
#include "fdsl/core/memory.h"
#include "fdsl/io/category_csv.h"
#include "fdsl/io/files.h"

namespace fdsl {

void Generator::check_index(std::int64_t category, std::int64_t instance) const {
  if (category < 0 || category >= num_classes())
    throw Error(ErrorKind::OutOfRange,
                "category " + std::to_string(category) + " is out of range [0, " + std::to_string(num_classes()) + ")");
  if (instance < 0 || instance >= instances_per_class())
    throw Error(ErrorKind::OutOfRange, "instance " + std::to_string(instance) + " is out of range [0, " +
                                           std::to_string(instances_per_class()) + ")");
}

Sample Generator::start_sample(std::int64_t category, std::int64_t instance) const {
  check_index(category, instance);
  Sample s;
  s.category = category;
  s.instance = instance;
  s.label = category;
  s.name = sample_name(category, instance);
  return s;
}

Sample Generator::make_via_range(std::int64_t category, std::int64_t instance) const {
  check_index(category, instance);
  Sample out;
  make_range(category, instance, instance + 1, [&](Sample&& s) { out = std::move(s); });
  return out;
}

nlohmann::ordered_json ifs_maps_json(const Ifs2& ifs) {
  nlohmann::ordered_json maps = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < ifs.maps.size(); ++i) {
    const auto& m = ifs.maps[i];
    maps.push_back({m.a, m.b, m.c, m.d, m.e, m.f, ifs.probs[i]});
  }
  return maps;
}

std::int64_t Generator::make_image_into(std::int64_t category, std::int64_t instance, std::uint8_t* pixels, int width,
                                        int height, int channels) const {
  const Sample s = make(category, instance);
  if (s.image.width != width || s.image.height != height || s.image.channels != channels)
    throw Error(ErrorKind::Runtime, "sample " + s.name + " is " + std::to_string(s.image.width) + "x" +
                                        std::to_string(s.image.height) + "x" + std::to_string(s.image.channels) +
                                        ", not " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                                        std::to_string(channels));
  std::memcpy(pixels, s.image.pixels.data(), s.image.pixels.size());
  return s.label;
}

void Generator::make_range(std::int64_t category, std::int64_t begin, std::int64_t end,
                           const std::function<void(Sample&&)>& emit) const {
  for (std::int64_t i = begin; i < end; ++i) emit(make(category, i));
}

std::string Generator::sample_name(std::int64_t category, std::int64_t instance) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%05lld/%05lld_%05lld", static_cast<long long>(category),
                static_cast<long long>(category), static_cast<long long>(instance));
  return buf;
}

namespace {
bool is_prefix(const std::vector<std::int64_t>& categories) {
  for (std::size_t k = 0; k < categories.size(); ++k)
    if (categories[k] != static_cast<std::int64_t>(k)) return false;
  return true;
}
}  // namespace

SampleMemory image_memory(int size, int channels, double bytes_per_pixel) {
  SampleMemory m;
  m.bytes = bytes_per_pixel * static_cast<double>(size) * static_cast<double>(size);
  m.output_bytes = static_cast<double>(channels) * static_cast<double>(size) * static_cast<double>(size);
  m.what =
      "size " + std::to_string(size) + " x " + std::to_string(channels) + (channels == 1 ? " channel" : " channels");
  return m;
}

void check_category_memory(const Params& p, const std::string& key, std::int64_t count, double bytes_each) {
  check_table_memory(p, key, static_cast<double>(count) * bytes_each,
                     "its " + std::to_string(count) + " categories (" + format_bytes(bytes_each) + " each)");
}

void check_table_memory(const Params& p, const std::string& key, double need, const std::string& what,
                        const std::string& remedy) {
  if (need < 256e6) return;  // cheap: not worth a look at the machine
  const MemoryBudget budget = available_memory();
  if (need > 0.8 * budget.bytes)
    p.fail(key, "needs about " + format_bytes(need) + " for " + what + " before any sample, more than the " +
                    format_bytes(budget.bytes) + " available (" + budget.source + ")" +
                    (remedy.empty() ? "" : "; " + remedy));
}

std::vector<std::int64_t> all_categories(const Generator& gen) {
  std::vector<std::int64_t> all(static_cast<std::size_t>(gen.num_classes()));
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<std::int64_t>(k);
  return all;
}

std::vector<std::string> Generator::save_categories(const std::filesystem::path& dir,
                                                    const std::vector<std::int64_t>& categories) const {
  std::vector<std::string> written{"categories.json"};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::int64_t c : categories) list.push_back(category_json(c));
  nlohmann::ordered_json doc;
  doc["family"] = family();
  doc["categories"] = std::move(list);
  write_file_atomic(dir / "categories.json", doc.dump(1));
  if (!categories.empty() && ifs_category(0) && is_prefix(categories)) {
    std::vector<Ifs2> systems;
    for (std::int64_t c : categories) systems.push_back(*ifs_category(c));
    write_file_atomic(dir / "categories.csv", format_category_table(systems));
    written.push_back("categories.csv");
  }
  for (const auto& [path, text] : category_files(categories)) {
    write_file_atomic(dir / path, text);
    written.push_back(path);
  }
  return written;
}

std::vector<std::string> Generator::save_categories(const std::filesystem::path& dir) const {
  return save_categories(dir, all_categories(*this));
}

void Generator::export_categories(const std::filesystem::path& dir) const {
  if (num_classes() == 0 || !ifs_category(0)) return;
  std::vector<Ifs2> systems;
  for (std::int64_t c = 0; c < num_classes(); ++c) systems.push_back(*ifs_category(c));
  write_fractaldb_category_dir(dir, systems);
}

std::string Generator::describe_category(std::int64_t category) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05lld", static_cast<long long>(category));
  return buf;
}

}  // namespace fdsl
