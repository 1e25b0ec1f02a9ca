#include "csv_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "fdsl/core/error.h"

namespace fdsl::detail::csv {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

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

double parse_number(std::string_view field, const std::string& where, int shown, const char* name, Overflow overflow) {
  const std::string_view text = trim(field);
  std::string_view digits = text;
  // NumPy never writes '+', but hand-written files might; from_chars does not accept it.
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::general);
  const std::string col = "column " + std::to_string(shown) + " (" + name + ")";
  if (digits.empty() || ec == std::errc::invalid_argument || ptr != last)
    throw_bad_input(where + ": " + col + " is " + quote(text) + ", which is not a number");
  if (ec == std::errc::result_out_of_range && overflow == Overflow::Named)
    throw_bad_input(where + ": " + col + " is " + quote(text) +
                    ", which is out of the range of a double; expected a finite number");
  if (ec == std::errc::result_out_of_range || !std::isfinite(value))
    throw_bad_input(where + ": " + col + " is " + quote(text) + "; expected a finite number");
  return value;
}

bool opens_category(std::string_view field, const std::string& where, std::size_t count) {
  long category = -1;
  const std::string_view id = trim(field);
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), category);
  if (ec != std::errc() || ptr != id.data() + id.size() || category < 0)
    throw_bad_input(where + ": category " + quote(id) + " is not a non-negative integer");
  if (category == static_cast<long>(count) - 1) return false;
  if (category != static_cast<long>(count))
    throw_bad_input(where + ": category " + std::to_string(category) + " out of order; expected " +
                    std::to_string(count) + " (categories are numbered 0, 1, ... in order)");
  return true;
}

void append_number(std::string& out, double value, const char* who) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, 18);
  if (ec != std::errc()) throw_runtime(std::string(who) + ": cannot format a number");
  out.append(buf, ptr);
}

void append_category_rows(std::string& out, std::size_t category, const std::string& rows) {
  std::size_t start = 0;
  while (start < rows.size()) {
    const std::size_t end = rows.find('\n', start);
    out += std::to_string(category) + "," + rows.substr(start, end - start) + "\n";
    start = end + 1;
  }
}

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

std::string numbered_name(std::size_t number, int digits) {
  char name[32];
  std::snprintf(name, sizeof name, "%0*zu.csv", digits, number);
  return name;
}

void sort_numbered(std::vector<NumberedFile>& files, const std::string& folder, int digits,
                   const std::string& expected) {
  if (files.empty()) throw_bad_input(folder + " has no CSV files; expected " + expected);
  std::sort(files.begin(), files.end(), [](const NumberedFile& x, const NumberedFile& y) {
    return x.number != y.number ? x.number < y.number : x.path < y.path;
  });
  for (std::size_t i = 0; i < files.size(); ++i) {
    const long want = static_cast<long>(i);
    if (files[i].number == want) continue;
    if (files[i].number < want)
      throw_bad_input(folder + ": category " + std::to_string(files[i].number) + " appears twice, as " +
                      files[i - 1].path.string() + " and " + files[i].path.string());
    throw_bad_input(folder + ": category file " + numbered_name(i, digits) + " is missing; expected the numbers 0.." +
                    std::to_string(files.size() - 1) + " without gaps (" + std::to_string(files.size()) +
                    " files found)");
  }
}

}  // namespace fdsl::detail::csv
