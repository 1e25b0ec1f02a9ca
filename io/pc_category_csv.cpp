#include "fdsl/io/pc_category_csv.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <system_error>

#include "csv_util.h"
#include "fdsl/core/error.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace {

constexpr int kColumns = 13;
constexpr const char* kColumnNames[kColumns] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "p"};
constexpr const char* kTableHeader = "category,a,b,c,d,e,f,g,h,i,j,k,l,p";

/// Parses coefficient `column` (0-based), shown in messages as the file's column `shown`.
double parse_field(std::string_view field, const std::string& where, int column, int shown) {
  return detail::csv::parse_number(field, where, shown, kColumnNames[column], detail::csv::Overflow::Plain);
}

/// Reads the 13 values of a map row starting at fields[offset]; appends to `ifs`.
void parse_map(const std::vector<std::string_view>& fields, std::size_t offset, const std::string& where, Ifs3& ifs) {
  AffineMap3 map;
  for (int q = 0; q < 12; ++q) map.m[q] = parse_field(fields[offset + q], where, q, static_cast<int>(offset) + q + 1);
  const double p = parse_field(fields[offset + 12], where, 12, static_cast<int>(offset) + 13);
  if (p < 0)
    throw_bad_input(where + ": probability p (column " + std::to_string(offset + 13) + ") is negative: " +
                    detail::csv::quote(detail::csv::trim(fields[offset + 12])) + "; expected a value >= 0");
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

}  // namespace

Ifs3 read_pc_fractal_csv(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  Ifs3 ifs;
  const int lines = detail::csv::for_each_line(text, file, [&](std::string_view line, int, const std::string& where) {
    if (detail::csv::trim(line).empty()) return;
    const auto fields = detail::csv::split_fields(line);
    if (fields.size() != kColumns)
      throw_bad_input(where + ": found " + std::to_string(fields.size()) +
                      " comma-separated values, expected 13 (a,b,c,d,e,f,g,h,i,j,k,l,p)" +
                      column_hint(fields.size(), kColumns));
    parse_map(fields, 0, where, ifs);
  });
  if (ifs.maps.empty())
    throw_bad_input(file + ":" + std::to_string(std::max(lines, 1)) +
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
      detail::csv::append_number(out, v, "format_pc_fractal_csv");
    }
    out += '\n';
  }
  return out;
}

std::vector<Ifs3> read_pc_fractal_category_dir(const fs::path& dir, std::vector<std::string>* sources) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw_bad_input("PC-FractalDB category folder " + dir.string() +
                    (fs::exists(dir, ec) ? " is not a folder" : " does not exist"));
  std::vector<detail::csv::NumberedFile> entries;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;
    const long n = detail::csv::number_in_name(it->path().filename().string(), "", ".csv");
    if (n >= 0) entries.push_back({n, it->path()});
  }
  if (ec) throw_bad_input("cannot list PC-FractalDB category folder " + dir.string() + ": " + ec.message());
  detail::csv::sort_numbered(entries, "PC-FractalDB category folder " + dir.string(), 6,
                             "000000.csv, 000001.csv, ... (13 values per row)");
  std::vector<Ifs3> systems;
  systems.reserve(entries.size());
  for (const detail::csv::NumberedFile& e : entries) {
    systems.push_back(read_pc_fractal_csv(e.path));
    if (sources) sources->push_back(e.path.string() + ":1");
  }
  return systems;
}

void write_pc_fractal_category_dir(const fs::path& dir, const std::vector<Ifs3>& systems) {
  for (std::size_t i = 0; i < systems.size(); ++i)
    write_file_atomic(dir / detail::csv::numbered_name(i, 6), format_pc_fractal_csv(systems[i]));
}

std::string format_pc_category_table(const std::vector<Ifs3>& systems) {
  std::string out = std::string(kTableHeader) + "\n";
  for (std::size_t c = 0; c < systems.size(); ++c)
    detail::csv::append_category_rows(out, c, format_pc_fractal_csv(systems[c]));
  return out;
}

std::vector<Ifs3> read_pc_category_table(const fs::path& path, std::vector<std::string>* sources) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  std::vector<Ifs3> systems;
  detail::csv::for_each_line(text, file, [&](std::string_view raw, int line_number, const std::string& where) {
    const std::string_view line = detail::csv::trim(raw);
    if (line.empty()) return;
    if (line_number == 1) {
      if (line != kTableHeader) throw_bad_input(where + ": expected the header '" + std::string(kTableHeader) + "'");
      return;
    }
    const auto fields = detail::csv::split_fields(line);
    if (fields.size() != kColumns + 1)
      throw_bad_input(where + ": found " + std::to_string(fields.size()) +
                      " comma-separated values, expected 14 (category,a,b,c,d,e,f,g,h,i,j,k,l,p)" +
                      column_hint(fields.size(), kColumns + 1));
    if (detail::csv::opens_category(fields[0], where, systems.size())) {
      systems.emplace_back();
      if (sources) sources->push_back(where);
    }
    parse_map(fields, 1, where, systems.back());
  });
  if (systems.empty()) throw_bad_input(file + ": no categories; expected rows category,a,b,c,d,e,f,g,h,i,j,k,l,p");
  for (std::size_t c = 0; c < systems.size(); ++c)
    check_probabilities(systems[c], file + ": category " + std::to_string(c));
  return systems;
}

std::vector<Ifs3> read_pc_categories(const fs::path& path, std::vector<std::string>* sources) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return read_pc_fractal_category_dir(path, sources);
  if (fs::is_regular_file(path, ec)) return read_pc_category_table(path, sources);
  throw_bad_input(path.string() + ": no such PC-FractalDB category folder or categories.csv file");
}

}  // namespace fdsl
