#include "fdsl/io/category_csv.h"

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

namespace detail {
namespace {

constexpr int kCsvColumns = 7;
constexpr const char* kColumnNames[kCsvColumns] = {"a", "b", "c", "d", "e", "f", "p"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
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

/// Parses one field exactly (std::from_chars rounds correctly, unlike strtod under some locales).
double parse_field(std::string_view field, const std::string& where, int column) {
  std::string_view text = trim(field);
  std::string_view digits = text;
  // NumPy never writes '+', but hand-written files might; from_chars does not accept it.
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::general);
  const std::string col =
      "column " + std::to_string(column + 1) + " (" + kColumnNames[column] + ")";
  if (digits.empty() || ec == std::errc::invalid_argument || ptr != last) {
    throw_bad_input(where + ": " + col + " is " + quote(text) + ", which is not a number");
  }
  if (ec == std::errc::result_out_of_range) {
    throw_bad_input(where + ": " + col + " is " + quote(text) +
                    ", which is out of the range of a double; expected a finite number");
  }
  if (!std::isfinite(value)) {
    throw_bad_input(where + ": " + col + " is " + quote(text) + "; expected a finite number");
  }
  return value;
}

/// Appends `value` as %.18e (NumPy savetxt's default), independent of the C locale.
void append_number(std::string& out, double value) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, 18);
  if (ec != std::errc()) throw_runtime("format_fractaldb_csv: cannot format a number");
  out.append(buf, ptr);
}

/// A name of only decimal digits followed by `suffix` gives its number; others give -1.
long number_in_name(const std::string& name, std::string_view prefix, std::string_view suffix) {
  if (name.size() <= prefix.size() + suffix.size()) return -1;
  if (name.compare(0, prefix.size(), prefix) != 0) return -1;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return -1;
  std::string_view digits(name.data() + prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 9) return -1;
  long value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

/// Splits a CSV line at commas.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t field_start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', field_start);
    fields.push_back(line.substr(field_start, comma == std::string_view::npos ? std::string_view::npos
                                                                               : comma - field_start));
    if (comma == std::string_view::npos) break;
    field_start = comma + 1;
  }
  return fields;
}

}  // namespace
}  // namespace detail

Ifs2 read_fractaldb_csv(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  Ifs2 ifs;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    const std::string where = file + ":" + std::to_string(line_number);
    // Blank lines (a trailing one, Windows line ends) carry no map.
    if (detail::trim(line).empty()) continue;

    std::string_view fields[detail::kCsvColumns];
    int count = 0;
    std::size_t field_start = 0;
    for (;;) {
      std::size_t comma = line.find(',', field_start);
      std::string_view field =
          line.substr(field_start, comma == std::string_view::npos ? std::string_view::npos
                                                                   : comma - field_start);
      if (count < detail::kCsvColumns) fields[count] = field;
      ++count;
      if (comma == std::string_view::npos) break;
      field_start = comma + 1;
    }
    if (count != detail::kCsvColumns) {
      throw_bad_input(where + ": found " + std::to_string(count) + " comma-separated values, " +
                      "expected 7 (a,b,c,d,e,f,p)");
    }
    double v[detail::kCsvColumns];
    for (int i = 0; i < detail::kCsvColumns; ++i) v[i] = detail::parse_field(fields[i], where, i);
    if (v[6] < 0) {
      throw_bad_input(where + ": probability p (column 7) is negative: " +
                      detail::quote(detail::trim(fields[6])) + "; expected a value >= 0");
    }
    ifs.maps.push_back(AffineMap2{v[0], v[1], v[2], v[3], v[4], v[5]});
    ifs.probs.push_back(v[6]);
  }
  if (ifs.maps.empty()) {
    throw_bad_input(file + ":" + std::to_string(std::max(line_number, 1)) +
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
    const double values[detail::kCsvColumns] = {m.a, m.b, m.c, m.d, m.e, m.f, ifs.probs[i]};
    for (int k = 0; k < detail::kCsvColumns; ++k) {
      if (!std::isfinite(values[k])) {
        throw_bad_input("format_fractaldb_csv: map " + std::to_string(i) + " value " +
                        detail::kColumnNames[k] + " is not finite; expected a finite number");
      }
      if (k > 0) out += ',';
      detail::append_number(out, values[k]);
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
  struct Entry {
    long number;
    fs::path path;
  };
  std::vector<Entry> entries;
  auto scan = [&](const fs::path& folder, bool descend) {
    std::error_code it_ec;
    for (auto it = fs::directory_iterator(folder, it_ec); !it_ec && it != fs::directory_iterator();
         it.increment(it_ec)) {
      const std::string name = it->path().filename().string();
      std::error_code type_ec;
      if (it->is_directory(type_ec)) {
        // The official layout spreads the files over csv0 .. csv39.
        if (descend && detail::number_in_name(name, "csv", "") >= 0) {
          std::error_code sub_ec;
          for (auto sub = fs::directory_iterator(it->path(), sub_ec);
               !sub_ec && sub != fs::directory_iterator(); sub.increment(sub_ec)) {
            const std::string sub_name = sub->path().filename().string();
            long n = detail::number_in_name(sub_name, "", ".csv");
            if (n >= 0) entries.push_back({n, sub->path()});
          }
          if (sub_ec) {
            throw_bad_input("cannot list FractalDB category folder " + it->path().string() + ": " +
                            sub_ec.message());
          }
        }
        continue;
      }
      long n = detail::number_in_name(name, "", ".csv");
      if (n >= 0) entries.push_back({n, it->path()});
    }
    if (it_ec) {
      throw_bad_input("cannot list FractalDB category folder " + folder.string() + ": " +
                      it_ec.message());
    }
  };
  scan(dir, true);
  if (entries.empty()) {
    throw_bad_input("FractalDB category folder " + dir.string() +
                    " has no CSV files; expected NNNNN.csv inside it or in csvK/ subfolders");
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    return x.number != y.number ? x.number < y.number : x.path < y.path;
  });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const long expected = static_cast<long>(i);
    if (entries[i].number == expected) continue;
    if (entries[i].number < expected) {
      throw_bad_input("FractalDB category folder " + dir.string() + ": category " +
                      std::to_string(entries[i].number) + " appears twice, as " +
                      entries[i - 1].path.string() + " and " + entries[i].path.string());
    }
    char name[32];
    std::snprintf(name, sizeof name, "%05ld.csv", expected);
    throw_bad_input("FractalDB category folder " + dir.string() + ": category file " + name +
                    " is missing; expected the numbers 0.." + std::to_string(entries.size() - 1) +
                    " without gaps (" + std::to_string(entries.size()) + " files found)");
  }
  std::vector<Ifs2> systems;
  systems.reserve(entries.size());
  for (const Entry& e : entries) systems.push_back(read_fractaldb_csv(e.path));
  return systems;
}

