#include "fdsl/core/params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <unordered_map>
#include <unordered_set>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "fdsl/core/error.h"
#include "fdsl/core/stop.h"

namespace fdsl {

namespace {

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e18) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string value_to_text(const ParamValue& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    // The shortest text that reads back as the same double (0.05, not 0.050000000000000003).
    char buf[40];
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*g", precision, *d);
      if (std::strtod(buf, nullptr) == *d) break;
    }
    // Keep a float recognisable as one when written back.
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

// ---- ParamSpec ------------------------------------------------------------------------------

std::string ParamSpec::type_name() const {
  switch (type) {
    case ParamType::Int:
      return "int";
    case ParamType::Float:
      return "float";
    case ParamType::Bool:
      return "bool";
    case ParamType::String:
      return "string";
    case ParamType::Enum:
      return "enum";
  }
  return "?";
}

std::string ParamSpec::range_text() const {
  if (type == ParamType::Enum) {
    std::string s = "one of: ";
    for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
    return s;
  }
  if (type != ParamType::Int && type != ParamType::Float) return "";
  if (std::isinf(min) && std::isinf(max)) return "";
  return std::string(min_open ? "(" : "[") + format_number(min) + ", " + format_number(max) + (max_open ? ")" : "]");
}

std::string ParamSpec::when_text() const {
  if (when_key.empty()) return "";
  std::string t = when_key + " is ";
  for (std::size_t i = 0; i < when_values.size(); ++i)
    t += (i == 0 ? "" : i + 1 == when_values.size() ? " or " : ", ") + when_values[i];
  return t;
}

ParamSpec ParamSpec::when(std::string key, std::vector<std::string> values) const {
  ParamSpec s = *this;
  s.when_key = std::move(key);
  s.when_values = std::move(values);
  return s;
}

ParamSpec ParamSpec::at_most(std::string upper_key) const {
  ParamSpec s = *this;
  s.not_above = std::move(upper_key);
  return s;
}

ParamSpec ParamSpec::limit_when(std::string key, std::string value, double max_value) const {
  ParamSpec s = *this;
  s.limits.push_back({std::move(key), std::move(value), max_value});
  return s;
}

ParamSpec ParamSpec::explorer_knob(int rank, double lo, double hi) const {
  ParamSpec s = *this;
  s.knob = rank;
  s.knob_lo = lo;
  s.knob_hi = hi;
  return s;
}

ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::int64_t max, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Int;
  s.default_value = def;
  s.min = static_cast<double>(min);
  s.max = static_cast<double>(max);
  s.help = std::move(help);
  return s;
}

ParamSpec float_param(std::string name, double def, double min, double max, std::string help, bool min_open,
                      bool max_open) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Float;
  s.default_value = def;
  s.min = min;
  s.max = max;
  s.min_open = min_open;
  s.max_open = max_open;
  s.help = std::move(help);
  return s;
}

ParamSpec bool_param(std::string name, bool def, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Bool;
  s.default_value = def;
  s.help = std::move(help);
  return s;
}

ParamSpec string_param(std::string name, std::string def, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::String;
  s.default_value = std::move(def);
  s.help = std::move(help);
  return s;
}

ParamSpec enum_param(std::string name, std::string def, std::vector<std::string> choices, std::string help) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Enum;
  s.default_value = std::move(def);
  s.choices = std::move(choices);
  s.help = std::move(help);
  return s;
}

std::string SourceLocation::str() const {
  if (file.empty()) return "default";
  if (file == "--set") return "--set " + text;
  if (line > 0) return file + ":" + std::to_string(line);
  return file;
}

// ---- Params ---------------------------------------------------------------------------------

const Params::Entry& Params::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw Error(ErrorKind::Runtime, "internal: parameter '" + name + "' is not declared");
  return it->second;
}

std::int64_t Params::get_int(const std::string& name) const {
  const Entry& e = entry(name);
  if (auto* i = std::get_if<std::int64_t>(&e.value)) return *i;
  throw Error(ErrorKind::Runtime, "internal: parameter '" + name + "' is not an int");
}

double Params::get_float(const std::string& name) const {
  const Entry& e = entry(name);
  if (auto* d = std::get_if<double>(&e.value)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&e.value)) return static_cast<double>(*i);
  throw Error(ErrorKind::Runtime, "internal: parameter '" + name + "' is not a number");
}

bool Params::get_bool(const std::string& name) const {
  const Entry& e = entry(name);
  if (auto* b = std::get_if<bool>(&e.value)) return *b;
  throw Error(ErrorKind::Runtime, "internal: parameter '" + name + "' is not a bool");
}

const std::string& Params::get_string(const std::string& name) const {
  const Entry& e = entry(name);
  if (auto* s = std::get_if<std::string>(&e.value)) return *s;
  throw Error(ErrorKind::Runtime, "internal: parameter '" + name + "' is not a string");
}

