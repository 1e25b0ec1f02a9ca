// Parameters declared once: name, type, default, range, help. The same declaration validates
// configs, prints `fdsl list`, fills the README table and names the Python keywords.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace fdsl {

enum class ParamType { Int, Float, Bool, String, Enum };

using ParamValue = std::variant<std::int64_t, double, bool, std::string>;

/// One declared parameter.
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Float;
  ParamValue default_value = 0.0;
  double min = -std::numeric_limits<double>::infinity();  ///< lower bound (numbers)
  double max = std::numeric_limits<double>::infinity();   ///< upper bound (numbers)
  bool min_open = false;                                  ///< true: the lower bound itself is not allowed
  bool max_open = false;                                  ///< true: the upper bound itself is not allowed
  std::vector<std::string> choices;                       ///< allowed values (Enum)
  std::string help;                                       ///< one line

  /// Applies-when: the key has an effect only where key `when_key` holds one of `when_values`
  /// (empty: always). A value other than the default elsewhere is an error, never ignored.
  std::string when_key;
  std::vector<std::string> when_values;
  /// Paired bounds: this key (a lower end) must not exceed the key `not_above` (its upper end).
  std::string not_above;
  /// A tighter upper bound where another key holds a value (libpng: png_level at most 9).
  struct Limit {
    std::string key, value;
    double max = 0;
  };
  std::vector<Limit> limits;
  /// The explorer offers the key as a slider: 0 never, else its rank (1 first).
  int knob = 0;
  /// The part of the range the slider covers where it is narrower than the declared one.
  double knob_lo = std::numeric_limits<double>::quiet_NaN(), knob_hi = std::numeric_limits<double>::quiet_NaN();

  /// "[1, 16384]", "(0, 1]", "one of: point, patch", "" for unbounded.
  std::string range_text() const;
  /// "int", "float", "bool", "string", "enum".
  std::string type_name() const;
  /// "output_format is tar", "categories is search" ("" when the key always applies).
  std::string when_text() const;

  // Modifiers for the declaration tables: int_param(...).when("output_format", {"tar"}).
  ParamSpec when(std::string key, std::vector<std::string> values) const;
  ParamSpec at_most(std::string upper_key) const;
  ParamSpec limit_when(std::string key, std::string value, double max) const;
  ParamSpec explorer_knob(int rank, double lo = std::numeric_limits<double>::quiet_NaN(),
                          double hi = std::numeric_limits<double>::quiet_NaN()) const;
};

using ParamTable = std::vector<ParamSpec>;

/// Declaration helpers, so a table reads as a list of one-liners.
ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::int64_t max, std::string help);
ParamSpec float_param(std::string name, double def, double min, double max, std::string help, bool min_open = false,
                      bool max_open = false);
ParamSpec bool_param(std::string name, bool def, std::string help);
ParamSpec string_param(std::string name, std::string def, std::string help);
ParamSpec enum_param(std::string name, std::string def, std::vector<std::string> choices, std::string help);

/// Where a value came from: "configs/x.yaml:12", "--set size=64", or "default".
struct SourceLocation {
  std::string file;  ///< file name, "--set" or empty for a default
  int line = 0;      ///< 1-based line, 0 if none
  std::string text;  ///< for --set: the whole override
  std::string str() const;
};

/// Resolved values of a set of tables, each with its source location.
class Params {
 public:
  Params() = default;

  std::int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  const std::string& get_string(const std::string& name) const;
  /// True if the config (or --set) gave the key, false if it holds its default.
  bool is_set(const std::string& name) const;
  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  const SourceLocation& location(const std::string& name) const;
  /// The declaration of a key.
  const ParamSpec& spec(const std::string& name) const { return *entry(name).spec; }

  /// Throws Error(BadInput) "<location>: key '<name>' = <value>: <message>".
  [[noreturn]] void fail(const std::string& name, const std::string& message) const;

  /// Sets a value (already validated by the caller), e.g. when a tool fills in a derived value.
  void set(const std::string& name, ParamValue value, SourceLocation where);

  /// The resolved values as JSON, in declaration order; enough to rebuild the same Params.
  nlohmann::ordered_json to_json() const;
  /// The value as text, as it would be written in a config.
  std::string value_text(const std::string& name) const;

  struct Entry {
    const ParamSpec* spec = nullptr;
    ParamValue value;
    SourceLocation where;
    bool explicit_ = false;
  };
  const std::vector<std::string>& order() const { return order_; }

 private:
  friend Params resolve_params(const struct RawConfig&, const std::vector<const ParamTable*>&);
  const Entry& entry(const std::string& name) const;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;
};

/// A config as written: top-level key -> scalar text, with locations. Order kept.
struct RawConfig {
  std::string source;  ///< file name for messages
  struct Item {
    std::string key;
    std::string text;
    SourceLocation where;
    bool quoted = false;  ///< written as a quoted string in YAML
  };
  std::vector<Item> items;

  const Item* find(const std::string& key) const;
  /// Sets or replaces a key (later wins).
  void put(Item item);
};

/// Called for every key of a config as soon as it is read (with its value); throws to refuse it.
using ConfigKeyCheck = std::function<void(const RawConfig::Item&)>;

/// Loads a YAML file whose top level is a mapping of scalars. Throws Error(BadInput) naming the
/// file (and line) if it is missing, malformed, not a mapping, holds a non-scalar value, a key
/// twice, or text that is not UTF-8; `check` (optional) refuses keys as they are read. Linear in
/// the size of the file.
RawConfig load_config_file(const std::string& path, const ConfigKeyCheck* check = nullptr);
/// Same from text; `source` names it in messages.
RawConfig parse_config_text(const std::string& text, const std::string& source, const ConfigKeyCheck* check = nullptr);

/// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);
/// Applies `key=value` (from --set); the value is read as a YAML scalar.
void apply_override(RawConfig& config, const std::string& assignment);
/// Builds a RawConfig from JSON (an object of scalars), e.g. a manifest's saved config.
RawConfig config_from_json(const nlohmann::json& object, const std::string& source);

/// Checks every key against the tables (first declaration wins for duplicates) and converts the
/// values. Unknown keys are errors naming file, line and the closest valid key; wrong types and
/// out-of-range values are errors naming file, line, key and the valid range; then the relations
/// the declarations state: limits under another key's value, paired bounds (min <= max), and keys
/// given where they do not apply.
Params resolve_params(const RawConfig& config, const std::vector<const ParamTable*>& tables);

/// The relations of resolve_params alone (limits, paired bounds, applies-when), for Params
/// changed after resolution.
void check_relations(const Params& params);

/// The closest name in `candidates` to `word` (edit distance), or "" if none is close.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace fdsl
