#include "fdsl/io/pc_category_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

constexpr int kColumns = 13;
constexpr const char* kColumnNames[kColumns] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "p"};
constexpr const char* kTableHeader = "category,a,b,c,d,e,f,g,h,i,j,k,l,p";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// The offending text for a message, shortened so a binary file does not flood the terminal.
std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out + "'";
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

/// Parses one field exactly (from_chars rounds correctly and ignores the locale). `column` is the
/// 0-based coefficient index; `shown` the 1-based column number in the file.
double parse_field(std::string_view field, const std::string& where, int column, int shown) {
  const std::string_view text = trim(field);
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::general);
  const std::string col = "column " + std::to_string(shown) + " (" + kColumnNames[column] + ")";
  if (digits.empty() || ec == std::errc::invalid_argument || ptr != last)
    throw_bad_input(where + ": " + col + " is " + quote(text) + ", which is not a number");
  if (ec == std::errc::result_out_of_range || !std::isfinite(value))
    throw_bad_input(where + ": " + col + " is " + quote(text) + "; expected a finite number");
  return value;
}

/// Reads the 13 values of a map row starting at fields[offset]; appends to `ifs`.
void parse_map(const std::vector<std::string_view>& fields, std::size_t offset, const std::string& where, Ifs3& ifs) {
  AffineMap3 map;
  for (int q = 0; q < 12; ++q) map.m[q] = parse_field(fields[offset + q], where, q, static_cast<int>(offset) + q + 1);
  const double p = parse_field(fields[offset + 12], where, 12, static_cast<int>(offset) + 13);
  if (p < 0)
    throw_bad_input(where + ": probability p (column " + std::to_string(offset + 13) + ") is negative: " +
                    quote(trim(fields[offset + 12])) + "; expected a value >= 0");
  ifs.maps.push_back(map);
  ifs.probs.push_back(p);
}

std::string column_hint(std::size_t found, std::size_t expected) {
  // A FractalDB (2D) file has 7 columns: say so, it is the likely mix-up.
  if (found == expected - 6) return " (7 values is a 2D FractalDB category; PC-FractalDB maps are 3x3+3 plus p)";
  return "";
}

void check_probabilities(const Ifs3& ifs, const std::string& what) {
  double total = 0;
  for (double p : ifs.probs) total += p;
  if (!(total > 0)) throw_bad_input(what + ": all probabilities p are zero; expected them to sum to 1");
}

void append_number(std::string& out, double value) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, 18);
  if (ec != std::errc()) throw_runtime("format_pc_fractal_csv: cannot format a number");
  out.append(buf, ptr);
}

/// A name of only decimal digits (at most 9) followed by ".csv" gives its number; others -1.
long number_in_name(const std::string& name) {
  constexpr std::string_view suffix = ".csv";
  if (name.size() <= suffix.size() || name.size() > suffix.size() + 9) return -1;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return -1;
  long value = 0;
  for (std::size_t i = 0; i + suffix.size() < name.size(); ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Ifs3 read_pc_fractal_csv(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  Ifs3 ifs;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    const std::string where = file + ":" + std::to_string(line_number);
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    if (fields.size() != kColumns)
      throw_bad_input(where + ": found " + std::to_string(fields.size()) +
                      " comma-separated values, expected 13 (a,b,c,d,e,f,g,h,i,j,k,l,p)" +
                      column_hint(fields.size(), kColumns));
    parse_map(fields, 0, where, ifs);
  }
  if (ifs.maps.empty())
    throw_bad_input(file + ":" + std::to_string(std::max(line_number, 1)) +
                    ": the file has no rows; expected one line a,b,c,d,e,f,g,h,i,j,k,l,p per affine map");
  check_probabilities(ifs, file);
  return ifs;
}

std::string format_pc_fractal_csv(const Ifs3& ifs) {
  if (ifs.maps.size() != ifs.probs.size())
    throw_bad_input("format_pc_fractal_csv: " + std::to_string(ifs.maps.size()) + " maps but " +
                    std::to_string(ifs.probs.size()) + " probabilities; expected one per map");
  std::string out;
  out.reserve(ifs.maps.size() * kColumns * 26);
  for (std::size_t i = 0; i < ifs.maps.size(); ++i) {
    for (int q = 0; q < kColumns; ++q) {
      const double v = q < 12 ? ifs.maps[i].m[q] : ifs.probs[i];
      if (!std::isfinite(v))
        throw_bad_input("format_pc_fractal_csv: map " + std::to_string(i) + " value " + kColumnNames[q] +
                        " is not finite; expected a finite number");
      if (q > 0) out += ',';
      append_number(out, v);
    }
    out += '\n';
  }
  return out;
}

std::vector<Ifs3> read_pc_fractal_category_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw_bad_input("PC-FractalDB category folder " + dir.string() +
                    (fs::exists(dir, ec) ? " is not a folder" : " does not exist"));
  struct Entry {
    long number;
    fs::path path;
  };
  std::vector<Entry> entries;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;
    const long n = number_in_name(it->path().filename().string());
    if (n >= 0) entries.push_back({n, it->path()});
  }
  if (ec) throw_bad_input("cannot list PC-FractalDB category folder " + dir.string() + ": " + ec.message());
  if (entries.empty())
    throw_bad_input("PC-FractalDB category folder " + dir.string() +
                    " has no CSV files; expected 000000.csv, 000001.csv, ... (13 values per row)");
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    return x.number != y.number ? x.number < y.number : x.path < y.path;
  });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const long expected = static_cast<long>(i);
    if (entries[i].number == expected) continue;
    if (entries[i].number < expected)
      throw_bad_input("PC-FractalDB category folder " + dir.string() + ": category " +
                      std::to_string(entries[i].number) + " appears twice, as " + entries[i - 1].path.string() +
                      " and " + entries[i].path.string());
    char name[32];
    std::snprintf(name, sizeof name, "%06ld.csv", expected);
    throw_bad_input("PC-FractalDB category folder " + dir.string() + ": category file " + name +
                    " is missing; expected the numbers 0.." + std::to_string(entries.size() - 1) +
                    " without gaps (" + std::to_string(entries.size()) + " files found)");
  }
  std::vector<Ifs3> systems;
  systems.reserve(entries.size());
  for (const Entry& e : entries) systems.push_back(read_pc_fractal_csv(e.path));
  return systems;
}

