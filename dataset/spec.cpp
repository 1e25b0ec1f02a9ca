#include "fdsl/dataset/spec.h"

#include <charconv>
#include <memory>
#include <unordered_set>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/dataset/guard.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {
/// The families whose samples can carry masks, for the refusal of `masks` elsewhere.
std::string mask_family_names() {
  std::string out;
  for (const GeneratorInfo& g : generator_registry())
    if (g.masks) out += (out.empty() ? "" : ", ") + g.name;
  return out;
}
}  // namespace

Params resolve_dataset_params(const RawConfig& raw, const GeneratorInfo** info_out) {
  const RawConfig::Item* gen = raw.find("generator");
  std::string all;
  for (const auto& g : generator_registry()) all += (all.empty() ? "" : ", ") + g.name;
  if (!gen || gen->text.empty()) throw_bad_input(raw.source + ": missing key 'generator' (one of: " + all + ")");
  const GeneratorInfo* info = nullptr;
  try {
    info = &find_generator(gen->text);
  } catch (const Error& e) {
    throw_bad_input(gen->where.str() + ": key 'generator': " + e.what());
  }
  if (info_out) *info_out = info;
  return resolve_params(raw, {&dataset_params(), info->params});
}

DatasetSpec make_dataset_spec(RawConfig raw, const SpecOptions& options, const fs::path& config_dir) {
  for (const auto& o : options.overrides) apply_override(raw, o);
  if (options.seed) apply_override(raw, "seed=" + std::to_string(*options.seed));
  DatasetSpec spec;
  spec.source = raw.source;
  spec.params = resolve_dataset_params(raw, &spec.info);
  // Text values of the generator naming a file or folder beside the config become absolute, so
  // the resolved config saved with a dataset works from anywhere. Dataset keys (generator, name)
  // are never paths, even when a folder of that name lies beside the config.
  for (const ParamSpec& declared : *spec.info->params) {
    const std::string& name = declared.name;
    if (!spec.params.is_set(name)) continue;
    if (spec.params.spec(name).type != ParamType::String) continue;
    const auto where = spec.params.location(name);
    const std::string value = spec.params.get_string(name);
    if (value.empty() || fs::path(value).is_absolute() || value == "search" || value == "official") continue;
    std::error_code ec;
    const fs::path candidate = config_dir / value;
    if (fs::exists(candidate, ec)) spec.params.set(name, fs::absolute(candidate).lexically_normal().string(), where);
  }
  spec.raw = std::move(raw);
  GeneratorContext ctx;
  ctx.threads = check_thread_count(options.threads, "threads");
  ctx.config_dir = config_dir;
  ctx.search_limit = options.search_limit;
  ctx.on_phase = options.on_phase;
  if (spec.params.get_bool("masks") && !spec.info->masks)
    spec.params.fail("masks", "the " + spec.info->name +
                                  " family makes no masks (families with masks: " + mask_family_names() + ")");
  spec.generator = guard_generator(spec.info->create(spec.params, ctx), spec.params);
  return spec;
}

namespace {

/// Refuses, as it is read, a key that no table declares (whatever the generator): a config of a
/// million stray keys fails at the first. Keys of another family's table are left to
/// resolve_params, which knows the generator.
const ConfigKeyCheck& known_key_check() {
  static const ConfigKeyCheck check = [] {
    auto names = std::make_shared<std::vector<std::string>>();
    auto known = std::make_shared<std::unordered_set<std::string>>();
    auto add = [&](const ParamTable& table) {
      for (const ParamSpec& p : table)
        if (known->insert(p.name).second) names->push_back(p.name);
    };
    add(dataset_params());
    for (const GeneratorInfo& g : generator_registry()) add(*g.params);
    return ConfigKeyCheck([names, known](const RawConfig::Item& item) {
      if (known->count(item.key)) return;
      const std::string hint = closest_name(item.key, *names);
      throw_bad_input(item.where.str() + ": unknown key '" + item.key + "'" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                      " (`fdsl list` shows every key of every generator)");
    });
  }();
  return check;
}

}  // namespace

RawConfig load_dataset_config(const std::string& path, fs::path* config_dir) {
  fs::path p(path);
  // A dataset folder regenerates from the config it saved.
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "fdsl.yaml", ec))
      p = p / "fdsl.yaml";
    else
      throw_bad_input(path + ": is a folder without fdsl.yaml (not an fdsl dataset)");
  }
  if (config_dir) *config_dir = p.parent_path();
  if (p.extension() != ".json") return load_config_file(p.string(), &known_key_check());
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(read_text_file(p));
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(p.string() + ": malformed JSON: " + e.what());
  }
  return config_from_json(doc.contains("config") ? doc["config"] : doc, p.string());
}

DatasetSpec load_dataset_spec(const std::string& path, const SpecOptions& options) {
  fs::path config_dir;
  RawConfig raw = load_dataset_config(path, &config_dir);
  return make_dataset_spec(std::move(raw), options, config_dir);
}

std::string DatasetSpec::resolved_yaml() const {
  std::string out = "# Resolved by fdsl: every parameter with the value this dataset was made with.\n";
  for (const auto& name : params.order()) {
    std::string v = params.value_text(name);
    const bool is_text =
        v.empty() || v.find_first_of(":#{}[],&*!|>'\"%@`") != std::string::npos || v.front() == ' ' || v.back() == ' ';
    if (is_text) {
      std::string q = "\"";
      for (char c : v) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
      v = q + "\"";
    }
    out += name + ": " + v + "\n";
  }
  return out;
}

std::int64_t index_range_end(const std::string& text) {
  auto num = [](std::string_view s, std::int64_t& v) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  const auto colon = text.find(':');
  std::int64_t v = 0;
  if (colon == std::string::npos) return num(text, v) && v >= 0 && v < INT64_MAX ? v + 1 : -1;
  return num(std::string_view(text).substr(colon + 1), v) && v > 0 ? v : -1;
}

std::pair<std::int64_t, std::int64_t> parse_index_range(const std::string& text, std::int64_t limit,
                                                        const std::string& what) {
  auto bad = [&](const std::string& why) {
    throw_bad_input(what + " " + text + ": " + why + " (expected A:B with 0 <= A < B <= " + std::to_string(limit) +
                    ")");
  };
  auto num = [&](std::string_view s, std::int64_t def) {
    if (s.empty()) return def;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) bad("'" + std::string(s) + "' is not an integer");
    return v;
  };
  const auto colon = text.find(':');
  std::int64_t a, b;
  if (colon == std::string::npos) {
    a = num(text, 0);
    b = a + 1;
  } else {
    a = num(std::string_view(text).substr(0, colon), 0);
    b = num(std::string_view(text).substr(colon + 1), limit);
  }
  if (a < 0 || b > limit || a >= b) bad("out of range");
  return {a, b};
}

}  // namespace fdsl
