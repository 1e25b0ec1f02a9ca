#include "fdsl/io/category_csv.h"

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

constexpr int kCsvColumns = 7;
constexpr const char* kColumnNames[kCsvColumns] = {"a", "b", "c", "d", "e", "f", "p"};

/// Parses column `column` (0-based) of a map row.
double parse_field(std::string_view field, const std::string& where, int column) {
  return detail::csv::parse_number(field, where, column + 1, kColumnNames[column], detail::csv::Overflow::Named);
}

}  // namespace

Ifs2 read_fractaldb_csv(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  Ifs2 ifs;
  const int lines = detail::csv::for_each_line(text, file, [&](std::string_view line, int, const std::string& where) {
    // Blank lines (a trailing one, Windows line ends) carry no map.
    if (detail::csv::trim(line).empty()) return;
    const auto fields = detail::csv::split_fields(line);
    if (fields.size() != kCsvColumns) {
      throw_bad_input(where + ": found " + std::to_string(fields.size()) + " comma-separated values, " +
                      "expected 7 (a,b,c,d,e,f,p)");
    }
    double v[kCsvColumns];
    for (int i = 0; i < kCsvColumns; ++i) v[i] = parse_field(fields[i], where, i);
    if (v[6] < 0) {
      throw_bad_input(where + ": probability p (column 7) is negative: " +
                      detail::csv::quote(detail::csv::trim(fields[6])) + "; expected a value >= 0");
    }
    ifs.maps.push_back(AffineMap2{v[0], v[1], v[2], v[3], v[4], v[5]});
    ifs.probs.push_back(v[6]);
  });
  if (ifs.maps.empty()) {
    throw_bad_input(file + ":" + std::to_string(std::max(lines, 1)) +
                    ": the file has no rows; expected one line a,b,c,d,e,f,p per affine map");
  }
  double total = 0;
  for (double p : ifs.probs) total += p;
  // Every map could never be chosen: the chaos game would have nothing to apply.
  if (!(total > 0)) {
    throw_bad_input(file + ": all probabilities p are zero; expected them to sum to 1");
  }
  return ifs;
}

std::string format_fractaldb_csv(const Ifs2& ifs) {
  if (ifs.maps.size() != ifs.probs.size()) {
    throw_bad_input("format_fractaldb_csv: " + std::to_string(ifs.maps.size()) + " maps but " +
                    std::to_string(ifs.probs.size()) + " probabilities; expected one per map");
  }
  std::string out;
  out.reserve(ifs.maps.size() * 7 * 26);
  for (std::size_t i = 0; i < ifs.maps.size(); ++i) {
    const AffineMap2& m = ifs.maps[i];
    const double values[kCsvColumns] = {m.a, m.b, m.c, m.d, m.e, m.f, ifs.probs[i]};
    for (int k = 0; k < kCsvColumns; ++k) {
      if (!std::isfinite(values[k])) {
        throw_bad_input("format_fractaldb_csv: map " + std::to_string(i) + " value " + kColumnNames[k] +
                        " is not finite; expected a finite number");
      }
      if (k > 0) out += ',';
      detail::csv::append_number(out, values[k], "format_fractaldb_csv");
    }
    out += '\n';
  }
  return out;
}

std::vector<Ifs2> read_fractaldb_category_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw_bad_input("FractalDB category folder " + dir.string() +
                    (fs::exists(dir, ec) ? " is not a folder" : " does not exist"));
  }
  std::vector<detail::csv::NumberedFile> entries;
  auto scan = [&](const fs::path& folder, bool descend) {
    std::error_code it_ec;
    for (auto it = fs::directory_iterator(folder, it_ec); !it_ec && it != fs::directory_iterator();
         it.increment(it_ec)) {
      const std::string name = it->path().filename().string();
      std::error_code type_ec;
      if (it->is_directory(type_ec)) {
        // The official layout spreads the files over csv0 .. csv39.
        if (descend && detail::csv::number_in_name(name, "csv", "") >= 0) {
          std::error_code sub_ec;
          for (auto sub = fs::directory_iterator(it->path(), sub_ec); !sub_ec && sub != fs::directory_iterator();
               sub.increment(sub_ec)) {
            const std::string sub_name = sub->path().filename().string();
            long n = detail::csv::number_in_name(sub_name, "", ".csv");
            if (n >= 0) entries.push_back({n, sub->path()});
          }
          if (sub_ec) {
            throw_bad_input("cannot list FractalDB category folder " + it->path().string() + ": " + sub_ec.message());
          }
        }
        continue;
      }
      long n = detail::csv::number_in_name(name, "", ".csv");
      if (n >= 0) entries.push_back({n, it->path()});
    }
    if (it_ec) {
      throw_bad_input("cannot list FractalDB category folder " + folder.string() + ": " + it_ec.message());
    }
  };
  scan(dir, true);
  detail::csv::sort_numbered(entries, "FractalDB category folder " + dir.string(), 5,
                             "NNNNN.csv inside it or in csvK/ subfolders");
  std::vector<Ifs2> systems;
  systems.reserve(entries.size());
  for (const detail::csv::NumberedFile& e : entries) systems.push_back(read_fractaldb_csv(e.path));
  return systems;
}

void write_fractaldb_category_dir(const fs::path& dir, const std::vector<Ifs2>& systems) {
  for (std::size_t i = 0; i < systems.size(); ++i)
    write_file_atomic(dir / detail::csv::numbered_name(i, 5), format_fractaldb_csv(systems[i]));
}

}  // namespace fdsl

namespace fdsl {

namespace {
constexpr const char* kTableHeader = "category,a,b,c,d,e,f,p";
}

std::string format_category_table(const std::vector<Ifs2>& systems) {
  std::string out = std::string(kTableHeader) + "\n";
  for (std::size_t c = 0; c < systems.size(); ++c)
    detail::csv::append_category_rows(out, c, format_fractaldb_csv(systems[c]));
  return out;
}

std::vector<Ifs2> read_category_table(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  std::vector<Ifs2> systems;
  detail::csv::for_each_line(text, file, [&](std::string_view raw, int line_number, const std::string& where) {
    const std::string_view line = detail::csv::trim(raw);
    if (line.empty()) return;
    if (line_number == 1) {
      if (line != kTableHeader) throw_bad_input(where + ": expected the header '" + std::string(kTableHeader) + "'");
      return;
    }
    const auto fields = detail::csv::split_fields(line);
    if (fields.size() != 8)
      throw_bad_input(where + ": found " + std::to_string(fields.size()) +
                      " comma-separated values, expected 8 (category,a,b,c,d,e,f,p)");
    if (detail::csv::opens_category(fields[0], where, systems.size())) systems.emplace_back();
    double v[7];
    for (int i = 0; i < 7; ++i) v[i] = parse_field(fields[i + 1], where, i);
    if (v[6] < 0) throw_bad_input(where + ": probability p (column 8) is negative; expected a value >= 0");
    systems.back().maps.push_back(AffineMap2{v[0], v[1], v[2], v[3], v[4], v[5]});
    systems.back().probs.push_back(v[6]);
  });
  if (systems.empty()) throw_bad_input(file + ": no categories; expected rows category,a,b,c,d,e,f,p");
  return systems;
}

std::vector<Ifs2> read_categories(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return read_fractaldb_category_dir(path);
  if (fs::is_regular_file(path, ec)) return read_category_table(path);
  throw_bad_input(path.string() + ": no such category folder or categories.csv file");
}

}  // namespace fdsl