void write_pc_fractal_category_dir(const fs::path& dir, const std::vector<Ifs3>& systems) {
  for (std::size_t i = 0; i < systems.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%06zu.csv", i);
    write_file_atomic(dir / name, format_pc_fractal_csv(systems[i]));
  }
}

std::string format_pc_category_table(const std::vector<Ifs3>& systems) {
  std::string out = std::string(kTableHeader) + "\n";
  for (std::size_t c = 0; c < systems.size(); ++c) {
    const std::string rows = format_pc_fractal_csv(systems[c]);
    std::size_t start = 0;
    while (start < rows.size()) {
      const std::size_t end = rows.find('\n', start);
      out += std::to_string(c) + "," + rows.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return out;
}

std::vector<Ifs3> read_pc_category_table(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  std::vector<Ifs3> systems;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = trim(std::string_view(text.data() + start, end - start));
    start = end + 1;
    ++line_number;
    const std::string where = file + ":" + std::to_string(line_number);
    if (line.empty()) continue;
    if (line_number == 1) {
      if (line != kTableHeader) throw_bad_input(where + ": expected the header '" + std::string(kTableHeader) + "'");
      continue;
    }
    const auto fields = split_fields(line);
    if (fields.size() != kColumns + 1)
      throw_bad_input(where + ": found " + std::to_string(fields.size()) +
                      " comma-separated values, expected 14 (category,a,b,c,d,e,f,g,h,i,j,k,l,p)" +
                      column_hint(fields.size(), kColumns + 1));
    long category = -1;
    const std::string_view id = trim(fields[0]);
    auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), category);
    if (ec != std::errc() || ptr != id.data() + id.size() || category < 0)
      throw_bad_input(where + ": category " + quote(id) + " is not a non-negative integer");
    if (category != static_cast<long>(systems.size()) - 1) {
      if (category != static_cast<long>(systems.size()))
        throw_bad_input(where + ": category " + std::to_string(category) + " out of order; expected " +
                        std::to_string(systems.size()) + " (categories are numbered 0, 1, ... in order)");
      systems.emplace_back();
    }
    parse_map(fields, 1, where, systems.back());
  }
  if (systems.empty()) throw_bad_input(file + ": no categories; expected rows category,a,b,c,d,e,f,g,h,i,j,k,l,p");
  for (std::size_t c = 0; c < systems.size(); ++c)
    check_probabilities(systems[c], file + ": category " + std::to_string(c));
  return systems;
}

std::vector<Ifs3> read_pc_categories(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return read_pc_fractal_category_dir(path);
  if (fs::is_regular_file(path, ec)) return read_pc_category_table(path);
  throw_bad_input(path.string() + ": no such PC-FractalDB category folder or categories.csv file");
}

}  // namespace fdsl
