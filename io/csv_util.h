// What the FractalDB (2D) and PC-FractalDB (3D) category CSV readers and writers share: line
// and field splitting, exact number parsing and formatting, numbered file names, and error
// messages that name the file and line. Internal to fdsl_io.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fdsl::detail::csv {

/// `s` without leading blanks and trailing blanks and '\r' (Windows line ends).
std::string_view trim(std::string_view s);

/// The offending text for a message, shortened so a binary file does not flood the terminal.
std::string quote(std::string_view s);

/// Splits a CSV line at commas.
std::vector<std::string_view> split_fields(std::string_view line);

/// Calls fn(line, number, where) for each '\n'-separated line of `text` (without the '\n'; a last
/// line without one counts), numbered from 1, `where` being "file:number" for messages. Returns
/// the number of lines.
template <class Fn>
int for_each_line(const std::string& text, const std::string& file, Fn&& fn) {
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    fn(line, line_number, file + ":" + std::to_string(line_number));
  }
  return line_number;
}

/// How a value out of the range of a double is reported.
enum class Overflow {
  Named,  ///< "..., which is out of the range of a double; expected a finite number"
  Plain,  ///< "...; expected a finite number", as for inf and nan
};

/// Parses one field exactly (std::from_chars rounds correctly and ignores the C locale; a
/// leading '+' is accepted). Throws BadInput naming `where`, "column <shown> (<name>)" and the
/// text unless the field is a finite number.
double parse_number(std::string_view field, const std::string& where, int shown, const char* name, Overflow overflow);

/// Whether the category id in `field` opens a new category: true for `count` (the next one),
/// false for count - 1 (the row adds a map to the last). Any other value, or one that is not a
/// non-negative integer, throws BadInput naming `where`.
bool opens_category(std::string_view field, const std::string& where, std::size_t count);

/// Appends `value` as %.18e (NumPy savetxt's default), independent of the C locale; `who` names
/// the caller if it cannot.
void append_number(std::string& out, double value, const char* who);

/// Appends each row of `rows` (lines ending in '\n') prefixed with "<category>,".
void append_category_rows(std::string& out, std::size_t category, const std::string& rows);

/// A name of only decimal digits (at most 9) between `prefix` and `suffix` gives its number;
/// others give -1.
long number_in_name(const std::string& name, std::string_view prefix, std::string_view suffix);

/// A category file and the number in its name.
struct NumberedFile {
  long number;
  std::filesystem::path path;
};

/// The name of category file `number`: the number in `digits` digits (zero-padded), then ".csv".
std::string numbered_name(std::size_t number, int digits);

/// Sorts `files` by number and checks they are 0, 1, ... without gaps or repeats. Messages name
/// `folder` (e.g. "FractalDB category folder <dir>"); one for no files at all says what was
/// `expected`, one for a gap names the missing file (numbered_name with `digits`).
void sort_numbered(std::vector<NumberedFile>& files, const std::string& folder, int digits,
                   const std::string& expected);

}  // namespace fdsl::detail::csv