void write_fractaldb_category_dir(const fs::path& dir, const std::vector<Ifs2>& systems) {
  for (std::size_t i = 0; i < systems.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%05zu.csv", i);
    write_file_atomic(dir / name, format_fractaldb_csv(systems[i]));
  }
}

}  // namespace fdsl

namespace fdsl {

namespace {
constexpr const char* kTableHeader = "category,a,b,c,d,e,f,p";
}

std::string format_category_table(const std::vector<Ifs2>& systems) {
  std::string out = std::string(kTableHeader) + "\n";
  for (std::size_t c = 0; c < systems.size(); ++c) {
    const std::string rows = format_fractaldb_csv(systems[c]);
    std::size_t start = 0;
    while (start < rows.size()) {
      const std::size_t end = rows.find('\n', start);
      out += std::to_string(c) + "," + rows.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return out;
}

std::vector<Ifs2> read_category_table(const fs::path& path) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  std::vector<Ifs2> systems;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = detail::trim(std::string_view(text.data() + start, end - start));
    start = end + 1;
    ++line_number;
    const std::string where = file + ":" + std::to_string(line_number);
    if (line.empty()) continue;
    if (line_number == 1) {
      if (line != kTableHeader)
        throw_bad_input(where + ": expected the header '" + std::string(kTableHeader) + "'");
      continue;
    }
    const auto fields = detail::split_fields(line);
    if (fields.size() != 8)
      throw_bad_input(where + ": found " + std::to_string(fields.size()) +
                      " comma-separated values, expected 8 (category,a,b,c,d,e,f,p)");
    long category = -1;
    const std::string_view id = detail::trim(fields[0]);
    auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), category);
    if (ec != std::errc() || ptr != id.data() + id.size() || category < 0)
      throw_bad_input(where + ": category " + detail::quote(id) + " is not a non-negative integer");
    if (category != static_cast<long>(systems.size()) - 1) {
      if (category != static_cast<long>(systems.size()))
        throw_bad_input(where + ": category " + std::to_string(category) + " out of order; expected " +
                        std::to_string(systems.size()) + " (categories are numbered 0, 1, ... in order)");
      systems.emplace_back();
    }
    double v[7];
    for (int i = 0; i < 7; ++i) v[i] = detail::parse_field(fields[i + 1], where, i);
    if (v[6] < 0) throw_bad_input(where + ": probability p (column 8) is negative; expected a value >= 0");
    systems.back().maps.push_back(AffineMap2{v[0], v[1], v[2], v[3], v[4], v[5]});
    systems.back().probs.push_back(v[6]);
  }
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