bool Params::is_set(const std::string& name) const { return entry(name).explicit_; }

const SourceLocation& Params::location(const std::string& name) const { return entry(name).where; }

std::string Params::value_text(const std::string& name) const { return value_to_text(entry(name).value); }

void Params::fail(const std::string& name, const std::string& message) const {
  const Entry& e = entry(name);
  // A value the config left out is named as the default, so the user sees which key to set.
  if (e.where.file.empty())
    throw_bad_input("key '" + name + "' = " + value_to_text(e.value) +
                    " (the default, not set in the config): " + message);
  throw_bad_input(e.where.str() + ": key '" + name + "' = " + value_to_text(e.value) + ": " + message);
}

void Params::set(const std::string& name, ParamValue value, SourceLocation where) {
  Entry& e = entries_.at(name);
  e.value = std::move(value);
  e.where = std::move(where);
  e.explicit_ = true;
}

nlohmann::ordered_json Params::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& name : order_) {
    const Entry& e = entries_.at(name);
    std::visit([&](const auto& v) { j[name] = v; }, e.value);
  }
  return j;
}

// ---- RawConfig ------------------------------------------------------------------------------

bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0)
      n = 1, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
      n = 2, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0)
      n = 3, cp = c & 0x07;
    else
      return false;
    if (end - p <= n) return false;
    for (int k = 1; k <= n; ++k) {
      if ((p[k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[k] & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    p += n + 1;
  }
  return true;
}

const RawConfig::Item* RawConfig::find(const std::string& key) const {
  for (auto it = items.rbegin(); it != items.rend(); ++it)
    if (it->key == key) return &*it;
  return nullptr;
}

void RawConfig::put(Item item) {
  for (auto& existing : items) {
    if (existing.key == item.key) {
      existing = std::move(item);
      return;
    }
  }
  items.push_back(std::move(item));
}

namespace {

/// Builds a RawConfig from the parser's events, one top-level key at a time: linear in the size
/// of the text (no document tree, duplicates found through a hash set), and `check` sees every
/// key as soon as it is read, so a config of a million unknown keys fails at the first.
class ConfigBuilder final : public YAML::EventHandler {
 public:
  ConfigBuilder(RawConfig& config, const ConfigKeyCheck* check) : config_(config), check_(check) {}

  bool saw_root() const { return root_ != Root::None; }
  bool saw_map() const { return root_ == Root::Map; }
  int root_line() const { return root_line_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { scalar(mark, anchor, "", false, true); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      // An alias of a list or mapping: a nested value (or key), which a config cannot hold.
      nested(mark);
      return;
    }
    scalar(mark, 0, it->second.first, it->second.second, false);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    scalar(mark, anchor, value, tag == "!", false);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    if (depth_ == 0) {
      root_ = Root::Other;
      root_line_ = mark.line + 1;
      ++depth_;
      return;
    }
    nested(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    if (depth_ == 0) {
      root_ = Root::Map;
      root_line_ = mark.line + 1;
      ++depth_;
      return;
    }
    nested(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  enum class Root { None, Map, Other };

  void scalar(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& value, bool quoted, bool null) {
    if (depth_ == 0) {
      // The document itself is one value: empty (null) or a word.
      root_ = null ? Root::None : Root::Other;
      root_line_ = mark.line + 1;
      return;
    }
    if (root_ != Root::Map || depth_ != 1) return;  // inside a nested value already refused
    if (anchor) anchors_[anchor] = {value, quoted};
    const int line = mark.line + 1;
    if (!have_key_) {
      if (null) throw_bad_input(config_.source + ":" + std::to_string(line) + ": keys must be plain names");
      key_ = RawConfig::Item{};
      key_.key = value;
      key_.where = SourceLocation{config_.source, line, ""};
      if (!valid_utf8(value))
        throw_bad_input(key_.where.str() + ": a key is not valid UTF-8 text (a byte of another encoding?)");
      if (!keys_.insert(value).second) throw_bad_input(key_.where.str() + ": key '" + value + "' appears twice");
      have_key_ = true;
      if (++count_ % 4096 == 0) throw_if_stopped("config parsing");
      return;
    }
    key_.text = null ? std::string() : value;
    key_.quoted = !null && quoted;
    if (!valid_utf8(key_.text))
      throw_bad_input(key_.where.str() + ": key '" + key_.key +
                      "': the value is not valid UTF-8 text (a byte of another encoding?)");
    if (check_) (*check_)(key_);
    config_.items.push_back(std::move(key_));
    have_key_ = false;
  }

  void nested(const YAML::Mark& mark) {
    ++depth_;
    if (depth_ != 2 || root_ != Root::Map) return;
    if (!have_key_)
      throw_bad_input(config_.source + ":" + std::to_string(mark.line + 1) + ": keys must be plain names");
    throw_bad_input(key_.where.str() + ": key '" + key_.key +
                    "': expected a single value (number, word or quoted text), not a list or mapping");
  }

  RawConfig& config_;
  const ConfigKeyCheck* check_;
  Root root_ = Root::None;
  int root_line_ = 0;
  int depth_ = 0;
  bool have_key_ = false;
  RawConfig::Item key_;
  std::unordered_set<std::string> keys_;
  std::unordered_map<YAML::anchor_t, std::pair<std::string, bool>> anchors_;
  std::int64_t count_ = 0;
};

}  // namespace

RawConfig parse_config_text(const std::string& text, const std::string& source, const ConfigKeyCheck* check) {
  RawConfig config;
  config.source = source;
  ConfigBuilder builder(config, check);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    throw_bad_input(source + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  if (!builder.saw_root())
    throw_bad_input(source + ": the config is empty (expected a mapping of keys, e.g. 'generator: fractaldb')");
  if (!builder.saw_map())
    throw_bad_input(source + ":" + std::to_string(builder.root_line()) +
                    ": expected a mapping of keys at the top level (e.g. 'generator: fractaldb')");
  return config;
}

RawConfig load_config_file(const std::string& path, const ConfigKeyCheck* check) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_bad_input(path + ": cannot open config file (missing or unreadable)");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config_text(ss.str(), path, check);
}

void apply_override(RawConfig& config, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw_bad_input("--set " + assignment + ": expected key=value (for example --set size=256)");
  RawConfig::Item item;
  item.key = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  if (!valid_utf8(item.key)) throw_bad_input("--set: a key is not valid UTF-8 text (a byte of another encoding?)");
  if (!valid_utf8(value))
    throw_bad_input("--set " + item.key + "=...: key '" + item.key +
                    "': the value is not valid UTF-8 text (a byte of another encoding?)");
  item.where = SourceLocation{"--set", 0, assignment};
  // Read the value the way YAML would, so `--set name="a b"` and `--set x=1e3` behave as in a file.
  try {
    YAML::Node node = YAML::Load(value);
    if (node.IsNull())
      item.text = "";
    else if (node.IsScalar()) {
      item.text = node.Scalar();
      item.quoted = node.Tag() == "!";
    } else {
      throw_bad_input("--set " + assignment + ": expected a single value, not a list or mapping");
    }
  } catch (const YAML::Exception&) {
    item.text = value;
  }
  config.put(std::move(item));
}

RawConfig config_from_json(const nlohmann::json& object, const std::string& source) {
  if (!object.is_object()) throw_bad_input(source + ": expected a JSON object of parameters");
  RawConfig config;
  config.source = source;
  for (auto it = object.begin(); it != object.end(); ++it) {
    RawConfig::Item item;
    item.key = it.key();
    item.where = SourceLocation{source, 0, ""};
    if (!valid_utf8(item.key))
      throw_bad_input(source + ": a key is not valid UTF-8 text (a byte of another encoding?)");
    const auto& v = it.value();
    if (v.is_string()) {
      item.text = v.get<std::string>();
      item.quoted = true;
      if (!valid_utf8(item.text))
        throw_bad_input(source + ": key '" + item.key +
                        "': the value is not valid UTF-8 text (a byte of another encoding?)");
    } else if (v.is_boolean()) {
      item.text = v.get<bool>() ? "true" : "false";
    } else if (v.is_number_integer()) {
      item.text = std::to_string(v.get<std::int64_t>());
    } else if (v.is_number()) {
      item.text = value_to_text(ParamValue(v.get<double>()));
    } else if (v.is_null()) {
      item.text = "";
    } else {
      throw_bad_input(source + ": key '" + item.key + "' must be a single value");
    }
    config.items.push_back(std::move(item));
  }
  return config;
}

// ---- resolution -----------------------------------------------------------------------------

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  const std::string w = lower(word);
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(w, lower(c));
    // A substring match (e.g. "point" for "points") counts as close.
    if (lower(c).find(w) != std::string::npos || w.find(lower(c)) != std::string::npos) d = std::min<std::size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_d <= limit ? best : "";
}

namespace {

[[noreturn]] void fail_item(const RawConfig::Item& item, const std::string& message) {
  throw_bad_input(item.where.str() + ": key '" + item.key + "': " + message);
}

bool parse_int(const std::string& text, std::int64_t& out) {
  std::string t;
  for (char c : text)
    if (c != '_') t += c;
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, out);
  if (ec == std::errc() && p == e) return true;
  // Accept integral floats such as 1e6 or 1000.0 for integer keys.
  double d;
  auto [p2, ec2] = std::from_chars(b, e, d);
  if (ec2 == std::errc() && p2 == e && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
    out = static_cast<std::int64_t>(d);
    return true;
  }
  return false;
}

bool parse_float(const std::string& text, double& out) {
  std::string t = lower(text);
  if (t == ".inf" || t == "+.inf" || t == "inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (t == "-.inf" || t == "-inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (t == ".nan" || t == "nan") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e && b != e;
}

bool parse_bool(const std::string& text, bool& out) {
  const std::string t = lower(text);
  if (t == "true" || t == "yes" || t == "on") {
    out = true;
    return true;
  }
  if (t == "false" || t == "no" || t == "off") {
    out = false;
    return true;
  }
  return false;
}

void check_range(const RawConfig::Item& item, const ParamSpec& spec, double v) {
  bool ok = std::isfinite(v) || (std::isinf(v) && ((v > 0 && std::isinf(spec.max) && !spec.max_open) ||
                                                   (v < 0 && std::isinf(spec.min) && !spec.min_open)));
  if (std::isnan(v)) ok = false;
  if (ok) {
    if (spec.min_open ? !(v > spec.min) : !(v >= spec.min)) ok = false;
    if (spec.max_open ? !(v < spec.max) : !(v <= spec.max)) ok = false;
  }
  if (!ok)
    fail_item(item, "value " + item.text + " is out of range; valid: " + spec.range_text() + " (" + spec.help + ")");
}

ParamValue convert(const RawConfig::Item& item, const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::Int: {
      std::int64_t v;
      if (item.quoted || !parse_int(item.text, v)) fail_item(item, "expected an integer, got '" + item.text + "'");
      check_range(item, spec, static_cast<double>(v));
      return v;
    }
    case ParamType::Float: {
      double v;
      if (item.quoted || !parse_float(item.text, v)) fail_item(item, "expected a number, got '" + item.text + "'");
      check_range(item, spec, v);
      return v;
    }
    case ParamType::Bool: {
      bool v;
      if (item.quoted || !parse_bool(item.text, v)) fail_item(item, "expected true or false, got '" + item.text + "'");
      return v;
    }
    case ParamType::Enum: {
      for (const auto& c : spec.choices)
        if (c == item.text) return item.text;
      std::string hint = closest_name(item.text, spec.choices);
      fail_item(item, "'" + item.text + "' is not valid; " + spec.range_text() +
                          (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    case ParamType::String:
      return item.text;
  }
  return item.text;
}

}  // namespace

void check_relations(const Params& params) {
  // A declaration may name keys of another table; a relation to a key this set does not hold
  // (a table used alone in a test) does not apply.
  auto holds = [&](const std::string& key, const std::vector<std::string>& values) {
    const std::string v = params.value_text(key);
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  auto is_default = [&](const std::string& name) {
    return params.value_text(name) == value_to_text(params.spec(name).default_value);
  };
  for (const std::string& name : params.order()) {
    const ParamSpec& s = params.spec(name);
    const bool applies = s.when_key.empty() || !params.has(s.when_key) || holds(s.when_key, s.when_values);
    if (!applies && !is_default(name))
      params.fail(name, "applies only when " + s.when_text() + " (now " + params.value_text(s.when_key) +
                            "); remove it or set " + s.when_key);
    for (const ParamSpec::Limit& l : s.limits)
      if (params.has(l.key) && params.value_text(l.key) == l.value && params.get_float(name) > l.max)
        params.fail(name, "is at most " + format_number(l.max) + " where " + l.key + " is " + l.value + " (valid: [" +
                              format_number(s.min) + ", " + format_number(l.max) + "])");
    if (applies && !s.not_above.empty() && params.has(s.not_above) &&
        params.get_float(name) > params.get_float(s.not_above))
      params.fail(name, "must not exceed " + s.not_above + " (" + params.value_text(s.not_above) + ")");
  }
}

Params resolve_params(const RawConfig& config, const std::vector<const ParamTable*>& tables) {
  Params params;
  std::vector<std::string> names;
  for (const ParamTable* table : tables) {
    for (const ParamSpec& spec : *table) {
      if (params.entries_.count(spec.name)) continue;
      Params::Entry e;
      e.spec = &spec;
      e.value = spec.default_value;
      params.entries_[spec.name] = std::move(e);
      params.order_.push_back(spec.name);
      names.push_back(spec.name);
    }
  }
  for (const auto& item : config.items) {
    auto it = params.entries_.find(item.key);
    if (it == params.entries_.end()) {
      std::string hint = closest_name(item.key, names);
      throw_bad_input(item.where.str() + ": unknown key '" + item.key + "'" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                      " (`fdsl list` shows every key of every generator)");
    }
    it->second.value = convert(item, *it->second.spec);
    it->second.where = item.where;
    it->second.explicit_ = true;
  }
  check_relations(params);
  return params;
}

}  // namespace fdsl
